"""Benchmark: what an alert check costs on the 1,000,000-ticket database, how many alerts the
first start raises, and how long a change of the office calendar takes to recompute the
running clocks.

Run from the repository root (the database is the one bench_lists and bench_countdowns use;
this benchmark writes alerts and calendar days, so it works on a throw-away copy):

    .venv/bin/python -m benchmarks.bench_alerts                 # ~2 min once generated
    .venv/bin/python -m benchmarks.bench_alerts --checks 9      # more steady-state checks
    .venv/bin/python -m benchmarks.bench_alerts --no-calendar   # alert checks only

It measures at the service level (``services.alerts.check`` and
``services.catalog.save_calendar_days``, which the app runs on its long-work lane), with the
clock at the data set's "now" (``generate.END``):

- the first check on this database (no check has run on it yet): alerts raised, CPU, wall;
- ``--checks`` further checks, the clock moved on a minute before each, as the app's timer
  does: median and minimum of process CPU (``getrusage`` user + system) and wall time, and the
  alerts each raised;
- the office calendar: a day off added on the next working day (only the clocks due from then
  on are read and recomputed) and one on a day in the data set's first year (every running
  clock on the office calendar): tickets recomputed, seconds, and the progress callbacks.

The script runs against whatever code is importable, so the code before a change can be
measured with ``PYTHONPATH=<old checkout>`` (the calendar part is skipped when
``services.catalog`` has no ``save_calendar_days``).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import DEFAULTS, END, generate  # noqa: E402

HERE = Path(__file__).resolve().parent


class Clock:
    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn, *args):
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    result = fn(*args)
    return result, cpu_seconds() - cpu0, time.perf_counter() - wall0


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, help="database to copy (default: benchmarks/data/lists.sqlite3, generated if missing)")
    ap.add_argument("--checks", type=int, default=7, help="steady-state checks after the first (default 7)")
    ap.add_argument("--no-calendar", action="store_true", help="skip the calendar recomputation")
    args = ap.parse_args(argv)

    path = args.db or HERE / "data" / "lists.sqlite3"
    if args.db is None:
        gen = generate(path, **{k: v for k, v in DEFAULTS.items() if k != "seed"}, seed=DEFAULTS["seed"])
        print(f"database {path}: {'reused' if gen.reused else f'generated in {gen.seconds:.1f} s'}")
    run_path = path.with_name(f"{path.stem}.alerts-bench{path.suffix}")
    t0 = time.perf_counter()
    shutil.copyfile(path, run_path)
    print(f"copied to {run_path} in {time.perf_counter() - t0:.1f} s")

    import desktop_helpdesk
    from desktop_helpdesk.db.engine import open_database, sqlite_url
    from desktop_helpdesk.db.uow import uow_factory
    from desktop_helpdesk.services import alerts, catalog
    from desktop_helpdesk.services.context import make_context

    print(f"code: {Path(desktop_helpdesk.__file__).parent}; {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}; "
          f"load average {open('/proc/loadavg').read().split()[:3]} at start")
    home = Path(tempfile.mkdtemp(prefix="bench-alerts-"))
    os.environ["XDG_DATA_HOME"] = str(home)
    t0 = time.perf_counter()
    engine, _ = open_database(sqlite_url(run_path))  # migrates the copy to the code's schema
    print(f"opened (and migrated) in {time.perf_counter() - t0:.1f} s")
    clock = Clock(END.replace(tzinfo=UTC))
    ctx = make_context(uow_factory(engine, clock), clock)
    try:
        new, cpu, wall = timed(alerts.check, ctx)
        kinds = {k: sum(1 for a in new if a.kind == k) for k in ("clock_breached", "clock_at_risk", "obligation_due")}
        print(f"first check: {len(new)} alerts {kinds}; CPU {cpu * 1000:.0f} ms, wall {wall * 1000:.0f} ms")
        costs = []
        for _ in range(args.checks):
            clock.now += timedelta(minutes=1)
            new, cpu, wall = timed(alerts.check, ctx)
            costs.append((cpu, wall, len(new)))
        cpus, walls = [c for c, _w, _n in costs], [w for _c, w, _n in costs]
        print(f"next {args.checks} checks, a minute apart: CPU median {statistics.median(cpus) * 1000:.1f} ms "
              f"(min {min(cpus) * 1000:.1f}), wall median {statistics.median(walls) * 1000:.1f} ms "
              f"(min {min(walls) * 1000:.1f}); alerts raised {[n for _c, _w, n in costs]}; "
              f"= {statistics.median(cpus) / 60:.4%} of a core at one check a minute")
        print(f"load average after the checks: {open('/proc/loadavg').read().split()[:3]}")

        if not args.no_calendar and hasattr(catalog, "save_calendar_days"):
            from desktop_helpdesk.services.dto import CalendarDay

            local = clock.now.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh")).date()
            monday = local + timedelta(days=(7 - local.weekday()) % 7 or 7)
            for label, day in (("next working day", monday), ("a day in the data's first year", date(2022, 3, 15))):
                calls = []
                progress = lambda done, total: calls.append((done, total))  # noqa: E731
                count, cpu, wall = timed(catalog.save_calendar_days, ctx, [CalendarDay(day, "day_off", "bench")], [], progress)
                print(f"calendar: day off on {day} ({label}): {count} tickets recomputed in {wall:.2f} s wall, "
                      f"{cpu:.2f} s CPU; {len(calls)} progress callbacks, last {calls[-1] if calls else None}")
                _, _, wall_back = timed(catalog.save_calendar_days, ctx, [], [day], None)
                print(f"          removed again in {wall_back:.2f} s wall")
    finally:
        engine.dispose()
        # The copy, its WAL, and the backup the app writes before migrating it.
        for leftover in run_path.parent.glob(f"{run_path.stem}*"):
            leftover.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
