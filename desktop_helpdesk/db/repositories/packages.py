"""Service packages and the SLA terms their tickets' clocks run on."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from ...services.dto import PackageData, SlaTerms
from .. import models as m
from ._sql import Repo, flush


class SqlPackageRepository(Repo):
    @staticmethod
    def _data(p: m.Package) -> PackageData:
        return PackageData(
            p.id, p.code, p.name, p.warranty_months, p.support_hours, p.proposal_target_minutes,
            p.fix_target_hours, p.fix_extended_hours, p.complaint_target_hours,
            p.maintenance_priority, p.list_price_vnd, p.version, bool(p.active),
        )

    def all(self, include_retired: bool = False) -> list[PackageData]:
        """The packages on sale by name; with `include_retired`, the retired ones after them."""
        P = m.Package
        stmt = select(P).order_by(P.active.desc(), P.name, P.id)
        if not include_retired:
            stmt = stmt.where(P.active)
        return [self._data(p) for p in self.s.scalars(stmt)]

    def get(self, package_id: int) -> PackageData | None:
        p = self.s.get(m.Package, package_id)
        return self._data(p) if p is not None else None

    def rename(self, package_id: int, version: int | None, code: str, name: str) -> None:
        p = self._load(m.Package, package_id, version)
        p.code, p.name = code, name
        self._bump(p)
        flush(self.s, "code", code)

    def set_active(self, package_id: int, version: int | None, active: bool) -> None:
        p = self._load(m.Package, package_id, version)
        p.active = active
        self._bump(p)
        flush(self.s, "code", p.code)

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
            active=data.active,
        ))
        self.s.add(p)
        flush(self.s, "code", data.code)
        return p.id
