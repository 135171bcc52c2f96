"""The field laptop's offline copy and its sync with the team server (issue #15).

The copy is the same schema in a SQLite file (encrypted: db/cipher.py) plus three tables of
its own, outside the migrations:
- `sync_outbox`: every change, whatever made it (a form, an import, a command), captured by
  triggers in the same transaction as the change: entity, UUID, operation, the row before and
  after (`base`, `new`, as stored). Its `seq` is the device's sequence.
- `sync_state`: this device's id, the server watermark, the last pushed sequence, the scope
  (the customers taken), the last sync time.
- `sync_control`: one row, `capturing`: 0 while a pull writes the server's rows.

Push sends the pending changes coalesced per record (each field's base is the value before
its first change, its new value the record's value now) in the device's order, in one server
transaction that also moves the device's `last_seq`: a batch sent again after a lost reply
finds its sequence already applied and changes nothing. The server applies a field when its
value still equals the laptop's base, accepts an equal value, and otherwise keeps its value
and records a conflict (`sync_conflicts`). Append-only rows (the history, the work log)
travel by UUID and never conflict; one whose record is gone on the server becomes a conflict
that keeps it, with a restore.

Pull reads every record the server changed since the laptop's watermark: the server's
`sync_log` names each record with the id of the transaction that last wrote it, and the new
watermark is the oldest transaction still running when the pull's snapshot was taken, so a
transaction that commits late is read next time (records read twice are written twice, to the
same values). Fields with local changes still pending keep the local value and have their
base moved to the server's (rebased). Nothing is ordered by the laptop's clock.

Records are matched by UUID on both sides; a foreign key travels as the UUID of the record it
names, so the integer ids of the copy and the server are independent.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid as uuidlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, LargeBinary, and_, bindparam, delete, insert, or_, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError

from . import models as m
from .repositories._sql import take_code

log = logging.getLogger(__name__)

#: Every synced table, parents before children.
SYNCED = ("operators", "packages", "calendar_exceptions", "app_meta", "customers", "contacts",
          "verification_questions", "contracts", "contract_instalments", "payments", "obligations", "tickets",
          "change_requests", "ticket_events", "contract_events", "customer_events", "attachment_contents",
          "attachments")
#: Tables the laptop reads but never sends (leads and administrators change them at the office).
PULL_ONLY = frozenset({"operators", "packages", "calendar_exceptions", "app_meta", "verification_questions"})
#: Rows never changed once written: they travel by UUID and never conflict.
APPEND_ONLY = frozenset({"ticket_events", "contract_events", "customer_events", "attachment_contents",
                         "attachments"})
#: A column naming a record of the table its row's kind says (attachments.owner_id by owner_kind).
OWNED = {"attachments": ("owner_id", "owner_kind", {"ticket": "tickets", "ticket_event": "ticket_events",
                                                     "contract": "contracts", "customer": "customers"})}
#: app_meta keys that travel (the firm's details and working week); the rest are each desk's own.
SHARED_META = ("vendor.", "calendar.week")
#: Columns each side keeps for itself.
LOCAL = frozenset({"id", "version", "updated_at", "updated_by"})
#: Columns a table keeps on each side: an operator's password hash and sign-in counts (the
#: copy holds the hash of the operator who took it, so Lock and sign-in work offline).
KEPT_HERE = {"operators": frozenset({"password_hash", "failed_sign_ins", "last_failed_at", "signed_in_at"})}
#: Columns computed from the others: never compared, recomputed where the record is written.
DERIVED = frozenset({"search_text", "sort_name"})
#: A ticket's clocks move as one with its status: the laptop's clocks are taken when the
#: server's clocks are still the laptop's base, otherwise the server keeps its own.
CLOCK_PREFIXES = ("proposal_", "fix_", "complaint_")
#: Codes the server hands out: a record made offline has a provisional code until its push.
CODED = {"tickets": ("code", lambda year: (f"YC{year % 100:02d}-", 6)),
         "customers": ("code", lambda year: ("KH", 5))}

TABLES = {name: m.Base.metadata.tables[name] for name in SYNCED}


def key_column(table: str) -> str:
    return "key" if table == "app_meta" else "uuid"


def _is_clock(table: str, column: str) -> bool:
    return table == "tickets" and (column.startswith(CLOCK_PREFIXES) or column == "next_due_at")


def _foreign_keys(table: str) -> dict[str, str]:
    """column -> the synced table it names."""
    out = {}
    for fk in TABLES[table].foreign_keys:
        target = fk.column.table.name
        if target in TABLES:
            out[fk.parent.name] = target
    return out


FKS = {name: _foreign_keys(name) for name in SYNCED}
#: Columns naming a record that does not travel (an import batch): each side keeps its own.
UNSYNCED_FKS = {name: frozenset(fk.parent.name for fk in TABLES[name].foreign_keys
                                if fk.column.table.name not in TABLES) for name in SYNCED}


# -- values as they travel ---------------------------------------------------------------
def canon(value):
    """A Python value as it travels and is compared: JSON-able and the same on both engines."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, bool):
        return value
    return value


