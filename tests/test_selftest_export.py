"""The self-test exports the ticket list to Excel and CSV: a subject stored with control
characters (before the input rules refused them, or written by another program) once made
openpyxl refuse the whole workbook and the self-test fail."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys


def _run(*args, timeout=180):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "desktop_helpdesk", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_the_self_test_survives_every_control_character_in_a_subject(tmp_path):
    first = _run("--demo", "--self-test", "--data-dir", str(tmp_path))
    assert first.returncode == 0, first.stderr
    controls = "".join(chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)])
    with sqlite3.connect(tmp_path / "helpdesk.sqlite3") as db:
        changed = db.execute("UPDATE tickets SET subject = ? || subject WHERE status <> 'closed'", (controls,)).rowcount
    assert changed > 0
    result = _run("--self-test", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "export xlsx + csv" in result.stdout and "Traceback" not in result.stderr
