"""The filter box never traps the keyboard (issue #16): Down moves into its list, Enter opens,
and every shortcut of a list works from its filter (Ctrl+Alt+V from the ticket filter was
ignored). Real widgets, keys only, over the demo data."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QApplication

from desktop_helpdesk.ui.tickets.worklog import WorkLogDialog

CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


def _page(desk, key):
    desk.window.show_view(key)
    desk.idle()
    page = desk.window.pages[key]
    page.filter.setFocus()
    return page


@pytest.mark.parametrize("view", ["customers", "contracts", "tickets"])
def test_down_from_the_filter_goes_into_the_list_and_enter_opens_the_row(open_desk, qtbot, view):
    desk = open_desk(demo=True)
    page = _page(desk, view)
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=5000)
    qtbot.keyClick(page.filter, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is page.table
    assert page.current_row() is not None and page.current_row().id == page.model.row_at(0).id
    page.filter.setFocus()
    with qtbot.waitSignal(page.edit_requested, timeout=5000) as opened:
        qtbot.keyClick(page.filter, Qt.Key.Key_Return)
    assert opened.args == [page.model.row_at(0).id]


def test_ctrl_alt_v_from_the_ticket_filter_logs_a_visit_on_the_chosen_ticket(open_desk, qtbot):
    desk = open_desk(demo=True)
    page = _page(desk, "tickets")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=5000)
    qtbot.keyClick(page.filter, Qt.Key.Key_Down)  # the first ticket chosen
    qtbot.waitUntil(lambda: page.worklog.details is not None, timeout=5000)
    page.filter.setFocus()
    assert QApplication.focusWidget() is page.filter
    qtbot.keyClick(page.filter, Qt.Key.Key_V, CTRL_ALT)
    dialog = page.worklog.dialog
    assert isinstance(dialog, WorkLogDialog) and dialog.isVisible()
    assert dialog.current_kind() == "visit" and dialog.ticket_id == page.current_row().id
    assert page.filter.text() == ""  # the key was not typed into the filter
    dialog.reject()


@pytest.mark.parametrize("view", ["customers", "contracts", "obligations", "tickets"])
def test_every_shortcut_of_a_list_works_from_its_filter(open_desk, qtbot, view):
    desk = open_desk(demo=True)
    page = _page(desk, view)
    shortcuts = page.table.findChildren(QShortcut)
    for shortcut in shortcuts:
        seq = shortcut.key()
        combo = seq[0]
        with qtbot.waitSignal(shortcut.activated, timeout=2000):
            qtbot.keyClick(page.filter, combo.key(), combo.keyboardModifiers())
    # And plain typing still goes into the filter.
    qtbot.keyClicks(page.filter, "an")
    assert page.filter.text() == "an"
