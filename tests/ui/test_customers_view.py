"""The customers page: a coverage badge per customer, and the selected customer's file below."""

from __future__ import annotations

from desktop_helpdesk.services import contracts, customers, tickets

from datetime import date

import pytest
from PySide6.QtCore import Qt, QUrl

from desktop_helpdesk.services.dto import ContactData, ContractDraft, CustomerDraft, PackageData, PaymentData, TicketDraft

TODAY = date(2026, 11, 21)  # the fixed clock of the UI tests, in Hà Nội


def _setup(desk) -> dict:
    """One customer in each coverage state, dated against the fixed clock."""
    s = desk.ctx
    with s.uow() as uow:
        pid = uow.packages.add(PackageData(0, "SPOS", "Phần mềm bán hàng SmartPOS", 12, "office", 240, 24, 48, 72, True,
                                           15_000_000))
        uow.commit()

    def customer(name: str, *contracts, **fields) -> int:
        cid = customers.save_customer(s, CustomerDraft(name=name, kind="company", **fields))
        for c in contracts:
            c(cid)
        return cid

    def contract(**fields):
        return lambda cid: contracts.save_contract(s, ContractDraft(customer_id=cid, package_id=pid, **fields))

    ids = {
        # accepted 13/04/2026, 12 months: covered through 13/04/2027, 143 days from today
        "warranty": customer("Công ty TNHH Hoàng Long", contract(
            number="HD2026-0001", stage="warranty", signed_on=date(2026, 3, 1), accepted_on=date(2026, 4, 13)),
            phone="028 3974 3179", tax_code="0100109106",
            contacts=(ContactData(None, "Nguyễn Văn An", "Giám đốc", "0912 345 678", "an@hoanglong.vn", True),)),
        "last_day": customer("Nhà thuốc Minh Châu", contract(
            stage="warranty", signed_on=date(2025, 11, 1), accepted_on=date(2025, 11, 21))),
        "maintenance": customer("Tiệm vàng Kim Hoa", contract(
            stage="maintenance", signed_on=date(2024, 12, 1), accepted_on=date(2025, 1, 10),
            maintenance_end=date(2026, 12, 11))),
        "grace": customer("Cửa hàng Bách Hóa Xanh", contract(
            stage="maintenance", signed_on=date(2024, 9, 1), accepted_on=date(2024, 10, 1),
            maintenance_end=date(2026, 11, 18))),
        "expired": customer("Công ty Cổ phần Đại Dương", contract(
            stage="maintenance", signed_on=date(2024, 9, 1), accepted_on=date(2024, 10, 1),
            maintenance_end=date(2026, 11, 9))),
        "unpaid": customer("Công ty TNHH Phú Thịnh", contract(
            stage="signed", value_vnd=3_000_000, signed_on=date(2026, 11, 1))),
        "none": customer("Trần Thị Lan"),
    }
    return ids


def _pay_in_full(desk, customer_id: int, amount: int) -> int:
    from desktop_helpdesk.services.dto import ListQuery

    contract = contracts.list_contracts(desk.ctx, ListQuery(filters={"customer_id": customer_id})).rows[0]
    contracts.add_payment(desk.ctx, contract.id, PaymentData(None, date(2026, 3, 5), amount), None)
    return contract.id


def _customers_page(desk):
    desk.window.show_view("customers")
    page = desk.window.pages["customers"]
    page.reload()
    desk.idle()
    return page


def _row_of(page, customer_id: int) -> int:
    r = page.model.row_of_id(customer_id)
    assert r >= 0
    return r


def _badge(page, customer_id: int, role=Qt.ItemDataRole.DisplayRole):
    model = page.model
    return model.data(model.index(_row_of(page, customer_id), model.COL_COVERAGE), role)


def _select(desk, page, customer_id: int) -> None:
    page.table.selectRow(_row_of(page, customer_id))
    desk.idle()


def test_the_customers_list_shows_each_coverage_state_with_days_debt_colour_and_a_mark(open_desk):
    desk = open_desk()
    ids = _setup(desk)
    page = _customers_page(desk)
    assert page.model.headerData(page.model.COL_COVERAGE, Qt.Orientation.Horizontal) == "Coverage"
    expected = {
        "warranty": "✔ Warranty: 143 days left",
        "last_day": "✔ Warranty: last day today",
        "maintenance": "✔ Maintenance: 20 days left",
        "grace": "⚠ Maintenance expired 3 days ago – in grace period",
        "expired": "✖ Maintenance expired 12 days ago – beyond the grace period",
        "unpaid": "○ No warranty or maintenance · Owes ₫3,000,000",
        "none": "○ No warranty or maintenance",
    }
    assert {state: _badge(page, cid) for state, cid in ids.items()} == expected
    colours = {state: _badge(page, cid, Qt.ItemDataRole.ForegroundRole).name() for state, cid in ids.items()}
    assert colours["grace"] != colours["warranty"] != colours["none"]
    assert colours["expired"] == colours["unpaid"] == "#b00020"  # both would be refused
    tip = _badge(page, ids["maintenance"], Qt.ItemDataRole.ToolTipRole)
    assert "Maintenance ends: Dec 11, 2026" in tip and "Warranty ends: Jan 10, 2026" in tip


