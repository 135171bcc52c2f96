"""The support calendar editor: the year's public holidays in the current language, adding a
firm's day off (with the list, a confirmation to remove), and saving with progress moves the
running clocks' due times."""

from __future__ import annotations

from desktop_helpdesk.services import catalog

from datetime import date, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.factories import warranty_ticket

from .conftest import type_text

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _due(desk, ticket_id):
    with desk.ctx.uow() as uow:
        stored, _terms = uow.tickets.clock_columns(ticket_id)
    return stored["proposal"]["due_at"].astimezone(VN)


def _rows(dialog):
    t = dialog.table
    return [tuple(t.item(r, c).text() for c in range(t.columnCount())) for r in range(t.rowCount())]


def test_adding_a_day_off_and_saving_moves_the_due_time_with_progress(open_desk, translator, qtbot):
    from PySide6.QtWidgets import QApplication

    from desktop_helpdesk.ui.kit.qt_i18n import LanguageSwitcher

    desk = open_desk()
    switcher = LanguageSwitcher(QApplication.instance(), translator)
    switcher.set_language("vi")
    # Received Saturday 10:00: four working hours on Monday.
    tid = warranty_ticket(desk.ctx, hours="office", subject="Hướng dẫn in báo cáo tồn kho", request_type="how_to")
    assert _due(desk, tid) == datetime(2026, 11, 23, 12, 0, tzinfo=VN)
    desk.window.act_calendar.trigger()
    dialog = desk.window.last_dialog
    desk.idle()
    qtbot.waitUntil(lambda: dialog.loaded)
    assert dialog.year.value() == 2026
    rows = _rows(dialog)
    assert any(r[0] == "02/09/2026" and "Quốc khánh" in r[3] for r in rows)  # named in Vietnamese
    assert any(r[0] == "24/11/2026" for r in rows)  # the new holiday since 2026

    type_text(dialog.date, "23/11/2026")
    type_text(dialog.name, "Nghỉ dã ngoại công ty")
    qtbot.mouseClick(dialog.add_off, Qt.MouseButton.LeftButton)
    row = next(r for r in _rows(dialog) if r[0] == "23/11/2026")
    assert row[1] == "Thứ Hai" and "Ngày nghỉ riêng" in row[2] and "Nghỉ dã ngoại công ty" in row[3]
    assert _due(desk, tid) == datetime(2026, 11, 23, 12, 0, tzinfo=VN)  # nothing written before Save

    progress = []
    dialog.relay.progressed.connect(lambda done, total: progress.append((done, total)))
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == [1] and progress[-1] == (1, 1) and dialog.progress is None
    assert "1" in dialog.status.text()
    assert _due(desk, tid) == datetime(2026, 11, 25, 12, 0, tzinfo=VN)  # past the day off and 24/11, a holiday

    # Removing asks first; "No" keeps the day.
    dialog._select(date(2026, 11, 23))
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    dialog.confirm_box.button(QMessageBox.StandardButton.No).click()
    assert dialog.pending == {}
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    dialog.confirm_box.button(QMessageBox.StandardButton.Yes).click()
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert _due(desk, tid) == datetime(2026, 11, 23, 12, 0, tzinfo=VN)
    assert catalog.calendar_days(desk.ctx) == []
    switcher.set_language("en")  # the holidays are renamed with the language
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Support calendar")
    assert any(r[0] == "Sep 2, 2026" and r[1] == "Wednesday" and r[2] == "Public holiday" and r[3] == "National Day"
               for r in _rows(dialog))
    dialog.close()


