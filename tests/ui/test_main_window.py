"""The whole path a user walks, with real widgets driven by pytest-qt."""

from __future__ import annotations

from desktop_helpdesk.services import catalog, contracts, customers, tickets

import pytest

from PySide6.QtCore import Qt

from desktop_helpdesk.services.dto import ListQuery

from .conftest import type_text


def test_every_table_model_passes_qtmodeltester(open_desk, qtmodeltester):
    desk = open_desk(demo=True)
    for key, page in desk.window.pages.items():
        model = page.model
        if model.rowCount() == 0:
            model.fetchMore()
        desk.idle()
        assert model.rowCount() > 0, key
        qtmodeltester.check(model, force_py=True)
        desk.idle()


def test_lists_page_lazily_and_sort_in_sql(open_desk):
    desk = open_desk(demo=True)
    window = desk.window
    window.show_view("customers")
    desk.idle()
    model = window.pages["customers"].model
    model._page_size = 10
    model.reload()
    desk.idle()
    # The view asks for pages only while its viewport is not full.
    shown = model.rowCount()
    assert 10 <= shown < 48 and shown % 10 == 0 and model.canFetchMore()
    # Without a view, nothing is fetched until asked: one page per fetchMore.
    from desktop_helpdesk.ui.customers.page import customers_model

    bare = customers_model(desk.jobs)
    bare._page_size = 10
    bare.fetchMore()
    desk.idle()
    assert bare.rowCount() == 10
    bare.fetchMore()
    desk.idle()
    assert bare.rowCount() == 20 and bare.canFetchMore()
    table = window.pages["customers"].table
    table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    desk.idle()
    codes = [model.row_at(i).code for i in range(model.rowCount())]
    assert codes == sorted(codes, reverse=True) and codes[0] == "KH00048"


def test_filter_box_finds_without_diacritics(open_desk, qtbot):
    desk = open_desk(demo=True)
    window = desk.window
    window.show_view("customers")
    page = window.pages["customers"]
    desk.idle()
    type_text(page.filter, "tiem vang")
    qtbot.waitUntil(lambda: page.model.rowCount() > 0 and all("Tiệm vàng" in page.model.row_at(i).name for i in range(page.model.rowCount())), timeout=5000)


def _pick_customer(qtbot, picker, typed: str):
    type_text(picker, typed)
    qtbot.waitUntil(lambda: picker.completer().model().rowCount() > 0, timeout=5000)
    popup = picker.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=5000)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: picker.customer_id is not None, timeout=5000)


