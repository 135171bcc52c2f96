"""The firm's own calendar days (holidays and working days it sets)."""

from __future__ import annotations

from sqlalchemy import select

from ...domain.enums import WorkingWeek
from ...services.dto import WEEK_KEY, CalendarDay
from .. import models as m
from ._sql import Repo


class SqlCalendarRepository(Repo):
    """The firm's own calendar days (m.CalendarException)."""

    def all(self) -> list[CalendarDay]:
        rows = self.s.scalars(select(m.CalendarException).order_by(m.CalendarException.day))
        return [CalendarDay(r.day, r.kind, r.name) for r in rows]

    def put(self, day: CalendarDay) -> None:
        """Add the day, or replace what was set for that date."""
        row = self.s.scalar(select(m.CalendarException).where(m.CalendarException.day == day.day))
        if row is None:
            self.s.add(self._stamped(m.CalendarException(day=day.day, kind=day.kind, name=day.name)))
        else:
            row.kind, row.name = day.kind, day.name
        self.s.flush()

    def week(self) -> str:
        """The firm's working week (a WorkingWeek value; Monday to Friday when never set)."""
        row = self.s.get(m.AppMeta, WEEK_KEY)
        return row.value if row is not None and row.value else WorkingWeek.MON_FRI.value

    def remove(self, day) -> None:
        self.s.execute(m.CalendarException.__table__.delete().where(m.CalendarException.day == day))
