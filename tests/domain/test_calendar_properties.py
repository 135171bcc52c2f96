"""Property-based tests of BusinessCalendar over random calendars, starts and durations.

Instants are compared in UTC: two datetimes with the same ZoneInfo compare by wall time and
ignore ``fold``, which would misorder moments in the repeated hour of a daylight-saving change.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from desktop_helpdesk.domain.calendar import BusinessCalendar

UTC = timezone.utc
US = timedelta(microseconds=1)
ZONE_NAMES = [
    "Asia/Ho_Chi_Minh",
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # a 30-minute daylight-saving shift
    "America/Santiago",  # changes at midnight: some days have no 00:00
    "America/St_Johns",  # UTC-03:30
]
INPUT_ZONES = [UTC, *(ZoneInfo(name) for name in ZONE_NAMES)]
YEAR_START = date(2026, 1, 1)
YEAR_END = date(2026, 12, 31)

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def seconds_to_time(seconds: int) -> time:
    if seconds >= 86_400:
        return time(0)
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60)


boundary = st.one_of(
    st.integers(0, 96).map(lambda quarter: quarter * 900),  # mostly on quarter hours
    st.integers(0, 86_400),  # sometimes to the second
)


@st.composite
def day_intervals(draw, max_intervals: int = 3):
    count = draw(st.integers(0, max_intervals))
    points = sorted(draw(st.lists(boundary, min_size=2 * count, max_size=2 * count, unique=True)))
    return [
        (seconds_to_time(points[i]), seconds_to_time(points[i + 1]))
        for i in range(0, len(points), 2)
    ]


days_of_2026 = st.dates(min_value=YEAR_START, max_value=YEAR_END)


@st.composite
def calendar_definitions(draw):
    weekly = {weekday: draw(day_intervals()) for weekday in range(7)}
    weekly_seconds = sum(
        ((e.hour * 3600 + e.minute * 60 + e.second) or 86_400)
        - (s.hour * 3600 + s.minute * 60 + s.second)
        for intervals in weekly.values()
        for s, e in intervals
    )
    assume(weekly_seconds >= 4 * 3600)  # keeps long durations within a few years
    return {
        "timezone": draw(st.sampled_from(ZONE_NAMES)),
        "weekly_hours": weekly,
        "holidays": draw(st.sets(days_of_2026, max_size=30)),
        "extra_working_days": draw(st.dictionaries(days_of_2026, day_intervals(), max_size=6)),
    }


calendars = calendar_definitions().map(lambda definition: BusinessCalendar(**definition))
moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.sampled_from(INPUT_ZONES)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30))
short_durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5))


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


# ---------------------------------------------------------------- an independent reference


def reference_intervals(definition, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """The calendar's working intervals from ``first`` to ``last`` as merged UTC pairs,
    built the slow, obvious way: each day's wall times read with fold=0, then a union."""
    zone = ZoneInfo(definition["timezone"])
    pairs = []
    day = first
    while day <= last:
        if day in definition["holidays"]:
            intervals = []
        elif day in definition["extra_working_days"]:
            intervals = definition["extra_working_days"][day]
        else:
            intervals = definition["weekly_hours"].get(day.weekday(), [])
        for start, end in intervals:
            s = datetime.combine(day, start, tzinfo=zone).astimezone(UTC)
            end_day = day + timedelta(days=1) if end == time(0) else day
            e = datetime.combine(end_day, end, tzinfo=zone).astimezone(UTC)
            if e > s:
                pairs.append((s, e))
        day += timedelta(days=1)
    pairs.sort()
    merged: list[list[datetime]] = []
    for s, e in pairs:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def reference_add(pairs, start: datetime, duration: timedelta) -> datetime | None:
    start = utc(start)
    for s, e in pairs:
        if e <= start:
            continue
        s = max(s, start)
        if not duration:
            return s
        if duration <= e - s:
            return s + duration
        duration -= e - s
    return None


