"""Vietnamese phone numbers: parse what people type, store E.164, display nationally.

Numbers reach the hotline screen in every shape: ``0912 345 678``,
``0912.345.678``, ``(028) 3974 3179``, ``+84 (0) 912 345 678``,
``0084 912345678``... and from customer records typed years ago, in numbering
plans that no longer exist:

* **Landline area codes before 2017.** Decision 2036/QĐ-BTTTT moved 59 of the
  63 provinces to new area codes in three waves (11 Feb, 15 Apr and 17 Jun
  2017): every area code is now ``2xx`` (Hà Nội ``24`` and TP. Hồ Chí Minh
  ``28``). :data:`OLD_AREA_CODES` is the complete table. The subscriber
  number itself did not change: 8 digits in Hà Nội and TP.HCM, 7 elsewhere,
  so every landline is now 11 digits with the leading 0.
* **11-digit mobiles before 2018.** The 01xx prefixes became 0xx in
  September 2018 (:data:`OLD_MOBILE_PREFIXES`).

Both are converted to today's number.

Vocabulary: the *national significant number* (NSN) is the number without
the country code 84 and without the trunk prefix 0: ``0912345678`` has NSN
``912345678`` and E.164 form ``+84912345678``.

Accepted (current plan):

* mobiles: 0 + 9 digits, with a prefix from :data:`MOBILE_PREFIXES`;
* landlines: 0 + area code (``24``, ``28`` or a three-digit ``2xx`` from
  :data:`AREA_CODES`) + subscriber number, 11 digits in all; a subscriber
  number never starts with 0 or 1;
* service numbers 1800 (free to the caller) and 1900 (premium): ``1800`` or
  ``1900`` + 4 to 6 digits, written without a leading 0. They cannot be
  called from abroad, but are returned in the same shape as everything else,
  ``+84`` + the number (``19001234`` → ``+8419001234``), so that one column
  holds all numbers; :func:`format_phone` shows them as ``1900 1234``.

Ambiguity. A 10-digit number can be both an old landline and a current
mobile: ``08.3974 3179`` is an old TP.HCM landline (today
``028 3974 3179``) and ``083 974 3179`` is a VinaPhone mobile. The same holds
for old area codes 033, 036-039, 052, 055, 056, 058, 059, 070, 076, 077 and
079. :func:`phone_candidates` returns both readings; which comes first is
decided by how the number is *written* (see :func:`phone_candidates`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "AREA_CODES",
    "MOBILE_PREFIXES",
    "OLD_AREA_CODES",
    "OLD_MOBILE_PREFIXES",
    "PhoneError",
    "format_phone",
    "is_mobile",
    "normalize_phone",
    "phone_candidates",
]


class PhoneError(ValueError):
    """A phone number that cannot be read.

    ``code`` is a short machine code for the UI to translate; ``str(error)``
    is an English sentence fit to show a user.

    Codes: ``empty``, ``bad_characters``, ``bad_country_code``,
    ``too_short``, ``too_long``, ``unknown_prefix``, ``not_e164`` (the last
    only from :func:`format_phone`).
    """

    MESSAGES = {
        "empty": "Enter a phone number.",
        "bad_characters": (
            "A phone number may contain only digits, spaces, dots, dashes, "
            "brackets and a leading +."
        ),
        "bad_country_code": "Only Vietnamese phone numbers (+84) are supported.",
        "too_short": "This phone number is too short.",
        "too_long": "This phone number is too long.",
        "unknown_prefix": "This is not a Vietnamese mobile, landline or 1800/1900 number.",
        "not_e164": "This is not a phone number in E.164 form (+84…).",
    }

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        super().__init__(message or self.MESSAGES.get(code, "Invalid phone number."))


# --------------------------------------------------------------------------
# Numbering plan tables
# --------------------------------------------------------------------------

#: Landline area codes before 2017 -> area codes since 2017 (without the
#: trunk 0). Decision 2036/QĐ-BTTTT; waves: 1 = 11 Feb 2017, 2 = 15 Apr 2017,
#: 3 = 17 Jun 2017; "kept" = the four provinces whose code did not change.
#: Province names are those of 2017 (the 2025 merger of provinces did not
#: renumber: the merged provinces keep using their old codes).
OLD_AREA_CODES: dict[str, str] = {
    # Northern midlands and mountains
    "20": "214",  # Lào Cai (1)
    "22": "212",  # Sơn La (1)
    "230": "215",  # Điện Biên (1)
    "231": "213",  # Lai Châu (1)
    "29": "216",  # Yên Bái (1)
    "25": "205",  # Lạng Sơn (2)
    "26": "206",  # Cao Bằng (2)
    "27": "207",  # Tuyên Quang (2)
    "280": "208",  # Thái Nguyên (2)
    "281": "209",  # Bắc Kạn (2)
    "240": "204",  # Bắc Giang (2)
    "210": "210",  # Phú Thọ (kept)
    "211": "211",  # Vĩnh Phúc (kept)
    "218": "218",  # Hòa Bình (kept)
    "219": "219",  # Hà Giang (kept)
    # Red River Delta
    "4": "24",  # Hà Nội (3)
    "33": "203",  # Quảng Ninh (2)
    "241": "222",  # Bắc Ninh (2)
    "320": "220",  # Hải Dương (2)
    "321": "221",  # Hưng Yên (2)
    "31": "225",  # Hải Phòng (2)
    "351": "226",  # Hà Nam (2)
    "36": "227",  # Thái Bình (2)
    "350": "228",  # Nam Định (2)
    "30": "229",  # Ninh Bình (2)
    # North Central Coast
    "37": "237",  # Thanh Hóa (1)
    "38": "238",  # Nghệ An (1)
    "39": "239",  # Hà Tĩnh (1)
    "52": "232",  # Quảng Bình (1)
    "53": "233",  # Quảng Trị (1)
    "54": "234",  # Thừa Thiên Huế (1)
    # South Central Coast
    "511": "236",  # Đà Nẵng (1)
    "510": "235",  # Quảng Nam (1)
    "55": "255",  # Quảng Ngãi (3)
    "56": "256",  # Bình Định (3)
    "57": "257",  # Phú Yên (3)
    "58": "258",  # Khánh Hòa (3)
    "68": "259",  # Ninh Thuận (3)
    "62": "252",  # Bình Thuận (3)
    # Central Highlands
    "60": "260",  # Kon Tum (3)
    "59": "269",  # Gia Lai (3)
    "500": "262",  # Đắk Lắk (3)
    "501": "261",  # Đắk Nông (3)
    "63": "263",  # Lâm Đồng (3)
    # South East
    "8": "28",  # TP. Hồ Chí Minh (3)
    "61": "251",  # Đồng Nai (3)
    "64": "254",  # Bà Rịa - Vũng Tàu (3)
    "650": "274",  # Bình Dương (3)
    "651": "271",  # Bình Phước (3)
    "66": "276",  # Tây Ninh (3)
    # Mekong Delta
    "72": "272",  # Long An (3)
    "73": "273",  # Tiền Giang (3)
    "75": "275",  # Bến Tre (3)
    "70": "270",  # Vĩnh Long (3)
    "74": "294",  # Trà Vinh (2)
    "67": "277",  # Đồng Tháp (3)
    "76": "296",  # An Giang (2)
    "77": "297",  # Kiên Giang (2)
    "710": "292",  # Cần Thơ (2)
    "711": "293",  # Hậu Giang (2)
    "79": "299",  # Sóc Trăng (2)
    "781": "291",  # Bạc Liêu (2)
    "780": "290",  # Cà Mau (2)
}

#: Area codes in use today (without the trunk 0): 24, 28 and 61 three-digit
#: codes, one per province of 2017.
AREA_CODES: frozenset[str] = frozenset(OLD_AREA_CODES.values())

#: Two-digit mobile prefixes of the NSN (``91`` for ``091…``) in use since
#: the 2018 conversion: Viettel 32-39, 86, 96-98; VinaPhone 81-85, 88, 91,
#: 94; MobiFone 70, 76-79, 89, 90, 93; Vietnamobile 52, 56, 58, 92;
#: Gmobile/Wintel 59, 99; Reddi/Wintel 55; iTel 87; 95 (S-Fone's old range,
#: listed as mobile in libphonenumber). Left out on purpose: 30, 31 and 51
#: (allocated on paper, not seen in use, and 030/031 would make every old
#: Ninh Bình / Hải Phòng landline ambiguous), 69 (closed military network).
MOBILE_PREFIXES: frozenset[str] = frozenset(
    ["32", "33", "34", "35", "36", "37", "38", "39"]
    + ["52", "55", "56", "58", "59"]
    + ["70", "76", "77", "78", "79"]
    + ["81", "82", "83", "84", "85", "86", "87", "88", "89"]
    + ["90", "91", "92", "93", "94", "95", "96", "97", "98", "99"]
)

#: 11-digit mobile prefixes before the conversion of 15 Sep 2018 -> today's
#: prefix (both as NSN, without the trunk 0).
OLD_MOBILE_PREFIXES: dict[str, str] = {
    # Viettel
    "162": "32",
    "163": "33",
    "164": "34",
    "165": "35",
    "166": "36",
    "167": "37",
    "168": "38",
    "169": "39",
    # MobiFone
    "120": "70",
    "121": "79",
    "122": "77",
    "126": "76",
    "128": "78",
    # VinaPhone
    "123": "83",
    "124": "84",
    "125": "85",
    "127": "81",
    "129": "82",
    # Vietnamobile
    "186": "56",
    "188": "58",
    # Gmobile
    "199": "59",
}

_SERVICE_PREFIXES = ("1800", "1900")
_SERVICE_LENGTHS = (8, 9, 10)
_MOBILE_LENGTH = 9
_LANDLINE_LENGTH = 10
_MAX_DIGITS = 15  # E.164 maximum

_ALLOWED = re.compile(r"[0-9\s.\-‐‑‒–—()/+]*", re.ASCII)
_DIGIT_GROUP = re.compile(r"[0-9]+", re.ASCII)
_ONLY_DIGITS = re.compile(r"[0-9]+", re.ASCII)


# --------------------------------------------------------------------------
# Readings
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    nsn: str  # today's national significant number
    old_area_code: str | None = None  # set when read as a pre-2017 landline


@dataclass
class _Misses:
    """Why an NSN had no reading, to choose the error code."""

    expected_lengths: set[int]
    prefix_known: bool = False


def _subscriber_ok(subscriber: str) -> bool:
    return subscriber[:1] not in ("", "0", "1")


def _landline_area_code(nsn: str) -> str | None:
    if nsn[:2] in AREA_CODES:
        return nsn[:2]
    if nsn[:3] in AREA_CODES:
        return nsn[:3]
    return None


def _read_nsn(nsn: str, misses: _Misses) -> list[_Reading]:
    """All readings of one national significant number, current plan first."""
    readings: list[_Reading] = []

    def fits(length: int) -> bool:
        misses.prefix_known = True
        misses.expected_lengths.add(length)
        return len(nsn) == length

    # Today's plan.
    if nsn[:2] in MOBILE_PREFIXES and fits(_MOBILE_LENGTH):
        readings.append(_Reading(nsn))
    code = _landline_area_code(nsn)
    if code and fits(_LANDLINE_LENGTH) and _subscriber_ok(nsn[len(code) :]):
        readings.append(_Reading(nsn))
    if nsn.startswith(_SERVICE_PREFIXES):
        misses.prefix_known = True
        misses.expected_lengths.update(_SERVICE_LENGTHS)
        if len(nsn) in _SERVICE_LENGTHS:
            readings.append(_Reading(nsn))
    # Old 11-digit mobiles.
    new_prefix = OLD_MOBILE_PREFIXES.get(nsn[:3])
    if new_prefix and fits(10):
        readings.append(_Reading(new_prefix + nsn[3:]))
    # Old landlines (the old codes are prefix-free, so at most one matches).
    for old in (nsn[:1], nsn[:2], nsn[:3]):
        new = OLD_AREA_CODES.get(old)
        if new is None or new == old:
            continue
        subscriber_length = 8 if len(new) == 2 else 7
        subscriber = nsn[len(old) :]
        if fits(len(old) + subscriber_length) and _subscriber_ok(subscriber):
            readings.append(_Reading(new + subscriber, old_area_code=old))
    return readings


@dataclass(frozen=True)
class _Group:
    start: int  # index in the digit string
    digits: str
    in_parens: bool


def _groups(text: str) -> list[_Group]:
    groups: list[_Group] = []
    position = 0
    for match in _DIGIT_GROUP.finditer(text):
        before = text[: match.start()]
        in_parens = before.count("(") > before.count(")")
        groups.append(_Group(position, match.group(), in_parens))
        position += len(match.group())
    return groups


def _written_as_old_landline(groups: list[_Group], nsn_start: int, old_code: str) -> bool:
    """Whether the grouping of the text shows the old area code on its own.

    True when the digits of the NSN begin with a group that is exactly the old
    area code (``08`` in ``08.3974 3179``, ``8`` in ``+84 8 3974 3179``) and
    either the code is in brackets (``(033) 3825 123``), or the code is one
    digit (no mobile is ever written ``08 …``), or the subscriber number is
    written as a landline's is, in one block of 7 or as 4 + 3
    (``033 3825123``, ``033.3825.123``). Mobile grouping such as
    ``033 382 5123`` or ``0333 825 123`` does not count.
    """
    for index, group in enumerate(groups):
        end = group.start + len(group.digits)
        if end <= nsn_start:
            continue
        if group.digits[max(0, nsn_start - group.start) :] != old_code:
            return False
        if group.in_parens or len(old_code) == 1:
            return True
        rest = [len(g.digits) for g in groups[index + 1 :]]
        return rest in ([7], [4, 3])
    return False


def _analyse(text: str) -> list[str]:
    """The readings of `text`, most likely first (a fresh list: the caller may keep it)."""
    return list(_readings(text))


@lru_cache(maxsize=4096)
def _readings(text: str) -> tuple[str, ...]:
    """Cached: a save or an import reads the same number several times (checked, then
    normalised, then its E.164 form checked again), and each reading costs ~50 µs."""
    return tuple(_read(text))


def _read(text: str) -> list[str]:
    if not isinstance(text, str):
        raise TypeError(f"phone number must be str, not {type(text).__name__}")
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if not cleaned:
        raise PhoneError("empty")
    if not _ALLOWED.fullmatch(cleaned) or "+" in cleaned[1:]:
        raise PhoneError("bad_characters")
    digits = "".join(_ONLY_DIGITS.findall(cleaned))
    if not digits:
        raise PhoneError("empty")
    if len(digits) > _MAX_DIGITS + 2:  # allow "00" + 15 digits
        raise PhoneError("too_long")

    # Where the NSN may start: after the country code (with an optional
    # trunk 0 as in "+84 (0) 912…"), or after the trunk 0.
    starts: list[int] = []

    def after_country_code(offset: int) -> int:
        return offset + 1 if digits[offset : offset + 1] == "0" else offset

    if cleaned.startswith("+"):
        if not digits.startswith("84"):
            raise PhoneError("bad_country_code")
        starts.append(after_country_code(2))
    elif digits.startswith("00"):
        if not digits.startswith("0084"):
            raise PhoneError("bad_country_code")
        starts.append(after_country_code(4))
    elif digits.startswith("0"):
        starts.append(1)
    elif digits.startswith("84"):
        # "84912345678": country code without "+"; but also try it as an NSN
        # written without its trunk 0 ("849123456" = 0849 123 456).
        starts.extend([after_country_code(2), 0])
    else:
        # Service numbers, or an NSN written without its trunk 0.
        starts.append(0)

    groups = _groups(cleaned)
    primary_misses: _Misses | None = None
    current: list[str] = []
    old_first: list[str] = []
    old_last: list[str] = []
    for start in starts:
        nsn = digits[start:]
        misses = _Misses(set())
        primary_misses = primary_misses or misses
        for reading in _read_nsn(nsn, misses):
            e164 = "+84" + reading.nsn
            if reading.old_area_code is None:
                current.append(e164)
            elif _written_as_old_landline(groups, start, reading.old_area_code):
                old_first.append(e164)
            else:
                old_last.append(e164)

    result = list(dict.fromkeys(old_first + current + old_last))
    if result:
        return result
    raise _error_for(digits[starts[0] :], primary_misses or _Misses(set()))


def _error_for(nsn: str, misses: _Misses) -> PhoneError:
    length = len(nsn)
    if misses.prefix_known and misses.expected_lengths:
        expected = misses.expected_lengths
        if length < min(expected):
            return PhoneError("too_short")
        if length > max(expected):
            return PhoneError("too_long")
        if length in expected:
            # Right length for the prefix but an impossible subscriber number
            # (starting with 0 or 1).
            return PhoneError("unknown_prefix")
        nearest = min(expected, key=lambda n: (abs(n - length), n))
        return PhoneError("too_short" if length < nearest else "too_long")
    if length < _MOBILE_LENGTH:
        return PhoneError("too_short")
    if length > _LANDLINE_LENGTH:
        return PhoneError("too_long")
    return PhoneError("unknown_prefix")


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def phone_candidates(text: str) -> list[str]:
    """Every plausible E.164 reading of ``text``, most likely first, no duplicates.

    Raises :class:`PhoneError` when there is none.

    Order:

    1. an old (pre-2017) landline reading, when the text is *written* like an
       old landline: the old area code stands alone as the first group, in
       brackets (``(08) 3974 3179``, ``(033) 3825 123``), or as the one-digit
       ``08``/``04`` (``08.3974 3179``), or followed by a landline-style
       subscriber number (``033 3825123``, ``033 3825 123``);
    2. readings in today's plan (mobile, landline, 1800/1900);
    3. the other old readings (pre-2018 11-digit mobiles, pre-2017 landlines
       written without that grouping: plain ``0839743179`` means today's
       mobile ``083 974 3179`` first, since 08x mobiles now far outnumber old
       TP.HCM landlines).

    When the text starts with ``84`` without ``+``, the reading with 84 as
    the country code comes before the reading as a number without trunk 0.
    """
    return _analyse(text)


def normalize_phone(text: str) -> str:
    """The E.164 form (``+84912345678``) of the most likely reading of ``text``.

    Accepts the usual ways of writing a number: spaces, dots, dashes, slashes,
    brackets, ``+84``/``84``/``0084`` with or without ``(0)``, fullwidth
    digits; old area codes and old 11-digit mobiles are converted to today's
    numbers. Raises :class:`PhoneError` (a ``ValueError``) with a ``code``.
    The result is a fixed point: ``normalize_phone(normalize_phone(x)) ==
    normalize_phone(x)``.
    """
    if _parse_e164(text) is not None:  # already the stored form (a save checks it again): itself
        return text
    return _analyse(text)[0]


def _parse_e164(e164: str) -> tuple[str, str] | None:
    """(kind, nsn) for a canonical E.164 number in today's plan, else None."""
    if not isinstance(e164, str) or not e164.startswith("+84"):
        return None
    nsn = e164[3:]
    if not _ONLY_DIGITS.fullmatch(nsn):
        return None
    if len(nsn) == _MOBILE_LENGTH and nsn[:2] in MOBILE_PREFIXES:
        return "mobile", nsn
    code = _landline_area_code(nsn)
    if code and len(nsn) == _LANDLINE_LENGTH and _subscriber_ok(nsn[len(code) :]):
        return "landline", nsn
    if nsn.startswith(_SERVICE_PREFIXES) and len(nsn) in _SERVICE_LENGTHS:
        return "service", nsn
    return None


def format_phone(e164: str) -> str:
    """National form with spaces, for display.

    ``+84912345678`` → ``0912 345 678``; ``+842839743179`` → ``028 3974 3179``;
    ``+842363821234`` → ``0236 3821 234``; ``+8419001234`` → ``1900 1234``.

    Takes the output of :func:`normalize_phone`; anything else raises
    :class:`PhoneError` with code ``not_e164``.
    """
    parsed = _parse_e164(e164)
    if parsed is None:
        raise PhoneError("not_e164")
    kind, nsn = parsed
    if kind == "mobile":
        return f"0{nsn[:3]} {nsn[3:6]} {nsn[6:]}"
    if kind == "service":
        return f"{nsn[:4]} {nsn[4:]}"
    code = _landline_area_code(nsn)
    assert code is not None
    if len(code) == 2:
        return f"0{code} {nsn[2:6]} {nsn[6:]}"
    return f"0{code} {nsn[3:7]} {nsn[7:]}"


def is_mobile(e164: str) -> bool:
    """True for a canonical E.164 mobile number in today's plan; False for
    landlines, service numbers and anything that is not canonical E.164."""
    parsed = _parse_e164(e164)
    return parsed is not None and parsed[0] == "mobile"
