"""The caller-verification window: tries left after a wrong answer, and the refusal once a
customer had too many wrong answers in the hour (in the user's language, with the time to
try again), which stops taking answers until then."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt

from desktop_helpdesk.domain.verification import MAX_FAILED_ATTEMPTS
from desktop_helpdesk.services import customers
from desktop_helpdesk.services.dto import CustomerDraft
from desktop_helpdesk.ui.tickets.verification import VerifyDialog, clock_time
from tests.factories import Clock
from tests.ui.conftest import FIXED_NOW, type_text

ANSWER = "Nguyễn Thị Hoa"


def _customer_with_a_question(desk) -> tuple[int, int]:
    cid = customers.save_customer(desk.ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))
    return cid, customers.add_verification_question(desk.ctx, cid, "Ai ký hợp đồng?", ANSWER)


def _open(desk, qtbot, cid: int, qid: int) -> VerifyDialog:
    dialog = VerifyDialog(desk.jobs, cid)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: qid in dialog.rows, timeout=5000)
    return dialog


def _answer(desk, qtbot, dialog: VerifyDialog, qid: int, text: str, by_enter: bool = False) -> None:
    answer, check, _result = dialog.rows[qid]
    type_text(answer, text)
    if by_enter:
        qtbot.keyClick(answer, Qt.Key.Key_Return)
    else:
        qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
    desk.idle()


def test_wrong_answers_count_down_then_the_window_refuses_and_says_until_when(open_desk, qtbot):
    clock = Clock(FIXED_NOW)  # 10:00 in Hà Nội
    desk = open_desk(now=clock)
    cid, qid = _customer_with_a_question(desk)
    dialog = _open(desk, qtbot, cid, qid)
    answer, check, result = dialog.rows[qid]
    qtbot.waitUntil(lambda: dialog.focusWidget() is answer, timeout=2000)  # type at once
    assert dialog.notice.isHidden()

    _answer(desk, qtbot, dialog, qid, "Trần Văn Nam", by_enter=True)  # Enter checks; the window stays open
    assert dialog.isVisible() and result.text() == "✘ Does not match"
    assert dialog.notice.text() == f"{MAX_FAILED_ATTEMPTS - 1} tries left this hour for this customer."
    clock.now = FIXED_NOW + timedelta(minutes=1)  # the other wrong answers a minute later
    for _ in range(MAX_FAILED_ATTEMPTS - 2):
        _answer(desk, qtbot, dialog, qid, "Trần Văn Nam")
    assert dialog.notice.text() == "1 try left this hour for this customer."

    _answer(desk, qtbot, dialog, qid, "Lê Thị Hoa")  # the last wrong answer allowed
    assert dialog.notice.isVisible()
    assert dialog.notice.text() == (
        "Too many wrong answers were given for this customer in the last hour, so answers are not "
        "checked now. Try again after 11:00. If the caller needs help before then, ask a lead.")
    assert not answer.isEnabled() and not check.isEnabled()
    notice = dialog.notice  # the window grows to show all of it: no line is cut off
    qtbot.waitUntil(lambda: notice.height() >= notice.heightForWidth(notice.width()), timeout=2000)
    dialog.accept()

    # Another window on this customer (this desk or another) refuses from the start.
    clock.now = FIXED_NOW + timedelta(minutes=30)
    again = _open(desk, qtbot, cid, qid)
    answer, check, _result = again.rows[qid]
    assert "Try again after 11:00." in again.notice.text() and not answer.isEnabled() and not check.isEnabled()
    assert customers.verify_answer(desk.ctx, qid, ANSWER).matched is None  # the service refuses too

    # Left open, the window takes answers again once the hour is over.
    assert again.unlock_timer.isActive() and again.unlock_timer.interval() == (30 * 60 + 1) * 1000
    clock.now = FIXED_NOW + timedelta(hours=1)
    again.unlock_timer.timeout.emit()
    desk.idle()
    assert answer.isEnabled() and check.isEnabled()
    assert again.notice.text() == "1 try left this hour for this customer."  # four wrong answers still count
    again.accept()

    later = _open(desk, qtbot, cid, qid)
    answer, check, result = later.rows[qid]
    assert answer.isEnabled() and check.isEnabled()
    assert later.notice.text() == "1 try left this hour for this customer."  # said before asking
    _answer(desk, qtbot, later, qid, "nguyen thi hoa")
    assert result.text() == "✔ Matches" and later.outcomes == {qid: True}
    later.accept()


def test_the_refusal_is_in_vietnamese_with_the_desks_time(open_desk, qtbot, vietnamese):
    clock = Clock(FIXED_NOW + timedelta(minutes=41, seconds=20))  # 10:41:20 in Hà Nội
    desk = open_desk(now=clock)
    cid, qid = _customer_with_a_question(desk)
    for _ in range(MAX_FAILED_ATTEMPTS):
        customers.verify_answer(desk.ctx, qid, "sai")
    dialog = _open(desk, qtbot, cid, qid)
    assert dialog.windowTitle() == "Xác minh người gọi"
    text = dialog.notice.text()
    assert "sau 11:42" in text and "trưởng nhóm" in text  # rounded up: never a minute too early
    assert not dialog.rows[qid][0].isEnabled()
    vietnamese.set_language("en")  # switching the language retranslates the refusal
    assert "Try again after 11:42." in dialog.notice.text()


def test_the_time_to_try_again_is_the_desks_clock_rounded_up_to_the_minute():
    assert clock_time(FIXED_NOW) == "10:00"
    assert clock_time(FIXED_NOW + timedelta(seconds=1)) == "10:01"
