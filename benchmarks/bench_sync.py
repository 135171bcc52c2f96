"""Benchmark: syncing a field laptop holding 2,000 customers' data after a week of work
(issue #15): the time from pressing Sync to the laptop's commit (push and pull apart), the
bytes sent and received, and the first take of the copy (time, size on disk).

The team server is a throwaway PostgreSQL cluster started here (tests/pgserver.py), its
database built by the app's migrations and filled by `benchmarks/generate.py` (20,000
customers, 24,000 contracts, 200,000 tickets with their history: ~10 tickets a customer,
heavy-tailed). The laptop takes 2,000 customers drawn at random (`offline.take`: the
encrypted copy, the first pull). Then a week of work, through the app's own use cases:

* on the laptop (its clock moving through the week): 370 ticket edits (status, subject or
  description, `services.tickets.update_ticket`), 100 work-log entries
  (`services.worklog.add_entry`), 30 new tickets (`services.tickets.create_ticket`);
* on the server, meanwhile: a fifth of the laptop's tickets changed by the office
  (`update_ticket`: subject, status or description), some of them ones the laptop edited too.

Then `offline.sync_now`, timed from its call to the laptop's commit, the push (read the
outbox, the server's transaction, its commit) and the pull (read the server's changes, write
them on the laptop) apart, with the outcome's byte counters; then a second sync with nothing
new (what an idle Sync button costs).

The floor in the same run: the same rows read from the server with one plain SELECT per
table, nothing else (what any sync must at least do: for the take every row of the scope,
for the week's sync the rows the server changed since the laptop's watermark), and the size
of those rows as JSON (`row_to_json`), the least a row-by-row format sends; for the take also
the same rows written by one `executemany` per table into the app's schema in an encrypted
file (what any copy must at least do: read and write, without the sync's mapping and checks).

    PYTHONPATH=. /work/venv/bin/python -m benchmarks.bench_sync                    # 20k customers, scope 2,000
    PYTHONPATH=. /work/venv/bin/python -m benchmarks.bench_sync --profile /tmp/sync.prof  # cProfile: .take, .sync
    PYTHONPATH=. /work/venv/bin/python -m benchmarks.bench_sync --database-url postgresql+psycopg://postgres@127.0.0.1:5544/syncbench
        # a server of your own: the data is generated once into syncbench_base, each run on a copy
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.dialects import postgresql  # noqa: E402

from benchmarks.generate import generate  # noqa: E402
from desktop_helpdesk.db import cipher, offline, sync  # noqa: E402
from desktop_helpdesk.db import models as m  # noqa: E402
from desktop_helpdesk.db.engine import open_database  # noqa: E402
from desktop_helpdesk.db.uow import uow_factory  # noqa: E402
from desktop_helpdesk.services.errors import ValidationFailed  # noqa: E402
from desktop_helpdesk.domain.worklog import WorkLogDraft  # noqa: E402
from desktop_helpdesk.services import tickets, worklog  # noqa: E402
from desktop_helpdesk.services.context import make_context  # noqa: E402
from desktop_helpdesk.services.dto import TicketDraft  # noqa: E402

PASSWORD = "mật khẩu laptop hiện trường"
#: The laptop is taken on Monday morning, synced the next Monday (Hà Nội 08:00 = 01:00 UTC).
TAKEN = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
SYNCED_AT = TAKEN + timedelta(days=7)
OPEN = ("new", "in_progress", "waiting_customer", "solution_proposed")
SUBJECTS = ("Máy in hoá đơn không nhận lệnh in", "Lỗi đồng bộ dữ liệu kế toán cuối tháng",
            "Không đăng nhập được phần mềm bán hàng", "Báo cáo thuế GTGT sai số liệu",
            "Cập nhật mẫu hoá đơn điện tử theo thông tư mới", "Cân điện tử không kết nối máy tính")
NOTES = ("Đã gọi khách, hẹn kiểm tra lại chiều mai", "Đã cài lại driver máy in, khách in thử được",
         "Khách gửi ảnh chụp màn hình lỗi qua Zalo", "Đã sao lưu dữ liệu trước khi cập nhật",
         "Hướng dẫn kế toán nhập lại số dư đầu kỳ")


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _copy_size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}{cipher.SALT_SUFFIX}"))
               if p.exists())


def _scope_customer_ids(engine, scope: list[str]) -> list[int]:
    c = sync.TABLES["customers"]
    with engine.connect() as conn:
        return [i for (i,) in conn.execute(select(c.c.id).where(c.c.uuid.in_(scope)))]


def _floor(engine, customer_ids: list[int], watermark: int | None = None) -> dict:
    """One plain SELECT per synced table of the scope's rows (those changed since `watermark`
    when given), fetched by the driver and nothing else; and their size as JSON."""
    log_t = m.SyncLog.__table__
    dialect = postgresql.dialect()
    statements = []
    for table in sync.SYNCED:
        t = sync.TABLES[table]
        stmt = select(t)
        cond = sync._scope_condition(table, customer_ids)  # noqa: SLF001
        if cond is not None:
            stmt = stmt.where(cond)
        if watermark is not None:
            stmt = stmt.where(t.c[sync.key_column(table)].in_(select(log_t.c.entity_uuid).where(
                log_t.c.entity == table, log_t.c.xid >= watermark, log_t.c.deleted.is_(False))))
        statements.append((table, str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))))
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        rows, started = {}, time.perf_counter()
        for table, sql in statements:
            cur.execute(sql)
            rows[table] = len(cur.fetchall())
        seconds = time.perf_counter() - started
        size = 0
        for _table, sql in statements:
            cur.execute(f"SELECT coalesce(sum(octet_length(row_to_json(x)::text)), 0) FROM ({sql}) AS x")
            size += int(cur.fetchone()[0])
        raw.rollback()
    finally:
        raw.close()
    return {"seconds": seconds, "rows": rows, "total_rows": sum(rows.values()), "json_bytes": size}


def _floor_copy(engine, customer_ids: list[int], path: Path) -> dict:
    """The take's floor with the writing: the scope's rows read by one plain SELECT per
    table and written by one executemany per table into the app's schema in an encrypted
    file (SQLCipher, its search triggers firing), in one transaction; server ids kept as
    they are (no UUID mapping, no capture, no comparison)."""
    from decimal import Decimal

    from desktop_helpdesk.db.engine import sqlite_url

    path.parent.mkdir(parents=True, exist_ok=True)
    key = cipher.derive_key(PASSWORD, cipher.salt_of(path, create=True))
    cipher.unlock(path, key)
    built, _ = open_database(sqlite_url(path))
    built.dispose()
    dialect = postgresql.dialect()

    def plain(v):
        if isinstance(v, datetime):
            return v.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        if isinstance(v, Decimal):
            return str(v)
        if hasattr(v, "isoformat"):
            return v.isoformat()
        return v

    raw = engine.raw_connection()
    lite = cipher.connect(path, key, isolation_level=None)
    started = time.perf_counter()
    try:
        cur = raw.cursor()
        lite.execute("BEGIN")
        for table in sync.SYNCED:
            t = sync.TABLES[table]
            stmt = select(t)
            cond = sync._scope_condition(table, customer_ids)  # noqa: SLF001
            if cond is not None:
                stmt = stmt.where(cond)
            cur.execute(str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True})))
            names = [d[0] for d in cur.description]
            rows = [tuple(plain(v) for v in r) for r in cur.fetchall()]
            lite.executemany(f"INSERT OR REPLACE INTO {table} ({', '.join(chr(34) + n + chr(34) for n in names)}) "
                             f"VALUES ({', '.join('?' * len(names))})", rows)
        lite.execute("COMMIT")
        raw.rollback()
    finally:
        lite.close()
        raw.close()
    return {"seconds": time.perf_counter() - started, "size": _copy_size(path)}


def _week_on_laptop(lap_ctx, clock: Clock, lap_engine, rnd: random.Random, edits: int, entries: int,
                    new: int) -> dict:
    """A technician's week on the copy, through the use cases the windows call."""
    t = sync.TABLES["tickets"]
    with lap_engine.connect() as conn:
        local = [(i, u) for i, u in conn.execute(select(t.c.id, t.c.uuid).order_by(t.c.id))]
    # The week's work is on a few hundred tickets (the ones a technician is handling).
    worked = rnd.sample(local, min(len(local), 300))
    step = timedelta(days=5) / (edits + entries + new)
    done = {"edits": 0, "status": 0, "subject": 0, "description": 0, "refused": 0, "entries": 0, "new": 0}
    edited: dict[str, set] = {}
    started = time.perf_counter()
    for n in range(edits):
        clock.now += step
        tid, uuid = rnd.choice(worked)
        d = tickets.get_ticket(lap_ctx, tid)
        name = rnd.choices(("status", "subject", "description"), (3, 3, 4))[0]
        if name == "status":
            choices = [s for s in (*OPEN, "resolved") if s != d.draft.status]
            value = rnd.choice(choices) if d.draft.status in OPEN else "in_progress"
        elif name == "subject":
            value = f"{rnd.choice(SUBJECTS)} (lần {n})"
        else:
            value = f"{d.draft.description or ''}\nNgày {clock.now:%d/%m}: {rnd.choice(NOTES)}".strip()
        try:
            tickets.update_ticket(lap_ctx, tid, d.version, replace(d.draft, **{name: value}), None)
        except ValidationFailed:
            done["refused"] += 1
            continue
        done["edits"] += 1
        done[name] += 1
        edited.setdefault(uuid, set()).add(name)
    for n in range(entries):
        clock.now += step
        tid, _uuid = rnd.choice(worked)
        worklog.add_entry(lap_ctx, tid, None, WorkLogDraft("note", body=f"{rnd.choice(NOTES)} ({n})"))
        done["entries"] += 1
    for n in range(new):
        clock.now += step
        tid, _uuid = rnd.choice(worked)
        d = tickets.get_ticket(lap_ctx, tid).draft
        draft = TicketDraft(customer_id=d.customer_id, contract_id=d.contract_id, contact_id=d.contact_id,
                            subject=f"{rnd.choice(SUBJECTS)} (mới {n})", request_type="incident", channel="on_site")
        try:
            tickets.create_ticket(lap_ctx, draft, None)
        except ValidationFailed:  # out of warranty or unpaid: the technician overrides, as on site
            tickets.create_ticket(lap_ctx, draft, None, override_reason="Khách cần gấp, trưởng nhóm đồng ý")
            done["overridden"] = done.get("overridden", 0) + 1
        done["new"] += 1
    done["seconds"] = time.perf_counter() - started
    done["edited"] = edited
    return done