def uncanon(column, value):
    """A travelling value back to Python for `column`."""
    if value is None:
        return None
    t = column.type
    if isinstance(t, m.UTCDateTime) or isinstance(t, DateTime):
        v = datetime.fromisoformat(value)
        return v if v.tzinfo else v.replace(tzinfo=timezone.utc)
    if isinstance(t, Date):
        return date.fromisoformat(value)
    if isinstance(t, Boolean):
        return bool(value)
    if isinstance(t, LargeBinary):
        return base64.b64decode(value)
    return value


def _same(a, b) -> bool:
    return canon(a) == canon(b) if not (isinstance(a, str) and isinstance(b, str)) else a == b


class _Raw:
    """Values as SQLite stores them (the capture triggers' JSON) turned into Python values."""

    def __init__(self, dialect):
        self.dialect = dialect
        self._procs = {}

    def value(self, table: str, column: str, raw):
        key = (table, column)
        if key not in self._procs:
            col = TABLES[table].c[column]
            self._procs[key] = col.type._cached_result_processor(self.dialect, None)  # noqa: SLF001
        proc = self._procs[key]
        return proc(raw) if (proc is not None and raw is not None) else raw


# -- the laptop's capture ------------------------------------------------------------------
LAPTOP_DDL = (
    """CREATE TABLE IF NOT EXISTS sync_outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, uuid TEXT NOT NULL,
        op TEXT NOT NULL, base TEXT, new TEXT)""",
    "CREATE INDEX IF NOT EXISTS ix_sync_outbox_uuid ON sync_outbox (uuid)",
    "CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sync_control (id INTEGER PRIMARY KEY CHECK (id = 1), capturing INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO sync_control (id, capturing) VALUES (1, 1)",
)


def _json_of(table: str, alias: str) -> str:
    # File bytes are no field anyone edits (and JSON holds no BLOB): the push reads the row itself.
    cols = [c.name for c in TABLES[table].columns if not isinstance(c.type, LargeBinary)]
    return "json_object(" + ", ".join(f"'{c}', {alias}.\"{c}\"" for c in cols) + ")"


def install_capture(conn: Connection) -> None:
    """Create the copy's own tables and the triggers that capture every change of a synced
    table in the same transaction (idempotent: run at every opening of the copy, so tables a
    later migration adds are captured too)."""
    for ddl in LAPTOP_DDL:
        conn.exec_driver_sql(ddl)
    for table in SYNCED:
        if table in PULL_ONLY:
            continue
        key = key_column(table)
        when = "(SELECT capturing FROM sync_control WHERE id = 1) = 1"
        for op, row, body in (
                ("insert", "NEW", f"NULL, {_json_of(table, 'NEW')}"),
                ("update", "NEW", f"{_json_of(table, 'OLD')}, {_json_of(table, 'NEW')}"),
                ("delete", "OLD", f"{_json_of(table, 'OLD')}, NULL")):
            name = f"sync_capture_{table}_{op}"
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
            conn.exec_driver_sql(
                f"CREATE TRIGGER {name} AFTER {op.upper()} ON {table} FOR EACH ROW WHEN {when} "
                f"BEGIN INSERT INTO sync_outbox (entity, uuid, op, base, new) "
                f"VALUES ('{table}', {row}.\"{key}\", '{op}', {body}); END")


def is_offline_copy(conn: Connection) -> bool:
    if conn.dialect.name != "sqlite":
        return False
    return conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_state'").first() is not None


def get_state(conn: Connection, key: str, default: str | None = None) -> str | None:
    row = conn.exec_driver_sql("SELECT value FROM sync_state WHERE key = ?", (key,)).first()
    return row[0] if row else default


