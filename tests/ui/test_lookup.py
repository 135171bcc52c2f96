"""The hotline path: F2, the caller's number typed any way, Enter, the subject, Ctrl+Enter —
with keyboard events only, on real widgets over a real database."""

from __future__ import annotations

from desktop_helpdesk.services import contracts, customers, tickets

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop_helpdesk.services.dto import ContactData, ContractDraft, CustomerDraft, ListQuery, PackageData, PaymentData


def _setup(desk):
    s = desk.ctx
    with s.uow() as uow:
        pid = uow.packages.add(PackageData(0, "SPOS", "Phần mềm bán hàng", 12, "office", 240, 24, 48, 72, True, 15_000_000))
        uow.commit()
    hanoi = customers.save_customer(s, CustomerDraft(
        name="Công ty TNHH Đặng Gia", kind="company", phone="024 3826 1234",
        contacts=(ContactData(None, "Nguyễn Văn An", "Giám đốc", "0389 123 456"),)))
    saigon = customers.save_customer(s, CustomerDraft(
        name="Tiệm vàng Kim Hoa", kind="household", phone="028 3974 3179",
        contacts=(ContactData(None, "Trần Thị Hoa", "Thu ngân", "0912 000 111"),
                  ContactData(None, "Lê Văn Cường", "Chủ tiệm", "083 974 3179"))))
    kid = contracts.save_contract(s, ContractDraft(customer_id=saigon, package_id=pid, stage="warranty", value_vnd=15_000_000,
                                        signed_on=date(2026, 9, 1), accepted_on=date(2026, 10, 1)))
    contracts.add_payment(s, kid, PaymentData(None, date(2026, 9, 1), 15_000_000), None)
    desk.window.refresh_reference_data()
    desk.idle()
    return hanoi, saigon


def _focused():
    """Where a key goes: an open popup (a completer's list), else the focused widget, else
    the active window; as Qt routes a real key press."""
    target = QApplication.activePopupWidget() or QApplication.focusWidget() or QApplication.activeWindow()
    assert target is not None
    return target


def _keys(qtbot, text: str) -> None:
    """Type into whatever has the keyboard focus, as a user would."""
    QTest.keyClicks(_focused(), text)


def _press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(_focused(), key, modifier)


def _wait_for_answer(qtbot, lookup, typed: str):
    qtbot.waitUntil(lambda: lookup.lookup is not None and lookup.lookup.text == typed.strip(), timeout=5000)
    return lookup.lookup


def test_from_the_callers_number_to_a_saved_ticket_with_the_keyboard_only(open_desk, qtbot):
    desk = open_desk()
    hanoi, saigon = _setup(desk)
    window = desk.window
    window.show_view("tickets")
    window.pages["tickets"].table.setFocus()
    desk.idle()
    lookup = window.lookup

    qtbot.keyClick(window, Qt.Key.Key_F2)
    assert window.lookup_dock.isVisible() and QApplication.focusWidget() is lookup.field
    # Read off an old letterhead: the shop's TP.HCM landline before 2017, which is also the
    # owner's mobile today. Both are found; the landline reading comes first.
    _keys(qtbot, "08.3974 3179")
    found = _wait_for_answer(qtbot, lookup, "08.3974 3179")
    assert [m.matched_by for m in found.matches] == ["customer_phone", "contact_phone"]
    text = lookup.results.toPlainText()
    assert "Tiệm vàng Kim Hoa" in text and "Lê Văn Cường" in text and "Warranty:" in text
    assert lookup.message_text() == "2 callers found"

    _press(qtbot, Qt.Key.Key_Down)  # the owner on his mobile
    _press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(window, "last_dialog", None) is not None and window.last_dialog.isVisible())
    d = window.last_dialog
    qtbot.waitUntil(d.isActiveWindow)
    qtbot.waitUntil(lambda: d.contact.currentData() is not None and d.verdict is not None, timeout=5000)
    assert QApplication.focusWidget() is d.subject
    assert d.customer.customer_id == saigon and d.contact.currentText().startswith("Lê Văn Cường")
    assert d.channel.currentData() == "hotline" and d.request_type.currentData() == "incident"
    # The entitlement verdict is on screen before anything is saved.
    assert "Warranty" in d.entitlement_label.text() and d.entitlement_label.isVisible()

    _keys(qtbot, "Khong mo duoc phan mem ban hang")
    with qtbot.waitSignal(d.saved, timeout=5000):
        _press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    desk.idle()
    [row] = tickets.list_tickets(desk.ctx, ListQuery()).rows
    ticket = tickets.get_ticket(desk.ctx, row.id)
    contact_id = next(c.id for c in customers.get_customer(desk.ctx, saigon).draft.contacts if c.full_name == "Lê Văn Cường")
    assert (ticket.draft.customer_id, ticket.draft.contact_id, ticket.draft.channel, ticket.draft.subject) == (
        saigon, contact_id, "hotline", "Khong mo duoc phan mem ban hang")
    assert row.coverage == "warranty"
    # Back in the lookup, the caller now has the new ticket with its clock running.
    qtbot.waitUntil(lambda: lookup.lookup.matches[lookup.current].open_ticket_count == 1, timeout=5000)
    assert lookup.current_match().contact_name == "Lê Văn Cường"
    assert row.code in lookup.results.toHtml() and "left" in lookup.results.toPlainText()


