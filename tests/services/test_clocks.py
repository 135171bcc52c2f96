"""SLA clocks follow the work: started at notification, paused while waiting on the
customer, met by "solution proposed" / "resolved", restarted on reopening."""

from __future__ import annotations

from desktop_helpdesk.services import catalog, contracts, customers, tickets

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.services.dto import ContractDraft, CustomerDraft, ListQuery, PackageData, PaymentData, TicketDraft
from desktop_helpdesk.services.context import make_context
from tests.factories import Clock

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(*args) -> datetime:
    return datetime(*args, tzinfo=VN)


@pytest.fixture
def desk(engine):
    clock = Clock(vn(2026, 11, 20, 16, 0))  # Friday 16:00
    ctx = make_context(uow_factory(engine), clock)
    with ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "SPOS", "Phần mềm bán hàng", 12, "office", 240, 24, 48, 72, True, 15_000_000))
        uow.commit()
    cid = customers.save_customer(ctx, CustomerDraft(name="Nhà thuốc Minh Châu", kind="household"))
    kid = contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pid, stage="warranty", value_vnd=15_000_000,
                                              signed_on=date(2026, 9, 1), accepted_on=date(2026, 10, 1)))
    contracts.add_payment(ctx, kid, PaymentData(None, date(2026, 9, 1), 15_000_000), None)
    return ctx, clock, cid, kid


def _row(ctx, ticket_id):
    return next(r for r in tickets.list_tickets(ctx, ListQuery(limit=50)).rows if r.id == ticket_id)


def _update(ctx, ticket_id, status):
    t = tickets.get_ticket(ctx, ticket_id)
    tickets.update_ticket(ctx, ticket_id, t.version, t.draft.__class__(**{**t.draft.__dict__, "status": status}), None)


def test_an_incident_under_warranty_gets_proposal_and_fix_clocks_on_the_right_calendars(desk):
    ctx, clock, cid, kid = desk
    tid = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, contract_id=kid, subject="Không in được hóa đơn",
                                            request_type="incident", channel="hotline"), None)
    row = _row(ctx, tid)
    clocks = {c.kind: c for c in row.clocks}
    # 4 working hours from Friday 16:00: 1.5 h on Friday, then Monday 08:00 + 2.5 h.
    assert clocks["proposal"].due_at == vn(2026, 11, 23, 10, 30)
    # The 24-hour window from Friday 16:00 touches Saturday: 48 clock hours.
    assert clocks["fix"].due_at == vn(2026, 11, 22, 16, 0)
    assert row.next_due_at == vn(2026, 11, 22, 16, 0)


def test_waiting_on_the_customer_pauses_and_resuming_pushes_the_due_time(desk):
    ctx, clock, cid, kid = desk
    tid = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, contract_id=kid, subject="Máy chủ báo lỗi",
                                            request_type="incident", channel="hotline"), None)
    clock.now = vn(2026, 11, 20, 17, 0)
    _update(ctx, tid, "waiting_customer")
    paused = {c.kind: c for c in _row(ctx, tid).clocks}
    assert paused["fix"].paused_since == vn(2026, 11, 20, 17, 0)
    clock.now = vn(2026, 11, 21, 9, 0)  # 16 hours later the customer answers
    _update(ctx, tid, "in_progress")
    resumed = {c.kind: c for c in _row(ctx, tid).clocks}
    assert resumed["fix"].paused_since is None
    assert resumed["fix"].due_at == vn(2026, 11, 22, 16, 0) + timedelta(hours=16)
    # The proposal clock counts working time only: of the 16 hours paused, just Friday
    # 17:00-17:30 was office time, so it moves from Monday 10:30 to 11:00.
    assert resumed["proposal"].due_at == vn(2026, 11, 23, 11, 0)


def test_solution_proposed_meets_the_proposal_clock_and_resolved_meets_the_fix(desk):
    ctx, clock, cid, kid = desk
    tid = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, contract_id=kid, subject="Lỗi đồng bộ",
                                            request_type="incident", channel="hotline"), None)
    clock.now = vn(2026, 11, 20, 17, 0)
    _update(ctx, tid, "solution_proposed")
    row = _row(ctx, tid)
    clocks = {c.kind: c for c in row.clocks}
    assert clocks["proposal"].stopped_at == vn(2026, 11, 20, 17, 0) and clocks["fix"].stopped_at is None
    assert row.next_due_at == clocks["fix"].due_at
    clock.now = vn(2026, 11, 21, 10, 0)
    _update(ctx, tid, "resolved")
    row = _row(ctx, tid)
    assert all(c.stopped_at is not None for c in row.clocks) and row.next_due_at is None
    clock.now = vn(2026, 11, 23, 9, 0)  # reopened: the fix did not hold
    _update(ctx, tid, "in_progress")
    fix = {c.kind: c for c in _row(ctx, tid).clocks}["fix"]
    assert fix.started_at == vn(2026, 11, 23, 9, 0) and fix.stopped_at is None


