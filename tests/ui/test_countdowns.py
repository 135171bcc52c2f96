"""Live countdowns in the ticket list, with an injected clock (no sleeping)."""

from __future__ import annotations

from desktop_helpdesk.services import tickets

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt

from tests.factories import Clock, warranty_ticket
from desktop_helpdesk.ui.kit import marks

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _cell(page):
    model = page.model
    index = model.index(0, model.countdown_column)
    return model.data(index), model.data(index, Qt.ItemDataRole.ForegroundRole)


def test_advancing_the_clock_changes_the_countdown_and_its_state_and_pausing_freezes_it(open_desk, qtbot):
    clock = Clock(datetime(2026, 11, 21, 10, 0, tzinfo=VN))
    desk = open_desk(now=clock)
    tid = warranty_ticket(desk.ctx)
    desk.window.show_view("tickets")
    page = desk.window.pages["tickets"]
    page.reload()
    desk.idle()
    # 24/7 package: the proposal clock is 2 working hours = 2 clock hours.
    text, colour = _cell(page)
    assert text == "● 2 h left" and colour.name() == "#1b5e20"

    clock.now += timedelta(minutes=100)  # 1 h 40 min used of 2 h: at risk (75 %)
    page.ticker.tick()
    text, colour = _cell(page)
    assert text == "▲ 20 min left" and colour.name() == marks.WARNING  # the at-risk amber of the palette

    clock.now += timedelta(minutes=35)
    page.ticker.tick()
    assert _cell(page)[0] == "✖ 15 min overdue"

    # Waiting on the customer: the clocks stop moving and the cell says so.
    t = tickets.get_ticket(desk.ctx, tid)
    tickets.update_ticket(desk.ctx, tid, t.version, t.draft.__class__(**{**t.draft.__dict__, "status": "waiting_customer"}), None)
    page.reload()
    desk.idle()
    frozen = _cell(page)[0]
    clock.now += timedelta(hours=5)
    page.ticker.tick()
    assert _cell(page)[0] == frozen


def test_one_tick_repaints_only_the_visible_countdown_cells_and_runs_no_query(open_desk, qtbot):
    desk = open_desk(demo=True)
    desk.window.show_view("tickets")
    page = desk.window.pages["tickets"]
    desk.idle()
    changed = []
    page.model.dataChanged.connect(lambda a, b, roles: changed.append((a.row(), b.row(), a.column(), b.column())))
    resets = []
    page.model.modelReset.connect(lambda: resets.append(1))
    page.ticker.tick()
    assert desk.jobs.pending == 0 and not resets
    first, last = page.ticker.visible_rows()
    assert changed == [(first, last, page.model.countdown_column, page.model.countdown_column)]
    assert last - first + 1 < page.model.rowCount()  # not every loaded row


def test_a_hidden_view_does_not_tick(open_desk):
    desk = open_desk()
    desk.window.show_view("tickets")
    page = desk.window.pages["tickets"]
    assert page.ticker.timer.isActive()
    desk.window.show_view("customers")
    assert not page.ticker.timer.isActive()


def test_the_ticket_detail_shows_its_clocks_and_they_move_with_the_tick(open_desk, qtbot):
    clock = Clock(datetime(2026, 11, 21, 10, 0, tzinfo=VN))
    desk = open_desk(now=clock)
    warranty_ticket(desk.ctx)
    desk.window.show_view("tickets")
    page = desk.window.pages["tickets"]
    page.reload()
    desk.idle()
    page.table.selectRow(0)
    desk.idle()
    assert page.clocks.isVisible()
    text = page.clocks.text()
    assert "SLA clocks" in text and "Solution proposal" in text and "2 hours left (running)" in text
    assert "Cân điện tử không nhận" in page.detail.toPlainText()
    history = page.detail.toHtml()
    clock.now += timedelta(minutes=100)
    page.ticker.tick()
    assert "20 minutes left (at risk)" in page.clocks.text()
    assert page.detail.toHtml() == history  # the ticket and its history are not re-rendered by a tick


def test_a_timer_that_fires_just_before_the_minute_waits_for_it_instead_of_ticking_twice(open_desk):
    clock = Clock(datetime(2026, 11, 21, 10, 0, 59, 900_000, tzinfo=VN))
    desk = open_desk(now=clock)
    desk.window.show_view("tickets")
    ticker = desk.window.pages["tickets"].ticker
    ticks = ticker.ticks
    ticker._timeout()  # 100 ms early: the old minute would be painted, then the new one again
    assert ticker.ticks == ticks and 50 <= ticker.timer.remainingTime() <= 150
    clock.now += timedelta(milliseconds=130)
    ticker._timeout()
    assert ticker.ticks == ticks + 1 and 59_000 <= ticker.timer.remainingTime() <= 60_020
