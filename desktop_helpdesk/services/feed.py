"""What other desks changed: read from the database's change feed, as the kinds of records
the views refresh by (services.changes). A desk's own saves are broadcast when they finish;
the feed brings everyone else's (another desk on the team server, or on the same file)."""

from __future__ import annotations

from datetime import timedelta

from . import changes as c
from .context import Context
from .dto import FeedCursor

#: Which kinds of records a write to each table changes, for the views to refresh by.
TABLE_KINDS: dict[str, tuple[str, ...]] = {
    "customers": (c.CUSTOMERS,),
    "contacts": (c.CUSTOMERS,),
    "verification_questions": (c.CUSTOMERS,),
    "customer_events": (c.CUSTOMERS,),  # merged, archived, restored
    "contracts": (c.CONTRACTS, c.CUSTOMERS),
    "payments": (c.CONTRACTS, c.CUSTOMERS),
    "contract_events": (c.CONTRACTS,),
    "obligations": (c.OBLIGATIONS, c.CONTRACTS),
    "tickets": (c.TICKETS, c.CUSTOMERS),
    "ticket_events": (c.HISTORY, c.TICKETS),
    "packages": (c.PACKAGES,),
    "calendar_exceptions": (c.CALENDAR, c.TICKETS),
    "operators": (c.OPERATORS,),
    "app_meta": (c.VENDOR, c.CALENDAR, c.TICKETS),  # the vendor's details; the working week
    "alerts": (c.ALERTS,),
    "attachments": (c.ATTACHMENTS,),
}
#: How long the feed keeps its rows.
PRUNE_AFTER = timedelta(days=2)


def read(ctx: Context, cursor: FeedCursor) -> tuple[FeedCursor, frozenset[str]]:
    """The kinds of records other desks changed since `cursor`, and the cursor to ask from
    next. The first read (a new cursor) starts at the newest row: nothing before the desk
    opened is news. A change of the firm's calendar days is applied to this desk's support
    calendars here, on the worker, before any view repaints a countdown."""
    with ctx.uow() as uow:
        if cursor.watermark < 0:
            return FeedCursor(uow.feed.latest()), frozenset()
        found = uow.feed.since(cursor, ctx.now())
        own = uow.origin
    kinds: set[str] = set()
    for origin, tables in found.rows:
        if origin == own:
            continue
        for table in tables:
            kinds.update(TABLE_KINDS.get(table, ()))
    if c.CALENDAR in kinds:
        with ctx.uow() as uow:
            ctx.calendars.set_office_days(uow.calendar.all(), uow.calendar.week())
    return found.cursor, frozenset(kinds)


def prune(ctx: Context) -> int:
    """Remove feed rows older than PRUNE_AFTER (run now and then by the long lane)."""
    with ctx.uow() as uow:
        removed = uow.feed.prune(ctx.now() - PRUNE_AFTER)
        uow.commit()
        return removed
