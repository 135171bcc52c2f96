"""The firm's own calendar days: saving one recomputes the due times of the running clocks on
the office calendar (real SQLite built by the migrations)."""

from __future__ import annotations

from desktop_helpdesk.services import catalog, contracts, customers, tickets

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.services.dto import CalendarDay, ContractDraft, CustomerDraft, PackageData, PaymentData, TicketDraft
from desktop_helpdesk.services.context import make_context
from desktop_helpdesk.services.errors import ValidationFailed

VN = ZoneInfo("Asia/Ho_Chi_Minh")
THURSDAY = datetime(2026, 11, 26, 14, 0, tzinfo=VN)


def _desk(engine):
    ctx = make_context(uow_factory(engine), lambda: THURSDAY)
    with ctx.uow() as uow:
        office = uow.packages.add(PackageData(0, "BH", "Phần mềm bán hàng", 12, "office", 240, 24, 48, 72, False, 9_000_000))
        always = uow.packages.add(PackageData(0, "GOLD", "Tiệm vàng", 12, "always", 240, 24, 48, 72, True, 45_000_000))
        uow.commit()
    cid = customers.save_customer(ctx, CustomerDraft(name="Công ty TNHH Hoa Mai", kind="company"))
    ticket_ids = {}
    for name, pid in (("office", office), ("always", always)):
        kid = contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pid, stage="warranty", value_vnd=9_000_000,
                                                  signed_on=date(2026, 9, 1), accepted_on=date(2026, 10, 1)))
        contracts.add_payment(ctx, kid, PaymentData(None, date(2026, 9, 1), 9_000_000), None)
        ticket_ids[name] = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, contract_id=kid, subject=SUBJECTS[name],
                                                          request_type="how_to", channel="hotline"), None)
    return ctx, ticket_ids


#: Two different questions: similar how-tos of one customer are repeated guidance (seed 002 §6).
SUBJECTS = {"office": "Hướng dẫn in báo cáo (office)", "always": "Hướng dẫn sao lưu dữ liệu (always)"}


def _proposal_due(ctx, ticket_id):
    details = tickets.get_ticket(ctx, ticket_id)
    with ctx.uow() as uow:
        stored, _terms = uow.tickets.clock_columns(ticket_id)
    return stored["proposal"]["due_at"].astimezone(VN), details


def _next_due(ctx, ticket_id):
    with ctx.uow() as uow:
        rows = uow.tickets.clocks_of([ticket_id])
    return min(c.due_at for c in rows[0][1] if c.stopped_at is None).astimezone(VN)


def test_a_day_off_moves_a_running_clock_past_it_and_removing_it_moves_it_back(engine):
    ctx, ticket_ids = _desk(engine)
    due, _ = _proposal_due(ctx, ticket_ids["office"])
    assert due == datetime(2026, 11, 27, 8, 30, tzinfo=VN)  # 3.5 h on Thursday, half an hour on Friday
    always_due, _ = _proposal_due(ctx, ticket_ids["always"])

    progress = []
    count = catalog.save_calendar_days(ctx, [CalendarDay(date(2026, 11, 27), "day_off", "Nghỉ tất niên sớm")], [],
                                       lambda done, total: progress.append((done, total)))
    assert count == 1 and progress[-1] == (1, 1)  # only the office calendar's clock
    due, _ = _proposal_due(ctx, ticket_ids["office"])
    assert due == datetime(2026, 11, 30, 8, 30, tzinfo=VN)  # past Friday and the weekend: Monday
    assert _next_due(ctx, ticket_ids["office"]) == due
    with engine.connect() as conn:  # stored as the app stores times: UTC (text that sorts, on SQLite)
        stored = conn.execute(text("SELECT proposal_due_at, next_due_at FROM tickets WHERE id = :i"),
                              {"i": ticket_ids["office"]}).one()
        expected = "2026-11-30 01:30:00.000000" if engine.dialect.name == "sqlite" else datetime(2026, 11, 30, 1, 30)
        assert tuple(stored) == (expected,) * 2
    with ctx.uow() as uow:  # the list's sort key moved with it
        page = uow.tickets.due_rows(None, None, 10)
    assert {r.id: r.next_due_at.astimezone(VN) for r in page}[ticket_ids["office"]] == due
    assert _proposal_due(ctx, ticket_ids["always"])[0] == always_due
    assert [(d.day, d.kind, d.name) for d in catalog.calendar_days(ctx)] == [
        (date(2026, 11, 27), "day_off", "Nghỉ tất niên sớm")]

    catalog.save_calendar_days(ctx, [], [date(2026, 11, 27)])
    assert _proposal_due(ctx, ticket_ids["office"])[0] == datetime(2026, 11, 27, 8, 30, tzinfo=VN)
    assert catalog.calendar_days(ctx) == []