def test_ctrl_n_is_the_quick_ticket_form_keyboard_only_and_esc_asks_before_discarding(open_desk, qtbot):
    desk = open_desk()
    _setup(desk)
    window = desk.window
    qtbot.keyClick(window, Qt.Key.Key_F2)
    _keys(qtbot, "0389123456")
    _wait_for_answer(qtbot, window.lookup, "0389123456")
    # Ctrl+N from the lookup is the same as Enter: the caller is filled in.
    _press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "last_dialog", None) is not None and window.last_dialog.isVisible())
    d = window.last_dialog
    qtbot.waitUntil(d.isActiveWindow)
    qtbot.waitUntil(lambda: d.contact.currentData() is not None, timeout=5000)
    assert d.contact.currentText().startswith("Nguyễn Văn An")
    # Tab walks the form in the order it is shown.
    order = []
    for _i in range(4):
        _press(qtbot, Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [d.request_type, d.channel, d.priority, d.status_combo]
    # Nothing typed yet: Esc closes at once.
    _press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not d.isVisible())

    # Ctrl+N elsewhere: an empty quick form, typed into from the customer field.
    window.close_lookup()
    window.activateWindow()  # the window manager's part when a dialog closes
    qtbot.waitUntil(window.isActiveWindow)
    _press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.last_dialog is not d and window.last_dialog.isVisible())
    d2 = window.last_dialog
    qtbot.waitUntil(d2.isActiveWindow)
    assert QApplication.focusWidget() is d2.customer
    _keys(qtbot, "dang gia")
    popup = d2.customer.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=5000)
    _press(qtbot, Qt.Key.Key_Down)
    _press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: d2.customer.customer_id is not None, timeout=5000)
    for _i in range(3):  # contact, contract, subject
        _press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is d2.subject
    _keys(qtbot, "Xin huong dan in hoa don")
    _press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: hasattr(d2, "discard_box") and d2.discard_box.isActiveWindow(), timeout=5000)
    _press(qtbot, Qt.Key.Key_Escape)  # "Cancel" is the default: keep typing
    qtbot.waitUntil(lambda: not d2.discard_box.isVisible())
    assert d2.isVisible() and d2.subject.text() == "Xin huong dan in hoa don"  # nothing typed is dropped
    assert tickets.list_tickets(desk.ctx, ListQuery()).rows == ()


@pytest.mark.parametrize("typed", ["0168 912 3456", "+84 168 9123456", "01689123456"])
def test_an_old_mobile_finds_the_contact_stored_in_todays_form(open_desk, qtbot, typed):
    desk = open_desk()
    hanoi, _ = _setup(desk)
    qtbot.keyClick(desk.window, Qt.Key.Key_F2)
    _keys(qtbot, typed)
    found = _wait_for_answer(qtbot, desk.window.lookup, typed)
    [match] = found.matches
    assert (match.customer_id, match.contact_name) == (hanoi, "Nguyễn Văn An")
    text = desk.window.lookup.results.toPlainText()
    assert "Nguyễn Văn An" in text and "0389 123 456" in text  # shown in today's form


def test_an_old_hanoi_landline_finds_the_company(open_desk, qtbot):
    desk = open_desk()
    hanoi, _ = _setup(desk)
    qtbot.keyClick(desk.window, Qt.Key.Key_F2)
    _keys(qtbot, "04 3826 1234")
    [match] = _wait_for_answer(qtbot, desk.window.lookup, "04 3826 1234").matches
    assert match.customer_id == hanoi and "024 3826 1234" in desk.window.lookup.results.toPlainText()


