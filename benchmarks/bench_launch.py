"""Benchmark: the real program started as a user starts it, timed as the user waits (issue #17).

Each run starts a new process of the app (``python -m desktop_helpdesk``) in a real X window
(Xvfb, 1366x768, the xcb platform), on a copy of the 1M-ticket database in its own data folder,
alerts on, and, side by side in the same run, the floor (``benchmarks/launch_floor.py``: a bare
PySide6 window, a SQLAlchemy engine on the same file and Babel, its sign-in dialog and 50 rows).
For each it reports:

* **to sign-in**: from the process start to its sign-in dialog shown;
* **to first data**: from Enter in the sign-in dialog to the start view's first data on screen
  (the dashboard's counts, or the first page of tickets with ``--view tickets``);
* **start-up**: the sum of the two (what the user waits for, typing left out);
* **quit**: from Ctrl+Q to the process gone, ``--settle`` seconds after the first data (the
  start-up's own background work, the first alert check, done by then);
* **rss_mb**: the process's resident memory just before Ctrl+Q;
* **idle_cpu_percent** (``--idle N``): its CPU, all threads, over N seconds left alone (timers,
  countdown ticks, alert checks and refreshes as they come), in % of one core. The app's
  warm-up start then stays 200 s, so its daily backup of the file (2 minutes after the
  start, once a day) is done before the timed runs.

The moments come from the programs themselves (``DESKTOP_HELPDESK_TIMING``, desktop_helpdesk/timing.py):
"shown" is once the dialog's or the window's event loop has run. Keys are sent with xdotool.
``--cold`` drops the kernel's page cache before each start (root only), so the files are read from disk.

    python -m benchmarks.bench_launch --db /work/benchdata/reports-1m.sqlite3 --runs 5
    python -m benchmarks.bench_launch --db … --runs 5 --cold
    python -m benchmarks.bench_launch --db … --runs 5 --view tickets
    python -m benchmarks.bench_launch --db … --runs 1 --idle 300       # + CPU over 5 minutes alone, and RSS
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Bench-2026-launch"


def prepare(db: Path, folder: Path, view: str) -> Path:
    """A data folder holding a copy of `db` as its database, an administrator `bench` with
    PASSWORD, and settings: Vietnamese, that user name remembered, `view` the last view, the
    tour done. Returns the copy's path."""
    from desktop_helpdesk.paths import app_paths

    paths = app_paths(folder)
    paths.ensure()
    copy = paths.database_file
    shutil.copyfile(db, copy)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", f"""
import sqlite3
from desktop_helpdesk.db.engine import open_database, sqlite_url
from desktop_helpdesk.services.accounts import hash_password
engine, _ = open_database(sqlite_url({str(copy)!r}))
engine.dispose()
c = sqlite3.connect({str(copy)!r})
first = c.execute("SELECT id FROM operators ORDER BY id LIMIT 1").fetchone()[0]
c.execute("UPDATE operators SET login = 'bench', role = 'admin', password_hash = ? WHERE id = ?",
          (hash_password({PASSWORD!r}), first))
c.commit()
"""], check=True, env=env)
    settings = {"language": "vi", "last_login": "bench", "last_view": view, "tour_done": True}
    paths.settings_file.parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_text(json.dumps(settings), encoding="utf-8")
    return copy


def xdo(display: str, *args: str) -> str:
    return subprocess.run(["xdotool", *args], env=dict(os.environ, DISPLAY=display), check=False,
                          capture_output=True, text=True).stdout


def focus(display: str, pid: int) -> None:
    """Give the program's newest visible window the keyboard (Xvfb has no window manager)."""
    for _ in range(500):
        windows = xdo(display, "search", "--onlyvisible", "--pid", str(pid)).split()
        if windows:
            xdo(display, "windowfocus", "--sync", windows[-1])
            return
        time.sleep(0.01)


