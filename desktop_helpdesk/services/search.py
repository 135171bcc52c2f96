"""Global search (Ctrl+F) over customers, contacts, contracts and tickets."""

from __future__ import annotations

from ..domain.search import match_tier, parse_query
from .context import Context
from .dto import SearchGroup, SearchHit, SearchResults

#: Global search: the groups in order, hits shown per group (and when one is expanded), and
#: how many of the newest rows containing the words are ranked (and counted: "200+").
SEARCH_KINDS = ("customer", "contact", "contract", "ticket")
SEARCH_SHOWN, SEARCH_EXPANDED = 5, 50
SEARCH_WINDOW = 200
SEARCH_MIN_CHARS = 2


def global_search(ctx: Context, text: str, limit: int = SEARCH_SHOWN, expand: str | None = None) -> SearchResults:
    """Customers, contacts, contracts and tickets matching `text`, grouped and ranked:
    exact code/number/tax code/phone first, then prefix, then word, then substring
    matches, the most recent first within each; `limit` per group (`SEARCH_EXPANDED`
    for the group `expand`). What is found is the records holding the words as words
    (domain/search.py); when none of any kind does, those containing them anywhere."""
    terms = parse_query(text)
    if len(terms.folded.replace(" ", "")) < SEARCH_MIN_CHARS:
        return SearchResults(terms.text, (), too_short=True)
    groups = []
    with ctx.uow() as uow:
        found = {kind: uow.search.find(kind, terms, SEARCH_WINDOW) for kind in SEARCH_KINDS}
        if not any(rows for rows, _ in found.values()):
            # Nothing holds the words as words: look for them anywhere ("guyen", the middle
            # of a number), the slower search, only when the quick one found nothing.
            found = {kind: uow.search.find(kind, terms, SEARCH_WINDOW, substring=True) for kind in SEARCH_KINDS}
    for kind in SEARCH_KINDS:
        rows, capped = found[kind]
        ranked = sorted(
            ((match_tier(terms, exact=c.exact, keys=c.keys, search_text=c.search_text), c) for c in rows),
            key=lambda tc: (tc[0], -(tc[1].recency.timestamp() if tc[1].recency else 0.0), -tc[1].id))
        shown = SEARCH_EXPANDED if kind == expand else limit
        hits = tuple(SearchHit(c.kind, c.id, c.code, c.title, c.detail, c.customer_id, tier, c.status)
                     for tier, c in ranked[:shown])
        groups.append(SearchGroup(kind, hits, len(rows), capped))
    return SearchResults(terms.text, tuple(groups))