def set_state(conn: Connection, key: str, value: str) -> None:
    conn.exec_driver_sql("INSERT INTO sync_state (key, value) VALUES (?, ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def _capturing(conn: Connection, on: bool) -> None:
    conn.exec_driver_sql("UPDATE sync_control SET capturing = ? WHERE id = 1", (1 if on else 0,))


# -- the server's log ------------------------------------------------------------------------
def install_server_log(conn: Connection, tables) -> None:
    """PostgreSQL: the function and statement-level triggers that keep `sync_log`. The
    function runs as the database's owner (SECURITY DEFINER): staff write the log only
    through their changes."""
    conn.execute(text("""
        CREATE OR REPLACE FUNCTION public.helpdesk_sync_log() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
        DECLARE
            keycol text := CASE WHEN TG_TABLE_NAME = 'app_meta' THEN 'key' ELSE 'uuid' END;
            gone boolean := TG_OP = 'DELETE';
        BEGIN
            EXECUTE format(
                'INSERT INTO public.sync_log (entity, entity_uuid, xid, deleted) '
                'SELECT DISTINCT %L, %I, pg_current_xact_id()::text::bigint, %L::boolean FROM %I '
                'ON CONFLICT (entity, entity_uuid) DO UPDATE SET xid = EXCLUDED.xid, deleted = EXCLUDED.deleted',
                TG_TABLE_NAME, keycol, gone, CASE WHEN gone THEN 'gone_rows' ELSE 'new_rows' END);
            RETURN NULL;
        END $$"""))
    conn.execute(text("REVOKE ALL ON FUNCTION public.helpdesk_sync_log() FROM PUBLIC"))
    for table in tables:
        for op, ref in (("INSERT", "NEW TABLE AS new_rows"), ("UPDATE", "NEW TABLE AS new_rows"),
                        ("DELETE", "OLD TABLE AS gone_rows")):
            name = f"sync_log_{op.lower()}"
            conn.execute(text(f"DROP TRIGGER IF EXISTS {name} ON {table}"))
            conn.execute(text(f"CREATE TRIGGER {name} AFTER {op} ON {table} REFERENCING {ref} "
                              f"FOR EACH STATEMENT EXECUTE FUNCTION public.helpdesk_sync_log()"))
    # Rows already there are all "changed since the beginning".
    for table in tables:
        keycol = key_column(table)
        conn.execute(text(
            f"INSERT INTO sync_log (entity, entity_uuid, xid, deleted) SELECT '{table}', {keycol}, "
            f"pg_current_xact_id()::text::bigint, false FROM {table} ON CONFLICT DO NOTHING"))
    # Staff write the log only through the trigger; they record conflicts and their device.
    conn.execute(text("REVOKE INSERT, UPDATE, DELETE ON sync_log FROM PUBLIC"))
    prefix = conn.execute(text("SELECT value FROM app_meta WHERE key = 'server.roles'")).scalar()
    if prefix:
        staff = f'"{prefix}_staff"'
        conn.execute(text(f"REVOKE INSERT, UPDATE, DELETE ON sync_log FROM {staff}"))
        conn.execute(text(f"REVOKE DELETE ON sync_conflicts, sync_devices FROM {staff}"))


def uninstall_server_log(conn: Connection, tables, drop_function: bool = True) -> None:
    for table in tables:
        for op in ("insert", "update", "delete"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS sync_log_{op} ON {table}"))
    if drop_function:
        conn.execute(text("DROP FUNCTION IF EXISTS public.helpdesk_sync_log()"))


# -- what travels ----------------------------------------------------------------------------
@dataclass
class Change:
    """One record's pending change, coalesced: `base` holds the value before the first
    change of each changed field, `new` the record's whole present value (FKs as UUIDs)."""

    entity: str
    key: str
    op: str  # insert / update / delete
    base: dict = field(default_factory=dict)
    new: dict = field(default_factory=dict)
    first_seq: int = 0


@dataclass
class Batch:
    device_id: str
    device_name: str
    last_seq: int
    changes: list[Change]


@dataclass
class PushResult:
    applied: int = 0
    conflicts: int = 0
    already: bool = False
    codes: dict = field(default_factory=dict)  # provisional code -> final code
    new_ticket_ids: list = field(default_factory=list)  # server ids whose clocks to recompute


def _ids(conn: Connection) -> dict:
    return conn.info.setdefault("sync_ids", {})


def _fresh(conn: Connection) -> None:
    """Forget the remembered id <-> UUID pairs: each push or pull starts from the database."""
    conn.info["sync_ids"] = {}


_BY_KEY: dict = {}


def _by_key(kind: str, table: str):
    """The statements the per-record loops run, built once per table with the key as a bound
    parameter `_k` (a statement built per record spends most of its time in SQLAlchemy's
    cache key of its literal values: measured by benchmarks/bench_sync.py)."""
    if (kind, table) not in _BY_KEY:
        t = TABLES[table]
        where = t.c[key_column(table)] == bindparam("_k")
        _BY_KEY[(kind, table)] = {"row": lambda: select(t).where(where), "id": lambda: select(t.c.id).where(where),
                                  "update": lambda: update(t).where(where), "insert": lambda: insert(t),
                                  "key": lambda: select(t.c[key_column(table)]).where(t.c.id == bindparam("_k")),
                                  }[kind]()
    return _BY_KEY[(kind, table)]


def _uuid_of(conn: Connection, table: str, row_id) -> str | None:
    if row_id is None:
        return None
    memo = _ids(conn)
    k = (table, "u", row_id)
    if k not in memo:
        memo[k] = conn.execute(_by_key("key", table), {"_k": row_id}).scalar()
    return memo[k]


def _id_of(conn: Connection, table: str, key) -> int | None:
    if key is None:
        return None
    memo = _ids(conn)
    k = (table, "i", key)
    if memo.get(k) is None:
        memo[k] = conn.execute(_by_key("id", table), {"_k": key}).scalar()
    return memo[k]


def _travelling(conn: Connection, table: str, row: dict) -> dict:
    """A row (Python values, local ids) as it travels: canonical values, FKs as UUIDs."""
    out = {}
    kept = KEPT_HERE.get(table, frozenset())
    for name, value in row.items():
        if name in LOCAL or name in UNSYNCED_FKS[table] or name in kept:
            continue
        if name in FKS[table]:
            out[name] = _uuid_of(conn, FKS[table][name], value)
        elif table in OWNED and name == OWNED[table][0]:
            out[name] = _uuid_of(conn, OWNED[table][2].get(row[OWNED[table][1]], ""), value) \
                if row[OWNED[table][1]] in OWNED[table][2] else None
        else:
            out[name] = canon(value)
    return out


def _landing(conn: Connection, table: str, row: dict) -> tuple[dict, list[str]]:
    """A travelling row as this database stores it: Python values, FKs as local ids. Returns
    the values and the FK columns whose record this database lacks."""
    out, missing = {}, []
    cols = TABLES[table].c
    for name, value in row.items():
        if name not in cols or name in LOCAL or name in UNSYNCED_FKS[table]:
            continue
        if name in FKS[table] or (table in OWNED and name == OWNED[table][0]):
            parent = FKS[table][name] if name in FKS[table] else OWNED[table][2].get(row.get(OWNED[table][1]))
            local = _id_of(conn, parent, value) if parent else None
            if value is not None and local is None:
                missing.append(name)
            out[name] = local
        else:
            out[name] = uncanon(cols[name], value)
    return out, missing


def pending(conn: Connection, after_seq: int = 0) -> tuple[list[Change], int]:
    """The laptop's pending changes after `after_seq`, coalesced per record in the order of
    their first change, and the highest sequence they cover."""
    _fresh(conn)
    raw = _Raw(conn.dialect)
    rows = conn.exec_driver_sql(
        "SELECT seq, entity, uuid, op, base, new FROM sync_outbox WHERE seq > ? ORDER BY seq", (after_seq,)).all()
    if not rows:
        return [], after_seq
    by_key: dict[tuple[str, str], Change] = {}
    changed_fields: dict[tuple[str, str], dict] = {}
    for seq, entity, key, op, base, new in rows:
        k = (entity, key)
        ch = by_key.get(k)
        if ch is None:
            ch = by_key[k] = Change(entity, key, op, first_seq=seq)
            changed_fields[k] = {}
        if op == "insert":
            ch.op = "insert"
        elif op == "delete":
            ch.op = "delete" if ch.op != "insert" else "gone"  # made and removed offline: nothing to send
        elif op == "update" and ch.op != "insert":
            before, after = json.loads(base), json.loads(new)
            for name, value in before.items():
                if name in LOCAL or name in DERIVED:
                    continue
                if after.get(name) != value and name not in changed_fields[k]:
                    changed_fields[k][name] = raw.value(entity, name, value)
    out = []
    for k, ch in sorted(by_key.items(), key=lambda kv: kv[1].first_seq):
        entity, key = k
        if ch.op == "gone":
            continue
        t = TABLES[entity]
        if ch.op == "delete":
            ch.new = {}
            out.append(ch)
            continue
        row = conn.execute(select(t).where(t.c[key_column(entity)] == key)).mappings().first()
        if row is None:  # changed, then removed in a way the triggers did not see: nothing to send
            continue
        ch.new = _travelling(conn, entity, dict(row))
        if ch.op == "update":
            base = {}
            for name, value in changed_fields[k].items():
                base[name] = _uuid_of(conn, FKS[entity][name], value) if name in FKS[entity] else canon(value)
            # Fields changed and changed back: nothing to send for them.
            ch.base = {n: v for n, v in base.items() if v != ch.new.get(n)}
            if not ch.base:
                continue
        out.append(ch)
    return out, rows[-1][0]


# -- the server's side -------------------------------------------------------------------------
def apply_batch(conn: Connection, batch: Batch, operator_id: int | None, author: str, now: datetime) -> PushResult:
    """Apply a laptop's batch in the caller's transaction on the server. Idempotent: a batch
    whose sequence the device already sent changes nothing."""
    _fresh(conn)
    devices = m.SyncDevice.__table__
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:d))"), {"d": batch.device_id})
    seen = conn.execute(select(devices.c.last_seq).where(devices.c.device_id == batch.device_id)).scalar()
    if seen is None:
        conn.execute(insert(devices).values(device_id=batch.device_id, name=batch.device_name[:120],
                                            operator_id=operator_id, last_seq=0, created_at=now))
        seen = 0
    result = PushResult()
    if batch.last_seq <= seen:
        result.already = True
        return result
    for ch in batch.changes:
        if ch.entity in PULL_ONLY or ch.entity not in TABLES:
            continue
        savepoint = conn.begin_nested()
        try:
            _apply_change(conn, ch, batch, operator_id, author, now, result)
            savepoint.commit()
        except (IntegrityError, ProgrammingError, DataError) as exc:
            # The server refuses this one change (a code typed offline that is taken, a right the
            # role lacks): it waits for a person with the laptop's record; the rest goes on.
            savepoint.rollback()
            _fresh(conn)
            log.info("sync: the server refused a change of %s: %s", ch.entity, type(exc.orig).__name__)
            result.conflicts += _conflict(conn, batch, operator_id, ch, "refused", base=ch.base or None,
                                          payload={"op": ch.op, "row": ch.new,
                                                   "reason": getattr(exc.orig, "sqlstate", "") or ""}, now=now)
    conn.execute(update(devices).where(devices.c.device_id == batch.device_id)
                 .values(last_seq=batch.last_seq, last_sync_at=now, operator_id=operator_id))
    return result


