"""What every use case is given: a unit of work to open, the clock, and the support calendars.

Use cases are plain functions grouped by area (`customers`, `contracts`, `tickets`, ...), each
taking a `Context` as its first argument: `tickets.create_ticket(ctx, draft, operator_id)`.
There are no module globals: the composition root (app.py) builds the context of the open
database; the UI's job runner hands it to every use case it runs, on either lane.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Callable

from ..domain.vietnam import desk_today
from .clocks import Calendars
from .ports import OfflineLink, UnitOfWorkFactory

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


class Author:
    """Who this desk's saves are signed by (every row's `updated_by`): the chosen operator's
    alias and code, or the desk's name while no operator is chosen. The composition root
    gives it to the unit of work factory as its `who` and sets the operator once chosen; it is
    read at each flush, on whichever lane saves."""

    LIMIT = 120  # the column's length

    def __init__(self, desk: str | None = None, operator=None):
        self.desk = (desk if desk is not None else platform.node()) or None
        self.operator: str | None = None
        self.operator_id: int | None = None
        self.set_operator(operator)

    def set_operator(self, operator) -> None:
        """`operator`: anything with `alias` and `code` (an OperatorData), or None. Its `id`
        (when it has one) is the author of every history row written from now on, whatever
        a caller passes: the signed-in operator, not a value a form chose."""
        self.operator = signature(operator.alias, operator.code) if operator is not None else None
        self.operator_id = getattr(operator, "id", None) if operator is not None else None

    def __call__(self) -> str | None:
        text = self.operator or self.desk
        return text[: self.LIMIT] if text else None


def signature(alias: str, code: str) -> str:
    """An operator as the other desks read them in "changed by": "Lan (NV002)"."""
    alias = (alias or "").strip()
    return f"{alias} ({code})" if alias else code


class SignedIn:
    """Who is signed in at this desk (an OperatorData), or None (a command-line tool, a test,
    start-up before sign-in). The services check the operator's role against what a use case
    needs (services.accounts.require); the composition root sets it at sign-in, Switch
    operator and Lock."""

    def __init__(self, operator=None, connect_as=None):
        self.operator = operator
        #: On the team server: connect as (user name, password) from now on, or raise
        #: SignInRefused (the composition root gives it; None on a local file).
        self.connect_as = connect_as
        #: Wrong passwords typed at this desk for the team server: user name -> (count, last).
        self.failures: dict = {}

    @property
    def role(self) -> str | None:
        return self.operator.role if self.operator is not None else None

    @property
    def operator_id(self) -> int | None:
        return self.operator.id if self.operator is not None else None


@dataclass(frozen=True)
class Context:
    uow: UnitOfWorkFactory
    """Opens one unit of work (one transaction) on this context's connection."""
    clock: Clock
    """Now, as an aware UTC datetime (tests inject a fixed or moving clock)."""
    calendars: Calendars
    """The support calendars of this database (office hours, holidays, the firm's days)."""
    session: SignedIn = field(default_factory=SignedIn)
    """Who is signed in (services.accounts.require checks their role)."""
    offline: OfflineLink | None = None
    """The field laptop's sync (issue #15): None when neither a copy nor a team server."""

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """Today in Hà Nội: the support desk's calendar day."""
        return desk_today(self.clock())


def make_context(uow: UnitOfWorkFactory, clock: Clock | None = None, session: SignedIn | None = None,
                 offline: OfflineLink | None = None) -> Context:
    """A context over `uow`, whose calendars read the firm's days from that database once."""

    def read_days():
        with uow() as unit:
            return unit.calendar.all(), unit.calendar.week()

    return Context(uow, clock or system_clock, Calendars(read_days), session or SignedIn(), offline)
