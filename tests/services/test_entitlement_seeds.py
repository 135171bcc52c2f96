"""Entitlement as the seeds say (issue #16), through the services on both engines: early
termination, maintenance priority, repeated guidance by similarity, debt by the payment
schedule, the complaint reply, the change request. Each test cites its clause."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.domain import worklog as wl
from desktop_helpdesk.domain.contracts import LifecycleError
from desktop_helpdesk.domain.errors import ConcurrentEditError
from desktop_helpdesk.services import catalog, contracts, customers, tickets, worklog
from desktop_helpdesk.services.context import make_context
from desktop_helpdesk.services.dto import (
    ChangeRequestData,
    ContractDraft,
    CustomerDraft,
    InstalmentData,
    ListQuery,
    OperatorDraft,
    PackageData,
    PaymentData,
    PlannedData,
    TicketDraft,
)
from desktop_helpdesk.services.errors import ValidationFailed

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)  # 10:00 on Saturday 21/11/2026 in Hà Nội
TODAY = date(2026, 11, 21)


@pytest.fixture
def desk(engine):
    """A customer with a signed, paid, accepted contract under warranty (accepted 1/6/2026,
    12 months: covered through 1/6/2027), on a package giving maintenance priority."""
    ctx = make_context(uow_factory(engine), lambda: NOW)
    with ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "GOLD", "Phần mềm vàng", 12, "office", 240, 24, 48, 72, True, 30_000_000))
        uow.commit()
    cid = customers.save_customer(ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))
    kid = contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pid, value_vnd=30_000_000,
                                                     request_received_on=date(2026, 5, 1)))
    _move(ctx, kid, "signed", date(2026, 5, 10))
    contracts.add_payment(ctx, kid, PaymentData(None, date(2026, 5, 10), 30_000_000, "bank_transfer"), None)
    _move(ctx, kid, "accepted", date(2026, 6, 1))
    _move(ctx, kid, "warranty", date(2026, 6, 2))
    return ctx, cid, kid, pid


def _move(ctx, kid, target, on, **kw):
    f = contracts.contract_file(ctx, kid)
    contracts.move_contract(ctx, kid, f.version, target, on, None, **kw)
    return contracts.contract_file(ctx, kid)


def _ticket(ctx, cid, subject, kind="incident", *, at=None, status="new", priority="normal", **kw):
    return tickets.create_ticket(ctx, TicketDraft(customer_id=cid, subject=subject, request_type=kind, channel="hotline",
                                                  priority=priority, status=status, received_at=at), None, **kw)


def _status(ctx, ticket_id, status):
    t = tickets.get_ticket(ctx, ticket_id)
    from dataclasses import replace
    tickets.update_ticket(ctx, ticket_id, t.version, replace(t.draft, status=status), None)


# -- 1. early termination (DOMAIN.md "a contract may end early"; seeds 000/001 lifecycle) -----

def test_an_early_end_needs_a_reason_and_nothing_changes_without_one(desk):
    """DOMAIN.md, Rules the first wave left out: "A contract may end early (terminated, with
    a date and a reason)": ending before the warranty's last day without a reason is refused."""
    ctx, _cid, kid, _pid = desk
    before = contracts.contract_file(ctx, kid)
    with pytest.raises(LifecycleError) as info:
        contracts.move_contract(ctx, kid, before.version, "ended", date(2026, 9, 30), None)
    assert info.value.code == "termination_reason_required"
    after = contracts.contract_file(ctx, kid)
    assert (after.stage, after.ended_on, after.version) == ("warranty", None, before.version)