def _week_on_server(server_ctx, clock: Clock, engine, lap_uuids: list[str], share: float, edited: dict,
                    rnd: random.Random) -> dict:
    """The office changes a fifth of the laptop's tickets meanwhile (a few of the same ones)."""
    t = sync.TABLES["tickets"]
    picked = set(rnd.sample(lap_uuids, int(len(lap_uuids) * share)))
    # Make sure the overlap a real week has is there: some of the laptop's own tickets.
    picked |= set(rnd.sample(sorted(edited), min(len(edited), 40)))
    with engine.connect() as conn:
        ids = [i for (i,) in conn.execute(select(t.c.id).where(t.c.uuid.in_(sorted(picked))).order_by(t.c.id))]
    done = {"changed": 0, "refused": 0}
    step = timedelta(days=5) / max(1, len(ids))
    started = time.perf_counter()
    for n, tid in enumerate(ids):
        clock.now += step
        d = tickets.get_ticket(server_ctx, tid)
        name = rnd.choices(("status", "subject", "description"), (4, 3, 3))[0]
        if name == "status":
            value = "closed" if d.draft.status == "resolved" else rnd.choice([s for s in (*OPEN, "resolved")
                                                                              if s != d.draft.status])
            if d.draft.status == "closed":
                name, value = "description", f"{d.draft.description or ''}\nVăn phòng ghi chú {n}".strip()
        elif name == "subject":
            value = f"{rnd.choice(SUBJECTS)} (văn phòng {n})"
        else:
            value = f"{d.draft.description or ''}\nVăn phòng: {rnd.choice(NOTES)}".strip()
        try:
            tickets.update_ticket(server_ctx, tid, d.version, replace(d.draft, **{name: value}), None)
            done["changed"] += 1
        except ValidationFailed:
            done["refused"] += 1
    done["seconds"] = time.perf_counter() - started
    return done


