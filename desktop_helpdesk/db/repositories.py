"""SQLAlchemy implementation of the services' storage protocol (services/ports.py).

Lists use keyset pagination (never OFFSET): each page is ordered by (sort key, id) and the
next page starts after the last row's pair, so page 5,000 costs what page 1 costs. Filtering
matches every folded word of the filter against the row's folded `search_text`.
"""

from __future__ import annotations

import weakref
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import Select, String, and_, bindparam, func, literal, literal_column, or_, select, text, tuple_
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from ..domain.contracts import ContractDates
from ..domain.enums import ContractStage, RequestType, TicketStatus
from ..domain.errors import ConcurrentEditError, DuplicateError, NotFoundError
from ..domain.search import MIN_INDEXED, SearchTerms
from ..domain.text import fold, sort_text
from ..domain.worklog import WorkLogDraft, current_versions, details_from_json, details_to_json
from ..domain.worklog import duration_minutes as worklog_duration
from ..services.dto import (  # noqa: F401  (db implements the services' protocol)
    AlertData,
    CalendarDay,
    ContractFile,
    ContractHistoryEntry,
    CoverageFacts,
    ObligationRow,
    PaymentData,
    PlannedData,
    SearchCandidate,
    VerificationQuestionData,
    AcceptanceReportFacts,
    PartyFacts,
    VisitReportFacts,
    ContactData,
    ContractChoice,
    ContractDetails,
    ContractDraft,
    ContractRow,
    CustomerChoice,
    CustomerDetails,
    CustomerDraft,
    CustomerRow,
    HistoryEntry,
    ListQuery,
    NewEvent,
    OperatorData,
    OperatorDraft,
    PackageData,
    Page,
    SlaTerms,
    TicketClock,
    TicketDetails,
    TicketDraft,
    TicketRow,
)
from . import models as m

OPEN_STATUSES = tuple(s.value for s in TicketStatus if s.is_open)


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


#: A list filter narrows the rows through the trigram index when the words match at most this
#: many rows; more matches are found sooner by walking the list in its own order and testing
#: each row (reading and joining 4,000 matches to sort them took 3x the walk; benchmarks/README.md).
FTS_THRESHOLD = 2_000

#: The global search narrows a query of several words by one trigram per word when one of
#: the words has a trigram in fewer rows than this (SqlSearchRepository._rare_trigrams).
RARE_TRIGRAM = 5_000


def _fts_phrase(s: str) -> str:
    """`s` as an FTS5 string (one trigram token when it is three characters long)."""
    return '"' + s.replace('"', '""') + '"'


def _text_filter(column, folded: str, session: Session | None = None):
    """Every folded word somewhere in `column` (a search_text). Given the session, rare words
    are looked up in the table's trigram index (migration 0007) instead of a full scan."""
    terms = folded.split()
    if not terms:
        return None
    cond = and_(*(column.like(f"%{_escape_like(t)}%", escape="\\") for t in terms))
    if session is not None:
        narrowed = _index_narrowing(session, column, terms)
        if narrowed is not None:
            cond = and_(narrowed, cond)
    return cond


def _index_narrowing(session: Session, column, terms: list[str]):
    model = column.class_
    table = model.__tablename__
    indexed = [t for t in terms if len(t) >= MIN_INDEXED and not set(t) & set("%_\\")]
    if not indexed or not search_index_available(session, table):
        return None
    fts = sa_table(f"{table}_fts", sa_column("rowid"), sa_column("search_text"))
    # Counted on the index alone: rows holding every trigram of the words (a few more than
    # hold the words; LIKE would read each row to check, 5-10x slower for common words).
    trigrams = " AND ".join(dict.fromkeys('"' + t[i:i + 3].replace('"', '""') + '"'
                                          for t in indexed for i in range(len(t) - 2)))
    found = session.execute(text(f"SELECT count(*) FROM (SELECT rowid FROM {table}_fts "
                                 f"WHERE {table}_fts MATCH :q LIMIT :n)"),
                            {"q": trigrams, "n": FTS_THRESHOLD + 1}).scalar()
    if found > FTS_THRESHOLD:
        return None
    return model.id.in_(select(fts.c.rowid).where(*(fts.c.search_text.like(f"%{t}%") for t in indexed)))


def _keyset(session: Session, stmt: Select, sort_expr, id_col, query: ListQuery, to_row: Callable) -> Page:
    key = sort_expr.label("_sort_key")
    stmt = stmt.add_columns(key)
    if query.after is not None:
        value, last_id = query.after
        pair, bound = tuple_(sort_expr, id_col), tuple_(literal(value, type_=sort_expr.type), literal(last_id))
        stmt = stmt.where(pair < bound if query.descending else pair > bound)
    if query.descending:
        stmt = stmt.order_by(sort_expr.desc(), id_col.desc())
    else:
        stmt = stmt.order_by(sort_expr.asc(), id_col.asc())
    result = session.execute(stmt.limit(query.limit + 1)).all()
    more = len(result) > query.limit
    result = result[: query.limit]
    cursor = (result[-1]._sort_key, result[-1].id) if more and result else None
    return Page(rows=tuple(to_row(r) for r in result), next_cursor=cursor)


def _empty_if_null(column, default: str = "''"):
    """coalesce(column, '') written with a literal, so it matches the expression index."""
    return func.coalesce(column, literal_column(default))


def _likely(session: Session, condition):
    """Tell SQLite's planner (which has no statistics before ANALYZE) that most rows pass,
    so it walks the sort key's index and stops after one page instead of sorting them all."""
    return func.likely(condition) if session.get_bind().dialect.name == "sqlite" else condition


def _sort(sorts: dict, name: str):
    return sorts[name] if name in sorts else next(iter(sorts.values()))


def _nn(value) -> str:
    return value or ""


def _bump(obj) -> None:
    obj.updated_at = datetime.now(timezone.utc)


class _Repo:
    def __init__(self, session: Session):
        self.s = session

    def _load(self, model, obj_id: int, version: int | None = None):
        obj = self.s.get(model, obj_id)
        if obj is None:
            raise NotFoundError(f"{model.__tablename__} {obj_id}")
        if version is not None and obj.version != version:
            raise ConcurrentEditError(f"{model.__tablename__} {obj_id}: version {obj.version}, expected {version}")
        return obj


class SqlOperatorRepository(_Repo):
    def all(self) -> list[OperatorData]:
        rows = self.s.scalars(select(m.Operator).order_by(m.Operator.full_name)).all()
        return [OperatorData(o.id, o.code, o.full_name, o.alias, o.role, o.active) for o in rows]

    def add(self, draft: OperatorDraft) -> int:
        # After the highest code in use, not the count: codes with gaps or typed by hand never collide.
        code = draft.code or _next_code(self.s, m.Operator.code, "NV", 3)
        op = m.Operator(code=code, full_name=draft.full_name, alias=draft.alias, role=draft.role)
        self.s.add(op)
        _flush(self.s, "code", code)
        return op.id


