"""The field laptop's offline copy as a whole (issue #15): take it from the team server, open
it with the operator's password, sync it. The record-level rules are in db/sync.py.
"""

from __future__ import annotations

import json
import logging
import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.exc import DBAPIError, OperationalError

from ..domain.errors import ConnectionLost, DatabaseOpenError, SyncBlocked
from . import cipher, sync
from . import models as m
from .engine import open_database, sqlite_url
from .migrate import current_revision
from .repositories._sql import CODE_TAG_KEY

log = logging.getLogger(__name__)


@dataclass
class SyncOutcome:
    pushed: int = 0
    applied: int = 0
    conflicts: int = 0  # conflicts still waiting for a person on this device
    new_conflicts: int = 0
    pulled: int = 0
    codes: dict = field(default_factory=dict)
    bytes_sent: int = 0
    bytes_received: int = 0
    new_ticket_ids: list = field(default_factory=list)


# -- what to take ----------------------------------------------------------------------------
def customers_in_scope(server: Engine, *, operator_id: int | None = None, province: str | None = None,
                       picked: list[int] | None = None) -> list[str]:
    """The UUIDs of the customers to take: with open tickets assigned to the operator, or of a
    province, or picked by hand (by id; any combination; archived customers are left)."""
    c, t = m.Customer.__table__, m.Ticket.__table__
    wanted = []
    if operator_id is not None:
        wanted.append(c.c.id.in_(select(t.c.customer_id).where(
            t.c.assignee_id == operator_id, t.c.status.notin_(("resolved", "closed", "refused")))))
    if province:
        wanted.append(func.lower(c.c.province) == province.lower())
    if picked:
        wanted.append(c.c.id.in_(picked))
    if not wanted:
        return []
    with server.connect() as conn:
        return [u for (u,) in conn.execute(select(c.c.uuid).where(or_(*wanted), c.c.archived_at.is_(None)))]


def provinces(server: Engine) -> list[str]:
    c = m.Customer.__table__
    with server.connect() as conn:
        return [p for (p,) in conn.execute(select(c.c.province).where(c.c.province.isnot(None))
                                           .group_by(c.c.province).order_by(c.c.province))]


# -- the copy --------------------------------------------------------------------------------
def open_copy(path: Path, password: str) -> Engine:
    """Open the encrypted copy with the operator's password. A wrong password reads as
    DatabaseOpenError WRONG_KEY; the capture triggers are (re)installed."""
    key = cipher.derive_key(password, cipher.salt_of(path))
    if _key_refused(path, key):
        raise DatabaseOpenError(DatabaseOpenError.WRONG_KEY, str(path))
    cipher.unlock(path, key)
    try:
        engine, _ = open_database(sqlite_url(path))
    except DatabaseOpenError:
        cipher.forget(path)
        raise
    with engine.begin() as conn:
        if not sync.is_offline_copy(conn):
            raise SyncBlocked(SyncBlocked.NOT_A_COPY, str(path))
        sync.install_capture(conn)
    return engine


def _key_refused(path: Path, key: bytes) -> bool:
    try:
        con = cipher.connect(path, key)
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
        return False
    except Exception:  # noqa: BLE001 - sqlcipher's DatabaseError: not this key
        return True


def take(server: Engine, path: Path, password: str, scope: list[str], *, device_name: str,
         operator_id: int | None, author: str, now: datetime) -> tuple[Engine, SyncOutcome]:
    """Make a new encrypted copy at `path` holding `scope`'s customers (with their contacts,
    contracts, obligations, tickets and history) and the firm's packages, calendar and
    details, then fill it from the server. Returns the copy's engine."""
    path = Path(path)
    for stale in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm"), Path(str(path) + cipher.SALT_SUFFIX)):
        if stale.exists():
            stale.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = cipher.derive_key(password, cipher.salt_of(path, create=True))
    cipher.unlock(path, key)
    engine, _ = open_database(sqlite_url(path))
    device_id = str(uuidlib.uuid4())
    o = m.Operator.__table__
    with server.connect() as sc:
        who = sc.execute(select(o.c.uuid, o.c.login).where(o.c.id == operator_id)).first() if operator_id else None
    with engine.begin() as conn:
        sync.install_capture(conn)
        sync.set_state(conn, "operator_uuid", who.uuid if who else "")
        sync.set_state(conn, "login", (who.login or "") if who else "")
        for k, v in (("device_id", device_id), ("device_name", device_name), ("watermark", "0"),
                     ("pushed_seq", "0"), ("scope", json.dumps(sorted(set(scope)))),
                     ("operator_id", "" if operator_id is None else str(operator_id)),
                     ("taken_at", now.isoformat()), ("last_sync_at", "")):
            sync.set_state(conn, k, v)
        # The server's operator id names the same person here (operators travel with their UUID;
        # the copy's id is looked up by it after the first pull).
        conn.execute(m.AppMeta.__table__.insert().values(key=CODE_TAG_KEY, value=device_id[:4].upper()))
    outcome = sync_now(engine, server, author=author, operator_id=operator_id, now=now)
    if who is not None:  # the operator signs in here as on a local file: Lock, Switch operator
        from ..services.accounts import hash_password

        with engine.begin() as conn:
            conn.execute(o.update().where(o.c.uuid == who.uuid).values(password_hash=hash_password(password)))
    return engine, outcome