def _conflict(conn, batch: Batch, operator_id, ch: Change, kind: str, field_name=None,
              base=None, mine=None, theirs=None, payload=None, now=None) -> bool:
    """Record a conflict, unless the same one waits already (a batch re-sent after a lost
    reply together with newer changes). Returns whether one was recorded."""
    ct = m.SyncConflict.__table__
    mine_text = None if mine is None else json.dumps(mine, ensure_ascii=False)
    waiting = select(ct.c.id).where(ct.c.device_id == batch.device_id, ct.c.entity_uuid == ch.key,
                                    ct.c.kind == kind, ct.c.resolved_at.is_(None))
    waiting = waiting.where(ct.c.field == field_name) if field_name else waiting.where(ct.c.field.is_(None))
    for (cid,) in conn.execute(waiting).all():
        if kind != "field" or conn.execute(select(ct.c.mine).where(ct.c.id == cid)).scalar() == mine_text:
            return False
    conn.execute(insert(m.SyncConflict.__table__).values(
        uuid=str(uuidlib.uuid4()), device_id=batch.device_id, operator_id=operator_id, entity=ch.entity,
        entity_uuid=ch.key, kind=kind, field=field_name,
        base=None if base is None else json.dumps(base, ensure_ascii=False),
        mine=None if mine is None else json.dumps(mine, ensure_ascii=False),
        theirs=None if theirs is None else json.dumps(theirs, ensure_ascii=False),
        payload=None if payload is None else json.dumps(payload, ensure_ascii=False),
        created_at=now))
    return True


