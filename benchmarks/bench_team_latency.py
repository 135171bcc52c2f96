"""Benchmark: how long a colleague's save takes to reach this desk's open list (issue #12,
"Live team view": within 2 seconds, with no action by the user).

Two desks on one database in one process: desk B is the real main window (offscreen Qt)
showing the open tickets, with its change feed polling as in the app (and, on PostgreSQL, the
server's NOTIFY listener the app starts); desk A is a second unit-of-work factory (another
origin, as another desk's app would be) that saves a new ticket at a random moment every
1-2 seconds from its own thread. For each ticket the time from A's commit returning to the
ticket being in B's list model (the rows the view paints) is measured.

    /work/venv/bin/python -m benchmarks.bench_team_latency                     # SQLite file
    /work/venv/bin/python -m benchmarks.bench_team_latency --engine postgresql # throwaway server
    /work/venv/bin/python -m benchmarks.bench_team_latency --engine postgresql --no-listen  # polling only
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--saves", type=int, default=30)
    parser.add_argument("--no-listen", action="store_true", help="PostgreSQL: poll only, no NOTIFY listener")
    args = parser.parse_args()

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_helpdesk.db.engine import open_database, sqlite_url
    from desktop_helpdesk.db.listen import NotificationListener
    from desktop_helpdesk.db.uow import uow_factory
    from desktop_helpdesk.i18n import Translator, install
    from desktop_helpdesk.paths import translations_dir
    from desktop_helpdesk.services import catalog, contracts, customers, tickets
    from desktop_helpdesk.services.context import make_context
    from desktop_helpdesk.services.demo import load_demo
    from desktop_helpdesk.services.dto import ListQuery, TicketDraft
    from desktop_helpdesk.settings import Settings
    from desktop_helpdesk.ui.kit.worker import Jobs
    from desktop_helpdesk.ui.shell.mainwindow import MainWindow

    server = None
    folder = Path(tempfile.mkdtemp(prefix="team-latency-"))
    if args.engine == "postgresql":
        from tests.pgserver import PostgresServer

        server = PostgresServer()
        url = server.create_database("latency")
    else:
        url = sqlite_url(folder / "helpdesk.sqlite3")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    install(Translator(translations_dir(), "en"))
    engine_a, _ = open_database(url)
    ctx_a = make_context(uow_factory(engine_a))
    load_demo(ctx_a)
    engine_b, _ = open_database(url)
    ctx_b = make_context(uow_factory(engine_b))
    jobs = Jobs(ctx_b)
    settings = Settings()
    operators = catalog.operators(ctx_b)
    window = MainWindow(jobs, settings, lambda: None, operators[0], "bench")
    window.resize(1366, 768)
    window.show()
    window.show_view("tickets")
    listener = None
    if args.engine == "postgresql" and not args.no_listen:
        listener = NotificationListener(engine_b, window.team_feed.poke.emit).start()
    page = window.pages["tickets"]

    cid = customers.list_customers(ctx_a, ListQuery(text="hoang long")).rows[0].id
    contract = contracts.contract_choices(ctx_a, cid)[0].id
    committed: dict[str, float] = {}
    seen: dict[str, float] = {}

    def look() -> None:
        now = time.perf_counter()
        model = page.model
        for i in range(model.rowCount()):
            subject = model.row_at(i).subject
            if subject in committed and subject not in seen:
                seen[subject] = now

    page.model.modelReset.connect(look)
    page.model.rowsInserted.connect(lambda *_: look())

    def writer() -> None:
        rng = random.Random(12)
        time.sleep(2)
        for n in range(args.saves):
            time.sleep(rng.uniform(1.0, 2.0))
            subject = f"Phiếu thử độ trễ số {n:03d}"
            tickets.create_ticket(ctx_a, TicketDraft(customer_id=cid, contract_id=contract, subject=subject,
                                                     request_type="incident", channel="hotline"), None)
            committed[subject] = time.perf_counter()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    loop = QEventLoop()
    timer = QTimer(interval=50)
    timer.timeout.connect(lambda: (not thread.is_alive() and len(seen) >= len(committed)) and loop.quit())
    timer.start()
    QTimer.singleShot(int((args.saves * 2 + 30) * 1000), loop.quit)
    loop.exec()

    latencies = sorted(seen[s] - committed[s] for s in committed if s in seen)
    missed = len(committed) - len(latencies)
    mode = "polling 1 s" + (" + NOTIFY" if listener else "")
    print(f"{args.engine} ({mode}): {len(latencies)} of {len(committed)} saves seen; "
          f"p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {latencies[int(0.95 * (len(latencies) - 1))] * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms" + (f"; MISSED {missed}" if missed else ""))
    if listener:
        listener.stop()
    window.close()
    jobs.shutdown()
    engine_a.dispose()
    engine_b.dispose()
    if server:
        server.stop()
    return 0 if not missed and latencies[-1] <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
