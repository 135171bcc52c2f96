"""The caller lookup's queries: who is on the phone, their coverage and their open tickets.

Phones are stored E.164 and indexed on both contacts and customers, so every reading of the
typed number is an exact `IN (...)` probe of an index; a customer code or tax code is an
exact probe of its index too. The coverage facts, open-ticket counts and the most urgent
open tickets are read only for the few customers found.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import aliased

from ...services.dto import CallerMatch
from .. import models as m
from ...domain.vietnam import desk_today
from ._sql import OPEN_STATUSES, Repo, empty_if_null, nn
from .contracts import coverage_facts_by_customer
from .tickets import SqlTicketRepository


@cache
def _statements() -> dict:
    """The lookup's statements, built once with bound parameters: building a Select costs
    more than running these index probes, and the operator waits for every keystroke pause."""
    K, C, T = m.Contact, m.Customer, m.Ticket
    phones, ids = bindparam("phones", expanding=True), bindparam("ids", expanding=True)
    due = empty_if_null(T.next_due_at, "'9999-12-31 00:00:00.000000'")
    return {
        "contacts": select(K.id, K.full_name, K.position, K.phone, C.id.label("cid"), C.code, C.name)
        .join(C, C.id == K.customer_id).where(K.phone.in_(phones)).limit(bindparam("limit")),
        "customers": select(C.id, C.code, C.name, C.phone).where(C.phone.in_(phones)).limit(bindparam("limit")),
        "codes": select(C.id, C.code, C.name, C.tax_code)
        .where(or_(C.code == bindparam("code"), C.tax_code == bindparam("tax_code"))).limit(bindparam("limit")),
        "open_counts": select(T.customer_id, func.count()).where(T.customer_id.in_(ids), T.status.in_(OPEN_STATUSES))
        .group_by(T.customer_id),
        "open_tickets": SqlTicketRepository._row_stmt(None)
        .where(T.customer_id == bindparam("cid"), T.status.in_(OPEN_STATUSES)).order_by(due, T.id)
        .limit(bindparam("limit")),
    }


class SqlCallerRepository(Repo):
    def find(self, phones, code: str, tax_code: str, limit: int = 20,
             tickets_per_customer: int = 5) -> list[CallerMatch]:
        """Contacts and customers whose phone is one of `phones` (in that order of
        preference), then customers whose code or tax code is exactly `code` / `tax_code`."""
        q = _statements()
        run = self.s.connection().execute
        phones = list(phones)
        rank = {p: i for i, p in enumerate(phones)}
        found: list[tuple] = []  # (sort key, match fields without the customer facts)
        if phones:
            seen = set()
            for r in run(q["contacts"], {"phones": phones, "limit": limit}):
                seen.add((r.cid, r.phone))
                found.append(((rank[r.phone], 0, r.full_name, r.id),
                              (r.cid, r.code, r.name, r.id, r.full_name, nn(r.position), r.phone, "contact_phone",
                               rank[r.phone])))
            for r in run(q["customers"], {"phones": phones, "limit": limit}):
                if (r.id, r.phone) in seen:  # the contact's line is the company's line: one answer
                    continue
                found.append(((rank[r.phone], 1, r.name, r.id),
                              (r.id, r.code, r.name, None, "", "", r.phone, "customer_phone", rank[r.phone])))
        if code or tax_code:
            known = {f[1][0] for f in found}
            for r in run(q["codes"], {"code": code or None, "tax_code": tax_code or None, "limit": limit}):
                if r.id not in known:
                    by = "customer_code" if r.code == code else "tax_code"
                    found.append(((len(phones), 2, r.name, r.id),
                                  (r.id, r.code, r.name, None, "", "", "", by, len(phones))))
        found.sort(key=lambda f: f[0])
        found = found[:limit]
        ids = list(dict.fromkeys(f[1][0] for f in found))
        if not ids:
            return []
        # What entitlement decides on, as the customer list shows it: each contract's ends cut
        # at its termination (a contract ended early covers nothing after), debt by schedule.
        coverage = coverage_facts_by_customer(self.s, ids, today=desk_today(self._clock()))
        counts = dict(run(q["open_counts"], {"ids": ids}).all())
        tickets = {cid: tuple(SqlTicketRepository._to_row(r) for r in run(
            q["open_tickets"], {"cid": cid, "limit": tickets_per_customer})) if counts.get(cid) else ()
            for cid in ids}
        # A merged duplicate keeps its old phones and code, which callers still give: said so.
        kept = aliased(m.Customer)
        archived = {r.id: ((f"merged:{r.kept_code}", r.kept_id, f"{r.kept_code} – {r.kept_name}") if r.kept_code
                           else ("archived", None, "")) for r in self.s.execute(
            select(m.Customer.id, kept.id.label("kept_id"), kept.code.label("kept_code"), kept.name.label("kept_name"))
            .outerjoin(kept, kept.id == m.Customer.merged_into_id)
            .where(m.Customer.id.in_(ids), m.Customer.archived_at.is_not(None)))}
        out = []
        for _key, fields in found:
            cid = fields[0]
            f = coverage.get(cid)
            out.append(CallerMatch(*fields, f.warranty_end if f else None, f.maintenance_end if f else None,
                                   f.outstanding_vnd if f else 0, counts.get(cid, 0), tickets[cid],
                                   *archived.get(cid, ("", None, "")), terminated_on=f.terminated_on if f else None))
        return out

    def calls_between(self, customer_id: int, since, until) -> tuple[int, int]:
        """(calls, minutes) logged on the customer's tickets from `since` until before `until` (aware UTC): each
        call once, as its latest correction says (a correction is a new row naming the one it
        corrects, so a corrected call is not counted twice)."""
        E, T = m.TicketEvent, m.Ticket
        rows = self.s.execute(select(E.id, E.corrects_id, E.duration_minutes).join(T, T.id == E.ticket_id)
                              .where(T.customer_id == customer_id, E.kind == "call", E.occurred_at >= since,
                                      E.occurred_at < until)).all()
        superseded = {r.corrects_id for r in rows if r.corrects_id is not None}
        kept = [r for r in rows if r.id not in superseded]
        return len(kept), sum(r.duration_minutes or 0 for r in kept)
