"""Service packages and the SLA terms their tickets' clocks run on."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from ...services.dto import PackageData, SlaTerms
from .. import models as m
from ._sql import Repo, flush


class SqlPackageRepository(Repo):
    def all(self) -> list[PackageData]:
        rows = self.s.scalars(select(m.Package).where(m.Package.active).order_by(m.Package.name)).all()
        return [
            PackageData(
                p.id, p.code, p.name, p.warranty_months, p.support_hours, p.proposal_target_minutes,
                p.fix_target_hours, p.fix_extended_hours, p.complaint_target_hours,
                p.maintenance_priority, p.list_price_vnd, p.version,
            )
            for p in rows
        ]

    def update_terms(self, package_id: int, data: PackageData) -> None:
        # The version read: a second desk saving terms it read before the first's save is refused.
        p = self._load(m.Package, package_id, data.version)
        p.warranty_months, p.support_hours = data.warranty_months, data.support_hours
        p.proposal_target_minutes, p.fix_target_hours = data.proposal_target_minutes, data.fix_target_hours
        p.fix_extended_hours, p.complaint_target_hours = data.fix_extended_hours, data.complaint_target_hours
        self._bump(p)
        flag_modified(p, "updated_at")  # always one UPDATE, one new version (what the dialog counts on)
        flush(self.s, "code", p.code)

    def open_ticket_ids(self, package_id: int) -> list[int]:
        """Tickets whose clocks run on this package's terms and may still change."""
        T = m.Ticket
        return list(self.s.scalars(
            select(T.id).join(m.Contract, m.Contract.id == T.contract_id)
            .where(m.Contract.package_id == package_id, T.next_due_at.is_not(None)).order_by(T.id)))

    def terms(self) -> list[SlaTerms]:
        """The distinct SLA terms of every package, retired ones included (their tickets'
        clocks still run on them)."""
        P = m.Package
        rows = self.s.execute(select(P.support_hours, P.proposal_target_minutes, P.fix_target_hours,
                                     P.fix_extended_hours, P.complaint_target_hours).distinct()).all()
        return [SlaTerms(*r) for r in rows]

    def add(self, data: PackageData) -> int:
        p = self._stamped(m.Package(
            code=data.code, name=data.name, warranty_months=data.warranty_months,
            support_hours=data.support_hours, proposal_target_minutes=data.proposal_target_minutes,
            fix_target_hours=data.fix_target_hours, fix_extended_hours=data.fix_extended_hours,
            complaint_target_hours=data.complaint_target_hours,
            maintenance_priority=data.maintenance_priority, list_price_vnd=data.list_price_vnd,
        ))
        self.s.add(p)
        self.s.flush()
        return p.id
