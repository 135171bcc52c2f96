"""Contracts: date arithmetic, the lifecycle state machine, maintenance terms, payments.

Periods counted in months (seed 004; the Vietnamese Civil Code 2015, Art. 147–148)
---------------------------------------------------------------------------------
A period of *n* months "from" a day does not count that day; it ends at the end of the
*corresponding* day *n* months later, or on the last day of that month when it has no
corresponding day. So:

* the warranty starts on the acceptance date and its **last covered day** is
  ``add_months(accepted_on, months)``: accepted 15/1/2026 with 12 months → covered through
  15/1/2027; accepted 31/1/2026 with 1 month → through 28/2/2026 (the issue's example), in
  a leap year 29/2. That last day is inclusive (see :mod:`.entitlement`).
* a yearly maintenance term following a day *d* (the warranty's last day, or the previous
  term's last day) runs from ``d + 1 day`` to ``add_months(d, 12)``, both inclusive: terms
  chain without gaps or overlaps and keep the day of the month (a term ending on 29
  February renews to 28 February).

The lifecycle (seeds 000 and 001)
---------------------------------
``REQUEST_RECEIVED → AGREED → SIGNED → IMPLEMENTATION → COMPLETED → ACCEPTED → WARRANTY →
MAINTENANCE → ENDED``. :func:`transition` moves a contract and returns its new
:class:`ContractDates`, or raises :class:`LifecycleError`:

* forward by one or more steps. The stage's own date is set to ``on`` (WARRANTY starts on
  ``accepted_on`` and MAINTENANCE has no stored start, so those record no date). The dates
  a later stage *needs* must exist: everything after SIGNED needs ``signed_on``
  ("Acceptance needs a signed contract"), WARRANTY and MAINTENANCE need ``accepted_on``
  ("Warranty starts only after acceptance") and a warranty end (given, or computed from
  ``warranty_months``). The request, agreement, implementation and completion dates are
  recorded when those stages are entered but are not needed to skip past them (a small
  package is often installed and accepted the same day, and older contracts lack them).
* ``on`` must not be before the date of any earlier stage that has one.
* WARRANTY cannot be entered after the warranty's last day; MAINTENANCE only after it
  (seed 004: maintenance follows the free warranty). Entering MAINTENANCE without a
  maintenance end starts a yearly term on ``on``.
* ENDED from any stage from SIGNED on (an unsigned request is dropped, not ended); it sets
  ``ended_on`` and may come before the warranty or maintenance end (early termination).
  An early end (:func:`ends_early`: before acceptance, or before the last covered day)
  needs a typed reason, kept as ``termination_reason``; coverage ends with it
  (:func:`covered_ends`: no warranty or maintenance after the termination date).
* never backward, with one exception: ENDED → MAINTENANCE, a lapsed customer signing a
  new maintenance term (seed 004: maintenance is signed year by year). It clears
  ``ended_on``. Mistyped dates are corrected by editing the dates (checked with
  :func:`date_problems`), not by walking the lifecycle back.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta

from desktop_helpdesk.domain.enums import N_, ContractStage, PaymentMethod
from desktop_helpdesk.domain.text import normalize
from desktop_helpdesk.domain.validation import (
    MAX_MONEY_VND,
    MSG_MONEY_NEGATIVE,
    MSG_MONEY_NOT_INTEGER,
    MSG_MONEY_TOO_LARGE,
)

__all__ = [
    "add_months",
    "warranty_end",
    "ContractError",
    "LifecycleError",
    "MoneyError",
    "ContractDates",
    "STAGE_DATE_FIELD",
    "date_problems",
    "transition",
    "MaintenanceTerm",
    "next_term",
    "renewal_notice_date",
    "RENEWAL_NOTICE_DAYS",
    "MAINTENANCE_MONTHS",
    "Payment",
    "Instalment",
    "schedule_problems",
    "due_total",
    "ends_early",
    "covered_ends",
    "paid_total",
    "outstanding",
    "overpaid",
]

#: A renewal notice goes out this many days before a service ends, by default.
RENEWAL_NOTICE_DAYS = 30
#: Maintenance is signed a year at a time (seed 004).
MAINTENANCE_MONTHS = 12

_DAY = timedelta(days=1)


# --------------------------------------------------------------------------
# Month arithmetic
# --------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """Calendar-month addition, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def warranty_end(accepted_on: date | None, warranty_months: int) -> date | None:
    """The last day of warranty (inclusive), or None before acceptance.

    ``add_months(accepted_on, warranty_months)``: see the module docstring for why the
    corresponding day itself is the last covered day.
    """
    if accepted_on is None:
        return None
    return add_months(accepted_on, warranty_months)


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


