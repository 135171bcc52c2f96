"""The ticket queues and assignment from the keyboard, driven as an operator would: Alt+1…4
choose the queue, Ctrl+Alt+A opens the picker, typing narrows it, Enter assigns; the lead's
dashboard shows each operator's load. Real databases, both engines."""

from __future__ import annotations

import json
from dataclasses import replace

from PySide6.QtCore import Qt
from sqlalchemy import text

from desktop_helpdesk.services import catalog, tickets
from desktop_helpdesk.services.dto import OperatorDraft
from desktop_helpdesk.ui.tickets.assign import AssignPicker
from tests.factories import Clock, more_tickets, warranty_ticket

from .conftest import FIXED_NOW, type_text

ALT = Qt.KeyboardModifier.AltModifier
CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


def _people(desk) -> dict:
    """Lan and Minh in team "Hà Nội", Đạt in "Sài Gòn", Hoa in none; returned as OperatorData."""
    made = {}
    for key, code, name, team in (("lan", "NV002", "Nguyễn Thị Lan", "Hà Nội"), ("minh", "NV003", "Trần Văn Minh", "Hà Nội"),
                                  ("dat", "NV004", "Đỗ Văn Đạt", "Sài Gòn"), ("hoa", "NV005", "Phạm Thị Hoa", "")):
        made[key] = catalog.add_operator(desk.ctx, OperatorDraft(code, name, name.split()[-1], "operator"))
        with desk.engine.begin() as conn:  # the team is set in the lead's operators form (#13)
            conn.execute(text("UPDATE operators SET team = :t WHERE id = :id"), {"t": team or None, "id": made[key]})
    by_id = {o.id: o for o in catalog.operators(desk.ctx)}
    return {key: by_id[i] for key, i in made.items()}


def _desk_with_queues(open_desk, now=None):
    """Seven tickets: 2 Lan's, 1 Minh's, 1 Đạt's, 3 nobody's (one closed)."""
    desk = open_desk(now=now)
    people = _people(desk)
    first = warranty_ticket(desk.ctx)
    ids = [first, *more_tickets(desk.ctx, first, 6)]
    for ticket_id, owner in zip(ids, ("lan", "lan", "minh", "dat")):
        tickets.assign(desk.ctx, ticket_id, people[owner].id, None)
    closing = tickets.get_ticket(desk.ctx, ids[-1])
    tickets.update_ticket(desk.ctx, ids[-1], closing.version, replace(closing.draft, status="closed"), None)
    window = desk.window
    window.show_view("tickets")
    page = window.pages["tickets"]
    page.reload()
    desk.idle()
    return desk, people, ids, page


def _shown(desk, page) -> set[int]:
    desk.idle()
    while page.model.canFetchMore():
        page.model.fetchMore()
        desk.idle()
    return {page.model.row_at(r).id for r in range(page.model.rowCount())}


def _in_db(desk, where: str, **params) -> set[int]:
    """The oracle: the open tickets matching `where`, read with plain SQL."""
    with desk.engine.connect() as conn:
        return set(conn.execute(text(f"SELECT t.id FROM tickets t LEFT JOIN operators o ON o.id = t.assignee_id "
                                     f"WHERE t.status NOT IN ('resolved', 'closed') AND {where}"), params).scalars())