def state(engine: Engine) -> dict:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT key, value FROM sync_state").all()
        out = dict(rows)
        # Records changed here and not yet sent (a ticket and its history entry count as two).
        out["pending"] = conn.exec_driver_sql("SELECT count(*) FROM (SELECT DISTINCT entity, uuid FROM sync_outbox)").scalar()
        out["conflicts"] = conn.exec_driver_sql(
            "SELECT count(*) FROM sync_conflicts WHERE resolved_at IS NULL").scalar()
        return out


def sync_now(laptop: Engine, server: Engine, *, author: str, operator_id: int | None, now: datetime,
             after_push=None) -> SyncOutcome:
    """Push this copy's pending changes, then pull what changed on the server. `after_push`
    (tests) runs between the server's commit and the laptop hearing of it."""
    outcome = SyncOutcome()
    try:
        server_rev = current_revision(server)
    except (OperationalError, DBAPIError, ConnectionLost) as exc:
        raise SyncBlocked(SyncBlocked.UNREACHABLE, type(exc).__name__) from exc
    local_rev = current_revision(laptop)
    if server_rev != local_rev:
        raise SyncBlocked(SyncBlocked.SCHEMA, f"{local_rev} != {server_rev}")
    with laptop.begin() as lc:
        if not sync.is_offline_copy(lc):
            raise SyncBlocked(SyncBlocked.NOT_A_COPY, "")
        device_id = sync.get_state(lc, "device_id")
        device_name = sync.get_state(lc, "device_name", "")
        changes, last = sync.pending(lc, 0)
        scope = json.loads(sync.get_state(lc, "scope", "[]"))
    try:
        if changes or last:
            batch = sync.Batch(device_id, device_name, last, changes)
            payload = json.dumps([c.__dict__ for c in changes], ensure_ascii=False)
            outcome.bytes_sent += len(payload.encode("utf-8"))
            with server.begin() as sc:
                result = sync.apply_batch(sc, batch, operator_id, author, now)
            if after_push is not None:
                after_push()
            outcome.pushed = len(changes)
            outcome.applied = result.applied
            outcome.new_conflicts = result.conflicts
            outcome.codes = result.codes
            outcome.new_ticket_ids = result.new_ticket_ids
            with laptop.begin() as lc:
                sync.clear_pushed(lc, last)
                sync.set_state(lc, "pushed_seq", str(last))
                made_here = [c.key for c in changes if c.entity == "customers" and c.op == "insert"]
                if made_here:
                    scope = sorted(set(scope) | set(made_here))
                    sync.set_state(lc, "scope", json.dumps(scope))
        with laptop.connect() as lc:
            watermark = int(sync.get_state(lc, "watermark", "0"))
        with server.begin() as sc:
            pulled = sync.read_changes(sc, watermark, scope, device_id)
        outcome.bytes_received += len(json.dumps({"r": pulled.rows, "g": pulled.gone, "c": pulled.conflicts},
                                                 ensure_ascii=False, default=str).encode("utf-8"))
    except (OperationalError, ConnectionLost) as exc:
        raise SyncBlocked(SyncBlocked.UNREACHABLE, type(exc).__name__) from exc
    with laptop.begin() as lc:
        outcome.pulled = sync.apply_pulled(lc, pulled, last)
        sync.set_state(lc, "watermark", str(pulled.watermark))
        sync.set_state(lc, "last_sync_at", now.isoformat())
        outcome.conflicts = lc.exec_driver_sql(
            "SELECT count(*) FROM sync_conflicts WHERE resolved_at IS NULL").scalar()
    return outcome