def test_an_unpaid_balance_is_added_to_the_badge_until_it_is_paid(open_desk):
    desk = open_desk()
    s = desk.ctx
    with s.uow() as uow:
        pid = uow.packages.add(PackageData(0, "WEB", "Thiết kế website", 6, "office", 240, 24, 48, 72, True, 12_000_000))
        uow.commit()
    cid = customers.save_customer(s, CustomerDraft(name="Công ty TNHH Hoàng Long", kind="company"))
    contracts.save_contract(s, ContractDraft(customer_id=cid, package_id=pid, stage="warranty", value_vnd=12_500_000,
                                  signed_on=date(2026, 9, 1), accepted_on=date(2026, 10, 31)))
    page = _customers_page(desk)
    assert _badge(page, cid) == "✔ Warranty: 160 days left · Owes ₫12,500,000"
    _pay_in_full(desk, cid, 12_500_000)
    page.reload()
    desk.idle()
    assert _badge(page, cid) == "✔ Warranty: 160 days left"
    assert _badge(page, cid, Qt.ItemDataRole.ForegroundRole).name() != "#b00020"


def test_badges_speak_vietnamese(open_desk, translator, qtbot):
    from PySide6.QtWidgets import QApplication

    from desktop_helpdesk.i18n import _
    from desktop_helpdesk.ui.kit.qt_i18n import LanguageSwitcher

    desk = open_desk()
    ids = _setup(desk)
    page = _customers_page(desk)
    switcher = LanguageSwitcher(QApplication.instance(), translator)
    switcher.set_language("vi")
    try:
        if _("Owes {amount}") == "Owes {amount}":
            pytest.skip("the Vietnamese catalog does not have the coverage badges yet")
        qtbot.waitUntil(lambda: page.model.headerData(page.model.COL_COVERAGE, Qt.Orientation.Horizontal) == "Chế độ hỗ trợ")
        assert _badge(page, ids["warranty"]) == "✔ Bảo hành còn 143 ngày"
        assert _badge(page, ids["maintenance"]) == "✔ Bảo trì còn 20 ngày"
        assert _badge(page, ids["grace"]) == "⚠ Bảo trì hết hạn 3 ngày – trong thời gian ân hạn"
        assert _badge(page, ids["expired"]) == "✖ Bảo trì hết hạn 12 ngày – quá thời gian ân hạn"
        assert _badge(page, ids["unpaid"]) == "○ Chưa có bảo hành/bảo trì · Còn nợ 3.000.000 ₫"
    finally:
        switcher.set_language("en")


def test_the_detail_shows_the_customers_badge_contacts_contracts_obligations_and_open_tickets(open_desk, qtbot):
    desk = open_desk()
    ids = _setup(desk)
    s = desk.ctx
    cid = ids["warranty"]
    open_id = tickets.create_ticket(s, TicketDraft(customer_id=cid, subject="Máy in hóa đơn không in được", request_type="incident",
                                          channel="hotline"), None)
    closed_id = tickets.create_ticket(s, TicketDraft(customer_id=cid, subject="Quên mật khẩu quản trị", request_type="how_to",
                                            channel="hotline"), None)
    closed = tickets.get_ticket(s, closed_id)
    from dataclasses import replace

    tickets.update_ticket(s, closed_id, closed.version, replace(closed.draft, status="closed"), None)
    page = _customers_page(desk)
    assert "Select a customer" in page.detail.toPlainText()
    _select(desk, page, cid)
    text = page.detail.toPlainText()
    open_code, closed_code = tickets.get_ticket(s, open_id).code, closed.code
    for expected in ("Công ty TNHH Hoàng Long", "Warranty: 143 days left", "Tax code: 0100109106", "028 3974 3179",
                     "Contacts", "Nguyễn Văn An", "Giám đốc", "0912 345 678", "an@hoanglong.vn",
                     "Contracts", "HD2026-0001", "Phần mềm bán hàng SmartPOS", "Under warranty", "Apr 13, 2027",
                     "Upcoming obligations", "Renewal notice", "113 days left", "Warranty ends", "143 days left",
                     "Open tickets (1)", open_code, "Máy in hóa đơn không in được", "New"):
        assert expected in text, expected
    # A closed ticket is listed apart, under the recently closed ones (issue #16), not as open.
    open_part, closed_part = text.split("Recently closed tickets")
    assert closed_code not in open_part and "Quên mật khẩu" not in open_part
    assert closed_code in closed_part and "Quên mật khẩu quản trị" in closed_part
    html = page.detail.toHtml()
    assert "contract:" in html and f"ticket:{open_id}" in html

    # Another customer: the detail follows the selection; a customer with nothing says so.
    _select(desk, page, ids["none"])
    text = page.detail.toPlainText()
    assert "Trần Thị Lan" in text and "No warranty or maintenance" in text and "HD2026-0001" not in text
    assert text.count("None") == 5  # contacts, contracts, obligations, open and closed tickets


