"""Contracts: their lifecycle dates, payments, obligations and history, and the coverage
facts entitlement decides on."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from ...domain.contracts import ContractDates, Instalment, Payment, covered_ends, outstanding
from ...domain.vietnam import VIETNAM
from ...domain.text import fold
from ...services.dto import (
    ContractChoice,
    ContractDetails,
    ContractDraft,
    ContractFile,
    ContractHistoryEntry,
    ContractRow,
    CoverageFacts,
    InstalmentData,
    ListQuery,
    NewEvent,
    Page,
    PaymentData,
    PlannedData,
)
from .. import models as m
from ._sql import (
    SIGNED_STAGES,
    Repo,
    chosen_sort,
    empty_if_null,
    flush,
    id_for_uuid,
    keyset,
    nn,
    take_code,
    taken,
    text_filter,
    with_uuid,
)


def coverage_facts_by_customer(session: Session, customer_ids, contract_id: int | None = None,
                               today: date | None = None) -> dict[int, CoverageFacts]:
    """customer id -> the CoverageFacts entitlement decides on, from their contracts (or the
    one `contract_id`), on `today` (the desk's date):

    * the latest warranty and maintenance ends, each contract's cut at its end date
      (domain.contracts.covered_ends: nothing covers after a termination); `terminated_on`
      when the latest of them is a termination day (no grace after it);
    * what is owed on signed contracts (before signing nothing is owed yet):
      domain.contracts.outstanding, by the payment schedule when the contract has one
      (only instalments past their due date), else the whole unpaid value;
    * `maintenance_priority`: a contract under maintenance today whose package gives
      maintenance customers priority (seed 004)."""
    if not customer_ids:
        return {}
    today = today or date.today()
    K, P = m.Contract, m.Package
    scope = [K.customer_id.in_(customer_ids)] + ([K.id == contract_id] if contract_id else [])
    rows = session.execute(select(K.id, K.customer_id, K.stage, K.value_vnd, K.warranty_end, K.maintenance_end,
                                  K.ended_on, P.maintenance_priority)
                           .join(P, P.id == K.package_id).where(*scope)).all()
    signed = [r.id for r in rows if r.stage in SIGNED_STAGES]
    paid: dict[int, list] = defaultdict(list)
    schedules: dict[int, list] = defaultdict(list)
    if signed:
        for cid, on, amount in session.execute(select(m.Payment.contract_id, m.Payment.paid_on, m.Payment.amount_vnd)
                                               .where(m.Payment.contract_id.in_(signed))):
            paid[cid].append((on, amount))
        for cid, on, amount in session.execute(select(m.Instalment.contract_id, m.Instalment.due_on,
                                                      m.Instalment.amount_vnd)
                                               .where(m.Instalment.contract_id.in_(signed))):
            schedules[cid].append(Instalment(on, amount))
    out: dict[int, dict] = {}
    for r in rows:
        f = out.setdefault(r.customer_id, {"w": None, "m": None, "owed": 0, "ended": [], "priority": False})
        w, mt = covered_ends(r.warranty_end, r.maintenance_end, r.ended_on)
        f["w"] = w if f["w"] is None or (w is not None and w > f["w"]) else f["w"]
        f["m"] = mt if f["m"] is None or (mt is not None and mt > f["m"]) else f["m"]
        if r.ended_on is not None and (r.warranty_end or r.maintenance_end):
            f["ended"].append(r.ended_on)
        if r.maintenance_priority and mt is not None and today <= mt and not (w is not None and today <= w):
            f["priority"] = True
        if r.stage in SIGNED_STAGES:
            payments = [Payment(on, amount) for on, amount in paid.get(r.id, ())]
            schedule = schedules.get(r.id, ())
            # With a schedule, debt is what fell due before today less what was paid by
            # today; without one, the unpaid value (the rule before schedules).
            f["owed"] += outstanding(r.value_vnd, payments, today if schedule else None, schedule)
    facts = {}
    for cid, f in out.items():
        ends = [d for d in (f["w"], f["m"]) if d is not None]
        terminated = max(f["ended"]) if f["ended"] else None
        terminated_on = terminated if (terminated is not None and ends and terminated >= max(ends)) else None
        facts[cid] = CoverageFacts(f["w"], f["m"], f["owed"], contract_id, terminated_on, f["priority"])
    return facts


class SqlContractRepository(Repo):
    SORTS = {
        "number": m.Contract.number,
        "customer": m.Customer.sort_name,
        "package": m.Package.name,
        "stage": m.Contract.stage,
        "value_vnd": m.Contract.value_vnd,
        "signed_on": empty_if_null(m.Contract.signed_on, "'0001-01-01'"),
        "accepted_on": empty_if_null(m.Contract.accepted_on, "'0001-01-01'"),
        "warranty_end": empty_if_null(m.Contract.warranty_end, "'0001-01-01'"),
        "maintenance_end": empty_if_null(m.Contract.maintenance_end, "'0001-01-01'"),
    }

    def list(self, query: ListQuery) -> Page:
        K = m.Contract
        stmt = (
            select(K.id, K.number, K.customer_id, m.Customer.name.label("customer_name"),
                   m.Package.name.label("package_name"), K.stage, K.value_vnd, K.signed_on, K.accepted_on,
                   K.warranty_end, K.maintenance_end, K.ended_on)
            .join(m.Customer, m.Customer.id == K.customer_id)
            .join(m.Package, m.Package.id == K.package_id)
        )
        cond = text_filter(K.search_text, query.text, self.s)
        if cond is not None:
            stmt = stmt.where(cond)
        if query.filters.get("customer_id"):
            stmt = stmt.where(K.customer_id == query.filters["customer_id"])
        sort = chosen_sort(self.SORTS, query.sort)
        groups = None
        if sort is m.Package.name and cond is None and not query.filters.get("customer_id"):
            groups = self._package_groups()
        return keyset(self.s, stmt, sort, K.id, query,
                      lambda r: ContractRow(r.id, r.number, r.customer_id, r.customer_name, r.package_name, r.stage,
                                            r.value_vnd, r.signed_on, r.accepted_on, r.warranty_end, r.maintenance_end,
                                            r.ended_on),
                      groups=groups, group_col=K.package_id)

    #: Above this many package names the list sorted by package is one sorted query again.
    MAX_PACKAGE_GROUPS = 16

    def _package_groups(self) -> list[tuple] | None:
        """(name, [package ids]) in the list's order of names, for `keyset` to read the
        contracts sorted by package one package at a time through (package_id, id): sorting
        the join took 107-140 ms on PostgreSQL at 60,000 contracts (benchmarks/README.md).
        None when the packages are too many for one arm each."""
        groups: list[tuple] = []
        for pid, name in self.s.execute(select(m.Package.id, m.Package.name).order_by(m.Package.name, m.Package.id)):
            if groups and groups[-1][0] == name:
                groups[-1][1].append(pid)
            else:
                groups.append((name, [pid]))
        return groups if len(groups) <= self.MAX_PACKAGE_GROUPS else None

    def get(self, contract_id: int) -> ContractDetails:
        k = self._load(m.Contract, contract_id)
        draft = ContractDraft(
            customer_id=k.customer_id, package_id=k.package_id, number=k.number, stage=k.stage,
            value_vnd=k.value_vnd, request_received_on=k.request_received_on, signed_on=k.signed_on,
            accepted_on=k.accepted_on, maintenance_end=k.maintenance_end, notes=nn(k.notes),
        )
        return ContractDetails(k.id, k.version, draft, k.customer.name, k.warranty_end, nn(k.updated_by), k.updated_at,
                               k.package.name, k.package.active)

    def _apply(self, k: m.Contract, draft: ContractDraft, warranty_end) -> None:
        k.number, k.customer_id, k.package_id, k.stage = draft.number, draft.customer_id, draft.package_id, draft.stage
        k.value_vnd, k.request_received_on, k.signed_on = draft.value_vnd, draft.request_received_on, draft.signed_on
        k.accepted_on, k.maintenance_end, k.notes = draft.accepted_on, draft.maintenance_end, draft.notes or None
        k.warranty_end = warranty_end
        customer = self._load(m.Customer, draft.customer_id)
        package = self._load(m.Package, draft.package_id)
        k.search_text = fold(f"{draft.number} {customer.code} {customer.name} {package.name}")

    def add(self, draft: ContractDraft, warranty_end) -> int:
        k = with_uuid(self._stamped(m.Contract()), draft.uuid)
        self._apply(k, draft, warranty_end)
        self.s.add(k)
        flush(self.s, "number", draft.number, uuid=draft.uuid)
        return k.id

    def id_for_uuid(self, uuid: str) -> int | None:
        return id_for_uuid(self.s, m.Contract, uuid)

    def payment_id_for_uuid(self, uuid: str) -> int | None:
        return id_for_uuid(self.s, m.Payment, uuid)

    def update(self, contract_id: int, version: int, draft: ContractDraft, warranty_end) -> None:
        k = self._load(m.Contract, contract_id, version)
        self._apply(k, draft, warranty_end)
        self._bump(k)
        flush(self.s, "number", draft.number)

    def choices_for_customer(self, customer_id: int) -> list[ContractChoice]:
        rows = self.s.execute(
            select(m.Contract.id, m.Contract.number, m.Package.name, m.Contract.stage)
            .join(m.Package, m.Package.id == m.Contract.package_id)
            .where(m.Contract.customer_id == customer_id)
            .order_by(m.Contract.number)
        )
        return [ContractChoice(r[0], r[1], r[2], r[3]) for r in rows]

    def next_number(self, year: int) -> str:
        return take_code(self.s, m.Contract.number, f"HD{year}-", 4)

    def file(self, contract_id: int) -> ContractFile:
        k = self._load(m.Contract, contract_id)
        payments = tuple(PaymentData(p.id, p.paid_on, p.amount_vnd, p.method, nn(p.invoice_number)) for p in k.payments)
        planned = tuple(
            PlannedData(o.id, o.kind, o.due_on, nn(o.title), o.done_on, o.cancelled_on)
            for o in self.s.scalars(select(m.Obligation).where(m.Obligation.contract_id == contract_id,
                                                                 m.Obligation.derived.is_(False))
                                    .order_by(m.Obligation.due_on, m.Obligation.id))
        )
        events = self.s.scalars(select(m.ContractEvent).where(m.ContractEvent.contract_id == contract_id)
                                .order_by(m.ContractEvent.id)).all()
        history = tuple(ContractHistoryEntry(e.occurred_at, e.operator.full_name if e.operator else "", e.kind,
                                             nn(e.field), nn(e.old_value), nn(e.new_value), nn(e.body))
                        for e in events)
        return ContractFile(
            k.id, k.version, k.number, k.customer_id, k.customer.name, k.package.name, k.package.warranty_months,
            k.stage, k.value_vnd, k.request_received_on, k.agreed_on, k.signed_on, k.implementation_started_on,
            k.completed_on, k.accepted_on, k.warranty_end, k.maintenance_end, k.ended_on, k.renewal_notice_days,
            payments, planned, history,
            tuple(InstalmentData(i.due_on, i.amount_vnd) for i in k.instalments), nn(k.termination_reason),
        )

    def dates(self, contract_id: int) -> tuple[str, ContractDates, int]:
        k = self._load(m.Contract, contract_id)
        return k.stage, ContractDates(
            request_received_on=k.request_received_on, agreed_on=k.agreed_on, signed_on=k.signed_on,
            implementation_started_on=k.implementation_started_on, completed_on=k.completed_on,
            accepted_on=k.accepted_on, warranty_end=k.warranty_end, maintenance_end=k.maintenance_end,
            ended_on=k.ended_on, termination_reason=k.termination_reason), k.version

    def set_lifecycle(self, contract_id: int, version: int, stage: str, dates: ContractDates) -> None:
        k = self._load(m.Contract, contract_id, version)
        k.stage = stage
        for name in ("request_received_on", "agreed_on", "signed_on", "implementation_started_on", "completed_on",
                     "accepted_on", "warranty_end", "maintenance_end", "ended_on", "termination_reason"):
            setattr(k, name, getattr(dates, name))
        self._bump(k)
        flush(self.s, "number", k.number)

    def touch(self, contract_id: int, version: int) -> None:
        """Check the contract is still at `version` and move it on: a change to what hangs off
        it (its planned items) conflicts with another desk's change made meanwhile."""
        k = self._load(m.Contract, contract_id, version)
        self._bump(k)
        flag_modified(k, "updated_at")  # an UPDATE (so a new version) even when the clock has not moved
        flush(self.s, "number", k.number)

    def add_payment(self, contract_id: int, payment: PaymentData) -> int:
        self._load(m.Contract, contract_id)
        p = self._stamped(m.Payment(contract_id=contract_id, paid_on=payment.paid_on, amount_vnd=payment.amount_vnd,
                                    method=payment.method, invoice_number=payment.invoice_number or None))
        self.s.add(with_uuid(p, payment.uuid))
        flush(self.s, "uuid", payment.uuid, uuid=payment.uuid)
        return p.id

    def append_event(self, contract_id: int, operator_id: int | None, event: NewEvent) -> None:
        self.s.add(self._stamped(m.ContractEvent(
            contract_id=contract_id, operator_id=operator_id, kind=str(event.kind), field=event.field or None,
            old_value=event.old_value or None, new_value=event.new_value or None, body=event.body or None,
            occurred_at=event.occurred_at or self._clock())))
        self.s.flush()

    def replace_obligations(self, contract_id: int, derived, planned=None) -> None:
        """Rewrite the derived obligations (and the planned ones when given)."""
        k = self._load(m.Contract, contract_id)
        stmt = m.Obligation.__table__.delete().where(m.Obligation.contract_id == contract_id)
        if planned is None:
            stmt = stmt.where(m.Obligation.derived.is_(True))
        self.s.execute(stmt)
        for o in derived:
            self.s.add(self._stamped(m.Obligation(contract_id=contract_id, customer_id=k.customer_id, kind=o.kind.value,
                                                  due_on=o.due_on, title=o.title or None, done_on=o.done_on,
                                                  derived=True)))
        for p in planned or ():
            self.s.add(self._stamped(m.Obligation(contract_id=contract_id, customer_id=k.customer_id, kind=p.kind,
                                                  due_on=p.due_on, title=p.title or None, done_on=p.done_on,
                                                  cancelled_on=getattr(p, "cancelled_on", None), derived=False)))
        self.s.flush()

    def coverage_facts(self, customer_id: int, contract_id: int | None, today: date | None = None) -> CoverageFacts:
        """The facts on `today` (the services' desk date; without it the unit of work's clock's)."""
        today = today or self._clock().astimezone(VIETNAM).date()
        found = coverage_facts_by_customer(self.s, [customer_id], contract_id, today).get(customer_id)
        return found or CoverageFacts(None, None, 0, contract_id)

    def replace_schedule(self, contract_id: int, version: int, instalments) -> None:
        """The contract's payment schedule becomes `instalments` (InstalmentData), the
        contract moved on a version (a schedule edited on two desks conflicts)."""
        k = self._load(m.Contract, contract_id, version)
        existing = list(k.instalments)
        # Rows kept in place where they still stand (their uuids travel with the sync).
        for row, new in zip(existing, instalments):
            row.due_on, row.amount_vnd = new.due_on, new.amount_vnd
            self._bump(row)
        for row in existing[len(instalments):]:
            k.instalments.remove(row)
        for new in instalments[len(existing):]:
            k.instalments.append(self._stamped(m.Instalment(due_on=new.due_on, amount_vnd=new.amount_vnd)))
        self._bump(k)
        flag_modified(k, "updated_at")
        flush(self.s, "number", k.number)

    def cancel_obligations_after(self, contract_id: int, ended_on: date | None) -> None:
        """Obligations falling due after the contract's end stop: marked cancelled on that
        day (done_on set too, so no list counts them down). Without an end (a lapsed
        contract resumed), the cancelled ones come back."""
        O = m.Obligation
        if ended_on is None:
            self.s.execute(update(O).where(O.contract_id == contract_id, O.cancelled_on.is_not(None))
                           .values(cancelled_on=None, done_on=None).execution_options(synchronize_session=False))
        else:
            self.s.execute(update(O).where(O.contract_id == contract_id, O.due_on > ended_on, O.done_on.is_(None))
                           .values(cancelled_on=ended_on, done_on=ended_on).execution_options(synchronize_session=False))
        self.s.flush()

    def number_taken(self, number: str, except_id: int | None) -> bool:
        return taken(self.s, m.Contract, m.Contract.number, number, except_id)
