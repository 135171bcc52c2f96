"""Import benchmark: 100,000 customers with their contact persons from an Excel file, as a
firm going live loads its list (issue #14: target ≤ 60 s, and the memory it takes).

Each run is a whole `desktop-helpdesk import FILE` process, timed from its start to its exit
(what a person or a script waits for), with its peak memory (max RSS); the command writes
each block of rows while it checks the next (services.importing.import_now). Then the same
import in one process, phase by phase as the window does it (reading and checking every row
against the file and the database: "plan"; after the preview, writing: "apply"), to say
where the time goes. The floor
in the same run: a process that only reads the workbook's cells with calamine (as the import
reads them); the peer: the same with openpyxl's read-only mode (the usual Python reader).

    /work/venv/bin/python -m benchmarks.bench_import                                  # SQLite
    /work/venv/bin/python -m benchmarks.bench_import --server postgresql://u@127.0.0.1:5544/postgres

The file (benchmarks/data/import-100k.xlsx, ~9 MB) is written by benchmarks/import_file.py on
first use (seed 7). `--server` creates a fresh database on that server for each run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"

OPENPYXL = """
import sys
from openpyxl import load_workbook
book = load_workbook(sys.argv[1], read_only=True, data_only=True)
n = 0
for ws in book.worksheets:
    for row in ws.iter_rows(values_only=True):
        n += 1
print(n)
"""

CALAMINE = """
import sys
from python_calamine import CalamineWorkbook
book = CalamineWorkbook.from_path(sys.argv[1])
n = 0
for name in book.sheet_names:
    for row in book.get_sheet_by_name(name).iter_rows():
        n += 1
print(n)
"""

PHASES = """
import sys, time, resource
from pathlib import Path
from desktop_helpdesk.db.engine import open_database
from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.services import importing
from desktop_helpdesk.services.context import make_context
url, path = sys.argv[1], Path(sys.argv[2])
engine, _ = open_database(url)
ctx = make_context(uow_factory(engine))
t0 = time.perf_counter()
sheets = importing.inspect_file(path)
t1 = time.perf_counter()
plan = importing.plan_import(ctx, path, sheets)
t2 = time.perf_counter()
rss_plan = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
done = importing.apply_import(ctx, plan)
t3 = time.perf_counter()
print(f"inspect {t1 - t0:.1f} s | plan {t2 - t1:.1f} s (peak {rss_plan / 1024:.0f} MB) | apply {t3 - t2:.1f} s "
      f"| added {sum(done.added.values())} | errors {done.rejected}")
"""


def _timed(argv: list[str]) -> tuple[float, float, str]:
    """Like _run, with the child's own peak memory (GNU time's %M, in KB)."""
    started = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv[:4]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    peak_kb = int(proc.stderr.strip().splitlines()[-1])
    return elapsed, peak_kb / 1024, proc.stdout


def _fresh_server_db(server: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"import_bench_{int(time.time())}_{os.getpid()}"
    base = make_url(server).set(drivername="postgresql")
    with psycopg.connect(base.render_as_string(hide_password=False), autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    return base.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--server", help="a PostgreSQL server URL: import into a fresh database there instead of SQLite")
    args = parser.parse_args(argv)

    source = DATA / f"import-{args.customers // 1000}k.xlsx"
    if not source.exists():
        from benchmarks.import_file import build, write

        sheets, _listed = build(args.customers)
        write(source, sheets)
    print(f"file: {source.name}, {source.stat().st_size / 1e6:.1f} MB, {args.customers:,} customers with contacts")
    python = sys.executable

    seconds, peak, out = _timed([python, "-c", CALAMINE, str(source)])
    print(f"floor (calamine reads every cell, as the import does): {seconds:.1f} s, peak {peak:.0f} MB, "
          f"{out.strip()} rows")
    seconds, peak, out = _timed([python, "-c", OPENPYXL, str(source)])
    print(f"peer (openpyxl's read-only mode reads every cell): {seconds:.1f} s, peak {peak:.0f} MB")

    with tempfile.TemporaryDirectory() as tmp:
        if args.server:
            target = ["--database-url", _fresh_server_db(args.server)]
        else:
            target = ["--data-dir", str(Path(tmp) / "data")]
        # The schema exists before the clock starts, as on a desk that has run once.
        subprocess.run([python, "-m", "desktop_helpdesk", "import", str(ROOT / "benchmarks" / "no-such-file.xlsx"),
                        *target], capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        seconds, peak, out = _timed([python, "-m", "desktop_helpdesk", "import", str(source), *target, "--lang", "en"])
        print(f"desktop-helpdesk import ({'PostgreSQL' if args.server else 'SQLite'}): {seconds:.1f} s, "
              f"peak {peak:.0f} MB")
        for line in out.strip().splitlines():
            print("    " + line)
        seconds, peak, out = _timed([python, "-m", "desktop_helpdesk", "import", str(source), *target, "--lang", "en"])
        print(f"the same file again (every row already there): {seconds:.1f} s, peak {peak:.0f} MB")
        print("    " + out.strip().splitlines()[-1])

        if args.server:
            url = _fresh_server_db(args.server)
        else:
            from desktop_helpdesk.db.engine import sqlite_url

            url = sqlite_url(Path(tmp) / "phases.sqlite3")
        seconds, peak, out = _timed([python, "-c", PHASES, url, str(source)])
        print(f"in one process, by phase (the window's way: every row checked, then written): {seconds:.1f} s, "
              f"peak {peak:.0f} MB")
        print("    " + out.strip())
    print(f"machine load (1 min) at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
