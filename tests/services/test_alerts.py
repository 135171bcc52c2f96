"""Alerts are raised once per clock and state, and survive a restart without repeating."""

from __future__ import annotations

from desktop_helpdesk.services import alerts, catalog, contracts, customers, tickets

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from desktop_helpdesk.db.engine import open_database
from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.services.dto import ListQuery, TicketDraft
from desktop_helpdesk.services.context import make_context
from tests.factories import Clock, warranty_ticket

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_at_risk_then_breached_each_once_and_not_again_after_a_restart(migrated_db_url):
    clock = Clock(datetime(2026, 11, 21, 10, 0, tzinfo=VN))
    engine, _ = open_database(migrated_db_url)
    ctx = make_context(uow_factory(engine), clock)
    tid = warranty_ticket(ctx)
    assert [a.kind for a in alerts.check(ctx) if a.ticket_id] == []
    clock.now += timedelta(minutes=100)  # the 2-hour proposal clock is 83 % used
    new = alerts.check(ctx)
    assert [(a.kind, a.ticket_id) for a in new if a.ticket_id] == [("clock_at_risk", tid)]
    assert [a for a in alerts.check(ctx) if a.ticket_id] == []  # once per state
    clock.now += timedelta(minutes=30)
    assert [(a.kind, a.ticket_id) for a in alerts.check(ctx) if a.ticket_id] == [("clock_breached", tid)]
    engine.dispose()

    # The app restarts a day later: nothing is repeated; the fix clock breached meanwhile.
    clock.now += timedelta(days=2)
    engine, _ = open_database(migrated_db_url)
    ctx = make_context(uow_factory(engine), clock)
    new = [a for a in alerts.check(ctx) if a.ticket_id]
    assert [(a.kind, a.ticket_id) for a in new] == [("clock_breached", tid)]
    assert "fix" not in new[0].title and new[0].due_at is not None
    assert [a for a in alerts.check(ctx) if a.ticket_id] == []
    kinds = [a.kind for a in alerts.recent(ctx)]
    assert kinds.count("clock_breached") == 2 and kinds.count("clock_at_risk") == 1
    engine.dispose()


def test_obligations_alert_a_set_number_of_days_before_they_fall_due(engine):
    clock = Clock(datetime(2027, 9, 25, 9, 0, tzinfo=VN))  # warranty ends 01/10/2027
    ctx = make_context(uow_factory(engine), clock)
    warranty_ticket(ctx)
    new = [a for a in alerts.check(ctx) if a.kind == "obligation_due"]
    assert len(new) == 1 and new[0].contract_id is not None
    assert [a for a in alerts.check(ctx) if a.kind == "obligation_due"] == []


def _ticket(ctx, subject, received_at):
    cid = customers.list_customers(ctx, ListQuery(limit=1)).rows[0].id
    kid = contracts.list_contracts(ctx, ListQuery(limit=1)).rows[0].id
    return tickets.create_ticket(ctx, TicketDraft(customer_id=cid, contract_id=kid, subject=subject, request_type="how_to",
                                             channel="hotline", received_at=received_at), None)


def test_a_first_start_reports_recent_breaches_once_and_not_years_old_ones(engine):
    clock = Clock(datetime(2026, 11, 21, 10, 0, tzinfo=VN))
    ctx = make_context(uow_factory(engine), clock)
    warranty_ticket(ctx)
    old = _ticket(ctx, "Lỗi in hóa đơn từ năm ngoái", clock.now - timedelta(days=400))
    weekend = _ticket(ctx, "Không đăng nhập được", clock.now - timedelta(days=3))  # breached while closed
    raised = [(a.kind, a.ticket_id) for a in alerts.check(ctx) if a.ticket_id]
    assert ("clock_breached", weekend) in raised and all(tid != old for _k, tid in raised)
    clock.now += timedelta(minutes=1)
    assert [a for a in alerts.check(ctx) if a.ticket_id] == []


def test_an_app_closed_for_a_weekend_reports_what_breached_meanwhile_once(migrated_db_url):
    clock = Clock(datetime(2026, 11, 20, 17, 0, tzinfo=VN))  # Friday evening
    engine, _ = open_database(migrated_db_url)
    ctx = make_context(uow_factory(engine), clock)
    warranty_ticket(ctx)
    alerts.check(ctx)
    friday = _ticket(ctx, "Máy in mã vạch không chạy", clock.now)
    engine.dispose()

    clock.now = datetime(2026, 11, 24, 8, 0, tzinfo=VN)  # Tuesday morning after a long weekend
    engine, _ = open_database(migrated_db_url)
    ctx = make_context(uow_factory(engine), clock)
    assert ("clock_breached", friday) in [(a.kind, a.ticket_id) for a in alerts.check(ctx)]
    assert [a for a in alerts.check(ctx) if a.ticket_id] == []
    engine.dispose()


def test_a_due_time_moved_before_the_last_check_is_still_reported(engine):
    clock = Clock(datetime(2026, 11, 21, 10, 0, tzinfo=VN))
    ctx = make_context(uow_factory(engine), clock)
    warranty_ticket(ctx)
    tid = _ticket(ctx, "Cân điện tử không nhận", clock.now - timedelta(minutes=60))  # due in an hour
    alerts.check(ctx)
    package = catalog.packages(ctx)[0]
    catalog.update_package_terms(ctx, replace(package, proposal_target_minutes=30))  # now due 30 minutes ago
    clock.now += timedelta(minutes=1)
    assert [(a.kind, a.ticket_id) for a in alerts.check(ctx) if a.ticket_id] == [("clock_breached", tid)]
