"""The field laptop's screens (issue #15) with real widgets, against the session's real
PostgreSQL server: choosing what to take, the offline indicator with Sync now, and the
Sync conflicts list deciding a conflict."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel
from sqlalchemy import select

from desktop_helpdesk.db import models as m
from desktop_helpdesk.db import offline
from desktop_helpdesk.db.offline import LaptopLink, TeamServerLink
from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.services import catalog, sync, tickets
from desktop_helpdesk.services.context import make_context
from tests.ui.conftest import FIXED_NOW, type_text

pytestmark = pytest.mark.postgresql_only

PASSWORD = "mật khẩu laptop"


def _id(engine, table, uuid):
    t = m.Base.metadata.tables[table]
    with engine.connect() as c:
        return c.execute(select(t.c.id).where(t.c.uuid == uuid)).scalar()


def _first_customer(engine):
    c = m.Customer.__table__
    with engine.connect() as conn:
        return conn.execute(select(c.c.id, c.c.uuid, c.c.name, c.c.province, c.c.code).where(c.c.province.isnot(None))
                            .order_by(c.c.id)).first()


def test_choosing_what_to_take_counts_the_customers_and_asks_for_the_password(open_desk, qtbot):
    from desktop_helpdesk.ui.shell.offline import TakeOfflineDialog

    desk = open_desk(demo=True)
    desk.ctx = replace(desk.ctx, offline=TeamServerLink(desk.engine))
    desk.jobs.ctx = desk.ctx
    desk.ctx.session.operator = catalog.operators(desk.ctx)[0]
    dialog = TakeOfflineDialog(desk.jobs, desk.window)
    qtbot.addWidget(dialog)
    dialog.mine.setChecked(False)
    desk.idle()
    assert dialog.scope == [] and not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    customer = _first_customer(desk.engine)
    dialog.by_province.setChecked(True)
    dialog.province.setCurrentText(customer.province)
    desk.idle()
    by_province = len(dialog.scope)
    assert by_province >= 1 and customer.uuid in dialog.scope
    assert dialog.count.text() == f"{by_province} customers will be taken."
    dialog.by_province.setChecked(False)
    type_text(dialog.find, customer.code)
    qtbot.waitUntil(lambda: dialog.found.count() > 0, timeout=5000)
    qtbot.keyClick(dialog.find, Qt.Key.Key_Return)
    desk.idle()
    assert dialog.chosen.count() == 1 and dialog.scope == [customer.uuid]
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "password" in dialog.error.text()
    type_text(dialog.password, PASSWORD)
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_the_laptop_shows_it_is_offline_syncs_on_f9_and_decides_a_conflict_in_the_list(open_desk, qtbot, tmp_path):
    from desktop_helpdesk.ui.kit.worker import Jobs
    from desktop_helpdesk.ui.shell.mainwindow import MainWindow
    from desktop_helpdesk.ui.shell.offline import ConflictsDialog, OfflineAccess, OfflineActions

    desk = open_desk(demo=True)
    customer = _first_customer(desk.engine)
    copy, _ = offline.take(desk.engine, tmp_path / "copy.db", PASSWORD, [customer.uuid], device_name="Laptop Hùng",
                           operator_id=None, author="Hùng", now=FIXED_NOW)
    server_ctx = desk.ctx
    ctx = make_context(uow_factory(copy, lambda: FIXED_NOW), lambda: FIXED_NOW,
                       offline=LaptopLink(copy, lambda: desk.engine, lambda e: make_context(uow_factory(e))))
    jobs = Jobs(ctx)
    window = MainWindow(jobs, desk.settings, lambda: None, catalog.operators(ctx)[0], "")
    qtbot.addWidget(window)
    actions = OfflineActions(window, jobs, OfflineAccess(tmp_path / "x.db", lambda p: None, lambda: None, "Laptop"),
                             on_copy=True, start=False)
    window.show()
    qtbot.waitUntil(lambda: "Offline copy" in actions.label.text(), timeout=5000)
    # The team server's connection is the indicator's to tell: no "● Connected" beside it.
    shown = [w.text() for w in window.statusBar().findChildren(QLabel) if w.isVisible()]
    assert not window.look.connection_label.isVisible() and not [t for t in shown if "Connected" in t], shown
    # The same ticket's subject changed on the laptop and at the office.
    t = m.Ticket.__table__
    with copy.connect() as c:
        uuid = c.execute(select(t.c.uuid).order_by(t.c.id)).scalar()
    local, remote = _id(copy, "tickets", uuid), _id(desk.engine, "tickets", uuid)
    for context, tid, subject in ((ctx, local, "Laptop: đã thay cáp"), (server_ctx, remote, "Văn phòng: đổi máy")):
        d = tickets.get_ticket(context, tid)
        tickets.update_ticket(context, tid, d.version, replace(d.draft, subject=subject), None)
    actions.refresh()
    qtbot.waitUntil(lambda: "changes to send" in actions.label.text(), timeout=5000)
    actions.act_sync.trigger()  # F9
    qtbot.waitUntil(lambda: not actions.syncing and "1 conflicts" in actions.label.text(), timeout=15000)
    # The ticket is marked in the list until the conflict is decided (a mark, not a colour).
    code = tickets.get_ticket(ctx, local).code
    window.show_view("tickets")
    page = window.current_page()

    def code_cells():
        model = page.model
        return [model.index(r, 0).data() for r in range(model.rowCount())]

    qtbot.waitUntil(lambda: f"⚠ {code}" in code_cells(), timeout=5000)
    dialog = ConflictsDialog(jobs, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=5000)
    cells = [dialog.table.item(0, c).text() for c in range(6)]
    assert cells[1] == "Subject" and cells[3:] == ["Laptop: đã thay cáp", "Văn phòng: đổi máy", "Laptop Hùng"]
    assert cells[0].endswith("Văn phòng: đổi máy")  # the record as the server names it now
    assert dialog.keep_mine.isEnabled() and not dialog.restore.isEnabled()
    dialog.keep_mine.click()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 0, timeout=15000)
    assert dialog.empty.text() == "No conflicts wait for a decision."
    assert tickets.get_ticket(server_ctx, remote).draft.subject == "Laptop: đã thay cáp"
    assert tickets.get_ticket(ctx, local).draft.subject == "Laptop: đã thay cáp"
    window.refresh_current()
    qtbot.waitUntil(lambda: code in code_cells() and f"⚠ {code}" not in code_cells(), timeout=5000)
    jobs.shutdown()
    copy.dispose()