def server_conflicts(server: Engine, *, device_id: str | None = None, open_only: bool = True) -> list[dict]:
    """The conflicts on the server (a lead sees every device's)."""
    ct = m.SyncConflict.__table__
    stmt = select(ct)
    if device_id:
        stmt = stmt.where(ct.c.device_id == device_id)
    if open_only:
        stmt = stmt.where(ct.c.resolved_at.is_(None))
    with server.connect() as conn:
        return [dict(r) for r in conn.execute(stmt.order_by(ct.c.id)).mappings()]


def resolve_on_server(server: Engine, conflict_uuid: str, choice: str, value=None, *, author: str,
                      now: datetime) -> None:
    """Decide a conflict on the server: "theirs" keeps the server's value, "mine" writes the
    laptop's, "edit" writes `value`; "restore" puts back a record deleted on the server (and
    un-archives an archived one) with the laptop's values. The record's history and the
    change log see an ordinary change."""
    ct = m.SyncConflict.__table__
    with server.begin() as conn:
        c = conn.execute(select(ct).where(ct.c.uuid == conflict_uuid).with_for_update()).mappings().first()
        if c is None or c["resolved_at"] is not None:
            return
        t = sync.TABLES[c["entity"]]
        keycol = t.c[sync.key_column(c["entity"])]
        stamp = sync.stamp_of(t, author, now)
        if choice in ("mine", "edit") and c["kind"] == "field":
            new = json.loads(c["mine"]) if choice == "mine" else value
            landed, _missing = sync._landing(conn, c["entity"], {c["field"]: new})  # noqa: SLF001
            conn.execute(t.update().where(keycol == c["entity_uuid"]).values(**landed, **stamp))
            row_id = conn.execute(select(t.c.id).where(keycol == c["entity_uuid"])).scalar()
            if row_id is not None:
                sync._refresh_derived(conn, c["entity"], row_id)  # noqa: SLF001
        elif choice == "restore" and c["kind"] in ("deleted", "archived"):
            payload = json.loads(c["payload"] or "{}")
            row = payload.get("row", {})
            exists = conn.execute(select(t.c.id).where(keycol == c["entity_uuid"])).scalar()
            landed, missing = sync._landing(conn, c["entity"], row)  # noqa: SLF001
            if missing:
                raise SyncBlocked(SyncBlocked.PARENT_MISSING, ",".join(missing))
            if exists is None:
                landed.update({k: v for k, v in (("version", 1), ("updated_at", now), ("updated_by", author))
                               if k in t.c})
                new_id = conn.execute(t.insert().values(**landed).returning(t.c.id)).scalar()
                sync._refresh_derived(conn, c["entity"], new_id)  # noqa: SLF001
            else:
                if c["entity"] == "customers":
                    landed.update(archived_at=None, merged_into_id=None)
                conn.execute(t.update().where(t.c.id == exists).values(**landed, **stamp))
                sync._refresh_derived(conn, c["entity"], exists)  # noqa: SLF001
        conn.execute(ct.update().where(ct.c.id == c["id"]).values(
            resolved_at=now, resolved_by=author, resolution=choice))
    if choice == "restore":
        for orphan in server_conflicts(server):
            if orphan["kind"] == "deleted" and f'"{c["entity_uuid"]}"' in (orphan["payload"] or ""):
                resolve_on_server(server, orphan["uuid"], "restore", author=author, now=now)


# -- the links the app holds (services.ports.OfflineLink) -------------------------------------
def _label(conn, entity: str, key: str, payload: str | None) -> str:
    """A record as a person names it: a ticket's code and subject, a customer's code and name."""
    row = None
    if entity in sync.TABLES and entity != "app_meta":
        t = sync.TABLES[entity]
        row = conn.execute(select(t).where(t.c.uuid == key)).mappings().first()
    if row is None and payload:
        row = json.loads(payload).get("row")
    if not row:
        return key
    for a, b in (("code", "subject"), ("code", "name"), ("number", None), ("full_name", None), ("kind", "body")):
        if row.get(a):
            return " · ".join(str(x) for x in (row.get(a), row.get(b) if b else None) if x)
    return key


