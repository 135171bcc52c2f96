"""The coverage badge: what a customer is entitled to today, in one glance (seed 002 §5–6, 004).

:func:`coverage_badge` reads the same facts as
:func:`desktop_helpdesk.domain.entitlement.check_entitlement` (the latest warranty and
maintenance end dates of the customer's contracts, the termination day of a contract ended
early, and the unpaid amount) and says which of six states the customer is in, with a day
count for the countdown:

============= ===================================================== =========================
state         when (end dates are inclusive)                        ``days``
============= ===================================================== =========================
warranty      ``today <= warranty_end``                              days left (0 on the last day)
maintenance   not under warranty, ``today <= maintenance_end``       days left (0 on the last day)
grace         the later end passed 1 to 10 (GRACE_DAYS) days ago     days since that end
expired       the later end passed more than 10 days ago             days since that end
terminated    the later end is the termination day and it passed     days since that day
none          no end date at all                                     0
============= ===================================================== =========================

A contract **terminated early** (DOMAIN.md "a contract may end early: coverage ends then";
``terminated_on``, as :class:`~desktop_helpdesk.services.dto.CoverageFacts` gives it) covers
through its termination day and not after: each end is cut to that day (as
:func:`desktop_helpdesk.domain.contracts.covered_ends` does), so the day before it counts
down to it, the day itself is the last covered day, and from the day after it the state is
``terminated`` for good, never ``grace`` or ``expired``: exactly as the entitlement rules
bill a request after a termination (:attr:`~desktop_helpdesk.domain.entitlement.Reason.CONTRACT_TERMINATED`,
no grace, no refusal). Only when another coverage ends later (a second contract) is the
termination not the customer's state.

``service`` names what was or is running (``"warranty"`` or ``"maintenance"``; ``""`` for
``none``). In grace and after it, it is the coverage that was in force on the later end:
the warranty when it ended last or on the same day as the maintenance, else the
maintenance, exactly as the entitlement rules serve a customer in grace.

The unpaid amount is carried along, not folded into the state: an unpaid customer under
warranty is still under warranty, and :attr:`CoverageBadge.refusal` tells whether
a request would meet a refusal ground from these facts alone (unpaid, or expired beyond
the grace period; a termination bills, it does not refuse).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from desktop_helpdesk.domain.entitlement import GRACE_DAYS

__all__ = ["STATES", "CoverageBadge", "coverage_badge"]

#: Every state, from the best covered to no service at all.
STATES = ("warranty", "maintenance", "grace", "expired", "terminated", "none")


@dataclass(frozen=True)
class CoverageBadge:
    """A customer's coverage on one day; see the module docstring for each field."""

    state: str
    days: int
    outstanding_vnd: int = 0
    service: str = ""
    #: The termination day, in the ``terminated`` state only (the badge names it).
    terminated_on: date | None = None

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"unknown coverage state {self.state!r}")
        if (self.state == "terminated") != (self.terminated_on is not None):
            raise ValueError("terminated_on goes with the terminated state, and only with it")
        if isinstance(self.days, bool) or not isinstance(self.days, int) or self.days < 0:
            raise ValueError(f"days must be a non-negative int, not {self.days!r}")
        if isinstance(self.outstanding_vnd, bool) or not isinstance(self.outstanding_vnd, int) or self.outstanding_vnd < 0:
            raise ValueError(f"outstanding_vnd must be a non-negative int, not {self.outstanding_vnd!r}")

    @property
    def owes(self) -> bool:
        return self.outstanding_vnd > 0

    @property
    def refusal(self) -> bool:
        """A request would be refused on these facts (unpaid, or expired beyond grace)."""
        return self.owes or self.state == "expired"


def coverage_badge(today: date, warranty_end: date | None, maintenance_end: date | None,
                   outstanding_vnd: int = 0, terminated_on: date | None = None) -> CoverageBadge:
    """The customer's coverage state on ``today`` (rules in the module docstring)."""
    if terminated_on is not None:
        # Nothing covers after the termination day, whatever the stored ends say.
        warranty_end = None if warranty_end is None else min(warranty_end, terminated_on)
        maintenance_end = None if maintenance_end is None else min(maintenance_end, terminated_on)
    if warranty_end is not None and today <= warranty_end:
        return CoverageBadge("warranty", (warranty_end - today).days, outstanding_vnd, "warranty")
    if maintenance_end is not None and today <= maintenance_end:
        return CoverageBadge("maintenance", (maintenance_end - today).days, outstanding_vnd, "maintenance")
    ends = [d for d in (warranty_end, maintenance_end) if d is not None]
    if not ends:
        return CoverageBadge("none", 0, outstanding_vnd)
    end = max(ends)
    since = (today - end).days
    service = "warranty" if warranty_end == end else "maintenance"
    if terminated_on is not None and end == terminated_on:
        return CoverageBadge("terminated", since, outstanding_vnd, service, terminated_on)
    return CoverageBadge("grace" if since <= GRACE_DAYS else "expired", since, outstanding_vnd, service)