class SqlPackageRepository(_Repo):
    def all(self) -> list[PackageData]:
        rows = self.s.scalars(select(m.Package).where(m.Package.active).order_by(m.Package.name)).all()
        return [
            PackageData(
                p.id, p.code, p.name, p.warranty_months, p.support_hours, p.proposal_target_minutes,
                p.fix_target_hours, p.fix_extended_hours, p.complaint_target_hours,
                p.maintenance_priority, p.list_price_vnd,
            )
            for p in rows
        ]

    def update_terms(self, package_id: int, data: PackageData) -> None:
        p = self._load(m.Package, package_id)
        p.warranty_months, p.support_hours = data.warranty_months, data.support_hours
        p.proposal_target_minutes, p.fix_target_hours = data.proposal_target_minutes, data.fix_target_hours
        p.fix_extended_hours, p.complaint_target_hours = data.fix_extended_hours, data.complaint_target_hours
        _bump(p)
        self.s.flush()

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
        p = m.Package(
            code=data.code, name=data.name, warranty_months=data.warranty_months,
            support_hours=data.support_hours, proposal_target_minutes=data.proposal_target_minutes,
            fix_target_hours=data.fix_target_hours, fix_extended_hours=data.fix_extended_hours,
            complaint_target_hours=data.complaint_target_hours,
            maintenance_priority=data.maintenance_priority, list_price_vnd=data.list_price_vnd,
        )
        self.s.add(p)
        self.s.flush()
        return p.id


def customer_search_text(draft: CustomerDraft) -> str:
    parts = [draft.code, draft.name, draft.tax_code, draft.phone, draft.phone.replace("+84", "0", 1),
             draft.email, draft.address, draft.province]
    for c in draft.contacts:
        parts += [c.full_name, c.phone, c.phone.replace("+84", "0", 1), c.email]
    return fold(" ".join(p for p in parts if p))


def contact_search_text(full_name: str, phone: str, email: str) -> str:
    """Name, phone in E.164 and as said with a leading 0 ("0912…"), e-mail; folded."""
    local = phone.replace("+84", "0", 1) if phone else ""
    return fold(" ".join(x for x in (full_name, phone, local, email) if x))


class SqlCustomerRepository(_Repo):
    SORTS = {
        "code": m.Customer.code,
        "name": m.Customer.sort_name,  # Vietnamese dictionary order
        "kind": m.Customer.kind,
        "tax_code": _empty_if_null(m.Customer.tax_code),
        "phone": _empty_if_null(m.Customer.phone),
        "province": _empty_if_null(m.Customer.province),
    }

    def list(self, query: ListQuery) -> Page:
        C = m.Customer
        stmt = select(C.id, C.code, C.name, C.kind, C.tax_code, C.phone, C.province)
        cond = _text_filter(C.search_text, query.text, self.s)
        if cond is not None:
            stmt = stmt.where(cond)
        page = _keyset(self.s, stmt, _sort(self.SORTS, query.sort), C.id, query, lambda r: r)
        # Counted for the page's rows only, after the page is chosen: as correlated
        # subqueries SQLite would count for every row entering the sort.
        ids = [r.id for r in page.rows]
        contracts = dict(self.s.execute(
            select(m.Contract.customer_id, func.count()).where(m.Contract.customer_id.in_(ids))
            .group_by(m.Contract.customer_id)).all()) if ids else {}
        open_tickets = dict(self.s.execute(
            select(m.Ticket.customer_id, func.count())
            .where(m.Ticket.customer_id.in_(ids), m.Ticket.status.in_(OPEN_STATUSES))
            .group_by(m.Ticket.customer_id)).all()) if ids else {}
        coverage = _coverage_by_customer(self.s, ids)
        rows = tuple(CustomerRow(r.id, r.code, r.name, r.kind, _nn(r.tax_code), _nn(r.phone), _nn(r.province),
                                 contracts.get(r.id, 0), open_tickets.get(r.id, 0),
                                 *coverage.get(r.id, (None, None, 0))) for r in page.rows)
        return Page(rows=rows, next_cursor=page.next_cursor)

    def get(self, customer_id: int) -> CustomerDetails:
        c = self._load(m.Customer, customer_id)
        contacts = tuple(
            ContactData(k.id, k.full_name, _nn(k.position), _nn(k.phone), _nn(k.email), k.is_primary) for k in c.contacts
        )
        draft = CustomerDraft(
            name=c.name, kind=c.kind, code=c.code, tax_code=_nn(c.tax_code), address=_nn(c.address),
            province=_nn(c.province), phone=_nn(c.phone), email=_nn(c.email), notes=_nn(c.notes), contacts=contacts,
        )
        return CustomerDetails(c.id, c.version, draft)

    def _apply(self, c: m.Customer, draft: CustomerDraft) -> None:
        c.code, c.name, c.kind = draft.code, draft.name, draft.kind
        c.sort_name = sort_text(draft.name)
        c.tax_code, c.address, c.province = draft.tax_code or None, draft.address or None, draft.province or None
        c.phone, c.email, c.notes = draft.phone or None, draft.email or None, draft.notes or None
        c.search_text = customer_search_text(draft)
        existing = {k.id: k for k in c.contacts}
        keep = []
        for cd in draft.contacts:
            k = existing.get(cd.id) if cd.id else None
            if k is None:
                k = m.Contact()
            k.full_name, k.position = cd.full_name, cd.position or None
            k.phone, k.email, k.is_primary = cd.phone or None, cd.email or None, cd.is_primary
            k.search_text = contact_search_text(cd.full_name, cd.phone, cd.email)
            keep.append(k)
        c.contacts = keep

    def add(self, draft: CustomerDraft) -> int:
        c = m.Customer()
        self._apply(c, draft)
        self.s.add(c)
        _flush(self.s, "code", draft.code)
        return c.id

    def update(self, customer_id: int, version: int, draft: CustomerDraft) -> None:
        c = self._load(m.Customer, customer_id, version)
        self._apply(c, draft)
        _bump(c)
        _flush(self.s, "code", draft.code)

    def choices(self, folded_text: str, limit: int) -> list[CustomerChoice]:
        C = m.Customer
        stmt = select(C.id, C.code, C.name).order_by(C.sort_name, C.id).limit(limit)
        cond = _text_filter(C.search_text, folded_text, self.s)
        if cond is not None:
            stmt = stmt.where(cond)
        return [CustomerChoice(r.id, r.code, r.name) for r in self.s.execute(stmt)]

    def count(self) -> int:
        return self.s.scalar(select(func.count(m.Customer.id))) or 0

    def next_code(self) -> str:
        return _next_code(self.s, m.Customer.code, "KH", 5)

    def code_taken(self, code: str, except_id: int | None) -> bool:
        return _taken(self.s, m.Customer, m.Customer.code, code, except_id)


SIGNED_STAGES = tuple(s.value for s in ContractStage if s.order >= ContractStage.SIGNED.order)


def _coverage_by_customer(session: Session, customer_ids, contract_id: int | None = None) -> dict:
    """customer id -> (latest warranty end, latest maintenance end, outstanding VND).

    Outstanding counts signed contracts only (before signing nothing is owed yet)."""
    if not customer_ids:
        return {}
    K = m.Contract
    scope = [K.customer_id.in_(customer_ids)] + ([K.id == contract_id] if contract_id else [])
    ends = session.execute(select(K.customer_id, func.max(K.warranty_end), func.max(K.maintenance_end))
                           .where(*scope).group_by(K.customer_id)).all()
    owed = dict(session.execute(select(K.customer_id, func.sum(K.value_vnd))
                                .where(*scope, K.stage.in_(SIGNED_STAGES)).group_by(K.customer_id)).all())
    paid = dict(session.execute(select(K.customer_id, func.sum(m.Payment.amount_vnd))
                                .join(m.Payment, m.Payment.contract_id == K.id)
                                .where(*scope, K.stage.in_(SIGNED_STAGES)).group_by(K.customer_id)).all())
    return {cid: (w, mt, max(0, (owed.get(cid) or 0) - (paid.get(cid) or 0))) for cid, w, mt in ends}


