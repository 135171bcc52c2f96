"""Alerts: SLA clocks breached or at risk, found from the partial due-time indexes, the
assignments made since a watermark, and the alerts raised for them, each for one operator
or for the whole team, acknowledged by each operator."""

from __future__ import annotations

from sqlalchemy import String, exists, func, literal, literal_column, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import Alias

from ...services.dto import AlertData, TicketRow
from .. import models as m
from ._sql import Repo
from .tickets import CLOCK_KINDS, SqlTicketRepository

# Written into the SQL, not bound: the partial index's condition must be seen in the query (a
# server's generic plan for "kind = $1" could not use the index).
_ASSIGNED = literal_column("'assigned'")


class _RunningClocks(Alias):
    """The tickets table read through the partial due-time index of one clock kind's running
    clocks (`ix_tickets_{kind}_due_running`, migration 0006). SQLite is told so (INDEXED BY):
    its statistics make the covering stop and pause indexes of migration 0009 look cheaper
    ("stopped_at IS NULL" is taken for 2 rows of a million), and it read 160,000 of them per
    kind and check (3.3 s a check on the 1M-ticket database instead of under 1 ms)."""

    inherit_cache = True


@compiles(_RunningClocks)
def _as_alias(element, compiler, **kw):
    return compiler.visit_alias(element, **kw)


@compiles(_RunningClocks, "sqlite")
def _indexed_by(element, compiler, **kw):
    text = compiler.visit_alias(element, **kw)
    if kw.get("asfrom"):
        text += f" INDEXED BY ix_tickets_{element.name.removeprefix('running_')}_due_running"
    return text


def running_clocks(kind: str):
    """The Ticket entity over `kind`'s running-clock index (the alias name says which); the
    SLA reports read their at-risk clocks through it too."""
    return aliased(m.Ticket, _RunningClocks._construct(m.Ticket.__table__, name=f"running_{kind}"))


_running = running_clocks


