"""Service reports: built from stored facts, staff named only by alias and code, written as
an A4 PDF with Vietnamese text, in the language chosen when printing."""

from __future__ import annotations

from desktop_helpdesk.services import catalog, contracts, tickets

import re
from datetime import date, timedelta

from PySide6.QtCore import Qt
from sqlalchemy import text

from desktop_helpdesk.domain.worklog import WorkLogDraft
from desktop_helpdesk.services import worklog as worklog_service
from desktop_helpdesk.services.dto import ListQuery
from desktop_helpdesk.ui.kit.documents import ReportDialog, write_pdf
from desktop_helpdesk.ui.contracts.acceptance import acceptance_report_html
from desktop_helpdesk.ui.tickets.visit_report import visit_report_html

from .conftest import FIXED_NOW

FULL_NAME = "Trần Thị Bích Ngọc"
PHONE = "+84987654321"
EMAIL = "ngoc.tran@saoviet.example"


def _technician(desk) -> int:
    """A technician with a personal name, phone and e-mail that must never reach a customer."""
    with desk.engine.begin() as conn:
        conn.execute(text("INSERT INTO operators (uuid, code, full_name, alias, role, phone, email, active, "
                          "created_at, updated_at, version) VALUES ('t-1', 'NV077', :n, 'KTV Ngọc', 'technician', "
                          ":p, :e, true, '2026-01-01', '2026-01-01', 1)"), {"n": FULL_NAME, "p": PHONE, "e": EMAIL})
        return conn.execute(text("SELECT id FROM operators WHERE code = 'NV077'")).scalar()


def _visit(desk, ticket_id: int, technician: int) -> int:
    at = lambda minutes: FIXED_NOW - timedelta(minutes=minutes)  # noqa: E731
    return worklog_service.add_entry(desk.ctx, ticket_id, technician, WorkLogDraft("visit", body="Khách hài lòng", details={
        "scheduled_at": at(180), "technician_id": technician, "address": "12 Lý Thường Kiệt, Hà Nội",
        "started_at": at(170), "ended_at": at(65), "outcome": "resolved",
        "work_done": "Cài lại driver máy in hoá đơn\nIn thử 5 hoá đơn"}))


def _ticket(desk):
    return tickets.list_tickets(desk.ctx, ListQuery(limit=1)).rows[0]


def test_visit_report_shows_the_technician_by_alias_and_code_never_name_phone_or_email(open_desk):
    desk = open_desk(demo=True)
    tech = _technician(desk)
    ticket = _ticket(desk)
    facts, vendor = worklog_service.visit_report(desk.ctx, _visit(desk, ticket.id, tech))
    for lang in ("vi", "en"):
        html = visit_report_html(facts, vendor, lang)
        assert "KTV Ngọc (NV077)" in html
        assert FULL_NAME not in html and PHONE not in html and "0987654321" not in html and EMAIL not in html
        assert ticket.code in html and "Cài lại driver máy in hoá đơn" in html and vendor["name"].upper() in html
    assert FULL_NAME not in repr(facts) and PHONE not in repr(facts) and EMAIL not in repr(facts)


def test_the_language_chosen_when_printing_changes_the_headings(open_desk):
    desk = open_desk(demo=True)
    tech = _technician(desk)
    facts, vendor = worklog_service.visit_report(desk.ctx, _visit(desk, _ticket(desk).id, tech))
    vi, en = visit_report_html(facts, vendor, "vi"), visit_report_html(facts, vendor, "en")
    assert "BIÊN BẢN HỖ TRỢ KỸ THUẬT TẠI CHỖ" in vi and "ĐẠI DIỆN KHÁCH HÀNG" in vi and "1 giờ 45 phút" in vi
    assert "ON-SITE SERVICE REPORT" in en and "CUSTOMER&#x27;S REPRESENTATIVE" in en and "1 hour 45 minutes" in en
    assert "ON-SITE SERVICE REPORT" not in vi


