"""Creates that are applied once, however often they are retried (issue #12).

On the team server a save can lose its connection after the server committed it and before
the desk heard so: the desk gets ConnectionLost and cannot know. The form keeps what was
typed and the user presses Save again, so a create must be safe to repeat. Each form that
creates a record chooses one UUID when it opens and sends it with every attempt; the new row
is stored under it (every row's `uuid` is unique). A create then:

1. looks the UUID up first, inside the transaction that would insert (one probe of a
   unique index), before anything else is checked or taken: found, it answers with that
   row's id and writes nothing, neither a second row, history entry nor code;
2. otherwise inserts; if a concurrent attempt of the same save committed the UUID meanwhile
   (the retry raced the first attempt, whose transaction the server was still finishing),
   the insert's unique violation is AlreadyCreated: the transaction is rolled back (nothing
   of this attempt stays, not even a code taken from a counter) and the row is looked up
   again in a new one.

A draft without a UUID (the demo, an import, a test) is created as before.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable

from ..domain.errors import AlreadyCreated
from .context import Context


def client_uuid(value: str) -> str:
    """`value` in the canonical form the rows store ("" stays ""); ValueError for a text that
    is no UUID (a programming error: forms choose them with uuid4)."""
    return str(uuid_module.UUID(value)) if value else ""


def create_once(ctx: Context, uuid: str, find: Callable[[object], int | None], create: Callable[[], int]) -> int:
    """Run `create()` (which itself starts with `find(uow)` inside its transaction); when it
    meets the UUID another attempt committed meanwhile, answer with that row's id."""
    try:
        return create()
    except AlreadyCreated:
        if not uuid:
            raise
        with ctx.uow() as uow:
            found = find(uow)
        if found is None:  # the violation named a row that is gone again: nothing to answer with
            raise
        return found
