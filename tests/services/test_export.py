"""Exporting a list: typed Excel values, CSV Excel can read, formulas neutralised, and a
failed or cancelled export never leaves a half-written file."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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
    ("x;=cmd|' /C calc'!A0", "x;'=cmd|' /C calc'!A0"), ("x,=cmd|' /C calc'!A0", "x,'=cmd|' /C calc'!A0"),
    ("Giảm giá; -5%", "Giảm giá;' -5%"), (" =1+1", "' =1+1"), ("Hà Nội, Việt Nam", "Hà Nội, Việt Nam"),
    ("a\x00b", "a\ufffdb"), ("- bước 1\n- bước 2", "'- bước 1\n'- bước 2"),
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


# -- the same file opened with either list separator ----------------------------------

INJECTIONS = [
    "x;=cmd|' /C calc'!A0", "x,=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0", "a;b,=1+1", "Tên; +84 912",
    "hello,@SUM(1+1)*cmd|' /C calc'!A0", "q;\t=1", "ghi chú,\r\n-2+3", 'say "hi";=2+2', "x ;  =1",
    '"=1+1', "ok,; @x", "ghi chú\n=cmd|' /C calc'!A0", "a,b\r\n\r+1", "dòng 1\r\n  @x;y",
]


def _formula_cells(raw: str, written: str, read: str) -> list[str]:
    """The cells a reader splitting on `read` would evaluate as formulas: Excel, which honours
    the quotes (so a separator or a line break inside a cell never splits it), and a reader
    that splits on separators without honouring quotes (each cell's text cut at `read`)."""
    bad = []
    for row in csv.reader(raw.splitlines(keepends=True), delimiter=read):  # Excel
        bad += [cell for cell in row if cell.lstrip(" \n").startswith(export.FORMULA_STARTS)]
    for row in csv.reader(raw.splitlines(keepends=True), delimiter=written):
        for cell in row:
            for piece in cell.split(read):  # quotes ignored: the cell falls apart at `read`
                if piece.lstrip(' \n"').startswith(export.FORMULA_STARTS):
                    bad.append(piece)
    return bad


@pytest.mark.parametrize("written", [",", ";"])
@pytest.mark.parametrize("read", [",", ";"])
def test_no_cell_becomes_a_formula_whichever_separator_the_reader_splits_on(tmp_path, written, read):
    rows = [Row(f"KH{i:03d}", text, 0, None, datetime(2026, 1, 1, tzinfo=timezone.utc)) for i, text in enumerate(INJECTIONS)]
    export_list(tmp_path / "list.csv", COLUMNS, rows, separator=written)
    raw = (tmp_path / "list.csv").read_text(encoding="utf-8-sig")
    assert _formula_cells(raw, written, read) == []


@pytest.mark.parametrize("separator", [",", ";"])
def test_csv_opens_in_columns_with_the_chosen_separator(tmp_path, separator):
    export_list(tmp_path / "list.csv", COLUMNS, ROWS, separator=separator)
    raw = (tmp_path / "list.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == separator.join(f'"{t}"' for t in ["Mã", "Tên", "Giá trị", "Ngày ký", "Tiếp nhận"])
    rows = list(csv.reader(text.splitlines(), delimiter=separator))
    assert rows[1] == ["KH001", "Công ty Đức Thành", "120000000", "2026-03-02", "2026-11-21 10:00"]
    assert all(len(r) == 5 for r in rows)


def test_an_unknown_separator_is_refused(tmp_path):
    with pytest.raises(ValueError):
        ExportFile(tmp_path / "list.csv", COLUMNS, separator="|")
    assert list(tmp_path.glob("list.csv*")) == []


# -- every control character ----------------------------------------------------------

CONTROLS = [chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_the_export_survives_every_control_character(tmp_path, suffix):
    """Text stored before the input rules (or read from another program) may carry any
    control character: the whole list is still exported, each character shown as U+FFFD
    (tab, line feed and carriage return kept: Excel holds them in a cell)."""
    rows = [Row(f"KH{c:04X}", f"Lỗi{ch}in =hóa đơn", c, None, datetime(2026, 1, 1, tzinfo=timezone.utc))
            for c, ch in ((ord(ch), ch) for ch in CONTROLS)]
    rows.append(Row("KH\x07", "\x01=HYPERLINK(\"http://x\")", 1, None, datetime(2026, 1, 1, tzinfo=timezone.utc)))
    columns = [ExportColumn("Mã\x1b", "text", lambda r: r.code), *COLUMNS[1:]]
    result = export_list(tmp_path / f"list{suffix}", columns, rows, sheet_title="Phiếu\x00")
    assert result.rows == len(CONTROLS) + 1
    if suffix == ".xlsx":
        ws = load_workbook(tmp_path / "list.xlsx").active
        names = [ws.cell(row=r, column=2).value for r in range(2, ws.max_row + 1)]
        assert ws.cell(row=1, column=1).value == "Mã\ufffd" and ws.title == "Phiếu"
        assert ws.cell(row=ws.max_row, column=2).data_type == "s"  # "\x01=…" is still no formula
    else:
        with open(tmp_path / "list.csv", encoding="utf-8-sig", newline="") as f:
            table = list(csv.reader(f))
        names = [r[1] for r in table[1:]]
    assert len(names) == len(CONTROLS) + 1
    for ch, name in zip(CONTROLS, names):
        if ch in "\t\n\r":
            assert name == f"Lỗi{ch}in =hóa đơn" or (ch == "\r" and name == "Lỗi\nin =hóa đơn"), repr(name)
        else:
            assert name == "Lỗi\ufffdin =hóa đơn", (hex(ord(ch)), name)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="=+-@\t\r\n,; \"'aĐ\x00\x1f\x85", max_size=12), min_size=1, max_size=4),
       st.sampled_from(export.SEPARATORS), st.sampled_from(export.SEPARATORS))
def test_no_text_at_all_becomes_a_formula(tmp_path_factory, texts, written, read):
    """Any mix of formula starts, separators, quotes, line breaks and control characters."""
    path = tmp_path_factory.mktemp("csv") / "list.csv"
    rows = [Row("KH", text, 0, None, datetime(2026, 1, 1, tzinfo=timezone.utc)) for text in texts]
    export_list(path, COLUMNS, rows, separator=written)
    assert _formula_cells(path.read_text(encoding="utf-8-sig"), written, read) == []