def test_an_extra_working_day_brings_a_due_time_forward_and_survives_a_restart(engine):
    ctx, ticket_ids = _desk(engine)
    catalog.save_calendar_days(ctx, [CalendarDay(date(2026, 11, 27), "day_off", "Nghỉ tất niên sớm"),
                                CalendarDay(date(2026, 11, 28), "working_day", "Làm bù thứ Bảy")], [])
    assert _proposal_due(ctx, ticket_ids["office"])[0] == datetime(2026, 11, 28, 8, 30, tzinfo=VN)
    # A new context on the same database (the app restarted) reads the days back.
    again = make_context(uow_factory(engine), lambda: THURSDAY + timedelta(minutes=5))
    from desktop_helpdesk.services.dto import ListQuery

    tid = tickets.create_ticket(again, TicketDraft(
        customer_id=customers.list_customers(again, ListQuery(limit=1)).rows[0].id,
        contract_id=tickets.get_ticket(again, ticket_ids["office"]).draft.contract_id, subject="Lỗi đồng bộ kho",
        request_type="how_to", channel="hotline"), None)
    assert _proposal_due(again, tid)[0] == datetime(2026, 11, 28, 8, 35, tzinfo=VN)


def test_a_calendar_day_needs_a_name(engine):
    ctx, _tickets = _desk(engine)
    with pytest.raises(ValidationFailed):
        catalog.save_calendar_days(ctx, [CalendarDay(date(2026, 11, 27), "day_off", "  ")], [])
    assert catalog.calendar_days(ctx) == []


FRIDAY_AFTERNOON = datetime(2026, 11, 27, 16, 0, tzinfo=VN)


def test_saturday_mornings_bring_an_office_clock_forward_for_every_desk_and_back(engine):
    """The firm's working week (issue #14): with Saturday mornings worked, a proposal received
    on Friday at 16:00 (240 working minutes) is due on Saturday, not on Monday; 24/7 clocks
    do not move; another desk's calendars follow; a stale read is refused."""
    from desktop_helpdesk.domain.errors import ConcurrentEditError
    from desktop_helpdesk.services import feed
    from desktop_helpdesk.services.dto import FeedCursor

    ctx = make_context(uow_factory(engine), lambda: FRIDAY_AFTERNOON)
    _other, ticket_ids = _desk(engine)
    ids = {}
    with ctx.uow() as uow:
        office = next(p.id for p in uow.packages.all() if p.code == "BH")
    cid = customers.save_customer(ctx, CustomerDraft(name="Cửa hàng Minh Tâm", kind="household"))
    kid = contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=office, stage="warranty",
                                                     value_vnd=9_000_000, signed_on=date(2026, 9, 1),
                                                     accepted_on=date(2026, 10, 1)))
    contracts.add_payment(ctx, kid, PaymentData(None, date(2026, 9, 1), 9_000_000), None)
    ids["friday"] = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, contract_id=kid, subject="Máy in không in",
                                                           request_type="how_to", channel="hotline"), None)
    assert catalog.working_week(ctx) == "mon_fri"
    due, _ = _proposal_due(ctx, ids["friday"])
    assert due == datetime(2026, 11, 30, 10, 30, tzinfo=VN)  # 1.5 h on Friday, 2.5 h on Monday
    always_due, _ = _proposal_due(ctx, ticket_ids["always"])

    # Another desk, with its own calendars, that has read the feed up to now.
    desk_b = make_context(uow_factory(engine, origin="desk-b"), lambda: FRIDAY_AFTERNOON)
    cursor, _kinds = feed.read(desk_b, FeedCursor())
    assert desk_b.calendars.for_hours("office").is_day_off(date(2026, 11, 28))

    progress = []
    count = catalog.set_working_week(ctx, "mon_fri", "mon_fri_sat_morning", lambda done, total: progress.append(done))
    assert count >= 1 and progress[-1] == count
    assert catalog.working_week(ctx) == "mon_fri_sat_morning"
    due, _ = _proposal_due(ctx, ids["friday"])
    assert due == datetime(2026, 11, 28, 10, 30, tzinfo=VN)  # 1.5 h on Friday, 2.5 h on Saturday morning
    assert _proposal_due(ctx, ticket_ids["always"])[0] == always_due
    # The other desk's clocks follow without a restart.
    _cursor, kinds = feed.read(desk_b, cursor)
    assert {"calendar", "tickets", "vendor"} <= kinds
    assert not desk_b.calendars.for_hours("office").is_day_off(date(2026, 11, 28))
    # A desk that read Monday to Friday before this change is refused, and nothing changes.
    with pytest.raises(ConcurrentEditError):
        catalog.set_working_week(desk_b, "mon_fri", "mon_fri")
    assert catalog.working_week(ctx) == "mon_fri_sat_morning"
    # And back.
    catalog.set_working_week(ctx, "mon_fri_sat_morning", "mon_fri")
    assert _proposal_due(ctx, ids["friday"])[0] == datetime(2026, 11, 30, 10, 30, tzinfo=VN)
    with pytest.raises(ValidationFailed):
        catalog.set_working_week(ctx, "mon_fri", "sunday_too")