class TeamServerLink:
    """On the team server: takes copies for laptops; leads see and decide every device's conflicts."""

    on_copy = False

    def __init__(self, server, server_context=None, check_password=None):
        """`server`: the engine the desk works on, or a callable giving it (the signed-in
        operator's, which changes at Switch operator). `check_password(login, password)`:
        raises SignInRefused unless the server takes it."""
        self._server = server
        self._server_context = server_context
        self._check_password = check_password

    @property
    def server(self) -> Engine:
        return self._server() if callable(self._server) else self._server

    def check_password(self, login: str, password: str) -> None:
        if self._check_password is not None:
            self._check_password(login, password)

    def status(self) -> dict:
        ct = m.SyncConflict.__table__
        with self.server.connect() as conn:
            waiting = conn.execute(select(func.count()).select_from(ct).where(ct.c.resolved_at.is_(None))).scalar()
        return {"conflicts": waiting}

    def provinces(self) -> list[str]:
        return provinces(self.server)

    def scope(self, operator_id, province, picked) -> list[str]:
        return customers_in_scope(self.server, operator_id=operator_id, province=province, picked=picked)

    def take(self, path, password, scope, device_name, operator_id, author, now):
        engine, outcome = take(self.server, Path(path), password, scope, device_name=device_name,
                               operator_id=operator_id, author=author, now=now)
        engine.dispose()
        return outcome

    def sync(self, author, operator_id, now):
        raise SyncBlocked(SyncBlocked.NOT_A_COPY, "")

    def conflicts(self) -> list[dict]:
        d = m.SyncDevice.__table__
        with self.server.connect() as conn:
            names = dict(conn.execute(select(d.c.device_id, d.c.name)).all())
            out = []
            for c in server_conflicts(self.server):
                c = dict(c, device_name=names.get(c["device_id"], ""), created_at=sync.canon(c["created_at"]))
                c["label"] = _label(conn, c["entity"], c["entity_uuid"], c["payload"])
                out.append(c)
            return out

    def resolve(self, conflict_uuid, choice, value, author, now) -> None:
        resolve_on_server(self.server, conflict_uuid, choice, value, author=author, now=now)

    def server_context(self):
        return self._server_context


class LaptopLink:
    """On the offline copy: sync with the team server whenever it answers; this device's
    conflicts, readable offline and decided on the server."""

    on_copy = True

    def __init__(self, copy: Engine, connect_server, server_context_of=None):
        """`connect_server()`: an engine on the team server as the signed-in operator (raises
        SyncBlocked UNREACHABLE when it does not answer). `server_context_of(engine)`: a
        services Context on it (the server's clocks of tickets made here are recomputed)."""
        self.copy = copy
        self._connect = connect_server
        self._context_of = server_context_of
        self._server: Engine | None = None

    def _server_engine(self) -> Engine:
        if self._server is None:
            try:
                self._server = self._connect()
            except SyncBlocked:
                raise
            except (DatabaseOpenError, OperationalError, DBAPIError, ConnectionLost, OSError) as exc:
                raise SyncBlocked(SyncBlocked.UNREACHABLE, type(exc).__name__) from exc
        return self._server

    def _drop_server(self) -> None:
        if self._server is not None:
            self._server.dispose()
            self._server = None

    def status(self) -> dict:
        s = state(self.copy)
        s["customers"] = len(json.loads(s.get("scope", "[]")))
        return s

    def provinces(self) -> list[str]:
        return []

    def scope(self, operator_id, province, picked) -> list[str]:
        return []

    def take(self, *a, **k):
        raise SyncBlocked(SyncBlocked.NOT_A_COPY, "a copy takes no copy")

    def check_password(self, login: str, password: str) -> None:
        return None

    def sync(self, author, operator_id, now):
        try:
            return sync_now(self.copy, self._server_engine(), author=author, operator_id=operator_id, now=now)
        except SyncBlocked as exc:
            if exc.reason == SyncBlocked.UNREACHABLE:
                self._drop_server()
            raise

    def conflicts(self) -> list[dict]:
        with self.copy.connect() as conn:
            ct = m.SyncConflict.__table__
            rows = conn.execute(select(ct).where(ct.c.resolved_at.is_(None)).order_by(ct.c.created_at)).mappings().all()
            device = sync.get_state(conn, "device_name", "")
            out = []
            for r in rows:
                c = dict(r, device_name=device, created_at=sync.canon(r["created_at"]))
                c["label"] = _label(conn, c["entity"], c["entity_uuid"], c["payload"])
                out.append(c)
            return out

    def resolve(self, conflict_uuid, choice, value, author, now) -> None:
        server = self._server_engine()
        resolve_on_server(server, conflict_uuid, choice, value, author=author, now=now)
        sync_now(self.copy, server, author=author, operator_id=None, now=now)

    def server_context(self):
        if self._context_of is None:
            return None
        return self._context_of(self._server_engine())

    def dispose(self) -> None:
        self._drop_server()
