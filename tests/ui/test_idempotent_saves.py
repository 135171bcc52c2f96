"""Save pressed again after the connection dropped during a save that did commit (issue #12):
the form keeps what was typed, says what happened, and the second Save writes nothing new
(the form's UUID finds the first attempt's record) and closes the form as a save does."""

from __future__ import annotations

import functools
from datetime import date

import shiboken6
from PySide6.QtCore import Qt

from desktop_helpdesk.domain.errors import ConnectionLost
from desktop_helpdesk.services import contracts, customers, tickets, worklog
from desktop_helpdesk.services.dto import (
    ContractDraft,
    CustomerDraft,
    ListQuery,
    PackageData,
    PaymentData,
    TicketDraft,
)

from .conftest import type_text


def _lost_after_commit(monkeypatch, module, name: str) -> list:
    """`module.name` runs for real, but its first call then loses the connection: the desk
    hears ConnectionLost although the server committed. Returns the ids each call answered."""
    real = getattr(module, name)
    answers = []

    @functools.wraps(real)  # keeps what the use case declares it changes
    def lost_once(*args, **kwargs):
        answers.append(real(*args, **kwargs))
        if len(answers) == 1:
            raise ConnectionLost("OperationalError")
        return answers[-1]

    monkeypatch.setattr(module, name, lost_once)
    return answers


def _save_twice(qtbot, desk, d, answers) -> None:
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    desk.idle()
    assert len(answers) == 1
    assert d.isVisible() and "will not be saved twice" in d.status.text()
    assert d.save_button.isEnabled()
    with qtbot.waitSignal(d.saved, timeout=5000) as saved:
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    desk.idle()
    assert len(answers) == 2 and answers[0] == answers[1] == saved.args[0]
    assert not shiboken6.isValid(d) or not d.isVisible()  # closed as after any save (deleted on close)


def test_a_new_customer_saved_again_after_a_lost_connection_is_created_once(open_desk, qtbot, monkeypatch):
    desk = open_desk()
    answers = _lost_after_commit(monkeypatch, customers, "save_customer")
    desk.window.new_customer()
    d = desk.window.last_dialog
    qtbot.waitUntil(d.isActiveWindow)
    type_text(d.name, "Công ty TNHH Hoàng Long")
    _save_twice(qtbot, desk, d, answers)
    rows = customers.list_customers(desk.ctx, ListQuery()).rows
    assert [(r.id, r.name, r.code) for r in rows] == [(answers[0], "Công ty TNHH Hoàng Long", "KH00001")]


def _customer_with_contract(desk):
    with desk.ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "GOLD", "Quản lý tiệm vàng", 6, "always", 120, 24, 48, 72, True, 45_000_000))
        uow.commit()
    cid = customers.save_customer(desk.ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))
    kid = contracts.save_contract(desk.ctx, ContractDraft(customer_id=cid, package_id=pid, stage="warranty",
                                                          value_vnd=45_000_000, signed_on=date(2026, 9, 1),
                                                          accepted_on=date(2026, 10, 1)))
    contracts.add_payment(desk.ctx, kid, PaymentData(None, date(2026, 9, 1), 45_000_000), None)
    desk.window.refresh_reference_data()
    desk.idle()
    return cid, kid


def test_a_new_ticket_saved_again_after_a_lost_connection_is_opened_once(open_desk, qtbot, monkeypatch):
    desk = open_desk()
    cid, _kid = _customer_with_contract(desk)
    answers = _lost_after_commit(monkeypatch, tickets, "create_ticket")
    desk.window.new_ticket()
    d = desk.window.last_dialog
    d.set_customer(cid, "KH00001 – Tiệm vàng Kim Hoa")
    type_text(d.subject, "Cân điện tử không nhận")
    qtbot.waitUntil(lambda: d.verdict is not None and d.save_button.isEnabled(), timeout=5000)
    _save_twice(qtbot, desk, d, answers)
    rows = tickets.list_tickets(desk.ctx, ListQuery()).rows
    assert [r.id for r in rows] == [answers[0]]
    assert [e.kind for e in tickets.get_ticket(desk.ctx, answers[0]).history].count("created") == 1


def test_a_work_log_entry_saved_again_after_a_lost_connection_is_logged_once(open_desk, qtbot, monkeypatch):
    desk = open_desk()
    cid, kid = _customer_with_contract(desk)
    tid = tickets.create_ticket(desk.ctx, TicketDraft(customer_id=cid, contract_id=kid, subject="Cân điện tử không nhận",
                                                      request_type="incident", channel="hotline"), None)
    window = desk.window
    window.show_view("tickets")
    desk.idle()
    page = window.pages["tickets"]
    page.reload()  # the ticket was opened behind the window's back
    desk.idle()
    page.table.selectRow(0)
    desk.idle()
    qtbot.waitUntil(lambda: page.worklog.details is not None and page.worklog.details.id == tid, timeout=5000)
    answers = _lost_after_commit(monkeypatch, worklog, "add_entry")
    d = page.worklog.add_entry("note")
    type_text(d.body, "Đã gọi lại cho khách")
    qtbot.waitUntil(d.save_button.isEnabled, timeout=5000)
    _save_twice(qtbot, desk, d, answers)
    notes = [e.id for e in tickets.get_ticket(desk.ctx, tid).history if e.body == "Đã gọi lại cho khách"]
    assert notes == [answers[0]]


def test_a_payment_added_again_after_a_lost_connection_is_counted_once(open_desk, qtbot, monkeypatch):
    desk = open_desk()
    _cid, kid = _customer_with_contract(desk)
    desk.window.edit_contract(kid)
    desk.idle()
    d = desk.window.last_dialog
    qtbot.waitUntil(lambda: d.panel.file is not None, timeout=5000)
    panel = d.panel
    panel.setCurrentWidget(panel.payments_tab)
    type_text(panel.paid_on, "02/11/2026")
    type_text(panel.amount, "30.000.000")
    answers = _lost_after_commit(monkeypatch, contracts, "add_payment")
    qtbot.mouseClick(panel.add_payment_button, Qt.MouseButton.LeftButton)
    desk.idle()
    assert panel.payment_error.isVisible() and "never counted twice" in panel.payment_error.text()
    assert panel.amount.text() == "30.000.000"  # kept to try again
    qtbot.mouseClick(panel.add_payment_button, Qt.MouseButton.LeftButton)
    desk.idle()
    qtbot.waitUntil(lambda: panel.amount.text() == "", timeout=5000)  # saved: ready for the next one
    assert len(answers) == 2 and answers[0] == answers[1]
    assert [p.id for p in contracts.contract_file(desk.ctx, kid).payments][1:] == [answers[0]]
    # The next payment typed is another one.
    type_text(panel.amount, "15.000.000")
    monkeypatch.undo()
    qtbot.mouseClick(panel.add_payment_button, Qt.MouseButton.LeftButton)
    desk.idle()
    qtbot.waitUntil(lambda: len(panel.file.payments) == 3, timeout=5000)
    assert contracts.contract_file(desk.ctx, kid).paid_vnd == 45_000_000 + 30_000_000 + 15_000_000
