"""Who is calling: the caller lookup behind F2."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone

from ..domain.enums import CustomerKind
from ..domain.phone import PhoneError, normalize_phone, phone_candidates
from ..domain.same_problem import repeats
from ..domain.text import normalize
from ..domain.vietnam import VIETNAM
from . import customers, tickets
from .changes import CUSTOMERS, changes
from .context import Context
from .dto import CallerLookup, CustomerDraft, ListQuery

_TAX_CODE = re.compile(r"[0-9]{10}(-[0-9]{3})?|[0-9]{12}")


def lookup_caller(ctx: Context, text: str, limit: int = 20, tickets_per_customer: int = 5) -> CallerLookup:
    """Who is calling: every reading of the number as typed (old plans included, most
    likely first), matched exactly against contacts' and customers' E.164 phones; a
    customer code or tax code typed in the same field matches too. Never raises for what
    the operator typed: an unreadable number comes back as `error` (a PhoneError code)."""
    text = normalize(text)
    if not text:
        return CallerLookup(text, (), ())
    try:
        candidates, error = tuple(phone_candidates(text)), ""
    except PhoneError as exc:
        candidates, error = (), exc.code
    code = text.upper() if len(text) <= 20 and " " not in text else ""
    tax_code = text if _TAX_CODE.fullmatch(text) else ""
    with ctx.uow() as uow:
        matches = tuple(uow.callers.find(candidates, code, tax_code, limit, tickets_per_customer))
    return CallerLookup(text, candidates, matches, "" if matches else error)


@changes(CUSTOMERS)
def provisional_caller(ctx: Context, phone: str, name: str, notes: str = "", uuid: str = "") -> int:
    """"Ticket now, customer later": the customer a ticket for an unknown caller belongs to.

    One customer of its own per number (a person, the number as its phone, `name` such as
    "Caller 0912 345 678 (to identify)" in the operator's language), never one shared
    placeholder: entitlement, the caller's later calls (the lookup finds the number) and the
    history stay that caller's, and once the operator knows who it is they either complete
    this customer or merge it into the existing one (the merge moves its tickets). A number
    some customer or contact already has (saved meanwhile at another desk) gives that
    customer instead of a second one."""
    e164 = normalize_phone(phone)
    with ctx.uow() as uow:
        known = uow.callers.find([e164], "", "", 1, 0)
    if known:
        return known[0].kept_id or known[0].customer_id
    return customers.save_customer(ctx, CustomerDraft(name=name, kind=CustomerKind.PERSON.value, phone=e164,
                                                      notes=notes, uuid=uuid))


def open_tickets_like(ctx: Context, customer_id: int, request_type: str, subject: str,
                      limit: int = 3, scanned: int = 200) -> tuple:
    """The customer's open tickets a new one (`request_type`, `subject`) may repeat, as
    (TicketRow, reason) with reason domain.same_problem.SIMILAR or SAME_KIND, the likeliest
    first; the newest `scanned` open tickets are looked at."""
    rows = tickets.list_tickets(ctx, ListQuery(sort="received_at", descending=True, limit=scanned,
                                               filters={"customer_id": customer_id, "state": "open"})).rows
    return tuple(repeats(request_type, subject, rows, limit))


def calls_this_month(ctx: Context, customer_id: int) -> tuple[int, int]:
    """(calls, minutes) logged on the customer's tickets since the first of this month, the
    desk's month in Vietnam time."""
    first = ctx.today().replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    since, until = (datetime.combine(day, time(0), VIETNAM).astimezone(timezone.utc) for day in (first, following))
    with ctx.uow() as uow:
        return uow.callers.calls_between(customer_id, since, until)
