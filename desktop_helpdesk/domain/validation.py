"""The input rules: one set for every path a value comes in by (forms, services, import,
sync), so a value refused in a form is refused in an imported file with the same message.

* Text: :func:`validate_text` against :data:`TEXT_LIMITS` (the columns' lengths) or
  :data:`LONG_TEXT`, control characters refused; :func:`clean_text` is the stored form (NFC;
  a single line's tabs and line breaks as spaces; a multi-line text's kept).
* Money: whole đồng up to :data:`MAX_MONEY_VND` per amount, so every sum fits 64 bits;
  :func:`parse_money_vnd` reads what people type.
* Dates: :func:`parse_date_text` / :func:`parse_datetime_text` tell a wrong format from a
  date that does not exist ("31/02/2026"); :func:`validate_not_future` refuses a time more
  than :data:`CLOCK_SKEW` ahead (a ticket's received time).
* Phones, e-mail addresses, tax codes, date order: the ``validate_*`` functions below.

Every ``validate_*`` function returns ``None`` when the value is valid and a
:class:`ValidationError` otherwise. The error's ``message`` is English and is
one of the module-level ``MSG_*`` constants, marked with :func:`N_` so that
the message extractor finds them; the UI translates ``message`` through
gettext at display time (or picks its own text by ``code``).

Optional fields (``required=False``) accept ``None`` and blank strings.
String values are checked with surrounding whitespace stripped; callers
should store the stripped value (and, for phones, the E.164 form from
:func:`desktop_helpdesk.domain.phone.normalize_phone`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from desktop_helpdesk.domain.phone import PhoneError, normalize_phone
from desktop_helpdesk.domain.text import normalize

__all__ = [
    "N_",
    "ValidationError",
    "validate_required",
    "validate_phone",
    "validate_email",
    "validate_tax_code",
    "validate_date_order",
    "validate_money_vnd",
    "parse_money_vnd",
    "MAX_MONEY_VND",
    "validate_text",
    "TEXT_LIMITS",
    "LONG_TEXT",
    "clean_text",
    "CLOCK_SKEW",
    "validate_not_future",
    "DateInputError",
    "MoneyTooLarge",
    "parse_date_text",
    "parse_datetime_text",
]


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now (gettext's
    "no-op" marker; Babel's extractor knows the ``N_`` keyword)."""
    return message


@dataclass(frozen=True)
class ValidationError:
    """Why a field's value is invalid.

    ``field`` is the caller's field name, ``code`` a short machine code,
    ``message`` an English sentence (a ``MSG_*`` constant) to translate.
    """

    field: str
    code: str
    message: str
    #: Values for the message's {placeholders}, as (name, value) pairs.
    params: tuple = ()

    def text(self, translate) -> str:
        """The message in the user's language, its placeholders filled in."""
        translated = translate(self.message)
        return translated.format(**dict(self.params)) if self.params else translated


# --------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------

MSG_REQUIRED = N_("This field is required.")

MSG_PHONE_BAD_CHARACTERS = N_(
    "A phone number may contain only digits, spaces, dots, dashes, brackets and a leading +."
)
MSG_PHONE_BAD_COUNTRY_CODE = N_("Only Vietnamese phone numbers (+84) are supported.")
MSG_PHONE_TOO_SHORT = N_("This phone number is too short.")
MSG_PHONE_TOO_LONG = N_("This phone number is too long.")
MSG_PHONE_UNKNOWN_PREFIX = N_("This is not a Vietnamese mobile, landline or 1800/1900 number.")
MSG_PHONE_INVALID = N_("This is not a valid phone number.")

#: PhoneError.code -> message.
PHONE_MESSAGES: dict[str, str] = {
    "empty": MSG_PHONE_INVALID,  # only separators, no digits: "---"
    "bad_characters": MSG_PHONE_BAD_CHARACTERS,
    "bad_country_code": MSG_PHONE_BAD_COUNTRY_CODE,
    "too_short": MSG_PHONE_TOO_SHORT,
    "too_long": MSG_PHONE_TOO_LONG,
    "unknown_prefix": MSG_PHONE_UNKNOWN_PREFIX,
}

MSG_EMAIL_INVALID = N_("Enter an email address such as name@example.com.")

