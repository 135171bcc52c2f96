"""Obligations: the dates contracts promise (derived ones and planned items), as a list."""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from ...services.dto import ListQuery, ObligationRow, Page
from .. import models as m
from ._sql import Repo, chosen_sort, keyset, nn, text_filter


class SqlObligationRepository(Repo):
    """Filters: ``customer_id``, ``kind``, ``from`` and ``until`` (due dates), ``include_done``,
    ``derived_since`` (derived dates before it are history), ``cancelled_since`` (list the
    obligations a termination cancelled, due on or after it; without it they are left out
    as done: the alerts and the dashboard never count them)."""

    SORTS = {"due_on": m.Obligation.due_on, "kind": m.Obligation.kind, "customer": m.Customer.sort_name}

    def list(self, query: ListQuery) -> Page:
        O = m.Obligation
        stmt = (select(O.id, O.kind, O.due_on, O.customer_id, m.Customer.name.label("customer_name"), O.contract_id,
                       m.Contract.number.label("contract_number"), O.title, O.done_on, O.cancelled_on)
                .join(m.Customer, m.Customer.id == O.customer_id)
                .join(m.Contract, m.Contract.id == O.contract_id))
        cond = text_filter(m.Customer.search_text, query.text, self.s)
        if cond is not None:
            stmt = stmt.where(cond)
        f = query.filters
        if f.get("customer_id"):
            stmt = stmt.where(O.customer_id == f["customer_id"])
        else:  # an archived customer left: its contracts' visits and renewals are no one's to do
            stmt = stmt.where(m.Customer.archived_at.is_(None))
        if f.get("kind"):
            stmt = stmt.where(O.kind == f["kind"])
        if f.get("until"):
            stmt = stmt.where(O.due_on <= f["until"])
        if f.get("from"):
            stmt = stmt.where(O.due_on >= f["from"])
        if f.get("cancelled_since") and not f.get("include_done"):
            # Cancelled by a termination (their done_on is the end day): still listed, as
            # cancelled, while not long past due, so whoever planned the visit sees it stopped.
            stmt = stmt.where(or_(O.done_on.is_(None),
                                  and_(O.cancelled_on.is_not(None), O.due_on >= f["cancelled_since"])))
        elif not f.get("include_done"):
            stmt = stmt.where(O.done_on.is_(None))
        if f.get("derived_since"):
            # Dates derived from a contract (a warranty end two years ago) stop being news;
            # planned items that were never done stay until someone marks them.
            stmt = stmt.where(or_(O.derived.is_(False), O.due_on >= f["derived_since"]))
        return keyset(self.s, stmt, chosen_sort(self.SORTS, query.sort), O.id, query,
                       lambda r: ObligationRow(r.id, r.kind, r.due_on, r.customer_id, r.customer_name, r.contract_id,
                                               r.contract_number, nn(r.title), r.done_on, r.cancelled_on))
