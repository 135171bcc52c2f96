"""Contract date arithmetic (seed 004): warranty runs from acceptance for the package's months."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """Calendar-month addition, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def warranty_end(accepted_on: date | None, warranty_months: int) -> date | None:
    """The last day of warranty, or None before acceptance."""
    if accepted_on is None:
        return None
    return add_months(accepted_on, warranty_months)
