"""The packages dialog: Cancel stops the recompute of open tickets between batches; the new
terms stay saved, the recomputed tickets keep their new due times, the others their old ones,
and saving again recomputes them all."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from desktop_helpdesk.services import catalog
from desktop_helpdesk.ui.settings.packages import PackagesDialog

from tests.factories import more_tickets, warranty_ticket

from .holding import hold_first_report


def _due(desk, ticket_id):
    with desk.ctx.uow() as uow:
        stored, _terms = uow.tickets.clock_columns(ticket_id)
    return stored["proposal"]["due_at"]


def test_cancel_stops_the_recompute_between_batches_and_the_new_terms_stay_saved(open_desk, qtbot):
    desk = open_desk()
    first = warranty_ticket(desk.ctx)  # 24/7: the proposal is due two hours after it was received
    ids = [first, *more_tickets(desk.ctx, first, 3)]
    before = {tid: _due(desk, tid) for tid in ids}
    packages = catalog.packages(desk.ctx)
    row = next(i for i, p in enumerate(packages) if p.code == "GOLD")
    dialog = PackagesDialog(desk.jobs, packages, desk.window)
    qtbot.addWidget(dialog)
    dialog.batch = 1  # one ticket per committed batch: four batches
    dialog.show()
    dialog.list.setCurrentRow(row)
    dialog.spins["proposal_target_minutes"].setValue(60)
    go = hold_first_report(dialog.relay)

    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.progress is not None and dialog.progress.isVisible()
                    and dialog.progress.value() == 1, timeout=5000)
    qtbot.mouseClick(dialog.progress.findChild(QPushButton), Qt.MouseButton.LeftButton)
    assert dialog.progress.isVisible() and dialog.progress.labelText() == "Stopping once the tickets in hand are recomputed…"
    with qtbot.waitSignal(dialog.stopped, timeout=10_000) as stopped:
        go.set()
    done, total = stopped.args
    assert total == 4 and 1 <= done < total  # stopped at the next batch boundary, not at the end
    moved = [tid for tid in ids if _due(desk, tid) == before[tid] - timedelta(minutes=60)]
    assert len(moved) == done and all(_due(desk, tid) == before[tid] for tid in ids if tid not in moved)
    stored = catalog.packages(desk.ctx)[row]
    assert stored.proposal_target_minutes == 60  # saved before the first batch
    assert dialog.error.text() == (f"Stopped: {done} of 4 open tickets recomputed. The new terms are saved; the other "
                                   "tickets keep their old due times until you save the terms again.")
    assert dialog.progress is None and dialog.save_button.isEnabled()
    desk.idle()  # a stopped save is still a change: the forms' reference data has the new terms
    assert next(p for p in desk.window.packages if p.code == "GOLD").proposal_target_minutes == 60

    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:  # as the message says: save again
        dialog.save_button.click()
    assert saved.args == [4] and all(_due(desk, tid) == before[tid] - timedelta(minutes=60) for tid in ids)
    dialog.close()


def test_terms_another_desk_saved_meanwhile_are_not_overwritten(open_desk, qtbot):
    from dataclasses import replace

    desk = open_desk()
    warranty_ticket(desk.ctx)
    packages = catalog.packages(desk.ctx)
    row = next(i for i, p in enumerate(packages) if p.code == "GOLD")
    dialog = PackagesDialog(desk.jobs, packages, desk.window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.list.setCurrentRow(row)
    catalog.update_package_terms(desk.ctx, replace(packages[row], fix_target_hours=12))  # another desk
    dialog.spins["proposal_target_minutes"].setValue(60)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=5000)
    assert dialog.error.text().startswith("Someone else changed this record after you opened it.")
    stored = catalog.packages(desk.ctx)[row]
    assert stored.fix_target_hours == 12 and stored.proposal_target_minutes == 120


def test_a_package_is_created_renamed_and_retired_from_the_dialog_and_its_contract_keeps_it(open_desk, qtbot,
                                                                                            monkeypatch):
    from PySide6.QtWidgets import QDialog, QMessageBox

    from desktop_helpdesk.services import contracts
    from desktop_helpdesk.ui.contracts.dialog import ContractDialog
    from desktop_helpdesk.ui.settings import packages as packages_ui

    desk = open_desk(demo=True)
    dialog = PackagesDialog(desk.jobs, catalog.packages(desk.ctx), desk.window)
    qtbot.addWidget(dialog)
    dialog.show()
    desk.idle()
    count = dialog.list.count()

    def answer(code, name):  # what the user types in the small code-and-name window
        def exec_(self):
            self.code.setText(code)
            self.name.setText(name)
            return QDialog.DialogCode.Accepted
        monkeypatch.setattr(packages_ui.PackageNameDialog, "exec", exec_)

    answer("hddt", "Hóa đơn điện tử")
    dialog.new_button.click()
    desk.idle()
    qtbot.waitUntil(lambda: dialog.list.count() == count + 1)
    assert dialog.list.currentItem().text() == "Hóa đơn điện tử"
    assert dialog.error.text() == "Package Hóa đơn điện tử created; set its terms and save."
    new = next(p for p in catalog.packages(desk.ctx) if p.code == "HDDT")

    answer("HDDT", "Hóa đơn điện tử")  # the same code again: refused, nothing written
    dialog.new_button.click()
    desk.idle()
    assert dialog.error.text() == "Another package already has the code HDDT."
    assert dialog.list.count() == count + 1

    answer("HDDT", "Hóa đơn điện tử VNPT")
    dialog.rename_button.click()
    desk.idle()
    qtbot.waitUntil(lambda: dialog.list.currentItem().text() == "Hóa đơn điện tử VNPT")

    # A contract on it, then it is retired (after the question, answered "Stop selling").
    customer = desk.ctx.uow
    from desktop_helpdesk.services import customers
    from desktop_helpdesk.services.dto import ContractDraft, CustomerDraft
    from datetime import date

    cid = customers.save_customer(desk.ctx, CustomerDraft(name="Nhà thuốc Minh Châu", kind="household"))
    kid = contracts.save_contract(desk.ctx, ContractDraft(customer_id=cid, package_id=new.id,
                                                          request_received_on=date(2026, 11, 2)))
    asked = []

    def exec_box(self):
        asked.append(self.text())
        stop = next(b for b in self.buttons() if b.text() == "Stop selling")
        stop.click()
        return 0
    monkeypatch.setattr(QMessageBox, "exec", exec_box)
    assert dialog.retire_button.text() == "Stop selling"
    dialog.retire_button.click()
    desk.idle()
    qtbot.waitUntil(lambda: dialog.list.currentItem().text() == "Hóa đơn điện tử VNPT (no longer sold)")
    assert "keep it" in asked[0]
    assert dialog.retire_button.text() == "Sell again"
    desk.idle()
    assert all(p.id != new.id for p in desk.window.packages)  # new contracts no longer offer it

    # The contract's window shows its retired package, selected, and saves with it.
    form = ContractDialog(desk.jobs, desk.window.packages, desk.window)
    qtbot.addWidget(form)
    form.load(contracts.get_contract(desk.ctx, kid))
    assert form.package.currentData() == new.id
    assert form.package.currentText() == "Hóa đơn điện tử VNPT (no longer sold)"
    del customer
