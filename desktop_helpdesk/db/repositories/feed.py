"""The change feed (migration 0012): written by every unit of work that changes something,
read by every desk to learn what colleagues changed.

Writing: the unit of work notes each table its flushes and bulk statements touch and, just
before commit, adds one `change_feed` row naming them (and, on PostgreSQL, a NOTIFY that is
delivered at commit). Reading: the rows after the desk's watermark. Ids are handed out
before commit, so on PostgreSQL a transaction that took a lower id may commit after a higher
one was read: ids skipped over stay "pending" for a while and are asked for again, so a slow
commit is still seen (a rolled-back id simply never appears and is dropped after
`PENDING_SECONDS`).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, event, insert, select, text
from sqlalchemy.orm import Session

from ...services.dto import FeedCursor, FeedRows
from .. import models as m
from ._sql import Repo

#: The PostgreSQL notification channel a commit that wrote signals on.
CHANNEL = "helpdesk_changes"
#: How long an id skipped over is still awaited.
PENDING_SECONDS = 120
#: Feed rows older than this are removed (a desk that was away longer reloads everything).
KEEP = timedelta(days=2)
#: Tables whose changes no other desk needs to hear of.
_QUIET = frozenset({"change_feed", "alembic_version"})


class FeedTracker:
    """Notes the tables a session writes; adds the feed row before each commit."""

    def __init__(self, session: Session, origin: str, clock):
        self.session = session
        self.origin = origin
        self.clock = clock
        self.tables: set[str] = set()
        event.listen(session, "after_flush", self._flushed)
        event.listen(session, "do_orm_execute", self._executed)
        event.listen(session, "before_commit", self._committing)

    def _flushed(self, session, _context) -> None:
        for obj in (*session.new, *session.dirty, *session.deleted):
            table = getattr(obj, "__tablename__", None)
            if table:
                self.tables.add(table)

    def _executed(self, state) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            table = getattr(state.statement, "table", None)
            name = getattr(table, "name", None)
            if name:
                self.tables.add(name)

    def _committing(self, session) -> None:
        session.flush()
        tables = self.tables - _QUIET
        self.tables = set()
        if not tables:
            return
        session.execute(insert(m.ChangeFeed).values(
            origin=self.origin, tables=",".join(sorted(tables))[:400], at=self.clock()))
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


class SqlFeedRepository(Repo):
    def latest(self) -> int:
        return self.s.scalar(select(m.ChangeFeed.id).order_by(m.ChangeFeed.id.desc()).limit(1)) or 0

    def since(self, cursor: FeedCursor, now) -> FeedRows:
        """The rows after `cursor`'s watermark and those of its pending ids that arrived."""
        F = m.ChangeFeed
        cond = F.id > cursor.watermark
        if cursor.pending:
            cond = cond | F.id.in_([i for i, _ in cursor.pending])
        rows = self.s.execute(select(F.id, F.origin, F.tables).where(cond).order_by(F.id).limit(5000)).all()
        seen = {r.id for r in rows}
        stamp = now.timestamp()
        pending = {i: t for i, t in cursor.pending if i not in seen and stamp - t < PENDING_SECONDS}
        watermark = cursor.watermark
        for r in rows:
            if r.id > watermark:
                if r.id - watermark <= 1000:  # (a far jump: a desk that was away; nothing to await)
                    for gap in range(watermark + 1, r.id):
                        if gap not in seen:
                            pending[gap] = stamp
                watermark = r.id
        return FeedRows(tuple((r.origin, tuple(r.tables.split(","))) for r in rows),
                        FeedCursor(watermark, tuple(sorted(pending.items()))[-500:]))

    def prune(self, before) -> int:
        return self.s.execute(delete(m.ChangeFeed).where(m.ChangeFeed.at < before)).rowcount or 0
