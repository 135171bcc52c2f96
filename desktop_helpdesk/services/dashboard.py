"""What a support lead sees first: every promise about to be broken.

Counts come from SQL on the stored due times (indexed); "at risk" needs each clock's share
of its target, so it is worked out in Python for the few clocks due within the next days.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

from ..domain.sla import ClockState
from ..domain.text import sort_key
from ..domain.vietnam import VIETNAM as VN
from ..domain.vietnam import desk_day
from .context import Context
from .contracts import list_obligations
from .dto import DashboardData, DashboardItem, ListQuery, OperatorLoad

SECTIONS = ("breached", "at_risk", "due_2h", "due_today", "due_week", "paused", "warranty_ending", "renewals_due")
LIST_LIMIT = 50
#: The longest an at-risk clock can be from its due time: 25 % of the 72-hour complaint
#: target, or 1 working hour of a proposal stretched over a long holiday.
AT_RISK_HORIZON = timedelta(days=4)


def build(ctx: Context, scope: tuple | None = None) -> DashboardData:
    """Runs on a worker: the counts, lists and chart at the context's now, of the tickets
    in `scope` (None: everyone's; ("operator", id), ("team", name) or ("unassigned", None));
    the contracts' dates (warranties, renewals) belong to the whole desk."""
    now = ctx.now()
    local = now.astimezone(VN)
    end_of_today = datetime.combine(local.date() + timedelta(days=1), time(0), VN)
    end_of_week = datetime.combine(local.date() + timedelta(days=7 - local.weekday()), time(0), VN)
    counts: Counter = Counter()
    items: list[DashboardItem] = []

    def ticket_item(section, r, due):
        return DashboardItem(section, r.id, None, r.code, r.subject, r.customer_name, due)

    with ctx.uow() as uow:
        windows = {
            "breached": (None, now),
            "due_2h": (now, now + timedelta(hours=2)),
            "due_today": (now, end_of_today),
            "due_week": (now, end_of_week),
        }
        for section, (start, end) in windows.items():
            counts[section] = uow.tickets.count_due(start, end, scope)
            for r in uow.tickets.due_rows(start, end, LIST_LIMIT, scope):
                items.append(ticket_item(section, r, r.next_due_at))
        counts["paused"] = uow.tickets.count_paused(scope)
        for r in uow.tickets.paused_rows(LIST_LIMIT, scope):
            items.append(ticket_item("paused", r, r.next_due_at))
        # At risk: exact share of the target, for the clocks that can be at risk at all.
        at_risk = 0
        for r in uow.tickets.due_rows(now, now + AT_RISK_HORIZON, 5000, scope):
            for kind, clock in ctx.calendars.live_clocks(r):
                if clock.stopped_at is None and clock.state(now) == ClockState.AT_RISK:
                    at_risk += 1
                    if at_risk <= LIST_LIMIT:
                        items.append(ticket_item("at_risk", r, clock.due_at))
                    break
        counts["at_risk"] = at_risk
    today = local.date()
    for section, kind in (("warranty_ending", "warranty_end"), ("renewals_due", "renewal_notice")):
        rows = list_obligations(ctx, ListQuery(limit=500, filters={
            "kind": kind, "from": today if kind == "warranty_end" else today - timedelta(days=30),
            "until": today + timedelta(days=30)})).rows
        counts[section] = len(rows)
        items.extend(DashboardItem(section, None, r.contract_id, r.contract_number, r.title, r.customer_name, r.due_on, r.kind)
                     for r in rows[:LIST_LIMIT])
    with ctx.uow() as uow:
        stops = uow.tickets.stopped_clocks_since(now - timedelta(days=30), scope)
    by_day: dict = {}
    for stopped_at, due_at in stops:
        day = desk_day(stopped_at)
        met, breached = by_day.get(day, (0, 0))
        by_day[day] = (met + 1, breached) if stopped_at <= due_at else (met, breached + 1)
    days = [today - timedelta(days=i) for i in range(29, -1, -1)]
    chart = tuple((d, *by_day.get(d, (0, 0))) for d in days)
    return DashboardData(now, dict(counts), tuple(items), chart, scope)


def operator_load(ctx: Context) -> tuple[OperatorLoad, ...]:
    """Each operator's open tickets, those breached now and the clocks they stopped late in
    the last 30 days, with a last row for the unassigned tickets: SQL counts grouped by
    assignee (about 1 s on 1M tickets, most of it reading the 200k open ones: the window
    asks on the long lane). In Vietnamese list order (by given name)."""
    now = ctx.now()
    with ctx.uow() as uow:
        load = uow.tickets.operator_load(now, now - timedelta(days=30))
    return tuple(sorted(load, key=lambda r: (r.operator_id is None, sort_key(r.full_name, by_given_name=True))))
