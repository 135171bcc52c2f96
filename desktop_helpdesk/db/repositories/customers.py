"""Customers and their contacts, with the search_text the lists and the search read."""

from __future__ import annotations

from sqlalchemy import func, select

from ...domain.text import fold, sort_text
from ...services.dto import (
    ContactData,
    CustomerChoice,
    CustomerDetails,
    CustomerDraft,
    CustomerRow,
    ListQuery,
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
from .contracts import coverage_by_customer


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
        C = m.Customer
        stmt = select(C.id, C.code, C.name, C.kind, C.tax_code, C.phone, C.province)
        cond = text_filter(C.search_text, query.text, self.s)
        if cond is not None:
            stmt = stmt.where(cond)
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
        coverage = coverage_by_customer(self.s, ids)
        rows = tuple(CustomerRow(r.id, r.code, r.name, r.kind, nn(r.tax_code), nn(r.phone), nn(r.province),
                                 contracts.get(r.id, 0), open_tickets.get(r.id, 0),
                                 *coverage.get(r.id, (None, None, 0))) for r in page.rows)
        return Page(rows=rows, next_cursor=page.next_cursor)

    def get(self, customer_id: int) -> CustomerDetails:
        c = self._load(m.Customer, customer_id)
        contacts = tuple(
            ContactData(k.id, k.full_name, nn(k.position), nn(k.phone), nn(k.email), k.is_primary) for k in c.contacts
        )
        draft = CustomerDraft(
            name=c.name, kind=c.kind, code=c.code, tax_code=nn(c.tax_code), address=nn(c.address),
            province=nn(c.province), phone=nn(c.phone), email=nn(c.email), notes=nn(c.notes), contacts=contacts,
        )
        return CustomerDetails(c.id, c.version, draft, nn(c.updated_by), c.updated_at)

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
        C = m.Customer
        stmt = select(C.id, C.code, C.name).order_by(C.sort_name, C.id).limit(limit)
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
