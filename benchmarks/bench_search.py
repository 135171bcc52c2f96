"""Benchmark: the global search (Ctrl+F) on the million-ticket database.

Run from the repository root (the database is the lists benchmark's, generated once and cached
in benchmarks/data/):

    .venv/bin/python -m benchmarks.bench_search              # migrates to the schema head first if needed
    .venv/bin/python -m benchmarks.bench_search --reps 31
    .venv/bin/python -m benchmarks.bench_search --database-url postgresql+psycopg://postgres@127.0.0.1:5544/bench

1. If the database is older than the app's schema, it is migrated (`db.migrate.upgrade`, the
   same Alembic path the app takes, without the backup copy the app writes first): the time
   and the file's growth are reported; that is what building the FTS5 trigram indexes costs.
2. For each typical query, `services.search.global_search(ctx, text)` is timed exactly as the
   search box calls it on the worker thread (unit of work, SQLAlchemy, ranking, the result
   dataclasses); then the SQL statements that call sent (captured from the engine) are run
   again directly with `sqlite3` on the same file, so the difference is the Python around them.

3. Random names (issue #12): `--names` (default 60) contact and customer names drawn from the
   data with a fixed seed (half each, by random id, so both engines get the same names), typed
   as stored; each searched once untimed, then `--name-reps` times: p50 / p95 / max over all
   those searches, and the slowest names.

Target: ≤ 100 ms per search (p95). Timings: `--reps` repetitions after one warm-up, warm cache;
median, p95 and minimum. The machine is shared: the load average is printed with them.
`--database-url` runs it all on PostgreSQL (the database of `benchmarks.generate
--database-url`); the direct replay then goes through the psycopg connection.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
            for index in ("fts", "words"):
                pages = conn.exec_driver_sql(
                    f"SELECT count(*) FROM dbstat WHERE name LIKE '{table}_{index}%'").scalar() \
                    if _has_dbstat(conn) else None
                if pages:
                    print(f"  {table}_{index}: {pages * 4096 / 1e6:,.1f} MB")


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
        mid = lambda table, at: min(at, one(f"SELECT max(id) FROM {table}") // 2)  # noqa: E731
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
        ("two letters", "kh"),
    ]


def random_names(engine, n: int, seed: int, phones: int = 0, codes: int = 0) -> list[tuple[str, str]]:
    """(kind, text) for `n` contact and customer names drawn by random id (seeded), half each;
    then `phones` contact phones as people say them (local form, spaced) and `codes` customer
    and ticket codes (half each, lower case as typed), drawn the same way."""
    rng = random.Random(seed)
    out = []
    wanted = (("contact", "contacts", "full_name", n // 2), ("customer", "customers", "name", n - n // 2),
              ("phone", "contacts", "phone", phones), ("customer code", "customers", "code", codes // 2),
              ("ticket code", "tickets", "code", codes - codes // 2))
    with engine.connect() as conn:
        for kind, table, column, want in wanted:
            if not want:
                continue
            top = conn.execute(text(f"SELECT max(id) FROM {table}")).scalar()
            seen = set()
            while len(seen) < want:
                ident = rng.randrange(1, top + 1)
                value = conn.execute(text(f"SELECT {column} FROM {table} WHERE id = :i"), {"i": ident}).scalar()
                if value and ident not in seen:
                    seen.add(ident)
                    if kind == "phone":
                        value = format_phone(value)
                    elif kind.endswith("code"):
                        value = value.lower()
                    out.append((kind, value))
    return out


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
    ap.add_argument("--database-url", help="a PostgreSQL database instead (postgresql+psycopg://…)")
    ap.add_argument("--reps", type=int, default=21)
    ap.add_argument("--names", type=int, default=60, help="random contact/customer names to search (default 60)")
    ap.add_argument("--name-reps", type=int, default=5, help="timed searches per name (default 5)")
    ap.add_argument("--phones", type=int, default=0, help="random contact phones to search too (issue #17: 100)")
    ap.add_argument("--codes", type=int, default=0, help="random customer and ticket codes to search too (issue #17: 100)")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = ap.parse_args()
    pg = bool(args.database_url)
    if pg:
        generate(args.database_url, **DEFAULTS)  # reused when it holds these parameters
        engine = make_engine(args.database_url)
        with engine.connect() as conn:
            version = "PostgreSQL " + conn.execute(text("SHOW server_version")).scalar()
    else:
        if not args.db.exists():
            generate(args.db, **DEFAULTS)
        engine = make_engine(sqlite_url(args.db))
        version = f"SQLite {sqlite3.sqlite_version}"
    load_before = open("/proc/loadavg").read().strip()
    print(f"{platform.machine()}, Python {platform.python_version()}, {version}, load {load_before}")
    if not pg:
        migrate_if_needed(engine, args.db)
    ctx = make_context(uow_factory(engine))
    captured: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    direct = engine.raw_connection()  # the driver's own connection: the captured SQL in its paramstyle

    def replay(statements):
        cur = direct.cursor()
        for s, p in statements:
            cur.execute(s, p)
            if cur.description is not None:  # SET LOCAL returns no rows
                cur.fetchall()
        if pg:
            direct.rollback()

    rows = []
    for what, query in typical_queries(engine):
        captured.clear()
        event.listen(engine, "before_cursor_execute", capture)
        results = search.global_search(ctx, query)
        event.remove(engine, "before_cursor_execute", capture)
        statements = [(s, p) for s, p in captured if not s.lstrip().upper().startswith(("BEGIN", "ROLLBACK", "COMMIT"))]
        via_service = _timed(lambda: search.global_search(ctx, query), args.reps)
        via_sqlite = _timed(lambda: replay(statements), args.reps)
        found = " / ".join(f"{len(g.hits)}:{g.total}{'+' if g.capped else ''}" for g in results.groups)
        rows.append((what, query, found, _stats(via_service), _stats(via_sqlite), len(statements)))
        s, d = rows[-1][3], rows[-1][4]
        print(f"{what:55} {query!r:28} {found:32} service {s[0]:6.1f} / {s[1]:6.1f} / {s[2]:6.1f} ms   "
              f"direct {d[0]:6.1f} / {d[1]:6.1f} / {d[2]:6.1f} ms  ({len(statements)} statements)"
              f"{'  SLOW' if s[1] > TARGET_MS else ''}", flush=True)
    print()
    names = random_names(engine, args.names, args.seed, args.phones, args.codes)
    all_ms, per_name = [], []
    for kind, name in names:
        search.global_search(ctx, name)  # untimed first
        ms = []
        for _ in range(args.name_reps):
            t0 = time.perf_counter()
            results = search.global_search(ctx, name)
            ms.append((time.perf_counter() - t0) * 1000)
        all_ms += ms
        found = " / ".join(f"{len(g.hits)}:{g.total}{'+' if g.capped else ''}" for g in results.groups)
        per_name.append((statistics.median(ms), max(ms), kind, name, found))
    ordered = sorted(all_ms)
    p50, p95, worst = statistics.median(all_ms), ordered[round(0.95 * (len(ordered) - 1))], ordered[-1]
    p99 = ordered[round(0.99 * (len(ordered) - 1))]
    load_after = open("/proc/loadavg").read().strip()
    kinds = ", ".join(f"{sum(k == kind for k, _ in names)} {kind}s" for kind in dict.fromkeys(k for k, _ in names))
    print(f"random queries: {len(names)} ({kinds}, seed {args.seed}) x {args.name_reps} searches: "
          f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms"
          f"{'  SLOW' if p99 > TARGET_MS else ''}")
    print("slowest queries (median / max ms, shown:found):")
    for med, mx, kind, name, found in sorted(per_name, reverse=True)[:8]:
        print(f"  {med:6.1f} / {mx:6.1f}  {kind:13} {name!r:40} {found}")
    print(f"load before: {load_before}; after: {load_after}")
    if args.json:
        args.json.write_text(json.dumps({
            "engine": version, "load_before": load_before, "load_after": load_after,
            "names": {"n": len(names), "reps": args.name_reps, "seed": args.seed, "p50": p50, "p95": p95, "p99": p99,
                      "max": worst, "slowest": sorted(per_name, reverse=True)[:8]},
            "typical": [{"what": w, "query": q, "found": f, "service": s, "direct": d, "statements": n}
                        for w, q, f, s, d, n in rows]}, indent=1, ensure_ascii=False), encoding="utf-8")
    print()
    print("| query | typed | shown:found per group (customers / contacts / contracts / tickets) "
          "| service median / p95 / min ms | driver direct median / p95 / min ms | statements |")
    print("|---|---|---|---:|---:|---:|")
    for what, query, found, s, d, n in rows:
        mark = " **SLOW**" if s[1] > TARGET_MS else ""
        print(f"| {what} | `{query}` | {found} | {s[0]:.1f} / {s[1]:.1f} / {s[2]:.1f}{mark} "
              f"| {d[0]:.1f} / {d[1]:.1f} / {d[2]:.1f} | {n} |")


if __name__ == "__main__":
    main()
