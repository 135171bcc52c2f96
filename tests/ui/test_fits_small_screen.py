"""The service report window (820×900 asked) and the contract window fit the screen they open
on, a 1366×768 laptop or smaller (issue #16): their fields scroll, their buttons stay on screen."""

from __future__ import annotations

from desktop_helpdesk.services import contracts, customers

from datetime import date

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QScrollArea

from desktop_helpdesk.services.dto import ContractDraft, CustomerDraft, PackageData
from desktop_helpdesk.ui.kit.documents import open_report


def _on_screen(widget, window) -> bool:
    """Whether `widget` lies wholly inside `window`, and `window` inside its screen's free room."""
    room = window.screen().availableGeometry()
    top_left = widget.mapTo(window, QPoint(0, 0))
    inside = QRect(top_left, widget.size())
    return (window.width() <= room.width() and window.height() <= room.height()
            and QRect(QPoint(0, 0), window.size()).contains(inside))


def test_the_service_report_window_is_never_taller_than_the_screen(open_desk, qtbot):
    desk = open_desk()
    room = desk.window.screen().availableGeometry()
    assert room.height() < 900  # the window asks for more than there is
    dialog = open_report(desk.window, lambda lang: "<h1>BIÊN BẢN</h1>" + "<p>…</p>" * 200, "YC26-000001-VR")
    qtbot.waitUntil(dialog.isVisible)
    for button in (dialog.save_button, dialog.print_button, dialog.close_button):
        assert button.isVisible() and _on_screen(button, dialog), button.text()
    assert dialog.preview.verticalScrollBar().maximum() > 0  # the document scrolls, not the window
    dialog.close()


def test_the_contract_window_fits_and_its_lifecycle_buttons_are_reached_by_scrolling(open_desk, qtbot):
    desk = open_desk()
    with desk.ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "GOLD", "Quản lý tiệm vàng", 6, "always", 120, 24, 48, 72, True,
                                           45_000_000))
        uow.commit()
    cid = customers.save_customer(desk.ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))
    kid = contracts.save_contract(desk.ctx, ContractDraft(customer_id=cid, package_id=pid, value_vnd=45_000_000,
                                                          request_received_on=date(2026, 9, 1)))
    desk.window.refresh_reference_data()
    desk.idle()
    desk.window.edit_contract(kid)
    desk.idle()
    d = desk.window.last_dialog
    qtbot.waitUntil(lambda: d.panel.file is not None, timeout=5000)
    assert _on_screen(d.save_button, d) and _on_screen(d.cancel_button, d)
    scroll = d.findChild(QScrollArea)
    for button in (d.panel.move_button, d.panel.renew_button, d.panel.acceptance_report_button):
        scroll.ensureWidgetVisible(button)
        top_left = button.mapTo(scroll.viewport(), QPoint(0, 0))
        assert scroll.viewport().rect().contains(QRect(top_left, button.size())), button.text()
