"""File → Company details on reports: the vendor's header is edited with checks beside the
fields and printed on the next report."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_helpdesk.services import catalog

from .conftest import type_text


def _open(desk, qtbot):
    desk.window.edit_vendor()
    dialog = desk.window.last_dialog
    qtbot.waitUntil(lambda: dialog.loaded, timeout=5000)
    return dialog


def test_the_demo_vendor_is_shown_and_a_change_is_saved(open_desk, qtbot):
    desk = open_desk(demo=True)
    dialog = _open(desk, qtbot)
    assert dialog.fields["name"].text() == "Công ty Cổ phần Phần mềm Sao Việt"
    assert dialog.save_button.isEnabled()  # the demo's own details are valid
    dialog.fields["hotline"].clear()
    type_text(dialog.fields["hotline"], "1900 1234")
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    desk.idle()
    stored = catalog.vendor(desk.ctx)
    assert stored["hotline"] == "1900 1234" and stored["name"] == "Công ty Cổ phần Phần mềm Sao Việt"


def test_a_bad_tax_code_or_e_mail_is_refused_beside_the_field(open_desk, qtbot):
    desk = open_desk()
    dialog = _open(desk, qtbot)
    assert not dialog.save_button.isEnabled()  # the company name is required
    type_text(dialog.fields["name"], "Công ty TNHH Phần mềm Đức Thành")
    assert dialog.save_button.isEnabled()
    type_text(dialog.fields["tax_code"], "0312345678")  # wrong check digit
    type_text(dialog.fields["email"], "hotro@")
    assert not dialog.save_button.isEnabled()
    assert "check the digits" in dialog.form.rows["tax_code"].error.text()
    assert dialog.form.rows["email"].error.text()
    dialog.fields["tax_code"].clear()
    type_text(dialog.fields["tax_code"], "0312345673")
    dialog.fields["email"].clear()
    type_text(dialog.fields["email"], "hotro@ducthanh.vn")
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save()
    desk.idle()
    assert catalog.vendor(desk.ctx)["tax_code"] == "0312345673"


def test_stored_details_that_no_longer_pass_say_why_save_is_disabled(open_desk, qtbot):
    desk = open_desk()
    catalog.set_vendor(desk.ctx, catalog.vendor(desk.ctx), name="Công ty Sao Việt", tax_code="0312345678")
    dialog = _open(desk, qtbot)
    assert not dialog.save_button.isEnabled()
    assert "check the digits" in dialog.form.rows["tax_code"].error.text()


@pytest.mark.allow_log_errors
def test_nothing_can_be_saved_over_details_that_could_not_be_read(open_desk, qtbot, monkeypatch, caplog):
    desk = open_desk()
    catalog.set_vendor(desk.ctx, catalog.vendor(desk.ctx), name="Công ty Sao Việt", address="68 Nguyễn Huệ")

    def broken(ctx):
        raise OSError("disk I/O error")

    monkeypatch.setattr(catalog, "vendor", broken)
    desk.window.edit_vendor()
    dialog = desk.window.last_dialog
    desk.idle()
    type_text(dialog.fields["name"], "Công ty mới")
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    desk.idle()
    assert not dialog.save_button.isEnabled() and dialog.status.isVisible()
    monkeypatch.undo()
    assert catalog.vendor(desk.ctx)["address"] == "68 Nguyễn Huệ"  # not blanked
    caplog.clear()


def test_a_save_over_details_another_desk_changed_meanwhile_is_refused(open_desk, qtbot):
    desk = open_desk(demo=True)
    dialog = _open(desk, qtbot)
    catalog.set_vendor(desk.ctx, catalog.vendor(desk.ctx), hotline="1900 5555")  # another desk
    dialog.fields["website"].clear()
    type_text(dialog.fields["website"], "saoviet.vn")
    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.status.isVisible(), timeout=5000)
    assert dialog.status.text().startswith("Someone else changed this record after you opened it.")
    stored = catalog.vendor(desk.ctx)
    assert stored["hotline"] == "1900 5555" and stored["website"] != "saoviet.vn"
