"""The dashboard, the start view: cards match the data, rows open their item."""

from __future__ import annotations

from desktop_helpdesk.ui.dashboard import SECTION_TITLES


def test_dashboard_is_the_start_view_and_its_cards_match_the_data(open_desk, qtbot):
    desk = open_desk(demo=True)
    window = desk.window
    assert window.current_page() is window.dashboard  # a fresh settings file starts here
    qtbot.waitUntil(lambda: window.dashboard.data is not None, timeout=10_000)
    expected = desk.service.dashboard().counts
    for section, button in window.dashboard.cards.items():
        assert button.text() == f"{expected.get(section, 0)}\n{SECTION_TITLES[section]}"
    assert expected["breached"] > 0 and expected["paused"] > 0
    chart = window.dashboard.chart
    assert len(chart.series()) == 1 and chart.series()[0].count() == 2  # met and breached


def test_a_breached_line_opens_its_ticket(open_desk, qtbot):
    desk = open_desk(demo=True)
    window = desk.window
    dash = window.dashboard
    qtbot.waitUntil(lambda: dash.data is not None, timeout=10_000)
    top = dash.tree.topLevelItem(0)
    assert top.text(0).startswith("Breached")
    child = top.child(0)
    kind, ticket_id = child.data(0, 256)
    assert kind == "ticket"
    with qtbot.waitSignal(dash.ticket_requested, timeout=3000) as signal:
        dash.tree.itemActivated.emit(child, 0)
    assert signal.args == [ticket_id]
    desk.idle()
    assert window.last_dialog.record_id == ticket_id


def test_editing_a_package_recomputes_open_tickets_with_progress(open_desk, qtbot):
    desk = open_desk(demo=True)
    window = desk.window
    window.edit_packages()
    dialog = window.last_dialog
    dialog.list.setCurrentRow(0)
    package = dialog.packages[0]
    dialog.spins["proposal_target_minutes"].setValue(package.proposal_target_minutes // 2)
    seen = []
    dialog.relay.progressed.connect(lambda done, total: seen.append((done, total)))
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as signal:
        dialog.save_button.click()
    recomputed = signal.args[0]
    assert recomputed > 0 and seen[-1] == (recomputed, recomputed)
    stored = next(p for p in desk.service.packages() if p.id == package.id)
    assert stored.proposal_target_minutes == package.proposal_target_minutes // 2
    assert "recomputed" in dialog.error.text()