def test_a_pdf_is_written_on_a4_with_its_font_embedded(open_desk, tmp_path):
    desk = open_desk(demo=True)
    tech = _technician(desk)
    facts, vendor = worklog_service.visit_report(desk.ctx, _visit(desk, _ticket(desk).id, tech))
    path = write_pdf(visit_report_html(facts, vendor, "vi"), tmp_path / "visit.pdf", "visit")
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5_000
    boxes = {tuple(round(float(x)) for x in m.groups()) for m in re.finditer(
        rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)}
    assert boxes == {(595, 842)}  # A4 in points
    assert b"DejaVuSerif" in data and b"/FontFile2" in data  # embedded, so diacritics print anywhere


def test_acceptance_minutes_need_an_accepted_contract_and_name_the_operator_by_alias(open_desk):
    desk = open_desk(demo=True)
    contract_rows = contracts.list_contracts(desk.ctx, ListQuery(limit=500)).rows
    accepted = next(k for k in contract_rows if k.accepted_on is not None)
    operator = catalog.operators(desk.ctx)[0]
    facts, vendor = worklog_service.acceptance_report(desk.ctx, accepted.id, operator.id)
    vi, en = acceptance_report_html(facts, vendor, "vi"), acceptance_report_html(facts, vendor, "en")
    assert "BIÊN BẢN NGHIỆM THU VÀ BÀN GIAO" in vi and "ACCEPTANCE AND HANDOVER MINUTES" in en
    assert f"{operator.alias} ({operator.code})" in vi and operator.full_name not in vi + en
    assert accepted.number in en and accepted.customer_name in en
    not_accepted = next((k for k in contract_rows if k.accepted_on is None), None)
    if not_accepted is not None:
        from desktop_helpdesk.domain.contracts import LifecycleError
        import pytest

        with pytest.raises(LifecycleError):
            worklog_service.acceptance_report(desk.ctx, not_accepted.id, operator.id)


def test_the_report_window_switches_language_and_saves_a_pdf(open_desk, qtbot, tmp_path):
    desk = open_desk(demo=True)
    tech = _technician(desk)
    window = desk.window
    window.show_view("tickets")
    desk.idle()
    page = window.pages["tickets"]
    # A ticket received before the visit started (no work before a ticket comes in).
    i = next(i for i in range(page.model.rowCount())
             if page.model.row_at(i).received_at <= FIXED_NOW - timedelta(minutes=180))
    page.table.selectRow(i)
    desk.idle()
    visit = _visit(desk, page.model.row_at(i).id, tech)
    panel = page.worklog
    panel._select_id = visit  # as after saving it in the dialog
    page._entry_added(page.model.row_at(i).id)
    desk.idle()
    assert panel.current_entry().kind == "visit" and panel.report_button.isEnabled()
    qtbot.mouseClick(panel.report_button, Qt.MouseButton.LeftButton)
    desk.idle()
    dialog = panel.report_dialog
    assert isinstance(dialog, ReportDialog) and "ON-SITE SERVICE REPORT" in dialog.preview.toPlainText()
    assert dialog.windowTitle() == "Service report"
    dialog.language.setCurrentIndex(dialog.language.findData("vi"))
    assert "BIÊN BẢN HỖ TRỢ KỸ THUẬT TẠI CHỖ" in dialog.preview.toPlainText()
    out = dialog.save_pdf(str(tmp_path / "bien-ban"))
    assert out == tmp_path / "bien-ban.pdf" and out.stat().st_size > 5_000
    dialog.close()


def test_the_contract_window_offers_acceptance_minutes_once_accepted(open_desk, qtbot):
    desk = open_desk(demo=True)
    contract_rows = contracts.list_contracts(desk.ctx, ListQuery(limit=500)).rows
    accepted = next(k for k in contract_rows if k.accepted_on is not None and k.accepted_on <= date(2026, 11, 21))
    desk.window.edit_contract(accepted.id)
    desk.idle()
    panel = desk.window.last_dialog.panel
    qtbot.waitUntil(lambda: panel.file is not None and panel.acceptance_report_button.isEnabled())
    qtbot.mouseClick(panel.acceptance_report_button, Qt.MouseButton.LeftButton)
    desk.idle()
    assert "ACCEPTANCE AND HANDOVER MINUTES" in panel.report_dialog.preview.toPlainText()
    assert panel.report_dialog.windowTitle() == "Acceptance minutes"  # not "Service report"
    panel.report_dialog.close()
