"""SLA targets, clocks and package policies (shared/DOMAIN.md, "The clocks (SLA)").

A target is counted either in **working time** of a support calendar (the solution proposal:
2 to 4 working hours) or in **clock time** (the fix: 24 hours, or 48 hours when the window
falls on days off; a complaint: 72 hours). A clock starts when the customer notifies the
vendor, pauses while the ticket waits on the customer, and stops when the target is met.

Pauses
------
Paused time never counts against the vendor. ``paused_total`` is kept **in the target's own
unit**: for a working-time target it is the working time (on the clock's calendar) that
passed while the clock was paused, for a clock-time target the elapsed time. So

- working time: ``due_at = calendar.add_working_time(started_at, duration + paused_total)``;
  a pause over a night or a weekend costs nothing and moves nothing, a pause of one working
  hour moves the due time by one working hour;
- clock time: ``due_at = started_at + duration + paused_total``.

The pause intervals themselves are not stored (only the five columns are), so when a
calendar changes, ``recompute`` keeps the working time already measured for past pauses and
recomputes the due time from it; if a clock's target changes between the two kinds the
stored ``paused_total`` is read in the new unit.

While a clock is paused, ``due_at`` is the due time as of the pause (the current pause is not
included yet); :meth:`SlaClock.projected_due_at` says when it would be due if resumed now.
Stopping a paused clock leaves the pause open: the vendor's time ended when it was paused.

The 24/48-hour rule
-------------------
A :class:`ClockTimeTarget` with ``extended`` uses the extended length when its window
``[started_at, started_at + duration + paused_total)`` touches a calendar day with no working
time (a weekend day or a holiday of the clock's calendar, in the calendar's zone; see
:meth:`BusinessCalendar.has_day_off_between`). The window is half-open: a 24-hour window
from Friday 00:00 ends at Saturday 00:00 and does not touch Saturday.

All arithmetic is done on instants (UTC), never on wall clocks, so results are right across
daylight-saving changes; due times are returned in the calendar's zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import Any

from desktop_helpdesk.domain.calendar import BusinessCalendar

__all__ = [
    "COLUMNS",
    "DEFAULT_AT_RISK_SHARE",
    "ClockKind",
    "ClockState",
    "ClockTimeTarget",
    "SlaClock",
    "SlaPolicy",
    "SlaTarget",
    "WorkingTimeTarget",
]

DEFAULT_AT_RISK_SHARE = 0.75
COLUMNS = ("started_at", "paused_total", "paused_since", "stopped_at", "due_at")
"""The plain columns that hold a clock's whole state (see :meth:`SlaClock.to_columns`)."""

_UTC = timezone.utc
_ZERO = timedelta(0)


def _utc(moment: datetime, name: str = "moment") -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {moment!r}")
    return moment.astimezone(_UTC)


def _positive(value: timedelta, name: str) -> None:
    if not isinstance(value, timedelta):
        raise TypeError(f"{name} must be a timedelta, got {value!r}")
    if value <= _ZERO:
        raise ValueError(f"{name} must be positive, got {value!r}")


