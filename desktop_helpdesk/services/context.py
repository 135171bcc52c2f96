"""What every use case is given: a unit of work to open, the clock, and the support calendars.

Use cases are plain functions grouped by area (`customers`, `contracts`, `tickets`, ...), each
taking a `Context` as its first argument: `tickets.create_ticket(ctx, draft, operator_id)`.
There are no module globals: the composition root (app.py) builds the context of the open
database; the UI's job runner hands it to every use case it runs, on either lane.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable

from ..domain.vietnam import desk_today
from .clocks import Calendars
from .ports import UnitOfWorkFactory

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Context:
    uow: UnitOfWorkFactory
    """Opens one unit of work (one transaction) on this context's connection."""
    clock: Clock
    """Now, as an aware UTC datetime (tests inject a fixed or moving clock)."""
    calendars: Calendars
    """The support calendars of this database (office hours, holidays, the firm's days)."""

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """Today in Hà Nội: the support desk's calendar day."""
        return desk_today(self.clock())


def make_context(uow: UnitOfWorkFactory, clock: Clock | None = None) -> Context:
    """A context over `uow`, whose calendars read the firm's days from that database once."""

    def read_days():
        with uow() as unit:
            return unit.calendar.all()

    return Context(uow, clock or system_clock, Calendars(read_days))