def test_a_terminated_contract_gives_no_warranty_after_its_date_and_its_obligations_stop(desk):
    """DOMAIN.md: "A contract may end early ... coverage ends then"; seed 004 (warranty from
    acceptance) no longer runs after the termination date, and with no grace (seed 002 §6's
    10 days are for a lapsed service): the request is billable with the termination note.
    The history keeps the date and the reason; obligations due after it are cancelled."""
    ctx, cid, kid, _pid = desk
    f = contracts.contract_file(ctx, kid)
    contracts.save_planned(ctx, kid, f.version, [PlannedData(None, "periodic_training", date(2026, 12, 10), "Đào tạo"),
                                                 PlannedData(None, "periodic_visit", date(2026, 11, 1), "Bảo dưỡng")],
                           None)
    f = _move(ctx, kid, "ended", date(2026, 11, 15), reason="Khách hàng ngừng kinh doanh vàng")
    assert [(p.title, p.cancelled_on) for p in f.planned] == [("Bảo dưỡng", None),
                                                              ("Đào tạo", date(2026, 11, 15))]
    contracts.save_planned(ctx, kid, f.version, list(f.planned), None)  # an edit keeps the mark
    assert [p.cancelled_on for p in contracts.contract_file(ctx, kid).planned] == [None, date(2026, 11, 15)]
    f = contracts.contract_file(ctx, kid)
    assert (f.stage, f.ended_on, f.termination_reason) == ("ended", date(2026, 11, 15), "Khách hàng ngừng kinh doanh vàng")
    assert [(e.kind, e.new_value, e.body) for e in f.history if e.kind == "terminated"] == [
        ("terminated", "2026-11-15", "Khách hàng ngừng kinh doanh vàng")]
    verdict = contracts.entitlement(ctx, cid, None, "incident", "Máy in mã vạch không in")
    assert verdict.coverage.value == "billable" and verdict.codes == ("contract_terminated",)
    assert contracts.customer_coverage(ctx, cid).warranty_end == date(2026, 11, 15)
    with ctx.uow() as uow:
        open_after = list(uow.obligations.list(ListQuery(filters={"customer_id": cid, "include_done": True}, limit=50)).rows)
    later = [o for o in open_after if o.due_on > date(2026, 11, 15)]
    assert later and all(o.done_on == date(2026, 11, 15) for o in later)


def test_on_the_termination_day_itself_the_warranty_still_covers(desk):
    """DOMAIN.md: end dates are inclusive; the termination date is the contract's last day."""
    ctx, cid, kid, _pid = desk
    _move(ctx, kid, "ended", TODAY, reason="Chuyển sang nhà cung cấp khác")
    assert contracts.entitlement(ctx, cid, None, "incident", "Lỗi in").coverage.value == "warranty"


# -- 2. maintenance priority (seed 004 §2: "sẽ được ưu tiên hỗ trợ") ---------------------------

def _under_maintenance(ctx, kid):
    """Move the contract past its warranty into maintenance, as if it were accepted in 2025."""
    with ctx.uow() as uow:
        stage, dates, version = uow.contracts.dates(kid)
        from dataclasses import replace
        uow.contracts.set_lifecycle(kid, version, "maintenance", replace(
            dates, accepted_on=date(2025, 6, 1), warranty_end=date(2026, 6, 1), maintenance_end=date(2027, 6, 1)))
        uow.commit()


def test_a_maintenance_customers_ticket_is_raised_one_step_and_comes_first(desk):
    """Seed 004 §2: "quý khách khi tham gia gói bảo trì sẽ được ưu tiên hỗ trợ": normal → high,
    written to the history, and first in the lists' default order (queue rank, descending)."""
    ctx, cid, kid, _pid = desk
    other = customers.save_customer(ctx, CustomerDraft(name="Cửa hàng Minh Châu", kind="household"))
    _under_maintenance(ctx, kid)
    assert contracts.entitlement(ctx, cid, None, "incident", "Không đồng bộ dữ liệu").priority_first
    first = _ticket(ctx, cid, "Không đồng bộ dữ liệu", at=NOW - timedelta(hours=2))
    later = _ticket(ctx, other, "Hỏi cách xuất báo cáo", kind="incident", at=NOW - timedelta(hours=1))
    t = tickets.get_ticket(ctx, first)
    assert t.draft.priority == "high" and t.draft.coverage == "maintenance"
    assert [(h.kind, h.old_value, h.new_value) for h in t.history if h.kind == "priority_raised"] == [
        ("priority_raised", "normal", "high")]
    page = tickets.list_tickets(ctx, ListQuery(sort="queue_rank", descending=True, limit=10))
    assert [r.id for r in page.rows] == [first, later]  # the older maintenance ticket first
    # The operator may still set it lower: an edit like any other, kept in the history.
    from dataclasses import replace
    tickets.update_ticket(ctx, first, t.version, replace(t.draft, priority="normal"), None)
    assert tickets.get_ticket(ctx, first).draft.priority == "normal"