MSG_TAX_CODE_FORMAT = N_(
    "A tax code has 10 digits, or 10 digits, a dash and 3 digits for a branch "
    "(e.g. 0100109106 or 0100109106-001), or 12 digits for a personal ID number."
)
MSG_TAX_CODE_CHECKSUM = N_("This tax code is not valid: check the digits.")

MSG_DATE_ORDER = N_("This date must not be before the start date.")

MSG_TOO_LONG = N_("This is too long: at most {limit} characters (now {length}).")
MSG_CONTROL_CHARACTER = N_(
    "This contains an invisible control character (pasted from another program?): delete it and type the text again."
)

MSG_MONEY_NOT_INTEGER = N_("Enter a whole number of đồng.")
MSG_MONEY_NEGATIVE = N_("The amount must not be negative.")
MSG_MONEY_TOO_LARGE = N_("The amount is too large: at most 10,000 billion đồng per amount.")

MSG_DATE_FORMAT = N_("Enter a date as day/month/year, e.g. 17/02/2026.")
MSG_DATE_NOT_EXIST = N_("The date {date} does not exist.")
MSG_DATETIME_FORMAT = N_("Enter a date and time as dd/mm/yyyy hh:mm.")
MSG_TIME_NOT_EXIST = N_("The time {time} does not exist: hours go from 00 to 23, minutes from 00 to 59.")
MSG_RECEIVED_IN_FUTURE = N_(
    "The received time is later than now: a request cannot be received in the future "
    "(clocks may differ by at most {minutes} minutes). Check the date and time."
)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return len(value) == 0
    return False


def _missing(field: str, required: bool) -> ValidationError | None:
    """The result for a blank value: an error if the field is required."""
    return ValidationError(field, "required", MSG_REQUIRED) if required else None


# --------------------------------------------------------------------------
# Validators
# --------------------------------------------------------------------------


#: How many characters each stored text may hold, as the database's columns say: the same
#: limit on every engine (SQLite would store any length, PostgreSQL refuses with a raw error),
#: checked here with a clear message before a value reaches a column. A test holds these equal
#: to the models' column lengths. Free texts (notes, descriptions, history entries) are
#: unbounded columns, kept to LONG_TEXT.
TEXT_LIMITS: dict[str, int] = {
    "operators.code": 20, "operators.full_name": 120, "operators.alias": 60, "operators.team": 60,
    "customers.code": 20, "customers.name": 200, "customers.address": 300, "customers.province": 60,
    "contacts.full_name": 120, "contacts.position": 80,
    "packages.code": 20, "packages.name": 200,
    "contracts.number": 40, "payments.invoice_number": 40, "obligations.title": 200,
    "tickets.subject": 300, "verification_questions.question": 300,
    "calendar_exceptions.name": 200,
}
LONG_TEXT = 20_000

# C0 controls but tab, line feed and carriage return; DEL; C1 controls. NUL cannot be stored
# by PostgreSQL at all, and the others break exports (Excel refuses them) and searches.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(value: str | None, multiline: bool = False) -> str:
    """``value`` as it is stored: NFC; single-line text trimmed with every run of white space
    (a pasted tab or line break among them) as one space; multi-line text with its line
    breaks as LF, tabs kept, trailing white space of each line and blank lines around it
    dropped. Control characters are not removed here: validate_text refuses them first."""
    if not value:
        return ""
    if not multiline:
        return normalize(value)
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n ")


def validate_text(field: str, value: str | None, limit: int, multiline: bool = False) -> ValidationError | None:
    """``None`` unless ``value`` holds a control character or, as it will be stored (see
    clean_text), is longer than ``limit`` characters. Tabs and line breaks are not refused:
    single-line text stores them as a space (text pasted from a spreadsheet cell), multi-line
    text keeps them. Blank values pass: pair with validate_required where needed.

    Codes: ``control_character``, ``too_long`` (params ``limit`` and ``length``)."""
    if not value:
        return None
    if _CONTROL.search(value):
        return ValidationError(field, "control_character", MSG_CONTROL_CHARACTER)
    stored = clean_text(value, multiline)
    if len(stored) > limit:
        return ValidationError(field, "too_long", MSG_TOO_LONG, (("limit", limit), ("length", len(stored))))
    return None


