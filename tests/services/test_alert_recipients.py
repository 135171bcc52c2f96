"""Alerts go to the operator they concern: an assignment to its assignee only, a ticket's
clock to its assignee, an unassigned ticket's and an obligation's to the whole team; each
operator acknowledges for themselves."""

from __future__ import annotations

from desktop_helpdesk.services import alerts, catalog, tickets

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.services.context import make_context
from desktop_helpdesk.services.dto import OperatorDraft
from tests.factories import Clock, more_tickets, warranty_ticket

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _staff(ctx):
    lan = catalog.add_operator(ctx, OperatorDraft("NV101", "Nguyễn Thị Lan", "Lan", "operator"))
    minh = catalog.add_operator(ctx, OperatorDraft("NV102", "Trần Văn Minh", "Minh", "operator"))
    lead = catalog.add_operator(ctx, OperatorDraft("NV103", "Lê Thu Hà", "Hà", "lead"))
    return lan, minh, lead


def _assign(ctx, ticket_id, assignee_id, by):
    details = tickets.get_ticket(ctx, ticket_id)
    tickets.update_ticket(ctx, ticket_id, details.version, replace(details.draft, assignee_id=assignee_id), by)


def _kinds(ctx, operator_id):
    return [(a.kind, a.ticket_id) for a in alerts.inbox(ctx, operator_id)]


def test_an_assignment_alerts_the_assignee_only(engine):
    clock = Clock(datetime(2026, 11, 21, 10, 0, tzinfo=VN))
    ctx = make_context(uow_factory(engine, clock), clock)
    lan, minh, lead = _staff(ctx)
    tid = warranty_ticket(ctx)
    alerts.check(ctx)  # the desk's first check at start
    _assign(ctx, tid, lan, by=lead)
    clock.now += timedelta(minutes=1)
    new = [a for a in alerts.check(ctx) if a.kind == "assigned"]
    assert [(a.ticket_id, a.recipient_id) for a in new] == [(tid, lan)]
    assert ("assigned", tid) in _kinds(ctx, lan)
    assert ("assigned", tid) not in _kinds(ctx, minh) and ("assigned", tid) not in _kinds(ctx, lead)
    # Minh's desk is told of the new alerts since it last looked: not of Lan's.
    _latest, news = alerts.raised_after(ctx, 0, minh, everyone=False)
    assert all(a.kind != "assigned" for a in news)
    clock.now += timedelta(minutes=1)
    assert [a for a in alerts.check(ctx) if a.kind == "assigned"] == []  # once

    # Reassigned to Minh by the lead: Minh is told; taking a ticket oneself is no news.
    _assign(ctx, tid, minh, by=lead)
    _assign(ctx, more_tickets(ctx, tid, 1)[0], lan, by=lan)
    clock.now += timedelta(minutes=1)
    assert [(a.ticket_id, a.recipient_id) for a in alerts.check(ctx) if a.kind == "assigned"] == [(tid, minh)]


def test_a_tickets_clocks_alert_its_assignee_and_an_unassigned_tickets_the_whole_team(engine):
    clock = Clock(datetime(2026, 11, 21, 10, 0, tzinfo=VN))
    ctx = make_context(uow_factory(engine, clock), clock)
    lan, minh, _lead = _staff(ctx)
    mine = warranty_ticket(ctx)
    _assign(ctx, mine, lan, by=None)
    (nobodys,) = more_tickets(ctx, mine, 1)
    alerts.check(ctx)
    clock.now += timedelta(minutes=100)  # both 2-hour proposal clocks are at risk
    at_risk = {a.ticket_id: a.recipient_id for a in alerts.check(ctx) if a.kind == "clock_at_risk"}
    assert at_risk == {mine: lan, nobodys: None}
    assert {("clock_at_risk", mine), ("clock_at_risk", nobodys)} <= set(_kinds(ctx, lan))
    assert ("clock_at_risk", nobodys) in _kinds(ctx, minh) and ("clock_at_risk", mine) not in _kinds(ctx, minh)


def test_a_team_alert_acknowledged_by_one_operator_stays_unread_for_another(engine):
    clock = Clock(datetime(2027, 9, 25, 9, 0, tzinfo=VN))  # the warranty ends on 01/10/2027
    ctx = make_context(uow_factory(engine, clock), clock)
    lan, minh, _lead = _staff(ctx)
    warranty_ticket(ctx)
    due = [a for a in alerts.check(ctx) if a.kind == "obligation_due"]
    assert len(due) == 1 and due[0].recipient_id is None
    assert due[0].due_at.astimezone(VN).date() == date(2027, 10, 1)  # the centre shows the day it falls due
    before = {op: alerts.unread_count(ctx, op) for op in (lan, minh)}
    assert alerts.acknowledge(ctx, lan, [due[0].id]) == 1
    assert alerts.unread_count(ctx, lan) == before[lan] - 1
    assert alerts.unread_count(ctx, minh) == before[minh]
    assert due[0].id in [a.id for a in alerts.inbox(ctx, minh)]
    assert due[0].id not in [a.id for a in alerts.inbox(ctx, lan)]
    # Lan still finds it among what she acknowledged, marked read.
    assert [a.read for a in alerts.inbox(ctx, lan, unread_only=False) if a.id == due[0].id] == [True]
    assert alerts.acknowledge(ctx, lan, [due[0].id]) == 0  # again: nothing changes


def test_an_operator_cannot_acknowledge_an_alert_addressed_to_someone_else(engine):
    clock = Clock(datetime(2026, 11, 21, 10, 0, tzinfo=VN))
    ctx = make_context(uow_factory(engine, clock), clock)
    lan, minh, lead = _staff(ctx)
    tid = warranty_ticket(ctx)
    alerts.check(ctx)
    _assign(ctx, tid, lan, by=lead)
    clock.now += timedelta(minutes=1)
    (assigned,) = [a for a in alerts.check(ctx) if a.kind == "assigned"]
    assert alerts.acknowledge(ctx, minh, [assigned.id]) == 0
    assert assigned.id in [a.id for a in alerts.inbox(ctx, lan)]


def test_the_first_check_of_a_database_alerts_no_assignment_made_before_it(engine):
    clock = Clock(datetime(2026, 11, 21, 10, 0, tzinfo=VN))
    ctx = make_context(uow_factory(engine, clock), clock)
    lan, _minh, lead = _staff(ctx)
    old = warranty_ticket(ctx)
    _assign(ctx, old, lan, by=lead)
    assert [a for a in alerts.check(ctx) if a.kind == "assigned"] == []  # in Lan's queue already
    clock.now += timedelta(minutes=1)
    (fresh,) = more_tickets(ctx, old, 1)
    _assign(ctx, fresh, lan, by=lead)
    assert [a.ticket_id for a in alerts.check(ctx) if a.kind == "assigned"] == [fresh]
