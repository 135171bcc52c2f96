"""Merging, archiving and restoring customers from the customers page (issue #14), with
real widgets on a real database of each engine."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop_helpdesk.services import contracts, customers, tickets
from desktop_helpdesk.services.dto import (
    ContactData,
    ContractDraft,
    CustomerDraft,
    ListQuery,
    PackageData,
    TicketDraft,
)
from tests.ui.conftest import type_text


def _setup(desk) -> dict:
    s = desk.ctx
    with s.uow() as uow:
        pid = uow.packages.add(PackageData(0, "SPOS", "Phần mềm bán hàng SmartPOS", 12, "office", 240, 24, 48, 72, True,
                                           15_000_000))
        uow.commit()
    keep = customers.save_customer(s, CustomerDraft(
        name="Công ty TNHH Hoàng Long", kind="company", phone="028 3974 3179",
        contacts=(ContactData(None, "Nguyễn Văn An", "Giám đốc", "0912 345 678", "", True),)))
    duplicate = customers.save_customer(s, CustomerDraft(
        name="Cty Hoàng Long (trùng)", kind="company", tax_code="0100109106",
        contacts=(ContactData(None, "Lê Thị Bích", "Kế toán", "0903 111 222", "", True),)))
    other = customers.save_customer(s, CustomerDraft(name="Nhà thuốc Minh Châu", kind="household"))
    contract = contracts.save_contract(s, ContractDraft(customer_id=duplicate, package_id=pid, stage="warranty",
                                                        signed_on=date(2026, 5, 1), accepted_on=date(2026, 6, 1)))
    ticket = tickets.create_ticket(s, TicketDraft(customer_id=duplicate, contract_id=contract,
                                                  subject="Máy in hóa đơn không in", request_type="incident",
                                                  channel="hotline"), None)
    return {"keep": keep, "duplicate": duplicate, "other": other, "contract": contract, "ticket": ticket}


def _page(desk):
    desk.window.show_view("customers")
    page = desk.window.pages["customers"]
    page.reload()
    desk.idle()
    return page


def _select(desk, page, customer_id: int) -> None:
    r = page.model.row_of_id(customer_id)
    assert r >= 0
    page.table.selectRow(r)
    desk.idle()


def _listed(page) -> set[int]:
    return {page.model.row_at(r).id for r in range(page.model.rowCount())}


def _confirm(desk, page, qtbot, button_text: str | None) -> str:
    """Answer the question box the page opened with `button_text` (None: Cancel); its text."""
    qtbot.waitUntil(lambda: page.message_box is not None and page.message_box.isVisible())
    box = page.message_box
    text = box.text()
    if button_text is None:  # Qt's own button, whose text is Qt's translation
        button = box.button(QMessageBox.StandardButton.Cancel)
    else:
        [button] = [b for b in box.buttons() if b.text() == button_text]
    button.click()
    desk.idle()
    return text


def test_merge_from_the_list_moves_the_work_and_archives_the_duplicate(open_desk, qtbot):
    desk = open_desk()
    ids = _setup(desk)
    page = _page(desk)
    _select(desk, page, ids["duplicate"])
    assert page.merge_button.isEnabled() and page.merge_button.text() == "Merge into…"

    page.merge_action.trigger()
    dialog = page.merge_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert "KH00002 – Cty Hoàng Long (trùng)" in dialog.intro.text()
    assert not dialog.merge_button.isEnabled()  # nothing chosen yet
    # Type-ahead, diacritics optional; the duplicate itself is not offered.
    type_text(dialog.picker, "hoang long")
    qtbot.waitUntil(lambda: bool(dialog.picker._choices))
    assert list(dialog.picker._choices) == ["KH00001 – Công ty TNHH Hoàng Long"]
    dialog.picker._chosen("KH00001 – Công ty TNHH Hoàng Long")
    desk.idle()
    summary = dialog.summary.text()
    for expected in ("Keep: KH00001 – Công ty TNHH Hoàng Long", "Moves from KH00002 – Cty Hoàng Long (trùng)",
                     "1 contact", "1 contract (with", "1 ticket (1 open)"):
        assert expected in summary, expected
    assert "verification question" not in summary  # none to move: not said
    assert dialog.warning.text() == "A merge cannot be undone."
    assert dialog.merge_button.isEnabled()

    with qtbot.waitSignal(page.customer_merged) as merged:
        dialog.merge_button.click()
        desk.idle()
    assert merged.args == [ids["keep"]]
    desk.idle()
    # The duplicate has left the list; the kept customer is selected, with the moved work.
    assert _listed(page) == {ids["keep"], ids["other"]}
    assert page.current_row().id == ids["keep"]
    qtbot.waitUntil(lambda: "Máy in hóa đơn không in" in page.detail.toPlainText())
    text = page.detail.toPlainText()
    assert "Lê Thị Bích" in text and "Open tickets (1)" in text
    assert tickets.get_ticket(desk.ctx, ids["ticket"]).draft.customer_id == ids["keep"]

    # "Show archived": the duplicate comes back greyed, marked, and cannot be merged again.
    page.show_archived.setChecked(True)
    desk.idle()
    assert _listed(page) == {ids["keep"], ids["duplicate"], ids["other"]}
    model, r = page.model, page.model.row_of_id(ids["duplicate"])
    assert model.data(model.index(r, 1), Qt.ItemDataRole.ToolTipRole) == "Archived"
    assert model.data(model.index(r, 1), Qt.ItemDataRole.FontRole).italic()
    assert model.data(model.index(page.model.row_of_id(ids["keep"]), 1), Qt.ItemDataRole.FontRole) is None
    _select(desk, page, ids["duplicate"])
    assert not page.merge_button.isEnabled()
    assert page.archive_button.text() == "Restore…"
    qtbot.waitUntil(lambda: "Merged into KH00001 – Công ty TNHH Hoàng Long" in page.detail.toPlainText())
    page.show_archived.setChecked(False)
    desk.idle()
    assert ids["duplicate"] not in _listed(page)


def test_the_customer_window_shows_the_banner_and_the_history(open_desk, qtbot):
    from desktop_helpdesk.ui.customers.dialog import CustomerDialog

    desk = open_desk()
    ids = _setup(desk)
    preview = customers.merge_preview(desk.ctx, ids["keep"], ids["duplicate"])
    customers.merge_customers(desk.ctx, ids["keep"], preview.keep_version, ids["duplicate"], preview.duplicate_version)

    def opened(customer_id):
        desk.window.edit_customer(customer_id)
        desk.idle()
        [dialog] = [d for d in desk.window.findChildren(CustomerDialog) if d.isVisible() and d.record_id == customer_id]
        desk.idle()
        return dialog

    gone = opened(ids["duplicate"])
    assert gone.banner.isVisible()
    assert gone.banner.text() == "Merged into KH00001 – Công ty TNHH Hoàng Long (Nov 21, 2026)"
    assert "Merged into KH00001 – Công ty TNHH Hoàng Long" in gone.history_list.text()
    gone.reject()
    kept = opened(ids["keep"])
    assert not kept.banner.isVisible()
    assert "Merged in: KH00002 – Cty Hoàng Long (trùng)" in kept.history_list.text()
    assert [c.full_name for c in customers.get_customer(desk.ctx, ids["keep"]).draft.contacts] == [
        "Nguyễn Văn An", "Lê Thị Bích"]
    kept.reject()


def test_a_merge_over_a_colleagues_change_is_refused_then_read_again(open_desk, qtbot):
    desk = open_desk()
    ids = _setup(desk)
    page = _page(desk)
    _select(desk, page, ids["duplicate"])
    dialog = page.merge_current()
    dialog.choose(ids["keep"], "KH00001 – Công ty TNHH Hoàng Long")
    desk.idle()
    assert dialog.merge_button.isEnabled()
    # A colleague renames the customer to keep while the window is open.
    details = customers.get_customer(desk.ctx, ids["keep"])
    customers.save_customer(desk.ctx, replace(details.draft, name="Công ty TNHH Hoàng Long Group"), ids["keep"],
                            details.version)
    dialog.merge_button.click()
    desk.idle()
    assert dialog.isVisible()
    assert "changed this customer" in dialog.status.text() and "nothing of yours was saved" in dialog.status.text()
    assert customers.get_customer(desk.ctx, ids["duplicate"]).archived_at is None
    # What is shown now is the customer as it is; a second Merge is done with it.
    qtbot.waitUntil(lambda: "Keep: KH00001 – Công ty TNHH Hoàng Long Group" in dialog.summary.text())
    dialog.merge_button.click()
    desk.idle()
    assert not shiboken6.isValid(dialog)  # closed once merged
    assert customers.get_customer(desk.ctx, ids["duplicate"]).merged_into.id == ids["keep"]


def test_archive_is_refused_with_open_tickets_then_done_and_undone(open_desk, qtbot):
    desk = open_desk()
    ids = _setup(desk)
    page = _page(desk)
    _select(desk, page, ids["duplicate"])
    assert page.archive_button.text() == "Archive…"
    page.archive_action.trigger()
    question = _confirm(desk, page, qtbot, "Archive")
    assert question.startswith("Archive KH00002 – Cty Hoàng Long (trùng)?")
    qtbot.waitUntil(lambda: page.message_box is not None and page.message_box.icon() == QMessageBox.Icon.Warning)
    assert page.message_box.text() == "KH00002 still has open tickets (1): close or move them before archiving."
    page.message_box.close()
    assert ids["duplicate"] in _listed(page)

    # A customer with nothing open is archived: out of the list and of the new ticket's choices.
    _select(desk, page, ids["other"])
    page.archive_action.trigger()
    _confirm(desk, page, qtbot, "Archive")
    qtbot.waitUntil(lambda: ids["other"] not in _listed(page))
    assert [c.id for c in customers.customer_choices(desk.ctx, "minh chau")] == []
    assert customers.list_customers(desk.ctx, ListQuery(text="minh chau")).rows == ()

    # Restored from "Show archived".
    page.show_archived.setChecked(True)
    desk.idle()
    _select(desk, page, ids["other"])
    page.archive_action.trigger()
    question = _confirm(desk, page, qtbot, "Restore")
    assert question.startswith("Restore KH00003 – Nhà thuốc Minh Châu?")
    page.show_archived.setChecked(False)
    desk.idle()
    qtbot.waitUntil(lambda: ids["other"] in _listed(page))
    assert [e.kind for e in customers.customer_history(desk.ctx, ids["other"])] == ["archived", "restored"]


def test_cancel_archives_nothing(open_desk, qtbot):
    desk = open_desk()
    ids = _setup(desk)
    page = _page(desk)
    _select(desk, page, ids["other"])
    page.archive_action.trigger()
    _confirm(desk, page, qtbot, None)
    assert customers.get_customer(desk.ctx, ids["other"]).archived_at is None


def test_the_customers_model_with_archived_rows_passes_the_model_tester(open_desk, qtmodeltester):
    desk = open_desk()
    ids = _setup(desk)
    customers.archive_customer(desk.ctx, ids["other"], customers.get_customer(desk.ctx, ids["other"]).version)
    page = _page(desk)
    page.show_archived.setChecked(True)
    desk.idle()
    assert ids["other"] in _listed(page)
    qtmodeltester.check(page.model)


def test_the_actions_speak_vietnamese(open_desk, vietnamese, qtbot):
    desk = open_desk()
    ids = _setup(desk)
    page = _page(desk)
    _select(desk, page, ids["duplicate"])
    assert page.merge_button.text() == "Gộp vào…"
    assert page.merge_action.text() == "&Gộp vào khách hàng khác…"
    assert page.archive_button.text() == "Lưu trữ…"
    assert page.show_archived.text() == "Hiện khách hàng đã lưu trữ"
    dialog = page.merge_current()
    dialog.choose(ids["keep"], "KH00001 – Công ty TNHH Hoàng Long")
    desk.idle()
    assert dialog.windowTitle() == "Gộp vào khách hàng khác"
    assert "Giữ lại: KH00001 – Công ty TNHH Hoàng Long" in dialog.summary.text()
    assert "1 phiếu yêu cầu (1 đang mở)" in dialog.summary.text()
    dialog.reject()


def test_enter_on_a_merged_duplicates_old_tax_code_opens_a_ticket_for_the_customer_kept(open_desk, qtbot):
    from PySide6.QtCore import Qt

    desk = open_desk()
    ids = _setup(desk)
    preview = customers.merge_preview(desk.ctx, ids["keep"], ids["duplicate"])
    customers.merge_customers(desk.ctx, ids["keep"], preview.keep_version, ids["duplicate"], preview.duplicate_version)
    window = desk.window
    qtbot.keyClick(window, Qt.Key.Key_F2)
    type_text(window.lookup.field, "0100109106")  # the duplicate's tax code, which a caller still gives
    qtbot.waitUntil(lambda: window.lookup.lookup is not None and window.lookup.lookup.text == "0100109106", timeout=5000)
    found = window.lookup.lookup.matches  # the duplicate first (its own tax code), then the customer kept
    assert [(m.customer_id, m.kept_id) for m in found][0] == (ids["duplicate"], ids["keep"])
    assert window.lookup.current_match().customer_id == ids["duplicate"]
    assert "Merged into KH00001" in window.lookup.results.toPlainText()
    qtbot.keyClick(window.lookup.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(window, "last_dialog", None) is not None and window.last_dialog.isVisible())
    dialog = window.last_dialog
    assert dialog.customer.customer_id == ids["keep"]
    assert dialog.customer.text().startswith("KH00001 – Công ty TNHH Hoàng Long")
