"""The command line, as a user (or an installer script) runs it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _run(*args, timeout=120):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "desktop_helpdesk", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_help_explains_every_option():
    out = _run("--help").stdout
    for option in ("--data-dir", "--database-url", "--lang", "--demo", "--self-test"):
        assert option in out


def test_self_test_with_demo_data_exits_zero_and_says_what_it_checked(tmp_path):
    result = _run("--demo", "--self-test", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("self-test OK") and "customers 48" in result.stdout
    assert "export xlsx + csv (111 tickets) and a PDF report written" in result.stdout
    assert (tmp_path / "helpdesk.sqlite3").exists()
    assert (tmp_path / "logs" / "desktop-helpdesk.log").exists()


@pytest.mark.postgresql_only
def test_self_test_with_demo_data_on_the_team_server(db_url, tmp_path):
    """The same check against an empty database on a real PostgreSQL server: migrated,
    filled with the demo, every view and export working, nothing written beside it."""
    result = _run("--demo", "--self-test", "--database-url", db_url, "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("self-test OK") and "customers 48" in result.stdout
    assert "export xlsx + csv (111 tickets) and a PDF report written" in result.stdout
    assert not (tmp_path / "helpdesk.sqlite3").exists()


def test_self_test_on_a_corrupt_database_fails_with_a_reason_and_no_traceback(tmp_path):
    (tmp_path / "helpdesk.sqlite3").write_bytes(b"garbage" * 1000)
    result = _run("--self-test", "--lang", "vi", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert "hỏng" in result.stderr and "Traceback" not in result.stderr + result.stdout
    assert (tmp_path / "helpdesk.sqlite3").read_bytes() == b"garbage" * 1000


def test_an_unhandled_exception_is_logged_with_traceback_and_shown_briefly(tmp_path, caplog):
    from desktop_helpdesk.app import make_excepthook

    shown = []
    hook = make_excepthook(tmp_path / "desktop-helpdesk.log", shown.append)
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        hook(type(exc), exc, exc.__traceback__)
    record = next(r for r in caplog.records if "unhandled exception" in r.getMessage())
    assert "Traceback" in record.getMessage() and "RuntimeError: boom" in record.getMessage()
    assert len(shown) == 1 and "Traceback" not in shown[0] and "desktop-helpdesk.log" in shown[0]


pytestmark = pytest.mark.allow_log_errors


def test_a_data_folder_that_cannot_be_created_is_explained_not_a_traceback(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    result = _run("--self-test", "--lang", "vi", "--data-dir", str(blocker / "helpdesk"))
    assert result.returncode != 0
    assert "không tạo được thư mục dữ liệu" in result.stderr and "Traceback" not in result.stderr
