"""Business calendars: working time in a time zone, with holidays and make-up working days.

A :class:`BusinessCalendar` answers the questions the SLA clocks ask (see shared/DOMAIN.md,
"The working calendar in Vietnam"): when will four working hours have passed, how much
working time lies between two moments, is this moment working time, does this window touch
a day off.

How it works
------------
Working hours are wall-clock intervals per weekday in the calendar's zone. A date may be a
holiday (no working time) or carry its own intervals (a make-up Saturday). Each day's
intervals are turned into UTC instants, counted in integer microseconds since the Unix
epoch, once, for a window of days; the window keeps the interval starts and ends and the
cumulative working time before each interval in plain lists. Every question is then one or
two ``bisect`` calls on those lists plus integer arithmetic, so results are exact to the
microsecond and no call walks hour by hour or day by day. The window grows (doubling) when a
question falls outside it; holidays and overrides are finite, the weekly pattern repeats
forever.

Wall times that do not exist or exist twice because of a daylight-saving change are read
with ``fold=0`` (the offset in force before the change): an interval 00:00–00:00 on a
23-hour day is 23 hours of working time, on a 25-hour day 25 hours. Working time is the union
of the instants the intervals denote.

All public methods take aware datetimes in any zone and return aware datetimes in the
calendar's zone; naive datetimes raise ``ValueError``.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from datetime import timezone as _fixed_timezone
from types import MappingProxyType
from zoneinfo import ZoneInfo

# Vietnam's zone, office hours and statutory days live in vietnam.py; they are named here
# too because BusinessCalendar.vietnam builds on them and callers have always found them here.
from .vietnam import (
    OFFICE_HOURS,
    OFFICE_HOURS_WITH_SATURDAY_MORNING,
    statutory_days,
    vietnam_holiday_names,
    vietnam_make_up_days,
)
from .vietnam import VIETNAM_ZONE_NAME as VIETNAM_TIMEZONE

__all__ = [
    "BusinessCalendar",
    "Interval",
    "OFFICE_HOURS",
    "OFFICE_HOURS_WITH_SATURDAY_MORNING",
    "VIETNAM_TIMEZONE",
    "WeeklyHours",
    "vietnam_holiday_names",
    "vietnam_make_up_days",
]

Interval = tuple[time, time]
"""A working interval in wall-clock time; an end of ``time(0)`` is midnight at the day's end."""

WeeklyHours = Mapping[int, Sequence[Interval]]
"""Weekday (0 = Monday .. 6 = Sunday) -> that day's working intervals."""

_UTC = _fixed_timezone.utc
_EPOCH = datetime(1970, 1, 1, tzinfo=_UTC)
_US = timedelta(microseconds=1)
_US_PER_S = 1_000_000
_DAY_US = 86_400_000_000
_ZERO = timedelta(0)
_fromtimestamp = datetime.fromtimestamp
_MIN_ORDINAL = date.min.toordinal() + 2  # keep a margin so zone conversions never overflow
_MAX_ORDINAL = date.max.toordinal() - 2
_INITIAL_SPAN_DAYS = 366
_FAR_DAYS = 20 * 366  # a question this far from the precomputed days gets a window of its own
# Below 2**32 seconds (year 2106) a float timestamp is within 0.25 µs of the exact instant and
# datetime.fromtimestamp rounds to the nearest microsecond, so it rebuilds the instant exactly
# and is three times as fast as epoch + timedelta. Negative timestamps fail on Windows.
_FLOAT_SAFE_US = (1 << 32) * 1_000_000

_Spans = tuple[tuple[int, int], ...]  # (start, end) in microseconds after local midnight


def _time_to_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _us_to_time(us: int) -> time:
    if us >= _DAY_US:
        return time(0)
    seconds, micro = divmod(us, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


def _normalise_intervals(intervals: Sequence[Interval], where: str) -> _Spans:
    """Validate a day's intervals and return them sorted and merged, in microseconds."""
    if isinstance(intervals, tuple) and len(intervals) == 2 and isinstance(intervals[0], time):
        raise TypeError(f"{where}: expected a sequence of (start, end) intervals, got one interval")
    spans = []
    for interval in intervals:
        try:
            start, end = interval
        except (TypeError, ValueError):
            raise TypeError(f"{where}: an interval must be a (start, end) pair of times") from None
        if not isinstance(start, time) or not isinstance(end, time):
            raise TypeError(f"{where}: an interval must be a (start, end) pair of times")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"{where}: interval times must be naive wall-clock times")
        start_us = _time_to_us(start)
        end_us = _time_to_us(end) or _DAY_US
        if end_us <= start_us:
            raise ValueError(f"{where}: interval {start}–{end} ends before it starts")
        spans.append((start_us, end_us))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start_us, end_us in spans:
        if merged and start_us <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end_us, merged[-1][1]))
        else:
            merged.append((start_us, end_us))
    return tuple(merged)


