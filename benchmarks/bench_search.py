"""Benchmark: the global search (Ctrl+F) on the million-ticket database.

Run from the repository root (the database is the lists benchmark's, generated once and cached
in benchmarks/data/):

    .venv/bin/python -m benchmarks.bench_search              # migrates to the schema head first if needed
    .venv/bin/python -m benchmarks.bench_search --reps 31

1. If the database is older than the app's schema, it is migrated (`db.migrate.upgrade`, the
   same Alembic path the app takes, without the backup copy the app writes first): the time
   and the file's growth are reported; that is what building the FTS5 trigram indexes costs.
2. For each typical query, `services.search.global_search(ctx, text)` is timed exactly as the
   search box calls it on the worker thread (unit of work, SQLAlchemy, ranking, the result
   dataclasses); then the SQL statements that call sent (captured from the engine) are run
   again directly with `sqlite3` on the same file, so the difference is the Python around them.

Target: ≤ 100 ms per search. Timings: `--reps` repetitions after one warm-up, warm cache;
median, p95 and minimum. The machine is shared: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, text  # noqa: E402

from benchmarks.generate import DEFAULTS, generate  # noqa: E402
from desktop_helpdesk.db import migrate  # noqa: E402
from desktop_helpdesk.db.engine import make_engine, optimize, sqlite_url  # noqa: E402
from desktop_helpdesk.db.uow import uow_factory  # noqa: E402
from desktop_helpdesk.domain.phone import format_phone  # noqa: E402
from desktop_helpdesk.domain.text import fold  # noqa: E402
from desktop_helpdesk.services import search  # noqa: E402
from desktop_helpdesk.services.context import make_context  # noqa: E402

HERE = Path(__file__).resolve().parent
TARGET_MS = 100.0


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def migrate_if_needed(engine, path: Path) -> None:
    rev = migrate.current_revision(engine)
    if rev == migrate.SCHEMA_HEAD:
        print(f"schema already at {rev}: nothing to migrate")
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _size(path)
    t0 = time.perf_counter()
    migrate.upgrade(engine)
    seconds = time.perf_counter() - t0
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    after = _size(path)
    t0 = time.perf_counter()
    optimize(engine)
    print(f"migrated {rev} -> {migrate.SCHEMA_HEAD} in {seconds:.1f} s; file {before / 1e6:,.0f} MB -> "
          f"{after / 1e6:,.0f} MB (+{(after - before) / 1e6:,.0f} MB); PRAGMA optimize after it "
          f"{time.perf_counter() - t0:.1f} s; load {os.getloadavg()[0]:.2f}")
    with engine.connect() as conn:
        for table in ("customers", "contacts", "contracts", "tickets"):
            pages = conn.exec_driver_sql(
                f"SELECT count(*) FROM dbstat WHERE name LIKE '{table}_fts%'").scalar() \
                if _has_dbstat(conn) else None
            if pages is not None:
                print(f"  {table}_fts: {pages * 4096 / 1e6:,.1f} MB")


def _has_dbstat(conn) -> bool:
    try:
        conn.exec_driver_sql("SELECT 1 FROM dbstat LIMIT 1").all()
        return True
    except Exception:  # SQLite built without SQLITE_ENABLE_DBSTAT_VTAB
        return False


def typical_queries(engine) -> list[tuple[str, str]]:
    """(what, text) for the cases of the README, picked from the data so they exist."""
    with engine.connect() as conn:
        one = lambda sql: conn.execute(text(sql)).scalar()  # noqa: E731
        # The rows of the full data set (ids 40000, 25000, 500000); the middle row of a smaller one.
        mid = lambda table, at: f"min({at}, (SELECT max(id) FROM {table}) / 2)"  # noqa: E731
        person = one(f"SELECT full_name FROM contacts WHERE id = {mid('contacts', 40000)}")
        code = one(f"SELECT code FROM customers WHERE id = {mid('customers', 25000)}")
        tax = one(f"SELECT tax_code FROM customers WHERE id >= {mid('customers', 25000)} AND tax_code IS NOT NULL "
                  "ORDER BY id LIMIT 1")
        phone = one(f"SELECT phone FROM contacts WHERE id = {mid('contacts', 40000)} + 1")
        ticket = one(f"SELECT code FROM tickets WHERE id = {mid('tickets', 500000)}")
    return [
        ("customer/contact name without diacritics", fold(person)),
        ("ticket number", ticket),
        ("customer code", code.lower()),
        ("tax code", tax),
        ("whole phone, as said", format_phone(phone).replace(" ", ".")),
        ("phone fragment", "0912"),
        ("rarest word of ticket texts ('ma nguon', ~10k tickets)", "ma nguon"),
        ("common words ('hoa don')", "hoa don"),
        ("common word ('nguyen')", "nguyen"),
        ("two letters (codes only)", "kh"),
    ]


def _timed(fn, reps: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _stats(ms: list[float]) -> tuple[float, float, float]:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ms), p95, ordered[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=HERE / "data" / "lists.sqlite3")
    ap.add_argument("--reps", type=int, default=21)
    args = ap.parse_args()
    if not args.db.exists():
        generate(args.db, **DEFAULTS)
    engine = make_engine(sqlite_url(args.db))
    print(f"{platform.machine()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
          f"load {open('/proc/loadavg').read().strip()}")
    migrate_if_needed(engine, args.db)
    ctx = make_context(uow_factory(engine))
    captured: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    direct = sqlite3.connect(str(args.db))
    rows = []
    for what, query in typical_queries(engine):
        captured.clear()
        event.listen(engine, "before_cursor_execute", capture)
        results = search.global_search(ctx, query)
        event.remove(engine, "before_cursor_execute", capture)
        statements = [(s, p) for s, p in captured if not s.lstrip().upper().startswith(("BEGIN", "ROLLBACK", "COMMIT"))]
        via_service = _timed(lambda: search.global_search(ctx, query), args.reps)
        via_sqlite = _timed(lambda: [direct.execute(s, p).fetchall() for s, p in statements], args.reps)
        found = " / ".join(f"{len(g.hits)}:{g.total}{'+' if g.capped else ''}" for g in results.groups)
        rows.append((what, query, found, _stats(via_service), _stats(via_sqlite), len(statements)))
        s, d = rows[-1][3], rows[-1][4]
        print(f"{what:55} {query!r:28} {found:32} service {s[0]:6.1f} / {s[1]:6.1f} / {s[2]:6.1f} ms   "
              f"sqlite3 {d[0]:6.1f} / {d[1]:6.1f} / {d[2]:6.1f} ms  ({len(statements)} statements)"
              f"{'  SLOW' if s[1] > TARGET_MS else ''}", flush=True)
    print(f"load after: {open('/proc/loadavg').read().strip()}")
    print()
    print("| query | typed | shown:found per group (customers / contacts / contracts / tickets) "
          "| service median / p95 / min ms | sqlite3 direct median / p95 / min ms | statements |")
    print("|---|---|---|---:|---:|---:|")
    for what, query, found, s, d, n in rows:
        mark = " **SLOW**" if s[1] > TARGET_MS else ""
        print(f"| {what} | `{query}` | {found} | {s[0]:.1f} / {s[1]:.1f} / {s[2]:.1f}{mark} "
              f"| {d[0]:.1f} / {d[1]:.1f} / {d[2]:.1f} | {n} |")


if __name__ == "__main__":
    main()