def _next_code(session: Session, column, prefix: str, width: int) -> str:
    """The next code `prefix` + zero-padded number, after the highest one in use."""
    pattern = prefix + "_" * width
    last = session.scalar(select(func.max(column)).where(column.like(pattern)))
    number = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{number:0{width}d}"


def _taken(session: Session, model, column, value: str, except_id: int | None) -> bool:
    stmt = select(model.id).where(column == value)
    if except_id is not None:
        stmt = stmt.where(model.id != except_id)
    return session.scalar(stmt.limit(1)) is not None


def _flush(session: Session, field: str, value: str) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConcurrentEditError(str(exc)) from exc
    except IntegrityError as exc:
        if "unique" in str(exc.orig).lower():
            raise DuplicateError(field, value) from exc
        raise


class SqlContractRepository(_Repo):
    SORTS = {
        "number": m.Contract.number,
        "customer": m.Customer.sort_name,
        "package": m.Package.name,
        "stage": m.Contract.stage,
        "value_vnd": m.Contract.value_vnd,
        "signed_on": _empty_if_null(m.Contract.signed_on, "'0001-01-01'"),
        "accepted_on": _empty_if_null(m.Contract.accepted_on, "'0001-01-01'"),
        "warranty_end": _empty_if_null(m.Contract.warranty_end, "'0001-01-01'"),
        "maintenance_end": _empty_if_null(m.Contract.maintenance_end, "'0001-01-01'"),
    }

    def list(self, query: ListQuery) -> Page:
        K = m.Contract
        stmt = (
            select(K.id, K.number, K.customer_id, m.Customer.name.label("customer_name"),
                   m.Package.name.label("package_name"), K.stage, K.value_vnd, K.signed_on, K.accepted_on,
                   K.warranty_end, K.maintenance_end)
            .join(m.Customer, m.Customer.id == K.customer_id)
            .join(m.Package, m.Package.id == K.package_id)
        )
        cond = _text_filter(K.search_text, query.text, self.s)
        if cond is not None:
            stmt = stmt.where(cond)
        if query.filters.get("customer_id"):
            stmt = stmt.where(K.customer_id == query.filters["customer_id"])
        return _keyset(self.s, stmt, _sort(self.SORTS, query.sort), K.id, query,
                       lambda r: ContractRow(r.id, r.number, r.customer_id, r.customer_name, r.package_name, r.stage,
                                             r.value_vnd, r.signed_on, r.accepted_on, r.warranty_end, r.maintenance_end))

    def get(self, contract_id: int) -> ContractDetails:
        k = self._load(m.Contract, contract_id)
        draft = ContractDraft(
            customer_id=k.customer_id, package_id=k.package_id, number=k.number, stage=k.stage,
            value_vnd=k.value_vnd, request_received_on=k.request_received_on, signed_on=k.signed_on,
            accepted_on=k.accepted_on, maintenance_end=k.maintenance_end, notes=_nn(k.notes),
        )
        return ContractDetails(k.id, k.version, draft, k.customer.name, k.warranty_end)

    def _apply(self, k: m.Contract, draft: ContractDraft, warranty_end) -> None:
        k.number, k.customer_id, k.package_id, k.stage = draft.number, draft.customer_id, draft.package_id, draft.stage
        k.value_vnd, k.request_received_on, k.signed_on = draft.value_vnd, draft.request_received_on, draft.signed_on
        k.accepted_on, k.maintenance_end, k.notes = draft.accepted_on, draft.maintenance_end, draft.notes or None
        k.warranty_end = warranty_end
        customer = self._load(m.Customer, draft.customer_id)
        package = self._load(m.Package, draft.package_id)
        k.search_text = fold(f"{draft.number} {customer.code} {customer.name} {package.name}")

    def add(self, draft: ContractDraft, warranty_end) -> int:
        k = m.Contract()
        self._apply(k, draft, warranty_end)
        self.s.add(k)
        _flush(self.s, "number", draft.number)
        return k.id

    def update(self, contract_id: int, version: int, draft: ContractDraft, warranty_end) -> None:
        k = self._load(m.Contract, contract_id, version)
        self._apply(k, draft, warranty_end)
        _bump(k)
        _flush(self.s, "number", draft.number)

    def choices_for_customer(self, customer_id: int) -> list[ContractChoice]:
        rows = self.s.execute(
            select(m.Contract.id, m.Contract.number, m.Package.name, m.Contract.stage)
            .join(m.Package, m.Package.id == m.Contract.package_id)
            .where(m.Contract.customer_id == customer_id)
            .order_by(m.Contract.number)
        )
        return [ContractChoice(r[0], r[1], r[2], r[3]) for r in rows]

    def next_number(self, year: int) -> str:
        return _next_code(self.s, m.Contract.number, f"HD{year}-", 4)

    def file(self, contract_id: int) -> ContractFile:
        k = self._load(m.Contract, contract_id)
        payments = tuple(PaymentData(p.id, p.paid_on, p.amount_vnd, p.method, _nn(p.invoice_number)) for p in k.payments)
        planned = tuple(
            PlannedData(o.id, o.kind, o.due_on, _nn(o.title), o.done_on)
            for o in self.s.scalars(select(m.Obligation).where(m.Obligation.contract_id == contract_id,
                                                                 m.Obligation.derived.is_(False))
                                    .order_by(m.Obligation.due_on, m.Obligation.id))
        )
        events = self.s.scalars(select(m.ContractEvent).where(m.ContractEvent.contract_id == contract_id)
                                .order_by(m.ContractEvent.id)).all()
        history = tuple(ContractHistoryEntry(e.occurred_at, e.operator.full_name if e.operator else "", e.kind,
                                             _nn(e.field), _nn(e.old_value), _nn(e.new_value), _nn(e.body))
                        for e in events)
        return ContractFile(
            k.id, k.version, k.number, k.customer_id, k.customer.name, k.package.name, k.package.warranty_months,
            k.stage, k.value_vnd, k.request_received_on, k.agreed_on, k.signed_on, k.implementation_started_on,
            k.completed_on, k.accepted_on, k.warranty_end, k.maintenance_end, k.ended_on, k.renewal_notice_days,
            payments, planned, history,
        )

    def dates(self, contract_id: int) -> tuple[str, ContractDates, int]:
        k = self._load(m.Contract, contract_id)
        return k.stage, ContractDates(
            request_received_on=k.request_received_on, agreed_on=k.agreed_on, signed_on=k.signed_on,
            implementation_started_on=k.implementation_started_on, completed_on=k.completed_on,
            accepted_on=k.accepted_on, warranty_end=k.warranty_end, maintenance_end=k.maintenance_end,
            ended_on=k.ended_on), k.version

    def set_lifecycle(self, contract_id: int, version: int, stage: str, dates: ContractDates) -> None:
        k = self._load(m.Contract, contract_id, version)
        k.stage = stage
        for name in ("request_received_on", "agreed_on", "signed_on", "implementation_started_on", "completed_on",
                     "accepted_on", "warranty_end", "maintenance_end", "ended_on"):
            setattr(k, name, getattr(dates, name))
        _bump(k)
        _flush(self.s, "number", k.number)

    def add_payment(self, contract_id: int, payment: PaymentData) -> int:
        self._load(m.Contract, contract_id)
        p = m.Payment(contract_id=contract_id, paid_on=payment.paid_on, amount_vnd=payment.amount_vnd,
                      method=payment.method, invoice_number=payment.invoice_number or None)
        self.s.add(p)
        self.s.flush()
        return p.id

    def append_event(self, contract_id: int, operator_id: int | None, event: NewEvent) -> None:
        self.s.add(m.ContractEvent(
            contract_id=contract_id, operator_id=operator_id, kind=str(event.kind), field=event.field or None,
            old_value=event.old_value or None, new_value=event.new_value or None, body=event.body or None,
            occurred_at=event.occurred_at or datetime.now(timezone.utc)))
        self.s.flush()

    def replace_obligations(self, contract_id: int, derived, planned=None) -> None:
        """Rewrite the derived obligations (and the planned ones when given)."""
        k = self._load(m.Contract, contract_id)
        stmt = m.Obligation.__table__.delete().where(m.Obligation.contract_id == contract_id)
        if planned is None:
            stmt = stmt.where(m.Obligation.derived.is_(True))
        self.s.execute(stmt)
        for o in derived:
            self.s.add(m.Obligation(contract_id=contract_id, customer_id=k.customer_id, kind=o.kind.value,
                                    due_on=o.due_on, title=o.title or None, done_on=o.done_on, derived=True))
        for p in planned or ():
            self.s.add(m.Obligation(contract_id=contract_id, customer_id=k.customer_id, kind=p.kind,
                                    due_on=p.due_on, title=p.title or None, done_on=p.done_on, derived=False))
        self.s.flush()

    def coverage_facts(self, customer_id: int, contract_id: int | None) -> CoverageFacts:
        w, mt, owed = _coverage_by_customer(self.s, [customer_id], contract_id).get(customer_id, (None, None, 0))
        return CoverageFacts(w, mt, owed, contract_id)

    def number_taken(self, number: str, except_id: int | None) -> bool:
        return _taken(self.s, m.Contract, m.Contract.number, number, except_id)


