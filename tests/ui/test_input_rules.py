"""The forms say what the domain's input rules say, in the user's language: a date that does
not exist is not "a wrong format", an amount above the limit is "too large", and a rule on a
value the form has no field for still reaches the user."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt

from desktop_helpdesk.services import contracts, customers, tickets
from desktop_helpdesk.services.dto import ContractDraft, CustomerDraft, PackageData

from .conftest import type_text


def _contract(desk):
    with desk.ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "GOLD", "Quản lý tiệm vàng", 6, "always", 120, 24, 48, 72, True, 45_000_000))
        uow.commit()
    cid = customers.save_customer(desk.ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))
    kid = contracts.save_contract(desk.ctx, ContractDraft(customer_id=cid, package_id=pid, value_vnd=45_000_000,
                                                          stage="signed", signed_on=date(2026, 9, 1)))
    desk.window.refresh_reference_data()
    desk.idle()
    return cid, kid


def test_a_date_that_does_not_exist_and_an_amount_too_large_are_told_as_such(open_desk, vietnamese, qtbot):
    desk = open_desk()
    _cid, kid = _contract(desk)
    desk.window.edit_contract(kid)
    desk.idle()
    d = desk.window.last_dialog
    qtbot.waitUntil(lambda: d.panel.file is not None, timeout=5000)

    d.signed_on.clear()
    type_text(d.signed_on, "31/02/2026")
    assert d.form.rows["signed_on"].error.text() == "Ngày 31/02/2026 không tồn tại."
    assert not d.save_button.isEnabled()
    d.signed_on.clear()
    type_text(d.signed_on, "31-02")
    assert d.form.rows["signed_on"].error.text() == "Vui lòng nhập ngày theo dạng ngày/tháng/năm, ví dụ: 17/02/2026."
    d.signed_on.clear()
    type_text(d.signed_on, "01/09/2026")
    assert not d.form.rows["signed_on"].error.text()

    panel = d.panel
    panel.setCurrentWidget(panel.payments_tab)
    panel.paid_on.clear()  # today, prefilled
    type_text(panel.paid_on, "29/02/2027")
    type_text(panel.amount, "1.000.000")
    panel.add_payment_button.click()
    assert panel.payment_error.isVisible() and panel.payment_error.text() == "Ngày 29/02/2027 không tồn tại."
    panel.paid_on.clear()
    type_text(panel.paid_on, "15/09/2026")
    panel.amount.clear()
    type_text(panel.amount, "20.000.000.000.000")  # 20,000 billion: above the 10,000 billion limit
    panel.add_payment_button.click()
    assert panel.payment_error.text() == "Số tiền quá lớn: tối đa 10.000 tỷ đồng cho mỗi khoản."
    desk.idle()
    assert contracts.contract_file(desk.ctx, kid).payments == ()


def test_a_rule_on_a_value_the_form_does_not_show_is_said_in_its_status(open_desk, vietnamese, qtbot, monkeypatch):
    """A ticket refused for a received time in the future (a desk whose clock runs behind
    the server's, say): the form has no field for it, so the status line says why."""
    desk = open_desk()
    cid = customers.save_customer(desk.ctx, CustomerDraft(name="Công ty Hoa Mai", kind="company"))
    desk.window.new_ticket()
    desk.idle()
    d = desk.window.last_dialog
    d.customer.set_customer(cid, "Công ty Hoa Mai")
    type_text(d.subject, "Không in được hóa đơn")
    desk.idle()
    ahead = desk.ctx.now() + timedelta(hours=2)
    real_draft = d.draft
    monkeypatch.setattr(d, "draft", lambda: real_draft().__class__(**{**real_draft().__dict__, "received_at": ahead}))
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(d.status.isVisible, timeout=5000)
    assert "tương lai" in d.status.text() and "5 phút" in d.status.text()
    assert "đánh dấu ở trên" not in d.status.text()  # nothing is marked above: not sent looking for it
    assert d.isVisible()
    assert tickets.list_tickets(desk.ctx, tickets.ListQuery(filters={"state": "all"})).rows == ()


def _paste(widget, text: str) -> None:
    """A paste from the clipboard, as Ctrl+V does it."""
    from PySide6.QtWidgets import QApplication

    QApplication.clipboard().setText(text)
    widget.setFocus()
    widget.paste()


def test_a_long_paste_stays_whole_and_is_said_too_long_beside_the_field(open_desk, vietnamese, qtbot):
    """A 4,287-character name pasted into the customer form: nothing is cut without a word
    (the code box used to cut at 20, the subject at 300); the limit and the length are said
    beside the field and Save waits."""
    desk = open_desk()
    desk.window.new_customer()
    desk.idle()
    d = desk.window.last_dialog
    name = ("Công ty TNHH Đức Thành Phát " * 200)[:4286] + "A"
    _paste(d.name, name)
    assert d.name.text() == name and len(name) == 4287
    assert d.form.rows["name"].error.text() == "Quá dài: tối đa 200 ký tự (hiện có 4287)."
    assert not d.save_button.isEnabled()
    _paste(d.code, "KH-2026-000000000000042")
    assert d.code.text() == "KH-2026-000000000000042"
    assert d.form.rows["code"].error.text() == "Quá dài: tối đa 20 ký tự (hiện có 23)."
    d.name.clear()
    d.code.clear()
    type_text(d.name, "Công ty TNHH Đức Thành")
    d.notes.setFocus()
    d.notes.insertPlainText("Giao hàng\tgiờ hành chính\x07")
    assert "ký tự điều khiển" in d.form.rows["notes"].error.text()
    assert not d.save_button.isEnabled()


def test_a_control_character_pasted_into_a_ticket_subject_is_refused_beside_it(open_desk, vietnamese, qtbot):
    desk = open_desk()
    cid = customers.save_customer(desk.ctx, CustomerDraft(name="Công ty Hoa Mai", kind="company"))
    desk.window.new_ticket()
    desk.idle()
    d = desk.window.last_dialog
    d.customer.set_customer(cid, "Công ty Hoa Mai")
    _paste(d.subject, "Lỗi in\x1b[31m hóa đơn")
    assert "ký tự điều khiển" in d.form.rows["subject"].error.text()
    assert not d.save_button.isEnabled()
    d.subject.clear()
    _paste(d.subject, "Lỗi in hóa đơn")
    desk.idle()
    assert not d.form.rows["subject"].error.text() and d.save_button.isEnabled()


def test_the_calendar_tells_a_date_that_does_not_exist_and_a_name_too_long(open_desk, vietnamese, qtbot):
    desk = open_desk()
    desk.window.act_calendar.trigger()
    dialog = desk.window.last_dialog
    qtbot.waitUntil(lambda: dialog.loaded)
    type_text(dialog.date, "30/02/2027")
    type_text(dialog.name, "Du lịch công ty")
    dialog.add_off.click()
    assert dialog.status.text() == "Ngày 30/02/2027 không tồn tại." and dialog.pending == {}
    dialog.date.clear()
    type_text(dialog.date, "05/03/2027")
    _paste(dialog.name, " và nghỉ bù" * 20)
    assert dialog.name.text().endswith(" và nghỉ bù")  # not cut at 200
    dialog.add_off.click()
    assert dialog.status.text() == "Quá dài: tối đa 200 ký tự (hiện có 235)." and dialog.pending == {}
    dialog.close()


def test_the_company_details_say_a_long_paste_is_too_long(open_desk, vietnamese, qtbot):
    desk = open_desk()
    desk.window.edit_vendor()
    d = desk.window.last_dialog
    qtbot.waitUntil(lambda: d.loaded, timeout=5000)
    _paste(d.fields["name"], "Công ty Cổ phần Phần mềm " * 10)  # 250 characters, 249 stored
    assert len(d.fields["name"].text()) == 250
    assert d.form.rows["name"].error.text() == "Quá dài: tối đa 200 ký tự (hiện có 249)."
    assert not d.save_button.isEnabled()


def test_a_pasted_tax_code_too_long_is_refused_not_cut_into_a_valid_one(open_desk, vietnamese, qtbot):
    """Cut at 14 characters, "0100109106-0012" became the valid "0100109106-001": another
    branch's tax code, silently."""
    desk = open_desk()
    desk.window.new_customer()
    desk.idle()
    d = desk.window.last_dialog
    type_text(d.name, "Công ty Đức Thành")
    _paste(d.tax_code, "0100109106-0012")
    assert d.tax_code.text() == "0100109106-0012"
    assert d.form.rows["tax_code"].error.text() and not d.save_button.isEnabled()