class ContractError(ValueError):
    """A contract rule was broken. ``code`` is stable; ``message`` is English, marked with
    ``N_``, to translate at display; ``stage`` (lifecycle errors) names the stage concerned."""

    def __init__(self, code: str, message: str, stage: ContractStage | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.stage = stage

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, stage={self.stage!r})"


class LifecycleError(ContractError):
    """A stage change or a set of dates the lifecycle does not allow."""


class MoneyError(ContractError):
    """An amount that is not whole, non-negative đồng (or a payment that is not positive)."""


MSG_SAME_STAGE = N_("The contract is already at this stage.")
MSG_BACKWARD = N_("A contract cannot go back to an earlier stage.")
MSG_END_NEEDS_SIGNING = N_("Only a signed contract can end.")
MSG_IMPLEMENTATION_NEEDS_SIGNING = N_("Implementation needs a signed contract.")
MSG_COMPLETION_NEEDS_SIGNING = N_("Completion needs a signed contract.")
MSG_ACCEPTANCE_NEEDS_SIGNING = N_("Acceptance needs a signed contract.")
MSG_WARRANTY_NEEDS_ACCEPTANCE = N_("Warranty starts only after acceptance.")
MSG_WARRANTY_LENGTH_UNKNOWN = N_("The warranty length is unknown.")
MSG_WARRANTY_OVER = N_("The warranty has already ended.")
MSG_MAINTENANCE_NEEDS_ACCEPTANCE = N_("Maintenance follows the warranty: the contract must be accepted first.")
MSG_MAINTENANCE_DURING_WARRANTY = N_("Maintenance starts only after the warranty ends.")
MSG_MAINTENANCE_OVER = N_("The maintenance term has already ended.")
MSG_DATE_BEFORE_PREVIOUS = N_("This date is before the date of an earlier stage.")
MSG_WARRANTY_END_BEFORE_ACCEPTANCE = N_("The warranty cannot end before acceptance.")
MSG_MAINTENANCE_END_BEFORE_WARRANTY_END = N_("The maintenance term must end after the warranty.")
MSG_TERM_ENDS_BEFORE_START = N_("A maintenance term cannot end before it starts.")
MSG_PAYMENT_NOT_POSITIVE = N_("A payment must be more than zero.")
MSG_TERMINATION_REASON = N_("The contract ends before its term: type why it is terminated early.")
MSG_INSTALMENT_NOT_POSITIVE = N_("An instalment must be more than zero.")
MSG_SCHEDULE_TOTAL = N_("The instalments must add up to the contract's value.")


# --------------------------------------------------------------------------
# Lifecycle
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractDates:
    """Every date of a contract's lifecycle; ``None`` until known.

    ``warranty_end`` and ``maintenance_end`` are last covered days (inclusive).
    """

    request_received_on: date | None = None
    agreed_on: date | None = None
    signed_on: date | None = None
    implementation_started_on: date | None = None
    completed_on: date | None = None
    accepted_on: date | None = None
    warranty_end: date | None = None
    maintenance_end: date | None = None
    ended_on: date | None = None
    #: Why the contract ended before its term (typed by a person); None for a plain end.
    termination_reason: str | None = None