CLOCK_KINDS = ("proposal", "fix", "complaint")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
CLOCK_FIELDS = ("started_at", "paused_seconds", "paused_since", "stopped_at", "due_at")
CLOCK_COLUMNS = [getattr(m.Ticket, f"{k}_{f}") for k in CLOCK_KINDS for f in CLOCK_FIELDS]


def _clocks_of(r) -> tuple:
    out = []
    for kind in CLOCK_KINDS:
        started = getattr(r, f"{kind}_started_at")
        if started is not None:
            out.append(TicketClock(kind, started, getattr(r, f"{kind}_paused_seconds") or 0,
                                   getattr(r, f"{kind}_paused_since"), getattr(r, f"{kind}_stopped_at"),
                                   getattr(r, f"{kind}_due_at")))
    return tuple(out)


def _terms_of(r) -> SlaTerms:
    """Package terms from a Package row or a list row with the package's columns."""
    hours = getattr(r, "support_hours", None)
    if hours is None:
        return SlaTerms()
    return SlaTerms(hours, r.proposal_target_minutes, r.fix_target_hours, r.fix_extended_hours,
                    r.complaint_target_hours)


class SqlTicketRepository(_Repo):
    SORTS = {
        "received_at": m.Ticket.received_at,
        "code": m.Ticket.code,
        "subject": m.Ticket.subject,
        "customer": m.Customer.sort_name,
        "request_type": m.Ticket.request_type,
        "channel": m.Ticket.channel,
        "priority": m.Ticket.priority,
        "status": m.Ticket.status,
        "coverage": _empty_if_null(m.Ticket.coverage),
        # Tickets without a running clock last: the far-future date sorts them after the rest.
        "next_due_at": _empty_if_null(m.Ticket.next_due_at, "'9999-12-31 00:00:00.000000'"),
    }

    def _row_stmt(self):
        T = m.Ticket
        assignee = aliased(m.Operator)
        P = m.Package
        return (
            select(T.id, T.code, T.subject, T.customer_id, m.Customer.name.label("customer_name"),
                   m.Contract.number.label("contract_number"), T.request_type, T.channel, T.priority, T.status,
                   T.coverage, assignee.full_name.label("assignee"), T.received_at, T.next_due_at,
                   *CLOCK_COLUMNS, P.support_hours, P.proposal_target_minutes, P.fix_target_hours,
                   P.fix_extended_hours, P.complaint_target_hours)
            .join(m.Customer, m.Customer.id == T.customer_id)
            .outerjoin(m.Contract, m.Contract.id == T.contract_id)
            .outerjoin(P, P.id == m.Contract.package_id)
            .outerjoin(assignee, assignee.id == T.assignee_id)
        )

    @staticmethod
    def _to_row(r) -> TicketRow:
        return TicketRow(r.id, r.code, r.subject, r.customer_id, r.customer_name, _nn(r.contract_number),
                         r.request_type, r.channel, r.priority, r.status, _nn(r.coverage),
                         _nn(r.assignee), r.received_at, _clocks_of(r), _terms_of(r), r.next_due_at)

    def list(self, query: ListQuery) -> Page:
        T = m.Ticket
        stmt = self._row_stmt()
        cond = _text_filter(T.search_text, query.text, self.s)
        if cond is not None:
            stmt = stmt.where(cond)
        state = query.filters.get("state")
        if state == "open":
            stmt = stmt.where(_likely(self.s, T.status.in_(OPEN_STATUSES)))
        elif state == "done":
            stmt = stmt.where(_likely(self.s, T.status.not_in(OPEN_STATUSES)))
        if query.filters.get("customer_id"):
            stmt = stmt.where(T.customer_id == query.filters["customer_id"])
        return _keyset(self.s, stmt, _sort(self.SORTS, query.sort), T.id, query, self._to_row)

    @staticmethod
    def _due_between(stmt, start, end, column=None):
        column = m.Ticket.next_due_at if column is None else column
        stmt = stmt.where(column.is_not(None))
        if start is not None:
            stmt = stmt.where(column >= start)
        if end is not None:
            stmt = stmt.where(column < end)
        return stmt

    def _due_stmt(self, start, end):
        """Tickets whose clocks run and fall due in [start, end). A ticket waiting on the
        customer keeps its frozen due time in next_due_at (the list sorts by it) but is not
        due: its clocks are paused (waiting pauses them all at once)."""
        T = m.Ticket
        running = and_(*(or_(getattr(T, f"{k}_paused_since").is_(None), getattr(T, f"{k}_stopped_at").is_not(None))
                         for k in CLOCK_KINDS))
        return self._due_between(self._row_stmt(), start, end).where(running)

    def count_due(self, start, end) -> int:
        """As `_due_stmt`, counted from indexes: every ticket due in the range, less the paused ones."""
        T = m.Ticket
        due = self.s.scalar(self._due_between(select(func.count(T.id)), start, end)) or 0
        paused = self._paused()
        paused_due = self.s.scalar(self._due_between(select(func.count()).select_from(paused), start, end,
                                                     paused.c.next_due_at)) or 0
        return due - paused_due

    def due_rows(self, start, end, limit: int) -> list:
        rows = self.s.execute(self._due_stmt(start, end).order_by(m.Ticket.next_due_at, m.Ticket.id).limit(limit))
        return [self._to_row(r) for r in rows]

    def _paused(self):
        """(id, next_due_at) of the tickets with a clock paused and not stopped: one range of
        a covering index per clock kind (a time after the epoch, i.e. not null: SQLite takes
        no index for IS NOT NULL; "+" so the stop time is read from the same index, not
        looked up by its own, which would read every open ticket), united. About 0.02 s on
        1M tickets instead of a 0.8 s scan."""
        T = m.Ticket
        arms = [select(T.id, T.next_due_at).where(getattr(T, f"{k}_paused_since") >= _EPOCH,
                                                  literal_column(f"+tickets.{k}_stopped_at").is_(None))
                for k in CLOCK_KINDS]
        return arms[0].union(*arms[1:]).subquery()

    def count_paused(self) -> int:
        return self.s.scalar(select(func.count()).select_from(self._paused())) or 0

    def paused_rows(self, limit: int) -> list:
        T = m.Ticket
        paused = self._paused()
        # The few ids first, from the index; then their rows with the joins (joining and
        # sorting every paused ticket took 0.7 s on 1M tickets).
        ids = select(paused.c.id).order_by(paused.c.next_due_at, paused.c.id).limit(limit).scalar_subquery()
        rows = self.s.execute(self._row_stmt().where(T.id.in_(ids)).order_by(T.next_due_at, T.id))
        return [self._to_row(r) for r in rows]

    def stopped_clocks_since(self, since) -> list[tuple]:
        """(stopped_at, due_at) of every clock stopped since `since`, for met / breached counts."""
        T = m.Ticket
        out = []
        for k in CLOCK_KINDS:
            stopped, due = getattr(T, f"{k}_stopped_at"), getattr(T, f"{k}_due_at")
            out += self.s.execute(select(stopped, due).where(stopped >= since)).all()
        return out

    def clock_columns(self, ticket_id: int) -> tuple[dict, SlaTerms]:
        """kind -> stored columns of each clock, and the package terms they run on."""
        t = self._load(m.Ticket, ticket_id)
        package = t.contract.package if t.contract else None
        terms = _terms_of(package) if package else SlaTerms()
        return {kind: {name: getattr(t, f"{kind}_{name}") for name in CLOCK_FIELDS} for kind in CLOCK_KINDS}, terms

    def terms_for_contract(self, contract_id: int | None) -> SlaTerms:
        if not contract_id:
            return SlaTerms()
        k = self.s.get(m.Contract, contract_id)
        return _terms_of(k.package) if k else SlaTerms()

    def office_ticket_ids_due_from(self, moment) -> list[int]:
        """Tickets with a clock still running or paused, due at or after `moment`, on the
        office calendar (a package with office hours, or no package): the clocks a change of
        the office calendar on or after `moment` can move. Read through the partial due-time
        indexes, not the whole table."""
        T, K, P = m.Ticket, m.Contract, m.Package
        due_ids = [select(T.id).where(getattr(T, f"{k}_stopped_at").is_(None), getattr(T, f"{k}_due_at").is_not(None),
                                      getattr(T, f"{k}_due_at") >= moment) for k in CLOCK_KINDS]
        ids = due_ids[0].union(*due_ids[1:]).subquery()
        stmt = (select(T.id).join(ids, ids.c.id == T.id).outerjoin(K, K.id == T.contract_id)
                .outerjoin(P, P.id == K.package_id)
                .where(func.coalesce(P.support_hours, "office") == "office").order_by(T.id))
        return list(self.s.scalars(stmt))

    def clocks_of(self, ticket_ids) -> list[tuple[int, tuple, SlaTerms]]:
        """(ticket id, its clocks, its package terms) for a batch of tickets, in one query."""
        T, K, P = m.Ticket, m.Contract, m.Package
        stmt = (select(T.id, *CLOCK_COLUMNS, P.support_hours, P.proposal_target_minutes, P.fix_target_hours,
                       P.fix_extended_hours, P.complaint_target_hours)
                .outerjoin(K, K.id == T.contract_id).outerjoin(P, P.id == K.package_id)
                .where(T.id.in_(list(ticket_ids))).order_by(T.id))
        return [(r.id, _clocks_of(r), _terms_of(r)) for r in self.s.execute(stmt)]

    def write_clocks(self, updates) -> None:
        """Rewrite the clock columns of many tickets: `updates` is (ticket id, kind ->
        columns, next due). A recomputation is not an edit of the ticket, so its version is
        not bumped: an operator who has the ticket open can still save it."""
        groups: dict[tuple, list[dict]] = {}  # one executemany per set of clocks
        for ticket_id, columns, next_due_at in updates:
            row = {"b_id": ticket_id, "next_due_at": next_due_at}
            for kind, values in columns.items():
                row.update({f"{kind}_{name}": value for name, value in values.items()})
            groups.setdefault(tuple(sorted(row)), []).append(row)
        table = m.Ticket.__table__
        for names, rows in groups.items():
            stmt = (table.update().where(table.c.id == bindparam("b_id"))
                    .values({k: bindparam(k) for k in names if k != "b_id"}))
            self.s.connection().execute(stmt, rows)

    def set_clocks(self, ticket_id: int, columns: dict, next_due_at) -> None:
        t = self._load(m.Ticket, ticket_id)
        for kind, values in columns.items():
            for name, value in values.items():
                setattr(t, f"{kind}_{name}", value)
        t.next_due_at = next_due_at
        self.s.flush()

    def get(self, ticket_id: int) -> TicketDetails:
        t = self._load(m.Ticket, ticket_id)
        draft = TicketDraft(
            customer_id=t.customer_id, subject=t.subject, request_type=t.request_type, channel=t.channel,
            priority=t.priority, status=t.status, contact_id=t.contact_id, contract_id=t.contract_id,
            assignee_id=t.assignee_id, description=_nn(t.description), coverage=_nn(t.coverage),
            received_at=t.received_at,
        )
        # In the order things happened (a call logged after it ended sits where it took place).
        events = self.s.scalars(
            select(m.TicketEvent).where(m.TicketEvent.ticket_id == ticket_id)
            .order_by(m.TicketEvent.occurred_at, m.TicketEvent.id)
        ).all()
        history = tuple(
            HistoryEntry(e.occurred_at, e.operator.full_name if e.operator else "", e.kind, _nn(e.field),
                         _nn(e.old_value), _nn(e.new_value), _nn(e.body), e.id, e.corrects_id, e.duration_minutes,
                         details_from_json(e.details), e.created_at)
            for e in events
        )
        return TicketDetails(
            t.id, t.version, t.code, draft, t.customer.name, t.contact.full_name if t.contact else "",
            t.contract.number if t.contract else "", history,
        )

    def _apply(self, t: m.Ticket, draft: TicketDraft) -> None:
        t.customer_id, t.subject, t.request_type, t.channel = draft.customer_id, draft.subject, draft.request_type, draft.channel
        t.priority, t.status, t.contact_id, t.contract_id = draft.priority, draft.status, draft.contact_id, draft.contract_id
        t.assignee_id, t.description, t.coverage = draft.assignee_id, draft.description or None, draft.coverage or None
        t.received_at = draft.received_at
        customer = self._load(m.Customer, draft.customer_id)
        now = datetime.now(timezone.utc)
        if not TicketStatus(draft.status).is_open and t.resolved_at is None:
            t.resolved_at = now
        if TicketStatus(draft.status).is_open:
            t.resolved_at = None
        t.closed_at = (t.closed_at or now) if draft.status == TicketStatus.CLOSED else None
        t.search_text = fold(f"{t.code} {draft.subject} {customer.code} {customer.name} {draft.description}")

    def add(self, draft: TicketDraft, code: str) -> int:
        t = m.Ticket(code=code)
        self._apply(t, draft)
        self.s.add(t)
        _flush(self.s, "code", code)
        return t.id

    def update(self, ticket_id: int, version: int, draft: TicketDraft) -> None:
        t = self._load(m.Ticket, ticket_id, version)
        self._apply(t, draft)
        _bump(t)
        _flush(self.s, "code", t.code)

    def append_event(self, ticket_id: int, operator_id: int | None, event: NewEvent) -> None:
        self.s.add(m.TicketEvent(
            ticket_id=ticket_id, operator_id=operator_id, kind=str(event.kind), field=event.field or None,
            old_value=event.old_value or None, new_value=event.new_value or None, body=event.body or None,
            occurred_at=event.occurred_at or datetime.now(timezone.utc),
        ))
        self.s.flush()

    def append_worklog(self, ticket_id: int, operator_id: int | None, draft: WorkLogDraft, occurred_at) -> int:
        """Append a work-log entry (validated by the service). The history has no update or
        delete: a correction is appended like any entry, naming the one it corrects."""
        e = m.TicketEvent(
            ticket_id=ticket_id, operator_id=operator_id, kind=str(draft.kind), body=draft.body or None,
            details=details_to_json(draft), duration_minutes=worklog_duration(draft),
            corrects_id=draft.corrects_id, occurred_at=occurred_at)
        self.s.add(e)
        self.s.flush()
        return e.id

    def event_facts(self, event_id: int) -> tuple[int, str]:
        """(ticket id, kind) of a history entry."""
        e = self._load(m.TicketEvent, event_id)
        return e.ticket_id, e.kind

    def next_code(self, year: int) -> str:
        return _next_code(self.s, m.Ticket.code, f"YC{year % 100:02d}-", 6)

    def count_how_to(self, customer_id: int, folded_subject: str, except_id: int | None = None) -> int:
        """Earlier how-to requests of this customer on the same topic (same folded subject)."""
        T = m.Ticket
        stmt = select(T.subject).where(T.customer_id == customer_id, T.request_type == RequestType.HOW_TO.value)
        if except_id is not None:
            stmt = stmt.where(T.id != except_id)
        # Compared folded in Python: SQLite cannot fold Vietnamese diacritics or đ.
        return sum(1 for subject in self.s.scalars(stmt) if fold(subject) == folded_subject)


