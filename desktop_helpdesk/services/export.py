"""Exporting a list to CSV or Excel: the columns shown, the filter applied, every row.

Values keep their type in Excel: dates and times are Excel dates (in Vietnam time, which is
what the lists show), money is a number formatted in đồng, counts are numbers; so a support
lead can sort, sum and pivot the file. Text that starts with `=`, `+`, `-` or `@` (or a tab
or carriage return, which spreadsheets also read as the start of a formula) is neutralised:
in Excel it is stored as a string with a quote prefix, in CSV it gets a leading `'`, so an
exported customer name can never run as a formula on the reader's machine.

A CSV file is read with the reader's list separator, which is not always the one it was
written with: Excel in Vietnamese splits on ";", in English on ",". So every CSV field is
quoted (a quoted separator never splits a cell in Excel), and a separator of either kind or
a line break followed by a formula start inside a text gets the same `'` after it
(`x;'=cmd…`): read with the other separator the quotes pair up differently and a line break
inside a cell may end the row, and a reader may split on separators without honouring quotes;
none of them finds a piece that starts a formula. (A multi-line cell's line that starts with
"-" reads "'-" in the CSV file; the Excel file keeps it as typed.) The separator is the caller's choice (";" for Excel set to Vietnamese); the file is
UTF-8 with a BOM, which Excel needs to read Vietnamese.

Control characters (U+0000–U+001F but tab, line feed and carriage return; U+007F–U+009F)
cannot be stored in an Excel file (openpyxl refuses the whole export) and are invisible
anyway: the stored rules refuse them, and text that still carries one (typed before those
rules, or read from another program's data) is written with U+FFFD in its place, in both
formats, so the export never fails on it and the reader sees that something was there.

The file is written next to its destination and moved into place when complete: a failure
or a cancel leaves no half-written file and never damages the previous one.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Literal, Sequence

from ..i18n.formatting import DISPLAY_ZONE
from .dto import ListQuery, Page

Kind = Literal["text", "number", "money", "date", "datetime"]

#: What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The CSV list separators a reader may split on: "," (Excel in English) and ";" (Excel in
#: Vietnamese and most of Europe, where "," is the decimal mark).
SEPARATORS = (",", ";")
#: A separator followed by a formula start (white space or quotes between or not: read with
#: the other separator, a quote there opens and at once closes a quoted part), as a reader
#: splitting on that separator would see it at the start of a cell; the apostrophe goes right
#: after the separator, so the cell starts with it even for a reader that keeps the spaces.
_SPLIT_FORMULA = re.compile(r"([,;])(?=[ \t\r\n\"]*[=+\-@\t\r])")
#: A line break followed by a formula start: read with the other separator, the quotes of a
#: CSV file pair up differently, and a line break inside a cell may end the row, so the next
#: line starts a cell.
_LINE_FORMULA = re.compile(r"(\r\n|\r|\n)(?=[ \"]*[=+\-@\t\r])")
#: Leading characters a reader may drop before it looks for a formula: spaces, line breaks,
#: and the quotes of a reader that strips them wherever they stand.
_LEADING = ' \n"'

#: What Excel cannot hold, or shows as nothing: C0 controls but tab, LF and CR; DEL; C1.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
REPLACEMENT = "\ufffd"
#: Excel's row limit, the header row included.
XLSX_MAX_ROWS = 1_048_576
#: Rows read and written per worker job: other database jobs (a list page, a save) wait at
#: most one such job behind an export (about 0.3 s with the ticket list's columns).
PAGE_SIZE = 500

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
MONEY_FORMAT = '#,##0 "₫"'


@dataclass(frozen=True)
class ExportColumn:
    """A column of the file: its (translated) title, the type of its values, and how to
    read a row's value."""

    title: str
    kind: Kind
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int
    #: Rows left out because Excel holds no more (CSV never truncates).
    truncated: bool = False


def is_formula_like(text: str) -> bool:
    """A spreadsheet would read ``text`` as a formula: it starts with a formula start, also
    after leading spaces or line breaks (some readers trim them)."""
    return bool(text) and (text.startswith(FORMULA_STARTS) or text.lstrip(_LEADING).startswith(FORMULA_STARTS))


def printable(text: str) -> str:
    """``text`` with every control character Excel cannot hold replaced by U+FFFD."""
    return _CONTROL.sub(REPLACEMENT, text)


def neutralise(text: str) -> str:
    """A text cell safe for CSV whichever separator the reader splits on: control characters
    replaced, a leading apostrophe on a formula-like text, and one after a separator that a
    formula start follows (see the module's notes)."""
    text = _LINE_FORMULA.sub(r"\1'", _SPLIT_FORMULA.sub(r"\1'", printable(text)))
    return "'" + text if is_formula_like(text) else text


def typed_value(kind: Kind, value: Any) -> Any:
    """The value as a spreadsheet should hold it: local naive date-times, ints for money."""
    if value is None or value == "":
        return None
    if kind == "datetime" and isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(DISPLAY_ZONE)
        return value.replace(tzinfo=None, microsecond=0)
    if kind == "date" and isinstance(value, datetime):
        return value.date()
    if kind in ("money", "number") and isinstance(value, (int, float)):
        return value
    if kind in ("date", "datetime") and isinstance(value, date):
        return value
    return str(value)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)
    return neutralise(str(value))


