"""One copy of the program per data folder, without a dead end: a lock whose process is gone
is taken over, one another copy holds is explained with "Open anyway" / "Cancel"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_helpdesk.app import acquire_instance_lock, lock_is_stale, open_anyway_box, process_alive

ROOT = Path(__file__).resolve().parents[1]

HOLDER = r"""
import os, sys
from pathlib import Path
from desktop_helpdesk.app import acquire_instance_lock
lock, go_on = acquire_instance_lock(Path(sys.argv[1]), lambda pid, host: False)
print("locked" if lock is not None else "refused", os.getpid(), flush=True)
if sys.argv[2] == "crash":
    os._exit(9)  # no unlock: the lock file stays behind, as after a crash or a power cut
sys.stdin.readline()
"""


def start_holder(lock_file: Path, how: str) -> tuple[subprocess.Popen, int]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock_file), how], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)
    state, pid = proc.stdout.readline().split()
    assert state == "locked"
    return proc, int(pid)


def never_asked(pid, host):
    raise AssertionError(f"asked about a lock held by {pid} on {host}")


@pytest.mark.parametrize("found, pid, host, alive, stale", [
    (False, 0, "", True, True),  # empty or cut-short lock file: nobody can hold it
    (True, 0, "desk-1", True, True),
    (True, 4242, "desk-1", False, True),  # its process is gone
    (True, 4242, "desk-1", True, False),  # a live process (another copy, or a reused id): ask
    (True, 4242, "desk-2", False, False),  # written on another computer: cannot tell, ask
    (True, 4242, "", False, True),
])
def test_when_a_lock_is_stale(found, pid, host, alive, stale):
    assert lock_is_stale(found, pid, host, "desk-1", lambda p: alive) is stale


def test_process_alive_knows_this_process_and_a_finished_one():
    assert process_alive(os.getpid())
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    assert not process_alive(int(done.stdout))


def test_a_lock_left_by_a_crashed_copy_is_taken_over_without_a_word(tmp_path):
    lock_file = tmp_path / "instance.lock"
    proc, _pid = start_holder(lock_file, "crash")
    proc.wait(timeout=30)
    assert lock_file.exists()
    lock, go_on = acquire_instance_lock(lock_file, never_asked)
    assert go_on and lock is not None and lock.isLocked()
    lock.unlock()


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\x00\x00\x00"])
def test_an_unreadable_lock_file_is_taken_over(tmp_path, content):
    """A crash or a full disk while the lock file was written leaves it empty or cut short:
    QLockFile alone says "locked" for ever."""
    from PySide6.QtCore import QLockFile

    lock_file = tmp_path / "instance.lock"
    lock_file.write_bytes(content)
    raw = QLockFile(str(lock_file))
    raw.setStaleLockTime(0)
    assert not raw.tryLock(50)  # what the app did before: "already running" for ever
    lock, go_on = acquire_instance_lock(lock_file, never_asked)
    assert go_on and lock is not None and lock.isLocked()
    lock.unlock()


@pytest.mark.allow_log_errors  # opening anyway is logged as a warning
def test_a_live_copy_is_explained_and_the_user_chooses(tmp_path):
    """Another copy runs with the data folder: Cancel stops, Open anyway opens."""
    lock_file = tmp_path / "instance.lock"
    proc, holder_pid = start_holder(lock_file, "hold")
    try:
        asked = []
        lock, go_on = acquire_instance_lock(lock_file, lambda pid, host: asked.append(pid) or False)
        assert (lock, go_on) == (None, False) and asked == [holder_pid]  # Cancel: nothing opens
        lock, go_on = acquire_instance_lock(lock_file, lambda pid, host: True)  # Open anyway
        # It opens; the live copy keeps its lock (the system lock it holds on the file
        # stops QLockFile from deleting it), so this copy runs without one.
        assert go_on and lock is None
    finally:
        proc.communicate("\n", timeout=30)


def test_the_question_offers_open_anyway_and_cancel_in_vietnamese(qtbot):
    from desktop_helpdesk.i18n import Translator, install
    from desktop_helpdesk.paths import translations_dir

    install(Translator(translations_dir(), "vi"))
    try:
        box, open_button = open_anyway_box(4242, "MAY-TONG-DAI")
        qtbot.addWidget(box)
        assert "4242" in box.text() and "MAY-TONG-DAI" in box.text()
        assert "đang chạy với thư mục dữ liệu này" in box.text()
        assert sorted(b.text() for b in box.buttons()) == sorted(["Vẫn mở", "Hủy"])
        assert box.defaultButton() is not open_button and box.escapeButton() is not open_button
        open_button.click()
        assert box.clickedButton() is open_button
    finally:
        install(None)
