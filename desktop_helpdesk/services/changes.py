"""What a save changed, so that every view can decide for itself whether to refresh.

A use case that writes declares the kinds of records it changes with `@changes(...)`; the
first kind is its own (a save's integer result is that record's id). The UI's job runner
turns a finished save into one `Change` and broadcasts it; nobody wires "who refreshes
after what" by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable

CUSTOMERS, CONTRACTS, OBLIGATIONS, TICKETS = "customers", "contracts", "obligations", "tickets"
PACKAGES, CALENDAR, OPERATORS, VENDOR = "packages", "calendar", "operators", "vendor"
HISTORY = "history"  # a ticket's history and work log (no list shows it)
ALERTS = "alerts"  # alerts raised (by any desk's check)
ATTACHMENTS = "attachments"  # files attached to a record, or marked removed (issue #16)


@dataclass(frozen=True)
class Change:
    kinds: frozenset[str]
    """The kinds of records that changed."""
    primary: str
    """The kind the use case saves (its first declared kind)."""
    record_id: int | None = None
    """The saved record of the primary kind, when the use case returns its id."""

    def touches(self, *kinds: str) -> bool:
        return not self.kinds.isdisjoint(kinds)


def changes(*kinds: str) -> Callable:
    """Declare the kinds of records a use case changes (the first is its own)."""

    def mark(fn):
        fn.changes = tuple(kinds)
        return fn

    return mark


def change_of(fn, result) -> Change | None:
    """The change a finished call of `fn` made, or None for a read."""
    target = fn.func if isinstance(fn, partial) else fn
    kinds = getattr(target, "changes", None)
    if not kinds:
        return None
    record_id = result if isinstance(result, int) and not isinstance(result, bool) else None
    return Change(frozenset(kinds), kinds[0], record_id)
