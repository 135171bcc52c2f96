"""Entitlement as the seeds say (issue #16), driven like a user: the contract window's early
termination and payment schedule, the ticket form's complaint reply and change request, the
earlier ticket of a repeated how-to. Each test cites its clause."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from PySide6.QtCore import Qt

from desktop_helpdesk.services import contracts, customers, tickets
from desktop_helpdesk.services.dto import (ContractDraft, CustomerDraft, PackageData, PaymentData, PlannedData,
                                           TicketDraft)

from .conftest import FIXED_NOW, type_text


def _contract(desk, value=45_000_000):
    """A signed, paid contract accepted 1/10/2026 under warranty (6 months: to 1/4/2027)."""
    with desk.ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "GOLD", "Quản lý tiệm vàng", 6, "always", 120, 24, 48, 72, True, value))
        uow.commit()
    cid = customers.save_customer(desk.ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))
    kid = contracts.save_contract(desk.ctx, ContractDraft(customer_id=cid, package_id=pid, value_vnd=value,
                                                          request_received_on=date(2026, 9, 1)))
    for target, on in (("signed", date(2026, 9, 15)), ("accepted", date(2026, 10, 1)), ("warranty", date(2026, 10, 2))):
        f = contracts.contract_file(desk.ctx, kid)
        contracts.move_contract(desk.ctx, kid, f.version, target, on, None)
    contracts.add_payment(desk.ctx, kid, PaymentData(None, date(2026, 9, 15), value, "bank_transfer"), None)
    desk.window.refresh_reference_data()
    desk.idle()
    return cid, kid


def _open_contract(desk, qtbot, kid):
    desk.window.edit_contract(kid)
    desk.idle()
    d = desk.window.last_dialog
    qtbot.waitUntil(lambda: d.panel.file is not None, timeout=5000)
    return d


def _open_ticket(desk, qtbot, tid):
    desk.window.edit_ticket(tid)
    desk.idle()
    d = desk.window.last_dialog
    qtbot.waitUntil(lambda: d.record_id == tid, timeout=5000)
    desk.idle()
    return d


def _end(qtbot, desk, panel, on, reason=""):
    panel.target.setCurrentIndex(panel.target.findData("ended"))
    panel.move_on.clear()
    type_text(panel.move_on, on)
    panel.termination_reason.clear()
    if reason:
        type_text(panel.termination_reason, reason)
    qtbot.mouseClick(panel.move_button, Qt.MouseButton.LeftButton)
    desk.idle()


def test_ending_a_contract_early_asks_why_then_shows_the_termination(open_desk, qtbot, vietnamese):
    """DOMAIN.md "A contract may end early (terminated, with a date and a reason): coverage
    ends then": without a reason the window refuses in the user's language (Vietnamese
    here); with one, the lifecycle shows the date and the reason, the history keeps them,
    and a request after that date is billable, not warranty."""
    desk = open_desk()
    cid, kid = _contract(desk)
    f = contracts.contract_file(desk.ctx, kid)
    contracts.save_planned(desk.ctx, kid, f.version, [PlannedData(None, "periodic_training", date(2026, 12, 10),
                                                                  "Đào tạo thu ngân")], None)
    d = _open_contract(desk, qtbot, kid)
    panel = d.panel
    _end(qtbot, desk, panel, "15/11/2026")
    qtbot.waitUntil(panel.lifecycle_error.isVisible, timeout=3000)
    assert "lý do chấm dứt sớm" in panel.lifecycle_error.text()
    assert contracts.contract_file(desk.ctx, kid).stage == "warranty"
    assert panel.termination_reason.isVisible()
    _end(qtbot, desk, panel, "15/11/2026", "Khách hàng ngừng kinh doanh")
    qtbot.waitUntil(lambda: panel.file.stage == "ended", timeout=3000)
    assert "Chấm dứt trước hạn ngày 15/11/2026: Khách hàng ngừng kinh doanh" in panel.stages_view.text()
    assert "Chấm dứt trước hạn" in panel.history.toPlainText()
    # The training planned after that day stops: it says so instead of counting down.
    assert panel.milestones.item(0, 3).text() == "⊘ Đã hủy: hợp đồng kết thúc ngày 15/11/2026"
    verdict = contracts.entitlement(desk.ctx, cid, None, "incident", "Máy in không in")
    assert verdict.coverage.value == "billable" and verdict.codes == ("contract_terminated",)


def test_the_payment_schedule_is_edited_and_only_past_due_instalments_are_debt(open_desk, qtbot):
    """DOMAIN.md "Debt means an instalment past its due date; one not yet due is not debt"
    (seed 002 §6's unpaid ground): a schedule that does not add up is refused; a saved one
    makes the overdue part the only debt, and an unpaid customer is no longer refused for an
    instalment not yet due."""
    desk = open_desk()
    with desk.ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "SPOS", "Bán hàng", 6, "office", 240, 24, 48, 72, True, 1))
        uow.commit()
    cid = customers.save_customer(desk.ctx, CustomerDraft(name="Công ty An Phát", kind="company"))
    kid = contracts.save_contract(desk.ctx, ContractDraft(customer_id=cid, package_id=pid, value_vnd=30_000_000))
    f = contracts.contract_file(desk.ctx, kid)
    contracts.move_contract(desk.ctx, kid, f.version, "signed", date(2026, 10, 1), None)
    contracts.add_payment(desk.ctx, kid, PaymentData(None, date(2026, 10, 1), 10_000_000, "cash"), None)
    d = _open_contract(desk, qtbot, kid)
    panel = d.panel
    panel.setCurrentWidget(panel.payments_tab)
    assert "outstanding ₫20,000,000" in panel.payment_summary.text()
    for on, amount in (("01/10/2026", "10.000.000"), ("01/12/2026", "15.000.000")):
        type_text(panel.instalment_on, on)
        type_text(panel.instalment_amount, amount)
        qtbot.mouseClick(panel.add_instalment_button, Qt.MouseButton.LeftButton)
        panel.instalment_on.clear()
    assert "(not saved)" in panel.schedule_total.text()
    qtbot.mouseClick(panel.save_schedule_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.schedule_error.isVisible, timeout=3000)
    assert "add up to the contract's value" in panel.schedule_error.text()
    type_text(panel.instalment_on, "01/01/2027")
    type_text(panel.instalment_amount, "5.000.000")
    qtbot.mouseClick(panel.add_instalment_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.save_schedule_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(panel.file.instalments) == 3, timeout=3000)
    assert "overdue ₫0" in panel.payment_summary.text()
    assert [panel.schedule.item(r, 2).text() for r in range(3)] == ["Paid", "Not yet due", "Not yet due"]
    assert contracts.customer_coverage(desk.ctx, cid).outstanding_vnd == 0
    assert "unpaid" not in contracts.entitlement(desk.ctx, cid, None, "incident", "Lỗi").codes


def _set_status(qtbot, d, status):
    d.status_combo.setCurrentIndex(d.status_combo.findData(status))
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)


def test_a_complaint_is_resolved_only_after_its_reply_is_logged(open_desk, qtbot, vietnamese):
    """Seed 000 §2.7 ("phải phản hồi lại cho KH về kết quả và kế hoạch xử lý", 72 hours):
    resolving with no reply is refused beside the status, in Vietnamese; the form's button
    logs the reply (how, result, plan), after which the complaint is resolved."""
    desk = open_desk()
    cid, _kid = _contract(desk)
    tid = tickets.create_ticket(desk.ctx, TicketDraft(cid, "Kỹ thuật viên đến trễ hẹn", "complaint", "hotline"), None)
    d = _open_ticket(desk, qtbot, tid)
    actions = d.request_actions
    assert actions.isVisible() and "Chưa ghi phản hồi" in actions.summary.text()
    _set_status(qtbot, d, "resolved")
    desk.idle()
    assert "Hãy ghi phản hồi khiếu nại (kết quả, kế hoạch)" in d.form.rows["status"].error.text()
    assert tickets.get_ticket(desk.ctx, tid).draft.status == "new"

    qtbot.mouseClick(actions.button, Qt.MouseButton.LeftButton)
    reply = actions.dialog
    qtbot.waitUntil(reply.isVisible, timeout=3000)
    reply.buttons.button(reply.buttons.StandardButton.Save).click()  # empty: refused, nothing written
    desk.idle()
    assert reply.isVisible() and "Kết quả" in reply.error.text()
    type_text(reply.result_text, "Đã xin lỗi khách và đổi kỹ thuật viên")
    type_text(reply.plan_text, "Từ tuần sau kỹ thuật viên gọi trước 30 phút")
    with qtbot.waitSignal(reply.saved, timeout=5000):
        reply.buttons.button(reply.buttons.StandardButton.Save).click()
    desk.idle()
    assert "Đã ghi phản hồi" in actions.summary.text()
    d = _open_ticket(desk, qtbot, tid)
    with qtbot.waitSignal(d.saved, timeout=5000):
        _set_status(qtbot, d, "resolved")
    assert tickets.get_ticket(desk.ctx, tid).draft.status == "resolved"


def test_a_change_request_holds_the_writing_quote_and_approval_before_work(open_desk, qtbot):
    """Seed 001 ("thông báo ... bằng văn bản và phải trả thêm"; price agreed, Bước 2, before
    the work, Bước 4): in progress is refused until the customer approved the quote, typed in
    through the form's change-request window; the ticket is billable."""
    desk = open_desk()
    cid, _kid = _contract(desk)
    tid = tickets.create_ticket(desk.ctx, TicketDraft(cid, "Thêm báo cáo tồn kho theo quầy", "change_request",
                                                      "email"), None)
    assert tickets.get_ticket(desk.ctx, tid).draft.coverage == "billable"
    d = _open_ticket(desk, qtbot, tid)
    actions = d.request_actions
    qtbot.waitUntil(lambda: "No written request" in actions.summary.text(), timeout=3000)
    _set_status(qtbot, d, "in_progress")
    desk.idle()
    assert "approves the quote" in d.form.rows["status"].error.text()

    qtbot.mouseClick(actions.button, Qt.MouseButton.LeftButton)
    cr = actions.dialog
    type_text(cr.request_text, "Công văn 12/2026: thêm báo cáo tồn kho theo quầy")
    type_text(cr.quote, "5.000.000")
    type_text(cr.approved_on, "21/11/2026")
    with qtbot.waitSignal(cr.saved, timeout=5000):
        cr.buttons.button(cr.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: "approved on Nov 21, 2026" in actions.summary.text(), timeout=3000)
    d = _open_ticket(desk, qtbot, tid)
    with qtbot.waitSignal(d.saved, timeout=5000):
        _set_status(qtbot, d, "in_progress")
    assert tickets.get_ticket(desk.ctx, tid).draft.status == "in_progress"


def test_a_repeated_how_to_names_the_earlier_ticket_in_the_new_ticket_form(open_desk, qtbot):
    """Seed 002 §6 ("đã yêu cầu hướng dẫn trên 1 lần"): a similar question in the last 90 days
    (not only the same subject) is flagged, and the form names the earlier ticket."""
    desk = open_desk()
    cid, _kid = _contract(desk)
    earlier = tickets.create_ticket(desk.ctx, TicketDraft(cid, "Hướng dẫn in hoá đơn GTGT", "how_to", "hotline",
                                                          received_at=FIXED_NOW - timedelta(days=20)), None)
    code = tickets.get_ticket(desk.ctx, earlier).code
    desk.window.new_ticket()
    d = desk.window.last_dialog
    d.customer.set_customer(cid, "Tiệm vàng Kim Hoa")
    d.request_type.setCurrentIndex(d.request_type.findData("how_to"))
    type_text(d.subject, "huong dan in hoa don gtgt may moi")
    qtbot.waitUntil(lambda: code in d.entitlement_label.text(), timeout=5000)
    assert "Nov 1, 2026" in d.entitlement_label.text() and "documentation" in d.entitlement_label.text()


def test_the_ticket_list_puts_maintenance_customers_with_priority_first(open_desk, qtbot):
    """Seed 004 §2 ("quý khách khi tham gia gói bảo trì sẽ được ưu tiên hỗ trợ"): the list's
    default order shows a maintenance customer's ticket (raised to high) above a newer one."""
    desk = open_desk()
    cid, kid = _contract(desk)
    with desk.ctx.uow() as uow:
        stage, dates, version = uow.contracts.dates(kid)
        uow.contracts.set_lifecycle(kid, version, "maintenance", replace(
            dates, accepted_on=date(2025, 6, 1), warranty_end=date(2026, 6, 1), maintenance_end=date(2027, 6, 1)))
        uow.commit()
    other = customers.save_customer(desk.ctx, CustomerDraft(name="Cửa hàng Minh Châu", kind="household"))
    first = tickets.create_ticket(desk.ctx, TicketDraft(cid, "Không đồng bộ dữ liệu", "incident", "hotline",
                                                        received_at=FIXED_NOW - timedelta(hours=3)), None)
    tickets.create_ticket(desk.ctx, TicketDraft(other, "Lỗi in", "incident", "hotline",
                                                received_at=FIXED_NOW - timedelta(hours=1)), None)
    page = desk.window.pages["tickets"]
    page.model.reload()
    desk.idle()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    assert page.model.current_query().sort == "queue_rank"
    assert page.model.row_at(0).id == first and page.model.row_at(0).priority == "high"
    # The new-ticket form says so before saving, so the operator knows why the priority moves.
    desk.window.new_ticket()
    d = desk.window.last_dialog
    d.customer.set_customer(cid, "Tiệm vàng Kim Hoa")
    type_text(d.subject, "Mất kết nối máy chủ")
    qtbot.waitUntil(lambda: "priority is raised one step" in d.entitlement_label.text(), timeout=5000)