class SqlObligationRepository(_Repo):
    SORTS = {"due_on": m.Obligation.due_on, "kind": m.Obligation.kind, "customer": m.Customer.sort_name}

    def list(self, query: ListQuery) -> Page:
        O = m.Obligation
        stmt = (select(O.id, O.kind, O.due_on, O.customer_id, m.Customer.name.label("customer_name"), O.contract_id,
                       m.Contract.number.label("contract_number"), O.title, O.done_on)
                .join(m.Customer, m.Customer.id == O.customer_id)
                .join(m.Contract, m.Contract.id == O.contract_id))
        cond = _text_filter(m.Customer.search_text, query.text, self.s)
        if cond is not None:
            stmt = stmt.where(cond)
        f = query.filters
        if f.get("customer_id"):
            stmt = stmt.where(O.customer_id == f["customer_id"])
        if f.get("kind"):
            stmt = stmt.where(O.kind == f["kind"])
        if f.get("until"):
            stmt = stmt.where(O.due_on <= f["until"])
        if f.get("from"):
            stmt = stmt.where(O.due_on >= f["from"])
        if not f.get("include_done"):
            stmt = stmt.where(O.done_on.is_(None))
        if f.get("derived_since"):
            # Dates derived from a contract (a warranty end two years ago) stop being news;
            # planned items that were never done stay until someone marks them.
            stmt = stmt.where(or_(O.derived.is_(False), O.due_on >= f["derived_since"]))
        return _keyset(self.s, stmt, _sort(self.SORTS, query.sort), O.id, query,
                       lambda r: ObligationRow(r.id, r.kind, r.due_on, r.customer_id, r.customer_name, r.contract_id,
                                               r.contract_number, _nn(r.title), r.done_on))


