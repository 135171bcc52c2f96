"""The unit of work over SQLAlchemy: one session, one transaction, and every repository of
the services' storage protocol (services/ports.py) on that session.

`uow_factory(engine)` is what app.py hands the services.
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ..domain.errors import ConcurrentEditError
from . import models as m
from .repositories.alerts import SqlAlertRepository
from .repositories.calendar import SqlCalendarRepository
from .repositories.callers import SqlCallerRepository
from .repositories.contracts import SqlContractRepository
from .repositories.customers import SqlCustomerRepository
from .repositories.obligations import SqlObligationRepository
from .repositories.operators import SqlOperatorRepository
from .repositories.packages import SqlPackageRepository
from .repositories.reports import SqlReportRepository
from .repositories.search import SqlSearchRepository
from .repositories.tickets import SqlTicketRepository
from .repositories.verification import SqlVerificationRepository


class SqlUnitOfWork:
    """One session, one transaction. Leaving without `commit()` rolls back."""

    def __init__(self, session_factory):
        self._session_factory = session_factory

    def __enter__(self):
        self.session = self._session_factory()
        self.operators = SqlOperatorRepository(self.session)
        self.packages = SqlPackageRepository(self.session)
        self.customers = SqlCustomerRepository(self.session)
        self.contracts = SqlContractRepository(self.session)
        self.tickets = SqlTicketRepository(self.session)
        self.obligations = SqlObligationRepository(self.session)
        self.verification = SqlVerificationRepository(self.session)
        self.alerts = SqlAlertRepository(self.session)
        self.callers = SqlCallerRepository(self.session)
        self.calendar = SqlCalendarRepository(self.session)
        self.search = SqlSearchRepository(self.session)
        self.reports = SqlReportRepository(self.session)
        return self

    def __exit__(self, *exc) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        try:
            self.session.commit()
        except StaleDataError as exc:
            raise ConcurrentEditError(str(exc)) from exc

    def get_meta(self, key: str) -> str | None:
        row = self.session.get(m.AppMeta, key)
        return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.session.merge(m.AppMeta(key=key, value=value))


def uow_factory(engine) -> Callable[[], SqlUnitOfWork]:
    factory = sessionmaker(engine, expire_on_commit=False)
    return lambda: SqlUnitOfWork(factory)