class SqlAlertRepository(Repo):
    @staticmethod
    def _no_alert(kind: str, state: str, ticket_id):
        A = m.Alert
        key = literal("ticket:") + func.cast(ticket_id, String) + literal(f":{kind}:{state}")
        return ~select(A.id).where(A.key == key).exists()

    def breached_between(self, start, end, limit: int = 5000) -> dict[str, list[tuple]]:
        """kind -> (ticket id, code, subject, due, assignee id) of the clocks still running that fell due
        in [start, end) and have no breach alert yet, by due time. A clock paused before its
        due time is not breached (its due time moves when it resumes). Each kind is a range
        of its partial due-time index."""
        out = {}
        for kind in CLOCK_KINDS:
            T = _running(kind)
            due, stopped, paused = (getattr(T, f"{kind}_due_at"), getattr(T, f"{kind}_stopped_at"),
                                    getattr(T, f"{kind}_paused_since"))
            stmt = (select(T.id, T.code, T.subject, due, T.assignee_id)
                    .where(stopped.is_(None), due.is_not(None), due >= start, due < end,
                           or_(paused.is_(None), paused > due), self._no_alert(kind, "breached", T.id))
                    .order_by(due).limit(limit))
            out[kind] = self.s.execute(stmt).all()
        return out

    def at_risk_candidates(self, now, horizons: dict, limit: int = 5000) -> list[tuple[str, TicketRow, int | None]]:
        """(kind, ticket row, assignee id) of the running, unpaused clocks due in (now, horizon of their
        kind] with no at-risk alert yet: every clock that can be at risk now, and a few that
        are not yet (the caller asks the clock)."""
        T = m.Ticket
        tickets = SqlTicketRepository(self.s, self._clock)
        out = []
        for kind in CLOCK_KINDS:
            R = _running(kind)
            due, stopped, paused = (getattr(R, f"{kind}_due_at"), getattr(R, f"{kind}_stopped_at"),
                                    getattr(R, f"{kind}_paused_since"))
            ids = (select(R.id)
                   .where(stopped.is_(None), due.is_not(None), due > now, due <= horizons[kind], paused.is_(None),
                          self._no_alert(kind, "at_risk", R.id))
                   .order_by(due).limit(limit))
            stmt = (tickets._row_stmt().add_columns(T.assignee_id.label("assignee_id_"))
                    .where(T.id.in_(ids)).order_by(getattr(T, f"{kind}_due_at")))
            out += [(kind, tickets._to_row(r), r.assignee_id_) for r in self.s.execute(stmt)]
        return out

    def has(self, key: str) -> bool:
        return self.s.scalar(select(m.Alert.id).where(m.Alert.key == key)) is not None

    def add(self, key: str, kind: str, title: str, ticket_id=None, contract_id=None, due_at=None, raised_at=None,
            recipient_id=None) -> None:
        """Raise the alert `key` (for `recipient_id` only, or for the whole team when None)
        unless it is raised already, by this desk or another one checking at the same moment
        (INSERT ... ON CONFLICT DO NOTHING: never a duplicate key error for an alert two
        desks found at once)."""
        now = self._clock()
        values = dict(key=key, kind=kind, title=title, ticket_id=ticket_id, contract_id=contract_id, due_at=due_at,
                      raised_at=raised_at or now, recipient_id=recipient_id, uuid=m.new_uuid(), created_at=now,
                      updated_at=now, version=1)
        self.s.execute(self._insert()(m.Alert).values(**values).on_conflict_do_nothing(index_elements=["key"]))

    def _insert(self):
        return pg_insert if self.s.get_bind().dialect.name == "postgresql" else sqlite_insert

    def assignments_after(self, event_id: int, limit: int = 5000) -> list[tuple]:
        """(event id, when, ticket id, code, subject, new assignee as written, who assigned,
        the ticket's assignee now) of the history's assignment rows after `event_id`, oldest
        first: a range of the partial index on the assignment rows."""
        E, T = m.TicketEvent, m.Ticket
        stmt = (select(E.id, E.occurred_at, E.ticket_id, T.code, T.subject, E.new_value, E.operator_id, T.assignee_id)
                .join(T, T.id == E.ticket_id)
                .where(E.kind == _ASSIGNED, E.id > event_id).order_by(E.id).limit(limit))
        return [tuple(r) for r in self.s.execute(stmt)]

    def last_assignment_id(self) -> int:
        """The newest assignment row's id (0 when there is none): the end of the index."""
        E = m.TicketEvent
        return self.s.scalar(select(E.id).where(E.kind == _ASSIGNED).order_by(E.id.desc()).limit(1)) or 0

    @staticmethod
    def _for(operator_id):
        """The alerts an operator sees: their own and the team's."""
        A = m.Alert
        return A.recipient_id.is_(None) if operator_id is None else or_(A.recipient_id == operator_id,
                                                                          A.recipient_id.is_(None))

    @staticmethod
    def _read_by(operator_id):
        """Acknowledged, for `operator_id`: before migration 0019 by the desk (read_at), since
        then by that operator (a row in alert_reads)."""
        A, R = m.Alert, m.AlertRead
        mine = exists().where(R.alert_id == A.id, R.operator_id == operator_id) if operator_id is not None else None
        return A.read_at.is_not(None) if mine is None else or_(A.read_at.is_not(None), mine)

    def after(self, alert_id: int, limit: int = 500, operator_id=None, everyone: bool = True) -> list[AlertData]:
        """The alerts raised after `alert_id`, by any desk, oldest first: every one (`everyone`)
        or those `operator_id` sees."""
        A = m.Alert
        stmt = select(A).where(A.id > alert_id)
        if not everyone:
            stmt = stmt.where(self._for(operator_id))
        return [_alert(a) for a in self.s.scalars(stmt.order_by(A.id).limit(limit))]

    def inbox(self, operator_id, since, unread_only: bool = True, limit: int = 500) -> list[AlertData]:
        """The alerts `operator_id` sees raised since `since`, newest first, each `read` as
        that operator acknowledged it."""
        A = m.Alert
        read = self._read_by(operator_id)
        stmt = select(A, read.label("read_")).where(A.raised_at >= since, self._for(operator_id))
        if unread_only:
            stmt = stmt.where(~read)
        rows = self.s.execute(stmt.order_by(A.raised_at.desc(), A.id.desc()).limit(limit))
        return [_alert(a, bool(is_read)) for a, is_read in rows]

    def unread_count(self, operator_id, since) -> int:
        A = m.Alert
        return self.s.scalar(select(func.count()).select_from(A).where(
            A.raised_at >= since, self._for(operator_id), ~self._read_by(operator_id))) or 0

    def acknowledge(self, operator_id: int, alert_ids, now) -> int:
        """Mark `alert_ids` read for `operator_id` (only those they see; again is a no-op);
        how many were unread."""
        A, R = m.Alert, m.AlertRead
        ids = [a for a in self.s.scalars(select(A.id).where(A.id.in_(list(alert_ids)), self._for(operator_id),
                                                            ~self._read_by(operator_id)))]
        if ids:
            self.s.execute(self._insert()(R).values([dict(alert_id=i, operator_id=operator_id, read_at=now)
                                                     for i in ids]).on_conflict_do_nothing())
        return len(ids)

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


def _alert(a, read: bool | None = None) -> AlertData:
    return AlertData(a.id, a.kind, a.ticket_id, a.contract_id, a.title, a.due_at, a.raised_at,
                     a.read_at is not None if read is None else read, a.recipient_id)
