"""Alerts: SLA clocks breached or at risk, found from the partial due-time indexes, and
the alerts raised for them."""

from __future__ import annotations

from sqlalchemy import String, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ...services.dto import AlertData, TicketRow
from .. import models as m
from ._sql import Repo
from .tickets import CLOCK_KINDS, SqlTicketRepository


class SqlAlertRepository(Repo):
    @staticmethod
    def _no_alert(kind: str, state: str):
        T, A = m.Ticket, m.Alert
        key = literal("ticket:") + func.cast(T.id, String) + literal(f":{kind}:{state}")
        return ~select(A.id).where(A.key == key).exists()

    def breached_between(self, start, end, limit: int = 5000) -> dict[str, list[tuple]]:
        """kind -> (ticket id, code, subject, due) of the clocks still running that fell due
        in [start, end) and have no breach alert yet, by due time. A clock paused before its
        due time is not breached (its due time moves when it resumes). Each kind is a range
        of its partial due-time index."""
        T = m.Ticket
        out = {}
        for kind in CLOCK_KINDS:
            due, stopped, paused = (getattr(T, f"{kind}_due_at"), getattr(T, f"{kind}_stopped_at"),
                                    getattr(T, f"{kind}_paused_since"))
            stmt = (select(T.id, T.code, T.subject, due)
                    .where(stopped.is_(None), due.is_not(None), due >= start, due < end,
                           or_(paused.is_(None), paused > due), self._no_alert(kind, "breached"))
                    .order_by(due).limit(limit))
            out[kind] = self.s.execute(stmt).all()
        return out

    def at_risk_candidates(self, now, horizons: dict, limit: int = 5000) -> list[tuple[str, TicketRow]]:
        """(kind, ticket row) of the running, unpaused clocks due in (now, horizon of their
        kind] with no at-risk alert yet: every clock that can be at risk now, and a few that
        are not yet (the caller asks the clock)."""
        T = m.Ticket
        tickets = SqlTicketRepository(self.s, self._clock)
        out = []
        for kind in CLOCK_KINDS:
            due, stopped, paused = (getattr(T, f"{kind}_due_at"), getattr(T, f"{kind}_stopped_at"),
                                    getattr(T, f"{kind}_paused_since"))
            stmt = (tickets._row_stmt()
                    .where(stopped.is_(None), due.is_not(None), due > now, due <= horizons[kind], paused.is_(None),
                           self._no_alert(kind, "at_risk"))
                    .order_by(due).limit(limit))
            out += [(kind, tickets._to_row(r)) for r in self.s.execute(stmt)]
        return out

    def has(self, key: str) -> bool:
        return self.s.scalar(select(m.Alert.id).where(m.Alert.key == key)) is not None

    def add(self, key: str, kind: str, title: str, ticket_id=None, contract_id=None, due_at=None, raised_at=None) -> None:
        """Raise the alert `key` unless it is raised already, by this desk or another one
        checking at the same moment (INSERT ... ON CONFLICT DO NOTHING: never a duplicate
        key error for an alert two desks found at once)."""
        now = self._clock()
        values = dict(key=key, kind=kind, title=title, ticket_id=ticket_id, contract_id=contract_id, due_at=due_at,
                      raised_at=raised_at or now, uuid=m.new_uuid(), created_at=now, updated_at=now, version=1)
        insert = pg_insert if self.s.get_bind().dialect.name == "postgresql" else sqlite_insert
        self.s.execute(insert(m.Alert).values(**values).on_conflict_do_nothing(index_elements=["key"]))

    def after(self, alert_id: int, limit: int = 500) -> list[AlertData]:
        """The alerts raised after `alert_id`, by any desk, oldest first."""
        rows = self.s.scalars(select(m.Alert).where(m.Alert.id > alert_id).order_by(m.Alert.id).limit(limit))
        return [_alert(a) for a in rows]

    def latest_id(self) -> int:
        return self.s.scalar(select(m.Alert.id).order_by(m.Alert.id.desc()).limit(1)) or 0

    def flush_new(self, keys) -> list[AlertData]:
        self.s.flush()
        if not keys:
            return []
        rows = self.s.scalars(select(m.Alert).where(m.Alert.key.in_(list(keys))).order_by(m.Alert.id))
        return [_alert(a) for a in rows]

    def recent(self, limit: int = 200) -> list[AlertData]:
        rows = self.s.scalars(select(m.Alert).order_by(m.Alert.raised_at.desc(), m.Alert.id.desc()).limit(limit))
        return [_alert(a) for a in rows]

    def mark_read(self, now) -> None:
        self.s.execute(m.Alert.__table__.update().where(m.Alert.read_at.is_(None)).values(read_at=now))


def _alert(a) -> AlertData:
    return AlertData(a.id, a.kind, a.ticket_id, a.contract_id, a.title, a.due_at, a.raised_at, a.read_at is not None)