class Statements:
    """Counts the statements an engine sends: each is at least one round trip to the server,
    the cost that grows with the distance between the laptop and the office."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.n = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args):
        self.n += 1

    def since(self, mark: int) -> int:
        return self.n - mark


def _timed_sync(lap_engine, engine, now, profile: Path | None = None, statements: Statements | None = None) -> dict:
    marks = {}
    counted = statements.n if statements else 0

    def pushed():
        marks["push"] = time.perf_counter()
        marks["push_statements"] = statements.since(counted) if statements else None

    prof = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if prof:
        prof.enable()
    out = offline.sync_now(lap_engine, engine, author="Kỹ thuật viên hiện trường", operator_id=None, now=now,
                           after_push=pushed)
    if prof:
        prof.disable()
        prof.dump_stats(str(profile))
    ended = time.perf_counter()
    push = marks.get("push", started) - started
    return {"seconds": ended - started, "push": push, "pull": ended - started - push, "pushed": out.pushed,
            "applied": out.applied, "pulled": out.pulled, "conflicts": out.new_conflicts,
            "bytes_sent": out.bytes_sent, "bytes_received": out.bytes_received, "codes": len(out.codes),
            "server_statements": statements.since(counted) if statements else None,
            "push_statements": marks.get("push_statements", 0)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--tickets", type=int, default=200_000)
    ap.add_argument("--scope", type=int, default=2_000, help="customers the laptop takes")
    ap.add_argument("--edits", type=int, default=370)
    ap.add_argument("--entries", type=int, default=100)
    ap.add_argument("--new", type=int, default=30)
    ap.add_argument("--server-share", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--database-url", help="a PostgreSQL database to fill and use (default: a throwaway server)")
    ap.add_argument("--profile", type=Path, help="write cProfile stats of the take and the week's sync to PROFILE.take, PROFILE.sync")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)
    rnd = random.Random(args.seed)
    figures: dict = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "load": os.getloadavg()[0]}
    server = None
    folder = Path(tempfile.mkdtemp(prefix="syncbench-"))
    try:
        if args.database_url:
            url = args.database_url
        else:
            from tests.pgserver import PostgresServer

            server = PostgresServer()
            url = server.url("syncbench")
        # Generated once into `<name>_base` (reused while it holds these parameters), each run
        # on a fresh copy of it: the week's changes never leak into the next run.
        from sqlalchemy.engine import make_url

        from benchmarks.generate import _pg_connect

        u = make_url(url)
        base = u.set(database=f"{u.database}_base").render_as_string(hide_password=False)
        t0 = time.perf_counter()
        gen = generate(base, customers=args.customers, contracts=int(args.customers * 1.2), tickets=args.tickets,
                       seed=1, log=lambda *a: print(*a, flush=True))
        figures["generate"] = {"seconds": time.perf_counter() - t0, "counts": gen.counts, "reused": gen.reused}
        admin = _pg_connect(url, "postgres")
        try:
            admin.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{u.database}" TEMPLATE "{u.database}_base" STRATEGY FILE_COPY')
        finally:
            admin.close()
        engine, _ = open_database(url, may_upgrade=False)
        statements = Statements(engine)
        c = sync.TABLES["customers"]
        with engine.connect() as conn:
            everyone = [u for (u,) in conn.execute(select(c.c.uuid).where(c.c.archived_at.is_(None)).order_by(c.c.id))]
            figures["server_version"] = conn.execute(text("SHOW server_version")).scalar()
        scope = rnd.sample(everyone, args.scope)
        customer_ids = _scope_customer_ids(engine, scope)

        # -- the take ---------------------------------------------------------------------
        floor_take = _floor(engine, customer_ids)
        print(f"floor (take): {floor_take['total_rows']:,} rows in {floor_take['seconds']:.2f} s, "
              f"{floor_take['json_bytes'] / 1e6:.1f} MB as JSON: {floor_take['rows']}", flush=True)
        floor_copy = _floor_copy(engine, customer_ids, folder / "floor" / "plain-copy.db")
        floor_take["copy_seconds"], floor_take["copy_size"] = floor_copy["seconds"], floor_copy["size"]
        print(f"floor (take, read + written by executemany into the encrypted schema): {floor_copy['seconds']:.1f} s, "
              f"{floor_copy['size'] / 1e6:.1f} MB", flush=True)
        path = folder / "laptop" / "helpdesk-copy.db"
        t0 = time.perf_counter()
        cipher.derive_key(PASSWORD, os.urandom(16))
        argon = time.perf_counter() - t0
        prof = cProfile.Profile() if args.profile else None
        if prof:
            prof.enable()
        counted = statements.n
        t0 = time.perf_counter()
        lap_engine, first = offline.take(engine, path, PASSWORD, scope, device_name="Laptop hiện trường",
                                         operator_id=None, author="Kỹ thuật viên hiện trường", now=TAKEN)
        take_s = time.perf_counter() - t0
        if prof:
            prof.disable()
            prof.dump_stats(f"{args.profile}.take")
        size_open = _copy_size(path)
        lap_engine.dispose()
        size_closed = _copy_size(path)
        figures["take"] = {"seconds": take_s, "argon2_key": argon, "pulled": first.pulled,
                           "bytes_received": first.bytes_received, "size_open": size_open,
                           "size_closed": size_closed, "floor": floor_take,
                           "server_statements": statements.since(counted)}
        print(f"take: {take_s:.1f} s ({first.pulled:,} records, {first.bytes_received / 1e6:.1f} MB received), "
              f"copy {size_closed / 1e6:.1f} MB on disk ({size_open / 1e6:.1f} MB with its WAL while open); "
              f"argon2 key {argon:.2f} s; {figures['take']['server_statements']:,} statements to the server", flush=True)

        # -- a week of work ---------------------------------------------------------------
        lap_engine = offline.open_copy(path, PASSWORD)
        lap_clock = Clock(TAKEN + timedelta(hours=1))
        lap_ctx = make_context(uow_factory(lap_engine, clock=lap_clock), clock=lap_clock)
        laptop_week = _week_on_laptop(lap_ctx, lap_clock, lap_engine, rnd, args.edits, args.entries, args.new)
        edited = laptop_week.pop("edited")
        print(f"laptop's week: {laptop_week}", flush=True)
        t = sync.TABLES["tickets"]
        with engine.connect() as conn:
            lap_uuids = [u for (u,) in conn.execute(select(t.c.uuid).where(t.c.customer_id.in_(customer_ids)))]
        srv_clock = Clock(TAKEN + timedelta(hours=2))
        server_ctx = make_context(uow_factory(engine, clock=srv_clock), clock=srv_clock)
        server_week = _week_on_server(server_ctx, srv_clock, engine, lap_uuids, args.server_share, edited, rnd)
        server_week["laptop_tickets"] = len(lap_uuids)
        print(f"server's week: {server_week}", flush=True)
        pending = offline.state(lap_engine)["pending"]
        figures["week"] = {"laptop": laptop_week, "server": server_week, "outbox_rows": pending}

        # -- the sync ---------------------------------------------------------------------
        with lap_engine.connect() as conn:
            watermark = int(sync.get_state(conn, "watermark", "0"))
        floor_sync = _floor(engine, customer_ids, watermark)
        print(f"floor (week's changes): {floor_sync['total_rows']:,} rows in {floor_sync['seconds']:.2f} s, "
              f"{floor_sync['json_bytes'] / 1e6:.2f} MB as JSON: {floor_sync['rows']}", flush=True)
        week_sync = _timed_sync(lap_engine, engine, SYNCED_AT, args.profile and Path(f"{args.profile}.sync"), statements)
        week_sync["floor"] = floor_sync
        print(f"week's sync: {week_sync['seconds']:.2f} s (push {week_sync['push']:.2f} s, pull "
              f"{week_sync['pull']:.2f} s); pushed {week_sync['pushed']} records ({week_sync['bytes_sent'] / 1e3:.0f} kB), "
              f"applied {week_sync['applied']}, {week_sync['conflicts']} conflicts, pulled {week_sync['pulled']} "
              f"({week_sync['bytes_received'] / 1e6:.2f} MB); {week_sync['server_statements']:,} statements to the server "
              f"({week_sync['push_statements']:,} in the push)",
              flush=True)
        idle = _timed_sync(lap_engine, engine, SYNCED_AT + timedelta(minutes=1), statements=statements)
        print(f"idle sync: {idle['seconds']:.2f} s, pulled {idle['pulled']}, "
              f"{idle['bytes_received'] / 1e3:.0f} kB received; {idle['server_statements']:,} statements to the server",
              flush=True)
        figures["sync"] = week_sync
        figures["idle_sync"] = idle
        figures["after"] = {k: v for k, v in offline.state(lap_engine).items() if k in ("pending", "conflicts")}
        lap_engine.dispose()
        engine.dispose()
    finally:
        if server:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
