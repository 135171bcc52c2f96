"""Alerts: once per clock per state (at risk, breached) and once per obligation a set number
of days before it falls due. Keys make them idempotent, so a restart never repeats one and
a clock that breached while the app was closed is reported on the next start, once.

What a check reads
------------------
A check runs once a minute on the worker, on a database that may hold a million tickets, so
it reads only what can have changed, through one partial index per clock kind on the due
times of the clocks still running (migration 0006):

- **breached**: the clocks that fell due since the last check. The moment of the last check
  is kept in `app_meta` (`alerts.checked_until`); the check reads due times in
  [that moment, now). Code that writes a due time earlier than that moment (a ticket typed in
  with an earlier received time, a calendar or policy edit that brings due times forward)
  calls :func:`recheck_from`, so the next check looks back to it.
- **at risk**: a running clock is at risk once 75 % of its target is used, i.e. when at most
  a quarter of the target is left before its due time. The check reads the clocks due between
  now and the latest due time that can be at risk now (a quarter of the longest target of any
  package: working time on the package's calendar for the proposal, clock hours for the fix
  and complaint clocks) and asks each clock. Those are the clocks at risk now plus a few.

How far back a start looks
--------------------------
On the first check of a database (no `alerts.checked_until` yet) and after the app was closed
for long, breaches are raised only for clocks that fell due in the last
:data:`BREACH_LOOKBACK` (4 days). Why 4 days: the longest ordinary absence of a support desk
is a long weekend with a public holiday, Friday evening to Tuesday morning (about 87 hours),
and a clock that breached then must still be reported when the desk opens again. An older
breach is no news to anyone: it is on the dashboard's breached list, and raising it now would
bury the new alerts (on the 1,000,000-ticket benchmark database the first start raised 15,000
alerts for breaches years old, and would have gone on to 200,000).

Who an alert is for
-------------------
An alert that concerns one operator is addressed to them (`recipient_id`): a ticket assigned
to them, their ticket at risk or breached (the assignee when the alert is raised). The others
are the team's (no recipient): an unassigned ticket at risk or breached, an obligation
falling due. Each operator acknowledges for themselves (a row in `alert_reads`), so a team
alert one operator acknowledged stays unread for the rest; an alert acknowledged before
migration 0019 (`alerts.read_at`, by the desk) stays read for everyone. The alert centre
shows what was raised in the last :data:`INBOX_DAYS` days: a bounded range of the
`raised_at` index, however many alerts the years pile up.

"Assigned to you" comes from the ticket history's assignment rows (kind `assigned`, the new
assignee's operator id as text in `new_value`), read after a watermark (`app_meta`
`alerts.assignments_after`, the last row read) through a partial index on those rows, so
the check reads only the assignments made since the last one. Not alerted: an assignment
someone made to themselves, and one already undone (the ticket has another assignee now).
The first check of a database starts from the newest assignment: an assignment is news when
it is made, and what is assigned to someone already is in their queue (on the 1M-ticket
benchmark database, looking back 4 days would have raised 2,368 at once). Every desk's check
moves the one watermark, so an assignment made while the assignee's desk was closed is
raised by the next check of any desk and shown when theirs opens.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone

from ..domain.sla import DEFAULT_AT_RISK_SHARE, ClockState
from ..domain.vietnam import VIETNAM, desk_today
from .context import Context
from .contracts import list_obligations
from .dto import ListQuery, SlaTerms

OBLIGATION_NOTICE_DAYS = 7
BREACH_LOOKBACK = timedelta(days=4)
CHECKED_UNTIL = "alerts.checked_until"
ASSIGNMENTS_AFTER = "alerts.assignments_after"
INBOX_DAYS = 30  # what the alert centre shows: older alerts are no news (the dashboard lists what is late)
AFTER_LIMIT = 500  # alerts a desk is told of at once
SCAN_LIMIT = 5000  # clocks per kind and check; the rest are read by the next check


def check(ctx: Context, obligation_days: int = OBLIGATION_NOTICE_DAYS) -> list:
    """Raise every alert that is due and not raised yet; return the new ones."""
    keys: list[str] = []
    now = ctx.now()
    today = desk_today(now)
    obligations = list_obligations(ctx, ListQuery(limit=2000, filters={
        "from": today, "until": today + timedelta(days=obligation_days)})).rows
    with ctx.uow() as uow:
        checked = _checked_until(uow)
        since = now - BREACH_LOOKBACK if checked is None else max(min(checked, now), now - BREACH_LOOKBACK)
        next_mark = now
        for kind, rows in uow.alerts.breached_between(since, now, SCAN_LIMIT).items():
            if len(rows) == SCAN_LIMIT:  # more than one check can take: go on from here next time
                next_mark = min(next_mark, rows[-1][3])
            for ticket_id, code, subject, due, assignee_id in rows:
                key = f"ticket:{ticket_id}:{kind}:breached"
                uow.alerts.add(key, "clock_breached", f"{code} — {subject}", ticket_id=ticket_id, due_at=due,
                               raised_at=now, recipient_id=assignee_id)
                keys.append(key)
        horizons = at_risk_horizons(ctx, uow.packages.terms() + [SlaTerms()], now)
        for kind, r, assignee_id in uow.alerts.at_risk_candidates(now, horizons, SCAN_LIMIT):
            clock = dict((k.value, c) for k, c in ctx.calendars.live_clocks(r)).get(kind)
            if clock is not None and clock.state(now) == ClockState.AT_RISK:
                key = f"ticket:{r.id}:{kind}:at_risk"
                uow.alerts.add(key, "clock_at_risk", f"{r.code} — {r.subject}", ticket_id=r.id,
                               due_at=clock.due_at, raised_at=now, recipient_id=assignee_id)
                keys.append(key)
        keys += _assignments(uow, now)
        for o in obligations:
            key = f"obligation:{o.id}:{o.due_on.isoformat()}"
            if not uow.alerts.has(key):
                # Due on a day: its first moment in Hà Nội (the centre shows the day alone).
                due = datetime.combine(o.due_on, time(), VIETNAM).astimezone(timezone.utc)
                uow.alerts.add(key, "obligation_due", f"{o.contract_number} — {o.customer_name}",
                               contract_id=o.contract_id, due_at=due, raised_at=now)
                keys.append(key)
        uow.set_meta(CHECKED_UNTIL, next_mark.isoformat())
        new = uow.alerts.flush_new(keys)
        uow.commit()
    return new


def _assignments(uow, now: datetime) -> list[str]:
    """Raise "assigned to you" for the assignments made since the watermark; their keys."""
    mark = uow.get_meta(ASSIGNMENTS_AFTER)
    if mark is None:  # the first check of this database: from now on
        uow.set_meta(ASSIGNMENTS_AFTER, str(uow.alerts.last_assignment_id()))
        return []
    after = int(mark)
    keys = []
    rows = uow.alerts.assignments_after(after, SCAN_LIMIT)
    for event_id, _occurred_at, ticket_id, code, subject, new_value, assigned_by, assignee_now in rows:
        after = event_id
        recipient = _operator_id(new_value)
        if recipient is None or recipient == assigned_by or recipient != assignee_now:
            continue
        key = f"ticket:{ticket_id}:assigned:{event_id}"
        uow.alerts.add(key, "assigned", f"{code} — {subject}", ticket_id=ticket_id, raised_at=now,
                       recipient_id=recipient)
        keys.append(key)
    if rows:
        uow.set_meta(ASSIGNMENTS_AFTER, str(after))
    return keys


def _operator_id(value: str | None) -> int | None:
    """The assignee an assignment row names: its operator id, as text, first (None: unassigned)."""
    digits = re.match(r"\s*(\d+)", value or "")
    return int(digits.group(1)) if digits else None


def raised_after(ctx: Context, alert_id: int | None, operator_id: int | None = None,
                 everyone: bool = True) -> tuple[int, list]:
    """(the newest alert's id, the alerts raised after `alert_id` by any desk on this
    database): on a team server one desk's check raises an alert once for everyone, and every
    desk shows it. With `everyone` False, only those `operator_id` sees (theirs and the
    team's). `None` (a desk that has shown nothing yet) gives only the newest id."""
    with ctx.uow() as uow:
        if alert_id is None:
            return uow.alerts.latest_id(), []
        latest = uow.alerts.latest_id()  # first: one raised meanwhile is in `new`, or read next time
        new = uow.alerts.after(alert_id, AFTER_LIMIT, operator_id=operator_id, everyone=everyone)
        if len(new) == AFTER_LIMIT:  # more than one answer holds: go on from the last one given
            return new[-1].id, new
        return max(latest, alert_id, new[-1].id if new else 0), new


def inbox(ctx: Context, operator_id: int | None, unread_only: bool = True, limit: int = 500) -> list:
    """The alerts `operator_id` sees (theirs and the team's) raised in the last INBOX_DAYS,
    newest first; with `unread_only`, those they have not acknowledged."""
    with ctx.uow() as uow:
        return uow.alerts.inbox(operator_id, ctx.now() - timedelta(days=INBOX_DAYS), unread_only, limit)


def unread_count(ctx: Context, operator_id: int | None) -> int:
    """How many alerts `operator_id` has not acknowledged: the alert centre's rows."""
    with ctx.uow() as uow:
        return uow.alerts.unread_count(operator_id, ctx.now() - timedelta(days=INBOX_DAYS))


def acknowledge(ctx: Context, operator_id: int, alert_ids) -> int:
    """`operator_id` has seen `alert_ids` (theirs or the team's; the team's stay unread for the
    others); how many were unread."""
    alert_ids = list(alert_ids)
    if not alert_ids:
        return 0
    with ctx.uow() as uow:
        count = uow.alerts.acknowledge(operator_id, alert_ids, ctx.now())
        uow.commit()
    return count


def at_risk_horizons(ctx: Context, terms: list[SlaTerms], now: datetime, share: float = DEFAULT_AT_RISK_SHARE) -> dict:
    """Clock kind -> the latest due time a running clock of that kind can have and be at
    risk at `now`: at most (1 - share) of its target is left. Over every package's terms."""
    left = 1.0 - share
    slack = timedelta(minutes=1)
    proposal = max(ctx.calendars.for_hours(t.support_hours).add_working_time(now, timedelta(minutes=t.proposal_minutes * left))
                   for t in terms)
    fix = max(max(t.fix_hours, t.fix_extended_hours) for t in terms)
    complaint = max(t.complaint_hours for t in terms)
    return {"proposal": proposal + slack, "fix": now + timedelta(hours=fix * left) + slack,
            "complaint": now + timedelta(hours=complaint * left) + slack}


def recheck_from(uow, earliest_due: datetime | None) -> None:
    """Due times were written, the earliest `earliest_due`: if that is before the last check,
    the next check looks back to it (within BREACH_LOOKBACK), so a clock whose due time was
    moved into the past is reported as breached."""
    if earliest_due is None:
        return
    checked = _checked_until(uow)
    if checked is not None and earliest_due < checked:
        uow.set_meta(CHECKED_UNTIL, earliest_due.isoformat())


def _checked_until(uow) -> datetime | None:
    value = uow.get_meta(CHECKED_UNTIL)
    return datetime.fromisoformat(value) if value else None


def recent(ctx: Context, limit: int = 200) -> list:
    with ctx.uow() as uow:
        return uow.alerts.recent(limit)