def _apply_change(conn, ch: Change, batch: Batch, operator_id, author: str, now, result: PushResult) -> None:
    t = TABLES[ch.entity]
    keycol = t.c[key_column(ch.entity)]
    current = conn.execute(select(t).where(keycol == ch.key)).mappings().first()
    if ch.op == "delete":
        if current is not None:
            with conn.begin_nested():
                conn.execute(delete(t).where(keycol == ch.key))
        return
    if ch.op == "insert":
        if current is not None:
            return  # sent before (or made on two sides with one UUID): already here
        if ch.entity == "attachment_contents":  # the same file is stored once: use the server's copy
            same = conn.execute(select(t.c.id).where(t.c.sha256 == ch.new.get("sha256"))).scalar()
            if same is not None:
                _ids(conn)[(ch.entity, "i", ch.key)] = same
                return
        values, missing = _landing(conn, ch.entity, ch.new)
        if missing:  # the record it belongs to is gone on the server: kept for a restore
            result.conflicts += _conflict(conn, batch, operator_id, ch, "deleted",
                                          payload={"op": "insert", "row": ch.new}, now=now)
            return
        values.update({k: v for k, v in (("version", 1), ("updated_at", now), ("updated_by", author)) if k in t.c})
        if ch.entity in CODED:
            column, prefix_of = CODED[ch.entity]
            provisional = values[column]
            if is_provisional(provisional):
                prefix, width = prefix_of(now.year)
                final = take_code(_SessionShim(conn), t.c[column], prefix, width)
                values[column] = final
                result.codes[provisional] = final
        new_id = conn.execute(insert(t).values(**values).returning(t.c.id)).scalar()
        _refresh_derived(conn, ch.entity, new_id)
        if ch.entity == "tickets":
            result.new_ticket_ids.append(new_id)
            if values["code"] != ch.new.get("code"):
                conn.execute(insert(m.TicketEvent.__table__).values(
                    uuid=str(uuidlib.uuid4()), ticket_id=new_id, operator_id=operator_id, occurred_at=now,
                    kind="code_assigned", field="code", old_value=ch.new.get("code"), new_value=values["code"],
                    created_at=now, updated_at=now, version=1))
        result.applied += 1
        return
    # update
    if current is None or _withdrawn(ch.entity, current):
        kind = "deleted" if current is None else "archived"
        result.conflicts += _conflict(conn, batch, operator_id, ch, kind, base=ch.base,
                                      payload={"op": "update", "row": ch.new}, now=now)
        return
    theirs = _travelling(conn, ch.entity, dict(current))
    if ch.entity in APPEND_ONLY:  # only a removal mark changes: the first one stays, nothing to decide
        values = {n: ch.new.get(n) for n in ch.base if n in t.c and theirs.get(n) is None}
        if values:
            landed, _missing = _landing(conn, ch.entity, values)
            conn.execute(update(t).where(keycol == ch.key).values(**landed))
            result.applied += 1
        return
    values, changed = {}, 0
    clock_fields = [n for n in ch.base if _is_clock(ch.entity, n)]
    for name, base in ch.base.items():
        if name in DERIVED or name in LOCAL or _is_clock(ch.entity, name) or name not in t.c:
            continue
        mine, server = ch.new.get(name), theirs.get(name)
        if server == base:
            values[name] = mine
            changed += 1
        elif server == mine:
            continue
        else:
            result.conflicts += _conflict(conn, batch, operator_id, ch, "field", name, base=base, mine=mine,
                                          theirs=server, now=now)
    if clock_fields and all(theirs.get(n) == ch.base[n] for n in clock_fields):
        for n in clock_fields:
            values[n] = ch.new.get(n)
        # next_due_at follows the clocks it is the earliest of.
        if "next_due_at" in ch.new:
            values["next_due_at"] = ch.new["next_due_at"]
        changed += 1
    if values:
        landed, missing = _landing(conn, ch.entity, values)
        for name in missing:
            landed.pop(name, None)
        conn.execute(update(t).where(keycol == ch.key).values(**landed, **stamp_of(t, author, now)))
        _refresh_derived(conn, ch.entity, current["id"])
        result.applied += 1


