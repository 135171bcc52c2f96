"""Benchmark: what the live SLA countdown of the ticket list costs, with the real widgets.

Run from the repository root (the database is generated once and cached in benchmarks/data/,
shared with bench_lists):

    /work/venv/bin/python -m benchmarks.bench_countdowns                 # 1M tickets, ~2 min once generated
    /work/venv/bin/python -m benchmarks.bench_countdowns --small         # a tenth of the data
    /work/venv/bin/python -m benchmarks.bench_countdowns --real-idle 600 # also 10 min of real idling
    /work/venv/bin/python -m benchmarks.bench_countdowns --profile       # cProfile of the ticks

The app is built the way tests/ui/conftest.py's ``Desk`` builds it: a context
(``make_context``) over the generated database with an injected clock, a ``Jobs`` runner over
it, and the real ``MainWindow``, shown at 1366x768 under ``QT_QPA_PLATFORM=offscreen`` with the tickets view
open (the default view: open tickets, newest first) and its first page loaded. The clock
starts at the data set's "now" (``generate.END``, Friday 17:00 in Hà Nội, when tickets were
still arriving) and runs with the wall clock; ``advance()`` moves it on a minute at a time.

Measurements:

(a) **one tick**: ``page.ticker.tick()`` (which emits ``dataChanged`` for the countdown cells
    of the visible rows), then ``QApplication.processEvents()`` (Qt paints the dirty cells),
    then a forced synchronous ``table.viewport().repaint()`` of the whole table; the clock is
    moved on a minute before each tick so every countdown text changes. Median and p95 over
    ``--reps`` ticks, and the parts separately. Target: ≤ 2 ms per tick.
(a') the same without the forced repaint: ``tick()`` + ``processEvents()``, which is all the
    app does each minute (Qt repaints only the dirty countdown cells); (a'') the same with the
    first ticket selected, so that its clocks label (beside its detail) is re-rendered each tick.
(b) **idle CPU**: 60 s of the Qt event loop with the real timers (the ticker's minute-aligned
    timer included), nothing else happening; process CPU time (all threads: user + system,
    ``resource.getrusage``, and ``time.process_time``) over wall time. Target: ≤ 1 % of one core.
(c) **memory growth**: resident set size (``/proc/self/statm``) before and after 600 ticks with
    the clock advanced a minute each time (10 hours of ticking, accelerated; every tick painted
    as in (a)); with ``--real-idle SECONDS`` also before and after that much real idling with the
    real timers. Target: ≤ 5 MB over 10 minutes.

``--alerts`` also starts the alert checks as ``app.main()`` does (``window.alerts.start()``:
one check at once, then one a minute on the long lane), which ``Desk`` does not; they write
alerts, so the run uses a throw-away copy of the database. (b) then shows what the checks
cost an idle app.

The ticket model measured is the app's own (``desktop_helpdesk.ui.tickets.model.TicketsModel``:
a row's clocks kept until its rows change, its countdown worked out once per tick, the other
cells' texts kept until the rows or the language change, unserved roles answered first; the
prototype of it that ``--proposed`` used to swap in is now the app's code). The benchmark also
times the same visible cells served by a ``QStandardItemModel`` (no Python per cell): the
floor of Qt's own painting.

PySide6 6.12.0 on Python 3.11 drops a reference to ``True`` at every ``Signal.emit()`` and
one to ``None`` at every call of a ``void`` Qt method from Python (6.11.3 does not; Python
3.12+ has immortal ``True`` and ``None``): after about 10,000 emits, or some 40,000 void
calls, or at exit after fewer, the interpreter aborts with "Fatal Python error:
bool_dealloc / none_dealloc". Each tick emits once and calls ``QTimer.start``. The benchmark
reports the references lost per tick and, when they leak, compensates the counters up front
(``Py_IncRef``) so that its own thousands of ticks do not abort the run.
"""

from __future__ import annotations

import os

# Before anything imports Qt: no display needed, and the numbers do not depend on one.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

import argparse  # noqa: E402
import gc  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.generate import DEFAULTS, END, generate  # noqa: E402

HERE = Path(__file__).resolve().parent
TICK_TARGET_MS = 2.0
IDLE_TARGET = 0.01  # share of one core
MEMORY_TARGET_MB = 5.0
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


