"""Alerts through the window: a breach raises exactly one notification, a restart does not
repeat it, many at once are grouped, do-not-disturb keeps quiet, a click opens the item."""

from __future__ import annotations

from tests.ui.conftest import FIXED_NOW

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.factories import Clock, warranty_ticket

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _check(desk, qtbot):
    raised = []
    desk.window.alerts.alerts_raised.connect(raised.extend)
    desk.window.alerts.check()
    desk.idle()
    return [a for a in raised if a.ticket_id]


def test_a_breach_raises_exactly_one_alert_and_a_restart_does_not_repeat_it(open_desk, qtbot):
    clock = Clock(datetime(2026, 11, 21, 10, 0, tzinfo=VN))
    desk = open_desk(now=clock)
    tid = warranty_ticket(desk.ctx)
    assert _check(desk, qtbot) == []
    clock.now += timedelta(hours=3)  # the 2-hour proposal clock is breached
    new = _check(desk, qtbot)
    assert [(a.kind, a.ticket_id) for a in new] == [("clock_breached", tid)]
    center = desk.window.alerts
    assert center.shown_messages[-1][0] == "Breached" and "Cân điện tử" in center.shown_messages[-1][1]
    assert _check(desk, qtbot) == []
    # Clicking the notification opens the ticket.
    center.open_last()
    desk.idle()
    assert desk.window.last_dialog.record_id == tid
    desk.window.last_dialog.reject()
    desk.close()

    desk2 = open_desk(now=clock)
    assert _check(desk2, qtbot) == []


def test_many_alerts_at_once_are_grouped_and_do_not_disturb_keeps_quiet(open_desk, qtbot):
    clock = Clock(FIXED_NOW)
    desk = open_desk(demo=True, now=clock)  # the demo desk has many breached clocks
    center = desk.window.alerts
    center.do_not_disturb = True
    new = _check(desk, qtbot)
    assert len(new) >= 3 and center.shown_messages == []  # the breaches of this operator's and the team's
    desk.window.show_alert_centre()
    desk.idle()
    assert desk.window.alert_panel.list.topLevelItemCount() >= len(new)
    desk.window.close_alert_centre()

    desk.window.set_do_not_disturb(False)
    clock.now = datetime(2026, 11, 24, 3, 0, tzinfo=ZoneInfo("UTC"))  # three days later
    new = _check(desk, qtbot)
    # The three complaints due meanwhile, but for the one assigned to a colleague (told to
    # him alone), and both clocks of the demo's fresh 24/7 incident.
    assert len(new) == 4 and {a.kind for a in new} == {"clock_breached"}
    assert not any(a.title.startswith("YC26-000027") for a in new)
    assert sum(a.title.startswith("YC26-000161") for a in new) == 2
    assert len(center.last_shown) > 3  # with the obligations now due within a week: grouped
    title, body = center.shown_messages[-1]
    assert title == f"{len([a for a in center.last_shown])} new alerts" and "breached" in body