class SqlAlertRepository(_Repo):
    @staticmethod
    def _no_alert(kind: str, state: str):
        T, A = m.Ticket, m.Alert
        key = literal("ticket:") + func.cast(T.id, String) + literal(f":{kind}:{state}")
        return ~select(A.id).where(A.key == key).exists()

    def breached_between(self, start, end, limit: int = 5000) -> dict[str, list[tuple]]:
        """kind -> (ticket id, code, subject, due) of the clocks still running that fell due
        in [start, end) and have no breach alert yet, by due time. A clock paused before its
        due time is not breached (its due time moves when it resumes). Each kind is a range
        of its partial due-time index."""
        T = m.Ticket
        out = {}
        for kind in CLOCK_KINDS:
            due, stopped, paused = (getattr(T, f"{kind}_due_at"), getattr(T, f"{kind}_stopped_at"),
                                    getattr(T, f"{kind}_paused_since"))
            stmt = (select(T.id, T.code, T.subject, due)
                    .where(stopped.is_(None), due.is_not(None), due >= start, due < end,
                           or_(paused.is_(None), paused > due), self._no_alert(kind, "breached"))
                    .order_by(due).limit(limit))
            out[kind] = self.s.execute(stmt).all()
        return out

    def at_risk_candidates(self, now, horizons: dict, limit: int = 5000) -> list[tuple[str, TicketRow]]:
        """(kind, ticket row) of the running, unpaused clocks due in (now, horizon of their
        kind] with no at-risk alert yet: every clock that can be at risk now, and a few that
        are not yet (the caller asks the clock)."""
        T = m.Ticket
        tickets = SqlTicketRepository(self.s)
        out = []
        for kind in CLOCK_KINDS:
            due, stopped, paused = (getattr(T, f"{kind}_due_at"), getattr(T, f"{kind}_stopped_at"),
                                    getattr(T, f"{kind}_paused_since"))
            stmt = (tickets._row_stmt()
                    .where(stopped.is_(None), due.is_not(None), due > now, due <= horizons[kind], paused.is_(None),
                           self._no_alert(kind, "at_risk"))
                    .order_by(due).limit(limit))
            out += [(kind, tickets._to_row(r)) for r in self.s.execute(stmt)]
        return out

    def has(self, key: str) -> bool:
        return self.s.scalar(select(m.Alert.id).where(m.Alert.key == key)) is not None

    def add(self, key: str, kind: str, title: str, ticket_id=None, contract_id=None, due_at=None, raised_at=None) -> None:
        self.s.add(m.Alert(key=key, kind=kind, title=title, ticket_id=ticket_id, contract_id=contract_id,
                           due_at=due_at, raised_at=raised_at or datetime.now(timezone.utc)))

    def flush_new(self, keys) -> list[AlertData]:
        self.s.flush()
        if not keys:
            return []
        rows = self.s.scalars(select(m.Alert).where(m.Alert.key.in_(list(keys))).order_by(m.Alert.id))
        return [_alert(a) for a in rows]

    def recent(self, limit: int = 200) -> list[AlertData]:
        rows = self.s.scalars(select(m.Alert).order_by(m.Alert.raised_at.desc(), m.Alert.id.desc()).limit(limit))
        return [_alert(a) for a in rows]

    def mark_read(self, now) -> None:
        self.s.execute(m.Alert.__table__.update().where(m.Alert.read_at.is_(None)).values(read_at=now))