def test_an_invalid_number_shows_the_message_in_the_users_language(open_desk, qtbot, translator):
    desk = open_desk()
    _setup(desk)
    lookup = desk.window.lookup
    qtbot.keyClick(desk.window, Qt.Key.Key_F2)
    _keys(qtbot, "0912 345 6789")
    found = _wait_for_answer(qtbot, lookup, "0912 345 6789")
    assert found.error == "too_long" and lookup.message_text() == "This phone number is too long."
    _press(qtbot, Qt.Key.Key_Return)  # nothing to open, nothing breaks
    assert lookup.field.hasFocus() and lookup.results.toPlainText() == ""

    from desktop_helpdesk.ui.kit.qt_i18n import LanguageSwitcher

    LanguageSwitcher(QApplication.instance(), translator).set_language("vi")
    qtbot.waitUntil(lambda: lookup.message_text() != "This phone number is too long.")
    assert lookup.message_text() == "Số điện thoại quá dài."
    for _i in range(13):
        _press(qtbot, Qt.Key.Key_Backspace)
    _keys(qtbot, "+1 212 555 1234")
    _wait_for_answer(qtbot, lookup, "+1 212 555 1234")
    assert lookup.message_text() == "Chỉ hỗ trợ số điện thoại Việt Nam (+84)."
    assert lookup.field.text() == "+1 212 555 1234"  # what was typed stays, to correct it


def test_a_caller_lookup_answers_while_a_calendar_recompute_runs(open_desk, qtbot):
    """Interactive work never queues behind long work: with a support-calendar recompute of
    the demo's running clocks stopped half-way on the long lane (its progress callback
    waits), F2 and a number still find the caller; the recompute then finishes."""
    import threading

    from desktop_helpdesk.services import catalog
    from desktop_helpdesk.services.dto import CalendarDay
    from desktop_helpdesk.ui.kit.worker import LONG

    desk = open_desk(demo=True)
    caller = next(c for c in customers.list_customers(desk.ctx, ListQuery(limit=100)).rows if c.phone)
    recompute_running, release = threading.Event(), threading.Event()
    progress = []

    def held(done, total):  # on the long lane, between two committed batches
        progress.append((done, total))
        recompute_running.set()
        assert release.wait(20), "the test never released the recompute"

    finished = []
    desk.jobs.submit(catalog.save_calendar_days, [CalendarDay(date(2026, 11, 20), "day_off", "Nghỉ đột xuất")], [],
                     held, 1, on_done=finished.append, lane=LONG)
    assert recompute_running.wait(10)
    try:
        window, lookup = desk.window, desk.window.lookup
        qtbot.keyClick(window, Qt.Key.Key_F2)
        _keys(qtbot, caller.phone)
        found = _wait_for_answer(qtbot, lookup, caller.phone)
        assert caller.id in [m.customer_id for m in found.matches]
        assert not finished and not release.is_set()  # answered while the recompute still waits
    finally:
        release.set()
    qtbot.waitUntil(lambda: bool(finished), timeout=20_000)
    assert finished[0] > 0 and progress[-1][0] == progress[-1][1] == finished[0]


def test_a_contract_ended_early_reads_terminated_in_the_lookup_not_grace(open_desk, qtbot):
    """Issue #16 (DOMAIN.md: a contract may end early, coverage ends then, no grace): the
    caller's card says the contract was terminated on its day, as the customer list does,
    where it said "grace" for ten days and then "expired"."""
    from datetime import timedelta

    desk = open_desk()
    _hanoi, saigon = _setup(desk)
    ctx = desk.ctx
    kid = contracts.list_contracts(ctx, ListQuery(filters={"customer_id": saigon}, limit=5)).rows[0].id
    ended = ctx.today() - timedelta(days=2)
    f = contracts.contract_file(ctx, kid)
    contracts.move_contract(ctx, kid, f.version, "ended", ended, None, reason="Khách hàng đóng cửa tiệm")
    window = desk.window
    qtbot.keyClick(window, Qt.Key.Key_F2)
    _keys(qtbot, "0912 000 111")
    found = _wait_for_answer(qtbot, window.lookup, "0912 000 111")
    assert found.matches[0].terminated_on == ended
    text = window.lookup.results.toPlainText()
    assert "⊘ Terminated on" in text and "no warranty or maintenance" in text
    assert "grace" not in text.lower() and "Warranty:" not in text
