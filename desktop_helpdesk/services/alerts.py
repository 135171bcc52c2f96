"""Alerts: once per clock per state (at risk, breached) and once per obligation a set number
of days before it falls due. Keys make them idempotent, so a restart never repeats one and
a clock that breached while the app was closed is reported on the next start, once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..domain.sla import ClockState
from . import clocks as rules
from .dto import ListQuery

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OBLIGATION_NOTICE_DAYS = 7
AT_RISK_HORIZON = timedelta(days=4)


def check(service, now: datetime, obligation_days: int = OBLIGATION_NOTICE_DAYS) -> list:
    """Raise every alert that is due and not raised yet; return the new ones."""
    keys: list[str] = []
    today = now.astimezone(VN).date()
    obligations = service.list_obligations(ListQuery(limit=2000, filters={
        "from": today, "until": today + timedelta(days=obligation_days)})).rows
    with service.uow_factory() as uow:
        for ticket_id, code, subject, kind, due in uow.alerts.breached_without_alert(now):
            key = f"ticket:{ticket_id}:{kind}:breached"
            uow.alerts.add(key, "clock_breached", f"{code} — {subject}", ticket_id=ticket_id, due_at=due, raised_at=now)
            keys.append(key)
        for r in uow.tickets.due_rows(now, now + AT_RISK_HORIZON, 5000):
            for kind, clock in rules.live_clocks(r):
                key = f"ticket:{r.id}:{kind.value}:at_risk"
                if clock.stopped_at is None and clock.state(now) == ClockState.AT_RISK and not uow.alerts.has(key):
                    uow.alerts.add(key, "clock_at_risk", f"{r.code} — {r.subject}", ticket_id=r.id,
                                   due_at=clock.due_at, raised_at=now)
                    keys.append(key)
        for o in obligations:
            key = f"obligation:{o.id}:{o.due_on.isoformat()}"
            if not uow.alerts.has(key):
                uow.alerts.add(key, "obligation_due", f"{o.contract_number} — {o.customer_name}",
                               contract_id=o.contract_id, raised_at=now)
                keys.append(key)
        new = uow.alerts.flush_new(keys)
        uow.commit()
    return new


def recent(service, limit: int = 200) -> list:
    with service.uow_factory() as uow:
        return uow.alerts.recent(limit)


def mark_read(service, now: datetime) -> None:
    with service.uow_factory() as uow:
        uow.alerts.mark_read(now)
        uow.commit()
