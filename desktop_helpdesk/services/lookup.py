"""Who is calling: the caller lookup behind F2."""

from __future__ import annotations

import re

from ..domain.phone import PhoneError, phone_candidates
from ..domain.text import normalize
from .context import Context
from .dto import CallerLookup

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
