"""The desk's zone and its day: a UTC moment is read as a date in Hà Nội (UTC+7)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_helpdesk.domain import calendar
from desktop_helpdesk.domain.vietnam import VIETNAM, VIETNAM_ZONE_NAME, desk_day, desk_today

UTC = timezone.utc


def test_new_year_comes_to_the_desk_seven_hours_before_utc():
    assert desk_today(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == date(2027, 1, 1)
    assert desk_today(datetime(2026, 12, 31, 16, 59, 59, tzinfo=UTC)) == date(2026, 12, 31)
    assert desk_today(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == date(2027, 1, 1)


def test_any_aware_moment_is_read_in_hanoi_whatever_its_zone():
    berlin_evening = datetime(2026, 3, 10, 20, 0, tzinfo=timezone(timedelta(hours=1)))  # 19:00 UTC
    assert desk_day(berlin_evening) == date(2026, 3, 11)  # 02:00 the next morning in Hà Nội


def test_a_naive_moment_is_refused_rather_than_read_in_the_machine_zone():
    with pytest.raises(ValueError):
        desk_today(datetime(2026, 12, 31, 17, 30))


def test_the_zone_is_vietnam_and_the_calendar_uses_the_same_one():
    assert VIETNAM_ZONE_NAME == "Asia/Ho_Chi_Minh" == str(VIETNAM)
    assert calendar.VIETNAM_TIMEZONE == VIETNAM_ZONE_NAME  # its older name
    assert calendar.BusinessCalendar.vietnam(years=[2026]).zone == VIETNAM


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_the_desk_day_is_the_utc_day_of_the_moment_plus_seven_hours(naive_utc):
    # Vietnam has kept UTC+7 without daylight saving since 1975.
    assert desk_today(naive_utc.replace(tzinfo=UTC)) == (naive_utc + timedelta(hours=7)).date()
