"""Where the desk works: Vietnam's time zone, the office hours firms keep, its statutory days off.

The app keeps time in UTC (see ARCHITECTURE.md, "Time is UTC inside"); a day at the desk is a
day in Hà Nội, so "today", "due on", "overdue" and a ticket's year are read in this zone, never
in UTC's or the machine's. One zone object and one `desk_today` for the whole app, instead of a
``ZoneInfo("Asia/Ho_Chi_Minh")`` and an ``.astimezone(...).date()`` in every module.

The ``holidays`` package is imported only when a holiday question is asked (it is slow to load).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from types import MappingProxyType
from zoneinfo import ZoneInfo

__all__ = [
    "OFFICE_HOURS",
    "OFFICE_HOURS_WITH_SATURDAY_MORNING",
    "VIETNAM",
    "VIETNAM_ZONE_NAME",
    "desk_day",
    "desk_today",
    "statutory_days",
    "vietnam_holiday_names",
    "vietnam_make_up_days",
]

#: The IANA name of Vietnam's zone (UTC+7 all year, no daylight saving).
VIETNAM_ZONE_NAME = "Asia/Ho_Chi_Minh"

#: The desk's zone: days, due dates and ticket years are counted in it.
VIETNAM = ZoneInfo(VIETNAM_ZONE_NAME)

_MORNING: tuple[tuple[time, time], ...] = ((time(8), time(12)),)
_OFFICE_DAY: tuple[tuple[time, time], ...] = ((time(8), time(12)), (time(13, 30), time(17, 30)))

OFFICE_HOURS: Mapping[int, Sequence[tuple[time, time]]] = MappingProxyType(
    {weekday: _OFFICE_DAY for weekday in range(5)}
)
"""Monday–Friday 08:00–12:00 and 13:30–17:30 (shared/DOMAIN.md)."""

OFFICE_HOURS_WITH_SATURDAY_MORNING: Mapping[int, Sequence[tuple[time, time]]] = MappingProxyType(
    {**{weekday: _OFFICE_DAY for weekday in range(5)}, 5: _MORNING}
)
"""Office hours plus Saturday 08:00–12:00, as many Vietnamese firms work."""


def desk_day(moment: datetime) -> date:
    """The date at the desk (in Hà Nội) in which an aware moment falls:
    2026-12-31 17:30 UTC is already 1 January 2027 there. A naive datetime raises
    ``ValueError`` (it would silently be read in the machine's zone)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an aware datetime is needed (the app's clock is UTC)")
    return moment.astimezone(VIETNAM).date()


def desk_today(now: datetime) -> date:
    """Today at the desk, from the injected clock's aware (UTC) ``now``; never from the
    machine's clock or zone."""
    return desk_day(now)


def _country_holidays(years: Sequence[int], language: str):
    import holidays as holidays_package  # lazily: loading it takes a noticeable moment

    return holidays_package.country_holidays("VN", years=list(years), language=language)


def _make_up_days(vn, years: Sequence[int]) -> set[date]:
    wanted = set(years)
    return {
        day
        for day in getattr(vn, "weekend_workdays", ())
        if day.year in wanted and day not in vn
    }


def statutory_days(years: Iterable[int]) -> tuple[frozenset[date], frozenset[date]]:
    """Vietnam's statutory days off in ``years`` (public holidays with their substitute and
    swapped days, e.g. 2026-08-31) and its make-up working days (weekend days worked to pay
    for a swapped day off, e.g. 2026-08-22), as the ``holidays`` package (country "VN") knows
    them."""
    wanted_years = sorted({int(year) for year in years})
    vn = _country_holidays(wanted_years, "en_US")
    return frozenset(vn.keys()), frozenset(_make_up_days(vn, wanted_years))


def vietnam_make_up_days(years: Iterable[int]) -> frozenset[date]:
    """The make-up working days (weekend days worked to pay for a swapped day off) in ``years``."""
    return statutory_days(years)[1]


def vietnam_holiday_names(years: Iterable[int], language: str) -> dict[date, str]:
    """Vietnam's statutory days off in ``years`` with their names in ``language``.

    ``language`` is passed to the ``holidays`` package explicitly ("vi", "en_US"), so names
    never depend on the environment. Sorted by date.
    """
    wanted_years = sorted({int(year) for year in years})
    vn = _country_holidays(wanted_years, language)
    return dict(sorted(vn.items()))
