"""Tests for desktop_helpdesk.domain.validation."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_helpdesk.domain import validation
from desktop_helpdesk.domain.validation import (
    MAX_MONEY_VND,
    MSG_REQUIRED,
    N_,
    ValidationError,
    parse_money_vnd,
    validate_date_order,
    validate_email,
    validate_money_vnd,
    validate_phone,
    validate_required,
    validate_tax_code,
)


def code_of(result: ValidationError | None) -> str | None:
    return None if result is None else result.code


# --------------------------------------------------------------------------
# ValidationError and messages
# --------------------------------------------------------------------------


def test_validation_error_is_frozen():
    error = ValidationError("name", "required", MSG_REQUIRED)
    with pytest.raises(dataclasses.FrozenInstanceError):
        error.code = "other"  # type: ignore[misc]
    assert error == ValidationError("name", "required", MSG_REQUIRED)


def test_n_is_a_no_op():
    assert N_("Hello") == "Hello"


def test_messages_are_english_constants_marked_for_extraction():
    messages = {
        name: value
        for name, value in vars(validation).items()
        if name.startswith("MSG_") and isinstance(value, str)
    }
    assert len(messages) >= 10
    source = Path(validation.__file__).read_text(encoding="utf-8")
    for name, value in messages.items():
        assert value[0].isupper(), name
        # Each constant is assigned from an N_("...") literal so that the
        # extractor finds it.
        assert re.search(rf"^{name} = N_\(", source, re.MULTILINE), name


def test_every_error_message_is_a_constant():
    constants = {v for k, v in vars(validation).items() if k.startswith("MSG_")}
    results = [
        validate_required("f", ""),
        validate_phone("f", "abc"),
        validate_phone("f", "0912"),
        validate_phone("f", "+1 555 1234"),
        validate_phone("f", "---"),
        validate_email("f", "nope"),
        validate_tax_code("f", "123"),
        validate_tax_code("f", "0100109107"),
        validate_date_order("f", date(2024, 1, 2), date(2024, 1, 1)),
        validate_money_vnd("f", -1),
        validate_money_vnd("f", 1.5),  # type: ignore[arg-type]
        validate_money_vnd("f", MAX_MONEY_VND + 1),
    ]
    for result in results:
        assert result is not None
        assert result.field == "f"
        assert result.message in constants


# --------------------------------------------------------------------------
# validate_required
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   ", "\t\n\u00a0", [], (), {}, set()])
def test_required_missing(value):
    assert validate_required("name", value) == ValidationError("name", "required", MSG_REQUIRED)


@pytest.mark.parametrize("value", ["a", " a ", "0", 0, False, 0.0, [0], {"k": None}, date.today()])
def test_required_present(value):
    assert validate_required("name", value) is None


# --------------------------------------------------------------------------
# validate_phone
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["0912 345 678", "+84 912 345 678", "(028) 3974 3179", "08.3974 3179", "1900 1234"]
)
def test_phone_valid(value):
    assert validate_phone("phone", value) is None
    assert validate_phone("phone", value, required=True) is None


@pytest.mark.parametrize("value", [None, "", "  "])
def test_phone_blank(value):
    assert validate_phone("phone", value) is None
    assert code_of(validate_phone("phone", value, required=True)) == "required"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("abc", "phone_bad_characters"),
        ("0912 34567", "phone_too_short"),  # 9 digits
        ("0912 345 6789", "phone_too_long"),  # 11 digits
        ("0112345678", "phone_unknown_prefix"),
        ("+1 212 555 1234", "phone_bad_country_code"),
        ("---", "phone_empty"),
    ],
)
def test_phone_invalid(value, code):
    result = validate_phone("phone", value)
    assert result is not None
    assert (result.field, result.code) == ("phone", code)
    assert result.message != MSG_REQUIRED


def test_phone_boundary_lengths():
    assert validate_phone("p", "912345678") is None  # 9 digits: trunk 0 left out
    assert code_of(validate_phone("p", "91234567")) == "phone_too_short"
    assert code_of(validate_phone("p", "09123456")) == "phone_too_short"
    assert validate_phone("p", "0912345678") is None
    assert code_of(validate_phone("p", "09123456789")) == "phone_too_long"


def test_phone_not_a_string():
    assert code_of(validate_phone("p", 912345678)) == "phone_invalid"  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# validate_email
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "an.nguyen@example.com",
        "support+helpdesk@phanmem.vn",
        "a@b.co",
        "x_y-z@sub.domain.com.vn",
        "first.o'neil@example.org",
        "  trimmed@example.com  ",
        "lienhe@tên-miền.vn",  # IDN domain
        "lienhe@xn--tn-min-iva0322d.vn",
        "lienhe@phầnmềm.việtnam",  # IDN top-level domain
        "UPPER@EXAMPLE.COM",
        "123@456.com",
        "a" * 64 + "@example.com",
    ],
)
def test_email_valid(value):
    assert validate_email("email", value) is None


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "@example.com",
        "name@",
        "name@example",  # no top-level domain
        "name@example.c",  # one-letter top-level domain
        "name@example.123",
        "name@@example.com",
        "a@b@example.com",
        "name @example.com",
        "name@exa mple.com",
        "name@.example.com",
        "name@example..com",
        "name@example.com.",
        "name@-example.com",
        "name@example-.com",
        "name@exam_ple.com",
        ".name@example.com",
        "name.@example.com",
        "na..me@example.com",
        "nguyễn@example.com",  # non-ASCII local part
        '"quoted"@example.com',
        "a" * 65 + "@example.com",
        "name@" + "a" * 64 + ".com",  # label over 63
        "name@" + ".".join(["abcdefghi"] * 26) + ".com",  # address over 254
    ],
)
def test_email_invalid(value):
    result = validate_email("email", value)
    assert result is not None
    assert (result.field, result.code) == ("email", "email_invalid")


def test_email_label_length_boundary():
    assert validate_email("e", "name@" + "a" * 63 + ".com") is None
    assert validate_email("e", "name@" + "a" * 64 + ".com") is not None


def test_email_blank():
    assert validate_email("email", None) is None
    assert validate_email("email", " ") is None
    assert code_of(validate_email("email", "", required=True)) == "required"
    assert validate_email("email", "a@example.com", required=True) is None


# --------------------------------------------------------------------------
# validate_tax_code
# --------------------------------------------------------------------------

# Real, published tax codes of well-known companies.
REAL_TAX_CODES = [
    "0100109106",  # Viettel Group
    "0100112437",  # Vietcombank
    "0101248141",  # FPT Corporation
    "0300588569",  # Vinamilk
]


def check_digit(first_nine: str) -> int:
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    return 10 - sum(int(d) * w for d, w in zip(first_nine, weights, strict=True)) % 11


@pytest.mark.parametrize("value", REAL_TAX_CODES)
def test_tax_code_real(value):
    assert validate_tax_code("tax", value) is None
    assert validate_tax_code("tax", value + "-001") is None
    assert validate_tax_code("tax", value + "-999") is None
    assert validate_tax_code("tax", f" {value} ") is None


@pytest.mark.parametrize("value", REAL_TAX_CODES)
def test_tax_code_every_wrong_check_digit(value):
    for digit in "0123456789":
        candidate = value[:9] + digit
        expected = None if digit == value[9] else "tax_code_checksum"
        assert code_of(validate_tax_code("tax", candidate)) == expected, candidate
        assert code_of(validate_tax_code("tax", candidate + "-002")) == expected, candidate


def test_tax_code_check_digit_zero():
    # sum mod 11 == 10 gives check digit 0.
    first_nine = next(
        f"{n:09d}" for n in range(100000000, 100100000) if check_digit(f"{n:09d}") == 0
    )
    assert validate_tax_code("tax", first_nine + "0") is None
    assert code_of(validate_tax_code("tax", first_nine + "1")) == "tax_code_checksum"


def test_tax_code_check_digit_ten_is_never_valid():
    # sum mod 11 == 0 would need check digit 10: no such tax code exists.
    first_nine = next(
        f"{n:09d}" for n in range(100000000, 100100000) if check_digit(f"{n:09d}") == 10
    )
    for digit in "0123456789":
        assert code_of(validate_tax_code("tax", first_nine + digit)) == "tax_code_checksum"


@pytest.mark.parametrize(
    "value",
    [
        "010010910",  # 9 digits
        "01001091066",  # 11 digits
        "0100109106-01",  # branch of 2 digits
        "0100109106-0001",  # branch of 4 digits
        "0100109106-000",  # branches are numbered from 001
        "0100109106001",  # branch without the dash
        "0100109106 001",
        "0100 109 106",
        "010010910a",
        "MST0100109106",
        "-0100109106",
        "12345678901",  # 11 digits
        "1234567890123",  # 13 digits
        "０１００１０９１０６",  # fullwidth digits
    ],
)
def test_tax_code_format(value):
    assert code_of(validate_tax_code("tax", value)) == "tax_code_format"


def test_tax_code_personal_id_twelve_digits():
    assert validate_tax_code("tax", "001085012345") is None
    assert code_of(validate_tax_code("tax", "00108501234")) == "tax_code_format"  # 11
    assert code_of(validate_tax_code("tax", "0010850123456")) == "tax_code_format"  # 13


def test_tax_code_blank():
    assert validate_tax_code("tax", None) is None
    assert validate_tax_code("tax", "") is None
    assert code_of(validate_tax_code("tax", " ", required=True)) == "required"


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_tax_code_exactly_one_check_digit_or_none(first_nine):
    valid = [d for d in "0123456789" if validate_tax_code("t", first_nine + d) is None]
    assert len(valid) <= 1
    assert (len(valid) == 1) == (check_digit(first_nine) != 10)


# --------------------------------------------------------------------------
# validate_date_order
# --------------------------------------------------------------------------


def test_date_order():
    d = date(2024, 3, 15)
    assert validate_date_order("due", d, d) is None  # equal is fine
    assert validate_date_order("due", d, d + timedelta(days=1)) is None
    result = validate_date_order("due", d, d - timedelta(days=1))
    assert result is not None
    assert (result.field, result.code) == ("due", "date_order")


def test_datetime_order_boundaries():
    t = datetime(2024, 3, 15, 9, 0, tzinfo=timezone.utc)
    assert validate_date_order("end", t, t) is None
    assert validate_date_order("end", t, t + timedelta(microseconds=1)) is None
    assert code_of(validate_date_order("end", t, t - timedelta(microseconds=1))) == "date_order"


def test_date_order_none_is_fine():
    d = date(2024, 3, 15)
    assert validate_date_order("due", None, d) is None
    assert validate_date_order("due", d, None) is None
    assert validate_date_order("due", None, None) is None


def test_date_and_datetime_mixed_compare_dates():
    d = date(2024, 3, 15)
    assert validate_date_order("due", datetime(2024, 3, 15, 23, 59), d) is None
    assert validate_date_order("due", d, datetime(2024, 3, 15, 0, 0)) is None
    assert code_of(validate_date_order("due", datetime(2024, 3, 16, 0, 0), d)) == "date_order"
    assert code_of(validate_date_order("due", d, datetime(2024, 3, 14, 23, 59))) == "date_order"


# --------------------------------------------------------------------------
# Money
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, 1_500_000, MAX_MONEY_VND, None])
def test_money_valid(value):
    assert validate_money_vnd("amount", value) is None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (-1, "money_negative"),
        (-1_500_000, "money_negative"),
        (MAX_MONEY_VND + 1, "money_too_large"),
        (1.0, "money_not_integer"),
        (1500.5, "money_not_integer"),
        (Decimal("1500"), "money_not_integer"),
        ("1500", "money_not_integer"),
        (True, "money_not_integer"),
        (False, "money_not_integer"),
    ],
)
def test_money_invalid(value, code):
    result = validate_money_vnd("amount", value)
    assert result is not None
    assert (result.field, result.code) == ("amount", code)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("0", 0),
        ("1500000", 1_500_000),
        ("1.500.000", 1_500_000),
        ("1,500,000", 1_500_000),
        ("1 500 000", 1_500_000),
        ("1\u00a0500\u00a0000", 1_500_000),  # non-breaking spaces
        ("1.500.000 ₫", 1_500_000),
        ("1.500.000₫", 1_500_000),
        ("1500000đ", 1_500_000),
        ("1500000 Đ", 1_500_000),
        ("1,500,000 VND", 1_500_000),
        ("1.500.000 VNĐ", 1_500_000),
        ("1.500.000 vnđ", 1_500_000),
        ("2000000vnd", 2_000_000),
        ("  250.000  ", 250_000),
        ("1.500", 1_500),  # a separator always means thousands
        ("999", 999),
        ("1.000", 1_000),
        ("12.345.678.901", 12_345_678_901),
        ("０１２３", 123),  # fullwidth digits
        ("007", 7),
    ],
)
def test_parse_money(text, amount):
    assert parse_money_vnd(text) == amount


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "đ",
        "VND",
        "abc",
        "-1500",
        "+1500",
        "1,5",
        "1,5 triệu",
        "1.5",
        "1.500,00",
        "1,500.00",
        "1.500,000",  # mixed separators
        "1.50.000",
        "1500.000.0",
        "1.5000",
        "1234.567",  # first group over three digits
        ".500",
        "1.500.",
        "1..500",
        "1 500.000",
        "₫1.500.000",  # prefix not accepted
        "1.500.000 USD",
        "1.500.000 đồng",
        "1500 đ đ",
        "12e3",
        str(MAX_MONEY_VND + 1),
    ],
)
def test_parse_money_rejects(text):
    with pytest.raises(ValueError):
        parse_money_vnd(text)


def test_parse_money_largest():
    assert parse_money_vnd(str(MAX_MONEY_VND)) == MAX_MONEY_VND


def test_parse_money_not_a_string():
    with pytest.raises(TypeError):
        parse_money_vnd(1500)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=MAX_MONEY_VND), st.sampled_from([".", ",", " "]))
def test_parse_money_round_trips_grouped(amount, sep):
    grouped = f"{amount:,}".replace(",", sep)
    assert parse_money_vnd(grouped) == amount
    assert parse_money_vnd(grouped + " ₫") == amount
    assert parse_money_vnd(str(amount)) == amount
    assert validate_money_vnd("amount", parse_money_vnd(grouped)) is None