def read_page(fetch: Callable[[ListQuery], Page], query: ListQuery, after: tuple | None,
              page_size: int | None = None) -> Page:
    """One page of the list as it is shown, after the keyset cursor `after`."""
    return fetch(ListQuery(text=query.text, sort=query.sort, descending=query.descending, after=after,
                           limit=page_size or PAGE_SIZE, filters=dict(query.filters)))


class ExportFile:
    """A file being written: rows go in a page at a time (so the database worker can run
    other jobs between pages); `commit()` moves it into place, `abort()` removes it."""

    def __init__(self, path: str | os.PathLike, columns: Sequence[ExportColumn], sheet_title: str = "Export",
                 separator: str = ","):
        if separator not in SEPARATORS:
            raise ValueError(f"CSV separator must be one of {SEPARATORS}, not {separator!r}")
        self.separator = separator
        self.path = Path(path)
        self.part = self.path.with_name(self.path.name + ".part")
        self.columns = list(columns)
        self.rows = 0
        self.truncated = False
        self._xlsx = self.path.suffix.lower() == ".xlsx"
        self._closed = False
        try:
            if self._xlsx:
                self._open_xlsx(sheet_title)
            else:
                self._open_csv()
        except BaseException:
            self.abort()
            raise

    @property
    def full(self) -> bool:
        """Excel holds no more rows."""
        return self.truncated

    def write(self, rows: Iterable[Any]) -> None:
        try:
            for row in rows:
                values = [typed_value(c.kind, c.value(row)) for c in self.columns]
                if self._xlsx:
                    if self.rows >= XLSX_MAX_ROWS - 1:
                        self.truncated = True
                        return
                    self._ws.append(self._xlsx_row(values))
                else:
                    self._csv.writerow([_csv_cell(v) for v in values])
                self.rows += 1
        except BaseException:
            self.abort()
            raise

    def commit(self) -> ExportResult:
        try:
            if self._xlsx:
                from openpyxl.utils import get_column_letter

                self._ws.auto_filter.ref = f"A1:{get_column_letter(max(len(self.columns), 1))}{self.rows + 1}"
                self._wb.save(self.part)
            else:
                self._file.close()
            self._closed = True
            os.replace(self.part, self.path)
        except BaseException:
            self.abort()
            raise
        return ExportResult(self.path, self.rows, self.truncated)

    def abort(self) -> None:
        """Give up: the partial file goes, an earlier file of that name stays as it was."""
        if not self._closed:
            self._closed = True
            f = getattr(self, "_file", None)
            if f is not None:
                f.close()
            ws = getattr(self, "_ws", None)
            if ws is not None:  # finish and remove openpyxl's own temporary file
                try:
                    ws.close()
                    ws._writer.cleanup()
                except Exception:  # already half-closed by the failure: nothing to keep
                    pass
        self.part.unlink(missing_ok=True)

    # -- CSV ---------------------------------------------------------------------------
    def _open_csv(self) -> None:
        # utf-8-sig: Excel on Windows reads Vietnamese correctly only with the BOM.
        self._file = open(self.part, "w", encoding="utf-8-sig", newline="")
        # Every field quoted: a separator inside a text never splits its cell, whichever
        # separator the reader uses.
        self._csv = csv.writer(self._file, delimiter=self.separator, quoting=csv.QUOTE_ALL)
        self._csv.writerow([neutralise(c.title) for c in self.columns])

    # -- Excel -------------------------------------------------------------------------
    def _open_xlsx(self, sheet_title: str) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        self._wb = Workbook(write_only=True)
        self._ws = ws = self._wb.create_sheet(_sheet_name(sheet_title))
        ws.freeze_panes = "A2"
        widths = {"date": 12, "datetime": 17, "money": 16, "number": 10}
        for i, c in enumerate(self.columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = max(widths.get(c.kind, 24), min(len(c.title) + 2, 40))
        header = [self._text_cell(c.title) for c in self.columns]
        for cell in header:
            cell.font = Font(bold=True)
        ws.append(header)
        self._formats = [{"date": DATE_FORMAT, "datetime": DATETIME_FORMAT, "money": MONEY_FORMAT}.get(c.kind)
                         for c in self.columns]

    def _text_cell(self, text: str):
        from openpyxl.cell import WriteOnlyCell

        text = printable(text)  # openpyxl refuses the whole file for one control character
        cell = WriteOnlyCell(self._ws, value=text)
        cell.data_type = "s"  # openpyxl would write "=…" as a formula
        if is_formula_like(text):
            cell.quotePrefix = True
        return cell

    def _xlsx_row(self, values: list) -> list:
        from openpyxl.cell import WriteOnlyCell

        out = []
        for value, fmt in zip(values, self._formats):
            if isinstance(value, str):
                out.append(self._text_cell(value))
            elif fmt is not None and value is not None:
                cell = WriteOnlyCell(self._ws, value=value)
                cell.number_format = fmt
                out.append(cell)
            else:
                out.append(value)
        return out


def export_list(path: str | os.PathLike, columns: Sequence[ExportColumn], rows: Iterable[Any],
                sheet_title: str = "Export", separator: str = ",") -> ExportResult:
    """Write `rows` to `path` in one go (.xlsx → Excel, anything else → CSV with `separator`)."""
    out = ExportFile(path, columns, sheet_title, separator)
    out.write(rows)
    return out.commit()


def _sheet_name(title: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(ch for ch in _CONTROL.sub("", title) if ch not in "[]:*?/\\").strip() or "Export"
    return cleaned[:31]
