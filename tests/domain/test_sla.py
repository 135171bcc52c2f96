"""Worked examples for SLA targets, clocks and policies, derived by hand in the comments.

The support calendar is Vietnamese office hours (Mon–Fri 08:00–12:00, 13:30–17:30).
March 2026: Monday 9, Tuesday 10, ..., Friday 13, Saturday 14, Sunday 15, Monday 16.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from desktop_helpdesk.domain.calendar import (
    OFFICE_HOURS,
    OFFICE_HOURS_WITH_SATURDAY_MORNING,
    BusinessCalendar,
)
from desktop_helpdesk.domain.sla import (
    COLUMNS,
    ClockKind,
    ClockState,
    ClockTimeTarget,
    SlaClock,
    SlaPolicy,
    WorkingTimeTarget,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc
H = timedelta(hours=1)
MIN = timedelta(minutes=1)

OFFICE = BusinessCalendar("Asia/Ho_Chi_Minh", OFFICE_HOURS)
FOUR_WORKING_HOURS = WorkingTimeTarget(4 * H)
FIX = ClockTimeTarget(24 * H, extended=48 * H)
COMPLAINT = ClockTimeTarget(72 * H)


def vn(*args) -> datetime:
    return datetime(*args, tzinfo=VN)


# ---------------------------------------------------------------- working-time targets


def test_working_time_clock_due_time_and_states():
    # Tue 09:00 + 4 working hours: 09:00–12:00 is 3 h, then 13:30–14:30.
    clock = SlaClock.start(FOUR_WORKING_HOURS, OFFICE, vn(2026, 3, 10, 9))
    assert clock.due_at == vn(2026, 3, 10, 14, 30)
    assert clock.due_at.tzinfo == VN
    assert clock.state(vn(2026, 3, 10, 9)) is ClockState.RUNNING
    assert clock.share_used(vn(2026, 3, 10, 10)) == 0.25
    assert clock.remaining(vn(2026, 3, 10, 9)) == 5.5 * H
    # 11:59 is 2 h 59 min used, under 75 %; 12:00 is 3 h = 75 %: at risk, through lunch.
    assert clock.state(vn(2026, 3, 10, 11, 59)) is ClockState.RUNNING
    assert clock.state(vn(2026, 3, 10, 12)) is ClockState.AT_RISK
    assert clock.state(vn(2026, 3, 10, 13)) is ClockState.AT_RISK
    assert clock.used(vn(2026, 3, 10, 13)) == 3 * H
    assert clock.state(vn(2026, 3, 10, 14, 30)) is ClockState.AT_RISK
    assert clock.share_used(vn(2026, 3, 10, 14, 30)) == 1.0
    assert clock.remaining(vn(2026, 3, 10, 14, 30)) == timedelta(0)
    # One minute after the due time it is breached and the remaining time is negative.
    assert clock.state(vn(2026, 3, 10, 14, 31)) is ClockState.BREACHED
    assert clock.remaining(vn(2026, 3, 10, 14, 31)) == -MIN
    assert clock.share_used(vn(2026, 3, 10, 15, 30)) == 1.25


def test_a_ticket_received_on_saturday_starts_counting_on_monday():
    clock = SlaClock.start(FOUR_WORKING_HOURS, OFFICE, vn(2026, 3, 14, 10))
    assert clock.due_at == vn(2026, 3, 16, 12)
    assert clock.share_used(vn(2026, 3, 15, 10)) == 0.0


def test_pausing_a_working_time_clock_during_the_day():
    clock = SlaClock.start(FOUR_WORKING_HOURS, OFFICE, vn(2026, 3, 10, 9))
    paused = clock.pause(vn(2026, 3, 10, 10))  # 1 h used
    assert paused.is_paused
    assert paused.state(vn(2026, 3, 10, 16)) is ClockState.PAUSED
    # While paused the clock reads as of 10:00: nothing more is used.
    assert paused.used(vn(2026, 3, 10, 16)) == H
    assert paused.remaining(vn(2026, 3, 10, 16)) == 4.5 * H
    # Waiting 10:00–15:00 costs 2 h + 1.5 h = 3.5 working hours, which are given back:
    # due = Tue 09:00 + 7.5 working hours = 7 h on Tuesday (17:30) + 0.5 h = Wed 08:30.
    assert paused.projected_due_at(vn(2026, 3, 10, 15)) == vn(2026, 3, 11, 8, 30)
    resumed = paused.resume(vn(2026, 3, 10, 15))
    assert resumed.paused_total == 3.5 * H
    assert resumed.paused_since is None
    assert resumed.due_at == vn(2026, 3, 11, 8, 30)
    assert resumed.used(vn(2026, 3, 10, 15)) == H
    assert resumed.state(vn(2026, 3, 10, 15)) is ClockState.RUNNING


def test_pausing_a_working_time_clock_overnight_costs_only_the_working_part():
    # Tue 15:00 + 4 working hours: 2.5 h on Tuesday, Wed 08:00 + 1.5 h = 09:30.
    clock = SlaClock.start(FOUR_WORKING_HOURS, OFFICE, vn(2026, 3, 10, 15))
    assert clock.due_at == vn(2026, 3, 11, 9, 30)
    paused = clock.pause(vn(2026, 3, 10, 17))
    # Tue 17:00 to Wed 08:00 contains 0.5 working hour (17:00–17:30): due moves to 10:00.
    resumed = paused.resume(vn(2026, 3, 11, 8))
    assert resumed.paused_total == 0.5 * H
    assert resumed.due_at == vn(2026, 3, 11, 10)
    assert resumed.used(vn(2026, 3, 11, 8)) == 2 * H
    assert resumed.share_used(vn(2026, 3, 11, 8)) == 0.5


# ---------------------------------------------------------------- clock-time targets


def test_complaint_clock_with_a_pause():
    # Mon 10:00 + 72 h = Thu 10:00; a 2-hour pause moves it to Thu 12:00.
    clock = SlaClock.start(COMPLAINT, OFFICE, vn(2026, 3, 9, 10))
    assert clock.due_at == vn(2026, 3, 12, 10)
    assert clock.share_used(vn(2026, 3, 9, 12)) == pytest.approx(2 / 72)
    resumed = clock.pause(vn(2026, 3, 9, 12)).resume(vn(2026, 3, 9, 14))
    assert resumed.paused_total == 2 * H
    assert resumed.due_at == vn(2026, 3, 12, 12)
    assert resumed.used(vn(2026, 3, 9, 15)) == 3 * H
    assert resumed.remaining(vn(2026, 3, 12, 11)) == H


@pytest.mark.parametrize(
    ("start", "due"),
    [
        # Thursday 10:00: the window ends Friday 10:00 and touches no day off: 24 h.
        (vn(2026, 3, 12, 10), vn(2026, 3, 13, 10)),
        # Friday 10:00: the window runs into Saturday: 48 h, due Sunday 10:00.
        (vn(2026, 3, 13, 10), vn(2026, 3, 15, 10)),
        # Friday 00:00: the window [Fri 00:00, Sat 00:00) does not touch Saturday.
        (vn(2026, 3, 13, 0), vn(2026, 3, 14, 0)),
        (vn(2026, 3, 13, 0, 0, 1), vn(2026, 3, 15, 0, 0, 1)),
        # Saturday and Sunday starts are on a day off: 48 h.
        (vn(2026, 3, 14, 10), vn(2026, 3, 16, 10)),
        (vn(2026, 3, 15, 10), vn(2026, 3, 17, 10)),
        # Sunday 23:00: the window starts on Sunday: 48 h.
        (vn(2026, 3, 15, 23), vn(2026, 3, 17, 23)),
        # Monday 00:00 after the weekend: 24 h again.
        (vn(2026, 3, 16, 0), vn(2026, 3, 17, 0)),
        (vn(2026, 3, 16, 10), vn(2026, 3, 17, 10)),
    ],
)
def test_the_24_48_hour_rule_around_a_weekend(start, due):
    assert SlaClock.start(FIX, OFFICE, start).due_at == due


def test_the_24_48_hour_rule_with_holidays_and_other_calendars():
    vietnam = BusinessCalendar.vietnam(years=[2026])
    # Thu 23/4/2026 10:00: Friday is a working day: 24 h.
    assert SlaClock.start(FIX, vietnam, vn(2026, 4, 23, 10)).due_at == vn(2026, 4, 24, 10)
    # Wed 29/4 10:00: the window touches Thu 30/4 (Reunification Day): 48 h.
    assert SlaClock.start(FIX, vietnam, vn(2026, 4, 29, 10)).due_at == vn(2026, 5, 1, 10)
    # A 24/7 calendar has no day off: always 24 h.
    always = BusinessCalendar.always_open("Asia/Ho_Chi_Minh")
    assert SlaClock.start(FIX, always, vn(2026, 3, 13, 10)).due_at == vn(2026, 3, 14, 10)
    # With Saturday mornings worked, only Sunday is a day off.
    saturday = BusinessCalendar("Asia/Ho_Chi_Minh", OFFICE_HOURS_WITH_SATURDAY_MORNING)
    assert SlaClock.start(FIX, saturday, vn(2026, 3, 13, 10)).due_at == vn(2026, 3, 14, 10)
    assert SlaClock.start(FIX, saturday, vn(2026, 3, 14, 10)).due_at == vn(2026, 3, 16, 10)


def test_pauses_extend_the_24_hour_window_and_may_bring_in_the_weekend():
    clock = SlaClock.start(FIX, OFFICE, vn(2026, 3, 12, 8))  # Thursday 08:00
    assert clock.due_at == vn(2026, 3, 13, 8)
    # Paused Thu 09:00–13:00: window [Thu 08:00, Fri 12:00), still no day off.
    clock = clock.pause(vn(2026, 3, 12, 9)).resume(vn(2026, 3, 12, 13))
    assert clock.due_at == vn(2026, 3, 13, 12)
    # Paused Fri 10:00–22:00: 16 h in all, window ends exactly Sat 00:00: still 24 h.
    clock = clock.pause(vn(2026, 3, 13, 10)).resume(vn(2026, 3, 13, 22))
    assert clock.paused_total == 16 * H
    assert clock.due_at == vn(2026, 3, 14, 0)
    # One more hour paused: the window reaches into Saturday, so 48 h + 17 h = Sun 01:00.
    clock = clock.pause(vn(2026, 3, 13, 23)).resume(vn(2026, 3, 14, 0))
    assert clock.due_at == vn(2026, 3, 15, 1)


def test_clock_time_is_real_elapsed_time_across_daylight_saving():
    berlin = BusinessCalendar("Europe/Berlin", {wd: [(time(9), time(17))] for wd in range(5)})
    # Fri 27/3/2026 12:00 CET + 72 h: the clocks go forward on Sunday, so Mon 13:00 CEST.
    clock = SlaClock.start(COMPLAINT, berlin, datetime(2026, 3, 27, 12, tzinfo=BERLIN))
    assert clock.due_at == datetime(2026, 3, 30, 11, tzinfo=UTC)
    assert clock.due_at.hour == 13
    assert clock.remaining(datetime(2026, 3, 30, 12, tzinfo=BERLIN)) == H
    # The fix target: window touches Saturday: 48 real hours, Sunday 13:00 CEST.
    fix = SlaClock.start(FIX, berlin, datetime(2026, 3, 27, 12, tzinfo=BERLIN))
    assert fix.due_at == datetime(2026, 3, 29, 11, tzinfo=UTC)


# ---------------------------------------------------------------- stopping


def test_stop_before_and_after_the_due_time():
    clock = SlaClock.start(FOUR_WORKING_HOURS, OFFICE, vn(2026, 3, 10, 9))  # due 14:30
    met = clock.stop(vn(2026, 3, 10, 14))
    assert met.is_stopped
    assert met.state(vn(2026, 3, 12)) is ClockState.MET
    assert met.remaining(vn(2026, 3, 12)) == 0.5 * H
    late = clock.stop(vn(2026, 3, 10, 15))
    assert late.state(vn(2026, 3, 12)) is ClockState.BREACHED
    assert late.remaining(vn(2026, 3, 12)) == -0.5 * H
    # Stopping exactly at the due time meets the target.
    assert clock.stop(vn(2026, 3, 10, 14, 30)).state(vn(2026, 3, 11)) is ClockState.MET


def test_stop_while_paused_reads_the_clock_as_of_the_pause():
    clock = SlaClock.start(FOUR_WORKING_HOURS, OFFICE, vn(2026, 3, 10, 9))
    stopped = clock.pause(vn(2026, 3, 10, 10)).stop(vn(2026, 3, 10, 16))
    assert stopped.paused_since == vn(2026, 3, 10, 10)
    assert stopped.stopped_at == vn(2026, 3, 10, 16)
    assert not stopped.is_paused
    assert stopped.state(vn(2026, 3, 11)) is ClockState.MET
    assert stopped.used(vn(2026, 3, 11)) == H
    assert stopped.remaining(vn(2026, 3, 11)) == 4.5 * H


def test_a_clock_paused_after_its_due_time_stays_breached():
    clock = SlaClock.start(FOUR_WORKING_HOURS, OFFICE, vn(2026, 3, 10, 9))
    paused = clock.pause(vn(2026, 3, 10, 15))
    assert paused.state(vn(2026, 3, 10, 16)) is ClockState.BREACHED


def test_events_out_of_order_are_refused():
    clock = SlaClock.start(FOUR_WORKING_HOURS, OFFICE, vn(2026, 3, 10, 9))
    with pytest.raises(ValueError):
        clock.resume(vn(2026, 3, 10, 10))  # not paused
    with pytest.raises(ValueError):
        clock.pause(vn(2026, 3, 10, 8))  # before the start
    paused = clock.pause(vn(2026, 3, 10, 10))
    with pytest.raises(ValueError):
        paused.pause(vn(2026, 3, 10, 11))
    with pytest.raises(ValueError):
        paused.resume(vn(2026, 3, 10, 9, 30))
    stopped = clock.stop(vn(2026, 3, 10, 11))
    with pytest.raises(ValueError):
        stopped.stop(vn(2026, 3, 10, 12))
    with pytest.raises(ValueError):
        stopped.pause(vn(2026, 3, 10, 12))
    with pytest.raises(ValueError):
        clock.state(datetime(2026, 3, 10, 9))  # naive
    with pytest.raises(ValueError):
        SlaClock.start(FOUR_WORKING_HOURS, OFFICE, datetime(2026, 3, 10, 9))


# ---------------------------------------------------------------- recompute and storage


def test_recompute_after_a_holiday_is_added():
    eight = WorkingTimeTarget(8 * H)
    # Tue 09:00 + 8 working hours: 7 h on Tuesday, Wednesday 09:00.
    clock = SlaClock.start(eight, OFFICE, vn(2026, 3, 10, 9))
    assert clock.due_at == vn(2026, 3, 11, 9)
    with_holiday = BusinessCalendar("Asia/Ho_Chi_Minh", OFFICE_HOURS, [date(2026, 3, 11)])
    moved = clock.recompute(calendar=with_holiday)
    assert moved.due_at == vn(2026, 3, 12, 9)
    assert moved.calendar is with_holiday
    # A policy change: 2 working hours from 09:00 is 11:00.
    assert clock.recompute(WorkingTimeTarget(2 * H)).due_at == vn(2026, 3, 10, 11)


def test_columns_round_trip():
    clock = (
        SlaClock.start(FOUR_WORKING_HOURS, OFFICE, vn(2026, 3, 10, 9))
        .pause(vn(2026, 3, 10, 10))
        .resume(vn(2026, 3, 10, 11))
        .pause(vn(2026, 3, 10, 14))
    )
    columns = clock.to_columns()
    assert tuple(columns) == COLUMNS
    assert columns["paused_total"] == H
    assert columns["due_at"] == vn(2026, 3, 10, 15, 30)
    assert SlaClock.from_columns(columns, FOUR_WORKING_HOURS, OFFICE) == clock
    # Stored in UTC, as the database does: the same instants, the same clock.
    in_utc = {k: v.astimezone(UTC) if isinstance(v, datetime) else v for k, v in columns.items()}
    restored = SlaClock.from_columns(in_utc, FOUR_WORKING_HOURS, OFFICE)
    assert restored == clock
    assert restored.state(vn(2026, 3, 10, 16)) is ClockState.PAUSED
    assert restored.resume(vn(2026, 3, 10, 15)).due_at == vn(2026, 3, 10, 16, 30)


def test_from_columns_refuses_incomplete_or_naive_values():
    columns = SlaClock.start(COMPLAINT, OFFICE, vn(2026, 3, 10, 9)).to_columns()
    with pytest.raises(ValueError):
        SlaClock.from_columns({k: v for k, v in columns.items() if k != "due_at"}, COMPLAINT, OFFICE)
    with pytest.raises(ValueError):
        SlaClock.from_columns({**columns, "started_at": datetime(2026, 3, 10, 2)}, COMPLAINT, OFFICE)


# ---------------------------------------------------------------- targets and policies


def test_targets_validate_their_lengths():
    with pytest.raises(ValueError):
        WorkingTimeTarget(timedelta(0))
    with pytest.raises(ValueError):
        ClockTimeTarget(48 * H, extended=24 * H)
    with pytest.raises(TypeError):
        ClockTimeTarget(24)  # type: ignore[arg-type]


def test_default_policy():
    policy = SlaPolicy()
    assert policy.proposal == WorkingTimeTarget(4 * H)
    assert policy.fix == ClockTimeTarget(24 * H, extended=48 * H)
    assert policy.complaint == ClockTimeTarget(72 * H)
    assert policy.at_risk_share == 0.75
    assert policy.target(ClockKind.FIX) == policy.fix
    assert policy.target("complaint") == policy.complaint
    clock = policy.start_clock(ClockKind.PROPOSAL, OFFICE, vn(2026, 3, 13, 16))
    assert clock.due_at == vn(2026, 3, 16, 10, 30)  # the Friday-afternoon ticket


def test_policy_at_risk_share_and_state_values():
    policy = SlaPolicy(proposal=WorkingTimeTarget(2 * H), at_risk_share=0.5)
    clock = policy.start_clock(ClockKind.PROPOSAL, OFFICE, vn(2026, 3, 10, 9))
    assert clock.due_at == vn(2026, 3, 10, 11)
    assert policy.state(clock, vn(2026, 3, 10, 9, 59)) is ClockState.RUNNING
    assert policy.state(clock, vn(2026, 3, 10, 10)) is ClockState.AT_RISK
    assert clock.state(vn(2026, 3, 10, 10)) is ClockState.RUNNING  # the default 75 %
    with pytest.raises(ValueError):
        SlaPolicy(at_risk_share=0)
    assert [state.value for state in ClockState] == [
        "running",
        "at_risk",
        "breached",
        "paused",
        "met",
    ]