#: The field of :class:`ContractDates` each stage records when entered.
STAGE_DATE_FIELD: dict[ContractStage, str] = {
    ContractStage.REQUEST_RECEIVED: "request_received_on",
    ContractStage.AGREED: "agreed_on",
    ContractStage.SIGNED: "signed_on",
    ContractStage.IMPLEMENTATION: "implementation_started_on",
    ContractStage.COMPLETED: "completed_on",
    ContractStage.ACCEPTED: "accepted_on",
    ContractStage.ENDED: "ended_on",
}

# The dated stages before acceptance, in order: each date is not before the earlier ones.
_CHAIN = (
    ContractStage.REQUEST_RECEIVED,
    ContractStage.AGREED,
    ContractStage.SIGNED,
    ContractStage.IMPLEMENTATION,
    ContractStage.COMPLETED,
    ContractStage.ACCEPTED,
)

_SIGNING_MESSAGES = {
    ContractStage.IMPLEMENTATION: ("implementation_needs_signing", MSG_IMPLEMENTATION_NEEDS_SIGNING),
    ContractStage.COMPLETED: ("completion_needs_signing", MSG_COMPLETION_NEEDS_SIGNING),
    ContractStage.ACCEPTED: ("acceptance_needs_signing", MSG_ACCEPTANCE_NEEDS_SIGNING),
    ContractStage.WARRANTY: ("acceptance_needs_signing", MSG_ACCEPTANCE_NEEDS_SIGNING),
    ContractStage.MAINTENANCE: ("acceptance_needs_signing", MSG_ACCEPTANCE_NEEDS_SIGNING),
}


def _chain_dates(dates: ContractDates) -> list[tuple[ContractStage, date]]:
    return [
        (stage, getattr(dates, STAGE_DATE_FIELD[stage]))
        for stage in _CHAIN
        if getattr(dates, STAGE_DATE_FIELD[stage]) is not None
    ]


def date_problems(dates: ContractDates) -> tuple[LifecycleError, ...]:
    """Every ordering problem in ``dates`` (empty when consistent), for a contract form.

    * request received ≤ agreed ≤ signed ≤ implementation started ≤ completed ≤ accepted,
      comparing each known date with the latest known earlier one
      (``date_before_previous``, ``stage`` = the later stage);
    * warranty end ≥ acceptance (``warranty_end_before_acceptance``);
    * maintenance end > warranty end (``maintenance_end_before_warranty_end``), or, without
      a warranty end, not before the latest stage date (``date_before_previous``);
    * ended on ≥ the latest stage date (``date_before_previous``, stage ENDED); it may be
      before the warranty or maintenance end.
    """
    problems: list[LifecycleError] = []
    latest: date | None = None
    for stage, day in _chain_dates(dates):
        if latest is not None and day < latest:
            problems.append(LifecycleError("date_before_previous", MSG_DATE_BEFORE_PREVIOUS, stage))
        latest = day if latest is None else max(latest, day)
    if dates.warranty_end is not None and dates.accepted_on is not None:
        if dates.warranty_end < dates.accepted_on:
            problems.append(
                LifecycleError(
                    "warranty_end_before_acceptance",
                    MSG_WARRANTY_END_BEFORE_ACCEPTANCE,
                    ContractStage.WARRANTY,
                )
            )
    if dates.maintenance_end is not None:
        if dates.warranty_end is not None:
            if dates.maintenance_end <= dates.warranty_end:
                problems.append(
                    LifecycleError(
                        "maintenance_end_before_warranty_end",
                        MSG_MAINTENANCE_END_BEFORE_WARRANTY_END,
                        ContractStage.MAINTENANCE,
                    )
                )
        elif latest is not None and dates.maintenance_end < latest:
            problems.append(
                LifecycleError("date_before_previous", MSG_DATE_BEFORE_PREVIOUS, ContractStage.MAINTENANCE)
            )
    if dates.ended_on is not None and latest is not None and dates.ended_on < latest:
        problems.append(LifecycleError("date_before_previous", MSG_DATE_BEFORE_PREVIOUS, ContractStage.ENDED))
    return tuple(problems)


