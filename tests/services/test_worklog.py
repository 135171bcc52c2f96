"""The work log over a real migrated SQLite file: each kind, time order, corrections, and a
history that cannot be edited or deleted."""

from __future__ import annotations

from desktop_helpdesk.services import catalog, contracts, customers, tickets

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from desktop_helpdesk.db.repositories.tickets import SqlTicketRepository
from desktop_helpdesk.db.uow import SqlUnitOfWork
from desktop_helpdesk.domain.worklog import WorkLogDraft
from desktop_helpdesk.services import ports, worklog
from desktop_helpdesk.services.dto import (
    ContractDraft,
    CustomerDraft,
    OperatorDraft,
    PackageData,
    TicketDraft,
)
from desktop_helpdesk.services.context import make_context
from desktop_helpdesk.services.errors import ValidationFailed

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def desk(engine):
    from desktop_helpdesk.db.uow import uow_factory

    ctx = make_context(uow_factory(engine), lambda: NOW)
    with ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "SPOS", "Phần mềm bán hàng SPOS", 12, "office", 240, 24, 48, 72, True, 0))
        uow.commit()
    tech = catalog.add_operator(ctx, OperatorDraft("NV007", "Trần Thị Bích Ngọc", "KTV Ngọc", "technician"))
    hotline = catalog.add_operator(ctx, OperatorDraft("NV001", "Lê Văn Hùng", "Tổng đài 01", "hotline"))
    cid = customers.save_customer(ctx, CustomerDraft(name="Công ty TNHH Đặng Gia", kind="company", tax_code="0100109106",
                                              address="12 Lý Thường Kiệt, Hoàn Kiếm, Hà Nội"))
    kid = contracts.save_contract(ctx, ContractDraft(cid, pid, stage="signed", value_vnd=0,
                                              signed_on=date(2026, 1, 5)))
    tid = tickets.create_ticket(ctx, TicketDraft(cid, "Máy in hoá đơn không in được", "incident", "hotline",
                                            contract_id=kid, received_at=NOW - timedelta(hours=3)), hotline)
    return ctx, tid, tech, hotline, kid


def _call(minutes=12, **kw):
    return WorkLogDraft("call", body=kw.pop("body", "Khách báo lỗi máy in"),
                        details={"direction": "in", "duration_minutes": minutes, **kw.pop("details", {})}, **kw)


def test_each_kind_is_added_and_the_history_shows_them_in_time_order(desk):
    ctx, tid, tech, hotline, _k = desk
    at = lambda h: NOW - timedelta(hours=h)  # noqa: E731
    worklog.add_entry(ctx, tid, hotline, WorkLogDraft("email", details={
        "direction": "sent", "subject": "Hướng dẫn cài driver", "address": "ketoan@danggia.vn"}, occurred_at=at(0.5)))
    worklog.add_entry(ctx, tid, hotline, _call(12, occurred_at=at(2.5)))
    worklog.add_entry(ctx, tid, hotline, WorkLogDraft("remote_session", body="Cài lại driver", details={
        "tool": "ultraviewer", "session_id": "123 456 789", "duration_minutes": 25}, occurred_at=at(2)))
    worklog.add_entry(ctx, tid, tech, WorkLogDraft("visit", details={
        "scheduled_at": at(1.5), "technician_id": tech, "address": "12 Lý Thường Kiệt", "started_at": at(1.5),
        "ended_at": at(1), "outcome": "resolved", "work_done": "Thay cáp USB, in thử 5 hoá đơn"}))
    worklog.add_entry(ctx, tid, hotline, WorkLogDraft("note", body="Khách xác nhận đã in được", occurred_at=at(0.2)))

    history = tickets.get_ticket(ctx, tid).history
    work = [e for e in history if e.kind in ("note", "call", "remote_session", "visit", "email")]
    assert [e.kind for e in work] == ["call", "remote_session", "visit", "email", "note"]
    assert [e.occurred_at for e in history] == sorted(e.occurred_at for e in history)
    call, remote, visit, email, _note = work
    assert call.duration_minutes == 12 and call.details["direction"] == "in"
    assert remote.details["tool"] == "ultraviewer" and remote.details["session_id"] == "123 456 789"
    assert visit.duration_minutes == 30 and visit.details["ended_at"] == at(1)
    assert visit.occurred_at == at(1.5)  # placed where it happened
    assert email.details["subject"] == "Hướng dẫn cài driver"


