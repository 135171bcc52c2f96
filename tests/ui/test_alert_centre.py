"""The alert centre in the window: the unread count in the status bar, the panel opened with
Ctrl+Shift+A and worked with the keyboard, each operator's own alerts and the team's,
following Switch operator; the optional sound."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_helpdesk.services import catalog, tickets
from desktop_helpdesk.services.dto import OperatorDraft
from tests.factories import Clock, more_tickets, warranty_ticket

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _staff(desk):
    ids = [catalog.add_operator(desk.ctx, OperatorDraft("NV101", "Nguyễn Thị Lan", "Lan", "operator")),
           catalog.add_operator(desk.ctx, OperatorDraft("NV102", "Trần Văn Minh", "Minh", "operator"))]
    by_id = {o.id: o for o in catalog.operators(desk.ctx)}
    return [by_id[i] for i in ids]


def _sign_in(desk, operator):
    desk.window.set_operator(operator)
    desk.idle()


def _check(desk):
    desk.window.alerts.check()
    desk.idle()


def _rows(window) -> list:
    """The panel's alerts as the operator reads them: (what and when due, the ticket or contract)."""
    tree = window.alert_panel.list
    if not tree.isVisible():
        return []
    return [tuple(tree.topLevelItem(i).text(0).split("\n")) for i in range(tree.topLevelItemCount())]


def _count(window) -> str:
    return window.alert_count.text()


def test_an_assignment_shows_in_the_assignees_centre_only(open_desk, qtbot):
    clock = Clock(datetime(2026, 11, 21, 10, 0, tzinfo=VN))
    desk = open_desk(now=clock)
    lan, minh = _staff(desk)
    tid = warranty_ticket(desk.ctx)
    code = tickets.get_ticket(desk.ctx, tid).code
    _sign_in(desk, minh)
    _check(desk)
    details = tickets.get_ticket(desk.ctx, tid)
    tickets.update_ticket(desk.ctx, tid, details.version, replace(details.draft, assignee_id=lan.id), minh.id)
    clock.now += timedelta(minutes=1)
    _check(desk)
    window = desk.window
    window.show_alert_centre()
    desk.idle()
    # Minh assigned it: nothing in his centre, no notification, no count.
    assert _rows(window) == [] and _count(window) == "No new alerts"
    assert not any("Assigned" in title for title, _body in window.alerts.shown_messages)

    _sign_in(desk, lan)  # Switch operator: Lan sits down at the same desk
    assert _rows(window) == [("● Assigned to you", f"{code} — Cân điện tử không nhận")]
    assert _count(window) == "1 unread alert"

    _sign_in(desk, minh)
    assert _rows(window) == [] and _count(window) == "No new alerts"


def test_the_panel_is_worked_with_the_keyboard_and_the_count_follows(open_desk, qtbot):
    clock = Clock(datetime(2026, 11, 21, 10, 0, tzinfo=VN))
    desk = open_desk(now=clock)
    lan, minh = _staff(desk)
    first = warranty_ticket(desk.ctx)
    ids = [first, *more_tickets(desk.ctx, first, 2)]  # three unassigned tickets: the team's alerts
    window = desk.window
    _sign_in(desk, lan)
    window.show_view("tickets")
    window.pages["tickets"].table.setFocus()
    _check(desk)
    clock.now += timedelta(minutes=100)  # their 2-hour proposal clocks are at risk
    _check(desk)
    assert _count(window) == "3 unread alerts"

    qtbot.keyClick(window, Qt.Key.Key_A, CTRL_SHIFT)
    desk.idle()
    panel = window.alert_panel
    assert window.alert_dock.isVisible()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.list)
    assert len(_rows(window)) == 3 and all(what == "▲ At risk · due Nov 21, 2026, 12:00 PM" for what, _about in _rows(window))
    assert panel.heading.text() == "3 unread alerts"

    # Space acknowledges the alert under the cursor: gone from the list, the count falls.
    first_row = _rows(window)[0]
    qtbot.keyClick(panel.list, Qt.Key.Key_Space)
    desk.idle()
    assert len(_rows(window)) == 2 and first_row not in _rows(window)
    assert _count(window) == "2 unread alerts" and panel.heading.text() == "2 unread alerts"

    # Enter opens the ticket of the alert under the cursor.
    alert = panel.list.currentItem().data(0, Qt.ItemDataRole.UserRole)
    qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(window, "last_dialog", None) is not None and window.last_dialog.isVisible())
    assert window.last_dialog.record_id == alert.ticket_id and alert.ticket_id in ids
    window.last_dialog.reject()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    # Ctrl+Shift+Space acknowledges every alert shown.
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Space, CTRL_SHIFT)
    desk.idle()
    assert _rows(window) == [] and _count(window) == "No new alerts"
    assert panel.empty.isVisible() and panel.heading.text() == "No unread alerts"

    # The team's alerts Lan acknowledged are still news to Minh.
    _sign_in(desk, minh)
    assert _count(window) == "3 unread alerts" and len(_rows(window)) == 3

    # Ticked, the acknowledged ones show too (for Lan: all three, none in bold).
    _sign_in(desk, lan)
    panel.show_read.setChecked(True)
    desk.idle()
    tree = panel.list
    assert tree.topLevelItemCount() == 3 and not any(tree.topLevelItem(i).font(0).bold() for i in range(3))

    qtbot.keyClick(tree, Qt.Key.Key_Escape)
    assert not window.alert_dock.isVisible()


def test_the_alert_sound_is_off_until_chosen_and_quiet_in_do_not_disturb(open_desk, qtbot):
    clock = Clock(datetime(2026, 11, 21, 10, 0, tzinfo=VN))
    desk = open_desk(now=clock)
    (lan, _minh) = _staff(desk)
    first = warranty_ticket(desk.ctx)
    more_tickets(desk.ctx, first, 1)
    window = desk.window
    _sign_in(desk, lan)
    _check(desk)
    assert desk.settings.alert_sound is False and not window.act_sound.isChecked()

    window.act_sound.trigger()
    assert desk.settings.alert_sound is True
    clock.now += timedelta(minutes=100)  # both tickets' proposal clocks are at risk: one sound
    _check(desk)
    assert window.alerts.sounds_played == 1

    window.act_dnd.trigger()  # do not disturb: no tray message, no sound; the count still says it
    clock.now += timedelta(minutes=30)  # both breached
    _check(desk)
    assert window.alerts.sounds_played == 1 and _count(window) == "4 unread alerts"  # 2 at risk, 2 breached