def test_links_in_the_detail_open_the_contract_and_the_ticket(open_desk, qtbot):
    from desktop_helpdesk.ui.contracts.dialog import ContractDialog
    from desktop_helpdesk.ui.tickets.dialog import TicketDialog

    desk = open_desk()
    ids = _setup(desk)
    tid = tickets.create_ticket(desk.ctx, TicketDraft(customer_id=ids["maintenance"], subject="Lỗi đồng bộ giá vàng",
                                                 request_type="incident", channel="hotline"), None)
    page = _customers_page(desk)
    _select(desk, page, ids["maintenance"])
    kid = page._view.contracts[0].id
    page.detail.anchorClicked.emit(QUrl(f"contract:{kid}"))
    desk.idle()
    assert isinstance(desk.window.last_dialog, ContractDialog) and desk.window.last_dialog.record_id == kid
    desk.window.last_dialog.reject()
    page.detail.anchorClicked.emit(QUrl(f"ticket:{tid}"))
    desk.idle()
    assert isinstance(desk.window.last_dialog, TicketDialog) and desk.window.last_dialog.record_id == tid
    desk.window.last_dialog.reject()


def test_a_late_answer_for_the_previous_customer_is_dropped(open_desk):
    desk = open_desk()
    ids = _setup(desk)
    page = _customers_page(desk)
    page.table.selectRow(_row_of(page, ids["grace"]))
    page.table.selectRow(_row_of(page, ids["expired"]))  # before the first answer arrived
    desk.idle()
    text = page.detail.toPlainText()
    assert "Công ty Cổ phần Đại Dương" in text and "Bách Hóa Xanh" not in text


def test_the_detail_splitter_is_remembered(open_desk):
    desk = open_desk()
    _setup(desk)
    page = _customers_page(desk)
    page.splitter.setSizes([200, 400])
    sizes = page.splitter.sizes()
    desk.close()
    desk2 = open_desk()
    assert desk2.window.pages["customers"].splitter.sizes() == sizes


def test_badges_and_the_detail_count_from_the_new_day_when_the_date_changes(open_desk, qtbot, monkeypatch):
    from datetime import timedelta

    from .conftest import FIXED_NOW

    from tests.factories import Clock

    clock = Clock(FIXED_NOW)
    desk = open_desk(now=clock)
    ids = _setup(desk)
    page = _customers_page(desk)
    _select(desk, page, ids["maintenance"])
    assert _badge(page, ids["maintenance"]) == "✔ Maintenance: 20 days left"
    clock.now = FIXED_NOW + timedelta(days=21)
    with qtbot.waitSignal(page.model.dataChanged):
        page.watch.check()
    desk.idle()
    assert _badge(page, ids["maintenance"]) == "⚠ Maintenance expired 1 day ago – in grace period"
    assert "Maintenance expired 1 day ago" in page.detail.toPlainText()


def test_column_widths_saved_before_the_coverage_column_are_not_laid_over_the_new_columns(open_desk, tmp_path):
    import base64

    from PySide6.QtGui import QStandardItemModel
    from PySide6.QtWidgets import QTableView

    desk = open_desk()
    page = _customers_page(desk)
    page.table.setColumnWidth(page.model.COL_COVERAGE, 333)
    default_width = page.model.columns[page.model.COL_COVERAGE].width
    # What an older version saved: eight customer columns, the third 120 wide (then "Kind").
    old = QTableView()
    old_model = QStandardItemModel(0, 8)
    old.setModel(old_model)
    for i in range(8):
        old.setColumnWidth(i, 120)
    old_state = base64.b64encode(bytes(old.horizontalHeader().saveState())).decode("ascii")
    desk.close()
    assert "customers/2" in desk.settings.header_states  # the new columns are saved under their own key

    desk2 = open_desk()
    assert desk2.window.pages["customers"].table.columnWidth(desk2.window.pages["customers"].model.COL_COVERAGE) == 333
    desk2.close()

    desk2.settings.header_states = {"customers": old_state}
    desk2.settings.save(tmp_path / "settings.json")
    desk3 = open_desk()
    page3 = desk3.window.pages["customers"]
    assert page3.table.columnWidth(page3.model.COL_COVERAGE) == default_width


def test_from_the_filter_down_moves_into_the_list_and_enter_opens_the_row(open_desk, qtbot):
    """The filter box does not trap the keyboard (issue #16): Down goes into the list, Enter
    opens the chosen row, even when typed faster than the list follows."""
    from tests.ui.conftest import type_text

    desk = open_desk(demo=True)
    window = desk.window
    window.show_view("customers")
    page = window.pages["customers"]
    desk.idle()
    opened = []
    page.edit_requested.connect(opened.append)
    type_text(page.filter, "hoang long")
    qtbot.keyClick(page.filter, Qt.Key.Key_Return)  # before the debounce: filtered first, then opened
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    first = page.model.row_at(0)
    assert "Hoàng Long" in first.name and opened == [first.id]
    page.filter.setFocus()
    qtbot.keyClick(page.filter, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: page.table.hasFocus() or window.focusWidget() is page.table, timeout=5000)
    assert page.current_row().id == first.id
