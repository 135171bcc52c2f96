"""Alerts are raised once per clock and state, and survive a restart without repeating."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from desktop_helpdesk.db.engine import open_database
from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.services.dto import ListQuery, TicketDraft
from desktop_helpdesk.services.helpdesk import HelpdeskService
from tests.factories import Clock, warranty_ticket

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_at_risk_then_breached_each_once_and_not_again_after_a_restart(db_url):
    clock = Clock(datetime(2026, 11, 21, 10, 0, tzinfo=VN))
    engine, _ = open_database(db_url)
    service = HelpdeskService(uow_factory(engine), now=clock)
    tid = warranty_ticket(service)
    assert [a.kind for a in service.check_alerts() if a.ticket_id] == []
    clock.now += timedelta(minutes=100)  # the 2-hour proposal clock is 83 % used
    new = service.check_alerts()
    assert [(a.kind, a.ticket_id) for a in new if a.ticket_id] == [("clock_at_risk", tid)]
    assert [a for a in service.check_alerts() if a.ticket_id] == []  # once per state
    clock.now += timedelta(minutes=30)
    assert [(a.kind, a.ticket_id) for a in service.check_alerts() if a.ticket_id] == [("clock_breached", tid)]
    engine.dispose()

    # The app restarts a day later: nothing is repeated; the fix clock breached meanwhile.
    clock.now += timedelta(days=2)
    engine, _ = open_database(db_url)
    service = HelpdeskService(uow_factory(engine), now=clock)
    new = [a for a in service.check_alerts() if a.ticket_id]
    assert [(a.kind, a.ticket_id) for a in new] == [("clock_breached", tid)]
    assert "fix" not in new[0].title and new[0].due_at is not None
    assert [a for a in service.check_alerts() if a.ticket_id] == []
    kinds = [a.kind for a in service.recent_alerts()]
    assert kinds.count("clock_breached") == 2 and kinds.count("clock_at_risk") == 1
    engine.dispose()


def test_obligations_alert_a_set_number_of_days_before_they_fall_due(engine):
    clock = Clock(datetime(2027, 9, 25, 9, 0, tzinfo=VN))  # warranty ends 01/10/2027
    service = HelpdeskService(uow_factory(engine), now=clock)
    warranty_ticket(service)
    new = [a for a in service.check_alerts() if a.kind == "obligation_due"]
    assert len(new) == 1 and new[0].contract_id is not None
    assert [a for a in service.check_alerts() if a.kind == "obligation_due"] == []


def _ticket(service, subject, received_at):
    cid = service.list_customers(ListQuery(limit=1)).rows[0].id
    kid = service.list_contracts(ListQuery(limit=1)).rows[0].id
    return service.create_ticket(TicketDraft(customer_id=cid, contract_id=kid, subject=subject, request_type="how_to",
                                             channel="hotline", received_at=received_at), None)


def test_a_first_start_reports_recent_breaches_once_and_not_years_old_ones(engine):
    clock = Clock(datetime(2026, 11, 21, 10, 0, tzinfo=VN))
    service = HelpdeskService(uow_factory(engine), now=clock)
    warranty_ticket(service)
    old = _ticket(service, "Lỗi in hóa đơn từ năm ngoái", clock.now - timedelta(days=400))
    weekend = _ticket(service, "Không đăng nhập được", clock.now - timedelta(days=3))  # breached while closed
    raised = [(a.kind, a.ticket_id) for a in service.check_alerts() if a.ticket_id]
    assert ("clock_breached", weekend) in raised and all(tid != old for _k, tid in raised)
    clock.now += timedelta(minutes=1)
    assert [a for a in service.check_alerts() if a.ticket_id] == []


def test_an_app_closed_for_a_weekend_reports_what_breached_meanwhile_once(db_url):
    clock = Clock(datetime(2026, 11, 20, 17, 0, tzinfo=VN))  # Friday evening
    engine, _ = open_database(db_url)
    service = HelpdeskService(uow_factory(engine), now=clock)
    warranty_ticket(service)
    service.check_alerts()
    friday = _ticket(service, "Máy in mã vạch không chạy", clock.now)
    engine.dispose()

    clock.now = datetime(2026, 11, 24, 8, 0, tzinfo=VN)  # Tuesday morning after a long weekend
    engine, _ = open_database(db_url)
    service = HelpdeskService(uow_factory(engine), now=clock)
    assert ("clock_breached", friday) in [(a.kind, a.ticket_id) for a in service.check_alerts()]
    assert [a for a in service.check_alerts() if a.ticket_id] == []
    engine.dispose()


def test_a_due_time_moved_before_the_last_check_is_still_reported(engine):
    clock = Clock(datetime(2026, 11, 21, 10, 0, tzinfo=VN))
    service = HelpdeskService(uow_factory(engine), now=clock)
    warranty_ticket(service)
    tid = _ticket(service, "Cân điện tử không nhận", clock.now - timedelta(minutes=60))  # due in an hour
    service.check_alerts()
    package = service.packages()[0]
    service.update_package_terms(replace(package, proposal_target_minutes=30))  # now due 30 minutes ago
    clock.now += timedelta(minutes=1)
    assert [(a.kind, a.ticket_id) for a in service.check_alerts() if a.ticket_id] == [("clock_breached", tid)]
