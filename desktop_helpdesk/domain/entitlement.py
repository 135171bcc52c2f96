"""Is the customer entitled to support for this request? (seeds 001, 002 §5–6, 003, 004)

:func:`check_entitlement` turns plain facts about a request into an :class:`Entitlement`:
the ticket's :class:`~desktop_helpdesk.domain.enums.Coverage` and the
:class:`Reason` values behind it. The product only *flags*: the operator may
:func:`override` a refusal with a typed reason, and the ticket history keeps both.

The rules
---------
All dates are calendar dates; every end date is **inclusive** (a warranty whose last day
is today still covers today).

1. *Coverage by dates* (the "base" coverage, before any refusal ground):

   * ``today <= warranty_end`` → ``WARRANTY``;
   * otherwise ``today <= maintenance_end`` → ``MAINTENANCE``;
   * otherwise, if the customer had a service at all, let *end* be the later of the two end
     dates and *n* = ``(today - end).days``:

     - ``1 <= n <= 10`` (:data:`GRACE_DAYS`): still served under the coverage that was in
       force on *end* (warranty when the warranty ended last or on the same day, else
       maintenance), with the :attr:`Reason.IN_GRACE_PERIOD` warning (seed 002 §6: "within
       10 days: serve, with a warning");
     - ``n > 10``: base ``BILLABLE`` plus the refusal ground
       :attr:`Reason.EXPIRED_BEYOND_GRACE`;

   * a contract **terminated early** (``terminated_on``, DOMAIN.md "a contract may end
     early: coverage ends then") covers through its termination day and not after: when
     the latest end is the termination (``terminated_on >= `` both ends, which the caller
     has cut to it with :func:`desktop_helpdesk.domain.contracts.covered_ends`) and today
     is after it, the base is ``BILLABLE`` with the note :attr:`Reason.CONTRACT_TERMINATED`
     and **no grace**: the 10 days of seed 002 §6 are for a service that lapsed and may be
     renewed, not one the parties ended;
   * a customer with **no end date at all** (never accepted, no maintenance) is
     ``BILLABLE`` and *not* refused. Seed 002's ground is that "the service *expired* more
     than 10 days ago" (*đã hết hạn quá 10 ngày*): it targets a customer who let a service
     lapse and should renew, and nothing expired for someone who never had one. For
     everything outside warranty and maintenance the seeds say help is advised and billed
     (seed 003 §1.2 and §2.1.3: *tư vấn ... với mức chi phí dành cho khối khách hàng*), so
     billable is the reading that matches them. (Work still inside an implementation
     project is the contract's own scope; the caller knows the stage, this module does
     not.)

2. *Request types*:

   * ``CHANGE_REQUEST`` is never inside warranty or maintenance: base ``BILLABLE`` with the
     note :attr:`Reason.CHANGE_REQUEST_BILLABLE` (seed 001: requested in writing, paid
     extra). It is not a refusal.
   * ``SOURCE_CODE_REVIEW`` is refused (:attr:`Reason.SOURCE_CODE_REQUEST`); were it
     overridden it would be ``BILLABLE``.
   * ``HOW_TO`` with ``previous_same_topic_how_to >= 1`` is refused
     (:attr:`Reason.REPEATED_HOW_TO`: send the documentation). Seed 002 §6 says the
     customer "đã yêu cầu hướng dẫn trên 1 lần", more than once *counting this request*:
     the second request on a topic is the first one that may be refused. "The same
     topic" is a similar subject (:func:`desktop_helpdesk.domain.similarity.is_similar`)
     among the customer's how-to tickets of the last :data:`REPEAT_WINDOW_DAYS` days
     (:func:`earlier_guidance` picks them); ``earlier_ticket`` names the first of them, and
     the verdict carries it so the operator can point the customer to it.
   * every other type (incident, complaint, reinstall, regulatory update, other) follows
     the coverage by dates.

3. *Refusal grounds* that apply to every request type:

   * ``outstanding_vnd > 0`` → :attr:`Reason.UNPAID`;
   * ``customer_cooperating`` false → :attr:`Reason.NOT_COOPERATING`;
   * ``in_support_scope`` false → :attr:`Reason.OUT_OF_SCOPE`; the work lies outside what
     warranty and maintenance pay for, so its base coverage is ``BILLABLE``;
   * the expiry ground of rule 1.

4. Any refusal ground makes the coverage ``REFUSED``. All grounds that apply are listed,
   then the notes, always in the declaration order of :class:`Reason`
   (``UNPAID, EXPIRED_BEYOND_GRACE, REPEATED_HOW_TO, SOURCE_CODE_REQUEST, NOT_COOPERATING,
   OUT_OF_SCOPE, IN_GRACE_PERIOD, CHANGE_REQUEST_BILLABLE, CONTRACT_TERMINATED``).

5. :func:`override` sets the coverage to :attr:`Entitlement.base_coverage`, the coverage the
   request has with every refusal ground removed, keeps the reasons, and records the
   operator's reason. So an overridden unpaid incident under warranty is ``WARRANTY``, an
   overridden repeated how-to under maintenance is ``MAINTENANCE``, and an overridden
   expired, source-code or out-of-scope request is ``BILLABLE``.

6. Priority (seed 004: "quý khách khi tham gia gói bảo trì sẽ được ưu tiên hỗ trợ"):
   :func:`raised_priority` lifts a request served under ``MAINTENANCE``, when the package
   says maintenance customers get priority, one step: low → normal → high. It stops at
   high: "urgent" is the operator's judgement of how bad the problem is, not a perk of a
   contract, and a raise to urgent would drown the real emergencies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from desktop_helpdesk.domain.enums import N_, Coverage, EntitlementReason, Priority, RequestType
from desktop_helpdesk.domain.similarity import is_similar
from desktop_helpdesk.domain.text import normalize

__all__ = [
    "GRACE_DAYS",
    "Reason",
    "EntitlementInput",
    "Entitlement",
    "OverrideError",
    "check_entitlement",
    "override",
    "EarlierTicket",
    "REPEAT_WINDOW_DAYS",
    "earlier_guidance",
    "raised_priority",
]

#: Days after a service's last day during which the customer is still served, with a warning.
GRACE_DAYS = 10

#: How far back an earlier how-to on the same topic counts (seed 002 §6, issue #16).
REPEAT_WINDOW_DAYS = 90

#: The reasons; ``Reason.X.code`` is stored, ``Reason.X.message`` is shown (translated).
Reason = EntitlementReason

_ORDER = {reason: index for index, reason in enumerate(Reason)}


def _check_count(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int, not {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative: {value}")


@dataclass(frozen=True)
class EarlierTicket:
    """A ticket the customer opened before: its code, the day it was received, its subject."""

    code: str
    received_on: date
    subject: str = ""


@dataclass(frozen=True)
class EntitlementInput:
    """The facts :func:`check_entitlement` decides on.

    ``outstanding_vnd`` is the unpaid part of the agreed cost in whole đồng (see
    :func:`desktop_helpdesk.domain.contracts.outstanding`); ``previous_same_topic_how_to``
    counts the customer's earlier how-to requests on the same topic. Both must be
    non-negative ints; ``request_type`` may be given as its stored value.
    """

    today: date
    request_type: RequestType
    warranty_end: date | None
    maintenance_end: date | None
    outstanding_vnd: int
    previous_same_topic_how_to: int
    customer_cooperating: bool = True
    in_support_scope: bool = True
    #: The last covered day of a contract that ended early (None: not terminated).
    terminated_on: date | None = None
    #: The first earlier how-to on the same topic (see :func:`earlier_guidance`).
    earlier_ticket: EarlierTicket | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "request_type", RequestType(self.request_type))
        _check_count("outstanding_vnd", self.outstanding_vnd)
        _check_count("previous_same_topic_how_to", self.previous_same_topic_how_to)


@dataclass(frozen=True)
class Entitlement:
    """The decision for one request.

    ``coverage`` is what the ticket gets; ``base_coverage`` is the coverage without any
    refusal ground (equal to ``coverage`` unless refused); ``reasons`` lists refusal grounds
    first, then notes. After :func:`override`, ``overridden`` is true and
    ``override_reason`` holds the operator's words (normalised).
    """

    coverage: Coverage
    reasons: tuple[Reason, ...]
    base_coverage: Coverage
    overridden: bool = False
    override_reason: str | None = None
    #: The earlier how-to the repeated-guidance ground points at (shown with the verdict).
    earlier_ticket: EarlierTicket | None = None
    #: Served under maintenance on a package that gives priority: the new ticket's priority
    #: is raised (:func:`raised_priority`) and it comes first in the lists (seed 004).
    priority_first: bool = False

    @property
    def refused(self) -> bool:
        return self.coverage is Coverage.REFUSED

    @property
    def refusal_grounds(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.is_refusal)

    @property
    def notes(self) -> tuple[Reason, ...]:
        """Reasons that never refuse: the grace warning, the change-request billing note."""
        return tuple(r for r in self.reasons if not r.is_refusal)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)


class OverrideError(ValueError):
    """An override the product does not accept; ``code`` is one of the class constants."""

    REASON_REQUIRED = "override_reason_required"
    NOT_REFUSED = "override_not_refused"

    MESSAGES = {
        REASON_REQUIRED: N_("Type why you are overriding the refusal."),
        NOT_REFUSED: N_("Only a refused request can be overridden."),
    }

    def __init__(self, code: str):
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(f"{code}: {self.message}")


def _coverage_by_dates(
    today: date, warranty_end: date | None, maintenance_end: date | None,
    terminated_on: date | None = None,
) -> tuple[Coverage, Reason | None]:
    if terminated_on is not None:
        # Nothing covers after the termination day, whatever the stored ends say.
        warranty_end = None if warranty_end is None else min(warranty_end, terminated_on)
        maintenance_end = None if maintenance_end is None else min(maintenance_end, terminated_on)
    if warranty_end is not None and today <= warranty_end:
        return Coverage.WARRANTY, None
    if maintenance_end is not None and today <= maintenance_end:
        return Coverage.MAINTENANCE, None
    ends = [d for d in (warranty_end, maintenance_end) if d is not None]
    if not ends:
        return Coverage.BILLABLE, None
    end = max(ends)
    if terminated_on is not None and end == terminated_on:
        return Coverage.BILLABLE, Reason.CONTRACT_TERMINATED
    if (today - end).days <= GRACE_DAYS:
        last = Coverage.WARRANTY if warranty_end == end else Coverage.MAINTENANCE
        return last, Reason.IN_GRACE_PERIOD
    return Coverage.BILLABLE, Reason.EXPIRED_BEYOND_GRACE


def check_entitlement(facts: EntitlementInput) -> Entitlement:
    """Decide the coverage of a request; the rules are in the module docstring."""
    base, date_reason = _coverage_by_dates(
        facts.today, facts.warranty_end, facts.maintenance_end, facts.terminated_on
    )
    reasons: set[Reason] = set()
    if date_reason is not None:
        reasons.add(date_reason)
    if facts.outstanding_vnd > 0:
        reasons.add(Reason.UNPAID)
    kind = facts.request_type
    if kind is RequestType.HOW_TO and facts.previous_same_topic_how_to >= 1:
        reasons.add(Reason.REPEATED_HOW_TO)
    if kind is RequestType.SOURCE_CODE_REVIEW:
        reasons.add(Reason.SOURCE_CODE_REQUEST)
        base = Coverage.BILLABLE
    if kind is RequestType.CHANGE_REQUEST:
        reasons.add(Reason.CHANGE_REQUEST_BILLABLE)
        base = Coverage.BILLABLE
    if not facts.customer_cooperating:
        reasons.add(Reason.NOT_COOPERATING)
    if not facts.in_support_scope:
        reasons.add(Reason.OUT_OF_SCOPE)
        base = Coverage.BILLABLE
    ordered = tuple(sorted(reasons, key=_ORDER.__getitem__))
    refused = any(r.is_refusal for r in ordered)
    return Entitlement(
        coverage=Coverage.REFUSED if refused else base,
        reasons=ordered,
        base_coverage=base,
        earlier_ticket=facts.earlier_ticket if Reason.REPEATED_HOW_TO in reasons else None,
    )


def earlier_guidance(today: date, subject: str, earlier: Iterable[EarlierTicket],
                     window_days: int = REPEAT_WINDOW_DAYS) -> list[EarlierTicket]:
    """The customer's earlier how-to tickets on the same topic as ``subject``: received in
    the last ``window_days`` days (``today - window_days`` included) with a similar subject
    (:func:`~desktop_helpdesk.domain.similarity.is_similar`), oldest first."""
    since = today - timedelta(days=window_days)
    found = [t for t in earlier if t.received_on >= since and is_similar(subject, t.subject)]
    return sorted(found, key=lambda t: (t.received_on, t.code))


_RAISE = {Priority.LOW: Priority.NORMAL, Priority.NORMAL: Priority.HIGH}


def raised_priority(priority: Priority | str, coverage: Coverage | str, package_gives_priority: bool) -> Priority:
    """The priority a new request gets (rule 6 of the module docstring): one step up, to at
    most high, for a request served under maintenance when the package gives maintenance
    customers priority; otherwise ``priority`` unchanged."""
    priority = Priority(priority)
    if Coverage(coverage) is not Coverage.MAINTENANCE or not package_gives_priority:
        return priority
    return _RAISE.get(priority, priority)


def override(entitlement: Entitlement, reason_text: str) -> Entitlement:
    """The operator serves a refused request anyway.

    Returns a copy with ``coverage = base_coverage``, the same ``reasons``,
    ``overridden=True`` and ``override_reason`` = the typed reason, normalised. Raises
    :class:`OverrideError` (a ``ValueError``) with code ``override_reason_required`` when
    the reason is empty or only whitespace, and ``override_not_refused`` when the
    entitlement is not refused (nothing to override; this includes one already
    overridden).
    """
    text = normalize(reason_text or "")
    if not text:
        raise OverrideError(OverrideError.REASON_REQUIRED)
    if not entitlement.refused:
        raise OverrideError(OverrideError.NOT_REFUSED)
    return replace(
        entitlement,
        coverage=entitlement.base_coverage,
        overridden=True,
        override_reason=text,
    )
