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
