"""The dashboard, the start view: cards match the data, rows open their item."""

from __future__ import annotations

from tests.factories import Clock
from tests.ui.conftest import FIXED_NOW

from desktop_helpdesk.services import catalog, dashboard

from desktop_helpdesk.ui.shell.dashboard import SECTION_TITLES


def test_dashboard_is_the_start_view_and_its_cards_match_the_data(open_desk, qtbot):
    desk = open_desk(demo=True)
    window = desk.window
    assert window.current_page() is window.dashboard  # a fresh settings file starts here
    qtbot.waitUntil(lambda: window.dashboard.data is not None, timeout=10_000)
    expected = dashboard.build(desk.ctx).counts
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
    stored = next(p for p in catalog.packages(desk.ctx) if p.id == package.id)
    assert stored.proposal_target_minutes == package.proposal_target_minutes // 2
    assert "recomputed" in dialog.error.text()


def test_contract_lines_count_days_from_the_desks_date_not_utcs(open_desk, qtbot):
    from datetime import date, datetime, timezone

    from desktop_helpdesk.ui.kit.countdown import day_countdown_text as countdown_text

    clock = Clock(FIXED_NOW)
    desk = open_desk(demo=True, now=clock)
    dash = desk.window.dashboard
    # 01:00 on 22/11 in Hà Nội is still 21/11 in UTC.
    clock.now = datetime(2026, 11, 21, 18, 0, tzinfo=timezone.utc)
    dash.reload()
    desk.idle()
    qtbot.waitUntil(lambda: dash.data is not None and dash.data.now.hour == 18, timeout=10_000)
    contract_lines = [(child, item) for child, item in _lines(dash) if item.ticket_id is None and item.due]
    assert contract_lines, "the demo has warranties ending and renewals due"
    for child, item in contract_lines:
        assert child.text(3) == countdown_text(item.due, date(2026, 11, 22))
        assert "less than a minute" not in child.text(3)


def _lines(dash):
    """Each line of the tree with the item it shows (sections in order, items in order)."""
    items = list(dash.data.items)
    out = []
    for i in range(dash.tree.topLevelItemCount()):
        top = dash.tree.topLevelItem(i)
        section = [it for it in items if it.section == top.data(0, 256)] if top.data(0, 256) else None
        children = [top.child(j) for j in range(top.childCount())]
        if section is not None and len(section) >= len(children):
            out += list(zip(children, section))
    return out


def test_each_operators_load_follows_the_counts_and_the_minute_refresh_reads_it_every_fifth_minute(open_desk, qtbot):
    """Issue #17: the load (about a second at 1M tickets) is asked once the counts are shown,
    never beside the first ones, and the minute's refresh reads it every fifth minute only."""
    desk = open_desk(demo=True)
    window = desk.window
    window.show_view("dashboard")
    desk.idle()
    board = window.dashboard
    asked = []
    submit = desk.jobs.submit

    def spy(fn, *args, **kw):
        asked.append(getattr(fn, "__name__", ""))
        return submit(fn, *args, **kw)

    desk.jobs.submit = spy
    board.reload()  # Refresh: the counts, then the load
    desk.idle()
    assert asked == ["build", "operator_load"]
    asked.clear()
    for _minute in range(5):
        board._timed_reload()
        desk.idle()
    assert asked == ["build"] * 5 + ["operator_load"]
    assert board.load.topLevelItemCount() > 0