class Clock:
    """The context's ``now()``: the data set's "now", running with the wall clock, plus
    whatever ``advance()`` added."""

    def __init__(self, start: datetime):
        self.start = start
        self.offset = timedelta(0)
        self.t0 = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + self.offset + timedelta(seconds=time.monotonic() - self.t0)

    def advance(self, minutes: float = 1) -> None:
        self.offset += timedelta(minutes=minutes)


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE_SIZE / 2**20


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def machine() -> str:
    from PySide6 import __version__ as pyside

    model = ""
    try:
        with open("/proc/cpuinfo") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "")
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({model or platform.machine()}), Python {platform.python_version()}, "
            f"PySide6 {pyside}, SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}, "
            f"QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}; load average {os.getloadavg()[0]:.2f} at start")


def summary(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return f"median {statistics.median(ms):.3f} ms, p95 {q[94]:.3f} ms, max {max(ms):.3f} ms (n={len(ms)})"


class Desk:
    """The app against the benchmark database, as tests/ui/conftest.py's Desk builds it."""

    def __init__(self, path: Path, home: Path, language: str, clock: Clock, alerts: bool = False):
        from desktop_helpdesk.db.engine import open_database, sqlite_url
        from desktop_helpdesk.db.uow import uow_factory
        from desktop_helpdesk.i18n import Translator, install
        from desktop_helpdesk.paths import translations_dir
        from desktop_helpdesk.services import catalog
        from desktop_helpdesk.services.context import make_context
        from desktop_helpdesk.settings import Settings
        from desktop_helpdesk.ui.kit.worker import Jobs
        from desktop_helpdesk.ui.shell.mainwindow import MainWindow

        install(Translator(translations_dir(), language))
        self.engine, _ = open_database(sqlite_url(path))
        self.ctx = make_context(uow_factory(self.engine, clock), clock)  # one clock: the history's times too
        self.jobs = Jobs(self.ctx)
        settings_path = home / "settings.json"
        self.settings = Settings.load(settings_path)
        operators = catalog.operators(self.ctx)
        self.window = MainWindow(self.jobs, self.settings, lambda: self.settings.save(settings_path),
                                 operators[0] if operators else None, str(path))
        self.window.resize(1366, 768)
        self.window.show()
        self.window.show_view("tickets")
        self.page = self.window.pages["tickets"]
        if alerts:
            self.window.alerts.start()
        self.wait(lambda: self.jobs.pending == 0 and self.page.model.rowCount() > 0, 600)

    @staticmethod
    def wait(condition, timeout: float) -> None:
        from PySide6.QtWidgets import QApplication

        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the app did not get there in time")
            QApplication.processEvents()
            time.sleep(0.002)

    def close(self) -> None:
        self.wait(lambda: self.jobs.pending == 0, 60)
        self.window.close()
        self.jobs.shutdown()
        self.engine.dispose()


def refs_lost() -> tuple[float, float]:
    """References to True lost per Signal.emit() and to None per void Qt call (0, 0 when healthy)."""
    from PySide6.QtCore import QObject, Signal

    class Probe(QObject):
        fired = Signal()

    probe = Probe()
    true0, none0 = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(100):
        probe.fired.emit()
    true1 = sys.getrefcount(True)
    for _ in range(100):
        probe.setObjectName("probe")  # void
    return (true0 - true1) / 100, (none0 - sys.getrefcount(None)) / 100


def compensate_refs(obj, n: int) -> None:
    """Give `obj` (True or None) `n` references nobody owns, so that `n` leaked ones cannot free it."""
    import ctypes

    incref, ref = ctypes.pythonapi.Py_IncRef, ctypes.py_object(obj)
    for _ in range(n):
        incref(ref)


def qt_floor(page, app, reps: int) -> list[float]:
    """Repaint times of the same visible cells from a QStandardItemModel (no Python per cell)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QAbstractItemView, QTableView

    model, first_last = page.model, page.ticker.visible_rows()
    copy = QStandardItemModel(first_last[1] - first_last[0] + 1, model.columnCount())
    for r in range(first_last[0], first_last[1] + 1):
        for c in range(model.columnCount()):
            item = QStandardItem(model.data(model.index(r, c)) or "")
            colour = model.data(model.index(r, c), Qt.ItemDataRole.ForegroundRole)
            if colour is not None:
                item.setForeground(colour)
            copy.setItem(r - first_last[0], c, item)
    view = QTableView()
    view.setModel(copy)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(page.table.verticalHeader().defaultSectionSize())
    for c in range(model.columnCount()):
        view.setColumnWidth(c, page.table.columnWidth(c))
    view.resize(page.table.size())
    view.show()
    app.processEvents()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        view.viewport().repaint()
        times.append((time.perf_counter() - t0) * 1000)
    view.close()
    view.deleteLater()
    return times


def one_tick(page, app) -> tuple[float, float, float]:
    """tick(), processEvents(), viewport().repaint(): the seconds each took."""
    t0 = time.perf_counter()
    page.ticker.tick()
    t1 = time.perf_counter()
    app.processEvents()
    t2 = time.perf_counter()
    page.table.viewport().repaint()
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2


def run_loop(seconds: float) -> None:
    """The Qt event loop with its real timers for `seconds`."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    loop = QEventLoop()
    stop = QTimer(singleShot=True, timerType=Qt.TimerType.PreciseTimer)  # a coarse one may end 5 % early
    stop.timeout.connect(loop.quit)
    stop.start(int(seconds * 1000))
    loop.exec()


def visible_state(desk: Desk, clock: Clock) -> str:
    from desktop_helpdesk.ui.kit.countdown import urgent_of

    page = desk.page
    first, last = page.ticker.visible_rows()
    states = Counter()
    for r in range(first, last + 1):
        found = urgent_of(desk.ctx.calendars.live_clocks(page.model.row_at(r)), clock())
        states[found[2].value if found else "no clock"] += 1
    return (f"rows loaded {page.model.rowCount()}, visible rows {first}..{last} ({last - first + 1}), "
            f"window {desk.window.width()}x{desk.window.height()}, table viewport "
            f"{page.table.viewport().width()}x{page.table.viewport().height()}; visible states {dict(states)}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.bench_countdowns", description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="a tenth of the default sizes")
    ap.add_argument("--db", type=Path, help="database file (default benchmarks/data/lists[-small].sqlite3)")
    ap.add_argument("--reps", type=int, default=1000, help="timed ticks for (a) (default 1000)")
    ap.add_argument("--idle", type=float, default=60.0, help="seconds of idling for (b) (default 60)")
    ap.add_argument("--ticks", type=int, default=600, help="accelerated ticks for (c) (default 600)")
    ap.add_argument("--real-idle", type=float, default=0.0, metavar="SECONDS",
                    help="also measure RSS over this many seconds of real idling (600 = 10 minutes)")
    ap.add_argument("--language", default="vi", choices=("vi", "en"), help="the app's language (default vi)")
    ap.add_argument("--profile", action="store_true", help="print a cProfile of 200 ticks")
    ap.add_argument("--alerts", action="store_true",
                    help="also start the alert checks as app.main() does (on a throw-away copy of the database)")
    args = ap.parse_args(argv)

    sizes = {k: v // 10 for k, v in DEFAULTS.items() if k != "seed"} if args.small else {
        k: v for k, v in DEFAULTS.items() if k != "seed"}
    path = args.db or HERE / "data" / ("lists-small.sqlite3" if args.small else "lists.sqlite3")
    gen = generate(path, **sizes, seed=DEFAULTS["seed"])
    print(f"database {path}: {'reused' if gen.reused else f'generated in {gen.seconds:.1f} s'}; {gen.counts}")

    run_path = path
    if args.alerts:  # the checks write alerts: keep the cached file as generated
        run_path = path.with_name(f"{path.stem}.alerts-run{path.suffix}")
        t0 = time.perf_counter()
        shutil.copyfile(path, run_path)
        print(f"copied to {run_path} in {time.perf_counter() - t0:.1f} s for --alerts")

    # Keep the app's folders (settings, logs, Qt's) out of the user's home, as the tests do.
    home = Path(tempfile.mkdtemp(prefix="bench-countdowns-"))
    for var, sub in (("HOME", ""), ("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"),
                     ("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state")):
        os.environ[var] = str(home / sub)

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0]])
    lost_true, lost_none = refs_lost()
    if lost_true or lost_none:
        print(f"WARNING: this PySide6 loses {lost_true:g} reference(s) to True per Signal.emit() and {lost_none:g} "
              f"to None per void call (True has {sys.getrefcount(True)}, None {sys.getrefcount(None)}); "
              f"compensating 1,000,000 of each so this run cannot abort")
        compensate_refs(True, 1_000_000)
        compensate_refs(None, 1_000_000)
    clock = Clock(END.replace(tzinfo=UTC))
    t0 = time.perf_counter()
    desk = Desk(run_path, home, args.language, clock, alerts=args.alerts)
    page = desk.page
    alerts_note = ""
    if args.alerts:
        alerts_note = f" (first alert check included: {len(desk.window.alerts.last_shown)} new alerts)"
    print(f"{machine()}\nwindow open and first page shown in {time.perf_counter() - t0:.2f} s{alerts_note}; "
          f"{visible_state(desk, clock)}")
    for _ in range(10):  # warm-up: first paints, font and glyph caches
        clock.advance()
        one_tick(page, app)

    # (c) memory over accelerated ticking, first so that nothing else has ticked much yet.
    gc.collect()
    before = rss_mb()
    for _ in range(args.ticks):
        clock.advance()
        one_tick(page, app)
    after_ticks = rss_mb()
    gc.collect()
    after_gc = rss_mb()
    print(f"\n(c) RSS {before:.1f} MB -> {after_ticks:.1f} MB after {args.ticks} ticks a minute apart "
          f"({args.ticks / 60:.0f} h of ticking, accelerated): {after_ticks - before:+.2f} MB "
          f"({after_gc - before:+.2f} MB after gc.collect()); target <= {MEMORY_TARGET_MB} MB")

    # (a) the cost of one tick.
    parts = ([], [], [])
    totals = []
    for _ in range(args.reps):
        clock.advance()
        times = one_tick(page, app)
        for p, t in zip(parts, times):
            p.append(t * 1000)
        totals.append(sum(times) * 1000)
    verdict = "ok" if statistics.quantiles(totals, n=20)[18] <= TICK_TARGET_MS else "MISSED"
    print(f"\n(a) one tick, total: {summary(totals)}; target <= {TICK_TARGET_MS} ms: {verdict}")
    for name, p in zip(("tick() (dataChanged)", "processEvents() (dirty cells painted)",
                        "viewport().repaint() (whole table)"), parts):
        print(f"    {name}: {summary(p)}")
    app_path = []
    for _ in range(args.reps):  # what the app pays each minute: no forced repaint of the whole table
        clock.advance()
        t0 = time.perf_counter()
        page.ticker.tick()
        app.processEvents()
        app_path.append((time.perf_counter() - t0) * 1000)
    print(f"(a') tick() + processEvents() only, as in the app: {summary(app_path)}")
    page.table.selectRow(0)  # an operator looking at a ticket: its detail, with its clocks, ticks too
    desk.wait(lambda: desk.jobs.pending == 0 and page._details is not None, 60)
    selected = []
    for _ in range(min(args.reps, 300)):
        clock.advance()
        t0 = time.perf_counter()
        page.ticker.tick()
        app.processEvents()
        selected.append((time.perf_counter() - t0) * 1000)
    print(f"(a'') the same with the first ticket selected (its clocks label re-rendered each tick): {summary(selected)}")
    page.table.clearSelection()
    page.table.setCurrentIndex(page.model.index(-1, -1))
    print(f"    {visible_state(desk, clock)}")
    floor = qt_floor(page, app, min(args.reps, 300))
    print(f"    floor: the same visible cells from a QStandardItemModel, viewport().repaint(): {summary(floor)}")
    true0, none0 = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(100):
        page.ticker.tick()
    print(f"    references lost per tick (PySide6 refcount bug; 0 when healthy): "
          f"True {(true0 - sys.getrefcount(True)) / 100:g}, None {(none0 - sys.getrefcount(None)) / 100:g}")

    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        for _ in range(200):
            clock.advance()
            one_tick(page, app)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)

    # (b) idle CPU with the real timers for args.idle seconds.
    desk.wait(lambda: desk.jobs.pending == 0, 60)
    ticks0 = page.ticker.ticks
    raised = []
    desk.window.alerts.alerts_raised.connect(lambda new: raised.append(len(new)))
    gc.collect()
    cpu0, proc0, wall0 = cpu_seconds(), time.process_time(), time.perf_counter()
    run_loop(args.idle)
    cpu, proc, wall = cpu_seconds() - cpu0, time.process_time() - proc0, time.perf_counter() - wall0
    share = cpu / wall
    alerts_note = f"; alert checks that raised alerts: {len(raised)} ({sum(raised)} alerts)" if args.alerts else ""
    print(f"\n(b) idle {wall:.1f} s with the tickets view open: CPU {cpu * 1000:.1f} ms (getrusage user+sys), "
          f"{proc * 1000:.1f} ms (process_time) = {share:.4%} of one core; {page.ticker.ticks - ticks0} real "
          f"tick(s){alerts_note}; target <= {IDLE_TARGET:.0%}: {'ok' if share <= IDLE_TARGET else 'MISSED'}")

    # (b') the same with the dashboard shown instead (the start view): it is read again on the
    # worker once a minute while visible.
    desk.window.show_view("dashboard")
    desk.wait(lambda: desk.jobs.pending == 0 and desk.window.dashboard.data is not None, 120)
    builds = []
    from desktop_helpdesk.services import dashboard as dashboard_service

    build = dashboard_service.build  # the dashboard view submits services.dashboard.build

    def timed_build(ctx):
        t0 = time.perf_counter()
        try:
            return build(ctx)
        finally:
            builds.append(time.perf_counter() - t0)

    dashboard_service.build = timed_build
    gc.collect()
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    run_loop(args.idle)
    desk.wait(lambda: desk.jobs.pending == 0, 60)
    cpu, wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
    share = cpu / wall
    print(f"(b') idle {wall:.1f} s with the dashboard shown: CPU {cpu * 1000:.1f} ms = {share:.4%} of one core; "
          f"{len(builds)} dashboard refresh(es) on the worker, "
          f"{', '.join(f'{b * 1000:.0f} ms' for b in builds)}; target <= {IDLE_TARGET:.0%}: "
          f"{'ok' if share <= IDLE_TARGET else 'MISSED'}")
    dashboard_service.build = build
    desk.window.show_view("tickets")
    desk.wait(lambda: desk.jobs.pending == 0, 60)

    if args.alerts:  # what a check costs once every old breach has been alerted (steady state)
        from desktop_helpdesk.services import alerts as alerts_service
        from desktop_helpdesk.ui.kit.worker import LONG

        desk.wait(lambda: desk.jobs.pending == 0, 600)
        backlog, t0 = 0, time.perf_counter()
        while True:
            new = desk.jobs.run_sync(alerts_service.check, lane=LONG)
            backlog += len(new)
            if not new:
                break
        print(f"    alert backlog drained: {backlog} more alerts in {time.perf_counter() - t0:.1f} s")
        costs = []
        for _ in range(3):
            cpu0, wall0 = cpu_seconds(), time.perf_counter()
            desk.jobs.run_sync(alerts_service.check, lane=LONG)
            costs.append((cpu_seconds() - cpu0, time.perf_counter() - wall0))
        cpu = statistics.median(c for c, _w in costs)
        print(f"    one alert check with nothing new: CPU {cpu * 1000:.0f} ms, wall "
              f"{statistics.median(w for _c, w in costs) * 1000:.0f} ms = {cpu / 60:.3%} of one core at one a minute")

    if args.real_idle:
        gc.collect()
        before, ticks0, cpu0, wall0 = rss_mb(), page.ticker.ticks, cpu_seconds(), time.perf_counter()
        run_loop(args.real_idle)
        after, cpu, wall = rss_mb(), cpu_seconds() - cpu0, time.perf_counter() - wall0
        print(f"\n(c') real idle {wall:.0f} s: RSS {before:.1f} MB -> {after:.1f} MB ({after - before:+.2f} MB), "
              f"{page.ticker.ticks - ticks0} real ticks, CPU {cpu:.2f} s = {cpu / wall:.4%} of one core")

    desk.close()
    if run_path != path:
        for leftover in run_path.parent.glob(f"{run_path.stem}*"):
            leftover.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
