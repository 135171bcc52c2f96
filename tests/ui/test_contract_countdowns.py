"""Countdowns in the contract views move on with the clock (injected, no sleeping): the
contracts list's coverage cell and the contract window's warranty end and milestones, each
ticked by its view's one minute-aligned CountdownTicker."""

from __future__ import annotations

from desktop_helpdesk.services import contracts, customers

from datetime import date, timedelta

from PySide6.QtCore import Qt

from desktop_helpdesk.services.dto import ContractDraft, CustomerDraft, PackageData, PaymentData
from tests.factories import Clock

from .conftest import FIXED_NOW


def _accepted_contract(desk):
    """A 12-month warranty accepted on 2026-10-01: it ends 2027-10-01."""
    s = desk.ctx
    with s.uow() as uow:
        pid = uow.packages.add(PackageData(0, "GOLD", "Quản lý tiệm vàng", 12, "always", 120, 24, 48, 72, True, 45_000_000))
        uow.commit()
    cid = customers.save_customer(s, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))
    kid = contracts.save_contract(s, ContractDraft(customer_id=cid, package_id=pid, stage="warranty", value_vnd=45_000_000,
                                        signed_on=date(2026, 9, 1), accepted_on=date(2026, 10, 1)))
    contracts.add_payment(s, kid, PaymentData(None, date(2026, 9, 1), 45_000_000), None)
    return kid


def _countdown(page):
    model = page.model
    index = model.index(0, model.COL_COUNTDOWN)
    return model.data(index), model.data(index, Qt.ItemDataRole.ForegroundRole)


def test_the_contracts_list_counts_the_warranty_down_and_a_tick_moves_it_on(open_desk, qtbot):
    clock = Clock(FIXED_NOW)
    desk = open_desk(now=clock)
    _accepted_contract(desk)
    desk.window.show_view("contracts")
    page = desk.window.pages["contracts"]
    page.reload()
    desk.idle()
    assert page.ticker.timer.isActive()  # the visible view's one timer
    text, colour = _countdown(page)
    warranty_end = contracts.contract_file(desk.ctx, page.model.row_at(0).id).warranty_end
    days = (warranty_end - date(2026, 11, 21)).days
    assert text == f"✔ Warranty: {days} days left" and colour is not None

    changed = []
    page.model.dataChanged.connect(lambda a, b, roles: changed.append((a.row(), b.row(), a.column())))
    page.ticker.tick()  # same day: nothing to repaint
    assert changed == []
    clock.now = FIXED_NOW + timedelta(days=3)
    page.ticker.tick()
    assert changed == [(0, 0, page.model.COL_COUNTDOWN)] and desk.jobs.pending == 0
    assert _countdown(page)[0] == f"✔ Warranty: {days - 3} days left"

    desk.window.show_view("tickets")
    assert not page.ticker.timer.isActive()  # a hidden view does not tick


def test_the_contract_window_counts_down_the_warranty_and_milestones_with_the_clock(open_desk, qtbot):
    clock = Clock(FIXED_NOW)
    desk = open_desk(now=clock)
    kid = _accepted_contract(desk)
    desk.window.refresh_reference_data()
    desk.idle()
    desk.window.edit_contract(kid)
    desk.idle()
    panel = desk.window.last_dialog.panel
    qtbot.waitUntil(lambda: panel.file is not None, timeout=5000)
    assert panel.ticker.timer.isActive()
    warranty_end = panel.file.warranty_end
    left = (warranty_end - date(2026, 11, 21)).days  # as the coverage badge and the obligations list count
    assert f"● {left} days left" in panel.stages_view.text()
    clock.now = FIXED_NOW + timedelta(days=2)
    panel.ticker.tick()
    assert f"● {left - 2} days left" in panel.stages_view.text()
    clock.now = FIXED_NOW + timedelta(days=left + 4)  # past the end: overdue, in red, with its mark
    panel.ticker.tick()
    assert "✖ 4 days overdue" in panel.stages_view.text() and "#b00020" in panel.stages_view.text()