def test_urgent_stays_urgent_and_warranty_or_a_package_without_priority_is_not_raised(desk, engine):
    """Seed 004 §2 promises priority to maintenance customers ("khi tham gia gói bảo trì"),
    where the package says so; "urgent" stays the operator's call."""
    ctx, cid, kid, _pid = desk
    assert tickets.get_ticket(ctx, _ticket(ctx, cid, "Lỗi in")).draft.priority == "normal"  # warranty
    _under_maintenance(ctx, kid)
    assert tickets.get_ticket(ctx, _ticket(ctx, cid, "Mất điện", priority="urgent")).draft.priority == "urgent"
    with ctx.uow() as uow:
        plain = uow.packages.add(PackageData(0, "WEB", "Website", 12, "office", 240, 24, 48, 72, False, 1))
        uow.commit()
    other = customers.save_customer(ctx, CustomerDraft(name="Shop Hoa Mai", kind="household"))
    k2 = contracts.save_contract(ctx, ContractDraft(customer_id=other, package_id=plain, value_vnd=0))
    _move(ctx, k2, "signed", date(2025, 5, 10))
    _under_maintenance(ctx, k2)
    t = tickets.get_ticket(ctx, _ticket(ctx, other, "Web không vào được"))
    assert (t.draft.coverage, t.draft.priority) == ("maintenance", "normal")


# -- 3. repeated guidance (seed 002 §6: "đã yêu cầu hướng dẫn trên 1 lần") ----------------------

def test_a_similar_how_to_in_the_last_90_days_is_refused_and_named(desk):
    """Seed 002 §6: a customer who asked for the same guidance more than once may be sent the
    documentation: a similar question (folded words), not only an identical subject, and the
    verdict shows the earlier ticket (code, date)."""
    ctx, cid, _kid, _pid = desk
    first = _ticket(ctx, cid, "Hướng dẫn in hoá đơn GTGT", kind="how_to", at=NOW - timedelta(days=30))
    verdict = contracts.entitlement(ctx, cid, None, "how_to", "huong dan in hoa don gtgt tren may moi")
    assert verdict.refused and "repeated_how_to" in verdict.codes
    code = tickets.get_ticket(ctx, first).code
    assert (verdict.earlier_ticket.code, verdict.earlier_ticket.received_on) == (code, date(2026, 10, 22))
    assert not contracts.entitlement(ctx, cid, None, "how_to", "Cài đặt máy quét mã vạch").refused


def test_a_how_to_older_than_90_days_does_not_count(desk):
    """Seed 002 §6 as issue #16 reads it: over the customer's last 90 days."""
    ctx, cid, _kid, _pid = desk
    _ticket(ctx, cid, "Hướng dẫn in hoá đơn", kind="how_to", at=NOW - timedelta(days=91))
    assert not contracts.entitlement(ctx, cid, None, "how_to", "Hướng dẫn in hoá đơn").refused


# -- 4. debt by the payment schedule (DOMAIN.md "Debt means an instalment past its due date") ---

