"""The unit of work over SQLAlchemy: one session, one transaction, and every repository of
the services' storage protocol (services/ports.py) on that session.

`uow_factory(engine)` is what app.py hands the services. Its `clock` is the one time
source of every repository: the times they write (when a row was added or last changed,
when a history entry or an alert happened when none is given, when a ticket was resolved
or closed) are read from it, so a test or a replay that fixes the clock fixes them too.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import event, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from ..domain.errors import ConcurrentEditError, NotAllowed
from . import models as m
from .repositories._sql import Clock
from .repositories.alerts import SqlAlertRepository
from .repositories.attachments import SqlAttachmentRepository
from .repositories.calendar import SqlCalendarRepository
from .repositories.callers import SqlCallerRepository
from .repositories.contracts import SqlContractRepository
from .repositories.customers import SqlCustomerRepository
from .repositories.feed import FeedTracker, SqlFeedRepository
from .repositories.imports import SqlImportRepository
from .repositories.obligations import SqlObligationRepository
from .repositories.operators import SqlOperatorRepository
from .repositories.packages import SqlPackageRepository
from .repositories.reports import SqlReportRepository
from .repositories.sla_reports import SqlSlaReportRepository
from .repositories.search import SqlSearchRepository
from .repositories.tickets import SqlTicketRepository
from .repositories.verification import SqlVerificationRepository

log = logging.getLogger(__name__)

#: Who writes: no arguments, a short display text (an operator's alias and code, a desk's name) or None.
Who = Callable[[], "str | None"]


class SqlUnitOfWork:
    """One session, one transaction. Leaving without `commit()` rolls back."""

    def __init__(self, session_factory, clock: Clock, origin: str, who: Who | None = None):
        self._session_factory = session_factory
        self._clock = clock
        self.origin = origin
        self._who = who
        # (model, id, version read) of each versioned row a flush updates: when one of them
        # turns out changed by someone else, who did it and when is read back from it.
        self._updating: list[tuple[type, int, int]] = []

    def __enter__(self):
        self.session = self._session_factory()
        # Whatever a repository changes through the ORM is stamped by this unit of work's
        # clock, not by the models' system-time defaults (which stay as a fallback for raw SQL).
        event.listen(self.session, "before_flush", self._stamp)
        # What this unit of work writes is announced to the other desks in the same commit.
        self._tracker = FeedTracker(self.session, self.origin, self._clock)
        self.feed = SqlFeedRepository(self.session, self._clock)
        self.operators = SqlOperatorRepository(self.session, self._clock)
        self.packages = SqlPackageRepository(self.session, self._clock)
        self.customers = SqlCustomerRepository(self.session, self._clock)
        self.contracts = SqlContractRepository(self.session, self._clock)
        self.tickets = SqlTicketRepository(self.session, self._clock)
        self.obligations = SqlObligationRepository(self.session, self._clock)
        self.verification = SqlVerificationRepository(self.session, self._clock)
        self.alerts = SqlAlertRepository(self.session, self._clock)
        self.callers = SqlCallerRepository(self.session, self._clock)
        self.calendar = SqlCalendarRepository(self.session, self._clock)
        self.search = SqlSearchRepository(self.session, self._clock)
        self.reports = SqlReportRepository(self.session, self._clock)
        self.attachments = SqlAttachmentRepository(self.session, self._clock)
        self.sla_reports = SqlSlaReportRepository(self.session, self._clock)
        self.imports = SqlImportRepository(self.session, self._clock, self._author, self._tracker.tables.add)
        return self

    def _stamp(self, session, _flush_context, _instances) -> None:
        now = self._clock()
        who = self._author()
        author_id = getattr(self._who, "operator_id", None)
        for obj in session.new:
            for name in ("created_at", "updated_at"):
                if hasattr(obj, name) and getattr(obj, name) is None:
                    setattr(obj, name, now)
            if hasattr(obj, "updated_by") and obj.updated_by is None:
                obj.updated_by = who
            if author_id is not None and isinstance(obj, m.HistoryMixin):
                obj.operator_id = author_id  # the signed-in operator wrote it (the team server's trigger agrees)
        for obj in session.dirty:
            if hasattr(obj, "updated_at") and session.is_modified(obj, include_collections=False):
                obj.updated_at = now
                flag_modified(obj, "updated_at")  # even when unchanged: else the model's onupdate reads the system clock
                if hasattr(obj, "updated_by"):
                    obj.updated_by = who
                if getattr(obj, "version", None) is not None and getattr(obj, "id", None) is not None:
                    self._updating.append((type(obj), obj.id, obj.version))

    def _author(self) -> str | None:
        """This desk's signature for what it writes now (None when the factory was given none)."""
        if self._who is None:
            return None
        who = self._who()
        return who[:120] if who else None

    def _newer_version(self) -> tuple[str | None, datetime | None]:
        """Who changed, and when, the first row this unit of work tried to update that is no
        longer at the version it read (after the rollback: a fresh read). (None, None) if none
        is found or it cannot be read (a deleted row, a lost connection)."""
        try:
            for model, obj_id, version in self._updating:
                row = self.session.execute(
                    select(model.version, model.updated_by, model.updated_at).where(model.id == obj_id)).first()
                if row is not None and row.version != version:
                    return row.updated_by, row.updated_at
        except Exception:  # noqa: BLE001 - the explanation is a courtesy; the refusal stands
            log.debug("cannot read the newer version", exc_info=True)
        return None, None

    def __exit__(self, exc_type, exc, tb) -> None:
        self.session.rollback()
        # A row changed by someone else is found at any flush, and SQLAlchemy flushes on its
        # own before a query (autoflush), not only at commit(): whatever statement of the
        # unit of work meets it, the caller sees the domain's ConcurrentEditError, saying who
        # saved first and when if the row can be read again.
        try:
            if isinstance(exc, StaleDataError):
                who, when = self._newer_version()
                raise ConcurrentEditError(str(exc), who, when) from exc
            if _refused_by_server(exc):
                # The team server's GRANTs (or row-level security) refused the signed-in
                # operator's role: the same refusal the services give on a local file.
                raise NotAllowed() from exc
            if isinstance(exc, ConcurrentEditError) and exc.who is None and exc.when is None:
                exc.who, exc.when = self._newer_version()
        finally:
            self.session.close()

    def commit(self) -> None:
        try:
            self.session.commit()
        except StaleDataError as exc:
            raise ConcurrentEditError(str(exc)) from exc
        except DBAPIError as exc:
            if _refused_by_server(exc):
                raise NotAllowed() from exc
            raise

    def get_meta(self, key: str) -> str | None:
        row = self.session.get(m.AppMeta, key)
        return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.session.merge(m.AppMeta(key=key, value=value))

    def swap_meta(self, key: str, expected: str, value: str) -> bool:
        """Set `key` to `value` only if it still holds `expected` (a missing key holds ""), in
        one statement: a second writer waits for the first's commit (PostgreSQL's row lock,
        SQLite's write lock) and then finds the value changed. False if it changed."""
        meta = m.AppMeta.__table__
        self.session.flush()
        conn = self.session.connection()  # Core statements, RETURNING what they wrote (a rowcount may be -1)
        done = conn.execute(update(meta).where(meta.c.key == key, meta.c.value == expected)
                            .values(value=value).returning(meta.c.key)).first() is not None
        if not done and expected == "":
            insert = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
            done = conn.execute(insert(meta).values(key=key, value=value).on_conflict_do_nothing()
                                .returning(meta.c.key)).first() is not None
        self.session.expire_all()  # an AppMeta read before holds the old value
        if done:  # a Core statement on the connection: the feed's session events do not see it
            self._tracker.tables.add(meta.name)
        return done


