"""Every formatter in both languages, as the operator reads it."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from desktop_helpdesk.i18n import Translator, install
from desktop_helpdesk.i18n.formatting import (
    format_date,
    format_datetime,
    format_duration,
    format_number,
    format_time_left,
    format_vnd,
)
from desktop_helpdesk.paths import translations_dir

H, M, D = timedelta(hours=1), timedelta(minutes=1), timedelta(days=1)


@pytest.fixture(params=["vi", "en"])
def lang(request):
    install(Translator(translations_dir(), request.param))
    yield request.param
    install(None)


EXPECTED = {
    # value, short -> (vi, en)
    (H + 20 * M, True): ("còn 1 giờ 20 phút", "1 h 20 min left"),
    (H + 20 * M, False): ("còn 1 giờ 20 phút", "1 hour 20 minutes left"),
    (-35 * M, True): ("quá hạn 35 phút", "35 min overdue"),
    (143 * D, False): ("còn 143 ngày", "143 days left"),
    (D, False): ("còn 1 ngày", "1 day left"),
    (2 * D + 5 * H + 59 * M, False): ("còn 2 ngày 5 giờ", "2 days 5 hours left"),
    (2 * H, False): ("còn 2 giờ", "2 hours left"),
    (H + 5 * M, False): ("còn 1 giờ 5 phút", "1 hour 5 minutes left"),
    (-(10 * D + 23 * H), False): ("quá hạn 10 ngày", "10 days overdue"),
    (timedelta(seconds=59), False): ("còn dưới 1 phút", "less than a minute left"),
}


@pytest.mark.parametrize("value,short", list(EXPECTED))
def test_time_left_in_one_or_two_units(lang, value, short):
    vi, en = EXPECTED[(value, short)]
    assert format_time_left(value, short) == (vi if lang == "vi" else en)


def test_durations_round_down_so_time_left_is_never_overstated(lang):
    assert format_duration(H + 59 * M + timedelta(seconds=59)) == ("1 giờ 59 phút" if lang == "vi" else "1 hour 59 minutes")


def test_money_dates_and_numbers(lang):
    when = datetime(2026, 2, 17, 7, 5, tzinfo=timezone.utc)  # 14:05 in Hà Nội
    if lang == "vi":
        assert format_vnd(1_500_000) == "1.500.000 ₫"
        assert format_date(date(2026, 2, 17)) == "17/02/2026"
        assert format_datetime(when) == "17/02/2026 14:05"
        assert format_number(1234567.5) == "1.234.567,5"
    else:
        assert format_vnd(1_500_000) == "₫1,500,000"
        assert format_date(date(2026, 2, 17)) == "Feb 17, 2026"
        assert format_datetime(when) == "Feb 17, 2026, 2:05 PM"
        assert format_number(1234567.5) == "1,234,567.5"


def test_holiday_names_follow_the_language(lang):
    from desktop_helpdesk.i18n.formatting import holiday_names

    names = holiday_names(2026)
    tet, hung_kings = names[date(2026, 2, 17)], names[date(2026, 4, 26)]
    if lang == "vi":
        assert "Tết" in tet and "Hùng" in hung_kings
    else:
        assert tet == "Lunar New Year" and hung_kings == "Hung Kings' Commemoration Day"
    assert date(2026, 11, 24) in names  # Vietnam Cultural Day, from 2026