def test_a_day_that_is_already_off_is_refused_with_a_message(open_desk, qtbot):
    desk = open_desk()
    desk.window.act_calendar.trigger()
    dialog = desk.window.last_dialog
    qtbot.waitUntil(lambda: dialog.loaded)
    type_text(dialog.date, "02/09/2026")
    type_text(dialog.name, "Quốc khánh")
    qtbot.mouseClick(dialog.add_off, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Sep 2, 2026 is already a day off." and dialog.pending == {}
    dialog.close()


def test_cancel_stops_the_recompute_between_batches_and_the_days_stay_saved(open_desk, vietnamese, qtbot):
    from PySide6.QtWidgets import QPushButton

    from tests.factories import more_tickets

    from .holding import hold_first_report

    desk = open_desk()
    first = warranty_ticket(desk.ctx, hours="office", subject="Hướng dẫn in báo cáo tồn kho", request_type="how_to")
    ids = [first, *more_tickets(desk.ctx, first, 3)]  # received Saturday 10:00: due Monday 23/11 12:00
    assert {_due(desk, tid) for tid in ids} == {datetime(2026, 11, 23, 12, 0, tzinfo=VN)}
    desk.window.act_calendar.trigger()
    dialog = desk.window.last_dialog
    qtbot.waitUntil(lambda: dialog.loaded)
    dialog.batch = 1  # one ticket per committed batch: four batches
    type_text(dialog.date, "23/11/2026")
    type_text(dialog.name, "Nghỉ dã ngoại công ty")
    qtbot.mouseClick(dialog.add_off, Qt.MouseButton.LeftButton)
    go = hold_first_report(dialog.relay, when=lambda done, total: done >= 1)  # past the (0, total) report

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress is not None and dialog.progress.isVisible()
                    and dialog.progress.value() == 1, timeout=5000)
    qtbot.mouseClick(dialog.progress.findChild(QPushButton), Qt.MouseButton.LeftButton)
    assert dialog.progress.labelText() == "Đang dừng sau khi tính lại xong các phiếu đang dở…"
    with qtbot.waitSignal(dialog.stopped, timeout=10_000) as stopped:
        go.set()
    done, total = stopped.args
    assert total == 4 and 1 <= done < total  # stopped at the next batch boundary, not at the end
    moved = [tid for tid in ids if _due(desk, tid) == datetime(2026, 11, 25, 12, 0, tzinfo=VN)]
    assert len(moved) == done
    assert all(_due(desk, tid) == datetime(2026, 11, 23, 12, 0, tzinfo=VN) for tid in ids if tid not in moved)
    assert [d.day for d in catalog.calendar_days(desk.ctx)] == [date(2026, 11, 23)]  # saved before the first batch
    assert dialog.status.text() == (f"Đã dừng: đã tính lại {done} trên 4 phiếu đang mở. Các ngày đã được lưu; "
                                    "các phiếu còn lại vẫn giữ hạn xử lý cũ cho đến khi bạn bấm Lưu lần nữa.")
    row = next(r for r in _rows(dialog) if r[0] == "23/11/2026")
    assert "chưa lưu" not in row[3] and dialog.pending == {}  # shown as saved, as it is
    assert dialog.save_button.isEnabled() and dialog.progress is None

    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:  # as the message says: Save again
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == [4] and {_due(desk, tid) for tid in ids} == {datetime(2026, 11, 25, 12, 0, tzinfo=VN)}
    assert not dialog.save_button.isEnabled()
    dialog.close()


def test_saturday_mornings_chosen_in_the_calendar_window_move_a_clock_to_saturday(open_desk, vietnamese, qtbot):
    """Received Saturday 10:00 on office hours: due Monday 12:00 with a Monday-to-Friday week;
    with Saturday mornings worked, 2 of its 4 working hours fall that same morning."""
    desk = open_desk()
    tid = warranty_ticket(desk.ctx, hours="office", subject="Hướng dẫn in báo cáo tồn kho", request_type="how_to")
    assert _due(desk, tid) == datetime(2026, 11, 23, 12, 0, tzinfo=VN)
    desk.window.act_calendar.trigger()
    dialog = desk.window.last_dialog
    desk.idle()
    qtbot.waitUntil(lambda: dialog.loaded)
    assert dialog.week.currentText() == "Thứ Hai đến thứ Sáu" and not dialog.week_button.isEnabled()
    dialog.week.setCurrentIndex(dialog.week.findData("mon_fri_sat_morning"))
    assert dialog.week.currentText() == "Thứ Hai đến thứ Sáu và sáng thứ Bảy" and dialog.week_button.isEnabled()
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.mouseClick(dialog.week_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Đã lưu; đã tính lại 1 phiếu đang mở."
    assert _due(desk, tid) == datetime(2026, 11, 23, 10, 0, tzinfo=VN)  # 10–12 Saturday, 8–10 Monday
    assert catalog.working_week(desk.ctx) == "mon_fri_sat_morning" and not dialog.week_button.isEnabled()
