"""Benchmark: from launch to the first view shown, on the 1M-ticket database.

Builds the app as ``app.main()`` does after the database is open (the real ``MainWindow``,
shown at 1366x768 offscreen, then ``window.alerts.start()``), with the settings' last view
the dashboard (the default) or the tickets view (``--view tickets``), and reports:

* the time from building the window to the dashboard's first counts shown, and to the
  first page of tickets shown (``--view tickets``, or Ctrl+4 pressed as soon as the window
  is up with ``--then-tickets``);
* every job the job runner's two lanes (interactive, long) ran before that, in order, with
  its lane and wall time: the reference data, the calendars, the dashboard, the first page,
  the alert check (on the long lane).

The alert check writes alerts (15,000 on the first start over the generated backlog), so
by default the run uses a throw-away copy of the database (``--no-copy`` to skip the copy
when alerts are left out with ``--no-alerts``).

    /work/wt-tick/.venv/bin/python -m benchmarks.bench_startup                    # dashboard first, alerts on
    /work/wt-tick/.venv/bin/python -m benchmarks.bench_startup --view tickets
    /work/wt-tick/.venv/bin/python -m benchmarks.bench_startup --no-alerts --no-copy
    /work/wt-tick/.venv/bin/python -m benchmarks.bench_startup --parts            # each dashboard query alone
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import argparse  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from datetime import UTC, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_countdowns import Clock, machine  # noqa: E402
from benchmarks.generate import END  # noqa: E402

HERE = Path(__file__).resolve().parent


def name_of(fn) -> str:
    name = getattr(fn, "__qualname__", repr(fn)).replace(".<locals>", "")
    module = getattr(fn, "__module__", "") or ""
    if module.startswith("desktop_helpdesk.services."):  # a use case: "alerts.check", "dashboard.build"
        name = f"{module.rsplit('.', 1)[-1]}.{name}"
    return name


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_startup", description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=HERE / "data" / "lists.sqlite3")
    ap.add_argument("--view", default="dashboard", choices=("dashboard", "tickets"), help="the settings' last view")
    ap.add_argument("--then-tickets", action="store_true", help="show the tickets view right after the window")
    ap.add_argument("--no-alerts", action="store_true", help="do not start the alert checks")
    ap.add_argument("--no-copy", action="store_true", help="run on the file itself (only with --no-alerts)")
    ap.add_argument("--parts", action="store_true", help="also time each dashboard query alone")
    ap.add_argument("--language", default="vi", choices=("vi", "en"))
    ap.add_argument("--idle", type=float, default=0,
                    help="then leave the window alone this many seconds (real timers) and say which jobs ran, "
                         "how often and for how long, and the process's CPU (issue #17: idle ≤ 1 %%)")
    args = ap.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    for var, sub in (("HOME", ""), ("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"),
                     ("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state")):
        os.environ[var] = str(home / sub)
    path = args.db
    if not (args.no_copy and args.no_alerts):
        t0 = time.perf_counter()
        path = args.db.with_name(f"{args.db.stem}.startup-run{args.db.suffix}")
        shutil.copyfile(args.db, path)
        print(f"copied to {path} in {time.perf_counter() - t0:.1f} s")

    from PySide6.QtWidgets import QApplication

    from desktop_helpdesk.db.engine import open_database, sqlite_url
    from desktop_helpdesk.db.uow import uow_factory
    from desktop_helpdesk.i18n import Translator, install
    from desktop_helpdesk.paths import translations_dir
    from desktop_helpdesk.services import catalog
    from desktop_helpdesk.services.context import make_context
    from desktop_helpdesk.settings import Settings
    from desktop_helpdesk.ui.kit.worker import INTERACTIVE, Jobs
    from desktop_helpdesk.ui.shell.mainwindow import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    install(Translator(translations_dir(), args.language))
    print(machine())
    clock = Clock(END.replace(tzinfo=UTC))
    t_start = time.perf_counter()
    engine, _ = open_database(sqlite_url(path))
    ctx = make_context(uow_factory(engine, clock), clock)  # as app.main(): one context, two lanes
    worker = Jobs(ctx)
    jobs: list[tuple[str, float, float]] = []  # name (lane), start, seconds (on the lane's thread)
    submit = worker.submit

    def timed_submit(fn, *a, **kw):
        lane = kw.get("lane", INTERACTIVE)

        def run(*inner):  # (ctx, *args)
            t0 = time.perf_counter()
            try:
                return fn(*inner)
            finally:
                jobs.append((f"{name_of(fn)} ({lane})", t0 - t_start, time.perf_counter() - t0))
        return submit(run, *a, **kw)

    worker.submit = timed_submit
    settings_path = home / "settings.json"
    settings = Settings.load(settings_path)
    settings.last_view = args.view
    operators = catalog.operators(ctx)
    t_open = time.perf_counter() - t_start
    window = MainWindow(worker, settings, lambda: None, operators[0] if operators else None, str(path))
    window.resize(1366, 768)
    window.show()
    if not args.no_alerts:
        window.alerts.start()
    if args.then_tickets:
        window.show_view("tickets")
    t_shown = time.perf_counter() - t_start
    marks: dict[str, float] = {}
    dash, tickets = window.dashboard, window.pages["tickets"]
    dash_wanted = args.view == "dashboard"
    tickets_wanted = args.view == "tickets" or args.then_tickets
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        app.processEvents()
        if "dashboard" not in marks and dash.data is not None:
            marks["dashboard"] = time.perf_counter() - t_start
        if "tickets" not in marks and tickets.model.rowCount() > 0:
            marks["tickets"] = time.perf_counter() - t_start
        if ((not dash_wanted or "dashboard" in marks) and (not tickets_wanted or "tickets" in marks)
                and worker.pending == 0):
            break
        time.sleep(0.002)
    t_idle = time.perf_counter() - t_start
    print(f"\nstart-up, last view {args.view}{' then Ctrl+4' if args.then_tickets else ''}, alerts "
          f"{'off' if args.no_alerts else 'on'}: database open + operators {t_open:.2f} s, window shown {t_shown:.2f} s")
    for what, t in sorted(marks.items(), key=lambda kv: kv[1]):
        print(f"  first {what} shown at {t:.2f} s")
    print(f"  both lanes idle at {t_idle:.2f} s; jobs in order of their end (start, wall time):")
    for name, start, secs in jobs:
        print(f"    {start:7.2f} s  {secs:7.3f} s  {name}")
    if not args.no_alerts:
        alert_s = sum(s for n, _st, s in jobs if n.startswith("alerts.check "))
        print(f"  alert checks: {alert_s:.2f} s of the lanes' {sum(s for _n, _st, s in jobs):.2f} s")

    if args.idle:
        from collections import defaultdict

        first_idle_job = len(jobs)
        from PySide6.QtCore import QTimer

        cpu0, wall0 = time.process_time(), time.monotonic()
        QTimer.singleShot(int(args.idle * 1000), app.quit)
        app.exec()  # the real event loop, as the app idles (a polling loop here would cost CPU itself)
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        per = defaultdict(lambda: [0, 0.0])
        for name, _start, secs in jobs[first_idle_job:]:
            per[name][0] += 1
            per[name][1] += secs
        print(f"\nidle {wall:.0f} s, view {args.view}: process CPU {cpu:.2f} s = {100 * cpu / wall:.2f} % of a core; "
              f"jobs (count, wall seconds on their lane):")
        for name, (n, secs) in sorted(per.items(), key=lambda kv: -kv[1][1]):
            print(f"    {n:4d} x  {secs:7.3f} s  {name}")

    if args.parts:
        from desktop_helpdesk.services import dashboard as dash_mod

        now = clock()
        print("\ndashboard queries alone:")
        with ctx.uow() as uow:
            for label, fn in (
                ("count_due breached", lambda: uow.tickets.count_due(None, now)),
                ("count_due week", lambda: uow.tickets.count_due(now, now + timedelta(days=7))),
                ("due_rows breached 50", lambda: uow.tickets.due_rows(None, now, 50)),
                ("count_paused", uow.tickets.count_paused),
                ("paused_rows 50", lambda: uow.tickets.paused_rows(50)),
                ("due_rows at-risk horizon 5000", lambda: uow.tickets.due_rows(now, now + dash_mod.AT_RISK_HORIZON, 5000)),
                ("stopped_clocks_since 30 d", lambda: uow.tickets.stopped_clocks_since(now - timedelta(days=30))),
            ):
                t0 = time.perf_counter()
                out = fn()
                print(f"  {label}: {time.perf_counter() - t0:.3f} s ({out if isinstance(out, int) else len(out)})")
        t0 = time.perf_counter()
        dash_mod.build(ctx)  # reads ctx.now(), the fixed clock
        print(f"  dashboard.build total: {time.perf_counter() - t0:.3f} s")

    window.close()
    worker.shutdown()
    engine.dispose()
    if path != args.db:
        for leftover in path.parent.glob(f"{path.stem}*"):
            leftover.unlink()
    print(f"load average now: {open('/proc/loadavg').read().strip()}")
    return 0


if __name__ == "__main__":
    threading.current_thread().name = "gui"
    sys.exit(main())
