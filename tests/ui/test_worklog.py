"""The work log in the ticket view, driven like an operator would: keys, the dialog, the
history list, corrections and the visit report."""

from __future__ import annotations

from desktop_helpdesk.services import catalog, tickets

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_helpdesk.domain.worklog import WorkLogDraft
from desktop_helpdesk.services import worklog as worklog_service
from desktop_helpdesk.ui.tickets.worklog import WorkLogDialog

from .conftest import FIXED_NOW, type_text


def _open_ticket(desk):
    window = desk.window
    window.show_view("tickets")
    desk.idle()
    page = window.pages["tickets"]
    page.table.selectRow(0)
    desk.idle()
    return page, page.model.row_at(0)


def _dialog(page) -> WorkLogDialog:
    dialog = page.worklog.dialog
    assert isinstance(dialog, WorkLogDialog) and dialog.isVisible()
    return dialog


def test_a_call_with_its_duration_is_logged_with_the_keyboard_only(open_desk, qtbot):
    desk = open_desk(demo=True)
    page, row = _open_ticket(desk)
    before = len(tickets.get_ticket(desk.ctx, row.id).history)
    page.table.setFocus()  # the ticket was just picked in the list
    qtbot.keyClick(page.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    dialog = _dialog(page)
    desk.idle()
    assert dialog.current_kind() == "call"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.duration)
    assert not dialog.save_button.isEnabled()  # a call needs its duration
    qtbot.keyClicks(dialog.duration, "1h5")
    qtbot.keyClick(dialog.duration, Qt.Key.Key_Tab)
    type_text(dialog.body, "Khách báo máy in kẹt giấy")
    with qtbot.waitSignal(page.worklog.entry_added, timeout=10_000):
        qtbot.keyClick(dialog.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    desk.idle()
    history = tickets.get_ticket(desk.ctx, row.id).history
    assert len(history) == before + 1
    call = next(e for e in history if e.kind == "call")
    assert call.duration_minutes == 65 and call.details["direction"] == "in"
    assert call.body == "Khách báo máy in kẹt giấy"
    texts = [page.worklog.tree.topLevelItem(i).text(page.worklog.COL_TEXT)
             for i in range(page.worklog.tree.topLevelItemCount())]
    assert "Incoming call · 1 h 5 min · Khách báo máy in kẹt giấy" in texts


def test_invalid_values_are_explained_beside_the_field_in_vietnamese(open_desk, qtbot, translator):
    desk = open_desk(demo=True)
    translator.set_language("vi")
    page, _row = _open_ticket(desk)
    dialog = page.worklog.add_entry("call")
    qtbot.keyClicks(dialog.duration, "abc")
    assert dialog.form.rows["duration_minutes"].error.text() == \
        "Nhập số phút (ví dụ 12) hoặc giờ và phút (ví dụ 1:30 hoặc 1h30)."
    dialog.duration.clear()
    qtbot.keyClicks(dialog.duration, "0")
    assert dialog.form.rows["duration_minutes"].error.text() == "Thời lượng phải ít nhất một phút."
    assert not dialog.save_button.isEnabled()
    dialog._discard_confirmed = True
    dialog.reject()


def test_each_kind_appears_in_the_history_in_time_order_and_a_correction_names_its_original(open_desk, qtbot):
    desk = open_desk(demo=True)
    page, row = _open_ticket(desk)
    op = catalog.operators(desk.ctx)[0].id
    at = lambda minutes: FIXED_NOW - timedelta(minutes=minutes)  # noqa: E731
    # A ticket received more than the hour this work log spans ago: no work before it came in.
    i = next(i for i in range(page.model.rowCount()) if page.model.row_at(i).received_at <= at(120))
    page.table.selectRow(i)
    desk.idle()
    row = page.model.row_at(i)
    add = lambda draft: worklog_service.add_entry(desk.ctx, row.id, op, draft)  # noqa: E731
    add(WorkLogDraft("email", details={"direction": "received", "subject": "Ảnh chụp lỗi", "address": "kt@example.vn"},
                     occurred_at=at(10)))
    call = add(WorkLogDraft("call", details={"direction": "out", "duration_minutes": 12}, occurred_at=at(50)))
    add(WorkLogDraft("remote_session", details={"tool": "teamviewer", "session_id": "1 234 567 890",
                                                "duration_minutes": 20}, occurred_at=at(40)))
    add(WorkLogDraft("visit", details={"scheduled_at": at(35), "technician_id": op, "address": "Số 5 Hàng Bài",
                                       "started_at": at(30), "ended_at": at(15), "outcome": "partly_resolved"}))  # the ticket stays open
    add(WorkLogDraft("note", body="Đã gửi tài liệu", occurred_at=at(5)))
    page._entry_added(row.id)
    desk.idle()
    tree = page.worklog.tree
    kinds = [tree.topLevelItem(i).text(page.worklog.COL_KIND) for i in range(tree.topLevelItemCount())]
    work = [k for k in kinds if not k.endswith("Change")]
    assert work == ["☎ Call", "⇄ Remote session", "⌂ On-site visit", "✉ E-mail", "✎ Note"]

    # Correct the call: select it, Enter opens the correction with its values.
    index = next(i for i in range(tree.topLevelItemCount())
                 if tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) == call)
    tree.setCurrentItem(tree.topLevelItem(index))
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    dialog = _dialog(page)
    assert dialog.duration.text() == "12" and not dialog.kind.isEnabled()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.reason)
    assert not dialog.save_button.isEnabled()  # a correction says what was wrong
    type_text(dialog.reason, "Thời lượng sai")
    dialog.duration.selectAll()
    qtbot.keyClicks(dialog.duration, "21")
    with qtbot.waitSignal(page.worklog.entry_added, timeout=10_000):
        qtbot.keyClick(dialog.duration, Qt.Key.Key_Return)
    desk.idle()
    history = tickets.get_ticket(desk.ctx, row.id).history
    correction = next(e for e in history if e.corrects_id == call)
    assert correction.duration_minutes == 21 and correction.details["reason"] == "Thời lượng sai"
    assert next(e for e in history if e.id == call).duration_minutes == 12  # the original is untouched
    items = {tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole): tree.topLevelItem(i)
             for i in range(tree.topLevelItemCount())}
    assert items[call].text(page.worklog.COL_TEXT).startswith("[corrected later]")
    assert items[correction.id].text(page.worklog.COL_TEXT).startswith("Correction of the entry of")


