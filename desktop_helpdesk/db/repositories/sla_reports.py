"""SQL of the SLA reports (services.reports): counts grouped by customer, package, operator or
month, on both engines.

Every figure but the medians and "at risk" is one GROUP BY over the tickets received in the
period (indexed by received_at), so the database does the counting and only one row per
group comes back. The medians need each stopped clock's time in its target's unit (working
hours of the package's calendar for the proposal): those clocks are streamed in chunks. "At
risk" needs each running clock's share of its target: only the clocks due within the
dashboard's horizon are read (the partial index of running clocks by due time).

A month is the month in Vietnam time (Asia/Ho_Chi_Minh, UTC+7 all year since 1975): a ticket
received 2026-03-31 23:30 there (16:30 UTC) belongs to March. The times are stored as naive
UTC, so the month is taken of the time moved by the zone's offset, in each dialect's words.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy import BigInteger, Integer, and_, case, cast, extract, func, literal, or_, select

from ...domain.vietnam import VIETNAM
from .. import models as m
from ._sql import Repo, unindexed
from .alerts import running_clocks

CLOCK_KINDS = ("proposal", "fix", "complaint")
DIMENSIONS = ("month", "customer", "package", "operator")
#: Asia/Ho_Chi_Minh's offset from UTC (no daylight saving there).
VN_OFFSET = datetime(2026, 1, 1, tzinfo=VIETNAM).utcoffset()
#: Ids asked per query when labels are looked up.
LABEL_CHUNK = 500


def _is_pg(session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def local_month(session, column):
    """'YYYY-MM' of a stored UTC time, in Vietnam time."""
    if _is_pg(session):
        return func.to_char(column + literal(VN_OFFSET), "YYYY-MM")
    return func.strftime("%Y-%m", column, f"+{int(VN_OFFSET.total_seconds() // 60)} minutes")


def epoch_seconds(session, column):
    """A stored UTC time as whole seconds since the Unix epoch (fractions dropped)."""
    if _is_pg(session):
        return cast(func.floor(extract("epoch", column)), BigInteger)
    # From the Julian day: half the cost of strftime('%s') over a million rows. A double holds
    # the instant to ~50 µs; the tenth of a millisecond added keeps a whole second whole.
    return cast((func.julianday(column) - 2440587.5) * 86400.0 + 0.0001, Integer)


def date_month(session, column):
    """'YYYY-MM' of a date column (an obligation's due day, already a desk day)."""
    if _is_pg(session):
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _clock(kind: str) -> dict:
    T = m.Ticket
    return {f: getattr(T, f"{kind}_{f}") for f in ("started_at", "paused_seconds", "paused_since", "stopped_at", "due_at")}


def _moment(c: dict):
    """When a stopped clock was read (domain.sla.SlaClock._moment): its stop, or the pause it
    was stopped in (the vendor's time ended when it was paused)."""
    return case((and_(c["paused_since"].is_not(None), c["paused_since"] < c["stopped_at"]), c["paused_since"]),
                else_=c["stopped_at"])


def met_condition(kind: str):
    c = _clock(kind)
    return and_(c["stopped_at"].is_not(None), _moment(c) <= c["due_at"])


def breached_condition(kind: str, now: datetime):
    """domain.sla.SlaClock.state() == BREACHED at `now`, in SQL: stopped late, running past
    its due time, or paused after it."""
    c = _clock(kind)
    return or_(and_(c["stopped_at"].is_not(None), _moment(c) > c["due_at"]),
               and_(c["stopped_at"].is_(None), c["paused_since"].is_(None), c["due_at"] < now),
               and_(c["stopped_at"].is_(None), c["paused_since"].is_not(None), c["paused_since"] > c["due_at"]))


class SqlSlaReportRepository(Repo):
    """Grouped counts for the SLA reports. `dimension` is one of DIMENSIONS."""

    def _ticket_key(self, dimension: str, month_of=None, ticket=None):
        T = m.Ticket if ticket is None else ticket
        if dimension == "month":
            return local_month(self.s, T.received_at if month_of is None else month_of)
        # "+column" on SQLite (unindexed): grouping by an indexed column, SQLite walked that
        # index over every ticket (all 1M) to save sorting the period's few.
        plain = (lambda column: column) if ticket is not None else (lambda column: unindexed(self.s, column))
        if dimension == "customer":
            return plain(T.customer_id)
        if dimension == "package":
            return plain(m.Contract.package_id)
        if dimension == "operator":
            return plain(T.assignee_id)
        raise ValueError(f"unknown report dimension {dimension!r}")

    def _with_joins(self, stmt, dimension: str):
        if dimension == "package":
            return stmt.outerjoin(m.Contract, m.Contract.id == m.Ticket.contract_id)
        return stmt

    def clock_counts(self, dimension: str, start: datetime, end: datetime, now: datetime) -> list[tuple]:
        """Per group of the tickets received in [start, end): (key, received, then per clock
        kind of CLOCK_KINDS the clocks started, met and breached at `now`)."""
        T = m.Ticket
        key = self._ticket_key(dimension).label("key")
        columns = [key, func.count().label("received")]
        for kind in CLOCK_KINDS:
            columns += [
                func.count(getattr(T, f"{kind}_started_at")).label(f"{kind}_clocks"),
                func.sum(case((met_condition(kind), 1), else_=0)).label(f"{kind}_met"),
                func.sum(case((breached_condition(kind, now), 1), else_=0)).label(f"{kind}_breached"),
            ]
        stmt = self._with_joins(select(*columns).select_from(T), dimension)
        stmt = stmt.where(T.received_at >= start, T.received_at < end).group_by(key)
        return [tuple(r) for r in self.s.execute(stmt)]

    def received_count(self, start: datetime, end: datetime) -> int:
        """How many tickets were received in [start, end) (a range of the received_at index)."""
        T = m.Ticket
        return self.s.scalar(select(func.count()).select_from(T).where(T.received_at >= start, T.received_at < end))

    def resolved_counts(self, dimension: str, start: datetime, end: datetime) -> dict:
        """Tickets resolved in [start, end) per group (a month: the month they were resolved)."""
        T = m.Ticket
        key = self._ticket_key(dimension, T.resolved_at).label("key")
        stmt = self._with_joins(select(key, func.count()).select_from(T), dimension)
        stmt = stmt.where(T.resolved_at >= start, T.resolved_at < end).group_by(key)
        return {k: n for k, n in self.s.execute(stmt)}

    def obligation_counts(self, dimension: str | None, first: date, after: date, today: date) -> dict:
        """The planned obligations (milestones, visits, trainings, updates: not the dates derived
        from a contract's terms) due in [first, after), per group (None: one group, the desk):
        {key: (due, done on time, done late, missed)}; missed = not done and due before today."""
        O = m.Obligation
        if dimension is None or dimension == "operator":
            key = literal(None).label("key")
        elif dimension == "month":
            key = date_month(self.s, O.due_on).label("key")
        elif dimension == "customer":
            key = O.customer_id.label("key")
        elif dimension == "package":
            key = m.Contract.package_id.label("key")
        else:
            raise ValueError(f"unknown report dimension {dimension!r}")
        stmt = select(key, func.count(),
                      func.sum(case((and_(O.done_on.is_not(None), O.done_on <= O.due_on), 1), else_=0)),
                      func.sum(case((and_(O.done_on.is_not(None), O.done_on > O.due_on), 1), else_=0)),
                      func.sum(case((and_(O.done_on.is_(None), O.due_on < today), 1), else_=0))).select_from(O)
        if dimension == "package":
            stmt = stmt.join(m.Contract, m.Contract.id == O.contract_id)
        # A cancelled obligation (its contract ended early) was never owed: not counted at all.
        stmt = stmt.where(O.due_on >= first, O.due_on < after, O.derived.is_(False), O.cancelled_on.is_(None))
        if dimension not in (None, "operator"):
            stmt = stmt.group_by(key)
        return {r[0]: (r[1], r[2] or 0, r[3] or 0, r[4] or 0) for r in self.s.execute(stmt) if r[1]}

    def contract_terms(self) -> dict:
        """{contract id: (package id, the package's support hours)} of every contract: the
        stopped clocks are streamed without a join, and mapped through this (a few ten
        thousand contracts against up to a million clocks)."""
        return {r[0]: (r[1], r[2]) for r in self.s.execute(
            select(m.Contract.id, m.Contract.package_id, m.Package.support_hours)
            .join(m.Package, m.Package.id == m.Contract.package_id))}

    def stopped_clocks(self, dimension: str, start: datetime, end: datetime,
                       chunk: int = 50_000) -> Iterator[list]:
        """The proposal and fix clocks stopped, of the tickets received in [start, end), in
        chunks of `chunk` rows, one pass for both: (key, contract id, then per kind started,
        stopped or paused, paused seconds: None when that clock is not stopped). The key of
        the package dimension is None here: the package is the contract's (contract_terms).
        Times are whole seconds since the epoch (a million datetimes would cost seconds to
        build, and the medians are told to the second). Read as the driver's tuples, not
        the ORM's rows (whose handling was half the time at a million clocks)."""
        T = m.Ticket
        key = literal(None) if dimension == "package" else self._ticket_key(dimension)
        columns = [key.label("key"), T.contract_id]
        for kind in ("proposal", "fix"):
            c = _clock(kind)
            stopped = c["stopped_at"].is_not(None)
            columns += [case((stopped, epoch_seconds(self.s, c["started_at"]))),
                        case((stopped, epoch_seconds(self.s, _moment(c)))), c["paused_seconds"]]
        stmt = (select(*columns).select_from(T)
                .where(T.received_at >= start, T.received_at < end,
                       or_(T.proposal_stopped_at.is_not(None), T.fix_stopped_at.is_not(None))))
        if _is_pg(self.s):
            yield from self._server_side(stmt, chunk)
            return
        # SQLite: the driver's own rows (plain tuples; every column is a number or a key the
        # driver gives as it is), half the cost of SQLAlchemy building rows of them. Without
        # yield_per SQLAlchemy reads nothing ahead, so its cursor is whole.
        result = self.s.connection().execute(stmt)
        try:
            while True:
                part = result.cursor.fetchmany(chunk)
                if not part:
                    return
                yield part
        finally:
            result.close()

    def _server_side(self, stmt, chunk: int) -> Iterator[list]:
        """PostgreSQL: `stmt` read through a psycopg server-side cursor of its own, in this
        session's transaction, as the driver's tuples. Its bound values are SQLAlchemy's,
        each processed by its type (the period's bounds as the naive UTC the column holds)."""
        conn = self.s.connection()
        compiled = stmt.compile(dialect=conn.dialect)
        dialect = conn.dialect
        processors = {name: bp.type.dialect_impl(dialect).bind_processor(dialect) for name, bp in compiled.binds.items()}
        params = {name: (processors[name](value) if processors.get(name) else value)
                  for name, value in compiled.construct_params().items()}
        cursor = conn.connection.driver_connection.cursor(name="sla_report_stopped_clocks")
        try:
            cursor.execute(str(compiled), params)
            while True:
                part = cursor.fetchmany(chunk)
                if not part:
                    return
                yield part
        finally:
            cursor.close()

    def running_near_due(self, kind: str, dimension: str, start: datetime, end: datetime,
                         now: datetime, until: datetime) -> list:
        """The `kind` clocks running (not stopped, not paused) and due in [now, until), of the
        tickets received in [start, end): (key, started_at, paused_seconds, due_at, the
        package's terms...) for the at-risk share, read through the partial index of running
        clocks by due time (as the alert check reads them: SQLite otherwise took the pause
        index and read every clock never paused, 2 to 4 s on 1M tickets)."""
        R = running_clocks(kind)
        P = m.Package
        due, started = getattr(R, f"{kind}_due_at"), getattr(R, f"{kind}_started_at")
        key = self._ticket_key(dimension, ticket=R).label("key")
        stmt = (select(key, started.label("started_at"), getattr(R, f"{kind}_paused_seconds").label("paused_seconds"),
                       due.label("due_at"), P.support_hours,
                       P.proposal_target_minutes, P.fix_target_hours, P.fix_extended_hours, P.complaint_target_hours)
                .select_from(R).outerjoin(m.Contract, m.Contract.id == R.contract_id)
                .outerjoin(P, P.id == m.Contract.package_id)
                .where(getattr(R, f"{kind}_stopped_at").is_(None), due.is_not(None), due >= now, due < until,
                       getattr(R, f"{kind}_paused_since").is_(None), R.received_at >= start, R.received_at < end))
        return self.s.execute(stmt).all()

    def labels(self, dimension: str, keys) -> dict:
        """{key: (name, code)} of customers, packages or operators."""
        model = {"customer": m.Customer, "package": m.Package, "operator": m.Operator}.get(dimension)
        if model is None:
            return {}
        name = model.full_name if model is m.Operator else model.name
        ids = sorted(k for k in keys if k is not None)
        out = {}
        if len(ids) > 20 * LABEL_CHUNK:  # most of them: one read of the whole table, not a hundred
            wanted = set(ids)
            return {r[0]: (r[1], r[2]) for r in self.s.execute(select(model.id, name, model.code)) if r[0] in wanted}
        for i in range(0, len(ids), LABEL_CHUNK):
            part = ids[i:i + LABEL_CHUNK]
            out.update({r[0]: (r[1], r[2]) for r in self.s.execute(select(model.id, name, model.code)
                                                                   .where(model.id.in_(part)))})
        return out

