"""Exporting a list: typed Excel values, CSV Excel can read, formulas neutralised, and a
failed or cancelled export never leaves a half-written file."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook

from desktop_helpdesk.services import export
from desktop_helpdesk.services.export import ExportColumn, ExportFile, export_list, neutralise


@dataclass
class Row:
    code: str
    name: str
    value_vnd: int
    signed_on: date | None
    received_at: datetime


COLUMNS = [
    ExportColumn("Mã", "text", lambda r: r.code),
    ExportColumn("Tên", "text", lambda r: r.name),
    ExportColumn("Giá trị", "money", lambda r: r.value_vnd),
    ExportColumn("Ngày ký", "date", lambda r: r.signed_on),
    ExportColumn("Tiếp nhận", "datetime", lambda r: r.received_at),
]
ROWS = [
    Row("KH001", "Công ty Đức Thành", 120_000_000, date(2026, 3, 2), datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)),
    Row("KH002", "=HYPERLINK(\"http://x\",\"bấm\")", 0, None, datetime(2026, 11, 20, 17, 30, tzinfo=timezone.utc)),
    Row("KH003", "+84 912 345 678", 5, date(2025, 1, 1), datetime(2026, 1, 1, 0, 0, tzinfo=timezone.utc)),
    Row("KH004", "@SUM(A1)", 7, None, datetime(2026, 1, 1, 0, 0, tzinfo=timezone.utc)),
    Row("KH005", "-2+3", 7, None, datetime(2026, 1, 1, 0, 0, tzinfo=timezone.utc)),
]


def test_excel_holds_real_dates_money_and_local_times(tmp_path):
    result = export_list(tmp_path / "list.xlsx", COLUMNS, ROWS, sheet_title="Khách hàng")
    assert result.rows == 5 and not result.truncated
    ws = load_workbook(tmp_path / "list.xlsx")["Khách hàng"]
    assert [c.value for c in ws[1]] == ["Mã", "Tên", "Giá trị", "Ngày ký", "Tiếp nhận"]
    first = [c.value for c in ws[2]]
    assert first[:3] == ["KH001", "Công ty Đức Thành", 120_000_000]
    assert first[3] == datetime(2026, 3, 2)  # a real date cell
    assert first[4] == datetime(2026, 11, 21, 10, 0)  # 03:00 UTC is 10:00 in Hà Nội, as the list shows it
    assert ws["C2"].number_format == export.MONEY_FORMAT and ws["D2"].number_format == export.DATE_FORMAT
    assert ws["E3"].value == datetime(2026, 11, 21, 0, 30)  # the next day in Vietnam
    assert ws["D3"].value is None
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:E6"


def test_excel_never_carries_a_formula(tmp_path):
    export_list(tmp_path / "list.xlsx", COLUMNS, ROWS)
    ws = load_workbook(tmp_path / "list.xlsx").active
    for row in range(3, 7):
        cell = ws.cell(row=row, column=2)
        assert cell.data_type == "s", cell.value
        assert cell.quotePrefix
    assert ws["B3"].value.startswith("=HYPERLINK")  # kept as text, readable
    assert ws["B2"].quotePrefix is False


def test_csv_is_utf8_with_bom_and_neutralised(tmp_path):
    export_list(tmp_path / "list.csv", COLUMNS, ROWS)
    raw = (tmp_path / "list.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel on Windows needs it for Vietnamese
    with open(tmp_path / "list.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Mã", "Tên", "Giá trị", "Ngày ký", "Tiếp nhận"]
    assert rows[1] == ["KH001", "Công ty Đức Thành", "120000000", "2026-03-02", "2026-11-21 10:00"]
    assert [r[1][0] for r in rows[2:]] == ["'", "'", "'", "'"]
    assert rows[2][1] == "'=HYPERLINK(\"http://x\",\"bấm\")"


@pytest.mark.parametrize("text, safe", [
    ("=1+1", "'=1+1"), ("+84912345678", "'+84912345678"), ("-5", "'-5"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("Đức", "Đức"), ("", ""), ("a=b", "a=b"),
])
def test_neutralise(text, safe):
    assert neutralise(text) == safe


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_failure_keeps_the_previous_file_and_leaves_no_part(tmp_path, suffix):
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / f"list{suffix}"
    target.write_bytes(b"the export of last week")

    def broken(rows):
        yield from rows[:2]
        raise RuntimeError("the database went away")

    out = ExportFile(target, COLUMNS)
    with pytest.raises(RuntimeError):
        out.write(broken(ROWS))
    assert target.read_bytes() == b"the export of last week"
    assert list(folder.iterdir()) == [target]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_abort_removes_the_partial_file(tmp_path, suffix):
    folder = tmp_path / "exports"
    folder.mkdir()
    out = ExportFile(folder / f"list{suffix}", COLUMNS)
    out.write(ROWS)
    out.abort()
    assert list(folder.iterdir()) == []


def test_excel_stops_at_its_row_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 4)  # header + 3 rows
    result = export_list(tmp_path / "list.xlsx", COLUMNS, ROWS)
    assert (result.rows, result.truncated) == (3, True)
    assert load_workbook(tmp_path / "list.xlsx").active.max_row == 4
    # CSV has no such limit
    assert export_list(tmp_path / "list.csv", COLUMNS, ROWS).rows == 5


def test_sheet_names_follow_excel_rules(tmp_path):
    export_list(tmp_path / "a.xlsx", COLUMNS, ROWS, sheet_title="Phiếu hỗ trợ: đang mở / quá hạn [tuần này] rất dài")
    name = load_workbook(tmp_path / "a.xlsx").active.title
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