def test_only_instalments_past_their_due_date_are_debt(engine):
    """Seed 002 §6 ("chưa thanh toán ... các chi phí đã được 2 bên thông qua") read with
    DOMAIN.md: an instalment not yet due is not debt; one past its due date and unpaid is."""
    ctx = make_context(uow_factory(engine), lambda: NOW)
    with ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "SPOS", "Bán hàng", 6, "office", 240, 24, 48, 72, True, 1))
        uow.commit()
    cid = customers.save_customer(ctx, CustomerDraft(name="Công ty An Phát", kind="company"))
    kid = contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pid, value_vnd=30_000_000))
    _move(ctx, kid, "signed", date(2026, 10, 1))
    assert contracts.customer_coverage(ctx, cid).outstanding_vnd == 30_000_000  # no schedule: today's rule
    f = contracts.contract_file(ctx, kid)
    contracts.save_schedule(ctx, kid, f.version, [InstalmentData(date(2026, 12, 1), 20_000_000),
                                                  InstalmentData(date(2026, 10, 1), 10_000_000)], None)
    f = contracts.contract_file(ctx, kid)
    assert [(i.due_on, i.amount_vnd) for i in f.instalments] == [(date(2026, 10, 1), 10_000_000),
                                                                 (date(2026, 12, 1), 20_000_000)]
    assert contracts.customer_coverage(ctx, cid).outstanding_vnd == 10_000_000
    contracts.add_payment(ctx, kid, PaymentData(None, date(2026, 10, 5), 10_000_000, "cash"), None)
    assert contracts.customer_coverage(ctx, cid).outstanding_vnd == 0
    assert "unpaid" not in contracts.entitlement(ctx, cid, None, "incident", "Lỗi").codes
    assert any(e.kind == "schedule_changed" for e in f.history)


def test_a_schedule_that_does_not_add_up_is_refused(desk):
    """DOMAIN.md: money is whole đồng; a schedule adds up to the contract's value."""
    ctx, _cid, kid, _pid = desk
    f = contracts.contract_file(ctx, kid)
    with pytest.raises(ValidationFailed) as info:
        contracts.save_schedule(ctx, kid, f.version, [InstalmentData(date(2026, 12, 1), 1_000_000)], None)
    assert info.value.errors[0].code == "schedule_total"
    with pytest.raises(ConcurrentEditError):
        contracts.save_schedule(ctx, kid, f.version - 1, [InstalmentData(date(2026, 12, 1), 30_000_000)], None)


# -- 5. the complaint reply (seed 000 §2.7, 72 hours: "phản hồi lại cho KH về kết quả và kế hoạch") --

def _reply(ctx, ticket_id):
    return worklog.add_entry(ctx, ticket_id, None, wl.WorkLogDraft(
        kind="complaint_reply", details={"channel": "phone", "result": "Đã sửa lỗi in",
                                         "plan": "Cập nhật bản vá cho cả chuỗi cửa hàng trong tuần"}))


def test_a_complaint_is_not_resolved_without_a_logged_reply(desk):
    """Seed 000 §2.7: the complaint is settled and the vendor must tell the customer the
    result and the plan: resolving or closing without a logged reply is refused; with one, allowed."""
    ctx, cid, _kid, _pid = desk
    tid = _ticket(ctx, cid, "Nhân viên hỗ trợ đến trễ hẹn", kind="complaint")
    for status in ("resolved", "closed"):
        with pytest.raises(ValidationFailed) as info:
            _status(ctx, tid, status)
        assert info.value.errors[0].code == "complaint_needs_reply"
    with pytest.raises(ValidationFailed):
        _ticket(ctx, cid, "Khiếu nại thái độ", kind="complaint", status="resolved")
    _reply(ctx, tid)
    _status(ctx, tid, "resolved")
    assert tickets.get_ticket(ctx, tid).draft.status == "resolved"


def test_a_reply_needs_the_result_and_the_plan(desk):
    """Seed 000 §2.7: "kết quả và kế hoạch xử lý": both are required."""
    ctx, cid, _kid, _pid = desk
    tid = _ticket(ctx, cid, "Khiếu nại chậm xử lý", kind="complaint")
    with pytest.raises(ValidationFailed) as info:
        worklog.add_entry(ctx, tid, None, wl.WorkLogDraft(kind="complaint_reply", details={"channel": "email"}))
    assert {e.field for e in info.value.errors} == {"result", "plan"}