@dataclass(frozen=True, slots=True)
class WorkingTimeTarget:
    """``duration`` of working time on the clock's calendar (e.g. 4 working hours)."""

    duration: timedelta

    def __post_init__(self) -> None:
        _positive(self.duration, "duration")

    def due_at(
        self, calendar: BusinessCalendar, started_at: datetime, paused_total: timedelta = _ZERO
    ) -> datetime:
        """When ``duration`` plus the paused working time has passed after ``started_at``."""
        return calendar.add_working_time(started_at, self.duration + paused_total)

    def measure(self, calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
        """The time in ``[start, end)`` in this target's unit: working time."""
        return calendar.working_time_between(start, end)


@dataclass(frozen=True, slots=True)
class ClockTimeTarget:
    """``duration`` of elapsed time; ``extended`` instead when the window touches a day off.

    ``ClockTimeTarget(timedelta(hours=24), extended=timedelta(hours=48))`` is the fix target
    of seed 003: 24 hours, or 48 hours when the 24-hour window touches a day with no working
    time on the calendar.
    """

    duration: timedelta
    extended: timedelta | None = None

    def __post_init__(self) -> None:
        _positive(self.duration, "duration")
        if self.extended is not None:
            _positive(self.extended, "extended")
            if self.extended < self.duration:
                raise ValueError("extended must not be shorter than duration")

    def due_at(
        self, calendar: BusinessCalendar, started_at: datetime, paused_total: timedelta = _ZERO
    ) -> datetime:
        start = _utc(started_at, "started_at")
        due = start + self.duration + paused_total
        if self.extended is not None and calendar.has_day_off_between(start, due):
            due = start + self.extended + paused_total
        return due.astimezone(calendar.zone)

    def measure(self, calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
        """The time in ``[start, end)`` in this target's unit: elapsed time."""
        elapsed = _utc(end, "end") - _utc(start, "start")
        return elapsed if elapsed > _ZERO else _ZERO


SlaTarget = WorkingTimeTarget | ClockTimeTarget


class ClockState(StrEnum):
    RUNNING = "running"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"


class ClockKind(StrEnum):
    """The clocks a ticket may run (shared/DOMAIN.md)."""

    PROPOSAL = "proposal"  # đề xuất phương án
    FIX = "fix"  # khắc phục
    COMPLAINT = "complaint"  # khiếu nại


@dataclass(frozen=True, slots=True)
class SlaClock:
    """One SLA clock of a ticket; immutable, every event returns a new clock.

    The first five fields are the clock's stored state (:data:`COLUMNS`); ``target`` and
    ``calendar`` are what it is measured against, kept so that the clock can answer questions
    on its own. Events (:meth:`pause`, :meth:`resume`, :meth:`stop`) are expected in
    chronological order; queries take ``now`` and read a paused or stopped clock as of the
    moment it was paused or stopped.
    """

    started_at: datetime
    paused_total: timedelta
    paused_since: datetime | None
    stopped_at: datetime | None
    due_at: datetime
    target: SlaTarget
    calendar: BusinessCalendar = field(compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.started_at.tzinfo is None or self.due_at.tzinfo is None:
            raise ValueError("started_at and due_at must be aware datetimes")
        if self.paused_total < _ZERO:
            raise ValueError("paused_total must not be negative")

    # ------------------------------------------------------------------ events

    @classmethod
    def start(cls, target: SlaTarget, calendar: BusinessCalendar, at: datetime) -> SlaClock:
        """A clock started at ``at`` (the moment the customer notified the vendor)."""
        _utc(at, "at")
        return cls(at, _ZERO, None, None, target.due_at(calendar, at, _ZERO), target, calendar)

    def pause(self, at: datetime) -> SlaClock:
        """Wait on the customer from ``at``; the due time stops moving closer."""
        at_utc = _utc(at, "at")
        if self.stopped_at is not None:
            raise ValueError("cannot pause a stopped clock")
        if self.paused_since is not None:
            raise ValueError("the clock is already paused")
        if at_utc < _utc(self.started_at):
            raise ValueError("cannot pause before the clock started")
        return SlaClock(
            self.started_at, self.paused_total, at, None, self.due_at, self.target, self.calendar
        )

    def resume(
        self,
        at: datetime,
        target: SlaTarget | None = None,
        calendar: BusinessCalendar | None = None,
    ) -> SlaClock:
        """The ball is back with the vendor at ``at``: add the pause and move the due time.

        ``target`` and ``calendar`` replace the clock's own when given (a changed policy).
        The pause is measured in the target's unit on the (new) calendar.
        """
        at_utc = _utc(at, "at")
        if self.paused_since is None:
            raise ValueError("the clock is not paused")
        if self.stopped_at is not None:
            raise ValueError("cannot resume a stopped clock")
        if at_utc < _utc(self.paused_since):
            raise ValueError("cannot resume before the pause began")
        target = self.target if target is None else target
        calendar = self.calendar if calendar is None else calendar
        paused_total = self.paused_total + target.measure(calendar, self.paused_since, at)
        due_at = target.due_at(calendar, self.started_at, paused_total)
        return SlaClock(self.started_at, paused_total, None, None, due_at, target, calendar)

    def stop(self, at: datetime) -> SlaClock:
        """The target is met (or finally done, late) at ``at``."""
        at_utc = _utc(at, "at")
        if self.stopped_at is not None:
            raise ValueError("the clock is already stopped")
        if at_utc < _utc(self.started_at):
            raise ValueError("cannot stop before the clock started")
        if self.paused_since is not None and at_utc < _utc(self.paused_since):
            raise ValueError("cannot stop before the pause began")
        return SlaClock(
            self.started_at,
            self.paused_total,
            self.paused_since,
            at,
            self.due_at,
            self.target,
            self.calendar,
        )

    def recompute(
        self, target: SlaTarget | None = None, calendar: BusinessCalendar | None = None
    ) -> SlaClock:
        """The same clock with its due time recomputed, e.g. after a holiday or policy edit.

        A stopped clock is recomputed too (its verdict may change with the calendar).
        """
        target = self.target if target is None else target
        calendar = self.calendar if calendar is None else calendar
        return SlaClock(
            self.started_at,
            self.paused_total,
            self.paused_since,
            self.stopped_at,
            target.due_at(calendar, self.started_at, self.paused_total),
            target,
            calendar,
        )

    # ------------------------------------------------------------------ queries

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None and self.stopped_at is None

    @property
    def is_stopped(self) -> bool:
        return self.stopped_at is not None

    def _moment(self, now: datetime) -> datetime:
        """The moment the clock is read at: ``now``, or when it was paused or stopped."""
        t = _utc(self.stopped_at) if self.stopped_at is not None else _utc(now, "now")
        if self.paused_since is not None:
            paused = _utc(self.paused_since)
            if paused < t:
                t = paused
        return t

    def projected_due_at(self, now: datetime) -> datetime:
        """``due_at``, or for a paused clock the due time if it were resumed at ``now``."""
        if not self.is_paused:
            return self.due_at
        resume_at = max(_utc(now, "now"), _utc(self.paused_since))
        return self.resume(resume_at).due_at

    def used(self, now: datetime) -> timedelta:
        """Time counted against the vendor so far, in the target's unit (pauses excluded)."""
        t = self._moment(now)
        started = _utc(self.started_at)
        if t <= started:
            return _ZERO
        used = self.target.measure(self.calendar, started, t) - self.paused_total
        return used if used > _ZERO else _ZERO

    def remaining(self, now: datetime) -> timedelta:
        """Elapsed time from ``now`` (or the pause or stop) to ``due_at``; negative once breached.

        For a paused clock it stays where it was when the clock was paused.
        """
        return _utc(self.due_at) - self._moment(now)

    def share_used(self, now: datetime) -> float:
        """The share of the target used: 0.0 at the start, 1.0 at the due time, above after."""
        if isinstance(self.target, WorkingTimeTarget):
            length = self.target.duration
        else:  # the length actually applied: duration or extended
            length = _utc(self.due_at) - _utc(self.started_at) - self.paused_total
            if length <= _ZERO:  # a stale stored due time; recompute() fixes it
                length = self.target.duration
        return self.used(now) / length

    def state(self, now: datetime, at_risk_share: float = DEFAULT_AT_RISK_SHARE) -> ClockState:
        """MET / BREACHED once stopped; else BREACHED after the due time (even if paused
        since), PAUSED, AT_RISK once ``at_risk_share`` of the target is used, or RUNNING."""
        if not 0.0 < at_risk_share <= 1.0:
            raise ValueError("at_risk_share must be in (0, 1]")
        t = self._moment(now)
        late = t > _utc(self.due_at)
        if self.stopped_at is not None:
            return ClockState.BREACHED if late else ClockState.MET
        if late:
            return ClockState.BREACHED
        if self.paused_since is not None:
            return ClockState.PAUSED
        if self.share_used(now) >= at_risk_share:
            return ClockState.AT_RISK
        return ClockState.RUNNING

    # ------------------------------------------------------------------ storage

    def to_columns(self) -> dict[str, Any]:
        """The clock's state as plain values: datetimes (aware), a timedelta, or None."""
        return {
            "started_at": self.started_at,
            "paused_total": self.paused_total,
            "paused_since": self.paused_since,
            "stopped_at": self.stopped_at,
            "due_at": self.due_at,
        }

    @classmethod
    def from_columns(
        cls, columns: Mapping[str, Any], target: SlaTarget, calendar: BusinessCalendar
    ) -> SlaClock:
        """Rebuild a clock stored with :meth:`to_columns`; ``due_at`` is taken as stored
        (call :meth:`recompute` to refresh it)."""
        missing = [name for name in COLUMNS if name not in columns]
        if missing:
            raise ValueError(f"missing columns: {', '.join(missing)}")
        for name in ("started_at", "paused_since", "stopped_at", "due_at"):
            if columns[name] is not None:
                _utc(columns[name], name)
        if columns["started_at"] is None or columns["due_at"] is None:
            raise ValueError("started_at and due_at are required")
        paused_total = columns["paused_total"]
        if not isinstance(paused_total, timedelta):
            raise TypeError("paused_total must be a timedelta")
        return cls(
            columns["started_at"],
            paused_total,
            columns["paused_since"],
            columns["stopped_at"],
            columns["due_at"],
            target,
            calendar,
        )


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """A package's SLA: one target per clock kind, all on the package's calendar."""

    proposal: SlaTarget = WorkingTimeTarget(timedelta(hours=4))
    fix: SlaTarget = ClockTimeTarget(timedelta(hours=24), extended=timedelta(hours=48))
    complaint: SlaTarget = ClockTimeTarget(timedelta(hours=72))
    at_risk_share: float = DEFAULT_AT_RISK_SHARE

    def __post_init__(self) -> None:
        for name in ("proposal", "fix", "complaint"):
            if not isinstance(getattr(self, name), WorkingTimeTarget | ClockTimeTarget):
                raise TypeError(f"{name} must be a WorkingTimeTarget or a ClockTimeTarget")
        if not 0.0 < self.at_risk_share <= 1.0:
            raise ValueError("at_risk_share must be in (0, 1]")

    def target(self, kind: ClockKind) -> SlaTarget:
        return getattr(self, ClockKind(kind).value)

    def start_clock(self, kind: ClockKind, calendar: BusinessCalendar, at: datetime) -> SlaClock:
        return SlaClock.start(self.target(kind), calendar, at)

    def state(self, clock: SlaClock, now: datetime) -> ClockState:
        """``clock.state(now)`` with this policy's at-risk share."""
        return clock.state(now, self.at_risk_share)
