"""Worked examples for BusinessCalendar, each derived by hand in the comments.

Office hours are Monday–Friday 08:00–12:00 and 13:30–17:30 (8 working hours a day).
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
    vietnam_holiday_names,
    vietnam_make_up_days,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc
H = timedelta(hours=1)


def vn(*args) -> datetime:
    return datetime(*args, tzinfo=VN)


@pytest.fixture(scope="module")
def office() -> BusinessCalendar:
    """Office hours without holidays: the plain weekly pattern."""
    return BusinessCalendar("Asia/Ho_Chi_Minh", OFFICE_HOURS)


@pytest.fixture(scope="module")
def vietnam() -> BusinessCalendar:
    return BusinessCalendar.vietnam(OFFICE_HOURS, years=range(2025, 2028))


# ---------------------------------------------------------------- the weekly pattern


def test_lunch_break_is_not_counted(office):
    # Tue 11:00 + 2 h: 11:00–12:00 is 1 h, the second hour runs 13:30–14:30.
    assert office.add_working_time(vn(2026, 3, 10, 11), 2 * H) == vn(2026, 3, 10, 14, 30)
    assert office.working_time_between(vn(2026, 3, 10, 11), vn(2026, 3, 10, 14, 30)) == 2 * H


def test_start_during_lunch_counts_from_the_afternoon_opening(office):
    assert not office.is_working_time(vn(2026, 3, 10, 12, 15))
    assert office.next_working_moment(vn(2026, 3, 10, 12, 15)) == vn(2026, 3, 10, 13, 30)
    # 12:15 + 1 h: counting starts at 13:30, so 14:30.
    assert office.add_working_time(vn(2026, 3, 10, 12, 15), H) == vn(2026, 3, 10, 14, 30)


def test_start_at_night(office):
    # Tue 22:00 + 1 h: nothing until Wed 08:00, so Wed 09:00.
    assert office.add_working_time(vn(2026, 3, 10, 22), H) == vn(2026, 3, 11, 9)
    # 03:00 in the morning is before the opening of the same day.
    assert office.add_working_time(vn(2026, 3, 11, 3), H) == vn(2026, 3, 11, 9)


def test_start_on_a_weekend(office):
    # Sat 10:00 + 3 h: Monday 08:00 + 3 h = 11:00.
    assert office.add_working_time(vn(2026, 3, 14, 10), 3 * H) == vn(2026, 3, 16, 11)
    assert office.next_working_moment(vn(2026, 3, 15, 23, 59)) == vn(2026, 3, 16, 8)


def test_result_exactly_at_closing_time_is_that_closing_time(office):
    # Fri 15:30 + 2 h ends at 17:30 Friday, not at Monday's opening.
    assert office.add_working_time(vn(2026, 3, 13, 15, 30), 2 * H) == vn(2026, 3, 13, 17, 30)
    # Sat 10:00 + 4 h: Mon 08:00–12:00 exactly, so 12:00, not 13:30.
    assert office.add_working_time(vn(2026, 3, 14, 10), 4 * H) == vn(2026, 3, 16, 12)
    # Closing time itself is not working time (intervals are half-open).
    assert office.is_working_time(vn(2026, 3, 13, 17, 29, 59, 999999))
    assert not office.is_working_time(vn(2026, 3, 13, 17, 30))


def test_friday_afternoon_ticket(office):
    # Fri 16:00 + 4 h: 16:00–17:30 is 1.5 h; Monday 08:00 + 2.5 h = 10:30.
    assert office.add_working_time(vn(2026, 3, 13, 16), 4 * H) == vn(2026, 3, 16, 10, 30)
    assert office.working_time_between(vn(2026, 3, 13, 16), vn(2026, 3, 16, 10, 30)) == 4 * H


def test_zero_duration_is_the_next_working_moment(office):
    assert office.add_working_time(vn(2026, 3, 10, 9, 5), timedelta(0)) == vn(2026, 3, 10, 9, 5)
    assert office.add_working_time(vn(2026, 3, 13, 17, 30), timedelta(0)) == vn(2026, 3, 16, 8)
    assert office.add_working_time(vn(2026, 3, 14, 10), timedelta(0)) == vn(2026, 3, 16, 8)


def test_long_durations(office):
    # 30 days of working time = 90 office days of 8 h = 18 weeks exactly.
    # From Mon 2026-03-09 08:00 that ends on the 90th day, Friday 2026-07-10, at 17:30.
    assert office.add_working_time(vn(2026, 3, 9, 8), timedelta(days=30)) == vn(2026, 7, 10, 17, 30)
    assert office.working_time_between(vn(2026, 3, 9, 8), vn(2026, 3, 13, 17, 30)) == 40 * H


def test_working_time_between_edge_cases(office):
    assert office.working_time_between(vn(2026, 3, 10, 10), vn(2026, 3, 10, 10)) == timedelta(0)
    assert office.working_time_between(vn(2026, 3, 10, 11), vn(2026, 3, 10, 10)) == timedelta(0)
    assert office.working_time_between(vn(2026, 3, 14, 0), vn(2026, 3, 16, 0)) == timedelta(0)


def test_any_input_zone_and_results_in_the_calendar_zone(office):
    # 01:00 UTC is 08:00 in Vietnam (UTC+7).
    result = office.add_working_time(datetime(2026, 3, 10, 1, tzinfo=UTC), H)
    assert result == datetime(2026, 3, 10, 2, tzinfo=UTC)
    assert result.tzinfo == VN and result.hour == 9
    assert office.next_working_moment(datetime(2026, 3, 10, 1, tzinfo=UTC)).tzinfo == VN


def test_naive_datetimes_and_negative_durations_are_refused(office):
    with pytest.raises(ValueError):
        office.add_working_time(datetime(2026, 3, 10, 9), H)
    with pytest.raises(ValueError):
        office.working_time_between(datetime(2026, 3, 10, 9), vn(2026, 3, 10, 10))
    with pytest.raises(ValueError):
        office.is_working_time(datetime(2026, 3, 10, 9))
    with pytest.raises(ValueError):
        office.next_working_moment(datetime(2026, 3, 10, 9))
    with pytest.raises(ValueError):
        office.add_working_time(vn(2026, 3, 10, 9), -timedelta(microseconds=1))


def test_invalid_definitions_are_refused():
    with pytest.raises(ValueError):
        BusinessCalendar("UTC", {7: [(time(8), time(12))]})
    with pytest.raises(ValueError):
        BusinessCalendar("UTC", {0: [(time(12), time(8))]})
    with pytest.raises(TypeError):
        BusinessCalendar("UTC", {0: (time(8), time(12))})  # one interval, not a sequence
    with pytest.raises(TypeError):
        BusinessCalendar("UTC", OFFICE_HOURS, holidays=[datetime(2026, 1, 1)])


def test_a_calendar_without_working_time_says_so():
    closed = BusinessCalendar("UTC", {}, extra_working_days={date(2026, 1, 3): [(time(9), time(10))]})
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert closed.add_working_time(start, H) == datetime(2026, 1, 3, 10, tzinfo=UTC)
    with pytest.raises(ValueError):
        closed.add_working_time(start, 2 * H)
    with pytest.raises(ValueError):
        closed.next_working_moment(datetime(2026, 1, 4, tzinfo=UTC))


def test_split_shift_midnight_end_and_overlaps_are_merged():
    cal = BusinessCalendar(
        "UTC",
        {0: [(time(20), time(0)), (time(6), time(10)), (time(9), time(11))]},
    )
    assert cal.weekly_hours[0] == ((time(6), time(11)), (time(20), time(0)))
    assert cal.working_time_on(date(2026, 3, 9)) == 9 * H
    # Mon 23:00 + 1 h ends at midnight, the end of Monday's last interval.
    monday_23 = datetime(2026, 3, 9, 23, tzinfo=UTC)
    assert cal.add_working_time(monday_23, H) == datetime(2026, 3, 10, tzinfo=UTC)
    # + 2 h: Tuesday and Sunday have no hours, so the next Monday 07:00.
    assert cal.add_working_time(monday_23, 2 * H) == datetime(2026, 3, 16, 7, tzinfo=UTC)


def test_extra_working_days_and_holidays():
    cal = BusinessCalendar(
        "Asia/Ho_Chi_Minh",
        OFFICE_HOURS,
        holidays=[date(2026, 3, 10), date(2026, 3, 12)],
        extra_working_days={
            date(2026, 3, 14): [(time(8), time(12))],  # a Saturday morning
            date(2026, 3, 11): [],  # a Wednesday made a day off
            date(2026, 3, 12): [(time(8), time(12))],  # a holiday wins over an override
        },
    )
    assert cal.working_time_on(date(2026, 3, 10)) == timedelta(0)
    assert cal.working_time_on(date(2026, 3, 11)) == timedelta(0)
    assert cal.working_time_on(date(2026, 3, 12)) == timedelta(0)
    assert cal.working_time_on(date(2026, 3, 13)) == 8 * H
    assert cal.working_time_on(date(2026, 3, 14)) == 4 * H
    # Mon 17:00 + 1 h: 0.5 h on Monday, Tue/Wed/Thu off, Friday 08:30.
    assert cal.add_working_time(vn(2026, 3, 9, 17), H) == vn(2026, 3, 13, 8, 30)
    # Fri 17:00 + 1 h: 0.5 h on Friday, Saturday 08:30.
    assert cal.add_working_time(vn(2026, 3, 13, 17), H) == vn(2026, 3, 14, 8, 30)


def test_has_day_off_between(office):
    assert not office.has_day_off_between(vn(2026, 3, 12, 10), vn(2026, 3, 13, 10))
    assert office.has_day_off_between(vn(2026, 3, 13, 10), vn(2026, 3, 14, 10))
    # Half-open: a window ending at Saturday 00:00 does not touch Saturday.
    assert not office.has_day_off_between(vn(2026, 3, 13), vn(2026, 3, 14))
    assert office.has_day_off_between(vn(2026, 3, 13), vn(2026, 3, 14, 0, 0, 0, 1))
    assert office.has_day_off_between(vn(2026, 3, 15, 23), vn(2026, 3, 16, 1))
    assert not office.has_day_off_between(vn(2026, 3, 14, 10), vn(2026, 3, 14, 10))
    # The calendar's days are local days: Friday 18:00 UTC is Saturday 01:00 in Vietnam.
    assert office.has_day_off_between(
        datetime(2026, 3, 13, 17, 30, tzinfo=UTC), datetime(2026, 3, 13, 18, 30, tzinfo=UTC)
    )


def test_equality_follows_the_definition():
    a = BusinessCalendar("UTC", OFFICE_HOURS, [date(2026, 1, 1)])
    b = BusinessCalendar("UTC", dict(OFFICE_HOURS), {date(2026, 1, 1)})
    assert a == b and hash(a) == hash(b)
    assert a != BusinessCalendar("UTC", OFFICE_HOURS)


def test_moments_far_from_the_first_question_grow_the_window(office):
    assert office.add_working_time(vn(2026, 3, 13, 16), 4 * H) == vn(2026, 3, 16, 10, 30)
    # 2040-03-16 is a Friday; 1999-12-31 is a Friday.
    assert office.add_working_time(vn(2040, 3, 16, 16), 4 * H) == vn(2040, 3, 19, 10, 30)
    assert office.add_working_time(vn(1999, 12, 31, 16), 4 * H) == vn(2000, 1, 3, 10, 30)
    # Ten years of office days between Monday 2030-01-07 and Monday 2040-01-09, counted.
    weekdays = sum(
        1
        for ordinal in range(date(2030, 1, 7).toordinal(), date(2040, 1, 9).toordinal())
        if date.fromordinal(ordinal).weekday() < 5
    )
    assert office.working_time_between(vn(2030, 1, 7), vn(2040, 1, 9)) == weekdays * 8 * H


# ---------------------------------------------------------------- Vietnam's calendar


def test_tet_2026_from_the_package():
    # The holidays package lists Tết 2026 as the five weekdays Mon 16/2 .. Fri 20/2
    # (Lunar New Year's Eve, Lunar New Year, 2nd, 3rd and 4th day).
    names = vietnam_holiday_names([2026], "en_US")
    tet = sorted(d for d in names if d.month == 2)
    assert tet == [date(2026, 2, day) for day in range(16, 21)]
    assert names[date(2026, 2, 17)] == "Lunar New Year"


def test_tet_2026_on_a_monday_to_friday_calendar_is_the_official_break(vietnam):
    # With weekends off, the package's five days plus the two weekends give exactly the
    # official break for public employees: Saturday 14/2 to Sunday 22/2.
    for day in range(14, 23):
        assert vietnam.working_time_on(date(2026, 2, day)) == timedelta(0), day
    assert vietnam.working_time_on(date(2026, 2, 13)) == 8 * H
    assert vietnam.working_time_on(date(2026, 2, 23)) == 8 * H
    # Fri 13/2 16:00 + 4 h: 1.5 h on Friday, then Monday 23/2 08:00 + 2.5 h.
    assert vietnam.add_working_time(vn(2026, 2, 13, 16), 4 * H) == vn(2026, 2, 23, 10, 30)


def test_tet_2026_with_saturday_mornings_needs_the_extra_days():
    package_only = BusinessCalendar.vietnam(OFFICE_HOURS_WITH_SATURDAY_MORNING, years=[2026])
    # The package does not make Saturdays 14/2 and 21/2 days off: a firm that works
    # Saturday mornings would open during the official break.
    assert package_only.working_time_on(date(2026, 2, 14)) == 4 * H
    assert package_only.working_time_on(date(2026, 2, 21)) == 4 * H
    # Fri 13/2 16:00 + 4 h: 1.5 h on Friday, Saturday 14/2 08:00 + 2.5 h.
    assert package_only.add_working_time(vn(2026, 2, 13, 16), 4 * H) == vn(2026, 2, 14, 10, 30)

    official = BusinessCalendar.vietnam(
        OFFICE_HOURS_WITH_SATURDAY_MORNING,
        years=[2026],
        extra_holidays=[date(2026, 2, day) for day in range(14, 23)],
    )
    for day in range(14, 23):
        assert official.working_time_on(date(2026, 2, day)) == timedelta(0), day
    assert official.add_working_time(vn(2026, 2, 13, 16), 4 * H) == vn(2026, 2, 23, 10, 30)


def test_hung_kings_day_2026_on_a_sunday_is_observed_on_monday(vietnam):
    names = vietnam_holiday_names([2026], "en_US")
    assert date(2026, 4, 26).weekday() == 6
    assert names[date(2026, 4, 26)] == "Hung Kings' Commemoration Day"
    assert names[date(2026, 4, 27)] == "Hung Kings' Commemoration Day (observed)"
    assert vietnam.working_time_on(date(2026, 4, 27)) == timedelta(0)
    # Fri 24/4 16:00 + 4 h: 1.5 h on Friday; Sat, Sun, Mon 27/4 off; Tue 28/4 10:30.
    assert vietnam.add_working_time(vn(2026, 4, 24, 16), 4 * H) == vn(2026, 4, 28, 10, 30)
    # Wed 29/4 16:00 + 4 h: Thu 30/4 and Fri 1/5 are holidays too; Mon 4/5 10:30.
    assert vietnam.add_working_time(vn(2026, 4, 29, 16), 4 * H) == vn(2026, 5, 4, 10, 30)


def test_make_up_saturday_2026_08_22(vietnam):
    # The package swaps Monday 31/8 (a day off, next to National Day) with Saturday 22/8.
    assert date(2026, 8, 22) in vietnam_make_up_days([2026])
    assert vietnam_holiday_names([2026], "en_US")[date(2026, 8, 31)] == (
        "Day off (substituted from 08/22/2026)"
    )
    assert vietnam.working_time_on(date(2026, 8, 22)) == 8 * H  # a full weekday's hours
    assert vietnam.working_time_on(date(2026, 8, 31)) == timedelta(0)
    # Fri 21/8 16:00 + 4 h: 1.5 h on Friday, then the make-up Saturday 08:00 + 2.5 h.
    assert vietnam.add_working_time(vn(2026, 8, 21, 16), 4 * H) == vn(2026, 8, 22, 10, 30)
    # Fri 28/8 16:00 + 4 h: weekend, Mon 31/8, Tue 1/9 and Wed 2/9 off; Thu 3/9 10:30.
    assert vietnam.add_working_time(vn(2026, 8, 28, 16), 4 * H) == vn(2026, 9, 3, 10, 30)


def test_make_up_days_come_from_the_package_for_other_years_too():
    assert vietnam_make_up_days([2025]) == {date(2025, 4, 26)}
    cal = BusinessCalendar.vietnam(years=[2025])
    assert cal.working_time_on(date(2025, 4, 26)) == 8 * H
    assert cal.working_time_on(date(2025, 5, 2)) == timedelta(0)


def test_make_up_day_hours_and_firm_overrides():
    cal = BusinessCalendar.vietnam(
        OFFICE_HOURS_WITH_SATURDAY_MORNING,
        years=[2026],
        make_up_day_hours=[(time(8), time(12))],
        extra_working_days={date(2026, 9, 2): [(time(8), time(10))]},  # works on National Day
    )
    assert cal.working_time_on(date(2026, 8, 22)) == 4 * H
    assert cal.working_time_on(date(2026, 9, 2)) == 2 * H
    assert cal.working_time_on(date(2026, 9, 1)) == timedelta(0)


def test_vietnam_cultural_day_2026(vietnam):
    assert vietnam_holiday_names([2026], "vi")[date(2026, 11, 24)] == "Ngày Văn hóa Việt Nam"
    assert vietnam_holiday_names([2026], "en_US")[date(2026, 11, 24)] == "Vietnam Cultural Day"
    assert vietnam.working_time_on(date(2026, 11, 24)) == timedelta(0)
    # Mon 23/11 16:00 + 4 h: 1.5 h on Monday, Tuesday off, Wednesday 25/11 10:30.
    assert vietnam.add_working_time(vn(2026, 11, 23, 16), 4 * H) == vn(2026, 11, 25, 10, 30)


def test_vietnam_calendar_counts_a_year(vietnam):
    # 2026 has 261 weekdays; 13 of them are days off (1/1, 16–20/2, 27/4, 30/4, 1/5, 31/8,
    # 1/9, 2/9, 24/11) and one Saturday (22/8) is worked: 249 days of 8 hours.
    assert vietnam.working_time_between(vn(2026, 1, 1), vn(2027, 1, 1)) == 249 * 8 * H
    assert vietnam.timezone == "Asia/Ho_Chi_Minh"


# ---------------------------------------------------------------- 24/7 and other zones


def test_always_open():
    cal = BusinessCalendar.always_open("Asia/Ho_Chi_Minh")
    assert cal.is_working_time(vn(2026, 3, 14, 3))
    assert cal.add_working_time(vn(2026, 3, 13, 16), 4 * H) == vn(2026, 3, 13, 20)
    assert cal.add_working_time(vn(2026, 3, 13, 16), 72 * H) == vn(2026, 3, 16, 16)
    assert cal.working_time_between(vn(2026, 1, 1), vn(2027, 1, 1)) == timedelta(days=365)
    assert not cal.has_day_off_between(vn(2026, 1, 1), vn(2027, 1, 1))
    assert cal.next_working_moment(vn(2026, 2, 17, 3)) == vn(2026, 2, 17, 3)


def test_always_open_in_berlin_across_daylight_saving():
    cal = BusinessCalendar.always_open("Europe/Berlin")
    # 29/3/2026 02:00 CET jumps to 03:00 CEST: the day has 23 hours.
    assert cal.working_time_on(date(2026, 3, 29)) == 23 * H
    assert cal.working_time_on(date(2026, 10, 25)) == 25 * H
    # Sat 12:00 CET + 24 h of real time is Sunday 13:00 CEST.
    result = cal.add_working_time(datetime(2026, 3, 28, 12, tzinfo=BERLIN), 24 * H)
    assert result == datetime(2026, 3, 29, 11, tzinfo=UTC)
    assert (result.hour, result.utcoffset()) == (13, 2 * H)
    # Sat 24/10 12:00 CEST to Sun 25/10 12:00 CET is 25 hours.
    assert cal.working_time_between(
        datetime(2026, 10, 24, 12, tzinfo=BERLIN), datetime(2026, 10, 25, 12, tzinfo=BERLIN)
    ) == 25 * H


def test_office_hours_in_berlin_across_daylight_saving():
    cal = BusinessCalendar("Europe/Berlin", {wd: [(time(9), time(17))] for wd in range(5)})
    # Fri 27/3 16:00 CET (15:00 UTC) + 2 h: 1 h on Friday, Monday 30/3 09:00 CEST + 1 h.
    result = cal.add_working_time(datetime(2026, 3, 27, 16, tzinfo=BERLIN), 2 * H)
    assert result == datetime(2026, 3, 30, 8, tzinfo=UTC)
    assert result.hour == 10
    # The same question asked in UTC gets the same answer.
    assert cal.add_working_time(datetime(2026, 3, 27, 15, tzinfo=UTC), 2 * H) == result
    # Autumn: Fri 23/10 16:00 CEST + 2 h is Monday 26/10 10:00 CET = 09:00 UTC.
    assert cal.add_working_time(datetime(2026, 10, 23, 16, tzinfo=BERLIN), 2 * H) == datetime(
        2026, 10, 26, 9, tzinfo=UTC
    )


def test_night_shift_on_the_day_the_clocks_go_forward():
    # A Sunday shift 00:00–06:00 in Berlin: on 29/3/2026 it lasts 5 real hours.
    cal = BusinessCalendar("Europe/Berlin", {6: [(time(0), time(6))]})
    assert cal.working_time_on(date(2026, 3, 29)) == 5 * H
    assert cal.working_time_on(date(2026, 3, 22)) == 6 * H
    assert cal.working_time_on(date(2026, 10, 25)) == 7 * H
    sunday = datetime(2026, 3, 29, tzinfo=BERLIN)
    # 00:00 CET + 3 h of real time = 03:00 UTC + ... = 04:00 CEST.
    assert cal.add_working_time(sunday, 3 * H) == datetime(2026, 3, 29, 4, tzinfo=BERLIN)
    assert cal.add_working_time(sunday, 5 * H) == datetime(2026, 3, 29, 6, tzinfo=BERLIN)


def test_calendars_copy_and_pickle_by_definition(vietnam):
    import copy
    import pickle

    assert copy.deepcopy(vietnam) is vietnam
    restored = pickle.loads(pickle.dumps(vietnam))
    assert restored == vietnam
    assert restored.add_working_time(vn(2026, 8, 21, 16), 4 * H) == vn(2026, 8, 22, 10, 30)


def test_a_far_away_year_does_not_precompute_every_day_in_between():
    cal = BusinessCalendar.vietnam(years=[2026])
    assert cal.add_working_time(vn(2026, 3, 13, 16), 4 * H) == vn(2026, 3, 16, 10, 30)
    # A mistyped year: Monday 9026-03-13 16:00 + 4 h is Tuesday 10:30.
    assert date(9026, 3, 13).weekday() == 0
    assert cal.add_working_time(vn(9026, 3, 13, 16), 4 * H) == vn(9026, 3, 14, 10, 30)
    assert cal.add_working_time(vn(2026, 3, 13, 16), 4 * H) == vn(2026, 3, 16, 10, 30)
    window = cal._window
    assert window.hi - window.lo < 30 * 366