def _refused_by_server(exc) -> bool:
    """PostgreSQL's insufficient_privilege (42501): a GRANT or a row-level policy said no."""
    return isinstance(exc, DBAPIError) and getattr(getattr(exc, "orig", None), "sqlstate", None) == "42501"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def uow_factory(engine, clock: Clock | None = None, origin: str | None = None,
                who: Who | None = None) -> "UnitOfWorkFactory":
    """Units of work on `engine`. `clock` (no arguments, an aware UTC datetime; the system
    clock by default) is where every repository reads the time. `origin` names this running
    desk in the change feed (a new id by default: one per factory, i.e. per app run). `who`
    (no arguments, a short display text or None; read at each flush, so it follows the
    operator chosen) signs every row written (`updated_by`); none by default."""
    return UnitOfWorkFactory(engine, clock or utc_now, origin or str(uuid.uuid4()), who)


class UnitOfWorkFactory:
    """Opens units of work on an engine; `rebind` moves the next ones to another engine on
    the same database (the team server, signed in as another login role)."""

    def __init__(self, engine, clock: Clock, origin: str, who: Who | None):
        self._factory = sessionmaker(engine, expire_on_commit=False)
        self.engine = engine
        self._clock, self._origin, self._who = clock, origin, who

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._factory, self._clock, self._origin, self._who)

    def rebind(self, engine) -> None:
        self._factory.configure(bind=engine)
        self.engine = engine
