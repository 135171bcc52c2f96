"""Obligations: every dated promise on a contract, each with a countdown (DOMAIN.md).

:func:`obligations_for_contract` derives them from plain inputs:

* ``WARRANTY_END`` on the warranty's last day and ``MAINTENANCE_END`` on the maintenance
  term's last day, when known;
* one ``RENEWAL_NOTICE``, ``renewal_notice_days`` (30) before the *later* of the two ends:
  before the maintenance end it asks for the renewal, before the warranty end (no
  maintenance yet) it offers the first maintenance term (seed 004);
* one ``GRACE_END`` on the last day of the 10-day grace after that same later end (seed
  002 §6): the last day the customer is still served with a warning. A warranty followed
  by maintenance has no grace of its own, exactly as in
  :func:`desktop_helpdesk.domain.entitlement.check_entitlement`;
* the planned items passed in: installation, training, pilot and acceptance milestones
  (seed 000 §2.5), periodic visits and trainings, regulatory updates (seed 004 c).
  :func:`periodic_dates` spreads periodic items over a term.

Obligations sort by due date, then kind, then contract number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from desktop_helpdesk.domain.contracts import RENEWAL_NOTICE_DAYS, add_months, renewal_notice_date
from desktop_helpdesk.domain.entitlement import GRACE_DAYS
from desktop_helpdesk.domain.enums import ObligationKind

__all__ = [
    "ObligationKind",
    "Obligation",
    "PlannedItem",
    "obligations_for_contract",
    "periodic_dates",
    "days_left",
    "due_within",
]

_KIND_ORDER = {kind: index for index, kind in enumerate(ObligationKind)}


@dataclass(frozen=True)
class Obligation:
    """A dated promise. ``title`` is free text typed by a person (a milestone's name), shown
    after the translated ``kind.label``; derived obligations have none. ``done_on`` is set
    when a planned item was carried out."""

    kind: ObligationKind
    due_on: date
    contract_number: str = ""
    contract_id: int | None = None
    customer_id: int | None = None
    title: str = ""
    done_on: date | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ObligationKind(self.kind))

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    def days_left(self, today: date) -> int:
        return days_left(self.due_on, today)

    def sort_key(self) -> tuple[date, int, str, str]:
        return (self.due_on, _KIND_ORDER[self.kind], self.contract_number, self.title)


@dataclass(frozen=True)
class PlannedItem:
    """A milestone, periodic visit or training, or regulatory update agreed with the
    customer. Derived kinds (warranty end, ...) are refused: they come from the dates."""

    kind: ObligationKind
    due_on: date
    title: str = ""
    done_on: date | None = field(default=None)

    def __post_init__(self) -> None:
        kind = ObligationKind(self.kind)
        if kind.is_derived:
            raise ValueError(f"{kind.value} is derived from the contract's dates, not planned")
        object.__setattr__(self, "kind", kind)


def _check_days(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, not {value!r}")


def obligations_for_contract(
    contract_number: str,
    *,
    warranty_end: date | None = None,
    maintenance_end: date | None = None,
    planned: Iterable[PlannedItem] = (),
    contract_id: int | None = None,
    customer_id: int | None = None,
    renewal_notice_days: int = RENEWAL_NOTICE_DAYS,
    grace_days: int = GRACE_DAYS,
) -> list[Obligation]:
    """Every obligation of one contract, sorted (rules in the module docstring)."""
    _check_days("renewal_notice_days", renewal_notice_days)
    _check_days("grace_days", grace_days)

    def make(kind: ObligationKind, due_on: date, title: str = "", done_on: date | None = None) -> Obligation:
        return Obligation(kind, due_on, contract_number, contract_id, customer_id, title, done_on)

    result: list[Obligation] = []
    if warranty_end is not None:
        result.append(make(ObligationKind.WARRANTY_END, warranty_end))
    if maintenance_end is not None:
        result.append(make(ObligationKind.MAINTENANCE_END, maintenance_end))
    ends = [d for d in (warranty_end, maintenance_end) if d is not None]
    if ends:
        last = max(ends)
        result.append(make(ObligationKind.RENEWAL_NOTICE, renewal_notice_date(last, renewal_notice_days)))
        result.append(make(ObligationKind.GRACE_END, last + timedelta(days=grace_days)))
    for item in planned:
        result.append(make(item.kind, item.due_on, item.title, item.done_on))
    result.sort(key=Obligation.sort_key)
    return result


def periodic_dates(first: date, every_months: int, until: date) -> list[date]:
    """``first``, then every ``every_months`` calendar months, up to ``until`` inclusive.

    Each date is counted from ``first`` (``add_months(first, k * every_months)``), so a
    visit on the 31st falls on the last day of shorter months and returns to the 31st.
    """
    if isinstance(every_months, bool) or not isinstance(every_months, int) or every_months < 1:
        raise ValueError(f"every_months must be a positive int, not {every_months!r}")
    result: list[date] = []
    k = 0
    while (day := add_months(first, k * every_months)) <= until:
        result.append(day)
        k += 1
    return result


def days_left(due_on: date, today: date) -> int:
    """Whole days from ``today`` to ``due_on``: 0 on the due day, negative when overdue."""
    return (due_on - today).days


def due_within(
    obligations: Iterable[Obligation],
    today: date,
    days: int,
    *,
    include_overdue: bool = False,
) -> list[Obligation]:
    """The open obligations due from ``today`` to ``today + days`` inclusive, sorted.

    Done ones are left out. With ``include_overdue`` the open ones already past their due
    date come too (first, being earliest), for a lead's "about to be missed" list.
    """
    _check_days("days", days)
    horizon = today + timedelta(days=days)
    chosen = [
        o
        for o in obligations
        if not o.is_done and o.due_on <= horizon and (include_overdue or o.due_on >= today)
    ]
    chosen.sort(key=Obligation.sort_key)
    return chosen
