"""The repositories read the time from the unit of work's clock, never from the system's.

Over a real migrated SQLite file, with a clock fixed years from today: every time the
repositories write themselves (a history entry's time and when it was typed in, when a
customer was added and last changed, when a ticket was resolved and closed, when an alert
was raised) is the clock's time. Otherwise the history shows the time of the machine
rather than the time the desk runs on.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from desktop_helpdesk.db import models as m
from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.domain.worklog import WorkLogDraft
from desktop_helpdesk.services.dto import (
    ContractDraft,
    CustomerDraft,
    NewEvent,
    OperatorDraft,
    PackageData,
    TicketDraft,
)
from tests.factories import Clock

T0 = datetime(2031, 3, 14, 2, 30, tzinfo=timezone.utc)


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def uows(engine, clock):
    return uow_factory(engine, clock=clock)


@pytest.fixture
def desk(uows):
    """(operator id, customer id, ticket id) added at T0."""
    with uows() as uow:
        op = uow.operators.add(OperatorDraft("NV001", "Lê Văn Hùng", "Tổng đài 01", "hotline"))
        cid = uow.customers.add(CustomerDraft(name="Công ty TNHH Đặng Gia", kind="company", code="KH00001"))
        tid = uow.tickets.add(TicketDraft(cid, "Máy in hoá đơn không in được", "incident", "hotline",
                                          received_at=T0 - timedelta(hours=1)), "YC31-000001")
        uow.commit()
    return op, cid, tid


def test_a_history_entry_without_a_time_is_dated_and_recorded_by_the_clock(uows, clock, desk):
    op, _cid, tid = desk
    clock.now = T0 + timedelta(minutes=10)
    with uows() as uow:
        uow.tickets.append_event(tid, op, NewEvent("note", body="Khách gọi lại lúc 9 giờ"))
        uow.commit()
    with uows() as uow:
        note = next(e for e in uow.tickets.get(tid).history if e.kind == "note")
        stored = uow.session.get(m.TicketEvent, note.id)
        assert (note.occurred_at, note.recorded_at) == (T0 + timedelta(minutes=10), T0 + timedelta(minutes=10))
        assert (stored.occurred_at, stored.created_at, stored.updated_at) == (T0 + timedelta(minutes=10),) * 3


def test_a_work_log_entry_typed_in_later_keeps_its_time_and_is_recorded_at_the_clocks(uows, clock, desk):
    op, _cid, tid = desk
    clock.now = T0 + timedelta(hours=3)
    call = WorkLogDraft("call", body="Khách báo lỗi máy in", details={"direction": "in", "duration_minutes": 12})
    with uows() as uow:
        entry = uow.tickets.append_worklog(tid, op, call, T0 - timedelta(minutes=30))
        uow.commit()
    with uows() as uow:
        logged = next(e for e in uow.tickets.get(tid).history if e.id == entry)
        # The work log shows "Recorded …" when these are far apart: it must be the clock's time.
        assert logged.occurred_at == T0 - timedelta(minutes=30)
        assert logged.recorded_at == T0 + timedelta(hours=3)


def test_a_customer_is_added_and_changed_at_the_clocks_time(uows, clock, desk):
    _op, cid, _tid = desk
    clock.now = T0 + timedelta(days=1)
    with uows() as uow:
        details = uow.customers.get(cid)
        uow.customers.update(cid, details.version, CustomerDraft(name="Công ty TNHH Đặng Gia Phát", kind="company",
                                                                 code="KH00001"))
        uow.commit()
    with uows() as uow:
        customer = uow.session.get(m.Customer, cid)
        assert customer.name == "Công ty TNHH Đặng Gia Phát"
        assert (customer.created_at, customer.updated_at) == (T0, T0 + timedelta(days=1))


def test_closing_a_ticket_dates_its_resolution_and_closure_by_the_clock(uows, clock, desk):
    _op, cid, tid = desk
    clock.now = T0 + timedelta(hours=2)
    with uows() as uow:
        details = uow.tickets.get(tid)
        uow.tickets.update(tid, details.version, TicketDraft(cid, "Máy in hoá đơn không in được", "incident",
                                                             "hotline", status="closed",
                                                             received_at=T0 - timedelta(hours=1)))
        uow.commit()
    with uows() as uow:
        ticket = uow.session.get(m.Ticket, tid)
        assert (ticket.resolved_at, ticket.closed_at) == (T0 + timedelta(hours=2), T0 + timedelta(hours=2))
        assert (ticket.created_at, ticket.updated_at) == (T0, T0 + timedelta(hours=2))


def test_alerts_and_contract_history_without_a_time_are_dated_by_the_clock(uows, clock, desk):
    op, cid, _tid = desk
    with uows() as uow:
        pid = uow.packages.add(PackageData(0, "SPOS", "Phần mềm bán hàng SPOS", 12, "office", 240, 24, 48, 72,
                                           True, 0))
        kid = uow.contracts.add(ContractDraft(cid, pid, number="HD2031-0001"), None)
        uow.commit()
    clock.now = T0 + timedelta(minutes=45)
    with uows() as uow:
        uow.contracts.append_event(kid, op, NewEvent("edited"))
        uow.alerts.add("contract:1:test", "obligation_due", "Hết hạn bảo hành", contract_id=kid)
        uow.commit()
    with uows() as uow:
        assert [e.occurred_at for e in uow.contracts.file(kid).history] == [T0 + timedelta(minutes=45)]
        assert [a.raised_at for a in uow.alerts.recent()] == [T0 + timedelta(minutes=45)]


def test_without_a_clock_the_system_time_is_used(engine):
    uows = uow_factory(engine)
    before = datetime.now(timezone.utc)
    with uows() as uow:
        op = uow.operators.add(OperatorDraft("NV001", "Lê Văn Hùng", "Tổng đài 01", "hotline"))
        cid = uow.customers.add(CustomerDraft(name="Công ty TNHH Đặng Gia", kind="company", code="KH00001"))
        tid = uow.tickets.add(TicketDraft(cid, "Máy in hoá đơn không in được", "incident", "hotline",
                                          received_at=before), "YC26-000001")
        uow.tickets.append_event(tid, op, NewEvent("note", body="Khách gọi lại"))
        uow.commit()
    after = datetime.now(timezone.utc)
    with uows() as uow:
        (note,) = uow.tickets.get(tid).history
        assert before <= note.occurred_at <= after
        assert before <= note.recorded_at <= after


def test_a_clock_recompute_and_a_calendar_day_edit_are_stamped_by_the_clock(uows, clock, desk):
    """Writes that are not edits by a person (a recompute of due times, one at a time or in
    bulk) and an edited calendar day carry the clock's time too, not the machine's."""
    from desktop_helpdesk.services.dto import CalendarDay

    _op, _cid, tid = desk
    due = T0 + timedelta(hours=3)
    columns = {"proposal": {"started_at": T0, "paused_seconds": 0, "paused_since": None, "stopped_at": None,
                            "due_at": due}}
    clock.now = T0 + timedelta(minutes=20)
    with uows() as uow:
        uow.tickets.set_clocks(tid, columns, due)
        uow.commit()
    with uows() as uow:
        assert uow.session.get(m.Ticket, tid).updated_at == T0 + timedelta(minutes=20)
    clock.now = T0 + timedelta(minutes=30)
    with uows() as uow:
        uow.tickets.write_clocks([(tid, columns, due + timedelta(hours=1))])
        uow.commit()
    with uows() as uow:
        assert uow.session.get(m.Ticket, tid).updated_at == T0 + timedelta(minutes=30)
    day = T0.date() + timedelta(days=3)
    with uows() as uow:
        uow.calendar.put(CalendarDay(day, "day_off", "Nghỉ bù"))
        uow.commit()
    clock.now = T0 + timedelta(minutes=40)
    with uows() as uow:
        uow.calendar.put(CalendarDay(day, "day_off", "Nghỉ bù Tết"))
        uow.commit()
    with uows() as uow:
        stored = uow.session.query(m.CalendarException).filter_by(day=day).one()
        assert (stored.name, stored.updated_at) == ("Nghỉ bù Tết", T0 + timedelta(minutes=40))
