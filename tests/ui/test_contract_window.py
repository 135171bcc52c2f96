"""The contract window's lifecycle, payments and milestones tabs, driven like a user."""

from __future__ import annotations

from desktop_helpdesk.services import contracts, customers

from datetime import date

from PySide6.QtCore import Qt

from desktop_helpdesk.services.dto import ContractDraft, CustomerDraft, ListQuery, PackageData

from .conftest import type_text


def _contract(desk):
    with desk.ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "GOLD", "Quản lý tiệm vàng", 6, "always", 120, 24, 48, 72, True, 45_000_000))
        uow.commit()
    cid = customers.save_customer(desk.ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))
    kid = contracts.save_contract(desk.ctx, ContractDraft(customer_id=cid, package_id=pid, value_vnd=45_000_000,
                                                   request_received_on=date(2026, 9, 1)))
    desk.window.refresh_reference_data()
    desk.idle()
    return cid, kid


def _open(desk, qtbot, kid):
    desk.window.edit_contract(kid)
    desk.idle()
    d = desk.window.last_dialog
    qtbot.waitUntil(lambda: d.panel.file is not None, timeout=5000)
    return d


def _move(qtbot, desk, d, stage_label, on):
    panel = d.panel
    panel.target.setCurrentIndex(panel.target.findText(stage_label))
    panel.move_on.clear()
    type_text(panel.move_on, on)
    qtbot.mouseClick(panel.move_button, Qt.MouseButton.LeftButton)
    desk.idle()


def test_moving_through_the_lifecycle_refuses_impossible_orders_and_keeps_history(open_desk, qtbot):
    desk = open_desk()
    _cid, kid = _contract(desk)
    d = _open(desk, qtbot, kid)
    panel = d.panel
    assert not d.stage.isEnabled()  # stages move only through the lifecycle tab

    _move(qtbot, desk, d, "Accepted", "01/10/2026")
    assert panel.lifecycle_error.isVisible() and "signed" in panel.lifecycle_error.text()
    assert contracts.contract_file(desk.ctx, kid).stage == "request_received"

    _move(qtbot, desk, d, "Signed and paid", "15/09/2026")
    qtbot.waitUntil(lambda: panel.file.stage == "signed", timeout=3000)
    _move(qtbot, desk, d, "Accepted", "01/10/2026")
    qtbot.waitUntil(lambda: panel.file.stage == "accepted", timeout=3000)
    f = contracts.contract_file(desk.ctx, kid)
    assert (f.accepted_on, f.warranty_end) == (date(2026, 10, 1), date(2027, 4, 1))
    assert "Apr 1, 2027" in panel.stages_view.text()  # the warranty end, shown with its countdown
    assert d.accepted_on.text() == "01/10/2026"  # the form follows what was stored
    assert [e.kind for e in f.history].count("stage_changed") == 2
    assert "Signed and paid" in panel.history.toPlainText()
    # The form's own save still works on top of the moves (its version followed them).
    assert d.save_button.isEnabled(), _debug(d)
    with qtbot.waitSignal(d.saved, timeout=5000):
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)


def test_payments_show_the_outstanding_balance_and_refuse_a_bad_amount(open_desk, qtbot, monkeypatch):
    desk = open_desk()
    cid, kid = _contract(desk)
    d = _open(desk, qtbot, kid)
    _move(qtbot, desk, d, "Signed and paid", "15/09/2026")
    panel = d.panel
    qtbot.waitUntil(lambda: panel.file.stage == "signed", timeout=3000)
    assert "outstanding ₫45,000,000" in panel.payment_summary.text()
    panel.setCurrentWidget(panel.payments_tab)

    type_text(panel.amount, "không")
    qtbot.mouseClick(panel.add_payment_button, Qt.MouseButton.LeftButton)
    desk.idle()
    assert panel.payment_error.isVisible() and contracts.contract_file(desk.ctx, kid).payments == ()

    panel.amount.clear()
    type_text(panel.amount, "30.000.000")
    type_text(panel.invoice, "0001234")
    monkeypatch.setattr(contracts, "add_payment", lambda *a: (_ for _ in ()).throw(ValueError("refused")))
    qtbot.mouseClick(panel.add_payment_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.payment_error.isVisible, timeout=3000)
    assert (panel.amount.text(), panel.invoice.text()) == ("30.000.000", "0001234")  # kept to try again
    monkeypatch.undo()
    qtbot.mouseClick(panel.add_payment_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(panel.file.payments) == 1, timeout=3000)
    assert panel.amount.text() == "" and panel.invoice.text() == ""  # saved: ready for the next one
    assert "outstanding ₫15,000,000" in panel.payment_summary.text()
    assert panel.payments.item(0, 1).text() == "₫30,000,000"
    assert contracts.customer_coverage(desk.ctx, cid).outstanding_vnd == 15_000_000


def test_planned_milestones_become_obligations(open_desk, qtbot):
    desk = open_desk()
    cid, kid = _contract(desk)
    d = _open(desk, qtbot, kid)
    panel = d.panel
    panel.setCurrentWidget(panel.milestones_tab)
    panel.planned_kind.setCurrentIndex(panel.planned_kind.findData("milestone_training"))
    type_text(panel.planned_on, "01/12/2026")
    type_text(panel.planned_title, "Đào tạo thu ngân")
    qtbot.mouseClick(panel.add_planned_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(panel.file.planned) == 1, timeout=3000)
    assert panel.milestones.item(0, 3).text() == "● 10 days left"  # 01/12 from 21/11, as in the obligations list
    rows = contracts.list_obligations(desk.ctx, ListQuery(filters={"customer_id": cid})).rows
    assert [(r.kind, r.due_on, r.title) for r in rows] == [("milestone_training", date(2026, 12, 1), "Đào tạo thu ngân")]


def _debug(d):
    return d.status.text(), {k: r.error.text() for k, r in d.form.rows.items() if r.error.text()}, d.save_button.isEnabled()


def test_milestones_saved_over_another_desks_change_are_refused_and_read_again(open_desk, qtbot):
    """The window read the contract; another desk adds a milestone (no broadcast reaches
    this desk); adding one here would have wiped theirs: the window says so, reads the
    contract again, and theirs stays."""
    from desktop_helpdesk.services.contracts import derive_obligations
    from desktop_helpdesk.services.dto import PlannedData

    desk = open_desk()
    cid, kid = _contract(desk)
    d = _open(desk, qtbot, kid)
    panel = d.panel
    with desk.ctx.uow() as uow:  # what contracts.save_planned does, on another desk
        uow.contracts.touch(kid, panel.file.version)
        derive_obligations(uow, kid, planned=(PlannedData(None, "milestone_installation", date(2026, 11, 25), "Cài đặt"),))
        uow.commit()
    panel.setCurrentWidget(panel.milestones_tab)
    panel.planned_kind.setCurrentIndex(panel.planned_kind.findData("milestone_training"))
    type_text(panel.planned_on, "01/12/2026")
    qtbot.mouseClick(panel.add_planned_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.planned_error.isHidden(), timeout=3000)
    assert panel.planned_error.text() == "Someone else changed this contract meanwhile; it was read again. Try once more."
    qtbot.waitUntil(lambda: len(panel.file.planned) == 1, timeout=3000)
    assert [p.title for p in contracts.contract_file(desk.ctx, kid).planned] == ["Cài đặt"]
    assert d.version == panel.file.version  # the form saves from the version read again
