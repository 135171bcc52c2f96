"""The dashboard's counts match the data they summarise."""

from __future__ import annotations

from desktop_helpdesk.services import contracts, dashboard, tickets

from desktop_helpdesk.domain.sla import ClockState

from datetime import datetime, timedelta, timezone

from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.services.demo import load_demo
from desktop_helpdesk.services.dto import ListQuery
from desktop_helpdesk.services.context import make_context

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)


def _all_tickets(ctx):
    return tickets.list_tickets(ctx, ListQuery(limit=1000)).rows


def test_counts_match_a_recount_of_every_ticket_clock(engine):
    ctx = make_context(uow_factory(engine), lambda: NOW)
    load_demo(ctx)
    data = dashboard.build(ctx)
    tickets = _all_tickets(ctx)
    paused = [t for t in tickets if any(c.paused_since and not c.stopped_at for c in t.clocks)]
    # A ticket waiting on the customer is not due, whatever its frozen due time says.
    dues = [t.next_due_at for t in tickets if t.next_due_at is not None and t not in paused]
    assert data.counts["breached"] == sum(1 for d in dues if d < NOW) > 0
    assert data.counts["due_2h"] == sum(1 for d in dues if NOW <= d < NOW + timedelta(hours=2))
    breached_ids = {i.ticket_id for i in data.items if i.section == "breached"}
    states = {t.id: {c.state(NOW) for _k, c in ctx.calendars.live_clocks(t)} for t in tickets}
    assert breached_ids and all(ClockState.BREACHED in states[i] for i in breached_ids)
    assert not breached_ids & {t.id for t in paused}
    assert data.counts["paused"] == len(paused) > 0
    at_risk = [t for t in tickets if t.next_due_at and t.next_due_at >= NOW
               and any(c.stopped_at is None for c in t.clocks) and _any_at_risk(ctx, t)]
    assert data.counts["at_risk"] == len(at_risk)
    assert {i.ticket_id for i in data.items if i.section == "paused"} == {t.id for t in paused}
    assert len(data.met_breached_by_day) == 30
    met = sum(m for _d, m, _b in data.met_breached_by_day)
    breached = sum(b for _d, _m, b in data.met_breached_by_day)
    assert met + breached > 0
    renewals = contracts.list_obligations(ctx, ListQuery(limit=500, filters={"kind": "renewal_notice"})).rows
    assert data.counts["renewals_due"] <= len(renewals)


def _any_at_risk(ctx, ticket) -> bool:
    return any(c.stopped_at is None and c.state(NOW) == ClockState.AT_RISK for _k, c in ctx.calendars.live_clocks(ticket))