def test_a_visit_logged_resolved_does_not_resolve_a_complaint_without_a_reply(desk):
    """Seed 000 §2.7 on the visit path: the refusal is said on the visit's outcome, and
    nothing is stored; with a reply logged first, the same visit resolves the complaint."""
    ctx, cid, _kid, _pid = desk
    tech = catalog.add_operator(ctx, OperatorDraft("NV007", "Trần Thị Bích Ngọc", "KTV Ngọc", "technician"))
    tid = _ticket(ctx, cid, "Khiếu nại kỹ thuật viên", kind="complaint", at=NOW - timedelta(hours=5))
    visit = wl.WorkLogDraft(kind="visit", details={
        "scheduled_at": NOW - timedelta(hours=3), "technician_id": tech, "address": "12 Hàng Bạc",
        "started_at": NOW - timedelta(hours=3), "ended_at": NOW - timedelta(hours=2), "outcome": "resolved"})
    with pytest.raises(ValidationFailed) as info:
        worklog.add_entry(ctx, tid, None, visit)
    assert [(e.field, e.code) for e in info.value.errors] == [("outcome", "complaint_needs_reply")]
    t = tickets.get_ticket(ctx, tid)
    assert t.draft.status == "new" and not [h for h in t.history if h.kind == "visit"]
    _reply(ctx, tid)
    worklog.add_entry(ctx, tid, None, visit)
    assert tickets.get_ticket(ctx, tid).draft.status == "resolved"


# -- 6. the change request (seed 001: "bằng văn bản và phải trả thêm") -------------------------

def test_a_change_request_holds_the_writing_the_quote_and_the_approval_and_is_billed(desk):
    """Seed 001: a change is requested in writing and paid extra (billable coverage); work
    starts after the price is agreed (Bước 2 before Bước 4): in progress is refused until
    the customer approves the quote, then allowed."""
    ctx, cid, _kid, _pid = desk
    tid = _ticket(ctx, cid, "Thêm báo cáo tồn kho theo quầy", kind="change_request")
    assert tickets.get_ticket(ctx, tid).draft.coverage == "billable"
    with pytest.raises(ValidationFailed) as info:
        _status(ctx, tid, "in_progress")
    assert info.value.errors[0].code == "change_not_approved"
    tickets.save_change_request(ctx, tid, ChangeRequestData("Công văn số 12: thêm báo cáo tồn kho theo quầy",
                                                            5_000_000, None), None)
    with pytest.raises(ValidationFailed):
        _status(ctx, tid, "in_progress")
    tickets.save_change_request(ctx, tid, ChangeRequestData("Công văn số 12: thêm báo cáo tồn kho theo quầy",
                                                            5_000_000, TODAY), None)
    _status(ctx, tid, "in_progress")
    t = tickets.get_ticket(ctx, tid)
    assert t.draft.status == "in_progress"
    assert tickets.get_change_request(ctx, tid) == ChangeRequestData(
        "Công văn số 12: thêm báo cáo tồn kho theo quầy", 5_000_000, TODAY)
    assert [(h.field, h.new_value) for h in t.history if h.kind == "change_request"] == [
        ("request_text", "Công văn số 12: thêm báo cáo tồn kho theo quầy"), ("quote_vnd", "5000000"),
        ("approved_on", "2026-11-21")]


def test_an_approval_without_a_quote_or_in_the_future_is_refused(desk):
    """Seed 001: the customer approves a written request with its price, not nothing."""
    ctx, cid, _kid, _pid = desk
    tid = _ticket(ctx, cid, "Đổi mẫu hoá đơn", kind="change_request")
    with pytest.raises(ValidationFailed) as info:
        tickets.save_change_request(ctx, tid, ChangeRequestData("Đổi mẫu", None, TODAY), None)
    assert [e.code for e in info.value.errors] == ["approval_needs_quote"]
    with pytest.raises(ValidationFailed) as info:
        tickets.save_change_request(ctx, tid, ChangeRequestData("Đổi mẫu", 1_000_000, TODAY + timedelta(days=1)), None)
    assert [e.code for e in info.value.errors] == ["in_future"]
    assert tickets.get_change_request(ctx, tid) is None
