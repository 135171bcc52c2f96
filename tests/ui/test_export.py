"""Ctrl+E exports the list in view as the user sees it: the columns shown, in their order,
the filter applied, every row; Cancel and failures leave no file behind."""

from __future__ import annotations

import csv

from desktop_helpdesk.services import customers, tickets

from datetime import datetime

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from desktop_helpdesk.services import export as export_module
from desktop_helpdesk.services.dto import ListQuery


def _all_tickets(ctx, **filters):
    rows, cursor = [], None
    while True:
        page = tickets.list_tickets(ctx, ListQuery(sort="received_at", descending=True, after=cursor, limit=500,
                                              filters=filters))
        rows += page.rows
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


def test_ctrl_e_exports_the_filtered_list_with_its_shown_columns(open_desk, vietnamese, qtbot, tmp_path, monkeypatch):
    desk = open_desk(demo=True)
    w = desk.window
    w.show_view("tickets")
    desk.idle()
    page = w.pages["tickets"]
    header = page.table.horizontalHeader()
    header.hideSection(page.model.columns.index(next(c for c in page.model.columns if c.title == "Channel")))
    header.moveSection(header.visualIndex(1), 0)  # "Received" first
    target = tmp_path / "phieu.xlsx"
    asked = []

    def save_dialog(parent, caption, start, filters):
        asked.append((caption, start))
        return str(target.with_suffix("")), filters.split(";;")[0]  # no suffix typed: Excel chosen

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
    with qtbot.waitSignal(w.exporter.finished, timeout=20_000) as done:
        qtbot.keyClick(w, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert asked and asked[0][0] == "Xuất danh sách"
    assert asked[0][1].endswith(".xlsx") and "Phiếu yêu cầu" in asked[0][1]
    assert done.args[0].path == target

    expected = _all_tickets(desk.ctx, state="open")
    ws = load_workbook(target).active
    titles = [c.value for c in ws[1]]
    assert titles[:3] == ["Ngày tiếp nhận", "Mã", "Thời gian còn lại"]
    assert "Kênh tiếp nhận" not in titles and len(titles) == len(page.model.columns) - 1
    assert ws.max_row == len(expected) + 1  # every open ticket, not just the loaded page
    codes = [ws.cell(row=r, column=2).value for r in range(2, ws.max_row + 1)]
    assert codes == [t.code for t in expected]
    assert all(isinstance(ws.cell(row=r, column=1).value, datetime) for r in range(2, ws.max_row + 1))
    time_left = [ws.cell(row=r, column=3).value or "" for r in range(2, ws.max_row + 1)]
    assert any("còn" in t or "quá hạn" in t for t in time_left)
    assert str(tmp_path) == desk.settings.export_dir  # the next export starts there
    assert w.statusBar().currentMessage().startswith(f"Đã xuất {len(expected)} dòng")


def test_export_follows_the_filter_text(open_desk, vietnamese, qtbot, tmp_path):
    desk = open_desk(demo=True)
    w = desk.window
    w.show_view("customers")
    desk.idle()
    page = w.pages["customers"]
    page.filter.setText("cong ty")
    qtbot.waitUntil(lambda: page.model.current_query().text == "cong ty", timeout=5000)
    desk.idle()
    target = tmp_path / "khach.csv"
    with qtbot.waitSignal(w.exporter.finished, timeout=20_000) as done:
        w.exporter.export(page, target)
    expected = customers.list_customers(desk.ctx, ListQuery(text="cong ty", sort="name", limit=1000)).rows
    assert 0 < done.args[0].rows == len(expected) < 48
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    # In Vietnamese the CSV is split by ";", as Excel set to Vietnamese reads it
    assert lines[0].startswith('"Mã";"Tên";"Chế độ hỗ trợ";')
    assert all("Công ty" in line or "CÔNG TY" in line.upper() for line in lines[1:])


@pytest.mark.parametrize("lang, first_csv, separator", [
    ("vi", "CSV phân cách bằng dấu chấm phẩy, cho Excel tiếng Việt (*.csv)", ";"),
    ("en", "CSV with commas, for Excel in English (*.csv)", ","),
])
def test_the_save_dialog_offers_the_csv_separator_excel_reads_in_the_users_language(
        open_desk, translator, qtbot, tmp_path, monkeypatch, lang, first_csv, separator):
    from desktop_helpdesk.ui.kit.qt_i18n import LanguageSwitcher
    from PySide6.QtWidgets import QApplication

    switcher = LanguageSwitcher(QApplication.instance(), translator)
    switcher.set_language(lang)
    try:
        desk = open_desk(demo=True)
        w = desk.window
        w.show_view("customers")
        desk.idle()
        offered = []

        def save_dialog(parent, caption, start, filters, chosen_index=1):
            offered.append(filters.split(";;"))
            return str(tmp_path / "khach"), filters.split(";;")[chosen_index]  # the first CSV kind

        monkeypatch.setattr(QFileDialog, "getSaveFileName", save_dialog)
        with qtbot.waitSignal(w.exporter.finished, timeout=20_000) as done:
            qtbot.keyClick(w, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        assert offered[0][1] == first_csv and len(offered[0]) == 3
        assert done.args[0].path == tmp_path / "khach.csv"
        text = (tmp_path / "khach.csv").read_text(encoding="utf-8-sig")
        rows = list(csv.reader(text.splitlines(), delimiter=separator))
        assert len(rows) == done.args[0].rows + 1 and len({len(r) for r in rows}) == 1 and len(rows[0]) > 3
        assert desk.settings.csv_separator == separator  # offered first next time

        w.exporter.last_message.close()  # "Exported … rows" (window-modal)
        # the other kind, chosen once, comes first from then on
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            lambda parent, caption, start, filters: save_dialog(parent, caption, start, filters, 2))
        with qtbot.waitSignal(w.exporter.finished, timeout=20_000):
            w.export_current()  # File → Export…
        other = ";" if separator == "," else ","
        assert desk.settings.csv_separator == other
        assert (tmp_path / "khach.csv").read_text(encoding="utf-8-sig").splitlines()[0].count(f'"{other}"') > 2
    finally:
        switcher.set_language("en")


def test_cancel_leaves_no_file(open_desk, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(export_module, "PAGE_SIZE", 10)
    desk = open_desk(demo=True)
    w = desk.window
    page = w.pages["tickets"]
    page.state.setCurrentIndex(2)  # all tickets: 160, 16 pages
    desk.idle()
    w.exporter.export(page, tmp_path / "all.xlsx")
    w.exporter.cancel()
    qtbot.waitUntil(lambda: not w.exporter.running, timeout=20_000)
    desk.idle()
    assert list(tmp_path.glob("all.xlsx*")) == []


@pytest.mark.allow_log_errors
def test_a_folder_that_cannot_be_written_gives_a_clear_message(open_desk, vietnamese, qtbot, tmp_path):
    desk = open_desk(demo=True)
    w = desk.window
    with qtbot.waitSignal(w.exporter.failed, timeout=20_000) as failed:
        w.exporter.export(w.pages["contracts"], tmp_path / "missing-folder" / "hop-dong.xlsx")
    assert "Không ghi được hop-dong.xlsx" in failed.args[0]
    assert w.exporter.last_message.text() == failed.args[0]
    assert not w.exporter.running
