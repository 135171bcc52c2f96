"""The one set of input rules every path uses (forms, services, later import and sync):
dates that do not exist are said so, no received time in the future, money that keeps every
sum in range, text stored NFC with tabs and line breaks kept only where text is multi-line."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_helpdesk.domain import validation as v


def _vi(message: str) -> str:
    """What the Vietnamese catalog says for `message` (the UI translates this way)."""
    from desktop_helpdesk.i18n import Translator
    from desktop_helpdesk.paths import translations_dir

    return Translator(translations_dir(), "vi").gettext(message)


@pytest.mark.parametrize("text, shown", [
    ("31/02/2026", "31/02/2026"), ("29/02/2025", "29/02/2025"), ("31/04/2026", "31/04/2026"),
    ("1/13/2026", "01/13/2026"), ("00/01/2026", "00/01/2026"), ("2026-02-30", "30/02/2026"),
    ("31.06.2026", "31/06/2026"),
])
def test_a_date_that_does_not_exist_is_told_apart_from_a_wrong_format(text, shown):
    with pytest.raises(v.DateInputError) as caught:
        v.parse_date_text(text, "signed_on")
    err = caught.value.error
    assert (err.field, err.code) == ("signed_on", "date_not_exist")
    assert err.text(lambda m: m) == f"The date {shown} does not exist."
    assert err.text(_vi) == f"Ngày {shown} không tồn tại."


@pytest.mark.parametrize("text", ["31/02", "hôm qua", "2026/02/01", "12/02-2026", "1.2.26", "31/02/2026 10:00"])
def test_a_wrong_format_is_still_a_wrong_format(text):
    with pytest.raises(v.DateInputError) as caught:
        v.parse_date_text(text)
    assert caught.value.error.code == "date_format"
    assert isinstance(caught.value, ValueError)  # callers that only tell "not a date" keep working


@pytest.mark.parametrize("text, expected", [
    ("29/02/2028", date(2028, 2, 29)), ("1/2/2026", date(2026, 2, 1)), ("17-02-2026", date(2026, 2, 17)),
    ("2026-02-17", date(2026, 2, 17)), (" 17.02.2026 ", date(2026, 2, 17)), ("", None), (None, None),
    ("１７/０２/２０２６", date(2026, 2, 17)),  # full-width digits from an IME
])
def test_dates_people_type(text, expected):
    assert v.parse_date_text(text) == expected


@given(st.dates(min_value=date(1000, 1, 1)))
def test_every_real_date_reads_back(day):
    assert v.parse_date_text(day.strftime("%d/%m/") + f"{day.year:04d}") == day


def test_a_date_and_time_that_does_not_exist():
    with pytest.raises(v.DateInputError) as caught:
        v.parse_datetime_text("31/02/2026 10:00", "started_at")
    assert caught.value.error.text(_vi) == "Ngày 31/02/2026 không tồn tại."
    with pytest.raises(v.DateInputError) as caught:
        v.parse_datetime_text("28/02/2026 24:30")
    assert caught.value.error.code == "time_not_exist"
    assert "24:30" in caught.value.error.text(_vi)
    with pytest.raises(v.DateInputError) as caught:
        v.parse_datetime_text("28/02/2026")
    assert caught.value.error.code == "datetime_format"
    assert v.parse_datetime_text("28/02/2026 9h05") == datetime(2026, 2, 28, 9, 5)


NOW = datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc)


def test_no_received_time_in_the_future_beyond_the_clock_skew():
    assert v.validate_not_future("received_at", NOW - timedelta(days=3), NOW) is None
    assert v.validate_not_future("received_at", NOW + timedelta(minutes=5), NOW) is None  # another desk's clock
    err = v.validate_not_future("received_at", NOW + timedelta(minutes=6), NOW)
    assert (err.field, err.code) == ("received_at", "in_future")
    assert "5 phút" in err.text(_vi) and "tương lai" in err.text(_vi)
    assert v.validate_not_future("received_at", None, NOW) is None


def test_money_bound_keeps_a_customers_sums_inside_a_64_bit_integer():
    # Two payments at the limit (the bug: 2 x (2^63 - 1) overflowed the customer list's SUM).
    assert 2 * v.MAX_MONEY_VND < 2**63 - 1
    # ...and so do 900,000 contracts at the limit, every contract of every customer.
    assert 900_000 * v.MAX_MONEY_VND < 2**63 - 1
    assert v.validate_money_vnd("value_vnd", v.MAX_MONEY_VND) is None
    err = v.validate_money_vnd("value_vnd", v.MAX_MONEY_VND + 1)
    assert err.code == "money_too_large"
    assert err.text(_vi) == "Số tiền quá lớn: tối đa 10.000 tỷ đồng cho mỗi khoản."
    with pytest.raises(v.MoneyTooLarge):
        v.parse_money_vnd("10.000.000.000.001")
    assert v.parse_money_vnd("10.000.000.000.000 ₫") == v.MAX_MONEY_VND


ALL_CONTROLS = [chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]]


@pytest.mark.parametrize("ch", ALL_CONTROLS, ids=lambda ch: f"U+{ord(ch):04X}")
def test_every_control_character_is_refused_or_made_a_space(ch):
    single = v.validate_text("subject", f"Lỗi{ch}in hóa đơn", 300)
    multi = v.validate_text("description", f"Lỗi{ch}in hóa đơn", v.LONG_TEXT, multiline=True)
    if ch in "\t\n\r":
        assert single is None and multi is None
        assert v.clean_text(f"Lỗi{ch}in", multiline=False) == "Lỗi in"  # a pasted cell's tab: one space
        kept = v.clean_text(f"Lỗi{ch}in", multiline=True)
        assert kept == ("Lỗi\tin" if ch == "\t" else "Lỗi\nin")
    else:
        assert single.code == multi.code == "control_character"
        assert "ký tự điều khiển" in single.text(_vi)


def test_text_is_stored_nfc_and_measured_as_stored():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert v.clean_text(decomposed) == "Nguyễn Thị Ánh"
    assert v.clean_text("  Dòng 1\r\n\tthụt vào  \r\n\r\n", multiline=True) == "Dòng 1\n\tthụt vào"
    # NFD would be 200+ code points; stored NFC it fits the 200-character column
    name = unicodedata.normalize("NFD", "Ệ" * 200)
    assert len(name) > 200 and v.validate_text("name", name, 200) is None
    err = v.validate_text("name", "x" * 4287, v.TEXT_LIMITS["customers.name"])
    assert err.params == (("limit", 200), ("length", 4287))
    assert err.text(_vi) == "Quá dài: tối đa 200 ký tự (hiện có 4287)."
