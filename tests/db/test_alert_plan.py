"""The alert check reads each clock kind's running clocks through that kind's partial due-time
index (`ix_tickets_<kind>_due_running`, migration 0006), on both engines (issue #17: with
another index the check walked every running clock, 1.2–1.95 s a minute at 1M tickets, and
the desk idled at 3 % of a core). The plans are asked of the database itself, for the very
statements the check sends."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, text

from desktop_helpdesk.db.repositories.tickets import CLOCK_KINDS
from desktop_helpdesk.db.uow import uow_factory

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)


def _statements(engine, work) -> list[tuple[str, object]]:
    """The (SQL, parameters) `work(uow)` sends to the database."""
    seen = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with uow_factory(engine, lambda: NOW)() as uow:
            work(uow)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def _plan(engine, statement: str, parameters) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            # A test database has a handful of rows, where a sequential scan is always
            # cheapest: forbid it, so the plan says which index the query can use at all.
            conn.exec_driver_sql("SET enable_seqscan = off")
            rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        else:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return "\n".join(str(r[-1]) for r in rows)


@pytest.mark.parametrize("step", ["breached", "at_risk"])
def test_the_alert_check_reads_each_kind_through_its_running_clock_index(engine, step):
    horizons = {kind: NOW + timedelta(hours=72) for kind in CLOCK_KINDS}

    def work(uow):
        if step == "breached":
            uow.alerts.breached_between(NOW - timedelta(days=4), NOW)
        else:
            uow.alerts.at_risk_candidates(NOW, horizons)

    statements = [(sql, params) for sql, params in _statements(engine, work) if "_due_at" in sql]
    assert len(statements) == len(CLOCK_KINDS)  # one range read per clock kind
    for kind, (sql, params) in zip(CLOCK_KINDS, statements):
        plan = _plan(engine, sql, params)
        assert f"ix_tickets_{kind}_due_running" in plan, plan
        # ...and never the stop-time index that made the check walk every running clock.
        assert f"ix_tickets_{kind}_stopped_at" not in plan, plan
