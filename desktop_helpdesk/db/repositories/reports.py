"""The facts of customer-facing documents: visit reports and acceptance reports."""

from __future__ import annotations

from sqlalchemy import select

from ...domain.errors import NotFoundError
from ...domain.worklog import current_versions, details_from_json
from ...services.dto import AcceptanceReportFacts, PartyFacts, VisitReportFacts
from .. import models as m
from ._sql import Repo, nn


def _party(c: m.Customer) -> PartyFacts:
    return PartyFacts(c.name, c.code, nn(c.address), nn(c.tax_code))


def _public(operator: m.Operator | None) -> tuple[str, str]:
    """An operator as customers may see them: alias and code only (seed 002 §7)."""
    return (operator.alias, operator.code) if operator is not None else ("", "")


class SqlReportRepository(Repo):
    """The facts of customer-facing documents. Reads staff only by alias and code."""

    def visit(self, event_id: int) -> VisitReportFacts:
        e = self._load(m.TicketEvent, event_id)
        if e.kind != "visit":
            raise NotFoundError(f"visit {event_id}")
        chain = self.s.execute(select(m.TicketEvent.id, m.TicketEvent.corrects_id)
                               .where(m.TicketEvent.ticket_id == e.ticket_id, m.TicketEvent.kind == "visit")).all()
        newest = self._load(m.TicketEvent, current_versions(chain)[e.id])
        t = self._load(m.Ticket, e.ticket_id)
        details = details_from_json(newest.details)
        technician = self.s.get(m.Operator, details.get("technician_id") or 0) or newest.operator
        contract = t.contract
        return VisitReportFacts(
            newest.id, t.code, t.subject, _party(t.customer), contract.number if contract else "",
            contract.package.name if contract else "", details, nn(newest.body), newest.occurred_at,
            *_public(technician), corrected=newest.id != e.id or newest.corrects_id is not None)

    def acceptance(self, contract_id: int, operator_id: int | None) -> AcceptanceReportFacts:
        k = self._load(m.Contract, contract_id)
        milestones = tuple(
            (o.kind, o.due_on, nn(o.title), o.done_on)
            for o in self.s.scalars(select(m.Obligation).where(
                m.Obligation.contract_id == contract_id, m.Obligation.derived.is_(False),
                m.Obligation.kind.in_(("milestone_installation", "milestone_training", "milestone_pilot",
                                       "milestone_acceptance"))).order_by(m.Obligation.due_on, m.Obligation.id)))
        return AcceptanceReportFacts(
            k.id, k.number, k.package.name, k.package.warranty_months, k.value_vnd, _party(k.customer), k.signed_on,
            k.implementation_started_on, k.completed_on, k.accepted_on, k.warranty_end, milestones,
            *_public(self.s.get(m.Operator, operator_id or 0)))