def stamp_of(t, author: str, now: datetime) -> dict:
    """What a change by the sync writes besides the values: the time, who, the next version."""
    out = {}
    if "version" in t.c:
        out["version"] = t.c.version + 1
    if "updated_at" in t.c:
        out["updated_at"] = now
    if "updated_by" in t.c:
        out["updated_by"] = author
    return out


def _withdrawn(entity: str, row) -> bool:
    """An archived or merged customer takes no more edits from a laptop without a person."""
    return entity == "customers" and (row.get("archived_at") is not None or row.get("merged_into_id") is not None)


class _SessionShim:
    """take_code wants a Session; a Connection answers the same execute/scalars/scalar."""

    def __init__(self, conn):
        self._conn = conn

    def execute(self, *a, **k):
        return self._conn.execute(*a, **k)

    def scalar(self, *a, **k):
        return self._conn.scalar(*a, **k)

    def scalars(self, *a, **k):
        return self._conn.scalars(*a, **k)

    def get_bind(self):  # a year's first code seeds its counter by the dialect's upsert
        return self._conn


PROVISIONAL_MARK = "~"


def is_provisional(code: str | None) -> bool:
    return bool(code) and code.startswith(PROVISIONAL_MARK)


def _refresh_derived(conn: Connection, entity: str, row_id: int) -> None:
    """Search text and sort keys of a record written by the sync, as the app computes them."""
    from ..domain.text import fold, sort_text
    from .repositories.customers import contact_search_text

    t = TABLES[entity]
    row = conn.execute(select(t).where(t.c.id == row_id)).mappings().first()
    if row is None:
        return
    if entity == "customers":
        conn.execute(update(t).where(t.c.id == row_id).values(
            sort_name=sort_text(row["name"]), search_text=_customer_text(conn, row_id)))
    elif entity == "contacts":
        conn.execute(update(t).where(t.c.id == row_id).values(
            search_text=contact_search_text(row["full_name"], row["phone"], row["email"])))
        conn.execute(update(TABLES["customers"]).where(TABLES["customers"].c.id == row["customer_id"])
                     .values(search_text=_customer_text(conn, row["customer_id"])))
    elif entity == "tickets":
        c = TABLES["customers"]
        cust = conn.execute(select(c.c.code, c.c.name).where(c.c.id == row["customer_id"])).first()
        conn.execute(update(t).where(t.c.id == row_id).values(search_text=fold(
            f"{row['code']} {row['subject']} {cust.code if cust else ''} {cust.name if cust else ''} "
            f"{row['description'] or ''}")))
    elif entity == "contracts":
        c, p = TABLES["customers"], TABLES["packages"]
        cust = conn.execute(select(c.c.code, c.c.name).where(c.c.id == row["customer_id"])).first()
        pack = conn.execute(select(p.c.name).where(p.c.id == row["package_id"])).scalar()
        conn.execute(update(t).where(t.c.id == row_id).values(search_text=fold(
            f"{row['number']} {cust.code if cust else ''} {cust.name if cust else ''} {pack or ''}")))


def _customer_text(conn: Connection, customer_id: int) -> str:
    from sqlalchemy.orm import Session

    from .repositories.customers import customer_search_text, draft_of

    with Session(bind=conn) as session:
        return customer_search_text(draft_of(session.get(m.Customer, customer_id)))


# -- pull ------------------------------------------------------------------------------------
@dataclass
class Pulled:
    watermark: int
    rows: dict  # table -> list of travelling rows
    gone: dict  # table -> list of keys
    conflicts: list  # this device's conflicts (dicts)
    device_id: str = ""