def test_a_correction_refers_to_its_original_which_stays_as_it_was(desk):
    ctx, tid, _t, hotline, _k = desk
    original = worklog.add_entry(ctx, tid, hotline, _call(12))
    fixed = worklog.correct_entry(ctx, tid, hotline, original, _call(21), "Gõ nhầm thời lượng")
    history = {e.id: e for e in tickets.get_ticket(ctx, tid).history}
    assert history[fixed].corrects_id == original
    assert history[fixed].details["reason"] == "Gõ nhầm thời lượng"
    assert history[fixed].duration_minutes == 21
    assert history[original].duration_minutes == 12 and history[original].corrects_id is None


def test_a_correction_needs_a_reason_and_the_same_kind(desk):
    ctx, tid, _t, hotline, _k = desk
    original = worklog.add_entry(ctx, tid, hotline, _call(12))
    with pytest.raises(ValidationFailed) as info:
        worklog.correct_entry(ctx, tid, hotline, original, _call(21), "  ")
    assert {e.field for e in info.value.errors} == {"reason"}
    with pytest.raises(ValidationFailed) as info:
        worklog.correct_entry(ctx, tid, hotline, original, WorkLogDraft("note", body="x"), "sai loại")
    assert {e.code for e in info.value.errors} == {"correction_kind"}
    created = next(e for e in tickets.get_ticket(ctx, tid).history if e.kind == "created")
    with pytest.raises(ValidationFailed):
        worklog.correct_entry(ctx, tid, hotline, created.id, WorkLogDraft("note", body="x"), "không được")


def test_invalid_entries_are_refused_with_field_errors_and_nothing_is_written(desk):
    ctx, tid, _t, hotline, _k = desk
    before = len(tickets.get_ticket(ctx, tid).history)
    with pytest.raises(ValidationFailed) as info:
        worklog.add_entry(ctx, tid, hotline, WorkLogDraft("call", details={"direction": "in", "duration_minutes": 0}))
    assert {(e.field, e.code) for e in info.value.errors} == {("duration_minutes", "duration_positive")}
    with pytest.raises(ValidationFailed) as info:
        worklog.add_entry(ctx, tid, hotline, WorkLogDraft("email", details={"direction": "sent", "subject": "x",
                                                                                 "address": "not an address"}))
    assert {e.field for e in info.value.errors} == {"address"}
    with pytest.raises(ValidationFailed) as info:
        worklog.add_entry(ctx, tid, hotline, WorkLogDraft("visit", details={"address": "x", "started_at": NOW,
                                                                                 "ended_at": NOW - timedelta(hours=1)}))
    assert {e.field for e in info.value.errors} == {"scheduled_at", "technician_id", "ended_at"}
    # A visit cannot start before the ticket was received (3 hours ago), nor a call be logged then.
    with pytest.raises(ValidationFailed) as info:
        worklog.add_entry(ctx, tid, hotline, WorkLogDraft("visit", details={
            "address": "12 Lê Lợi", "scheduled_at": NOW - timedelta(hours=5), "technician_id": hotline,
            "started_at": NOW - timedelta(hours=4), "ended_at": NOW - timedelta(hours=2)}))
    assert {(e.field, e.code) for e in info.value.errors} == {("started_at", "before_received")}
    with pytest.raises(ValidationFailed) as info:
        worklog.add_entry(ctx, tid, hotline, WorkLogDraft("call", details={"direction": "in", "duration_minutes": 5},
                                                          occurred_at=NOW - timedelta(days=1)))
    assert {(e.field, e.code) for e in info.value.errors} == {("occurred_at", "before_received")}
    assert len(tickets.get_ticket(ctx, tid).history) == before


def test_the_history_has_no_update_or_delete_path():
    forbidden = ("update", "delete", "remove", "edit", "set", "replace")
    for cls in (SqlTicketRepository, ports.TicketRepository):
        event_methods = [n for n in dir(cls) if "event" in n or "worklog" in n or "history" in n]
        assert event_methods, cls
        assert not [n for n in event_methods if any(w in n for w in forbidden)], cls
    assert not [n for n in dir(worklog) if any(n.startswith(w) for w in ("update", "delete", "remove", "edit"))]


