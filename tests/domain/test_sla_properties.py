"""Property-based tests of SLA clocks over random calendars, targets and pause sequences."""

from __future__ import annotations

from datetime import timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_helpdesk.domain.sla import (
    ClockState,
    ClockTimeTarget,
    SlaClock,
    WorkingTimeTarget,
)
from tests.domain.test_calendar_properties import calendars, moments

UTC = timezone.utc
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

hours = st.integers(min_value=1, max_value=96).map(lambda n: timedelta(hours=n))
working_targets = st.builds(WorkingTimeTarget, hours)
clock_targets = st.one_of(
    st.builds(ClockTimeTarget, hours),
    st.tuples(hours, hours).map(
        lambda pair: ClockTimeTarget(min(pair), extended=max(pair))  # e.g. 24 h / 48 h
    ),
)
targets = st.one_of(working_targets, clock_targets)
gaps = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3))
pauses = st.lists(st.tuples(gaps, gaps), max_size=5)  # (running before the pause, paused)


def utc(moment):
    return moment.astimezone(UTC)


@SETTINGS
@given(calendar=calendars, target=targets, start=moments, events=pauses)
def test_pausing_never_makes_the_due_time_earlier(calendar, target, start, events):
    clock = SlaClock.start(target, calendar, start)
    now = utc(start)
    for running, paused_for in events:
        now += running
        due_before = utc(clock.due_at)
        used_before = clock.used(now)
        clock = clock.pause(now)
        assert clock.state(now + paused_for) in (ClockState.PAUSED, ClockState.BREACHED)
        assert clock.used(now + paused_for) == used_before  # paused time never counts
        assert utc(clock.projected_due_at(now + paused_for)) >= due_before
        now += paused_for
        clock = clock.resume(now)
        assert utc(clock.due_at) >= due_before
        assert clock.used(now) == used_before
        # The stored columns give back the same clock.
        assert SlaClock.from_columns(clock.to_columns(), target, calendar) == clock
    # The due time is what a fresh computation from the columns says.
    assert clock.recompute() == clock


@SETTINGS
@given(calendar=calendars, target=targets, start=moments, offset=gaps)
def test_state_remaining_and_share_agree(calendar, target, start, offset):
    clock = SlaClock.start(target, calendar, start)
    now = utc(start) + offset
    state = clock.state(now)
    remaining = clock.remaining(now)
    share = clock.share_used(now)
    assert (state is ClockState.BREACHED) == (remaining < timedelta(0))
    if state is ClockState.AT_RISK:
        assert 0.75 <= share <= 1.0
    if state is ClockState.RUNNING:
        assert share < 0.75
    assert clock.share_used(clock.due_at) == 1.0
    assert clock.stop(max(now, utc(start))).state(now) in (ClockState.MET, ClockState.BREACHED)