def test_the_history_offers_no_way_to_edit_or_delete(open_desk):
    desk = open_desk(demo=True)
    page, _row = _open_ticket(desk)
    panel = page.worklog
    from PySide6.QtWidgets import QAbstractButton

    labels = [b.text().replace("&", "").lower() for b in panel.findChildren(QAbstractButton)]
    assert labels and not [t for t in labels if any(w in t for w in ("edit", "delete", "remove"))]
    assert panel.tree.editTriggers() == panel.tree.EditTrigger.NoEditTriggers
    from desktop_helpdesk.ui.tickets.worklog import WorkLogPanel

    own = set(vars(WorkLogPanel))
    assert not [n for n in own if n.startswith(("edit", "delete", "remove", "update"))]


def test_a_long_pasted_subject_stays_whole_and_is_said_too_long(open_desk, qtbot):
    desk = open_desk(demo=True)
    page, _row = _open_ticket(desk)
    dialog = page.worklog.add_entry("email")
    pasted = "Hóa đơn " * 50  # 400 characters, as pasted from the customer's e-mail
    QApplication.clipboard().setText(pasted)
    dialog.subject.setFocus()
    dialog.subject.paste()  # Ctrl+V
    assert dialog.subject.text() == pasted  # never cut short without a word
    assert "300" in dialog.form.rows["subject"].error.text()
    assert not dialog.save_button.isEnabled()
    dialog._discard_confirmed = True
    dialog.reject()
