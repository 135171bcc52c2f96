"""A contract ended early, as the operator sees it (issue #16; DOMAIN.md "a contract may end
early (terminated, with a date and a reason): coverage ends then"): the customers list, the
customer panel, the contracts list and the contract window show "terminated" (its own mark
and text, in either language) from the day after the termination, the termination day
itself still covered; the obligations it cancelled read as cancelled, never overdue."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from desktop_helpdesk.services import contracts, customers
from desktop_helpdesk.services.dto import ContractDraft, CustomerDraft, PackageData, PaymentData, PlannedData
from desktop_helpdesk.ui.kit import marks
from tests.factories import Clock

from .conftest import FIXED_NOW

TERMINATED = date(2026, 11, 21)  # FIXED_NOW's day in Hà Nội
DAY = timedelta(days=1)


def _terminated_contract(desk):
    """Paid, accepted 1/10/2026 with 6 months of warranty (to 1/4/2027), a training planned
    on 10/12/2026; terminated on 21/11/2026 through the service, as the window does."""
    ctx = desk.ctx
    with ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "GOLD", "Quản lý tiệm vàng", 6, "always", 120, 24, 48, 72, True,
                                           45_000_000))
        uow.commit()
    cid = customers.save_customer(ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))
    kid = contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pid, number="HD2026-0077",
                                                     value_vnd=45_000_000, request_received_on=date(2026, 9, 1)))
    for target, on in (("signed", date(2026, 9, 15)), ("accepted", date(2026, 10, 1)), ("warranty", date(2026, 10, 2))):
        f = contracts.contract_file(ctx, kid)
        contracts.move_contract(ctx, kid, f.version, target, on, None)
    contracts.add_payment(ctx, kid, PaymentData(None, date(2026, 9, 15), 45_000_000, "bank_transfer"), None)
    f = contracts.contract_file(ctx, kid)
    contracts.save_planned(ctx, kid, f.version, [PlannedData(None, "periodic_training", date(2026, 12, 10),
                                                             "Đào tạo thu ngân")], None)
    f = contracts.contract_file(ctx, kid)
    contracts.move_contract(ctx, kid, f.version, "ended", TERMINATED, None, reason="Khách hàng ngừng kinh doanh")
    desk.window.refresh_reference_data()
    desk.idle()
    return cid, kid


def _customer_page(desk, qtbot, cid):
    desk.window.show_view("customers")
    page = desk.window.pages["customers"]
    page.reload()
    qtbot.waitUntil(lambda: page.model.row_of_id(cid) >= 0, timeout=5000)
    page.table.selectRow(page.model.row_of_id(cid))
    qtbot.waitUntil(lambda: page._view is not None and page._view.details.id == cid, timeout=5000)
    return page


def _on_day(desk, qtbot, clock, page, day: date):
    """Move the desk's clock to `day` and have the page show it (as its day watch does)."""
    clock.now = FIXED_NOW + (day - TERMINATED)
    page.refresh_detail()
    qtbot.waitUntil(lambda: page._view is not None and page._view.today == day, timeout=5000)
    page.model.refresh_badges()


def _coverage_cell(page, cid):
    model = page.model
    index = model.index(model.row_of_id(cid), model.COL_COVERAGE)
    return model.data(index), model.data(index, Qt.ItemDataRole.ForegroundRole)


def test_the_customer_list_and_panel_say_terminated_the_day_after_never_grace(open_desk, qtbot):
    clock = Clock(FIXED_NOW)
    desk = open_desk(now=clock)
    cid, _kid = _terminated_contract(desk)
    page = _customer_page(desk, qtbot, cid)

    _on_day(desk, qtbot, clock, page, TERMINATED - DAY)  # the day before: one covered day left
    assert _coverage_cell(page, cid)[0] == "✔ Warranty: 1 day left"
    assert "✔ Warranty: 1 day left" in page.detail.toPlainText()

    _on_day(desk, qtbot, clock, page, TERMINATED)  # the termination day: still covered, its last day
    assert _coverage_cell(page, cid)[0] == "✔ Warranty: last day today"
    assert "✔ Warranty: last day today" in page.detail.toPlainText()

    for later in (1, 12):  # the day after, and past where a grace period would have ended
        _on_day(desk, qtbot, clock, page, TERMINATED + later * DAY)
        text, colour = _coverage_cell(page, cid)
        assert text == "⊘ Terminated on Nov 21, 2026: no warranty or maintenance"
        assert colour == QColor(marks.BILLABLE)  # billed, not refused: not the error red
        detail = page.detail.toPlainText()
        assert "⊘ Terminated on Nov 21, 2026: no warranty or maintenance" in detail
        assert "grace" not in detail and "expired" not in detail
        # The contract's line in the panel says it too, in place of its stage.
        assert "⊘ Terminated on Nov 21, 2026" in detail[detail.index("HD2026-0077"):]


