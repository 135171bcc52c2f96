"""Attachments in the forms (issue #16), with real widgets on a real database, both engines:
a screenshot pasted into a new ticket is attached when the ticket is saved and shows as a
thumbnail when it is opened again; open and Save as write the very bytes; a file over the
limit is refused with a message in the user's language; a file attached twice is stored
once; removing marks it, the file stays; a drop and a work-log entry's files."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication

from desktop_helpdesk.domain import attachments as ad
from desktop_helpdesk.services import attachments, contracts, customers, tickets
from desktop_helpdesk.services.dto import ContractDraft, CustomerDraft, PackageData, TicketDraft
from desktop_helpdesk.settings import Settings
from desktop_helpdesk.ui.kit.attachments import AttachmentsBox

from .conftest import type_text


def _screenshot() -> QImage:
    image = QImage(640, 400, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a6fdb"))
    return image


def _customer(desk) -> int:
    return customers.save_customer(desk.ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))


def _wait_rows(desk, qtbot, box, n: int) -> None:
    desk.idle()
    qtbot.waitUntil(lambda: len(box.visible_rows()) == n and box.list.count() == n, timeout=5000)


def test_a_screenshot_pasted_into_a_new_ticket_is_attached_when_saved_and_shown_as_a_thumbnail(open_desk, qtbot):
    desk = open_desk()
    cid = _customer(desk)
    desk.window.new_ticket()
    d = desk.window.last_dialog
    d.set_customer(cid, "KH00001 – Tiệm vàng Kim Hoa")
    type_text(d.subject, "Màn hình bán hàng báo lỗi 0x80")
    QApplication.clipboard().setImage(_screenshot())
    box = d.attachments
    box.list.setFocus()
    qtbot.keyClick(box.list, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert box.list.count() == 1 and "(attached when saved)" in box.list.item(0).text()
    qtbot.waitUntil(lambda: d.verdict is not None and d.save_button.isEnabled(), timeout=5000)
    with qtbot.waitSignal(d.saved, timeout=5000) as saved:
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    desk.idle()
    ticket_id = saved.args[0]
    (row,) = attachments.attachments_of(desk.ctx, "ticket", ticket_id)
    assert row.mime == "image/png" and row.file_name.startswith("Screenshot 2026-11-21 10.00.00")
    # Reopened: the file is there, with its picture as the thumbnail.
    desk.window.edit_ticket(ticket_id)
    desk.idle()
    box = desk.window.last_dialog.attachments
    _wait_rows(desk, qtbot, box, 1)
    thumb = box.thumbs[row.id]
    assert (thumb.width(), thumb.height()) == (96, 60) and thumb.pixelColor(10, 10) == QColor("#2a6fdb")
    assert not box.list.item(0).icon().isNull() and box.list.item(0).text().startswith(row.file_name)


def test_open_and_save_as_write_the_same_bytes(open_desk, qtbot, tmp_path):
    desk = open_desk()
    cid = _customer(desk)
    scan = tmp_path / "Biên bản nghiệm thu.pdf"
    scan.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 40)
    desk.window.edit_customer(cid)
    desk.idle()
    box = desk.window.last_dialog.attachments
    box.ask_open_paths = lambda: [str(scan)]
    qtbot.mouseClick(box.add_button, Qt.MouseButton.LeftButton)
    _wait_rows(desk, qtbot, box, 1)
    box.list.setCurrentRow(0)
    opened = []
    box.open_url = opened.append
    qtbot.mouseClick(box.open_button, Qt.MouseButton.LeftButton)
    desk.idle()
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    opened_path = opened[0].toLocalFile()
    assert opened_path.endswith("Biên bản nghiệm thu.pdf") and open(opened_path, "rb").read() == scan.read_bytes()
    target = tmp_path / "copy.pdf"
    box.ask_save_path = lambda name: str(target) if name == "Biên bản nghiệm thu.pdf" else ""
    qtbot.mouseClick(box.save_button, Qt.MouseButton.LeftButton)
    desk.idle()
    qtbot.waitUntil(lambda: target.exists(), timeout=5000)
    assert target.read_bytes() == scan.read_bytes()
    assert str(target) in box.status.text()


def test_a_file_over_the_limit_is_refused_with_the_message_in_the_users_language(open_desk, qtbot, tmp_path,
                                                                                 monkeypatch, vietnamese):
    monkeypatch.setattr(AttachmentsBox, "limit_mb", AttachmentsBox.limit_mb)  # put back after the test
    Settings(attachment_limit_mb=1).save(tmp_path / "settings.json")  # the desk's setting
    desk = open_desk()
    cid = _customer(desk)
    log = tmp_path / "nhật ký máy chủ.log"
    log.write_bytes(b"x" * (ad.MB * 3 // 2))
    desk.window.edit_customer(cid)
    desk.idle()
    box = desk.window.last_dialog.attachments
    assert "Tối đa 1 MB mỗi tệp" in box.hint.text()
    box.ask_open_paths = lambda: [str(log)]
    qtbot.mouseClick(box.add_button, Qt.MouseButton.LeftButton)
    desk.idle()
    assert box.status.isVisible()
    assert box.status.text() == "Tệp “nhật ký máy chủ.log” nặng 1,5 MB: mỗi tệp đính kèm chỉ được tối đa 1 MB."
    vietnamese.set_language("en")
    box.ask_open_paths = lambda: [str(log)]
    qtbot.mouseClick(box.add_button, Qt.MouseButton.LeftButton)
    assert box.status.text() == "“nhật ký máy chủ.log” is 1.5 MB: attachments may be at most 1 MB each."
    assert attachments.attachments_of(desk.ctx, "customer", cid) == [] and attachments.stored_contents(desk.ctx) == 0


def _contract(desk) -> int:
    with desk.ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "GOLD", "Quản lý tiệm vàng", 6, "always", 120, 24, 48, 72, True, 45_000_000))
        uow.commit()
    desk.window.refresh_reference_data()
    return contracts.save_contract(desk.ctx, ContractDraft(customer_id=_customer(desk), package_id=pid, stage="warranty",
                                                           value_vnd=45_000_000, signed_on=date(2026, 9, 1),
                                                           accepted_on=date(2026, 10, 1)))


def test_an_identical_file_attached_twice_is_stored_once_and_a_removed_one_is_marked_not_destroyed(
        open_desk, qtbot, tmp_path):
    desk = open_desk()
    kid = _contract(desk)
    request = tmp_path / "Yêu cầu thay đổi.docx"
    request.write_bytes(b"PK\x03\x04 written change request")
    same = tmp_path / "ban sao.docx"
    same.write_bytes(request.read_bytes())
    desk.window.edit_contract(kid)
    desk.idle()
    box = desk.window.last_dialog.attachments
    box.add_paths([str(request)])
    _wait_rows(desk, qtbot, box, 1)
    box.add_paths([str(same)])
    _wait_rows(desk, qtbot, box, 2)
    assert attachments.stored_contents(desk.ctx) == 1
    box.list.setCurrentRow(0)
    asked = []
    box.confirm = lambda text: asked.append(text) or False  # "No": nothing happens
    qtbot.mouseClick(box.remove_button, Qt.MouseButton.LeftButton)
    desk.idle()
    assert "Yêu cầu thay đổi.docx" in asked[0] and box.list.count() == 2
    box.confirm = lambda text: True
    qtbot.mouseClick(box.remove_button, Qt.MouseButton.LeftButton)
    _wait_rows(desk, qtbot, box, 1)
    assert box.list.item(0).text().startswith("ban sao.docx")
    box.show_removed.setChecked(True)
    assert box.list.count() == 2 and box.list.item(0).text().startswith("Yêu cầu thay đổi.docx (removed)")
    removed = next(r for r in attachments.attachments_of(desk.ctx, "contract", kid) if r.removed)
    assert attachments.content(desk.ctx, removed.id)[1] == request.read_bytes()  # kept as evidence


def test_files_dropped_on_a_work_log_entry_are_attached_to_the_entry_it_saves(open_desk, qtbot, tmp_path):
    desk = open_desk()
    cid = _customer(desk)
    tid = tickets.create_ticket(desk.ctx, TicketDraft(customer_id=cid, subject="Máy in hoá đơn không in",
                                                      request_type="incident", channel="hotline"), None)
    window = desk.window
    window.show_view("tickets")
    desk.idle()
    page = window.pages["tickets"]
    page.reload()
    desk.idle()
    page.table.selectRow(0)
    desk.idle()
    qtbot.waitUntil(lambda: page.worklog.details is not None and page.worklog.details.id == tid, timeout=5000)
    d = page.worklog.add_entry("note")
    type_text(d.body, "Khách gửi nhật ký lỗi của máy in")
    log = tmp_path / "printer.log"
    log.write_text("E-07 paper jam\n", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(log))])
    enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    d.attachments.dragEnterEvent(enter)  # what Qt calls as the drag comes in (offscreen has no real drag)
    assert enter.isAccepted()
    d.attachments.dropEvent(QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                       Qt.KeyboardModifier.NoModifier))
    assert d.attachments.list.count() == 1
    qtbot.waitUntil(d.save_button.isEnabled, timeout=5000)
    with qtbot.waitSignal(d.saved, timeout=5000) as saved:
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    desk.idle()
    (row,) = attachments.attachments_of(desk.ctx, "ticket_event", saved.args[0])
    assert row.file_name == "printer.log" and attachments.content(desk.ctx, row.id)[1] == b"E-07 paper jam\n"