def wait_mark(path: Path, name: str, proc: subprocess.Popen, timeout: float = 120) -> float:
    end = time.time() + timeout
    while time.time() < end:
        if path.exists():
            for line in path.read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == name:
                    return float(value)
        if proc.poll() is not None:
            raise RuntimeError(f"the program ended (code {proc.returncode}) before {name}")
        time.sleep(0.002)
    raise TimeoutError(name)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, all its threads (/proc/PID/stat, clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def one_start(command: list[str], display: str, marks: Path, settle: float, cold: bool, idle: float = 0) -> dict:
    if cold:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    marks.unlink(missing_ok=True)
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", DESKTOP_HELPDESK_TIMING=str(marks),
               PYTHONPATH=str(ROOT))
    env.pop("QT_SCALE_FACTOR", None)
    started = time.time()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        shown = wait_mark(marks, "signin_shown", proc)
        focus(display, proc.pid)
        xdo(display, "type", "--delay", "0", PASSWORD)
        enter = time.time()
        xdo(display, "key", "Return")
        first = wait_mark(marks, "first_data", proc)
        time.sleep(settle)
        if idle:  # the process's own CPU (all threads) over `idle` seconds, the desk left alone
            before = cpu_seconds(proc.pid)
            time.sleep(idle)
            idle_cpu = cpu_seconds(proc.pid) - before
        rss = rss_mb(proc.pid)
        focus(display, proc.pid)
        quit_pressed = time.time()
        xdo(display, "key", "ctrl+q")
        proc.wait(60)
        gone = time.time()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out = {"to_signin": shown - started, "to_first_data": first - enter,
           "startup": (shown - started) + (first - enter), "quit": gone - quit_pressed, "rss_mb": rss}
    if idle:
        out["idle_cpu_percent"] = 100 * idle_cpu / idle
    marks_seen = dict((k, float(v)) for k, _, v in (line.partition(" ") for line in marks.read_text().splitlines()))
    if "window_built" in marks_seen:  # the app's own steps after Enter
        out["password_check"] = marks_seen["signed_in"] - enter
        out["window_build"] = marks_seen["window_built"] - marks_seen["building_window"]
        out["data_after_window"] = first - marks_seen["window_built"]
    if "closed" in marks_seen:  # the quit's own steps after Ctrl+Q
        out["q_event_loop"] = marks_seen["event_loop_ended"] - quit_pressed
        out["q_optimize"] = marks_seen["optimized"] - marks_seen["event_loop_ended"]
        out["q_lanes"] = marks_seen["lanes_stopped"] - marks_seen["optimized"]
        out["q_close"] = marks_seen["closed"] - marks_seen["lanes_stopped"]
        out["q_interpreter_exit"] = gone - marks_seen["closed"]
    return out


def _line(figures: dict) -> str:
    units = {"rss_mb": " MB", "idle_cpu_percent": " %"}
    return ", ".join(f"{k} {v:.3f}{units.get(k, ' s')}" for k, v in figures.items())


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=ROOT / "benchmarks" / "data" / "lists.sqlite3")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--view", choices=("dashboard", "tickets"), default="dashboard")
    ap.add_argument("--settle", type=float, default=5.0, help="seconds between the first data and Ctrl+Q")
    ap.add_argument("--cold", action="store_true", help="drop the page cache before each start (root)")
    ap.add_argument("--display", default=":57")
    ap.add_argument("--idle", type=float, default=0,
                    help="also measure each process's CPU over this many seconds left alone after --settle")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-launch-"))
    xvfb = subprocess.Popen(["Xvfb", args.display, "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        t0 = time.perf_counter()
        copy = prepare(args.db, work / "data", args.view)
        print(f"prepared {copy} ({copy.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - t0:.1f} s; "
              f"load average {open('/proc/loadavg').read().split()[:3]}", flush=True)
        commands = {
            "floor": [sys.executable, "-m", "benchmarks.launch_floor", str(copy)],
            "app": [sys.executable, "-m", "desktop_helpdesk", "--data-dir", str(work / "data")],
        }
        marks = work / "marks.txt"
        # One start of each before timing: the first start after the copy migrates, analyses
        # and runs the first alert check over the backlog (its own cost, measured apart).
        # With --idle the app's warm-up start stays until its daily backup of the file is done
        # (it starts 2 minutes after the window; a once-a-day copy of 2.4 GB is not idling).
        warm_settle = {"floor": args.settle, "app": max(args.settle, 200.0) if args.idle else args.settle}
        for name, command in commands.items():
            first = one_start(command, args.display, marks, warm_settle[name], False)
            print(f"warm-up {name}: " + _line(first), flush=True)
        results = {name: [] for name in commands}
        for i in range(args.runs):
            for name, command in commands.items():  # alternated, so load changes hit both alike
                r = one_start(command, args.display, marks, args.settle, args.cold, args.idle)
                results[name].append(r)
                print(f"run {i + 1} {name}: " + _line(r), flush=True)
        print(f"\n{'cold' if args.cold else 'warm'} files, start view {args.view}, {args.runs} runs, "
              f"load average {open('/proc/loadavg').read().split()[:3]} at the end")
        print("| measure | floor median (min) | app median (min) | ratio of medians |")
        print("|---|---:|---:|---:|")
        for key in ("to_signin", "to_first_data", "startup", "quit", "rss_mb") + (("idle_cpu_percent",) if args.idle else ()):
            f = [r[key] for r in results["floor"]]
            a = [r[key] for r in results["app"]]
            unit = {"rss_mb": " MB", "idle_cpu_percent": " %"}.get(key, " s")
            print(f"| {key} | {statistics.median(f):.3f}{unit} ({min(f):.3f}) | {statistics.median(a):.3f}{unit} ({min(a):.3f}) "
                  f"| {statistics.median(a) / max(statistics.median(f), 1e-9):.2f}× |")
    finally:
        xvfb.terminate()
        xvfb.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