def _spans_to_intervals(spans: _Spans) -> tuple[Interval, ...]:
    return tuple((_us_to_time(start), _us_to_time(end)) for start, end in spans)


def _check_date(value: object, where: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{where}: expected a date, got {value!r}")
    return value


class _Window:
    """Precomputed working time for the local days ``lo`` .. ``hi - 1`` (ordinals).

    Instants are microseconds since the epoch; the window answers for ``lo_us <= x < hi_us``.
    ``starts``/``ends`` are the merged working intervals in order, preceded by an empty
    sentinel interval just before ``lo_us`` so that ``bisect_right(starts, x) - 1`` is never
    negative. With ``cum`` the working time from the window's start, ``offs[i]`` is
    ``starts[i] - cum(starts[i])``: the working time before an instant ``x`` inside interval
    ``i`` is ``x - offs[i]``, and the instant where the working time reaches ``c`` inside
    interval ``j`` is ``c + offs[j]``. ``cum_end[i]`` is ``cum(ends[i])`` and ``total`` the
    window's working time. ``day_work`` is each day's working time and ``day_off_prefix[k]``
    the number of days without working time among the window's first ``k`` days.
    """

    __slots__ = (
        "lo",
        "hi",
        "lo_us",
        "hi_us",
        "starts",
        "ends",
        "offs",
        "cum_end",
        "total",
        "day_work",
        "day_off_prefix",
    )

    def __init__(self, lo, hi, lo_us, hi_us, starts, ends, offs, cum_end, day_work, prefix):
        self.lo = lo
        self.hi = hi
        self.lo_us = lo_us
        self.hi_us = hi_us
        self.starts = starts
        self.ends = ends
        self.offs = offs
        self.cum_end = cum_end
        self.total = cum_end[-1]
        self.day_work = day_work
        self.day_off_prefix = prefix

    def fast(self):
        return (self.lo_us, self.hi_us, self.starts, self.ends, self.offs, self.cum_end, self.total)

    def cum_at(self, x: int) -> int:
        i = bisect_right(self.starts, x) - 1
        end = self.ends[i]
        return (end if x > end else x) - self.offs[i]


_NO_FAST = (1, 0, None, None, None, None, 0)  # lo_us > hi_us: no instant is in range


class BusinessCalendar:
    """Working time in one time zone: a weekly pattern, holidays and per-date overrides.

    ``weekly_hours`` maps a weekday (0 = Monday .. 6 = Sunday) to that day's working
    intervals; a missing weekday has no working time. An interval ``(time(8), time(12))`` is
    08:00–12:00 and an end of ``time(0)`` means midnight at the end of the day; overlapping
    intervals are merged. A date in ``extra_working_days`` uses its own intervals instead of its
    weekday's (an empty sequence makes it a day off); a date in ``holidays`` has no working
    time, even if it is also in ``extra_working_days``.

    Instances are immutable in behaviour (the precomputed window is a cache) and safe to share
    between threads.
    """

    __slots__ = (
        "_timezone",
        "_zone",
        "_weekly",
        "_holidays",
        "_extra",
        "_weekly_has_work",
        "_override_lo",
        "_override_hi",
        "_window",
        "_fast",
        "_lock",
    )

    def __init__(
        self,
        timezone: str,
        weekly_hours: WeeklyHours,
        holidays: Iterable[date] = (),
        extra_working_days: Mapping[date, Sequence[Interval]] = MappingProxyType({}),
    ) -> None:
        if not isinstance(timezone, str):
            raise TypeError("timezone must be an IANA zone name such as 'Asia/Ho_Chi_Minh'")
        self._timezone = timezone
        self._zone = ZoneInfo(timezone)
        weekly: list[_Spans] = [()] * 7
        for weekday, intervals in weekly_hours.items():
            if not isinstance(weekday, int) or not 0 <= weekday <= 6:
                raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday), got {weekday!r}")
            weekly[weekday] = _normalise_intervals(intervals, f"weekday {weekday}")
        self._weekly: tuple[_Spans, ...] = tuple(weekly)
        self._holidays = frozenset(_check_date(day, "holidays") for day in holidays)
        self._extra: dict[date, _Spans] = {
            _check_date(day, "extra_working_days"): _normalise_intervals(intervals, str(day))
            for day, intervals in extra_working_days.items()
        }
        self._weekly_has_work = any(self._weekly)
        overrides = [day.toordinal() for day in self._holidays] + [
            day.toordinal() for day in self._extra
        ]
        self._override_lo = min(overrides) if overrides else None
        self._override_hi = max(overrides) + 1 if overrides else None
        self._window: _Window | None = None
        self._fast = _NO_FAST
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ constructors

    @classmethod
    def always_open(cls, timezone: str) -> BusinessCalendar:
        """The 24/7 calendar: every moment is working time."""
        return cls(timezone, {weekday: ((time(0), time(0)),) for weekday in range(7)})

    @classmethod
    def vietnam(
        cls,
        weekly_hours: WeeklyHours = OFFICE_HOURS,
        *,
        years: Iterable[int],
        extra_holidays: Iterable[date] = (),
        extra_working_days: Mapping[date, Sequence[Interval]] = MappingProxyType({}),
        make_up_day_hours: Sequence[Interval] | None = None,
    ) -> BusinessCalendar:
        """A calendar in Asia/Ho_Chi_Minh with Vietnam's statutory days off for ``years``.

        Holidays are the public holidays of the ``holidays`` package (country "VN"),
        including substitute days off (a holiday on a weekend, days swapped by the
        government such as 2026-08-31). The package's make-up working Saturdays
        (``weekend_workdays``, e.g. 2025-04-26 and 2026-08-22) become working days with
        ``make_up_day_hours``, by default the hours of the first weekday Monday..Friday that
        has any (a make-up day replaces a full weekday).

        ``extra_holidays`` adds days off (e.g. the rest of a Tết break the firm gives);
        ``extra_working_days`` sets a date's hours and wins over the package's holidays and
        make-up days for that date, so a firm can work on a statutory holiday. Outside
        ``years`` the calendar knows weekends only.
        """
        wanted_years = sorted({int(year) for year in years})
        if not wanted_years:
            raise ValueError("years must name at least one year")
        statutory_off, make_up_days = statutory_days(wanted_years)
        days_off = set(statutory_off)
        if make_up_day_hours is None:
            make_up_day_hours = next(
                (weekly_hours[wd] for wd in range(5) if weekly_hours.get(wd)), ()
            )
        overrides: dict[date, Sequence[Interval]] = {day: make_up_day_hours for day in make_up_days}
        overrides.update(extra_working_days)
        days_off.difference_update(extra_working_days)
        days_off.update(extra_holidays)
        return cls(VIETNAM_TIMEZONE, weekly_hours, days_off, overrides)

    # ------------------------------------------------------------------ definition

    @property
    def timezone(self) -> str:
        """The IANA zone name."""
        return self._timezone

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    @property
    def weekly_hours(self) -> Mapping[int, tuple[Interval, ...]]:
        """The weekly pattern, normalised (sorted, merged); weekdays without hours left out."""
        return MappingProxyType(
            {wd: _spans_to_intervals(spans) for wd, spans in enumerate(self._weekly) if spans}
        )

    @property
    def holidays(self) -> frozenset[date]:
        return self._holidays

    @property
    def extra_working_days(self) -> Mapping[date, tuple[Interval, ...]]:
        return MappingProxyType(
            {day: _spans_to_intervals(spans) for day, spans in sorted(self._extra.items())}
        )

    def _key(self):
        return (self._timezone, self._weekly, self._holidays, tuple(sorted(self._extra.items())))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self):
        # Rebuilt from its definition: the lock and the cache are not state.
        return (
            BusinessCalendar,
            (
                self._timezone,
                dict(self.weekly_hours),
                self._holidays,
                dict(self.extra_working_days),
            ),
        )

    def __copy__(self) -> BusinessCalendar:
        return self

    def __deepcopy__(self, memo) -> BusinessCalendar:
        return self

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar({self._timezone!r}, weekly_hours={dict(self.weekly_hours)!r}, "
            f"holidays=<{len(self._holidays)} dates>, "
            f"extra_working_days=<{len(self._extra)} dates>)"
        )

    # ------------------------------------------------------------------ queries

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The moment when ``duration`` of working time has passed after ``start``.

        A start outside working time counts from the next working moment; a zero duration
        gives that next working moment (``start`` itself when it is working time). A result
        landing exactly on the end of an interval is that end, not the next opening.
        """
        try:
            x = (start - _EPOCH) // _US
            d = duration // _US
        except TypeError:
            raise ValueError(
                "start must be an aware datetime and duration a timedelta"
            ) from None
        if d < 0:
            raise ValueError("duration must not be negative")
        lo_us, hi_us, starts, ends, offs, cum_end, total = self._fast
        if d and lo_us <= x < hi_us:  # fast path: a positive duration inside the window
            i = bisect_right(starts, x) - 1
            end = ends[i]
            target = (end if x > end else x) - offs[i] + d
            if target <= total:
                result = target + offs[bisect_left(cum_end, target)]
                if 0 <= result < _FLOAT_SAFE_US:
                    return _fromtimestamp(result / 1_000_000, self._zone)
                return self._from_us(result)
        return self._from_us(self._add_us(x, d))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time in ``[start, end)``; zero when ``end <= start``."""
        x = self._to_us(start)
        y = self._to_us(end)
        if y <= x:
            return _ZERO
        w = self._window_for_instants(x, y)
        return timedelta(microseconds=w.cum_at(y) - w.cum_at(x))

    def working_seconds_between(self, start: int, end: int) -> int:
        """Working seconds in ``[start, end)``, both whole seconds since the Unix epoch (UTC):
        :meth:`working_time_between` for a report that reads a million instants as numbers
        (no datetime is built for them); zero when ``end <= start``."""
        x, y = start * _US_PER_S, end * _US_PER_S
        if y <= x:
            return 0
        w = self._window_for_instants(x, y)
        return (w.cum_at(y) - w.cum_at(x)) // _US_PER_S

    def is_working_time(self, moment: datetime) -> bool:
        x = self._to_us(moment)
        w = self._window_for_instants(x, x)
        i = bisect_right(w.starts, x) - 1
        return i >= 0 and x < w.ends[i]

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` itself if it is working time, else the next opening."""
        x = self._to_us(moment)
        return self._from_us(self._add_us(x, 0))

    def working_time_on(self, day: date) -> timedelta:
        """The working time of one local calendar day (real elapsed time, DST included)."""
        ordinal = _check_date(day, "day").toordinal()
        w = self._window_for_days(ordinal, ordinal + 1)
        return timedelta(microseconds=w.day_work[ordinal - w.lo])

    def is_day_off(self, day: date) -> bool:
        """True when ``day`` has no working time (a weekend day, a holiday)."""
        return not self.working_time_on(day)

    def has_day_off_between(self, start: datetime, end: datetime) -> bool:
        """Does ``[start, end)`` touch a local calendar day with no working time?"""
        x = self._to_us(start)
        y = self._to_us(end)
        if y <= x:
            return False
        first = self._local_ordinal(x)
        last = self._local_ordinal(y - 1)
        w = self._window_for_days(first, last + 1)
        prefix = w.day_off_prefix
        return prefix[last + 1 - w.lo] > prefix[first - w.lo]

    # ------------------------------------------------------------------ internals

    def _to_us(self, moment: datetime) -> int:
        try:
            return (moment - _EPOCH) // _US
        except TypeError:
            raise ValueError(f"expected an aware datetime, got {moment!r}") from None

    def _from_us(self, us: int) -> datetime:
        if 0 <= us < _FLOAT_SAFE_US:
            return _fromtimestamp(us / 1_000_000, self._zone)
        try:
            return (_EPOCH + timedelta(microseconds=us)).astimezone(self._zone)
        except OverflowError:
            raise ValueError("moment outside the supported range of dates") from None

    def _local_ordinal(self, us: int) -> int:
        return self._from_us(us).toordinal()

    def _wall_to_us(self, ordinal: int, offset_us: int = 0) -> int:
        wall = datetime.fromordinal(ordinal) + timedelta(microseconds=offset_us)
        return (wall.replace(tzinfo=self._zone) - _EPOCH) // _US

    def _spans_for(self, day: date) -> _Spans:
        if day in self._holidays:
            return ()
        spans = self._extra.get(day)
        if spans is not None:
            return spans
        return self._weekly[day.weekday()]

    def _add_us(self, x: int, d: int) -> int:
        """add_working_time in microseconds; grows the window as needed."""
        while True:
            w = self._window_for_instants(x, x)
            starts = w.starts
            i = bisect_right(starts, x) - 1
            if x < w.ends[i]:  # x is working time
                if not d:
                    return x
                target = x - w.offs[i] + d
            elif i + 1 < len(starts):
                if not d:
                    return starts[i + 1]
                target = w.cum_end[i] + d
            else:  # no working time after x in the window
                self._grow_forward(w)
                continue
            if target <= w.total:
                return target + w.offs[bisect_left(w.cum_end, target)]
            self._grow_forward(w)

    def _grow_forward(self, w: _Window) -> None:
        if not self._weekly_has_work and (
            self._override_hi is None or w.hi > self._override_hi
        ):
            raise ValueError("the calendar has no working time after this moment")
        if w.hi >= _MAX_ORDINAL:
            raise ValueError("moment or duration outside the supported range of dates")
        self._window_for_days(w.lo, min(w.hi + max(w.hi - w.lo, _INITIAL_SPAN_DAYS), _MAX_ORDINAL))

    def _window_for_instants(self, x: int, y: int) -> _Window:
        w = self._window
        if w is not None and w.lo_us <= x and y < w.hi_us:
            return w
        return self._window_for_days(self._local_ordinal(x) - 1, self._local_ordinal(y) + 2)

    def _window_for_days(self, lo: int, hi: int) -> _Window:
        """A window covering the local days ``lo`` .. ``hi - 1``, building one if needed."""
        w = self._window
        if w is not None and w.lo <= lo and hi <= w.hi:
            return w
        with self._lock:
            w = self._window
            if w is not None and w.lo <= lo and hi <= w.hi:
                return w
            if w is None or lo > w.hi + _FAR_DAYS or hi < w.lo - _FAR_DAYS:
                # A first window, or one far from the current one (a mistyped year): start
                # afresh rather than precompute every day in between.
                new_lo = lo - 7
                new_hi = max(hi, lo + _INITIAL_SPAN_DAYS)
                if (
                    self._override_lo is not None
                    and self._override_lo - _FAR_DAYS < new_hi
                    and new_lo < self._override_hi + _FAR_DAYS
                ):  # precompute the holidays' years too
                    new_lo = min(new_lo, self._override_lo - 7)
                    new_hi = max(new_hi, self._override_hi + 7)
            else:
                span = w.hi - w.lo
                new_lo = w.lo if lo >= w.lo else min(lo, w.lo - span)
                new_hi = w.hi if hi <= w.hi else max(hi, w.hi + span)
            if lo < _MIN_ORDINAL or hi > _MAX_ORDINAL:
                raise ValueError("moment or duration outside the supported range of dates")
            new_lo = max(new_lo, _MIN_ORDINAL)
            new_hi = min(new_hi, _MAX_ORDINAL)
            w = self._build(new_lo, new_hi)
            self._window = w
            self._fast = w.fast()
            return w

    def _build(self, lo: int, hi: int) -> _Window:
        wall_to_us = self._wall_to_us
        spans_for = self._spans_for
        lo_us = wall_to_us(lo)
        pairs: list[tuple[int, int]] = []
        day_work: list[int] = []
        prefix = [0]
        for ordinal in range(lo, hi):
            day_pairs = []
            for start_off, end_off in spans_for(date.fromordinal(ordinal)):
                s = wall_to_us(ordinal, start_off)
                e = wall_to_us(ordinal, end_off)
                if e > s:  # empty only inside a daylight-saving gap
                    day_pairs.append((s, e))
            total = _union_length(day_pairs)
            pairs.extend(day_pairs)
            day_work.append(total)
            prefix.append(prefix[-1] + (total == 0))
        pairs.sort()  # already in order except around daylight-saving changes
        starts = [lo_us - 1]  # the sentinel: an empty interval before the window
        ends = [lo_us - 1]
        offs = [lo_us - 1]
        cum_end = [0]
        cum = 0
        for s, e in pairs:
            last = ends[-1]
            if s <= last:  # contiguous (24/7, midnight) or overlapping: merge
                if e > last:
                    ends[-1] = e
                    cum_end[-1] += e - last
                    cum += e - last
            else:
                starts.append(s)
                ends.append(e)
                offs.append(s - cum)
                cum += e - s
                cum_end.append(cum)
        return _Window(lo, hi, lo_us, wall_to_us(hi), starts, ends, offs, cum_end, day_work, prefix)


def _union_length(pairs: list[tuple[int, int]]) -> int:
    """The length of the union of ``[s, e)`` pairs (sorts ``pairs`` in place)."""
    if len(pairs) == 1:
        return pairs[0][1] - pairs[0][0]
    pairs.sort()
    total = 0
    last = None
    for s, e in pairs:
        if last is not None and s < last:
            s = last
        if e > s:
            total += e - s
            last = e
    return total
