"""A failure the user cannot fix: the message that says "the details are in the log file" is
only ever shown when the log really has them, with the traceback, once."""

from __future__ import annotations

import logging

import pytest

from desktop_helpdesk.i18n import N_
from desktop_helpdesk.ui.kit.errors import failure_message, log_failure

pytestmark = pytest.mark.allow_log_errors


def _raised(exc: BaseException) -> BaseException:
    try:
        raise exc
    except BaseException as caught:  # noqa: BLE001 - a real traceback, as the worker delivers it
        return caught


def _errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_message_is_short_translated_and_its_traceback_is_logged_once(translator, caplog):
    exc = _raised(RuntimeError("disk I/O error"))
    assert failure_message(N_("The search failed."), exc) == "The search failed. The details are in the log file."
    [record] = _errors(caplog)
    assert record.exc_info[1] is exc and record.getMessage() == "The search failed."
    translator.set_language("vi")
    assert failure_message(N_("The search failed."), exc) == "Không tìm kiếm được. Chi tiết lỗi có trong tệp nhật ký."
    log_failure("database job failed", exc)
    assert len(_errors(caplog)) == 1  # the same failure is not written again by each hand it passes


def test_a_list_that_fails_to_load_is_logged_before_the_window_says_so(open_desk, caplog, monkeypatch):
    from desktop_helpdesk.ui.shell import mainwindow

    desk = open_desk()
    caplog.clear()
    exc = _raised(OSError("database disk image is malformed"))
    desk.window.pages["tickets"].model.load_failed.emit(exc)
    box = desk.window.error_box
    assert box.isVisible() and box.text() == ("Something went wrong while talking to the database. Nothing was lost. "
                                              "The details are in the log file.")
    [record] = _errors(caplog)
    assert record.exc_info[1] is exc and "malformed" in caplog.text
    # A burst of failures (every refresh while the server is away) shows that one box, not
    # a box each that the user must close one by one; the window stays usable.
    for _ in range(3):
        desk.window.pages["customers"].model.load_failed.emit(_raised(OSError("server closed the connection")))
    boxes = [w for w in desk.window.findChildren(mainwindow.QMessageBox) if w.isVisible()]
    assert boxes == [box] and not box.isModal()
