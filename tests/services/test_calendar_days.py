"""The firm's own calendar days: saving one recomputes the due times of the running clocks on
the office calendar (real SQLite built by the migrations)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.services.dto import CalendarDay, ContractDraft, CustomerDraft, PackageData, PaymentData, TicketDraft
from desktop_helpdesk.services.helpdesk import HelpdeskService, ValidationFailed

VN = ZoneInfo("Asia/Ho_Chi_Minh")
THURSDAY = datetime(2026, 11, 26, 14, 0, tzinfo=VN)


def _desk(engine):
    service = HelpdeskService(uow_factory(engine), now=lambda: THURSDAY)
    with service.uow_factory() as uow:
        office = uow.packages.add(PackageData(0, "BH", "Phần mềm bán hàng", 12, "office", 240, 24, 48, 72, False, 9_000_000))
        always = uow.packages.add(PackageData(0, "GOLD", "Tiệm vàng", 12, "always", 240, 24, 48, 72, True, 45_000_000))
        uow.commit()
    cid = service.save_customer(CustomerDraft(name="Công ty TNHH Hoa Mai", kind="company"))
    tickets = {}
    for name, pid in (("office", office), ("always", always)):
        kid = service.save_contract(ContractDraft(customer_id=cid, package_id=pid, stage="warranty", value_vnd=9_000_000,
                                                  signed_on=date(2026, 9, 1), accepted_on=date(2026, 10, 1)))
        service.add_payment(kid, PaymentData(None, date(2026, 9, 1), 9_000_000), None)
        tickets[name] = service.create_ticket(TicketDraft(customer_id=cid, contract_id=kid, subject=f"Hướng dẫn in báo cáo ({name})",
                                                          request_type="how_to", channel="hotline"), None)
    return service, tickets


def _proposal_due(service, ticket_id):
    details = service.get_ticket(ticket_id)
    with service.uow_factory() as uow:
        stored, _terms = uow.tickets.clock_columns(ticket_id)
    return stored["proposal"]["due_at"].astimezone(VN), details


def _next_due(service, ticket_id):
    with service.uow_factory() as uow:
        rows = uow.tickets.clocks_of([ticket_id])
    return min(c.due_at for c in rows[0][1] if c.stopped_at is None).astimezone(VN)


def test_a_day_off_moves_a_running_clock_past_it_and_removing_it_moves_it_back(engine):
    service, tickets = _desk(engine)
    due, _ = _proposal_due(service, tickets["office"])
    assert due == datetime(2026, 11, 27, 8, 30, tzinfo=VN)  # 3.5 h on Thursday, half an hour on Friday
    always_due, _ = _proposal_due(service, tickets["always"])

    progress = []
    count = service.save_calendar_days([CalendarDay(date(2026, 11, 27), "day_off", "Nghỉ tất niên sớm")], [],
                                       lambda done, total: progress.append((done, total)))
    assert count == 1 and progress[-1] == (1, 1)  # only the office calendar's clock
    due, _ = _proposal_due(service, tickets["office"])
    assert due == datetime(2026, 11, 30, 8, 30, tzinfo=VN)  # past Friday and the weekend: Monday
    assert _next_due(service, tickets["office"]) == due
    with engine.connect() as conn:  # stored as the app stores times: UTC text that sorts
        assert conn.execute(text("SELECT proposal_due_at, next_due_at FROM tickets WHERE id = :i"),
                            {"i": tickets["office"]}).one() == ("2026-11-30 01:30:00.000000",) * 2
    with service.uow_factory() as uow:  # the list's sort key moved with it
        page = uow.tickets.due_rows(None, None, 10)
    assert {r.id: r.next_due_at.astimezone(VN) for r in page}[tickets["office"]] == due
    assert _proposal_due(service, tickets["always"])[0] == always_due
    assert [(d.day, d.kind, d.name) for d in service.calendar_days()] == [
        (date(2026, 11, 27), "day_off", "Nghỉ tất niên sớm")]

    service.save_calendar_days([], [date(2026, 11, 27)])
    assert _proposal_due(service, tickets["office"])[0] == datetime(2026, 11, 27, 8, 30, tzinfo=VN)
    assert service.calendar_days() == []


def test_an_extra_working_day_brings_a_due_time_forward_and_survives_a_restart(engine):
    service, tickets = _desk(engine)
    service.save_calendar_days([CalendarDay(date(2026, 11, 27), "day_off", "Nghỉ tất niên sớm"),
                                CalendarDay(date(2026, 11, 28), "working_day", "Làm bù thứ Bảy")], [])
    assert _proposal_due(service, tickets["office"])[0] == datetime(2026, 11, 28, 8, 30, tzinfo=VN)
    # A new service on the same database (the app restarted) reads the days back.
    again = HelpdeskService(uow_factory(engine), now=lambda: THURSDAY + timedelta(minutes=5))
    tid = again.create_ticket(TicketDraft(customer_id=again.list_customers(__import__(
        "desktop_helpdesk.services.dto", fromlist=["ListQuery"]).ListQuery(limit=1)).rows[0].id,
        contract_id=again.get_ticket(tickets["office"]).draft.contract_id, subject="Lỗi đồng bộ kho",
        request_type="how_to", channel="hotline"), None)
    assert _proposal_due(again, tid)[0] == datetime(2026, 11, 28, 8, 35, tzinfo=VN)


def test_a_calendar_day_needs_a_name(engine):
    service, _tickets = _desk(engine)
    with pytest.raises(ValidationFailed):
        service.save_calendar_days([CalendarDay(date(2026, 11, 27), "day_off", "  ")], [])
    assert service.calendar_days() == []