#: How far a time may lie ahead of the clock that checks it: the clocks of two desks, or of
#: a desk and the team server, differ a little.
CLOCK_SKEW = timedelta(minutes=5)


def validate_not_future(field: str, when: datetime | None, now: datetime,
                        message: str = MSG_RECEIVED_IN_FUTURE) -> ValidationError | None:
    """``None`` unless the aware ``when`` is later than ``now`` by more than CLOCK_SKEW.
    Code: ``in_future`` (param ``minutes``: the tolerance)."""
    if when is None or when <= now + CLOCK_SKEW:
        return None
    return ValidationError(field, "in_future", message, (("minutes", int(CLOCK_SKEW.total_seconds() // 60)),))


def validate_required(field: str, value: Any) -> ValidationError | None:
    """``None`` unless ``value`` is missing: ``None``, a blank string, or an
    empty list/tuple/set/dict. ``0`` and ``False`` are values, not missing."""
    if _is_blank(value):
        return ValidationError(field, "required", MSG_REQUIRED)
    return None


def validate_phone(field: str, value: str | None, required: bool = False) -> ValidationError | None:
    """A phone number that :func:`normalize_phone` can read.

    Codes: ``required``, or ``phone_`` + the :class:`PhoneError` code
    (``phone_bad_characters``, ``phone_bad_country_code``, ``phone_too_short``,
    ``phone_too_long``, ``phone_unknown_prefix``), or ``phone_invalid`` for a
    value that is not a string.
    """
    if _is_blank(value):
        return _missing(field, required)
    if not isinstance(value, str):
        return ValidationError(field, "phone_invalid", MSG_PHONE_INVALID)
    try:
        normalize_phone(value)
    except PhoneError as error:
        message = PHONE_MESSAGES.get(error.code, MSG_PHONE_INVALID)
        return ValidationError(field, f"phone_{error.code}", message)
    return None


_EMAIL_LOCAL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*", re.ASCII
)
# A domain label: letters (any script) and digits, hyphens inside only.
_DOMAIN_LABEL = re.compile(r"[^\W_](?:[^\W_]|-){0,62}")
_TLD = re.compile(r"(?:[^\W\d_]{2,63}|xn--[A-Za-z0-9-]{1,59})")


def _valid_domain(domain: str) -> bool:
    labels = domain.split(".")
    if len(labels) < 2:
        return False
    for label in labels:
        if not _DOMAIN_LABEL.fullmatch(label) or label.endswith("-"):
            return False
    if not _TLD.fullmatch(labels[-1]):
        return False
    try:
        ascii_domain = domain.encode("idna")
    except UnicodeError:
        return False
    return len(ascii_domain) <= 253


def validate_email(field: str, value: str | None, required: bool = False) -> ValidationError | None:
    """A pragmatic email check: ``local@domain.tld``.

    * the local part is ASCII: letters, digits and ``!#$%&'*+/=?^_`{|}~-``,
      with dots only between them (no quoted local parts), at most 64
      characters;
    * the domain may be internationalised (``tên-miền.vn``, ``xn--…``): at
      least two labels of letters/digits/inner hyphens, a top-level domain
      of letters (or ``xn--``), at most 253 characters once IDNA-encoded;
    * no spaces, exactly one ``@``; the whole address at most 254 characters.

    Code: ``email_invalid``.
    """
    if _is_blank(value):
        return _missing(field, required)
    error = ValidationError(field, "email_invalid", MSG_EMAIL_INVALID)
    if not isinstance(value, str):
        return error
    address = unicodedata.normalize("NFC", value.strip())
    if len(address) > 254 or address.count("@") != 1:
        return error
    local, domain = address.split("@")
    if len(local) > 64 or not _EMAIL_LOCAL.fullmatch(local):
        return error
    if not _valid_domain(domain):
        return error
    return None


_TAX_CODE = re.compile(r"(\d{10})(?:-(\d{3}))?", re.ASCII)
_PERSONAL_ID = re.compile(r"\d{12}", re.ASCII)
_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def _tax_check_digit(first_nine: str) -> int | None:
    """The 10th digit of a tax code, or None if no valid code starts so.

    The General Department of Taxation computes it as
    ``10 - (sum of digit * weight) mod 11`` with weights 31, 29, 23, 19, 17,
    13, 7, 5, 3; a result of 10 is never issued.
    """
    total = sum(int(d) * w for d, w in zip(first_nine, _TAX_WEIGHTS, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


def validate_tax_code(
    field: str, value: str | None, required: bool = False
) -> ValidationError | None:
    """A Vietnamese tax code (mã số thuế).

    Accepted:

    * ``NNNNNNNNNC``: 10 digits, the last one a check digit (see
      :func:`_tax_check_digit`) — enterprises and organisations;
    * ``NNNNNNNNNC-BBB``: the same followed by a dash and a 3-digit branch
      number from 001 (branches, dependent units);
    * 12 digits: since 1 July 2025 (Circular 86/2024/TT-BTC) individuals and
      household businesses use their personal identification number (the
      number on the citizen ID card) as tax code. Only the format is checked.

    Codes: ``tax_code_format``, ``tax_code_checksum``.
    """
    if _is_blank(value):
        return _missing(field, required)
    text = value.strip() if isinstance(value, str) else ""
    if _PERSONAL_ID.fullmatch(text):
        return None
    match = _TAX_CODE.fullmatch(text)
    if match is None or match.group(2) == "000":
        return ValidationError(field, "tax_code_format", MSG_TAX_CODE_FORMAT)
    code = match.group(1)
    if _tax_check_digit(code[:9]) != int(code[9]):
        return ValidationError(field, "tax_code_checksum", MSG_TAX_CODE_CHECKSUM)
    return None


def validate_date_order(
    field: str, earlier: date | datetime | None, later: date | datetime | None
) -> ValidationError | None:
    """``later`` must not be before ``earlier``; equal is fine, and so is a
    missing (``None``) value on either side.

    When one side is a ``datetime`` and the other a plain ``date``, only the
    dates are compared. Comparing a naive with an aware datetime is a
    programming error and raises ``TypeError``. The error is reported on
    ``field`` (normally the later date's field). Code: ``date_order``.
    """
    if earlier is None or later is None:
        return None
    if isinstance(earlier, datetime) != isinstance(later, datetime):
        earlier = earlier.date() if isinstance(earlier, datetime) else earlier
        later = later.date() if isinstance(later, datetime) else later
    if later < earlier:
        return ValidationError(field, "date_order", MSG_DATE_ORDER)
    return None


#: The largest single amount (a contract's value, a payment, a list price): 10^13 đồng, ten
#: thousand billion (about 400 million US dollars), far beyond any contract a support desk
#: tracks. Sums are what must stay in range, not single amounts: the customer list and the
#: debt checks add every contract's value and every payment of a customer, and a report may
#: add those of every customer. SQLite's SUM raises "integer overflow" past 2^63 - 1, and a
#: PostgreSQL bigint (where SUM's numeric is cast back to bigint) holds no more either. With
#: 10^13 per amount, 922,337 amounts at the limit fit in one sum, so no realistic sum
#: overflows (two amounts at the former limit of 2^63 - 1 did). It also keeps an exported
#: amount exact in Excel, which holds 15 significant digits: 10^13 has 14.
MAX_MONEY_VND = 10**13


class MoneyTooLarge(ValueError):
    """An amount read from text is above MAX_MONEY_VND (a ValueError, for the callers that
    only tell "not an amount")."""


def validate_money_vnd(field: str, value: int | None) -> ValidationError | None:
    """An amount in whole đồng: a non-negative ``int`` (not ``bool``, not
    ``float``/``Decimal``: VND has no subunit, and floats are not money), at
    most :data:`MAX_MONEY_VND`. ``None`` is accepted (use
    :func:`validate_required` for a required amount).

    Codes: ``money_not_integer``, ``money_negative``, ``money_too_large``.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return ValidationError(field, "money_not_integer", MSG_MONEY_NOT_INTEGER)
    if value < 0:
        return ValidationError(field, "money_negative", MSG_MONEY_NEGATIVE)
    if value > MAX_MONEY_VND:
        return ValidationError(field, "money_too_large", MSG_MONEY_TOO_LARGE)
    return None


_MONEY = re.compile(
    r"""
    (?P<number>
        \d+                         # 1500000
      | \d{1,3}(?:\.\d{3})+         # 1.500.000 (Vietnamese)
      | \d{1,3}(?:,\d{3})+          # 1,500,000
      | \d{1,3}(?:\ \d{3})+         # 1 500 000
    )
    \s*
    (?:₫|[đĐ]|[vV][nN][dDđĐ])?      # currency suffix: ₫, đ, VND, VNĐ in any case
    """,
    re.ASCII | re.VERBOSE,
)


def parse_money_vnd(text: str) -> int:
    """Parse an amount of đồng as people type it.

    Accepts digits with an optional thousands separator used consistently
    (``.``, ``,`` or a space, groups of three), and an optional ``₫``, ``đ``,
    ``VND`` or ``VNĐ`` suffix, any case: ``"1.500.000"``, ``"1,500,000"``,
    ``"1 500 000"``, ``"1500000"``, ``"1.500.000 ₫"``, ``"1500000đ"``,
    ``"2.000.000 VNĐ"``. A separator always means thousands (``"1.500"`` is
    1500), since VND has no decimals.

    Raises MoneyTooLarge (a ``ValueError``) above MAX_MONEY_VND, ``ValueError`` for
    anything else: decimals (``"1,5"``,
    ``"1.500,00"``), signs, words (``"1,5 triệu"``), mixed separators.
    """
    if not isinstance(text, str):
        raise TypeError(f"amount must be str, not {type(text).__name__}")
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if not cleaned:
        raise ValueError("Enter an amount.")
    match = _MONEY.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"Not an amount in đồng: {text!r}")
    amount = int(re.sub(r"[^0-9]", "", match.group("number")))
    if amount > MAX_MONEY_VND:
        raise MoneyTooLarge(f"Amount too large: {text!r}")
    return amount


# --------------------------------------------------------------------------
# Dates and times typed as text
# --------------------------------------------------------------------------


class DateInputError(ValueError):
    """Text that is not a date (or date and time) that exists; ``error`` says which:
    a wrong format, or a day, month or time that does not exist ("31/02/2026")."""

    def __init__(self, error: ValidationError):
        super().__init__(error.code)
        self.error = error


_DMY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})", re.ASCII)
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_HM = re.compile(r"(\d{1,2})[:hg](\d{2})", re.ASCII | re.IGNORECASE)


def _read_date(text: str, field: str, format_message: str) -> date:
    if (m := _DMY.fullmatch(text)) is not None:
        day, month, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
    elif (m := _YMD.fullmatch(text)) is not None:
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        raise DateInputError(ValidationError(field, "date_format", format_message))
    try:
        return date(year, month, day)
    except ValueError:  # 31/02, 29/02 of a common year, month 13, day 0, year 0
        shown = f"{day:02d}/{month:02d}/{year:04d}"
        raise DateInputError(ValidationError(field, "date_not_exist", MSG_DATE_NOT_EXIST, (("date", shown),))) from None


def parse_date_text(text: str | None, field: str = "date") -> date | None:
    """A date as people type it: dd/mm/yyyy with "/", "-" or "." (one or two digits for the
    day and month), or ISO yyyy-mm-dd. Blank gives ``None``; otherwise DateInputError, whose
    ``error`` has code ``date_format`` or ``date_not_exist`` (param ``date``)."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    return _read_date(text, field, MSG_DATE_FORMAT)


def parse_datetime_text(text: str | None, field: str = "datetime") -> datetime | None:
    """A date and time as people type it: a date as parse_date_text reads it, white space,
    hh:mm (also 9h30). Naive: the caller knows its zone. Blank gives ``None``; otherwise
    DateInputError with code ``datetime_format``, ``date_not_exist`` or ``time_not_exist``
    (param ``time``)."""
    text = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if not text:
        return None
    parts = text.split(" ")
    wrong = ValidationError(field, "datetime_format", MSG_DATETIME_FORMAT)
    if len(parts) != 2 or (m := _HM.fullmatch(parts[1])) is None:
        raise DateInputError(wrong)
    day = _read_date(parts[0], field, MSG_DATETIME_FORMAT)
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        shown = f"{hour:02d}:{minute:02d}"
        raise DateInputError(ValidationError(field, "time_not_exist", MSG_TIME_NOT_EXIST, (("time", shown),)))
    return datetime(day.year, day.month, day.day, hour, minute)