def reference_between(pairs, start: datetime, end: datetime) -> timedelta:
    total = timedelta(0)
    for s, e in pairs:
        s, e = max(s, utc(start)), min(e, utc(end))
        if e > s:
            total += e - s
    return total


@SETTINGS
@given(definition=calendar_definitions(), start=moments, duration=short_durations, end=moments)
def test_agrees_with_a_straightforward_reference(definition, start, duration, end):
    calendar = BusinessCalendar(**definition)
    pairs = reference_intervals(definition, date(2025, 12, 1), date(2028, 6, 30))
    expected = reference_add(pairs, start, duration)
    assert expected is not None  # 5 days of working time fit in the reference's range
    assert utc(calendar.add_working_time(start, duration)) == expected
    assert calendar.working_time_between(start, end) == reference_between(pairs, start, end)
    inside = any(s <= utc(start) < e for s, e in pairs)
    assert calendar.is_working_time(start) == inside


# ---------------------------------------------------------------- algebraic properties


@SETTINGS
@given(calendar=calendars, start=moments, duration=durations)
def test_working_time_between_inverts_add(calendar, start, duration):
    result = calendar.add_working_time(start, duration)
    assert calendar.working_time_between(start, result) == duration
    assert result.tzinfo is calendar.zone


@SETTINGS
@given(calendar=calendars, start=moments, a=durations, b=durations)
def test_adding_is_additive(calendar, start, a, b):
    first = calendar.add_working_time(start, a)
    if b:
        assert utc(calendar.add_working_time(first, b)) == utc(calendar.add_working_time(start, a + b))
    else:
        # Adding nothing gives the next working moment, which may be after an interval end.
        assert utc(calendar.add_working_time(first, b)) == utc(calendar.next_working_moment(first))


@SETTINGS
@given(calendar=calendars, s1=moments, s2=moments, d1=durations, d2=durations)
def test_adding_is_monotonic(calendar, s1, s2, d1, d2):
    s1, s2 = sorted([s1, s2], key=utc)
    d1, d2 = sorted([d1, d2])
    add = calendar.add_working_time
    assert utc(add(s1, d1)) <= utc(add(s2, d1))
    assert utc(add(s1, d1)) <= utc(add(s1, d2))
    assert utc(add(s1, d1)) >= utc(s1)


@SETTINGS
@given(calendar=calendars, start=moments, duration=durations)
def test_the_result_is_working_time_or_the_end_of_an_interval(calendar, start, duration):
    result = calendar.add_working_time(start, duration)
    if duration:
        # The last microsecond counted was working time; the result is either still inside
        # working time or exactly the end of the interval.
        assert calendar.is_working_time(result - US)
    else:
        assert calendar.is_working_time(result)
        assert utc(result) == utc(calendar.next_working_moment(start))
    if not calendar.is_working_time(result):
        assert calendar.is_working_time(utc(result) - US)


@SETTINGS
@given(calendar=calendars, a=moments, b=moments, c=moments)
def test_working_time_between_is_additive_over_consecutive_windows(calendar, a, b, c):
    a, b, c = sorted([a, b, c], key=utc)
    between = calendar.working_time_between
    assert between(a, b) + between(b, c) == between(a, c)
    assert between(c, a) == timedelta(0)


@SETTINGS
@given(calendar=calendars, start=moments, length=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=4)))
def test_has_day_off_between_looks_at_each_local_day(calendar, start, length):
    end = utc(start) + length
    days = set()
    moment = utc(start)
    while moment < end:  # every local day touched, found by walking in 30-minute steps
        days.add(moment.astimezone(calendar.zone).date())
        moment += timedelta(minutes=30)
    if length:
        days.add((end - US).astimezone(calendar.zone).date())
    expected = any(not calendar.working_time_on(day) for day in days)
    assert calendar.has_day_off_between(start, end) == expected
