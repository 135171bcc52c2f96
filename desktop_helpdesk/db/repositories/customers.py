"""Customers and their contacts, with the search_text the lists and the search read."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import bindparam, func, select

from ...domain.text import fold, sort_text
from ...domain.vietnam import VIETNAM
from ...services.dto import (
    ContactData,
    CoverageFacts,
    CustomerChoice,
    CustomerDetails,
    CustomerDraft,
    CustomerHistoryRow,
    CustomerHoldings,
    CustomerRow,
    ListQuery,
    MovedHoldings,
    NewEvent,
    Page,
)
from .. import models as m
from ._sql import (
    OPEN_STATUSES,
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
from .contracts import coverage_facts_by_customer


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


def draft_of(c: m.Customer) -> CustomerDraft:
    """The customer as its form reads it (with its contacts loaded)."""
    contacts = tuple(
        ContactData(k.id, k.full_name, nn(k.position), nn(k.phone), nn(k.email), k.is_primary) for k in c.contacts
    )
    return CustomerDraft(
        name=c.name, kind=c.kind, code=c.code, tax_code=nn(c.tax_code), address=nn(c.address),
        province=nn(c.province), phone=nn(c.phone), email=nn(c.email), notes=nn(c.notes), contacts=contacts,
    )


#: The tables whose rows belong to a customer by `customer_id` (a merge moves them all; the
#: customer's own history, customer_events, stays with it).
_HELD = (m.Contact, m.Contract, m.Ticket, m.Obligation, m.VerificationQuestion)


class SqlCustomerRepository(Repo):
    SORTS = {
        "code": m.Customer.code,
        "name": m.Customer.sort_name,  # Vietnamese dictionary order
        "kind": m.Customer.kind,
        "tax_code": empty_if_null(m.Customer.tax_code),
        "phone": empty_if_null(m.Customer.phone),
        "province": empty_if_null(m.Customer.province),
    }

    def list(self, query: ListQuery) -> Page:
        """A page of customers; archived ones only with the filter `archived` true."""
        C = m.Customer
        stmt = select(C.id, C.code, C.name, C.kind, C.tax_code, C.phone, C.province, C.archived_at)
        cond = text_filter(C.search_text, query.text, self.s)
        if cond is not None:
            stmt = stmt.where(cond)
        if not query.filters.get("archived"):
            stmt = stmt.where(C.archived_at.is_(None))
        page = keyset(self.s, stmt, chosen_sort(self.SORTS, query.sort), C.id, query, lambda r: r)
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
        # On the desk's date by the unit of work's clock (a schedule's debt depends on it).
        coverage = coverage_facts_by_customer(self.s, ids, today=self._clock().astimezone(VIETNAM).date())
        none = CoverageFacts(None, None, 0)

        def row(r) -> CustomerRow:
            f = coverage.get(r.id, none)
            return CustomerRow(r.id, r.code, r.name, r.kind, nn(r.tax_code), nn(r.phone), nn(r.province),
                               contracts.get(r.id, 0), open_tickets.get(r.id, 0), f.warranty_end, f.maintenance_end,
                               f.outstanding_vnd, r.archived_at is not None, f.terminated_on)

        rows = tuple(row(r) for r in page.rows)
        return Page(rows=rows, next_cursor=page.next_cursor)

    def get(self, customer_id: int) -> CustomerDetails:
        c = self._load(m.Customer, customer_id)
        merged_into = None
        if c.merged_into_id is not None:
            kept = self._load(m.Customer, c.merged_into_id)
            merged_into = CustomerChoice(kept.id, kept.code, kept.name)
        return CustomerDetails(c.id, c.version, draft_of(c), nn(c.updated_by), c.updated_at,
                               c.archived_at, merged_into)

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
                k = self._stamped(m.Contact())
            k.full_name, k.position = cd.full_name, cd.position or None
            k.phone, k.email, k.is_primary = cd.phone or None, cd.email or None, cd.is_primary
            k.search_text = contact_search_text(cd.full_name, cd.phone, cd.email)
            keep.append(k)
        c.contacts = keep

    def add(self, draft: CustomerDraft) -> int:
        c = with_uuid(self._stamped(m.Customer()), draft.uuid)
        self._apply(c, draft)
        self.s.add(c)
        flush(self.s, "code", draft.code, uuid=draft.uuid)
        return c.id

    def id_for_uuid(self, uuid: str) -> int | None:
        return id_for_uuid(self.s, m.Customer, uuid)

    def update(self, customer_id: int, version: int, draft: CustomerDraft) -> None:
        c = self._load(m.Customer, customer_id, version)
        self._apply(c, draft)
        self._bump(c)
        flush(self.s, "code", draft.code)

    def choices(self, folded_text: str, limit: int) -> list[CustomerChoice]:
        """Customers new work may be for: archived ones are not offered."""
        C = m.Customer
        stmt = select(C.id, C.code, C.name).where(C.archived_at.is_(None)).order_by(C.sort_name, C.id).limit(limit)
        cond = text_filter(C.search_text, folded_text, self.s)
        if cond is not None:
            stmt = stmt.where(cond)
        return [CustomerChoice(r.id, r.code, r.name) for r in self.s.execute(stmt)]

    def count(self) -> int:
        return self.s.scalar(select(func.count(m.Customer.id))) or 0

    def next_code(self) -> str:
        return take_code(self.s, m.Customer.code, "KH", 5)

    def code_taken(self, code: str, except_id: int | None) -> bool:
        return taken(self.s, m.Customer, m.Customer.code, code, except_id)

    # -- merge and archive (issue #14) ------------------------------------------------
    def holdings(self, customer_id: int) -> CustomerHoldings:
        """How many rows of each kind refer to the customer (one query)."""
        def count(model, *conds):
            return (select(func.count()).select_from(model)
                    .where(model.customer_id == customer_id, *conds).scalar_subquery())

        row = self.s.execute(select(
            count(m.Contact), count(m.Contract), count(m.Ticket),
            count(m.Ticket, m.Ticket.status.in_(OPEN_STATUSES)),
            count(m.Obligation), count(m.VerificationQuestion))).one()
        return CustomerHoldings(*row)

    def merge(self, keep_id: int, keep_version: int, duplicate_id: int, duplicate_version: int,
              kept: CustomerDraft, archived_at: datetime) -> MovedHoldings:
        """Move everything of the duplicate's (contacts, contracts, tickets, obligations,
        verification questions) to the customer kept, whose fields become `kept`'s (its code,
        name and kind stay), and archive the duplicate pointing at it. Either customer
        changed since its version was read: ConcurrentEditError, nothing written."""
        keep = self._load(m.Customer, keep_id, keep_version)
        duplicate = self._load(m.Customer, duplicate_id, duplicate_version)
        keep.tax_code, keep.address, keep.province = kept.tax_code or None, kept.address or None, kept.province or None
        keep.phone, keep.email, keep.notes = kept.phone or None, kept.email or None, kept.notes or None
        has_primary = any(k.is_primary for k in keep.contacts)
        # The contacts they will have, for the search: the kept one's, then the duplicate's.
        keep.search_text = customer_search_text(replace(draft_of(keep), contacts=draft_of(keep).contacts
                                                        + draft_of(duplicate).contacts))
        duplicate.search_text = customer_search_text(replace(draft_of(duplicate), contacts=()))
        duplicate.archived_at = archived_at
        duplicate.merged_into_id = keep_id
        self._bump(keep)
        self._bump(duplicate)
        flush(self.s, "code", keep.code)  # the version checks of both rows, and the author stamped
        who, now = keep.updated_by, self._clock()
        moved: dict[str, list[int]] = {}
        for model in _HELD:
            table = model.__table__
            values = {"customer_id": keep_id, "version": table.c.version + 1, "updated_at": now, "updated_by": who}
            if model is m.Contact and has_primary:
                values["is_primary"] = False  # the kept customer's primary contact stays the one
            # Through the session: the change feed hears of each table.
            moved[table.name] = list(self.s.execute(
                table.update().where(table.c.customer_id == duplicate_id).values(values).returning(table.c.id)
            ).scalars())
        self.s.expire(keep, ["contacts"])
        self.s.expire(duplicate, ["contacts"])
        self._rewrite_search_text(moved["tickets"], moved["contracts"], keep)
        return MovedHoldings(tuple(sorted(moved["tickets"])), tuple(sorted(moved["contracts"])),
                             len(moved["contacts"]), len(moved["obligations"]), len(moved["verification_questions"]))

    def _rewrite_search_text(self, ticket_ids: list[int], contract_ids: list[int], customer: m.Customer) -> None:
        """The moved tickets' and contracts' search_text name their new customer (as
        tickets._apply and contracts._apply write it); SQLite's triggers and PostgreSQL's
        generated column follow."""
        T, K, P = m.Ticket, m.Contract, m.Package
        rows = []
        if ticket_ids:
            for r in self.s.execute(select(T.id, T.code, T.subject, T.description).where(T.id.in_(ticket_ids))):
                rows.append(("tickets", {"b_id": r.id, "b_text": fold(
                    f"{r.code} {r.subject} {customer.code} {customer.name} {r.description or ''}")}))
        if contract_ids:
            for r in self.s.execute(select(K.id, K.number, P.name).join(P, P.id == K.package_id)
                                    .where(K.id.in_(contract_ids))):
                rows.append(("contracts", {"b_id": r.id, "b_text": fold(
                    f"{r.number} {customer.code} {customer.name} {r.name}")}))
        for model in (T, K):
            table = model.__table__
            params = [p for name, p in rows if name == table.name]
            if params:
                self.s.execute(table.update().where(table.c.id == bindparam("b_id"))
                               .values(search_text=bindparam("b_text")), params)

    def set_archived(self, customer_id: int, version: int, archived_at: datetime | None) -> None:
        """Archive (a time) or restore (None) the customer, at the version read."""
        c = self._load(m.Customer, customer_id, version)
        c.archived_at = archived_at
        self._bump(c)
        flush(self.s, "code", c.code)

    def append_event(self, customer_id: int, operator_id: int | None, event: NewEvent) -> None:
        self.s.add(m.CustomerEvent(
            customer_id=customer_id, operator_id=operator_id, kind=str(event.kind), field=event.field or None,
            old_value=event.old_value or None, new_value=event.new_value or None, body=event.body or None,
            occurred_at=event.occurred_at or self._clock(), created_at=self._clock(), updated_at=self._clock()))
        self.s.flush()

    def history(self, customer_id: int) -> list[CustomerHistoryRow]:
        """The customer's own history, oldest first."""
        E, O = m.CustomerEvent, m.Operator
        stmt = (select(E.occurred_at, O.full_name, E.kind, E.field, E.old_value, E.new_value, E.body)
                .outerjoin(O, O.id == E.operator_id).where(E.customer_id == customer_id)
                .order_by(E.occurred_at, E.id))
        return [CustomerHistoryRow(r.occurred_at, nn(r.full_name), r.kind, nn(r.field), nn(r.old_value),
                                   nn(r.new_value), nn(r.body)) for r in self.s.execute(stmt)]