def test_each_queue_shows_its_tickets_and_my_tickets_follow_who_signs_in(open_desk, qtbot, tmp_path):
    desk, people, ids, page = _desk_with_queues(open_desk)
    window = desk.window
    window.set_operator(people["lan"])
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_1, ALT)  # My tickets
    assert page.queues.queue == "mine"
    assert _shown(desk, page) == _in_db(desk, "t.assignee_id = :me", me=people["lan"].id) == set(ids[:2])
    assert page.queues.buttons["mine"].text() == "My tickets (2)"
    assert page.queues.buttons["unassigned"].text() == "Unassigned (2)"  # open ones: the state filter
    assert page.queues.buttons["team"].text() == "My team (3)"
    assert page.queues.buttons["all"].text() == "All (6)"
    # Minh signs in at the same desk (Switch operator): My tickets are his now.
    window.set_operator(people["minh"])
    assert _shown(desk, page) == _in_db(desk, "t.assignee_id = :me", me=people["minh"].id) == {ids[2]}
    assert page.queues.buttons["mine"].text() == "My tickets (1)"
    qtbot.keyClick(page.table, Qt.Key.Key_2, ALT)  # Unassigned
    assert _shown(desk, page) == _in_db(desk, "t.assignee_id IS NULL") == set(ids[4:6])
    qtbot.keyClick(page.table, Qt.Key.Key_3, ALT)  # My team
    assert _shown(desk, page) == _in_db(desk, "o.team = :team", team="Hà Nội") == set(ids[:3])
    qtbot.keyClick(page.table, Qt.Key.Key_4, ALT)  # All
    assert _shown(desk, page) == _in_db(desk, "1 = 1") == set(ids[:6])
    # The words of the filter box narrow the queue further.
    qtbot.keyClick(page.table, Qt.Key.Key_3, ALT)
    page.filter.setText("(3)")
    qtbot.waitUntil(lambda: page.model.current_query().text == "(3)")
    assert _shown(desk, page) == {ids[2]}
    page.filter.clear()
    # Hoa is in no team: My team is empty, and the view says why.
    window.set_operator(people["hoa"])
    assert _shown(desk, page) == set()
    assert page.empty_text.isVisible() and "not in a team" in page.empty_text.text()
    # The queue chosen last is remembered for the next start.
    saved = json.loads((tmp_path / "settings.json").read_text(encoding="utf-8"))  # where the desk keeps them
    assert saved["ticket_queue"] == "team"


def test_the_queue_is_remembered_across_restarts(open_desk, qtbot):
    desk, people, ids, page = _desk_with_queues(open_desk)
    desk.window.set_operator(people["lan"])
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_2, ALT)
    desk.idle()
    desk.close()
    again = open_desk()
    tickets_page = again.window.pages["tickets"]
    assert again.settings.ticket_queue == "unassigned"
    assert tickets_page.queues.queue == "unassigned"
    assert tickets_page.queues.buttons["unassigned"].isChecked()
    assert _shown(again, tickets_page) == set(ids[4:6])


def _closed(widget) -> bool:
    import shiboken6

    return not shiboken6.isValid(widget) or not widget.isVisible()


def _select(desk, page, ticket_id: int) -> None:
    r = page.model.row_of_id(ticket_id)
    assert r >= 0
    page.table.selectRow(r)
    # Offscreen there is no window manager to give the window back its focus after a dialog.
    page.window().activateWindow()
    desk.qtbot.waitUntil(page.window().isActiveWindow)
    page.table.setFocus()
    desk.idle()
    assert page.current_row().id == ticket_id


def test_reassigning_with_the_picker_writes_who_had_it_and_who_has_it(open_desk, qtbot):
    desk, people, ids, page = _desk_with_queues(open_desk)
    desk.window.set_operator(people["hoa"])
    desk.idle()
    _select(desk, page, ids[0])  # Lan's
    qtbot.keyClick(page.table, Qt.Key.Key_A, CTRL_ALT)
    picker = page.picker
    assert isinstance(picker, AssignPicker) and picker.isVisible()
    desk.idle()
    choices = picker.choices()
    assert choices[0] == "Assign to me — Phạm Thị Hoa (NV005)"
    assert choices[1] == "Unassigned (nobody)"
    assert "Nguyễn Thị Lan (NV002) · Hà Nội (now)" in choices
    type_text(picker.search, "MINH")  # case ignored
    assert picker.choices() == ["Trần Văn Minh (NV003) · Hà Nội"]
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _closed(picker), timeout=10_000)
    desk.idle()
    details = tickets.get_ticket(desk.ctx, ids[0])
    assert details.draft.assignee_id == people["minh"].id
    row = [e for e in details.history if e.kind == "assigned"][-1]
    assert (row.field, row.old_value, row.new_value) == ("assignee_id", str(people["lan"].id), str(people["minh"].id))
    assert row.operator == "Phạm Thị Hoa"
    # The history beside the list names both.
    _select(desk, page, ids[0])
    qtbot.waitUntil(lambda: page.worklog.details is not None and page.worklog.details.draft.assignee_id == people["minh"].id)
    texts = [page.worklog.tree.topLevelItem(i).text(page.worklog.COL_TEXT)
             for i in range(page.worklog.tree.topLevelItemCount())]
    assert "Assigned: Nguyễn Thị Lan (NV002) → Trần Văn Minh (NV003)" in texts
    # "dat" finds Đỗ Văn Đạt (đ matches d, no diacritics needed); the list shows the new owner.
    _select(desk, page, ids[0])
    qtbot.keyClick(page.table, Qt.Key.Key_A, CTRL_ALT)
    picker = page.picker
    desk.idle()
    type_text(picker.search, "dat")
    assert picker.choices()[0].startswith("Đỗ Văn Đạt (NV004)")
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _closed(picker), timeout=10_000)
    desk.idle()
    assert tickets.get_ticket(desk.ctx, ids[0]).draft.assignee_id == people["dat"].id
    r = page.model.row_of_id(ids[0])
    assert page.model.row_at(r).assignee == "Đỗ Văn Đạt"


