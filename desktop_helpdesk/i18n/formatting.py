"""Locale-aware formatting through Babel: dates, times, numbers and VND (no Qt here)."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from babel.dates import format_date as _fd
from babel.dates import format_datetime as _fdt
from babel.numbers import format_decimal

from . import language

DISPLAY_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _locale() -> str:
    return "vi_VN" if language() == "vi" else "en_US"


def format_date(value: date | None) -> str:
    """17/02/2026 in Vietnamese; Feb 17, 2026 in English."""
    if value is None:
        return ""
    if language() == "vi":
        return value.strftime("%d/%m/%Y")
    return _fd(value, format="medium", locale=_locale())


def format_datetime(value: datetime | None, zone: tzinfo = DISPLAY_ZONE) -> str:
    """17/02/2026 14:05 in Vietnamese (24-hour); Feb 17, 2026, 2:05 PM in English."""
    if value is None:
        return ""
    local = value.astimezone(zone)
    if language() == "vi":
        return local.strftime("%d/%m/%Y %H:%M")
    return _fdt(local, format="MMM d, yyyy, h:mm a", locale=_locale())


def format_number(value: int | float) -> str:
    return format_decimal(value, locale=_locale())


def format_vnd(amount: int) -> str:
    """Whole đồng: "1.500.000 ₫" in Vietnamese, "₫1,500,000" in English."""
    digits = format_decimal(int(amount), format="#,##0", locale=_locale())
    return f"{digits} ₫" if language() == "vi" else f"₫{digits}"