def _latest_before(dates: ContractDates, target: ContractStage) -> date | None:
    known = [day for stage, day in _chain_dates(dates) if stage.order < target.order]
    if target is ContractStage.MAINTENANCE and dates.ended_on is not None:
        known.append(dates.ended_on)  # resuming after an end: not before that end
    return max(known) if known else None


def _check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, not {value!r}")


def transition(
    current: ContractStage,
    target: ContractStage,
    on: date,
    dates: ContractDates,
    *,
    warranty_months: int | None = None,
    maintenance_end: date | None = None,
    maintenance_months: int = MAINTENANCE_MONTHS,
    reason: str = "",
) -> ContractDates:
    """Move a contract from ``current`` to ``target`` on ``on``; return the new dates.

    ``warranty_months`` (the package's) computes ``warranty_end`` when the contract is
    accepted, or when warranty or maintenance is entered and the end is still unknown.
    ``maintenance_end`` is the signed term's last day when entering MAINTENANCE; without it
    an existing ``dates.maintenance_end`` is kept, or a term of ``maintenance_months``
    starting on ``on`` is assumed. The rules are in the module docstring; every refusal is
    a :class:`LifecycleError` whose ``code`` is one of ``same_stage``, ``backward``,
    ``end_needs_signing``, ``implementation_needs_signing``, ``completion_needs_signing``,
    ``acceptance_needs_signing``, ``warranty_needs_acceptance``,
    ``warranty_length_unknown``, ``warranty_over``, ``maintenance_needs_acceptance``,
    ``maintenance_during_warranty``, ``maintenance_over``, ``date_before_previous``,
    ``warranty_end_before_acceptance``, ``maintenance_end_before_warranty_end``,
    ``termination_reason_required`` (ENDED early, :func:`ends_early`, without ``reason``).
    """
    current = ContractStage(current)
    target = ContractStage(target)
    if warranty_months is not None:
        _check_count("warranty_months", warranty_months)
    _check_count("maintenance_months", maintenance_months)

    if target is current:
        raise LifecycleError("same_stage", MSG_SAME_STAGE, target)
    resuming = current is ContractStage.ENDED and target is ContractStage.MAINTENANCE
    if target.order < current.order and not resuming:
        raise LifecycleError("backward", MSG_BACKWARD, target)

    if target is ContractStage.ENDED:
        if current.order < ContractStage.SIGNED.order or dates.signed_on is None:
            raise LifecycleError("end_needs_signing", MSG_END_NEEDS_SIGNING, target)
    elif target.order > ContractStage.SIGNED.order:
        if target in (ContractStage.WARRANTY, ContractStage.MAINTENANCE) and dates.accepted_on is None:
            if target is ContractStage.WARRANTY:
                raise LifecycleError("warranty_needs_acceptance", MSG_WARRANTY_NEEDS_ACCEPTANCE, target)
            raise LifecycleError("maintenance_needs_acceptance", MSG_MAINTENANCE_NEEDS_ACCEPTANCE, target)
        if dates.signed_on is None:
            code, message = _SIGNING_MESSAGES[target]
            raise LifecycleError(code, message, target)

    latest = _latest_before(dates, target)
    if latest is not None and on < latest:
        raise LifecycleError("date_before_previous", MSG_DATE_BEFORE_PREVIOUS, target)

    changes: dict[str, date | str | None] = {}
    field = STAGE_DATE_FIELD.get(target)
    if field is not None:
        changes[field] = on

    if target is ContractStage.ACCEPTED and warranty_months is not None:
        changes["warranty_end"] = add_months(on, warranty_months)
    if target in (ContractStage.WARRANTY, ContractStage.MAINTENANCE):
        w_end = dates.warranty_end
        if w_end is None:
            if warranty_months is None:
                raise LifecycleError("warranty_length_unknown", MSG_WARRANTY_LENGTH_UNKNOWN, target)
            w_end = changes["warranty_end"] = add_months(dates.accepted_on, warranty_months)  # type: ignore[arg-type]
        if target is ContractStage.WARRANTY and on > w_end:
            raise LifecycleError("warranty_over", MSG_WARRANTY_OVER, target)
        if target is ContractStage.MAINTENANCE:
            if on <= w_end:
                raise LifecycleError("maintenance_during_warranty", MSG_MAINTENANCE_DURING_WARRANTY, target)
            m_end = maintenance_end
            if m_end is None and not resuming:
                m_end = dates.maintenance_end
            if m_end is None:
                m_end = MaintenanceTerm.starting(on, maintenance_months).end
            if m_end < on:
                raise LifecycleError("maintenance_over", MSG_MAINTENANCE_OVER, target)
            changes["maintenance_end"] = m_end
    if target is ContractStage.ENDED:
        if ends_early(dates, on) and not normalize(reason or ""):
            raise LifecycleError("termination_reason_required", MSG_TERMINATION_REASON, target)
        changes["termination_reason"] = normalize(reason or "") or None
    if resuming:
        changes["ended_on"] = None
        changes["termination_reason"] = None

    result = replace(dates, **changes)
    problems = date_problems(result)
    if problems:
        raise problems[0]
    return result


