"""Global search (Ctrl+F) over customers, contacts, contracts and tickets."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait

from ..domain.search import SearchTerms, match_field, parse_query
from .context import Context
from .dto import SearchGroup, SearchHit, SearchResults

#: Global search: the groups in order, hits shown per group (and when one is expanded), and
#: how many of the newest rows containing the words are ranked (and counted: "200+").
SEARCH_KINDS = ("customer", "contact", "contract", "ticket")
SEARCH_SHOWN, SEARCH_EXPANDED = 5, 50
SEARCH_WINDOW = 200
SEARCH_MIN_CHARS = 2

#: The tickets (a million rows, where the other groups have tens of thousands) are looked up
#: on a connection of their own while the other groups are: the search waits for the slower
#: of the two, not their sum (benchmarks/README.md, "Global search: words first").
_TICKETS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-tickets")


def global_search(ctx: Context, text: str, limit: int = SEARCH_SHOWN, expand: str | None = None) -> SearchResults:
    """Customers, contacts, contracts and tickets matching `text`, grouped and ranked:
    exact phone/code/number/tax code first, then names (prefix, then words), then addresses,
    e-mails, notes and descriptions, then substring matches, the most recent first within
    each; each hit says what matched (domain.search.match_field); `limit` per group (`SEARCH_EXPANDED`
    for the group `expand`). What is found is the records holding the words as words
    (domain/search.py); when none of any kind does, those containing them anywhere."""
    terms = parse_query(text)
    if len(terms.folded.replace(" ", "")) < SEARCH_MIN_CHARS:
        return SearchResults(terms.text, (), too_short=True)
    found = _find(ctx, terms, substring=False)
    if not any(rows for rows, _ in found.values()):
        # Nothing holds the words as words: look for them anywhere ("guyen", the middle
        # of a number), the slower search, only when the quick one found nothing.
        found = _find(ctx, terms, substring=True)
    groups = []
    for kind in SEARCH_KINDS:
        rows, capped = found[kind]
        ranked = sorted(
            ((match_field(terms, exact=c.exact, fields=c.fields, search_text=c.search_text), c) for c in rows),
            key=lambda tc: (tc[0][0], -(tc[1].recency.timestamp() if tc[1].recency else 0.0), -tc[1].id))
        shown = SEARCH_EXPANDED if kind == expand else limit
        hits = tuple(SearchHit(c.kind, c.id, c.code, c.title, c.detail, c.customer_id, tier, c.status, matched)
                     for (tier, matched), c in ranked[:shown])
        groups.append(SearchGroup(kind, hits, len(rows), capped))
    return SearchResults(terms.text, tuple(groups))


def _find(ctx: Context, terms: SearchTerms, substring: bool) -> dict:
    """{kind: (candidates, capped)}; the tickets on a second connection meanwhile."""
    def tickets():
        with ctx.uow() as uow:
            return uow.search.find("ticket", terms, SEARCH_WINDOW, substring=substring)

    pending = _TICKETS.submit(tickets)
    try:
        with ctx.uow() as uow:
            found = {kind: uow.search.find(kind, terms, SEARCH_WINDOW, substring=substring)
                     for kind in SEARCH_KINDS if kind != "ticket"}
    finally:
        wait([pending])  # never leave it running behind the caller's back
    return {**found, "ticket": pending.result()}
