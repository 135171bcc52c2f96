"""Signing in to the team server: the server checks the password by letting the desk connect
as the operator's login role, and from then on every unit of work runs as that role, so the
server's GRANTs and its history trigger see who works (issue #13)."""

from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from ..domain.errors import DatabaseOpenError, SignInRefused
from .engine import connect_database, redact_url

log = logging.getLogger(__name__)


class ServerSignIn:
    """`connect_as(user, password)` for a context on a team server at `url`."""

    def __init__(self, url: str, factory, mask: Callable[[str], None] | None = None):
        self.url = url
        self.factory = factory  # a db.uow.UnitOfWorkFactory
        self.mask = mask
        self.engines: list = []
        self._masked: set[str] = set()

    def __call__(self, login: str, password: str) -> None:
        target = make_url(self.url).set(username=login, password=password).render_as_string(hide_password=False)
        try:
            engine = connect_database(target)
        except DatabaseOpenError as exc:
            log.info("sign-in to %s refused: %s", redact_url(self.url), exc.reason)
            if exc.reason == DatabaseOpenError.BAD_LOGIN:
                if "not permitted to log in" in (exc.detail or ""):
                    raise SignInRefused(SignInRefused.DISABLED) from None
                raise SignInRefused(SignInRefused.WRONG) from None
            raise
        # Only an active operator of this helpdesk moves the desk onto their connection: any
        # other role of the server (a report reader, the owner) is refused before it is used.
        try:
            with engine.connect() as con:
                row = con.execute(text("SELECT active FROM operators WHERE login = session_user")).first()
        except DBAPIError as exc:
            engine.dispose()
            if getattr(exc.orig, "sqlstate", None) == "42501":  # a role with no rights here: no operator
                raise SignInRefused(SignInRefused.WRONG) from None
            raise
        if row is None or not row.active:
            engine.dispose()
            raise SignInRefused(SignInRefused.WRONG if row is None else SignInRefused.DISABLED)
        if self.mask is not None and password not in self._masked:
            self._masked.add(password)
            self.mask(password)  # a password that worked is never in the log, even inside a driver's message
        old = self.factory.engine
        self.factory.rebind(engine)
        self.engines.append(engine)
        if old in self.engines:  # an earlier operator's: its connections go
            self.engines.remove(old)
        old.dispose()  # its idle connections close (the desk's own engine stays usable for the listener)

    def dispose(self) -> None:
        for engine in self.engines:
            engine.dispose()
        self.engines.clear()


def operator_url(url: str, login: str, password: str) -> str:
    """The team server's address as the operator `login` with `password`."""
    return make_url(url).set(username=login, password=password).render_as_string(hide_password=False)


def check_password(url: str, login: str, password: str) -> None:
    """Whether the team server at `url` takes `password` for `login`: SignInRefused if not
    (the server is asked by connecting; nothing is kept)."""
    try:
        engine = connect_database(operator_url(url, login, password))
    except DatabaseOpenError as exc:
        if exc.reason == DatabaseOpenError.BAD_LOGIN:
            raise SignInRefused(SignInRefused.WRONG) from None
        raise
    engine.dispose()