def ends_early(dates: ContractDates, on: date) -> bool:
    """Whether ending on ``on`` cuts the contract short: it was never accepted (the
    implementation stops), or ``on`` is before its last covered day (warranty or
    maintenance end)."""
    if dates.accepted_on is None:
        return True
    ends = [d for d in (dates.warranty_end, dates.maintenance_end) if d is not None]
    return bool(ends) and on < max(ends)


def covered_ends(warranty_end: date | None, maintenance_end: date | None,
                 ended_on: date | None) -> tuple[date | None, date | None]:
    """The warranty and maintenance last days as far as they still cover: a contract that
    ended (early) covers nothing after ``ended_on`` (its last covered day), so each end is cut
    to it. An end already before ``ended_on`` is kept."""
    if ended_on is None:
        return warranty_end, maintenance_end
    return (None if warranty_end is None else min(warranty_end, ended_on),
            None if maintenance_end is None else min(maintenance_end, ended_on))


# --------------------------------------------------------------------------
# Maintenance terms
# --------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class MaintenanceTerm:
    """One signed maintenance term, ``start`` and ``end`` both inclusive."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise LifecycleError("term_ends_before_start", MSG_TERM_ENDS_BEFORE_START, ContractStage.MAINTENANCE)

    @classmethod
    def starting(cls, start: date, months: int = MAINTENANCE_MONTHS) -> MaintenanceTerm:
        """A term of ``months`` calendar months whose first day is ``start``: it ends on
        ``add_months(start - 1 day, months)`` (Civil Code counting, module docstring)."""
        _check_count("months", months)
        if months == 0:
            raise ValueError("a maintenance term lasts at least one month")
        return cls(start, add_months(start - _DAY, months))

    @classmethod
    def after_warranty(cls, warranty_end: date, months: int = MAINTENANCE_MONTHS) -> MaintenanceTerm:
        """The first term, starting the day after the warranty's last day."""
        return cls.starting(warranty_end + _DAY, months)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def renewal_notice_on(self) -> date:
        return renewal_notice_date(self.end)


def next_term(term: MaintenanceTerm, months: int = MAINTENANCE_MONTHS) -> MaintenanceTerm:
    """The renewal of ``term``: from the day after its end to ``add_months(term.end, 12)``
    (for yearly terms), so consecutive terms neither overlap nor leave a gap."""
    return MaintenanceTerm.starting(term.end + _DAY, months)


def renewal_notice_date(end: date, days_before: int = RENEWAL_NOTICE_DAYS) -> date:
    """The day to send the renewal notice for a service whose last day is ``end``."""
    _check_count("days_before", days_before)
    return end - timedelta(days=days_before)


# --------------------------------------------------------------------------
# Payments
# --------------------------------------------------------------------------


