"""Locale-aware formatting through Babel: dates, times, numbers and VND (no Qt here)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from babel.dates import format_date as _fd
from babel.dates import format_datetime as _fdt
from babel.numbers import format_decimal

from ..domain.vietnam import VIETNAM, vietnam_holiday_names
from . import _, language, ngettext

#: Times are shown as the desk reads them, in Hà Nội.
DISPLAY_ZONE = VIETNAM


def _locale() -> str:
    return "vi_VN" if language() == "vi" else "en_US"


def format_date(value: date | None) -> str:
    """17/02/2026 in Vietnamese; Feb 17, 2026 in English."""
    if value is None:
        return ""
    if language() == "vi":
        return value.strftime("%d/%m/%Y")
    return _fd(value, format="medium", locale=_locale())


def format_long_date(value: date | None) -> str:
    """How a document is dated: "ngày 21 tháng 11 năm 2026" / "21 November 2026"."""
    if value is None:
        return ""
    if language() == "vi":
        return _fd(value, format="'ngày' dd 'tháng' MM 'năm' y", locale="vi_VN")
    return _fd(value, format="d MMMM y", locale="en_US")


def format_datetime(value: datetime | None, zone: tzinfo = DISPLAY_ZONE) -> str:
    """17/02/2026 14:05 in Vietnamese (24-hour); Feb 17, 2026, 2:05 PM in English."""
    if value is None:
        return ""
    local = value.astimezone(zone)
    if language() == "vi":
        return local.strftime("%d/%m/%Y %H:%M")
    return _fdt(local, format="MMM d, yyyy, h:mm a", locale=_locale())


def format_clock_time(value: datetime, seconds: bool = False, zone: tzinfo = DISPLAY_ZONE) -> str:
    """The time of day on the desk's clock, 24-hour in both languages ("15:42", "15:42:07"),
    rounded up to the unit shown: "try again after …" is never a moment too early."""
    local = value.astimezone(zone)
    if seconds:
        if local.microsecond:
            local = local.replace(microsecond=0) + timedelta(seconds=1)
        return local.strftime("%H:%M:%S")
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return local.strftime("%H:%M")


def format_number(value: int | float) -> str:
    return format_decimal(value, locale=_locale())


def format_vnd(amount: int) -> str:
    """Whole đồng: "1.500.000 ₫" in Vietnamese, "₫1,500,000" in English."""
    digits = format_decimal(int(amount), format="#,##0", locale=_locale())
    return f"{digits} ₫" if language() == "vi" else f"₫{digits}"


def _count(unit: str, n: int, short: bool) -> str:
    if unit == "day":
        return ngettext("{n} day", "{n} days", n).format(n=n)
    if unit == "hour":
        return (ngettext("{n} h", "{n} h", n) if short else ngettext("{n} hour", "{n} hours", n)).format(n=n)
    return (ngettext("{n} min", "{n} min", n) if short else ngettext("{n} minute", "{n} minutes", n)).format(n=n)


def format_duration(value: timedelta, short: bool = False) -> str:
    """A duration in one or two units, rounded down: "2 giờ 15 phút", "1 hour 5 minutes".

    Two units where the second still matters (days and hours under ten days, hours and
    minutes under a day), one where it does not ("143 ngày", "35 phút"). Babel's
    format_timedelta gives only one unit, and its Vietnamese unit names are incomplete.
    """
    seconds = int(abs(value).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days >= 10:
        parts = [("day", days)]
    elif days:
        parts = [("day", days), ("hour", hours)]
    elif hours:
        parts = [("hour", hours), ("minute", minutes)]
    elif minutes:
        parts = [("minute", minutes)]
    else:
        return _("less than a minute")
    return " ".join(_count(unit, n, short) for unit, n in parts if n or unit == parts[0][0])


def format_time_left(value: timedelta, short: bool = False) -> str:
    """ "còn 1 giờ 20 phút" / "1 h 20 min left"; negative: "quá hạn 35 phút" / "35 min overdue"."""
    if value < timedelta(0):
        return _("{duration} overdue").format(duration=format_duration(value, short))
    return _("{duration} left").format(duration=format_duration(value, short))


def holiday_names(year: int) -> dict[date, str]:
    """Vietnam's public holidays of a year, named in the current language ("Tết Nguyên Đán" /
    "Lunar New Year"); the holidays package is told the language, never the environment."""
    return vietnam_holiday_names([year], "vi" if language() == "vi" else "en_US")
