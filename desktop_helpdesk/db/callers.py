"""The caller lookup's queries: who is on the phone, their coverage and their open tickets.

Phones are stored E.164 and indexed on both contacts and customers, so every reading of the
typed number is an exact `IN (...)` probe of an index; a customer code or tax code is an
exact probe of its index too. The coverage facts, open-ticket counts and the most urgent
open tickets are read only for the few customers found.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select

from ..services.dto import CallerMatch
from . import models as m
from .repositories import OPEN_STATUSES, SqlTicketRepository, _coverage_by_customer, _empty_if_null, _nn, _Repo


class SqlCallerRepository(_Repo):
    def find(self, phones, code: str, tax_code: str, limit: int = 20,
             tickets_per_customer: int = 5) -> list[CallerMatch]:
        """Contacts and customers whose phone is one of `phones` (in that order of
        preference), then customers whose code or tax code is exactly `code` / `tax_code`."""
        phones = list(phones)
        rank = {p: i for i, p in enumerate(phones)}
        K, C = m.Contact, m.Customer
        found: list[tuple] = []  # (sort key, match fields without the customer facts)
        if phones:
            contacts = self.s.execute(
                select(K.id, K.full_name, K.position, K.phone, C.id.label("cid"), C.code, C.name)
                .join(C, C.id == K.customer_id).where(K.phone.in_(phones)).limit(limit)).all()
            seen = set()
            for r in contacts:
                seen.add((r.cid, r.phone))
                found.append(((rank[r.phone], 0, r.full_name, r.id),
                              (r.cid, r.code, r.name, r.id, r.full_name, _nn(r.position), r.phone, "contact_phone",
                               rank[r.phone])))
            for r in self.s.execute(select(C.id, C.code, C.name, C.phone).where(C.phone.in_(phones)).limit(limit)):
                if (r.id, r.phone) in seen:  # the contact's line is the company's line: one answer
                    continue
                found.append(((rank[r.phone], 1, r.name, r.id),
                              (r.id, r.code, r.name, None, "", "", r.phone, "customer_phone", rank[r.phone])))
        conditions = ([C.code == code] if code else []) + ([C.tax_code == tax_code] if tax_code else [])
        if conditions:
            known = {f[1][0] for f in found}
            for r in self.s.execute(select(C.id, C.code, C.name, C.tax_code).where(or_(*conditions)).limit(limit)):
                if r.id not in known:
                    by = "customer_code" if r.code == code else "tax_code"
                    found.append(((len(phones), 2, r.name, r.id),
                                  (r.id, r.code, r.name, None, "", "", "", by, len(phones))))
        found.sort(key=lambda f: f[0])
        found = found[:limit]
        ids = list(dict.fromkeys(f[1][0] for f in found))
        if not ids:
            return []
        coverage = _coverage_by_customer(self.s, ids)
        T = m.Ticket
        counts = dict(self.s.execute(
            select(T.customer_id, func.count()).where(T.customer_id.in_(ids), T.status.in_(OPEN_STATUSES))
            .group_by(T.customer_id)).all())
        tickets = {}
        for cid in ids:
            if not counts.get(cid):
                tickets[cid] = ()
                continue
            due = _empty_if_null(T.next_due_at, "'9999-12-31 00:00:00.000000'")
            rows = self.s.execute(SqlTicketRepository(self.s)._row_stmt()
                                  .where(T.customer_id == cid, T.status.in_(OPEN_STATUSES))
                                  .order_by(due, T.id).limit(tickets_per_customer))
            tickets[cid] = tuple(SqlTicketRepository._to_row(r) for r in rows)
        out = []
        for _key, fields in found:
            cid = fields[0]
            warranty_end, maintenance_end, owed = coverage.get(cid, (None, None, 0))
            out.append(CallerMatch(*fields, warranty_end, maintenance_end, owed, counts.get(cid, 0), tickets[cid]))
        return out