def _scope_condition(table: str, customer_ids):
    """Which rows of `table` belong to the customers taken (None: every row)."""
    t = TABLES[table]
    if table in PULL_ONLY:
        if table == "app_meta":
            return t.c.key.like("vendor.%") | (t.c.key == "calendar.week")
        return None
    if table == "customers":
        return t.c.id.in_(customer_ids)
    if table in OWNED:
        column, kind_column, kinds = OWNED[table]
        return or_(*(and_(t.c[kind_column] == kind, t.c[column].in_(
            select(TABLES[parent].c.id).where(_scope_condition(parent, customer_ids)))) for kind, parent in kinds.items()))
    if table == "attachment_contents":
        a = TABLES["attachments"]
        return t.c.id.in_(select(a.c.content_id).where(_scope_condition("attachments", customer_ids)))
    if "customer_id" in t.c:
        return t.c.customer_id.in_(customer_ids)
    for column, parent in FKS[table].items():
        if parent in (table, "operators") or t.c[column].nullable:
            continue
        cond = _scope_condition(parent, customer_ids)
        if cond is not None:
            p = TABLES[parent]
            return t.c[column].in_(select(p.c.id).where(cond))
    return None


def read_changes(conn: Connection, watermark: int, scope: list[str], device_id: str) -> Pulled:
    """Server: every record in the laptop's scope changed at or after `watermark`."""
    _fresh(conn)
    new_mark = int(conn.execute(text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")).scalar())
    c = TABLES["customers"]
    customer_ids = [r for (r,) in conn.execute(select(c.c.id).where(c.c.uuid.in_(scope))).all()] if scope else []
    # A customer merged away on the server brings the one it was merged into along.
    if customer_ids:
        merged = [r for (r,) in conn.execute(select(c.c.merged_into_id).where(
            c.c.id.in_(customer_ids), c.c.merged_into_id.isnot(None))).all()]
        customer_ids = sorted(set(customer_ids) | set(merged))
    log_t = m.SyncLog.__table__
    rows, gone = {}, {}
    for table in SYNCED:
        t = TABLES[table]
        keycol = t.c[key_column(table)]
        changed = select(log_t.c.entity_uuid).where(log_t.c.entity == table, log_t.c.xid >= watermark,
                                                     log_t.c.deleted.is_(False))
        stmt = select(t).where(keycol.in_(changed))
        cond = _scope_condition(table, customer_ids)
        if cond is not None:
            stmt = stmt.where(cond)
        found = conn.execute(stmt.order_by(t.c.id) if "id" in t.c else stmt).mappings().all()
        if "id" in t.c:  # their children's foreign keys travel as these UUIDs: no query each
            _ids(conn).update({(table, "u", r["id"]): r[key_column(table)] for r in found})
        _remember_parents(conn, table, found)
        rows[table] = [_travelling(conn, table, dict(r)) | ({"version": r["version"]} if "version" in r else {})
                       for r in found]
        gone[table] = [k for (k,) in conn.execute(select(log_t.c.entity_uuid).where(
            log_t.c.entity == table, log_t.c.xid >= watermark, log_t.c.deleted.is_(True))).all()]
    ct = m.SyncConflict.__table__
    conflicts = [dict(r) for r in conn.execute(select(ct).where(ct.c.device_id == device_id)).mappings()]
    for r in conflicts:
        for k in ("created_at", "resolved_at"):
            r[k] = canon(r[k])
        r.pop("id", None)
        r.pop("operator_id", None)
        r.pop("device_id", None)
        r.pop("resolved_by", None)
    return Pulled(new_mark, rows, gone, conflicts, device_id)


def _remember_parents(conn: Connection, table: str, rows) -> None:
    """The UUIDs of the records `rows` name, one query per parent table (not one per id: each
    is a round trip to the server)."""
    memo = _ids(conn)
    for column, parent in FKS[table].items():
        p = TABLES[parent]
        if "id" not in p.c:
            continue
        wanted = sorted({r[column] for r in rows if r[column] is not None and (parent, "u", r[column]) not in memo})
        for start in range(0, len(wanted), 5000):
            for row_id, key in conn.execute(select(p.c.id, p.c[key_column(parent)])
                                            .where(p.c.id.in_(wanted[start:start + 5000]))):
                memo[(parent, "u", row_id)] = key


def apply_pulled(conn: Connection, pulled: Pulled, pushed_seq: int) -> int:
    """Laptop: write the server's records (capture off), keeping the fields with local
    changes made after `pushed_seq` and moving their base to the server's value. Returns how
    many records changed."""
    _fresh(conn)
    raw_dialect = conn.dialect
    _capturing(conn, False)
    written = 0
    try:
        pend = {}
        for seq, entity, key, op, base in conn.exec_driver_sql(
                "SELECT seq, entity, uuid, op, base FROM sync_outbox WHERE seq > ? ORDER BY seq", (pushed_seq,)):
            pend.setdefault((entity, key), []).append((seq, op, base))
        # Deletions first: a record the server replaced (a calendar day deleted and added again)
        # makes room for its successor.
        for table in reversed(SYNCED):
            for key in pulled.gone.get(table, []):
                if (table, key) in pend:
                    continue  # edited here meanwhile: the next push turns it into a conflict
                written += _remove(conn, table, key)
        for table in SYNCED:
            t = TABLES[table]
            keyname = key_column(table)
            for row in pulled.rows.get(table, []):
                key = row[keyname]
                values, missing = _landing(conn, table, row)
                if missing:
                    continue  # its parent is out of this laptop's scope
                if "version" in row and "version" in t.c:
                    values["version"] = row["version"]
                local = conn.execute(_by_key("row", table), {"_k": key}).mappings().first()
                if local is None and table == "attachment_contents":
                    # The same file stored here under another UUID (attached on both sides): one copy, the server's name.
                    with _unguarded(conn, table, "update"):
                        conn.execute(update(t).where(t.c.sha256 == row["sha256"]).values(uuid=key))
                    local = conn.execute(_by_key("row", table), {"_k": key}).mappings().first()
                mine = pend.get((table, key))
                if mine:
                    kept = _pending_fields(conn, table, key, mine, local)
                    for name in kept:
                        server_value = values.pop(name, None)
                        _rebase(conn, raw_dialect, table, key, name, server_value, mine)
                if local is None:
                    conn.execute(_by_key("insert", table), values)
                else:
                    if all(_same(local.get(n), v) for n, v in values.items()):
                        continue
                    with _unguarded(conn, table, "update"):
                        conn.execute(_by_key("update", table), {**values, "_k": key})
                written += 1
        # This device's conflicts, kept in the copy's own sync_conflicts (the same table as the
        # server's): readable offline, and the lists mark the records they name.
        ct = m.SyncConflict.__table__
        conn.execute(delete(ct))
        for c in pulled.conflicts:
            row = {k: c.get(k) for k in ("uuid", "entity", "entity_uuid", "kind", "field", "base", "mine", "theirs",
                                         "payload", "resolution")}
            row.update(device_id=pulled.device_id, created_at=uncanon(ct.c.created_at, c.get("created_at")),
                       resolved_at=uncanon(ct.c.resolved_at, c.get("resolved_at")))
            conn.execute(insert(ct).values(**row))
    finally:
        _capturing(conn, True)
    return written


def _remove(conn: Connection, table: str, key: str) -> int:
    """Delete a record the server deleted, with this copy's records that belong to it (the
    server kept any of them that were this laptop's work, in its conflicts)."""
    t = TABLES[table]
    row_id = conn.execute(select(t.c.id).where(t.c[key_column(table)] == key)).scalar() if "id" in t.c else None
    if row_id is not None:
        for child in SYNCED:
            for column, parent in FKS[child].items():
                if parent == table and child != table and not TABLES[child].c[column].nullable:
                    c = TABLES[child]
                    for (child_key,) in conn.execute(select(c.c[key_column(child)]).where(c.c[column] == row_id)).all():
                        _remove(conn, child, child_key)
    with _unguarded(conn, table, "delete"):
        return conn.execute(delete(t).where(t.c[key_column(table)] == key)).rowcount or 0


@contextmanager
def _unguarded(conn: Connection, table: str, what: str):
    """The history's guards refuse every change and deletion; the copy follows what the server
    holds (a row it deleted, the author its trigger set), with the guard lifted for the
    statement only (SQLite's DDL is transactional: a failure puts it back)."""
    if table not in APPEND_ONLY or conn.dialect.name != "sqlite":
        yield
        return
    guards = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                  "AND tbl_name = ? AND name LIKE ?", (table, f"%append_only_{what}")).all()
    for name, _sql in guards:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        for _name, sql in guards:
            conn.exec_driver_sql(sql)


def _pending_fields(conn, table: str, key: str, entries, local) -> set[str]:
    """The fields of a record with local changes still pending."""
    names: set[str] = set()
    raw = _Raw(conn.dialect)
    for _seq, op, base in entries:
        if op == "insert" or op == "delete":
            return set(c.name for c in TABLES[table].columns) - LOCAL
        before = json.loads(base) if base else {}
        if local is None:
            continue
        for name, value in before.items():
            if name in LOCAL or name in DERIVED:
                continue
            raw_now = local.get(name)
            if not _same(raw.value(table, name, value), raw_now):
                names.add(name)
    return names


def _rebase(conn, dialect, table: str, key: str, name: str, server_value, entries) -> None:
    """Move a pending field's base to the server's value: the next push then applies it as a
    change of what the server holds now."""
    col = TABLES[table].c[name]
    proc = col.type._cached_bind_processor(dialect)  # noqa: SLF001
    stored = proc(server_value) if (proc is not None and server_value is not None) else server_value
    if isinstance(stored, (datetime, date)):
        stored = str(stored)
    first_seq = entries[0][0]
    conn.exec_driver_sql("UPDATE sync_outbox SET base = json_set(base, ?, ?) WHERE seq = ?",
                         (f'$."{name}"', stored, first_seq))


def clear_pushed(conn: Connection, up_to_seq: int) -> None:
    conn.exec_driver_sql("DELETE FROM sync_outbox WHERE seq <= ?", (up_to_seq,))
