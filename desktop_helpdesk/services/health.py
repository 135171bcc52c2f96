"""Whether the database answers: the cheapest round trip, for retrying after a lost connection."""

from __future__ import annotations

from .context import Context


def ping(ctx: Context) -> None:
    """One read of one row; raises (domain ConnectionLost on the team server) if it can't."""
    with ctx.uow() as uow:
        uow.get_meta("schema_probe")