def test_the_picker_in_the_ticket_window_assigns_to_me_on_save(open_desk, qtbot, vietnamese):
    desk, people, ids, _page = _desk_with_queues(open_desk)
    window = desk.window
    window.set_operator(people["hoa"])
    window.edit_ticket(ids[4])  # nobody's
    desk.idle()
    dialog = window.last_dialog
    qtbot.keyClick(dialog.subject, Qt.Key.Key_A, CTRL_ALT)
    picker = dialog.picker
    desk.idle()
    assert picker.choices()[0] == "Giao cho tôi — Phạm Thị Hoa (NV005)"
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)  # the first choice: me
    assert _closed(picker) and dialog.assignee.currentData() == people["hoa"].id
    assert dialog.assignee.currentText() == "Phạm Thị Hoa (NV005)"
    dialog.activateWindow()  # offscreen, no window manager gives it back its focus
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.subject, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _closed(dialog), timeout=10_000)
    desk.idle()
    details = tickets.get_ticket(desk.ctx, ids[4])
    row = [e for e in details.history if e.kind == "assigned"][-1]
    assert (row.old_value, row.new_value) == ("", str(people["hoa"].id))
    from desktop_helpdesk.ui.tickets.worklog import describe

    assert describe(row, None, details.people) == "Phân công: chưa ai → Phạm Thị Hoa (NV005)"


def test_the_dashboard_shows_each_operators_load_and_filters_by_operator_or_team(open_desk, qtbot):
    from datetime import timedelta

    clock = Clock(FIXED_NOW)
    desk, people, ids, _page = _desk_with_queues(open_desk, now=clock)
    clock.now = FIXED_NOW + timedelta(hours=3)  # the 2-hour proposal clocks are breached
    window = desk.window
    window.show_view("dashboard")
    board = window.dashboard
    board.reload()
    desk.idle()
    rows = {board.load.topLevelItem(i).text(0): [board.load.topLevelItem(i).text(c) for c in range(1, 5)]
            for i in range(board.load.topLevelItemCount())}
    assert rows["Nguyễn Thị Lan (NV002)"] == ["Hà Nội", "2", "2", "0"]
    assert rows["Trần Văn Minh (NV003)"] == ["Hà Nội", "1", "1", "0"]
    assert rows["Đỗ Văn Đạt (NV004)"] == ["Sài Gòn", "1", "1", "0"]
    assert rows["Phạm Thị Hoa (NV005)"] == ["", "0", "0", "0"]
    assert rows["Unassigned"] == ["", "2", "2", "0"]
    assert board.cards["breached"].text().startswith("6\n")
    # Enter on Lan's row: the cards and lists are hers.
    lan_row = next(board.load.topLevelItem(i) for i in range(board.load.topLevelItemCount())
                   if board.load.topLevelItem(i).text(0).startswith("Nguyễn Thị Lan"))
    board.load.setCurrentItem(lan_row)
    board.load.setFocus()
    qtbot.keyClick(board.load, Qt.Key.Key_Return)
    desk.idle()
    assert board.scope == ("operator", people["lan"].id)
    assert board.scope_combo.currentText() == "Nguyễn Thị Lan (NV002)"
    assert board.cards["breached"].text().startswith("2\n")
    # The team "Hà Nội", chosen in the combo.
    index = board.scope_combo.findText("Team: Hà Nội")
    assert index >= 0
    board.scope_combo.setCurrentIndex(index)
    board.scope_combo.activated.emit(index)
    desk.idle()
    assert board.cards["breached"].text().startswith("3\n")
    breached = next(board.tree.topLevelItem(i) for i in range(board.tree.topLevelItemCount())
                    if board.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) == "breached")
    codes = {breached.child(i).text(0).split(" — ")[0] for i in range(breached.childCount())}
    assert codes == {tickets.get_ticket(desk.ctx, t).code for t in ids[:3]}