def test_the_database_refuses_to_change_or_delete_an_entry(desk, engine):
    ctx, tid, _t, hotline, _k = desk
    entry = worklog.add_entry(ctx, tid, hotline, _call(12))
    with engine.begin() as conn:
        with pytest.raises(DatabaseError, match="append-only"):
            conn.execute(text("UPDATE ticket_events SET body = 'rewritten' WHERE id = :id"), {"id": entry})
    with engine.begin() as conn:
        with pytest.raises(DatabaseError, match="append-only"):
            conn.execute(text("DELETE FROM ticket_events WHERE id = :id"), {"id": entry})
    assert next(e for e in tickets.get_ticket(ctx, tid).history if e.id == entry).body == "Khách báo lỗi máy in"


def test_the_unit_of_work_declares_the_report_repository():
    assert "reports" in ports.UnitOfWork.__annotations__
    assert hasattr(SqlUnitOfWork, "__enter__")


def test_visit_report_facts_name_staff_by_alias_and_code_only_and_follow_corrections(desk):
    ctx, tid, tech, hotline, _k = desk
    visit = WorkLogDraft("visit", details={
        "scheduled_at": NOW - timedelta(hours=2), "technician_id": tech, "address": "12 Lý Thường Kiệt",
        "started_at": NOW - timedelta(hours=2), "ended_at": NOW - timedelta(hours=1), "outcome": "follow_up",
        "work_done": "Kiểm tra máy in"})
    first = worklog.add_entry(ctx, tid, hotline, visit)
    worklog.correct_entry(ctx, tid, hotline, first, WorkLogDraft("visit", details={
        **visit.details, "outcome": "resolved"}), "Đã xử lý xong tại chỗ")
    facts, vendor = worklog.visit_report(ctx, first)
    assert facts.details["outcome"] == "resolved" and facts.corrected
    assert (facts.technician_alias, facts.technician_code) == ("KTV Ngọc", "NV007")
    assert facts.customer.tax_code == "0100109106" and facts.package_name == "Phần mềm bán hàng SPOS"
    assert "Trần Thị Bích Ngọc" not in repr(facts)
    assert set(vendor) == {"name", "address", "tax_code", "hotline", "email", "website"}


def test_a_visit_logged_as_resolved_resolves_the_ticket_and_stops_its_clocks_when_the_work_ended(desk):
    ctx, tid, tech, hotline, _k = desk
    assert tickets.get_ticket(ctx, tid).draft.status == "new"
    ended = NOW - timedelta(minutes=30)
    worklog.add_entry(ctx, tid, tech, WorkLogDraft("visit", details={
        "scheduled_at": NOW - timedelta(hours=2), "technician_id": tech, "address": "12 Lý Thường Kiệt",
        "started_at": NOW - timedelta(hours=1), "ended_at": ended, "outcome": "resolved"}))
    ticket = tickets.get_ticket(ctx, tid)
    assert ticket.draft.status == "resolved"
    with ctx.uow() as uow:
        stored, _terms = uow.tickets.clock_columns(tid)
    started = {kind: cols for kind, cols in stored.items() if cols.get("started_at") is not None}
    assert started and all(cols["stopped_at"] is not None for cols in started.values())  # none runs on
    stops = {c["stopped_at"] if c["stopped_at"].tzinfo else c["stopped_at"].replace(tzinfo=timezone.utc)
             for c in started.values()}
    assert stops == {ended}  # stopped when the work ended on site, not when it was typed in
    assert [(e.kind, e.old_value, e.new_value) for e in ticket.history if e.kind == "status_changed"][-1] == (
        "status_changed", "new", "resolved")
    # A visit that did not fix it leaves the ticket as it is.
    other = tickets.create_ticket(ctx, TicketDraft(ticket.draft.customer_id, "Mất kết nối máy chủ", "incident", "hotline",
                                                   received_at=NOW - timedelta(hours=3)), hotline)
    worklog.add_entry(ctx, other, tech, WorkLogDraft("visit", details={
        "scheduled_at": NOW - timedelta(hours=2), "technician_id": tech, "address": "12 Lý Thường Kiệt",
        "started_at": NOW - timedelta(hours=1), "ended_at": ended, "outcome": "follow_up"}))
    assert tickets.get_ticket(ctx, other).draft.status == "new"