def test_customer_contract_and_ticket_created_in_dialogs_survive_a_restart(open_desk, qtbot):
    desk = open_desk()
    # An empty database has no packages: add one the way an administrator would (ctx).
    from desktop_helpdesk.services.dto import OperatorDraft, PackageData

    with desk.ctx.uow() as uow:
        uow.packages.add(PackageData(0, "WEB", "Thiết kế website", 6, "office", 240, 24, 48, 72, True, 12_000_000))
        uow.commit()
    catalog.add_operator(desk.ctx, OperatorDraft("", "Trần Minh Quân", "Tổng đài 02", "hotline"))
    desk.window.refresh_reference_data()
    desk.idle()
    window = desk.window

    window.new_customer()
    d = window.last_dialog
    qtbot.waitUntil(d.isActiveWindow)
    type_text(d.name, "Công ty TNHH Hoàng Long")
    type_text(d.tax_code, "0100109106")
    type_text(d.phone, "028 3974 3179")
    assert d.save_button.isEnabled()
    with qtbot.waitSignal(d.saved, timeout=5000):
        qtbot.keyClick(d.name, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    desk.idle()

    window.new_contract()
    d = window.last_dialog
    _pick_customer(qtbot, d.customer, "hoang long")
    type_text(d.value, "12.500.000")
    type_text(d.signed_on, "05/10/2026")
    type_text(d.accepted_on, "31/10/2026")
    assert d.save_button.isEnabled()
    with qtbot.waitSignal(d.saved, timeout=5000):
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    desk.idle()

    window.new_ticket()
    d = window.last_dialog
    qtbot.waitUntil(d.isActiveWindow)
    _pick_customer(qtbot, d.customer, "0283974")
    desk.idle()
    type_text(d.subject, "Website báo lỗi 500 khi đặt hàng")
    qtbot.waitUntil(lambda: d.verdict is not None and d.verdict.coverage.value == "warranty", timeout=5000)
    assert "Warranty" in d.entitlement_label.text()
    with qtbot.waitSignal(d.saved, timeout=5000):
        qtbot.keyClick(d.subject, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    desk.close()

    desk2 = open_desk()
    customer_rows = customers.list_customers(desk2.ctx, ListQuery()).rows
    assert [(c.name, c.phone, c.tax_code) for c in customer_rows] == [("Công ty TNHH Hoàng Long", "+842839743179", "0100109106")]
    contract_rows = contracts.list_contracts(desk2.ctx, ListQuery()).rows
    assert [(k.customer_name, k.value_vnd, str(k.warranty_end)) for k in contract_rows] == [("Công ty TNHH Hoàng Long", 12_500_000, "2027-04-30")]
    ticket_rows = tickets.list_tickets(desk2.ctx, ListQuery()).rows
    assert [(t.subject, t.customer_name, t.contract_number, t.coverage) for t in ticket_rows] == [
        ("Website báo lỗi 500 khi đặt hàng", "Công ty TNHH Hoàng Long", contract_rows[0].number, "warranty")]
    # And the windows show them.
    desk2.window.show_view("tickets")
    desk2.idle()
    assert desk2.window.pages["tickets"].model.row_at(0).subject == "Website báo lỗi 500 khi đặt hàng"


def test_invalid_input_is_refused_beside_the_field_and_writes_nothing(open_desk, qtbot):
    desk = open_desk()
    window = desk.window
    window.new_customer()
    d = window.last_dialog
    assert not d.save_button.isEnabled()  # the name is required
    type_text(d.name, "Nhà thuốc Minh Châu")
    type_text(d.phone, "0112 345")
    type_text(d.tax_code, "12345")
    type_text(d.email, "not-an-email")
    row = d.form.rows
    assert row["phone"].error.isVisible() and row["phone"].error.text()
    assert row["tax_code"].error.isVisible() and row["email"].error.isVisible()
    assert not d.save_button.isEnabled()
    qtbot.keyClick(d.name, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    desk.idle()
    assert d.isVisible()
    d.reject()  # Escape / Cancel with typed changes asks first
    assert d.isVisible() and d.discard_box.isVisible()
    with qtbot.waitSignal(d.rejected, timeout=3000):
        qtbot.mouseClick(d.discard_box.button(d.discard_box.StandardButton.Discard), Qt.MouseButton.LeftButton)
    assert customers.list_customers(desk.ctx, ListQuery()).rows == ()


@pytest.mark.parametrize("edit", ["description", "priority", "conditions"])
def test_closing_a_ticket_form_after_any_change_asks_first(open_desk, qtbot, edit):
    desk = open_desk(demo=True)
    desk.window.new_ticket()
    d = desk.window.last_dialog
    desk.idle()
    d.reject()  # nothing changed: closes without asking
    assert not d.isVisible()
    desk.window.new_ticket()
    d = desk.window.last_dialog
    desk.idle()
    if edit == "description":  # free text that no check watches
        type_text(d.description, "Máy in hóa đơn không nhận lệnh in")
    elif edit == "priority":  # a choice made by hand
        d.priority.setFocus()
        qtbot.keyClick(d.priority, Qt.Key.Key_Down)
        d.priority.activated.emit(d.priority.currentIndex())
    else:
        qtbot.mouseClick(d.cooperating, Qt.MouseButton.LeftButton)
    d.reject()
    assert d.isVisible() and d.discard_box.isVisible()


def test_ticket_view_shows_customer_contract_status_and_history(open_desk):
    desk = open_desk(demo=True)
    window = desk.window
    window.show_view("tickets")
    desk.idle()
    page = window.pages["tickets"]
    page.table.selectRow(0)
    desk.idle()
    row = page.model.row_at(0)
    html = page.detail.toPlainText()
    assert row.code in html and row.customer_name in html
    history = page.worklog.tree
    assert history.topLevelItemCount() >= 1
    assert history.topLevelItem(0).text(page.worklog.COL_TEXT) == "Ticket created"


def test_window_remembers_geometry_columns_and_last_view(open_desk):
    desk = open_desk(demo=True)
    window = desk.window
    window.show_view("contracts")
    window.resize(777, 555)
    window.pages["contracts"].table.setColumnWidth(1, 333)
    window.pages["tickets"].detail_splitter.setSizes([200, 500])  # the work log made wider
    sides = window.pages["tickets"].detail_splitter.sizes()
    assert sides[1] > sides[0] > 0
    desk.close()
    desk2 = open_desk()
    assert desk2.window.current_page() is desk2.window.pages["contracts"]
    assert desk2.window.pages["contracts"].table.columnWidth(1) == 333
    assert (desk2.window.width(), desk2.window.height()) == (777, 555)
    assert desk2.window.pages["tickets"].detail_splitter.sizes() == sides


def test_status_bar_shows_the_operator(open_desk):
    desk = open_desk(demo=True)
    assert "Operator:" in desk.window.operator_label.text()
    assert desk.window.operator.full_name in desk.window.operator_label.text()


def test_unpaid_customer_is_refused_with_its_reason_and_an_override_needs_a_typed_reason(open_desk, qtbot):
    from datetime import date

    from desktop_helpdesk.services.dto import ContractDraft, CustomerDraft, PackageData

    desk = open_desk()
    with desk.ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "SPOS", "Phần mềm bán hàng", 12, "office", 240, 24, 48, 72, True, 15_000_000))
        uow.commit()
    cid = customers.save_customer(desk.ctx, CustomerDraft(name="Nhà thuốc Minh Châu", kind="household"))
    contracts.save_contract(desk.ctx, ContractDraft(customer_id=cid, package_id=pid, stage="warranty", value_vnd=15_000_000,
                                             signed_on=date(2026, 9, 1), accepted_on=date(2026, 10, 1)))
    desk.window.refresh_reference_data()
    desk.idle()

    desk.window.new_ticket()
    d = desk.window.last_dialog
    qtbot.waitUntil(d.isActiveWindow)
    _pick_customer(qtbot, d.customer, "minh chau")
    type_text(d.subject, "Không in được hóa đơn")
    qtbot.waitUntil(lambda: d.verdict is not None and d.verdict.refused, timeout=5000)
    shown = d.entitlement_label.text()
    assert "Refused" in shown and "unpaid" in shown
    assert d.form.rows["override_reason"].isVisible()
    assert not d.save_button.isEnabled()
    qtbot.keyClick(d.subject, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    desk.idle()
    assert d.isVisible() and d.form.rows["override_reason"].error.isVisible()
    assert tickets.list_tickets(desk.ctx, ListQuery()).rows == ()

    type_text(d.override_reason, "Giám đốc đồng ý hỗ trợ trước, khách hẹn thanh toán 25/11")
    assert d.save_button.isEnabled()
    with qtbot.waitSignal(d.saved, timeout=5000):
        qtbot.keyClick(d.subject, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    ticket = tickets.list_tickets(desk.ctx, ListQuery()).rows[0]
    assert ticket.coverage == "warranty"
    history = tickets.get_ticket(desk.ctx, ticket.id).history
    verdict = next(e for e in history if e.kind == "entitlement")
    override = next(e for e in history if e.kind == "override")
    assert "refused" in verdict.body and "unpaid" in verdict.body
    assert override.body == "Giám đốc đồng ý hỗ trợ trước, khách hẹn thanh toán 25/11"
    assert (override.old_value, override.new_value) == ("refused", "warranty")
    from desktop_helpdesk.ui.tickets.page import TicketsPage

    assert TicketsPage._describe(verdict).startswith("Entitlement: Refused (Part or all of the agreed cost is unpaid.")
    assert TicketsPage._describe(override) == "Refusal overridden → Warranty: " + override.body


def test_caller_verification_says_match_or_not_and_the_ticket_records_only_the_outcome(open_desk, qtbot):
    from desktop_helpdesk.services.dto import CustomerDraft

    desk = open_desk()
    cid = customers.save_customer(desk.ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))
    qid = customers.add_verification_question(desk.ctx, cid, "Ai ký hợp đồng?", "Nguyễn Thị Hoa")
    desk.window.new_ticket()
    d = desk.window.last_dialog
    qtbot.waitUntil(d.isActiveWindow)
    _pick_customer(qtbot, d.customer, "kim hoa")
    assert d.verify_button.isEnabled()
    qtbot.mouseClick(d.verify_button, Qt.MouseButton.LeftButton)
    v = d.verify_dialog
    qtbot.waitUntil(lambda: qid in v.rows, timeout=5000)
    answer, check, result = v.rows[qid]
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton)  # nothing typed yet: not a wrong answer
    desk.idle()
    assert result.text() == "" and check.isEnabled()
    type_text(answer, "Trần Văn Nam")
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Does not match" in result.text(), timeout=5000)
    type_text(answer, "nguyen thi  hoa")
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Matches" in result.text(), timeout=5000)
    v.accept()
    assert d.verify_summary.text() == "Caller verified: 1 of 1 answers match"
    type_text(d.subject, "Quên mật khẩu quản trị")
    qtbot.waitUntil(lambda: d.verdict is not None and d.save_button.isEnabled(), timeout=5000)
    with qtbot.waitSignal(d.saved, timeout=5000):
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    ticket = tickets.list_tickets(desk.ctx, ListQuery()).rows[0]
    events = [e for e in tickets.get_ticket(desk.ctx, ticket.id).history if e.kind == "verification"]
    assert [(e.new_value, e.body) for e in events] == [("match", str(qid))]
    assert not any("Hoa" in (e.body + e.new_value) for e in events)
