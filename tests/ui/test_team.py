"""Two desks on one database (the team server, or one shared file): what one saves, the
other's open views show without anyone pressing F5."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desktop_helpdesk.services import catalog, contracts, customers, tickets
from desktop_helpdesk.services.dto import CalendarDay, ListQuery, TicketDraft

from .conftest import FIXED_NOW


def _subjects(page) -> list[str]:
    model = page.model
    return [model.row_at(i).subject for i in range(model.rowCount())]


def _new_ticket(ctx, subject: str, received_at=None) -> int:
    """A new incident of a customer under maintenance: its SLA clocks run on the contract's package."""
    cid = customers.list_customers(ctx, ListQuery(text="hoang long")).rows[0].id
    [contract] = contracts.contract_choices(ctx, cid)
    return tickets.create_ticket(ctx, TicketDraft(customer_id=cid, contract_id=contract.id, subject=subject,
                                                  request_type="incident", channel="hotline",
                                                  received_at=received_at), None)


def test_a_ticket_saved_at_one_desk_appears_in_the_others_open_list_and_dashboard(open_desk, qtbot):
    first = open_desk(demo=True)
    second = open_desk()  # the same database, another running desk
    second.window.show_view("tickets")
    second.idle()
    page = second.window.pages["tickets"]
    assert "Máy in hóa đơn kêu lạ từ hôm qua" not in _subjects(page)
    breached = second.window.dashboard.data.counts["breached"]

    # Saved by the first desk, logged late: received ten days ago, so already past its due time.
    _new_ticket(first.ctx, "Máy in hóa đơn kêu lạ từ hôm qua", received_at=FIXED_NOW - timedelta(days=10))

    qtbot.waitUntil(lambda: "Máy in hóa đơn kêu lạ từ hôm qua" in _subjects(page), timeout=10_000)
    # The lead's dashboard on the other desk counts it among the breached.
    dashboard = second.window.dashboard
    qtbot.waitUntil(lambda: dashboard.data.counts["breached"] == breached + 1, timeout=10_000)
    # The first desk's own save is not read back from the feed as news (it broadcast it already).
    assert first.window.team_feed.cursor.watermark >= 0


def test_a_desk_does_not_refresh_for_its_own_saves_twice(open_desk, qtbot):
    desk = open_desk(demo=True)
    desk.window.show_view("tickets")
    desk.idle()
    heard = []
    desk.jobs.changed.connect(lambda change: heard.append(change))
    cid = customers.list_customers(desk.ctx, ListQuery(text="an khang")).rows[0].id
    desk.jobs.submit(tickets.create_ticket, TicketDraft(customer_id=cid, subject="Đổi mật khẩu quản trị",
                                                        request_type="incident", channel="hotline"), None)
    qtbot.waitUntil(lambda: bool(heard), timeout=5000)
    qtbot.wait(2 * desk.window.team_feed.timer.interval() + 500)  # two reads of the feed
    desk.idle()
    assert len(heard) == 1  # the save's own broadcast; the feed brought nothing more


def test_firm_wide_settings_reach_the_other_desk_without_a_restart(open_desk, qtbot):
    from datetime import date

    first = open_desk(demo=True)
    second = open_desk()
    second.idle()
    assert not second.ctx.calendars.for_hours("office").is_day_off(date(2026, 12, 28))  # a Monday
    catalog.save_calendar_days(first.ctx, [CalendarDay(date(2026, 12, 28), "day_off", "Nghỉ bù")], [])
    qtbot.waitUntil(lambda: second.ctx.calendars.for_hours("office").is_day_off(date(2026, 12, 28)),
                    timeout=10_000)
    # The working week lives among the firm's settings (app_meta), written by one statement
    # the feed's session events do not see: it must reach the other desk all the same.
    saturday = date(2027, 1, 9)
    assert second.ctx.calendars.for_hours("office").is_day_off(saturday)
    catalog.set_working_week(first.ctx, "mon_fri", "mon_fri_sat_morning")
    qtbot.waitUntil(lambda: not second.ctx.calendars.for_hours("office").is_day_off(saturday), timeout=10_000)


@pytest.mark.postgresql_only
def test_the_servers_notification_wakes_the_other_desk_before_its_next_poll(open_desk, qtbot):
    from desktop_helpdesk.db.listen import NotificationListener

    first = open_desk(demo=True)
    second = open_desk()
    second.window.team_feed.timer.setInterval(600_000)  # no poll in this test: only the signal
    second.window.show_view("tickets")
    second.idle()
    woken = []
    listener = NotificationListener(second.engine, lambda: (woken.append(1), second.window.team_feed.poke.emit()))
    listener.start()
    try:
        qtbot.waitUntil(lambda: bool(woken), timeout=10_000)  # listening (it reads once on connecting)
        second.idle()
        _new_ticket(first.ctx, "Không gửi được hóa đơn điện tử")
        page = second.window.pages["tickets"]
        qtbot.waitUntil(lambda: "Không gửi được hóa đơn điện tử" in _subjects(page), timeout=10_000)
        assert len(woken) >= 2
    finally:
        listener.stop()


def test_an_alert_raised_by_one_desks_check_is_shown_at_every_desk_once(open_desk, qtbot):
    """On a team server one desk's minute check raises an alert once for everybody (its key
    is unique): the others show it too, without raising it again or failing on the key."""
    first = open_desk(demo=True)
    second = open_desk()
    for desk in (first, second):
        desk.window.alerts.check()  # each desk's first check at start
        desk.idle()
    shown = {id(desk): [] for desk in (first, second)}
    for desk in (first, second):
        desk.window.alerts.alerts_raised.connect(shown[id(desk)].extend)
    # Logged late, the ticket is past its due time: the next check finds it breached.
    tid = _new_ticket(first.ctx, "Phần mềm báo lỗi khi in phiếu xuất", received_at=FIXED_NOW - timedelta(days=3))
    first.window.alerts.check()
    first.idle()
    assert [a.ticket_id for a in shown[id(first)]] == [tid] * len(shown[id(first)]) and shown[id(first)]
    qtbot.waitUntil(lambda: any(a.ticket_id == tid for a in shown[id(second)]), timeout=10_000)
    second.window.alerts.check()  # its own check finds nothing new, raises no duplicate
    second.idle()
    assert sorted(a.id for a in shown[id(second)]) == sorted({a.id for a in shown[id(second)]})
    assert {a.id for a in shown[id(second)]} == {a.id for a in shown[id(first)]}
