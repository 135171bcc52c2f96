"""Which SLA clocks a ticket gets, on which calendar, and how its status moves them.

- Solution proposal: every request the desk serves (not refused, not a complaint), counted
  in the package's working hours.
- Fix: incidents under warranty or maintenance (seed 003), 24 clock hours, or 48 when the
  window touches a day off.
- Complaint: complaints, 72 clock hours (seed 000 §2.7).
Waiting on the customer pauses every running clock; leaving it resumes them. "Solution
proposed" meets the proposal clock; "resolved" or "closed" meets them all. Reopening a
resolved ticket starts the fix (or complaint) clock afresh from the reopening: the customer
reports that the fix did not hold, which is a new notification.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Callable

from ..domain.calendar import OFFICE_HOURS, OFFICE_HOURS_WITH_SATURDAY_MORNING, BusinessCalendar
from ..domain.enums import Coverage, RequestType, SupportHours, TicketStatus, WorkingWeek
from ..domain.sla import (
    ClockKind,
    ClockTimeTarget,
    SlaClock,
    SlaPolicy,
    WorkingTimeTarget,
)
from ..domain.vietnam import VIETNAM_ZONE_NAME

CALENDAR_YEARS = range(2020, 2041)
DAY_OFF, WORKING_DAY = "day_off", "working_day"


class Calendars:
    """The support calendars of one database: office hours with Vietnam's holidays and the
    firm's own days (days off, working days) from that database, and 24/7.

    One instance per open database, shared by the worker lanes (which read and change the
    firm's days) and the views (which read a calendar at paint time, never the database):
    the firm's days are read once, on the first use, which the main window makes on a
    worker before the first countdown is painted."""

    def __init__(self, read_days: Callable[[], tuple[list, str]] | None = None):
        #: Reads (the firm's days, its working week) from the database.
        self._read_days = read_days
        self._lock = threading.Lock()
        self._office_days: tuple | None = None if read_days else ((), (), WorkingWeek.MON_FRI.value)
        self._built: dict[str, BusinessCalendar] = {}

    def set_office_days(self, days, week: str = WorkingWeek.MON_FRI.value) -> bool:
        """Use the firm's own calendar days (objects with `.day` and `.kind`) and its working
        week (a WorkingWeek value) on the office calendar from now on; returns whether that
        changed it."""
        key = (tuple(sorted(d.day for d in days if d.kind == DAY_OFF)),
               tuple(sorted(d.day for d in days if d.kind == WORKING_DAY)), week)
        with self._lock:
            if key == self._office_days:
                return False
            self._office_days = key
            self._built = {}
            return True

    def for_hours(self, support_hours: str) -> BusinessCalendar:
        """The support calendar of a package's support hours."""
        built = self._built.get(support_hours)
        if built is not None:
            return built
        if self._office_days is None:
            self.set_office_days(*self._read_days())
        with self._lock:
            built = self._built.get(support_hours)
            if built is None:
                built = self._build(support_hours, self._office_days)
                self._built[support_hours] = built
            return built

    @staticmethod
    def _build(support_hours: str, office_days) -> BusinessCalendar:
        if support_hours == SupportHours.ALWAYS:
            return BusinessCalendar.always_open(VIETNAM_ZONE_NAME)
        days_off, working_days, week = office_days
        weekly = OFFICE_HOURS_WITH_SATURDAY_MORNING if week == WorkingWeek.MON_FRI_SAT_MORNING else OFFICE_HOURS
        weekday_hours = OFFICE_HOURS[0]
        return BusinessCalendar.vietnam(weekly, years=CALENDAR_YEARS, extra_holidays=days_off,
                                        extra_working_days={day: weekday_hours for day in working_days})

    def rules_for(self, terms) -> tuple[SlaPolicy, BusinessCalendar]:
        """The SLA policy and the support calendar of a package's terms (`SlaTerms`)."""
        return (policy_for(terms.proposal_minutes, terms.fix_hours, terms.fix_extended_hours, terms.complaint_hours),
                self.for_hours(terms.support_hours))

    def live_clocks(self, row) -> list[tuple[ClockKind, SlaClock]]:
        """A ticket row's stored clocks as domain clocks, on its package's calendar and targets."""
        policy, calendar = self.rules_for(row.terms)
        out = []
        for c in row.clocks:
            kind = ClockKind(c.kind)
            columns = {"started_at": c.started_at, "paused_seconds": c.paused_seconds, "paused_since": c.paused_since,
                       "stopped_at": c.stopped_at, "due_at": c.due_at}
            out.append((kind, clock_from_columns(kind, columns, policy, calendar)))
        return out


@lru_cache(maxsize=64)
def policy_for(proposal_minutes: int = 240, fix_hours: int = 24, fix_extended_hours: int = 48,
               complaint_hours: int = 72) -> SlaPolicy:
    return SlaPolicy(
        proposal=WorkingTimeTarget(timedelta(minutes=proposal_minutes)),
        fix=ClockTimeTarget(timedelta(hours=fix_hours), extended=timedelta(hours=fix_extended_hours)),
        complaint=ClockTimeTarget(timedelta(hours=complaint_hours)),
    )


def clocks_for(request_type: str, coverage: str) -> tuple[ClockKind, ...]:
    if coverage == Coverage.REFUSED:
        return ()
    if request_type == RequestType.COMPLAINT:
        return (ClockKind.COMPLAINT,)
    kinds = [ClockKind.PROPOSAL]
    if request_type == RequestType.INCIDENT and coverage in (Coverage.WARRANTY, Coverage.MAINTENANCE):
        kinds.append(ClockKind.FIX)
    return tuple(kinds)


def start_clocks(kinds, policy: SlaPolicy, calendar: BusinessCalendar, at: datetime, status: str) -> dict:
    clocks = {kind: policy.start_clock(kind, calendar, at) for kind in kinds}
    if status == TicketStatus.WAITING_CUSTOMER:
        clocks = {k: c.pause(at) for k, c in clocks.items()}
    return clocks


def follow_status(clocks: dict, old: str, new: str, at: datetime, policy: SlaPolicy,
                  calendar: BusinessCalendar) -> dict:
    """The clocks after the ticket's status went from `old` to `new` at `at`."""
    old_s, new_s = TicketStatus(old), TicketStatus(new)
    out = dict(clocks)
    for kind, clock in clocks.items():
        if clock is None:
            continue
        if not old_s.is_open and new_s.is_open:
            if kind in (ClockKind.FIX, ClockKind.COMPLAINT):
                restarted = policy.start_clock(kind, calendar, at)
                # Reopened straight into "waiting on customer": the new clock waits too.
                out[kind] = restarted.pause(at) if new_s == TicketStatus.WAITING_CUSTOMER else restarted
            continue
        if clock.stopped_at is not None:
            continue
        if old_s == TicketStatus.WAITING_CUSTOMER and new_s != TicketStatus.WAITING_CUSTOMER and clock.paused_since:
            clock = clock.resume(at)
        if new_s == TicketStatus.WAITING_CUSTOMER and clock.paused_since is None:
            clock = clock.pause(at)
        if (new_s == TicketStatus.SOLUTION_PROPOSED and kind == ClockKind.PROPOSAL) or not new_s.is_open:
            clock = clock.stop(at)
        out[kind] = clock
    return out


def next_due(clocks: dict) -> datetime | None:
    """The earliest due time among clocks not yet met (what the list sorts by)."""
    dues = [c.due_at for c in clocks.values() if c is not None and c.stopped_at is None]
    return min(dues) if dues else None


def clock_from_columns(kind: ClockKind, columns: dict, policy: SlaPolicy, calendar: BusinessCalendar) -> SlaClock | None:
    if columns.get("started_at") is None:
        return None
    cols = dict(columns)
    cols["paused_total"] = timedelta(seconds=cols.pop("paused_seconds", 0) or 0)
    return SlaClock.from_columns(cols, policy.target(kind), calendar)


def clock_to_columns(clock: SlaClock | None) -> dict:
    if clock is None:
        return {"started_at": None, "paused_seconds": None, "paused_since": None, "stopped_at": None, "due_at": None}
    c = clock.to_columns()
    return {"started_at": c["started_at"], "paused_seconds": int(c["paused_total"].total_seconds()),
            "paused_since": c["paused_since"], "stopped_at": c["stopped_at"], "due_at": c["due_at"]}
