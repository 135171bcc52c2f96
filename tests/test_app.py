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


def _no_password_anywhere(result, data_dir, password):
    log_text = "".join(p.read_text(encoding="utf-8") for p in (data_dir / "logs").glob("desktop-helpdesk.log*"))
    assert log_text, "the failure was not logged"
    assert password not in log_text, log_text
    assert password not in result.stdout + result.stderr
    return log_text


@pytest.mark.postgresql_only
def test_a_server_that_is_down_never_puts_the_password_in_the_log(pg_server, tmp_path, engine_kind):
    from tests.db.test_server_admin import closed_port

    url = f"postgresql+psycopg://clerk:S3cret-pw@127.0.0.1:{closed_port()}/x"
    result = _run("--self-test", "--lang", "en", "--database-url", url, "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert "The team server cannot be reached" in result.stderr and "Traceback" not in result.stderr
    log_text = _no_password_anywhere(result, tmp_path, "S3cret-pw")
    assert "clerk:***@127.0.0.1" in log_text  # the address is logged, masked


@pytest.mark.postgresql_only
def test_a_wrong_password_never_reaches_the_log(pg_server, tmp_path, engine_kind):
    from tests.db.test_server_admin import password_role, server_url

    role = password_role(pg_server, "Right-pw-2")
    url = server_url(pg_server, username=role, password="S3cret-pw")
    result = _run("--self-test", "--lang", "vi", "--database-url", url, "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert "từ chối tên người dùng hoặc mật khẩu" in result.stderr
    _no_password_anywhere(result, tmp_path, "S3cret-pw")


def test_a_malformed_address_never_puts_its_password_in_the_log(tmp_path):
    result = _run("--self-test", "--database-url", "postgresql+psycopg://clerk:S3cret-pw@127.0.0.1:notaport/x",
                  "--data-dir", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    _no_password_anywhere(result, tmp_path, "S3cret-pw")


def test_the_log_formatter_masks_a_password_in_a_traceback(tmp_path):
    import logging

    from desktop_helpdesk.app import SecretFreeFormatter

    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "url %s", ("pg://u:S3cret-pw@h/x",), None)
    try:
        raise RuntimeError("dsn=host=h password=S3cret-pw")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    text = SecretFreeFormatter("%(message)s", ["S3cret-pw"]).format(record)
    assert "S3cret-pw" not in text and "RuntimeError" in text and "u:***@h" in text


def test_leaving_skips_pythons_teardown_unless_the_clipboard_holds_what_was_copied(qtbot, monkeypatch):
    """Quitting (issue #17): the process ends at once (os._exit; Python's teardown of the Qt
    objects took half a second), except when this program owns the clipboard: then the
    normal exit lets Qt hand the copied text to the system, so it can still be pasted."""
    import os

    from PySide6.QtWidgets import QApplication

    from desktop_helpdesk import app as app_module

    ended = []
    monkeypatch.setattr(os, "_exit", lambda code: ended.append(code))
    QApplication.clipboard().clear()
    app_module._leave(0)
    assert ended == [0]
    # Offscreen Qt has no system clipboard to own: say what a desktop says after Ctrl+C.
    QApplication.clipboard().setText("YC-2026-000123")
    monkeypatch.setattr(type(QApplication.clipboard()), "ownsClipboard", lambda _self: True)
    with pytest.raises(SystemExit) as left:
        app_module._leave(3)
    assert left.value.code == 3 and ended == [0]