def _alert(a) -> AlertData:
    return AlertData(a.id, a.kind, a.ticket_id, a.contract_id, a.title, a.due_at, a.raised_at, a.read_at is not None)


class SqlVerificationRepository(_Repo):
    def questions(self, customer_id: int) -> list[VerificationQuestionData]:
        rows = self.s.scalars(select(m.VerificationQuestion).where(m.VerificationQuestion.customer_id == customer_id)
                              .order_by(m.VerificationQuestion.id))
        return [VerificationQuestionData(q.id, q.question) for q in rows]

    def add(self, customer_id: int, question: str, answer_hash: str) -> int:
        q = m.VerificationQuestion(customer_id=customer_id, question=question, answer_hash=answer_hash)
        self.s.add(q)
        self.s.flush()
        return q.id

    def answer_hash(self, question_id: int) -> tuple[int, str]:
        q = self._load(m.VerificationQuestion, question_id)
        return q.customer_id, q.answer_hash


class SqlCalendarRepository(_Repo):
    """The firm's own calendar days (m.CalendarException)."""

    def all(self) -> list[CalendarDay]:
        rows = self.s.scalars(select(m.CalendarException).order_by(m.CalendarException.day))
        return [CalendarDay(r.day, r.kind, r.name) for r in rows]

    def put(self, day: CalendarDay) -> None:
        """Add the day, or replace what was set for that date."""
        row = self.s.scalar(select(m.CalendarException).where(m.CalendarException.day == day.day))
        if row is None:
            self.s.add(m.CalendarException(day=day.day, kind=day.kind, name=day.name))
        else:
            row.kind, row.name = day.kind, day.name
        self.s.flush()

    def remove(self, day) -> None:
        self.s.execute(m.CalendarException.__table__.delete().where(m.CalendarException.day == day))


def _show_phone(e164: str | None) -> str:
    from ..domain.phone import PhoneError, format_phone

    if not e164:
        return ""
    try:
        return format_phone(e164)
    except PhoneError:  # stored before numbers were checked
        return e164


def _joined(*parts) -> str:
    return " · ".join(p for p in parts if p)


class SqlSearchRepository(_Repo):
    """Candidates for the global search: exact and prefix hits on indexed codes, numbers,
    tax codes and phones, plus the most recent rows whose search_text contains every word
    (from the trigram index where there is one). Ranking is the service's."""

    KINDS = ("customer", "contact", "contract", "ticket")
    _TABLES = {"customer": "customers", "contact": "contacts", "contract": "contracts", "ticket": "tickets"}
    #: Tables where a query of several words is narrowed by rare trigrams (_rare_trigrams): on
    #: the others (50,000-80,000 rows) intersecting every trigram takes 2-4 ms, as much as
    #: counting them first.
    _NARROWED = frozenset({"tickets"})

    def find(self, kind: str, terms: SearchTerms, window: int) -> tuple[list[SearchCandidate], bool]:
        """(candidates, whether more rows than `window` contain the words). Matches are not
        counted beyond the window: a count reads every match (0.1–0.9 s for a common word
        in a million tickets), the window only the newest."""
        exact, ordered = getattr(self, f"_keys_{kind}")(terms, window)
        found = self._containing(self._TABLES[kind], terms, window)
        ids = list(dict.fromkeys([*exact, *ordered, *found]))
        rows = getattr(self, f"_rows_{kind}")(ids, set(exact)) if ids else []
        return rows, len(found) >= window

    # -- what contains every word ----------------------------------------------------
    def _containing(self, table: str, terms: SearchTerms, window: int) -> list[int]:
        """The newest `window` rows whose search_text contains every word."""
        if not terms.indexed:
            return []
        if search_index_available(self.s, table):
            source, key = f"{table}_fts", "rowid"
            indexed = [w for w in terms.words if len(w) >= MIN_INDEXED and not set(w) & set("%_\\")]
            rest = [w for w in terms.words if w not in indexed]
            narrow = self._rare_trigrams(source, indexed) \
                if len(indexed) > 1 and table in self._NARROWED else None
            if narrow is not None:
                # A rare word among common ones: the index gives the rows holding each word's
                # rarest trigram (fewer than RARE_TRIGRAM), every word is checked on those.
                conds = [f"{source} MATCH :q"] + [f"instr(search_text, :s{i}) > 0" for i in range(len(terms.words))]
                params = {"q": narrow, **{f"s{i}": w for i, w in enumerate(terms.words)}}
            else:
                # LIKE on a trigram FTS5 column is answered from its index (no ESCAPE there);
                # the other words are checked on the rows it found.
                conds = [f"search_text LIKE :w{i}" for i in range(len(indexed))]
                conds += [f"instr(search_text, :s{i}) > 0" for i in range(len(rest))]
                params = {**{f"w{i}": f"%{w}%" for i, w in enumerate(indexed)},
                          **{f"s{i}": w for i, w in enumerate(rest)}}
        else:
            source, key = table, "id"
            conds = [f"search_text LIKE :w{i} ESCAPE '\\'" for i in range(len(terms.words))]
            params = {f"w{i}": f"%{_escape_like(w)}%" for i, w in enumerate(terms.words)}
        where = " AND ".join(conds)
        return [r[0] for r in self.s.execute(
            text(f"SELECT {key} FROM {source} WHERE {where} ORDER BY {key} DESC LIMIT :window"),
            {**params, "window": window})]

    def _rare_trigrams(self, fts: str, words: list[str]) -> str | None:
        """An FTS5 query for the rarest trigram of each word, when one of them is in fewer
        than RARE_TRIGRAM rows; else None. With several words LIKE makes FTS5 intersect every
        trigram of every word: a rare name next to common words ("nguyen cong hieu") read the
        long lists of "ong", "con", "hie"… (35 ms on 1M tickets). One trigram per word, the
        candidates (fewer than RARE_TRIGRAM) read and checked, takes a third of that. Counted
        on the index alone, each up to RARE_TRIGRAM (~0.3 ms for a common one)."""
        grams = {w: list(dict.fromkeys(w[i:i + 3] for i in range(len(w) - 2))) for w in words}
        distinct = list(dict.fromkeys(g for gs in grams.values() for g in gs))
        counts = dict(zip(distinct, self.s.execute(text("SELECT " + ", ".join(
            f"(SELECT count(*) FROM (SELECT rowid FROM {fts} WHERE {fts} MATCH :g{i} LIMIT :n))"
            for i in range(len(distinct)))), {"n": RARE_TRIGRAM, **{f"g{i}": _fts_phrase(g) for i, g in
                                                                   enumerate(distinct)}}).one()))
        if min(counts.values()) >= RARE_TRIGRAM:
            return None  # only common words: their intersection is found soonest by LIKE
        rarest = dict.fromkeys(min(gs, key=counts.__getitem__) for gs in grams.values())
        return " AND ".join(_fts_phrase(g) for g in rarest)

    # -- exact and prefix matches on indexed columns -----------------------------------
    def _prefix(self, column, code: str, window: int) -> list[int]:
        if len(code) < 2:
            return []
        model = column.class_
        return list(self.s.scalars(select(model.id).where(column >= code, column < code + "\uffff")
                                   .order_by(column).limit(window)))

    def _keys_customer(self, terms: SearchTerms, window: int):
        C, K = m.Customer, m.Contact
        conds = [C.code == terms.code]
        if terms.tax_code:
            conds.append(C.tax_code == terms.tax_code)
        if terms.phones:
            conds += [C.phone.in_(terms.phones),
                      C.id.in_(select(K.customer_id).where(K.phone.in_(terms.phones)))]
        exact = list(self.s.scalars(select(C.id).where(or_(*conds)).limit(window)))
        return exact, self._prefix(C.code, terms.code, window)

    def _keys_contact(self, terms: SearchTerms, window: int):
        K = m.Contact
        exact = list(self.s.scalars(select(K.id).where(K.phone.in_(terms.phones)).limit(window))) \
            if terms.phones else []
        return exact, []

    def _keys_contract(self, terms: SearchTerms, window: int):
        K = m.Contract
        exact = list(self.s.scalars(select(K.id).where(K.number == terms.code)))
        return exact, self._prefix(K.number, terms.code, window)

    def _keys_ticket(self, terms: SearchTerms, window: int):
        T = m.Ticket
        exact = list(self.s.scalars(select(T.id).where(T.code == terms.code)))
        return exact, self._prefix(T.code, terms.code, window)

    # -- the rows, for display and ranking -------------------------------------------
    def _rows_customer(self, ids, exact) -> list[SearchCandidate]:
        C = m.Customer
        rows = self.s.execute(select(C.id, C.code, C.name, C.tax_code, C.phone, C.search_text, C.updated_at)
                              .where(C.id.in_(ids)))
        return [SearchCandidate("customer", r.id, r.code, r.name, _joined(_nn(r.tax_code), _show_phone(r.phone)),
                                r.id, r.search_text, r.updated_at, r.id in exact, (r.code, r.name))
                for r in rows]

    def _rows_contact(self, ids, exact) -> list[SearchCandidate]:
        K, C = m.Contact, m.Customer
        rows = self.s.execute(select(K.id, K.full_name, K.phone, K.customer_id, C.code, C.name, K.search_text,
                                     K.updated_at).join(C, C.id == K.customer_id).where(K.id.in_(ids)))
        return [SearchCandidate("contact", r.id, "", r.full_name, _joined(_show_phone(r.phone), f"{r.code} – {r.name}"),
                                r.customer_id, r.search_text, r.updated_at, r.id in exact, (r.full_name,))
                for r in rows]

    def _rows_contract(self, ids, exact) -> list[SearchCandidate]:
        K, C, P = m.Contract, m.Customer, m.Package
        rows = self.s.execute(select(K.id, K.number, K.customer_id, C.code, C.name, P.name.label("package"), K.stage,
                                     K.search_text, K.updated_at)
                              .join(C, C.id == K.customer_id).join(P, P.id == K.package_id).where(K.id.in_(ids)))
        return [SearchCandidate("contract", r.id, r.number, r.name, _joined(r.code, r.package), r.customer_id,
                                r.search_text, r.updated_at, r.id in exact, (r.number,), r.stage)
                for r in rows]

    def _rows_ticket(self, ids, exact) -> list[SearchCandidate]:
        T, C = m.Ticket, m.Customer
        rows = self.s.execute(select(T.id, T.code, T.subject, T.customer_id, C.code.label("customer_code"),
                                     C.name, T.status, T.search_text, T.received_at)
                              .join(C, C.id == T.customer_id).where(T.id.in_(ids)))
        return [SearchCandidate("ticket", r.id, r.code, r.subject, f"{r.customer_code} – {r.name}", r.customer_id,
                                r.search_text, r.received_at, r.id in exact, (r.code, r.subject), r.status)
                for r in rows]


