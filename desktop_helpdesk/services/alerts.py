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
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..domain.sla import DEFAULT_AT_RISK_SHARE, ClockState
from ..domain.vietnam import desk_today
from .context import Context
from .contracts import list_obligations
from .dto import ListQuery, SlaTerms

OBLIGATION_NOTICE_DAYS = 7
BREACH_LOOKBACK = timedelta(days=4)
CHECKED_UNTIL = "alerts.checked_until"
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
            for ticket_id, code, subject, due in rows:
                key = f"ticket:{ticket_id}:{kind}:breached"
                uow.alerts.add(key, "clock_breached", f"{code} — {subject}", ticket_id=ticket_id, due_at=due,
                               raised_at=now)
                keys.append(key)
        horizons = at_risk_horizons(ctx, uow.packages.terms() + [SlaTerms()], now)
        for kind, r in uow.alerts.at_risk_candidates(now, horizons, SCAN_LIMIT):
            clock = dict((k.value, c) for k, c in ctx.calendars.live_clocks(r)).get(kind)
            if clock is not None and clock.state(now) == ClockState.AT_RISK:
                key = f"ticket:{r.id}:{kind}:at_risk"
                uow.alerts.add(key, "clock_at_risk", f"{r.code} — {r.subject}", ticket_id=r.id,
                               due_at=clock.due_at, raised_at=now)
                keys.append(key)
        for o in obligations:
            key = f"obligation:{o.id}:{o.due_on.isoformat()}"
            if not uow.alerts.has(key):
                uow.alerts.add(key, "obligation_due", f"{o.contract_number} — {o.customer_name}",
                               contract_id=o.contract_id, raised_at=now)
                keys.append(key)
        uow.set_meta(CHECKED_UNTIL, next_mark.isoformat())
        new = uow.alerts.flush_new(keys)
        uow.commit()
    return new


def raised_after(ctx: Context, alert_id: int | None) -> tuple[int, list]:
    """(the newest alert's id, the alerts raised after `alert_id` by any desk on this
    database): on a team server one desk's check raises an alert once for everyone, and every
    desk shows it. `None` (a desk that has shown nothing yet) gives only the newest id."""
    with ctx.uow() as uow:
        if alert_id is None:
            return uow.alerts.latest_id(), []
        new = uow.alerts.after(alert_id)
        return (new[-1].id if new else alert_id), new


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


def mark_read(ctx: Context) -> None:
    with ctx.uow() as uow:
        uow.alerts.mark_read(ctx.now())
        uow.commit()
