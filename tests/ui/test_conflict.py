"""No silent overwrite, ever (issue #12): two desks on one database open the same record;
the first saves; the second's save is refused with who saved first and when, and the second
operator reloads their version, compares it with what they typed, or keeps theirs on top."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt

from desktop_helpdesk.i18n.formatting import format_datetime
from desktop_helpdesk.services import catalog, customers, tickets
from desktop_helpdesk.services.dto import ListQuery

from .conftest import FIXED_NOW, type_text

THEIRS = "Máy in hoá đơn kẹt giấy – đã thay trục"
MINE = "Máy in hoá đơn không nhận lệnh in"


def _two_desks(open_desk):
    """Desk A signs as the second operator, desk B as the first (what a desk shows of them)."""
    a = open_desk(demo=True)
    b = open_desk()  # the same database: the demo is there already
    second = catalog.operators(a.ctx)[1]
    a.author.set_operator(second)
    return a, b, f"{second.alias} ({second.code})"


def _edit(desk, qtbot, open_it, record_id):
    open_it(record_id)
    qtbot.waitUntil(lambda: getattr(desk.window, "last_dialog", None) is not None
                    and desk.window.last_dialog.record_id == record_id, timeout=5000)
    desk.idle()
    return desk.window.last_dialog


def _closed(dialog) -> bool:
    """Saved and closed (the main window's forms delete themselves on closing)."""
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def _retype(field, text):
    field.selectAll()
    type_text(field, text)


def _a_ticket(desk):
    return tickets.list_tickets(desk.ctx, ListQuery()).rows[0].id


def _refused(b, dialog, qtbot):
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    b.idle()
    qtbot.waitUntil(lambda: not dialog.conflict_bar.isHidden(), timeout=5000)


def _first_saves_then_second_is_refused(open_desk, qtbot):
    a, b, who = _two_desks(open_desk)
    tid = _a_ticket(a)
    da, db = _edit(a, qtbot, a.window.edit_ticket, tid), _edit(b, qtbot, b.window.edit_ticket, tid)
    _retype(da.subject, THEIRS)
    qtbot.mouseClick(da.save_button, Qt.MouseButton.LeftButton)
    a.idle()
    qtbot.waitUntil(lambda: _closed(da), timeout=5000)
    _retype(db.subject, MINE)
    _refused(b, db, qtbot)
    return a, b, who, tid, db


def test_a_save_over_a_colleagues_says_who_and_when_and_compare_lists_the_field(open_desk, qtbot):
    a, b, who, tid, db = _first_saves_then_second_is_refused(open_desk, qtbot)
    assert db.status.text() == (f"{who} changed this ticket at {format_datetime(FIXED_NOW)} after you opened it; "
                                "nothing of yours was saved yet.")
    assert "Nov 21, 2026" in db.status.text()  # the desk's day, 10:00 in Hà Nội
    assert (db.reload_button.text(), db.compare_button.text()) == ("Reload", "Compare")
    assert tickets.get_ticket(b.ctx, tid).draft.subject == THEIRS  # nothing of B's written

    qtbot.mouseClick(db.compare_button, Qt.MouseButton.LeftButton)
    b.idle()
    qtbot.waitUntil(lambda: getattr(db, "compare_dialog", None) is not None and db.compare_dialog.isVisible(), timeout=5000)
    compare = db.compare_dialog
    assert compare.rows == [("Subject", MINE, THEIRS)]  # only the field that differs, nothing else
    assert compare.table.item(0, 1).text() == MINE and compare.table.item(0, 2).text() == THEIRS

    read = tickets.get_ticket(b.ctx, tid)
    qtbot.mouseClick(compare.keep_button, Qt.MouseButton.LeftButton)  # Keep mine
    b.idle()
    qtbot.waitUntil(lambda: _closed(db), timeout=5000)
    saved = tickets.get_ticket(b.ctx, tid)
    assert saved.draft.subject == MINE
    assert saved.version > read.version  # saved on top of theirs, knowingly (a ticket save may bump it twice)


def test_reload_shows_the_colleagues_version_after_asking_and_then_saves(open_desk, qtbot):
    a, b, who, tid, db = _first_saves_then_second_is_refused(open_desk, qtbot)
    qtbot.mouseClick(db.reload_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(db, "reload_box", None) is not None and db.reload_box.isVisible(), timeout=3000)
    assert db.subject.text() == MINE  # nothing dropped before the user agrees
    confirm = next(btn for btn in db.reload_box.buttons() if btn.text() == "Reload")
    qtbot.mouseClick(confirm, Qt.MouseButton.LeftButton)
    b.idle()
    qtbot.waitUntil(lambda: db.subject.text() == THEIRS, timeout=5000)
    assert db.conflict_bar.isHidden() and db.status.isHidden()
    assert db.version == tickets.get_ticket(b.ctx, tid).version
    assert not db.has_unsaved_input()
    db.description.setPlainText("Đã gọi lại cho khách")
    qtbot.mouseClick(db.save_button, Qt.MouseButton.LeftButton)  # now saves on top of theirs
    b.idle()
    qtbot.waitUntil(lambda: _closed(db), timeout=5000)
    saved = tickets.get_ticket(b.ctx, tid).draft
    assert (saved.subject, saved.description) == (THEIRS, "Đã gọi lại cho khách")


def test_in_vietnamese_the_customer_form_names_who_and_when_and_takes_theirs(open_desk, qtbot, vietnamese):
    a, b, who = _two_desks(open_desk)
    cid = customers.list_customers(a.ctx, ListQuery()).rows[0].id
    contacts = len(customers.get_customer(a.ctx, cid).draft.contacts)
    da, db = _edit(a, qtbot, a.window.edit_customer, cid), _edit(b, qtbot, b.window.edit_customer, cid)
    _retype(da.province, "Đà Nẵng")
    qtbot.mouseClick(da.save_button, Qt.MouseButton.LeftButton)
    a.idle()
    qtbot.waitUntil(lambda: _closed(da), timeout=5000)
    _retype(db.province, "Huế")
    _refused(b, db, qtbot)
    assert db.status.text() == (f"{who} đã sửa khách hàng này lúc 21/11/2026 10:00, sau khi bạn mở; "
                                "chưa có thay đổi nào của bạn được lưu.")
    assert (db.reload_button.text(), db.compare_button.text()) == ("Tải lại", "So sánh")

    qtbot.mouseClick(db.compare_button, Qt.MouseButton.LeftButton)
    b.idle()
    qtbot.waitUntil(lambda: getattr(db, "compare_dialog", None) is not None and db.compare_dialog.isVisible(), timeout=5000)
    compare = db.compare_dialog
    assert compare.rows == [("Tỉnh/Thành phố", "Huế", "Đà Nẵng")]  # the label in Vietnamese, only that field
    assert (compare.keep_button.text(), compare.take_button.text()) == ("Giữ của tôi", "Lấy của họ")
    qtbot.mouseClick(compare.take_button, Qt.MouseButton.LeftButton)  # Take theirs
    b.idle()
    qtbot.waitUntil(lambda: db.province.text() == "Đà Nẵng", timeout=5000)
    assert db.contacts.rowCount() == contacts  # loaded again, not added twice
    assert db.conflict_bar.isHidden()


def test_an_open_ticket_follows_a_colleagues_save_and_warns_before_typing_is_lost(open_desk, qtbot):
    """While a ticket is open at desk B, desk A saves it: untouched, B's window shows A's
    version by itself; once B has typed, nothing is replaced and B is told now (with Reload
    and Compare), not only when pressing Save."""
    a, b, who = _two_desks(open_desk)
    tid = _a_ticket(a)
    db = _edit(b, qtbot, b.window.edit_ticket, tid)

    t = tickets.get_ticket(a.ctx, tid)
    tickets.update_ticket(a.ctx, tid, t.version, t.draft.__class__(**{**t.draft.__dict__, "subject": THEIRS}), None)
    qtbot.waitUntil(lambda: db.subject.text() == THEIRS, timeout=10_000)
    assert db.status.text().startswith("Updated: this ticket was changed meanwhile")
    assert db.conflict_bar.isHidden() and not db.has_unsaved_input()

    _retype(db.subject, MINE)
    t = tickets.get_ticket(a.ctx, tid)
    tickets.update_ticket(a.ctx, tid, t.version, t.draft.__class__(**{**t.draft.__dict__, "priority": "high"}), None)
    qtbot.waitUntil(lambda: not db.conflict_bar.isHidden(), timeout=10_000)
    assert db.subject.text() == MINE  # what B typed stays
    assert db.status.text() == (f"{who} changed this ticket at {format_datetime(FIXED_NOW)} after you opened it; "
                                "nothing of yours was saved yet.")