_SEARCH_INDEXES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def search_index_available(session: Session, table: str) -> bool:
    """`<table>_fts` exists (SQLite with migration 0007 and FTS5 trigram). Asked once per engine."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return False
    engine = getattr(bind, "engine", bind)
    known = _SEARCH_INDEXES.get(engine)
    if known is None:
        known = set(session.scalars(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_fts' ESCAPE '\\'")))
        _SEARCH_INDEXES[engine] = known
    return f"{table}_fts" in known


def _party(c: m.Customer) -> PartyFacts:
    return PartyFacts(c.name, c.code, _nn(c.address), _nn(c.tax_code))


def _public(operator: m.Operator | None) -> tuple[str, str]:
    """An operator as customers may see them: alias and code only (seed 002 §7)."""
    return (operator.alias, operator.code) if operator is not None else ("", "")


class SqlReportRepository(_Repo):
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
            contract.package.name if contract else "", details, _nn(newest.body), newest.occurred_at,
            *_public(technician), corrected=newest.id != e.id or newest.corrects_id is not None)

    def acceptance(self, contract_id: int, operator_id: int | None) -> AcceptanceReportFacts:
        k = self._load(m.Contract, contract_id)
        milestones = tuple(
            (o.kind, o.due_on, _nn(o.title), o.done_on)
            for o in self.s.scalars(select(m.Obligation).where(
                m.Obligation.contract_id == contract_id, m.Obligation.derived.is_(False),
                m.Obligation.kind.in_(("milestone_installation", "milestone_training", "milestone_pilot",
                                       "milestone_acceptance"))).order_by(m.Obligation.due_on, m.Obligation.id)))
        return AcceptanceReportFacts(
            k.id, k.number, k.package.name, k.package.warranty_months, k.value_vnd, _party(k.customer), k.signed_on,
            k.implementation_started_on, k.completed_on, k.accepted_on, k.warranty_end, milestones,
            *_public(self.s.get(m.Operator, operator_id or 0)))


class SqlUnitOfWork:
    """One session, one transaction. Leaving without `commit()` rolls back."""

    def __init__(self, session_factory):
        self._session_factory = session_factory

    def __enter__(self):
        self.session = self._session_factory()
        self.operators = SqlOperatorRepository(self.session)
        self.packages = SqlPackageRepository(self.session)
        self.customers = SqlCustomerRepository(self.session)
        self.contracts = SqlContractRepository(self.session)
        self.tickets = SqlTicketRepository(self.session)
        self.obligations = SqlObligationRepository(self.session)
        self.verification = SqlVerificationRepository(self.session)
        self.alerts = SqlAlertRepository(self.session)
        from .callers import SqlCallerRepository  # it builds on this module's queries

        self.callers = SqlCallerRepository(self.session)
        self.calendar = SqlCalendarRepository(self.session)
        self.search = SqlSearchRepository(self.session)
        self.reports = SqlReportRepository(self.session)
        return self

    def __exit__(self, *exc) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        try:
            self.session.commit()
        except StaleDataError as exc:
            raise ConcurrentEditError(str(exc)) from exc

    def get_meta(self, key: str) -> str | None:
        row = self.session.get(m.AppMeta, key)
        return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.session.merge(m.AppMeta(key=key, value=value))


def uow_factory(engine) -> Callable[[], SqlUnitOfWork]:
    from sqlalchemy.orm import sessionmaker

    factory = sessionmaker(engine, expire_on_commit=False)
    return lambda: SqlUnitOfWork(factory)