def _check_money(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MoneyError("money_not_integer", MSG_MONEY_NOT_INTEGER)
    if value < 0:
        raise MoneyError("money_negative", MSG_MONEY_NEGATIVE)
    if value > MAX_MONEY_VND:
        raise MoneyError("money_too_large", MSG_MONEY_TOO_LARGE)


@dataclass(frozen=True)
class Payment:
    """A payment towards a contract's value, in whole đồng.

    ``amount_vnd`` must be a positive ``int`` (a zero payment records nothing; refunds are
    not modelled): :class:`MoneyError` with code ``money_not_integer``, ``money_negative``,
    ``money_too_large`` or ``payment_not_positive`` otherwise. ``method`` may be given as its
    stored value. ``invoice_number`` is normalised; blank becomes ``None``.
    """

    paid_on: date
    amount_vnd: int
    method: PaymentMethod = PaymentMethod.BANK_TRANSFER
    invoice_number: str | None = None

    def __post_init__(self) -> None:
        _check_money(self.amount_vnd)
        if self.amount_vnd == 0:
            raise MoneyError("payment_not_positive", MSG_PAYMENT_NOT_POSITIVE)
        object.__setattr__(self, "method", PaymentMethod(self.method))
        number = normalize(self.invoice_number) if self.invoice_number is not None else ""
        object.__setattr__(self, "invoice_number", number or None)


@dataclass(frozen=True, order=True)
class Instalment:
    """One line of a contract's payment schedule: ``amount_vnd`` (positive whole đồng) falls
    due on ``due_on``, its last day to pay; from the next day on, unpaid, it is debt."""

    due_on: date
    amount_vnd: int

    def __post_init__(self) -> None:
        _check_money(self.amount_vnd)
        if self.amount_vnd == 0:
            raise MoneyError("instalment_not_positive", MSG_INSTALMENT_NOT_POSITIVE)


def schedule_problems(value_vnd: int, schedule: Iterable[Instalment]) -> tuple[MoneyError, ...]:
    """What is wrong with a payment schedule for a contract worth ``value_vnd`` (empty when
    fine): a schedule, when there is one, adds up to the value (``schedule_total``)."""
    items = list(schedule)
    if items and sum(i.amount_vnd for i in items) != value_vnd:
        return (MoneyError("schedule_total", MSG_SCHEDULE_TOTAL),)
    return ()


def due_total(schedule: Iterable[Instalment], on: date) -> int:
    """What the schedule asks to have been paid by ``on``: the instalments whose due date is
    past (``due_on < on``); one due today is not late yet."""
    return sum(i.amount_vnd for i in schedule if i.due_on < on)


def paid_total(payments: Iterable[Payment], on: date | None = None) -> int:
    """The sum of the payments (made on or before ``on``, when given)."""
    return sum(p.amount_vnd for p in payments if on is None or p.paid_on <= on)


def outstanding(value_vnd: int, payments: Iterable[Payment], on: date | None = None,
                schedule: Iterable[Instalment] = ()) -> int:
    """What is owed, never negative (an overpayment leaves 0 owed; see :func:`overpaid`).

    Without a schedule, ``value_vnd`` minus the payments (made by ``on``, when given): the
    whole price is due once the contract is signed. With a payment schedule (DOMAIN.md:
    "debt means an instalment past its due date; one not yet due is not debt"), only the
    instalments past their due date on ``on`` count: :func:`due_total` minus what was paid
    by ``on`` (all of the schedule when ``on`` is None). ``value_vnd`` must be whole,
    non-negative đồng (:class:`MoneyError`)."""
    _check_money(value_vnd)
    items = list(schedule)
    if items:
        due = sum(i.amount_vnd for i in items) if on is None else due_total(items, on)
        return max(0, due - paid_total(payments, on))
    return max(0, value_vnd - paid_total(payments, on))


def overpaid(value_vnd: int, payments: Iterable[Payment], on: date | None = None) -> int:
    """How much more than ``value_vnd`` was paid (0 when not overpaid)."""
    _check_money(value_vnd)
    return max(0, paid_total(payments, on) - value_vnd)


# Keep the field list and the stage map in step.
assert set(STAGE_DATE_FIELD.values()) <= {f.name for f in fields(ContractDates)}