def test_complaints_run_72_hours_and_refused_or_billable_requests_get_no_fix_clock(desk):
    ctx, clock, cid, kid = desk
    tid = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, subject="Kỹ thuật viên đến muộn", request_type="complaint",
                                            channel="hotline"), None)
    assert [(c.kind, c.due_at) for c in _row(ctx, tid).clocks] == [("complaint", vn(2026, 11, 23, 16, 0))]
    other = customers.save_customer(ctx, CustomerDraft(name="Quán cà phê Nhung", kind="household"))
    tid = tickets.create_ticket(ctx, TicketDraft(customer_id=other, subject="Lỗi máy in", request_type="incident",
                                            channel="hotline"), None)
    assert [c.kind for c in _row(ctx, tid).clocks] == ["proposal"]  # billable: proposal only


def test_lists_sort_by_time_left_in_sql(desk):
    ctx, clock, cid, kid = desk
    ids = []
    for hour in (9, 15, 11):
        clock.now = vn(2026, 11, 19, hour, 0)
        ids.append(tickets.create_ticket(ctx, TicketDraft(customer_id=cid, contract_id=kid, subject=f"Sự cố {hour}",
                                                     request_type="incident", channel="hotline"), None))
    rows = tickets.list_tickets(ctx, ListQuery(sort="next_due_at")).rows
    assert [r.id for r in rows] == [ids[0], ids[2], ids[1]]


def test_editing_a_package_policy_recomputes_running_clocks_with_progress(desk):
    ctx, clock, cid, kid = desk
    tid = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, contract_id=kid, subject="Không in được hóa đơn",
                                            request_type="incident", channel="hotline"), None)
    package = catalog.packages(ctx)[0]
    progress = []
    count = catalog.update_package_terms(ctx, package.__class__(**{**package.__dict__, "proposal_target_minutes": 120}),
                                         progress=lambda done, total: progress.append((done, total)))
    assert count == 1 and progress == [(1, 1)]
    clocks = {c.kind: c for c in _row(ctx, tid).clocks}
    # 2 working hours from Friday 16:00: 1.5 h on Friday, then Monday 08:00 + 0.5 h.
    assert clocks["proposal"].due_at == vn(2026, 11, 23, 8, 30)
    assert clocks["fix"].due_at == vn(2026, 11, 22, 16, 0)  # unchanged target, same due


def test_editing_a_package_keeps_the_verdict_of_a_clock_already_met_late(desk):
    ctx, clock, cid, kid = desk
    tid = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, contract_id=kid, subject="Không in được hóa đơn",
                                            request_type="incident", channel="hotline"), None)
    clock.now = vn(2026, 11, 23, 11, 0)  # proposal due Monday 10:30: proposed half an hour late
    _update(ctx, tid, "solution_proposed")
    before = {c.kind: c for c in _row(ctx, tid).clocks}["proposal"]
    package = catalog.packages(ctx)[0]
    catalog.update_package_terms(ctx, package.__class__(**{**package.__dict__, "proposal_target_minutes": 600}))
    after = {c.kind: c for c in _row(ctx, tid).clocks}["proposal"]
    assert after.due_at == before.due_at == vn(2026, 11, 23, 10, 30)  # still breached, as it was


def test_reopening_straight_into_waiting_on_the_customer_starts_the_clocks_paused(desk):
    ctx, clock, cid, kid = desk
    tid = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, contract_id=kid, subject="Máy chủ báo lỗi",
                                            request_type="incident", channel="hotline"), None)
    _update(ctx, tid, "resolved")
    clock.now = vn(2026, 11, 24, 9, 0)
    _update(ctx, tid, "waiting_customer")
    fix = {c.kind: c for c in _row(ctx, tid).clocks}["fix"]
    assert fix.stopped_at is None and fix.paused_since == vn(2026, 11, 24, 9, 0)


def test_a_ticket_code_takes_the_year_of_the_desk_not_of_utc(desk):
    ctx, clock, cid, kid = desk
    clock.now = vn(2027, 1, 1, 1, 0).astimezone(timezone.utc)  # the app's clock is UTC: still 31 December
    tid = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, contract_id=kid, subject="Chúc mừng năm mới",
                                            request_type="incident", channel="hotline"), None)
    assert tickets.get_ticket(ctx, tid).code.startswith("YC27-")


def test_a_policy_target_must_be_above_zero(desk):
    from desktop_helpdesk.services.errors import ValidationFailed

    ctx, *_ = desk
    package = catalog.packages(ctx)[0]
    with pytest.raises(ValidationFailed):
        catalog.update_package_terms(ctx, package.__class__(**{**package.__dict__, "fix_target_hours": 0}))


def test_editing_a_ticket_cannot_change_its_coverage_without_the_entitlement(desk):
    ctx, clock, cid, kid = desk
    tid = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, contract_id=kid, subject="Cài đặt thêm máy",
                                            request_type="change_request", channel="hotline"), None)
    t = tickets.get_ticket(ctx, tid)
    assert t.draft.coverage == "billable"
    tickets.update_ticket(ctx, tid, t.version, t.draft.__class__(**{**t.draft.__dict__, "coverage": "warranty"}), None)
    assert tickets.get_ticket(ctx, tid).draft.coverage == "billable"  # the entitlement's verdict, not an edit