def test_the_panel_says_terminated_in_vietnamese(open_desk, qtbot, vietnamese):
    clock = Clock(FIXED_NOW + DAY)
    desk = open_desk(now=clock)
    cid, _kid = _terminated_contract(desk)
    page = _customer_page(desk, qtbot, cid)
    expected = "⊘ Đã chấm dứt ngày 21/11/2026: không còn bảo hành, bảo trì"
    assert _coverage_cell(page, cid)[0] == expected
    assert expected in page.detail.toPlainText()


def test_the_contract_window_and_list_show_the_termination_day_by_day(open_desk, qtbot, vietnamese):
    clock = Clock(FIXED_NOW - DAY)
    desk = open_desk(now=clock)
    _cid, kid = _terminated_contract(desk)
    desk.window.show_view("contracts")
    contracts_page = desk.window.pages["contracts"]
    contracts_page.reload()
    qtbot.waitUntil(lambda: contracts_page.model.row_of_id(kid) >= 0, timeout=5000)
    model = contracts_page.model

    def cell():
        index = model.index(model.row_of_id(kid), model.COL_COUNTDOWN)
        return model.data(index), model.data(index, Qt.ItemDataRole.ForegroundRole)

    desk.window.edit_contract(kid)
    desk.idle()
    window = desk.window.last_dialog
    qtbot.waitUntil(lambda: window.panel.file is not None, timeout=5000)
    panel = window.panel
    for day, expected in ((TERMINATED - DAY, "✔ Bảo hành còn 1 ngày"),
                          (TERMINATED, "✔ Bảo hành: hôm nay là ngày cuối"),
                          (TERMINATED + DAY, "⊘ Đã chấm dứt ngày 21/11/2026: không còn bảo hành, bảo trì")):
        clock.now = FIXED_NOW + (day - TERMINATED)
        panel.tick()  # the window's minute ticker: the day moved on
        assert f"Chế độ hỗ trợ: {expected}" in panel.stages_view.text(), (day, panel.stages_view.text())
        assert cell()[0] == expected, day
    assert cell()[1] == QColor(marks.BILLABLE)
    assert "Chấm dứt trước hạn ngày 21/11/2026: Khách hàng ngừng kinh doanh" in panel.stages_view.text()
    # The training it cancelled reads so, with its mark, in the milestones tab.
    assert panel.milestones.item(0, 3).text() == "⊘ Đã hủy: hợp đồng kết thúc ngày 21/11/2026"


def _obligations_page(desk):
    desk.window.show_view("obligations")
    page = desk.window.pages["obligations"]
    page.reload()
    desk.idle()
    while page.model.canFetchMore():
        page.model.fetchMore()
        desk.idle()
    return page


def _training_row(page):
    model = page.model
    rows = [i for i in range(model.rowCount()) if model.row_at(i).title == "Đào tạo thu ngân"]
    return rows[0] if rows else None


def test_the_obligations_page_shows_a_cancelled_obligation_as_cancelled_never_overdue(open_desk, qtbot,
                                                                                      qtmodeltester):
    clock = Clock(FIXED_NOW)
    desk = open_desk(now=clock)
    _cid, kid = _terminated_contract(desk)
    page = _obligations_page(desk)
    model = page.model
    qtmodeltester.check(model, force_py=True)
    # Due 10/12, 19 days ahead, yet not counted down: the termination cancelled it.
    for day in (TERMINATED, date(2026, 12, 15)):  # before its date, and five days past it
        clock.now = FIXED_NOW + (day - TERMINATED)
        page.reload()
        desk.idle()
        row = _training_row(page)
        assert row is not None, day
        countdown = model.index(row, model.COL_COUNTDOWN)
        assert model.data(countdown) == "⊘ Cancelled"  # a mark and a word, not a colour alone
        assert "overdue" not in model.data(countdown) and "left" not in model.data(countdown)
        assert model.data(countdown, Qt.ItemDataRole.ForegroundRole) == QColor(marks.SUPERSEDED)
        assert model.data(countdown, Qt.ItemDataRole.ToolTipRole) == "⊘ Cancelled: the contract ended on Nov 21, 2026"
        # Nothing of the ended contract counts down on the page.
        for i in range(model.rowCount()):
            if model.row_at(i).contract_id == kid:
                assert model.data(model.index(i, model.COL_COUNTDOWN)) == "⊘ Cancelled"
    # A month past its date it is history and leaves the page.
    clock.now = FIXED_NOW + (date(2027, 1, 11) - TERMINATED)
    page.reload()
    desk.idle()
    assert _training_row(page) is None


def test_the_obligations_page_says_cancelled_in_vietnamese(open_desk, qtbot, vietnamese):
    desk = open_desk()
    _terminated_contract(desk)
    page = _obligations_page(desk)
    row = _training_row(page)
    index = page.model.index(row, page.model.COL_COUNTDOWN)
    assert page.model.data(index) == "⊘ Đã hủy"
    assert page.model.data(index, Qt.ItemDataRole.ToolTipRole) == "⊘ Đã hủy: hợp đồng kết thúc ngày 21/11/2026"
