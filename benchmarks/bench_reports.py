"""Benchmark: the SLA report (services.reports.build_report) on the 1,000,000-ticket database.

Run from the repository root (the database is benchmark generator's default set; it is only
read, apart from the statistics ``open_database`` refreshes as the app does at start):

    /work/venv/bin/python -m benchmarks.bench_reports --db /work/benchdata/reports-1m.sqlite3
    /work/venv/bin/python -m benchmarks.bench_reports --db … --runs 5 --periods 1,12
    /work/venv/bin/python -m benchmarks.bench_reports --database-url postgresql+psycopg://…/bench

It times the use case exactly as the Reports view runs it on its long lane (a unit of work,
the SQL aggregates, the medians streamed in chunks with the progress callback, the labels),
with the clock at the data set's "now" (``generate.END``), for each grouping (month,
customer, package, operator) and each period: the last month, the last 12 months, and the
whole data set (59 months, every ticket). Per case: median and minimum wall time of
``--runs`` runs after one warm-up, the rows of the report and the clocks whose times were
streamed for the medians. Target (issue #16): ≤ 5 s at 1M tickets.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import DEFAULTS, END, TICKETS_FROM, generate  # noqa: E402

HERE = Path(__file__).resolve().parent


def _months_back(last: date, n: int) -> date:
    y, m = divmod(last.year * 12 + last.month - 1 - (n - 1), 12)
    return date(y, m + 1, 1)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, help="SQLite database (default: benchmarks/data/lists.sqlite3, generated if missing)")
    ap.add_argument("--database-url", help="a PostgreSQL database filled by benchmarks.generate instead")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per case after a warm-up (default 3)")
    ap.add_argument("--periods", default="1,12,all", help="periods in months, comma-separated; 'all' = the whole data")
    ap.add_argument("--dimensions", default="month,customer,package,operator")
    args = ap.parse_args(argv)

    os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="bench-reports-"))
    import desktop_helpdesk
    from desktop_helpdesk.db.engine import open_database, sqlite_url
    from desktop_helpdesk.db.uow import uow_factory
    from desktop_helpdesk.services import reports
    from desktop_helpdesk.services.context import make_context

    if args.database_url:
        url = args.database_url
    else:
        path = args.db or HERE / "data" / "lists.sqlite3"
        if args.db is None:
            generate(path, **{k: v for k, v in DEFAULTS.items() if k != "seed"}, seed=DEFAULTS["seed"])
        url = sqlite_url(path)
    print(f"code: {Path(desktop_helpdesk.__file__).parent}; {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}; "
          f"load average {open('/proc/loadavg').read().split()[:3]} at start")
    t0 = time.perf_counter()
    engine, _ = open_database(url)
    print(f"opened {engine.dialect.name} in {time.perf_counter() - t0:.1f} s")
    now = END.replace(tzinfo=UTC)
    ctx = make_context(uow_factory(engine, lambda: now), lambda: now)
    last = ctx.today().replace(day=1)
    whole = (last.year - TICKETS_FROM.year) * 12 + last.month - TICKETS_FROM.month + 1
    periods = [whole if p == "all" else int(p) for p in args.periods.split(",")]
    try:
        print(f"| grouping | period | rows | clocks streamed | received | median s | min s |")
        print(f"|---|---|---:|---:|---:|---:|---:|")
        for months in periods:
            for dim in args.dimensions.split(","):
                query = reports.ReportQuery(_months_back(last, months), last, dim)
                calls = []
                reports.build_report(ctx, query, lambda d, t: calls.append((d, t)))  # warm-up
                walls = []
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    report = reports.build_report(ctx, query, lambda d, t: None)
                    walls.append(time.perf_counter() - t0)
                streamed = sum(r.met_total + r.breached_total for r in report.rows) - report.total.met["complaint"] \
                    - report.total.breached["complaint"]
                print(f"| {dim} | {months} months | {len(report.rows):,} | {streamed:,} | {report.total.received:,} | "
                      f"{statistics.median(walls):.2f} | {min(walls):.2f} |", flush=True)
        print(f"load average at the end: {open('/proc/loadavg').read().split()[:3]}")
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
