"""Export benchmark: how long exporting a big list to Excel and CSV takes, as the app does it.

The app exports page by page on the database worker (`services.export.read_page` + an
`ExportFile`), each page its own job, so this runs exactly those calls in a loop on the
1M-ticket database of `benchmarks/generate.py`, with the ticket list's own columns (the
live "Time left" text included). Reported: rows, seconds, rows per second, the longest
single page job (how long another database job may wait behind the export), file size.

    /work/venv/bin/python -m benchmarks.bench_export                 # open tickets (~200k), xlsx + csv
    /work/venv/bin/python -m benchmarks.bench_export --state ""      # all 1M tickets, csv only (xlsx: Excel's row limit)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import generate  # noqa: E402
from desktop_helpdesk.db.engine import open_database, sqlite_url  # noqa: E402
from desktop_helpdesk.db.uow import uow_factory  # noqa: E402
from desktop_helpdesk.i18n import Translator, install  # noqa: E402
from desktop_helpdesk.paths import translations_dir  # noqa: E402
from desktop_helpdesk.services.dto import ListQuery  # noqa: E402
from desktop_helpdesk.services import tickets  # noqa: E402
from desktop_helpdesk.services.context import make_context  # noqa: E402
from desktop_helpdesk.services.export import ExportColumn, ExportFile, read_page  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "lists.sqlite3"


def ticket_columns(ctx) -> list[ExportColumn]:
    """The ticket list's columns as the GUI builds them (no widget needed)."""
    from desktop_helpdesk.i18n import _
    from desktop_helpdesk.ui.tickets.page import tickets_model
    from desktop_helpdesk.ui.kit.worker import Jobs

    jobs = Jobs(ctx)
    try:
        model = tickets_model(jobs)
        return [ExportColumn(_(c.title), c.kind, c.export_value) for c in model.columns]
    finally:
        jobs.shutdown()


def run(ctx, columns, query: ListQuery, path: Path) -> dict:
    started = time.perf_counter()
    out = ExportFile(path, columns, "Tickets")
    cursor, longest = None, 0.0
    while True:
        t0 = time.perf_counter()
        page = read_page(partial(tickets.list_tickets, ctx), query, cursor)
        out.write(page.rows)
        longest = max(longest, time.perf_counter() - t0)
        cursor = page.next_cursor
        if cursor is None or out.full:
            break
    t0 = time.perf_counter()
    result = out.commit()
    save = time.perf_counter() - t0
    seconds = time.perf_counter() - started
    return {"rows": result.rows, "seconds": seconds, "rate": result.rows / seconds, "longest_page": longest,
            "save": save, "mb": path.stat().st_size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", default="open", help='ticket filter: "open", "done" or "" for all')
    parser.add_argument("--formats", default="", help="comma list of xlsx,csv (default: both; csv only for all)")
    args = parser.parse_args()
    if not DATA.exists():
        generate(DATA)
    install(Translator(translations_dir(), "vi"))
    engine, _ = open_database(sqlite_url(DATA))
    ctx = make_context(uow_factory(engine))
    columns = ticket_columns(ctx)
    query = ListQuery(sort="received_at", descending=True, filters={"state": args.state} if args.state else {})
    formats = args.formats.split(",") if args.formats else (["xlsx", "csv"] if args.state else ["csv"])
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in formats:
            r = run(ctx, columns, query, Path(tmp) / f"tickets.{fmt}")
            print(f"{fmt}: {r['rows']:,} rows in {r['seconds']:.1f} s ({r['rate']:,.0f} rows/s), "
                  f"longest page job {r['longest_page'] * 1000:.0f} ms, final save {r['save']:.1f} s, "
                  f"{r['mb']:.1f} MB")
    engine.dispose()


if __name__ == "__main__":
    main()
