"""An unknown caller is no dead end (issue #16): F2, a number nobody has, Enter offers a new
customer with it, adding it to a customer, or a ticket now with the customer identified
later; the number always goes on in its normal form. Keyboard only, real widgets, real DB."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop_helpdesk.services import customers, lookup, tickets
from desktop_helpdesk.services.dto import ContactData, CustomerDraft, ListQuery

from .conftest import type_text

TYPED = "0912.345.678"  # as read off a business card
NORMAL = "0912 345 678"
E164 = "+84912345678"


def _focused():
    target = QApplication.activePopupWidget() or QApplication.focusWidget() or QApplication.activeWindow()
    assert target is not None
    return target


def _press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(_focused(), key, modifier)


def _unknown(desk, qtbot):
    """F2 and the unknown number typed: the offers are on screen, the first chosen."""
    window = desk.window
    customers.save_customer(desk.ctx, CustomerDraft(name="Công ty TNHH Đặng Gia", kind="company",
                                                    phone="024 3826 1234"))
    qtbot.keyClick(window, Qt.Key.Key_F2)
    QTest.keyClicks(_focused(), TYPED)
    lookup_panel = window.lookup
    qtbot.waitUntil(lambda: lookup_panel.lookup is not None and lookup_panel.lookup.text == TYPED, timeout=5000)
    assert lookup_panel.message_text() == f"No contact or customer has this number ({NORMAL})."
    assert lookup_panel.offers_text() == ["▸ New customer with this number", "Add this number to a customer…",
                                          "Ticket now, customer later"]
    assert "New customer with this number" in lookup_panel.results.toPlainText()
    return lookup_panel


def _dialog(window, qtbot):
    qtbot.waitUntil(lambda: getattr(window, "last_dialog", None) is not None and window.last_dialog.isVisible(),
                    timeout=5000)
    return window.last_dialog


def test_enter_on_an_unknown_number_opens_a_new_customer_with_it_and_the_lookup_then_finds_them(open_desk, qtbot):
    desk = open_desk()
    panel = _unknown(desk, qtbot)
    _press(qtbot, Qt.Key.Key_Return)
    d = _dialog(desk.window, qtbot)
    assert d.windowTitle() == "New customer"
    assert d.phone.text() == NORMAL  # its normal form, not as typed
    qtbot.waitUntil(d.isActiveWindow)
    assert QApplication.focusWidget() is d.name
    type_text(d.name, "Phạm Thị Lan")
    with qtbot.waitSignal(d.saved, timeout=5000):
        _press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    desk.idle()
    # Back in the lookup, the same number now finds the new customer: Enter is a ticket for her.
    qtbot.waitUntil(lambda: panel.lookup.matches and panel.lookup.matches[0].customer_name == "Phạm Thị Lan",
                    timeout=5000)
    assert panel.lookup.matches[0].phone == E164


def test_down_enter_adds_the_number_to_a_chosen_customer_as_a_new_contact(open_desk, qtbot):
    desk = open_desk()
    panel = _unknown(desk, qtbot)
    _press(qtbot, Qt.Key.Key_Down)
    assert panel.offers_text()[1] == "▸ Add this number to a customer…"
    _press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.choose_dialog is not None and panel.choose_dialog.isVisible())
    chooser = panel.choose_dialog
    assert NORMAL in chooser.label.text()
    assert not chooser.ok.isEnabled()  # nothing chosen yet
    chooser.picker.setFocus()
    QTest.keyClicks(chooser.picker, "dang gia")
    qtbot.waitUntil(lambda: chooser.picker.completer().popup().isVisible(), timeout=5000)
    _press(qtbot, Qt.Key.Key_Down)
    _press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(chooser.ok.isEnabled)
    _press(qtbot, Qt.Key.Key_Return)  # the keyboard all the way: Enter is OK once a customer is chosen
    d = _dialog(desk.window, qtbot)
    assert d.windowTitle() == "Edit customer" and d.name.text() == "Công ty TNHH Đặng Gia"
    r = d.contacts.rowCount() - 1
    assert d.contacts.item(r, 2).text() == NORMAL
    # The caller's name is still to type: the form says so and does not save without it.
    assert d.contacts_error.isVisible()
    d.contacts.item(r, 0).setText("Vũ Minh Quân")
    with qtbot.waitSignal(d.saved, timeout=5000):
        d.save_button.click()
    desk.idle()
    saved = customers.get_customer(desk.ctx, d.record_id).draft.contacts
    assert [(c.full_name, c.phone) for c in saved] == [("Vũ Minh Quân", E164)]
    qtbot.waitUntil(lambda: bool(panel.lookup.matches), timeout=5000)
    assert panel.lookup.matches[0].contact_name == "Vũ Minh Quân"


def test_ticket_now_customer_later_opens_the_ticket_on_a_provisional_customer_of_that_number(open_desk, qtbot):
    desk = open_desk()
    panel = _unknown(desk, qtbot)
    _press(qtbot, Qt.Key.Key_Down)
    _press(qtbot, Qt.Key.Key_Down)
    _press(qtbot, Qt.Key.Key_Down)  # stays on the last
    assert panel.offers_text()[2] == "▸ Ticket now, customer later"
    _press(qtbot, Qt.Key.Key_Return)
    d = _dialog(desk.window, qtbot)
    assert d.windowTitle() == "New ticket"
    qtbot.waitUntil(d.isActiveWindow)
    assert d.customer.text() == f"Caller {NORMAL} (to identify)"
    assert d.channel.currentData() == "hotline" and QApplication.focusWidget() is d.subject
    details = customers.get_customer(desk.ctx, d.customer.customer_id)
    assert (details.draft.kind, details.draft.phone) == ("person", E164)
    assert "merge it into the customer" in details.draft.notes
    QTest.keyClicks(d.subject, "Khong in duoc hoa don")
    qtbot.waitUntil(lambda: d.verdict is not None, timeout=5000)
    if d.verdict.refused:  # no contract yet: served all the same, and why is kept
        d.override_reason.setText("Chưa xác định khách hàng")
    with qtbot.waitSignal(d.saved, timeout=5000):
        d.save_button.click()
    desk.idle()
    [row] = tickets.list_tickets(desk.ctx, ListQuery()).rows
    assert row.customer_id == details.id
    # The same caller again: found, with the open ticket, not offered a second customer.
    qtbot.waitUntil(lambda: bool(panel.lookup.matches) and panel.lookup.matches[0].open_ticket_count == 1,
                    timeout=5000)


def test_a_provisional_caller_is_never_made_twice_for_a_number_someone_has(ctx):
    kept = customers.save_customer(ctx, CustomerDraft(name="Nhà sách Hồng Hà", kind="household",
                                                      contacts=(ContactData(None, "Đỗ Văn Hải", phone=NORMAL),)))
    assert lookup.provisional_caller(ctx, TYPED, "Caller") == kept
    first = lookup.provisional_caller(ctx, "0903 111 222", "Caller 0903 111 222 (to identify)")
    assert lookup.provisional_caller(ctx, "090.3111.222", "again") == first


@pytest.mark.parametrize("typed", ["KH99999", "0100109106"])
def test_an_unknown_code_offers_nothing_for_a_number(open_desk, qtbot, typed):
    desk = open_desk()
    window = desk.window
    qtbot.keyClick(window, Qt.Key.Key_F2)
    QTest.keyClicks(_focused(), typed)
    panel = window.lookup
    qtbot.waitUntil(lambda: panel.lookup is not None and panel.lookup.text == typed, timeout=5000)
    if panel.lookup.candidates:  # a tax code also reads as a number: then the offers are for it
        assert panel.unknown_number()
    else:
        assert panel.unknown_number() == "" and "New customer" not in panel.results.toPlainText()
        _press(qtbot, Qt.Key.Key_Return)
        assert getattr(window, "last_dialog", None) is None


def test_enter_typed_before_the_answer_shows_the_offers_and_does_not_take_one(open_desk, qtbot):
    desk = open_desk()
    window = desk.window
    qtbot.keyClick(window, Qt.Key.Key_F2)
    QTest.keyClicks(_focused(), TYPED)
    _press(qtbot, Qt.Key.Key_Return)  # faster than the lookup's pause
    panel = window.lookup
    qtbot.waitUntil(lambda: panel.lookup is not None and panel.lookup.text == TYPED, timeout=5000)
    desk.idle()
    assert panel.offers_text()[0] == "▸ New customer with this number"
    assert getattr(window, "last_dialog", None) is None  # nothing opened unseen
    _press(qtbot, Qt.Key.Key_Return)  # now the operator has seen the offers
    d = _dialog(window, qtbot)
    assert d.windowTitle() == "New customer" and d.phone.text() == NORMAL
