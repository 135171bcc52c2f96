"""Import a firm's customers, contacts, contracts and payments from Excel (.xlsx) or CSV.

Three steps, each safe to stop after:

1. `inspect_file(path)`: the file's sheets, the kind of records each holds and how its
   columns map to fields (guessed from the headers; the UI lets the person correct it).
2. `plan_import(ctx, path, sheets)`: every row read with the forms' rules, matched against
   the file itself and the database. Each row is new, already there (skipped: re-importing
   a file adds nothing twice) or wrong (its errors, in the user's language at display time).
   Nothing is written.
3. `apply_import(ctx, plan)`: the new rows, in chunks that each commit, under one import
   batch; progress and Cancel between chunks. `write_rejections` writes the wrong rows, with
   their errors, to a file to correct and import again. `undo_import` removes a batch's
   records while nothing else refers to them.

The file is read again in step 2 (not kept in memory between steps), and a chunk checks its
customers once more when it writes them: one typed in by a colleague meanwhile is not added
twice.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import unicodedata
from uuid import uuid4
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterator

from ..domain import importing as d
from ..domain.enums import ContractStage
from ..domain.contracts import warranty_end
from ..domain.importing import RecordKind
from ..domain.text import fold, normalize
from ..domain.validation import N_, ValidationError
from .changes import CONTRACTS, CUSTOMERS, OBLIGATIONS, changes
from .context import Context
from .contracts import derive_obligations, record_payment
from .customers import MSG_NEW_WORK_ARCHIVED, clean_customer
from .dto import ContactData, ContractDraft, CustomerDraft, NewEvent, PaymentData
from .errors import ValidationFailed
from .progress import Cancelled, Progress, report

log = logging.getLogger(__name__)

#: Rows written per transaction (each commits; Cancel stops between them). On SQLite a chunk
#: holds the write lock while it is written: 2,000 customers take about a second, which a
#: colleague's save may wait (bigger chunks write a little faster, benchmarks/README.md).
CHUNK = 2000
#: Rows read and checked at a time (their look-ups in the database are one query per kind of key).
PLAN_BLOCK = 5000
#: More rows than any customer list: a file beyond it is refused before reading it all.
MAX_ROWS = 1_000_000
#: A code of the form the counter hands out to new customers (services: take_codes, "KH" and 5 digits).
_COUNTER_CODE = re.compile(r"KH\d{5,}")


class ImportFileError(Exception):
    """The file cannot be read as an import: `reason` is one of the codes below."""

    NOT_FOUND = "not_found"
    LOCKED = "locked"  # open in Excel (which locks it on Windows), or no permission
    UNREADABLE = "unreadable"  # not an .xlsx or a text file: corrupt, or another format
    NO_SHEET = "no_sheet"  # no sheet whose headers name customers, contacts, contracts or payments
    TOO_MANY_ROWS = "too_many_rows"

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


FILE_MESSAGES = {
    ImportFileError.NOT_FOUND: N_("The file was not found. It may have been moved or renamed."),
    ImportFileError.LOCKED: N_("The file cannot be opened: it is open in another program (Excel?). "
                               "Close it there and try again."),
    ImportFileError.UNREADABLE: N_("The file cannot be read as an Excel workbook (.xlsx) or a CSV file. "
                                   "Save it from Excel as .xlsx or CSV and try again."),
    ImportFileError.NO_SHEET: N_("No sheet of this file has the columns of customers, contacts, contracts or "
                                 "payments. Use the template, or choose what each column holds."),
    ImportFileError.TOO_MANY_ROWS: N_("The file has more than a million rows: split it into smaller files."),
}

#: What a row is, in the preview.
NEW, EXISTS, ERROR = "new", "exists", "error"


@dataclass(frozen=True)
class SheetInfo:
    """One sheet of the file (a CSV file is one sheet): what it holds and how its columns map."""

    name: str
    headers: tuple[str, ...]
    kind: RecordKind | None
    mapping: tuple  # the field of each column (None: ignored)
    rows: int  # data rows, as the file says (a blank row counts)

    @property
    def missing(self) -> tuple[str, ...]:
        return d.missing_required(self.kind, self.mapping) if self.kind else ()

    @property
    def usable(self) -> bool:
        return self.kind is not None and not self.missing


@dataclass(frozen=True)
class RowResult:
    """One row of the preview."""

    sheet: str
    kind: RecordKind
    number: int
    status: str  # NEW, EXISTS or ERROR
    label: str  # what the row is about: a customer's name, a contract's number…
    errors: tuple[ValidationError, ...] = ()
    existing: str = ""  # the record it already is (a code or number), for EXISTS


@dataclass
class ImportPlan:
    """What an import would do: a result per row, and what to write for the new ones."""

    path: Path
    sheets: tuple[SheetInfo, ...]
    results: list[RowResult] = field(default_factory=list)
    # (sheet, row number) -> what to write; for rows that are NEW only.
    payloads: dict[tuple[str, int], Any] = field(default_factory=dict)
    # (sheet, row number) -> the cells as read, for rows that are ERROR (the rejection file).
    rejected_cells: dict[tuple[str, int], tuple] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return self.path.name

    @cached_property
    def typed_codes(self) -> set[str]:
        """The codes the file gives its new customers (the others get the counter's)."""
        return {self.payloads[(r.sheet, r.number)].code for r in self.results
                if r.status == NEW and r.kind is RecordKind.CUSTOMERS and self.payloads[(r.sheet, r.number)].code}

    def count(self, status: str, kind: RecordKind | None = None) -> int:
        return sum(1 for r in self.results if r.status == status and (kind is None or r.kind is kind))


@dataclass(frozen=True)
class ImportDone:
    batch_id: int | None  # None: nothing was new, no batch was made
    added: dict  # RecordKind -> rows added
    skipped: int  # already there (found when planning, or by a chunk as it wrote)
    rejected: int  # rows with errors, not imported
    cancelled: bool = False


class UndoRefused(Exception):
    """The batch's records are referred to, or were changed, since it was imported."""

    def __init__(self, blockers):
        super().__init__(str(blockers))
        self.blockers = blockers


MSG_ERRORS_HEADER = N_("Errors")
MSG_UNDO_TICKETS = N_("Tickets logged on records of this import: {count}.")
MSG_UNDO_OTHERS = N_("Other records (contracts, payments, contacts typed in, merges) that refer to records of this "
                     "import: {count}.")
MSG_UNDO_EDITED = N_("Records of this import changed since: {count}.")
MSG_UNDO_DONE_ALREADY = N_("This import was already undone.")


# -- reading files ----------------------------------------------------------------------

def _open_error(path: Path, exc: OSError) -> ImportFileError:
    if isinstance(exc, FileNotFoundError):
        return ImportFileError(ImportFileError.NOT_FOUND)
    if isinstance(exc, PermissionError):
        return ImportFileError(ImportFileError.LOCKED)
    return ImportFileError(ImportFileError.UNREADABLE, type(exc).__name__)


def _is_xlsx(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError as exc:
        raise _open_error(path, exc) from exc


def _decode(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"),
    else the Vietnamese Windows code page 1258 (which may write a tone as a combining mark:
    NFC makes it one letter again)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1258")
            except UnicodeDecodeError:
                text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ImportFileError(ImportFileError.UNREADABLE, "binary")
    return unicodedata.normalize("NFC", text)


def _delimiter(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _csv_rows(path: Path) -> list[tuple]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _open_error(path, exc) from exc
    text = _decode(data)
    first = text.split("\n", 1)[0]
    try:
        return [tuple(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))]
    except csv.Error as exc:
        raise ImportFileError(ImportFileError.UNREADABLE, "csv") from exc


def _workbook(path: Path):
    """The workbook opened for reading with calamine (Rust): 100,000 rows in about a second
    and a half, where openpyxl's read-only mode takes twenty (benchmarks/README.md, Import)."""
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - a corrupt zip, a bad XML part, a password: not readable
        raise ImportFileError(ImportFileError.UNREADABLE, type(exc).__name__) from exc


def _trim(cells: tuple) -> tuple:
    end = len(cells)
    while end and (cells[end - 1] is None or (isinstance(cells[end - 1], str) and not cells[end - 1].strip())):
        end -= 1
    return cells[:end]


def _sheets(path: Path) -> Iterator[tuple[str, Iterator[tuple], int]]:
    """(sheet name, its rows from the header on, rows as the file says) of each sheet."""
    if not _is_xlsx(path):
        rows = _csv_rows(path)
        yield path.stem, iter(rows), max(len(rows) - 1, 0)
        return
    book = _workbook(path)
    try:
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            yield name, sheet.iter_rows(), max(sheet.height - 1, 0)
    finally:
        book.close()


def _header(rows: Iterator[tuple]) -> tuple[str, ...]:
    for cells in rows:
        cells = _trim(tuple(cells))
        if cells:
            return tuple(d.cell_text(c).strip() for c in cells)
    return ()


def inspect_file(path: str | os.PathLike) -> tuple[SheetInfo, ...]:
    """The file's sheets with the kind and column mapping guessed from their headers.
    Raises ImportFileError."""
    path = Path(path)
    out = []
    try:
        for name, rows, total in _sheets(path):
            headers = _header(rows)
            if not headers:
                continue
            kind = d.guess_kind(name, list(headers))
            mapping = d.guess_mapping(kind, list(headers)) if kind else tuple(None for _ in headers)
            if total > MAX_ROWS:
                raise ImportFileError(ImportFileError.TOO_MANY_ROWS)
            out.append(SheetInfo(name, headers, kind, mapping, total))
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl meets a broken part while reading
        raise ImportFileError(ImportFileError.UNREADABLE, type(exc).__name__) from exc
    if not any(s.usable for s in out):
        raise ImportFileError(ImportFileError.NO_SHEET)
    return tuple(out)


def with_mapping(sheet: SheetInfo, kind: RecordKind | None, mapping: tuple | None = None) -> SheetInfo:
    """The sheet as the person mapped it (a kind chosen by hand: its columns guessed again)."""
    if mapping is None:
        mapping = d.guess_mapping(kind, list(sheet.headers)) if kind else tuple(None for _ in sheet.headers)
    return replace(sheet, kind=kind, mapping=tuple(mapping))


def _data_rows(path: Path, sheets: tuple[SheetInfo, ...], loaded: dict | None = None,
               ) -> Iterator[tuple[SheetInfo, int, tuple]]:
    """(sheet, row number, cells) of every non-blank data row of the usable sheets, the
    sheets in the order of their kinds (customers first), read as they are used: the file's
    cells are never all in memory at once. `loaded`: sheets already read from the file, by
    name (_counter_codes_typed's), each used once instead of reading it again."""
    usable = sorted((s for s in sheets if s.usable), key=lambda s: d.KIND_ORDER.index(s.kind))
    if not usable:
        return
    book = None if not _is_xlsx(path) else _workbook(path)
    try:
        for sheet in usable:
            if book is None:
                rows = iter(_csv_rows(path))
            else:
                rows = ((loaded or {}).pop(sheet.name, None) or book.get_sheet_by_name(sheet.name)).iter_rows()
            number = 0
            header_seen = False
            for cells in rows:
                number += 1
                cells = _trim(tuple(cells))
                if not header_seen:
                    header_seen = bool(cells)
                    continue
                if number > MAX_ROWS + 1:
                    raise ImportFileError(ImportFileError.TOO_MANY_ROWS)
                if cells:
                    yield sheet, number, cells
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - a part of the workbook that cannot be read
        raise ImportFileError(ImportFileError.UNREADABLE, type(exc).__name__) from exc
    finally:
        if book is not None:
            book.close()


# -- planning ---------------------------------------------------------------------------

@dataclass
class _Target:
    """The record a contact, contract or payment row belongs to: one in the database
    (`id`), or one a row of this file adds (`row`: (sheet, number))."""

    id: int | None = None
    row: tuple[str, int] | None = None
    label: str = ""
    archived: bool = False  # an archived customer (not merged): no new work on it


def _target_of(c) -> _Target:
    """A customer of the database as rows name it: a merged duplicate stands for the
    customer that stays (its contacts and contracts are there); an archived one takes no new
    work, as in the forms (services.customers.refuse_archived)."""
    return _Target(id=c.merged_into_id or c.id, label=c.code, archived=c.archived and not c.merged_into_id)


class _Planner:
    def __init__(self, ctx: Context, plan: ImportPlan):
        self.ctx = ctx
        self.plan = plan
        self.seen: dict[str, int] = {}  # identity key -> row number (within the file, per kind)
        # customer code / tax code (upper) -> target, for rows that name a customer
        self.customer_refs: dict[str, _Target] = {}
        self.bad_customer_refs: dict[str, int] = {}  # code/tax code of a customer row with errors -> its row
        self.contract_refs: dict[str, _Target] = {}
        self.bad_contract_refs: dict[str, int] = {}
        # The batch being written while the file is still read (import_now): its records are
        # not "in the database" for the rows that follow, which see it as it was before.
        self.not_batch: int | None = None

    def add(self, sheet: SheetInfo, number: int, status: str, label: str, errors=(), existing: str = "",
            payload=None, cells: tuple = ()) -> None:
        self.plan.results.append(RowResult(sheet.name, sheet.kind, number, status, label, tuple(errors), existing))
        if status == NEW:
            self.plan.payloads[(sheet.name, number)] = payload
        elif status == ERROR:
            self.plan.rejected_cells[(sheet.name, number)] = cells

    def duplicate(self, kind: RecordKind, keys) -> int | None:
        return self.duplicate_by(kind, keys)[0]

    def claim(self, kind: RecordKind, keys, number: int, field_name: str) -> ValidationError | None:
        """None, and the keys are row `number`'s from now on; or the error that an earlier
        row of the file has one of them."""
        same_row = self.duplicate(kind, keys)
        if same_row is not None:
            return _same_as_row(field_name, same_row)
        self.remember(kind, keys, number)
        return None

    def duplicate_by(self, kind: RecordKind, keys) -> tuple[int | None, str]:
        """(the earlier row of the file with one of `keys`, that key), or (None, "")."""
        for key in keys:
            row = self.seen.get(f"{kind.value}|{key}")
            if row is not None:
                return row, key
        return None, ""

    def remember(self, kind: RecordKind, keys, number: int) -> None:
        for key in keys:
            self.seen.setdefault(f"{kind.value}|{key}", number)


def _raw_label(sheet: SheetInfo, row, key: str, limit: int = 80) -> str:
    """What the row says in its `key` column, as typed (its value was refused), shortened."""
    if key not in sheet.mapping:
        return ""
    index = sheet.mapping.index(key)
    text = " ".join(d.cell_text(row.raw[index]).split()) if index < len(row.raw) else ""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _same_as_row(field_name: str, row: int) -> ValidationError:
    return ValidationError(field_name, "same_as_row", d.MSG_SAME_AS_ROW, (("row", row),))


def _field_of(error_field: str) -> str:
    """A customer form's field name as the import's column ("contacts[0].phone" -> contact_phone)."""
    if error_field.startswith("contacts["):
        return "contact_" + error_field.split(".", 1)[1].replace("full_name", "name")
    return error_field


def plan_import(ctx: Context, path: str | os.PathLike, sheets: tuple[SheetInfo, ...],
                progress: Progress | None = None) -> ImportPlan:
    """Read every row of the usable sheets and say what importing it would do. Writes nothing.
    Raises ImportFileError; `progress` may raise Cancelled."""
    plan = ImportPlan(Path(path), tuple(sheets))
    for _results in _planned_blocks(ctx, plan, _Planner(ctx, plan), progress):
        pass
    plan.results.sort(key=lambda r: (d.KIND_ORDER.index(r.kind), r.sheet, r.number))
    return plan


def _planned_blocks(ctx: Context, plan: ImportPlan, planner: _Planner, progress: Progress | None = None,
                    loaded: dict | None = None) -> Iterator[list[RowResult]]:
    """Read and check the file's rows a block at a time (PLAN_BLOCK rows of one kind, their
    look-ups one query per kind of key), adding to `plan`; yields each block's results."""
    total = sum(s.rows for s in plan.sheets if s.usable)  # as the file says: blank rows included
    report(progress, 0, total)
    done = 0
    block: list = []
    seen: dict = {}  # kind -> the cells read so far (d.read_row)

    def check(block) -> list[RowResult]:
        kind = block[0][0].kind
        cells_seen = seen.setdefault(kind, {})
        parsed = [(sheet, d.read_row(kind, sheet.mapping, cells, number, cells_seen))
                  for sheet, number, cells in block]
        start = len(plan.results)
        with ctx.uow() as uow:
            _PLANNERS[kind](planner, uow, parsed)
        return plan.results[start:]

    for sheet, number, cells in _data_rows(plan.path, plan.sheets, loaded):
        if block and (len(block) >= PLAN_BLOCK or block[0][0].kind is not sheet.kind):
            yield check(block)
            done += len(block)
            report(progress, min(done, total), total)
            block = []
        block.append((sheet, number, cells))
    if block:
        yield check(block)
    report(progress, total, total)


def _customer_draft(values: dict) -> CustomerDraft:
    contacts = ()
    if values.get("contact_name"):
        contacts = (ContactData(None, values["contact_name"], values.get("contact_position", ""),
                                values.get("contact_phone", ""), values.get("contact_email", ""), True),)
    return CustomerDraft(
        name=values.get("name", ""), kind=values.get("kind") or "company", code=values.get("code", "").upper(),
        tax_code=values.get("tax_code", ""), address=values.get("address", ""), province=values.get("province", ""),
        phone=values.get("phone", ""), email=values.get("email", ""), notes=values.get("notes", ""),
        contacts=contacts)


def _plan_customers(p: _Planner, uow, parsed) -> None:
    drafts = {}
    for sheet, row in parsed:
        if row.ok:
            try:
                drafts[row.number, sheet.name] = clean_customer(_customer_draft(row.values))
            except ValidationFailed as exc:
                row.errors += [replace(e, field=_field_of(e.field)) for e in exc.errors]
    good = list(drafts.values())
    existing = uow.imports.customers_matching([x.code for x in good if x.code], [x.tax_code for x in good if x.tax_code],
                                              [x.phone for x in good if x.phone],
                                              [x.name for x in good if not (x.code or x.tax_code or x.phone)],
                                              not_batch=p.not_batch)
    # A merged duplicate keeps its tax code and phone: the customer that stays wins (last in).
    existing.sort(key=lambda c: not c.archived)
    by_code = {c.code.upper(): c for c in existing}
    by_tax = {c.tax_code: c for c in existing if c.tax_code}
    by_name_phone = {(fold(c.name), c.phone): c for c in existing if c.phone}
    by_name = {fold(c.name): c for c in existing}
    for sheet, row in parsed:
        label = row.values.get("name", "") or _raw_label(sheet, row, "name")
        refs = [x for x in (str(row.values.get("code", "")).upper(), row.values.get("tax_code", "")) if x]
        if not row.ok:
            for ref in refs:
                p.bad_customer_refs.setdefault(ref, row.number)
            p.add(sheet, row.number, ERROR, label, row.errors, cells=row.raw)
            continue
        draft = drafts[row.number, sheet.name]
        keys = d.customer_keys({"code": draft.code, "tax_code": draft.tax_code, "name": draft.name,
                                "phone": draft.phone})
        same_row, key = p.duplicate_by(RecordKind.CUSTOMERS, keys)
        if same_row is not None:  # said at the column that makes it the same customer
            at = {"code": "code", "tax": "tax_code"}.get(key.split(":", 1)[0], "name")
            error = _same_as_row(at, same_row)
            p.add(sheet, row.number, ERROR, label, [error], cells=row.raw)
            continue
        found = (by_code.get(draft.code) if draft.code else None)
        if found is not None and fold(found.name) != fold(draft.name) and not (
                found.tax_code and found.tax_code == draft.tax_code):  # another name, and no tax code says it is the same
            error = ValidationError("code", "code_of_another", d.MSG_CODE_OF_ANOTHER,
                                    (("code", found.code), ("name", found.name)))
            p.add(sheet, row.number, ERROR, label, [error], cells=row.raw)
            p.bad_customer_refs.setdefault(draft.code, row.number)
            continue
        p.remember(RecordKind.CUSTOMERS, keys, row.number)
        found = found or (by_tax.get(draft.tax_code) if draft.tax_code else None) or (
            by_name_phone.get((fold(draft.name), draft.phone)) if draft.phone else None) or (
            by_name.get(fold(draft.name)) if not (draft.code or draft.tax_code or draft.phone) else None)
        if found is not None:
            target = _target_of(found)
            p.add(sheet, row.number, EXISTS, label, existing=found.code)
        else:
            target = _Target(row=(sheet.name, row.number), label=draft.code or draft.name)
            p.add(sheet, row.number, NEW, label, payload=replace(draft, uuid=str(uuid4())))
        for ref in refs:
            p.customer_refs.setdefault(ref, target)


def _resolve_customers(p: _Planner, uow, refs: list[str]) -> None:
    """Look up in the database the customers named by code or tax code not seen in the file."""
    unknown = sorted({r for r in refs if r and r not in p.customer_refs and r not in p.bad_customer_refs})
    if not unknown:
        return
    for c in sorted(uow.imports.customers_matching(unknown, unknown, [], not_batch=p.not_batch),
                    key=lambda c: c.archived):  # active first
        for ref in (c.code.upper(), c.tax_code):
            if ref:
                p.customer_refs.setdefault(ref, _target_of(c))


def _referred(refs: dict, bad_refs: dict, ref: str, field_name: str, code: str,
              message: str) -> tuple[_Target | None, ValidationError | None]:
    """The record a row names by `ref` (a customer's code or tax code, a contract's number),
    or why not: the row of this file that would have added it has an error, or none has."""
    target = refs.get(ref)
    if target is not None:
        return target, None
    if ref in bad_refs:
        return None, ValidationError(field_name, "depends_on_error", d.MSG_NOT_IMPORTED_BEFORE,
                                     (("row", bad_refs[ref]),))
    return None, ValidationError(field_name, code, message, (("ref", ref),))


def _customer_of(p: _Planner, ref: str, field_name: str) -> tuple[_Target | None, ValidationError | None]:
    target, error = _referred(p.customer_refs, p.bad_customer_refs, (ref or "").upper(), field_name,
                              "unknown_customer", d.MSG_UNKNOWN_CUSTOMER)
    if target is not None and target.archived:
        return None, ValidationError(field_name, "archived", MSG_NEW_WORK_ARCHIVED, (("code", target.label),))
    return target, error


def _plan_contacts(p: _Planner, uow, parsed) -> None:
    for _sheet, row in parsed:
        row.values["customer"] = str(row.values.get("customer", "")).upper()
    _resolve_customers(p, uow, [row.values["customer"] for _s, row in parsed if row.ok])
    in_db = uow.imports.contacts_of([t.id for _s, row in parsed if row.ok
                                     and (t := p.customer_refs.get(row.values["customer"])) and t.id], p.not_batch)
    known = {(k.customer_id, fold(k.full_name), k.phone) for k in in_db}
    for sheet, row in parsed:
        label = row.values.get("full_name", "") or _raw_label(sheet, row, "full_name")
        if not row.ok:
            p.add(sheet, row.number, ERROR, label, row.errors, cells=row.raw)
            continue
        target, error = _customer_of(p, row.values["customer"], "customer")
        if error is not None:
            p.add(sheet, row.number, ERROR, label, [error], cells=row.raw)
            continue
        phone = row.values.get("phone", "")
        error = p.claim(RecordKind.CONTACTS, [f"{target.id or target.row}|{fold(label)}|{phone}"], row.number,
                        "full_name")
        if error is not None:
            p.add(sheet, row.number, ERROR, label, [error], cells=row.raw)
            continue
        if target.id is not None and (target.id, fold(label), phone) in known:
            p.add(sheet, row.number, EXISTS, label, existing=target.label)
            continue
        contact = ContactData(None, label, row.values.get("position", ""), phone, row.values.get("email", ""))
        p.add(sheet, row.number, NEW, label, payload=(target, contact))


def _stage(values: dict) -> str:
    if values.get("accepted_on"):
        return ContractStage.ACCEPTED.value
    if values.get("signed_on"):
        return ContractStage.SIGNED.value
    return ContractStage.REQUEST_RECEIVED.value


def _plan_contracts(p: _Planner, uow, parsed) -> None:
    packages = {fold(k.name): k for k in uow.packages.all(include_retired=True)}
    for _sheet, row in parsed:
        row.values["customer"] = str(row.values.get("customer", "")).upper()
        row.values["number"] = normalize(str(row.values.get("number", ""))).upper()
    _resolve_customers(p, uow, [row.values["customer"] for _s, row in parsed if row.ok])
    numbers = [row.values["number"] for _s, row in parsed if row.ok and row.values["number"]]
    customer_ids = [t.id for _s, row in parsed if row.ok and (t := p.customer_refs.get(row.values["customer"]))
                    and t.id]
    existing = uow.imports.contracts_matching(numbers, customer_ids, p.not_batch)
    by_number = {k.number.upper(): k for k in existing}
    by_identity = {(k.customer_id, k.package_id, k.signed_on, k.value_vnd): k for k in existing}
    for sheet, row in parsed:
        values = row.values
        label = values.get("number") or values.get("package", "") or _raw_label(sheet, row, "number")
        if not row.ok:
            if values.get("number"):
                p.bad_contract_refs.setdefault(values["number"], row.number)
            p.add(sheet, row.number, ERROR, label, row.errors, cells=row.raw)
            continue
        errors = []
        target, error = _customer_of(p, values["customer"], "customer")
        if error is not None:
            errors.append(error)
        package = packages.get(fold(values.get("package", "")))
        if package is None:
            errors.append(ValidationError("package", "unknown_package", d.MSG_UNKNOWN_PACKAGE,
                                          (("name", values.get("package", "")),)))
        elif not package.active:
            errors.append(ValidationError("package", "retired", d.MSG_RETIRED_PACKAGE, (("name", package.name),)))
        number = values["number"]
        keys = [f"number:{number}"] if number else []
        if target is not None and package is not None:
            keys.append(f"{target.id or target.row}|{package.id}|{values.get('signed_on')}|{values.get('value') or 0}")
        same_row = p.duplicate(RecordKind.CONTRACTS, keys) if not errors else None
        if same_row is not None:
            errors.append(_same_as_row("number", same_row))
        found = by_number.get(number) if number else None
        if found is not None and target is not None and found.customer_id != target.id:
            errors.append(ValidationError("number", "number_of_another", d.MSG_NUMBER_OF_ANOTHER,
                                          (("number", number),)))
        if errors:
            if number:
                p.bad_contract_refs.setdefault(number, row.number)
            p.add(sheet, row.number, ERROR, label, errors, cells=row.raw)
            continue
        p.remember(RecordKind.CONTRACTS, keys, row.number)
        if found is None and target.id is not None and not number:
            found = by_identity.get((target.id, package.id, values.get("signed_on"), values.get("value") or 0))
        if found is not None:
            p.add(sheet, row.number, EXISTS, label, existing=found.number)
            if number:
                p.contract_refs.setdefault(number, _Target(id=found.id, label=found.number))
            continue
        draft = ContractDraft(customer_id=0, package_id=package.id, number=number, stage=_stage(values),
                              value_vnd=values.get("value") or 0, signed_on=values.get("signed_on"),
                              accepted_on=values.get("accepted_on"), maintenance_end=values.get("maintenance_end"),
                              notes=values.get("notes", ""), uuid=str(uuid4()))
        if draft.stage != ContractStage.REQUEST_RECEIVED.value:
            draft = replace(draft, request_received_on=draft.signed_on or draft.accepted_on)
        year = (draft.signed_on or draft.request_received_on or p.ctx.today()).year  # of a number to give
        p.add(sheet, row.number, NEW, label, payload=(target, draft, package.warranty_months, year))
        if number:
            p.contract_refs.setdefault(number, _Target(row=(sheet.name, row.number), label=number))


def _plan_payments(p: _Planner, uow, parsed) -> None:
    for _sheet, row in parsed:
        row.values["contract"] = normalize(str(row.values.get("contract", ""))).upper()
    unknown = sorted({row.values["contract"] for _s, row in parsed if row.ok
                      and row.values["contract"] not in p.contract_refs
                      and row.values["contract"] not in p.bad_contract_refs})
    for k in uow.imports.contracts_matching(unknown, [], p.not_batch) if unknown else ():
        p.contract_refs.setdefault(k.number.upper(), _Target(id=k.id, label=k.number))
    in_db = uow.imports.payments_of([t.id for _s, row in parsed if row.ok
                                     and (t := p.contract_refs.get(row.values["contract"])) and t.id], p.not_batch)
    known = {(x.contract_id, x.paid_on, x.amount_vnd, x.invoice_number) for x in in_db}
    for sheet, row in parsed:
        values = row.values
        label = values.get("contract", "") or _raw_label(sheet, row, "contract")
        if not row.ok:
            p.add(sheet, row.number, ERROR, label, row.errors, cells=row.raw)
            continue
        target, error = _referred(p.contract_refs, p.bad_contract_refs, values["contract"], "contract",
                                  "unknown_contract", d.MSG_UNKNOWN_CONTRACT)
        if error is not None:
            p.add(sheet, row.number, ERROR, label, [error], cells=row.raw)
            continue
        invoice = values.get("invoice_number", "")
        key = f"{target.id or target.row}|{values['paid_on']}|{values['amount']}|{invoice}"
        error = p.claim(RecordKind.PAYMENTS, [key], row.number, "amount")
        if error is not None:
            p.add(sheet, row.number, ERROR, label, [error], cells=row.raw)
            continue
        if target.id is not None and (target.id, values["paid_on"], values["amount"], invoice) in known:
            p.add(sheet, row.number, EXISTS, label, existing=target.label)
            continue
        payment = PaymentData(None, values["paid_on"], values["amount"], values.get("method") or "bank_transfer",
                              invoice, uuid=str(uuid4()))
        p.add(sheet, row.number, NEW, label, payload=(target, payment))


_PLANNERS = {
    RecordKind.CUSTOMERS: _plan_customers,
    RecordKind.CONTACTS: _plan_contacts,
    RecordKind.CONTRACTS: _plan_contracts,
    RecordKind.PAYMENTS: _plan_payments,
}


# -- writing ----------------------------------------------------------------------------

@changes(CUSTOMERS, CONTRACTS, OBLIGATIONS)
def apply_import(ctx: Context, plan: ImportPlan, progress: Progress | None = None,
                 operator_id: int | None = None, chunk: int = CHUNK) -> ImportDone:
    """Write the plan's new rows under one new batch, in chunks that each commit, in order.
    `progress` may raise Cancelled between chunks: what was written stays, as the batch
    (which can be undone), and the result says `cancelled`. (On the team server the
    customers' chunks are written two at a time: _ChunkWriter.)"""
    new = [r for r in plan.results if r.status == NEW]
    total = len(new)
    if not new:  # nothing to add: no empty batch in the history
        return ImportDone(None, {kind: 0 for kind in d.KIND_ORDER}, plan.count(EXISTS), plan.count(ERROR))
    with ctx.uow() as uow:
        batch_id = uow.imports.new_batch(plan.file_name)
        uow.commit()
    writer = _ChunkWriter(ctx, plan, batch_id, operator_id, progress=progress, total=total)
    cancelled = False
    try:
        report(progress, 0, total)
        for kind in d.KIND_ORDER:
            rows = [r for r in new if r.kind is kind]
            for start in range(0, len(rows), chunk):
                writer.submit(rows[start:start + chunk])
        writer.finish()
    except Cancelled:
        cancelled = True
    finally:
        writer.close()
    return ImportDone(batch_id, writer.added, writer.skipped + plan.count(EXISTS), plan.count(ERROR), cancelled)


class _ChunkWriter:
    """Writes chunks of new rows, each in its own transaction, committed in the order they
    are given; reports each one written to `progress` (which may raise Cancelled).

    On the team server the customers' chunks are written two at a time, each on its own
    connection: the server indexes one chunk while the client sends the next (a backend
    uses one core; the client mostly waits for it). A chunk waits for its turn to commit
    (the one before it committed and reported, Cancel not asked) and is rolled back when it
    does not get it: what is written, and where Cancel or a failure stops it, is as if they
    were written one by one. Codes for such chunks are taken beforehand, each chunk's in a
    short transaction of its own (the counter's row lock would otherwise make each chunk
    wait for the one before to commit); a chunk rolled back leaves its codes unused. The
    other kinds refer to rows written before them: their chunks are written one at a time."""

    def __init__(self, ctx: Context, plan: ImportPlan, batch_id: int, operator_id, progress: Progress | None = None,
                 total: int = 0):
        from concurrent.futures import ThreadPoolExecutor
        from threading import Event

        self.ctx, self.plan, self.batch_id, self.operator_id = ctx, plan, batch_id, operator_id
        self.progress, self.total = progress, total
        with ctx.uow() as uow:
            self.writers = uow.imports.writers()
        self.ids: dict[tuple[str, int], int] = {}  # (sheet, row) -> id of the record it added (or found)
        self.added = {kind: 0 for kind in d.KIND_ORDER}
        self.skipped = 0  # found by a chunk as it wrote (added meanwhile by someone else)
        self.done = 0
        self.flying: list = []  # (future, its turn to commit, part), oldest first
        self.stop = Event()
        self._event = Event
        self.pool = ThreadPoolExecutor(max_workers=self.writers, thread_name_prefix="import-writer")

    def submit(self, part: list[RowResult]) -> None:
        """Write `part` (rows of one kind) once there is room; returns when it is under way."""
        kind = part[0].kind
        together = self.writers if kind is RecordKind.CUSTOMERS else 1
        while self.flying and (len(self.flying) >= together or self.flying[-1][2][0].kind is not kind):
            self._finish_oldest()
        codes = None
        if together > 1:
            drafts = [self.plan.payloads[(r.sheet, r.number)] for r in part]
            with self.ctx.uow() as uow:
                codes = _codes_for(uow, drafts, self.plan.typed_codes)
                uow.commit()
        turn = self._event()
        if not self.flying:
            turn.set()
        self.flying.append((self.pool.submit(self._write, part, codes, turn), turn, part))

    def _write(self, part, codes, turn):
        kind = part[0].kind
        with self.ctx.uow() as uow:
            if kind is RecordKind.CUSTOMERS:
                counts, found = _write_customers(uow, self.batch_id, self.plan, part, self.ids, self.operator_id,
                                                 codes)
            else:
                counts, found = _WRITERS[kind](uow, self.batch_id, self.plan, part, self.ids, self.operator_id)
            turn.wait()
            if self.stop.is_set():
                return None  # rolled back: an earlier chunk failed, or Cancel came after it
            uow.imports.count_in_batch(self.batch_id, **{k.value: n for k, n in counts.items()})
            uow.commit()
        return counts, found

    def _finish_oldest(self) -> None:
        future, _turn, part = self.flying[0]
        counts, found = future.result()  # the chunk's error, if it failed (the later ones roll back)
        self.flying.pop(0)
        for k, n in counts.items():
            self.added[k] += n
        self.skipped += found
        self.done += len(part)
        report(self.progress, self.done, self.total)  # may raise Cancelled: the later chunks roll back
        if self.flying:
            self.flying[0][1].set()  # the next chunk's turn to commit

    def finish(self) -> None:
        """Wait for every chunk to be written (raises the first failed one's error)."""
        while self.flying:
            self._finish_oldest()

    def close(self) -> None:
        """Roll back the chunks still under way (after a failure or Cancel); end the threads."""
        self.stop.set()
        for _future, turn, _part in self.flying:
            turn.set()
        self.pool.shutdown(wait=True)


@changes(CUSTOMERS, CONTRACTS, OBLIGATIONS)
def import_now(ctx: Context, path: str | os.PathLike, sheets: tuple[SheetInfo, ...], operator_id: int | None = None,
               planned: Callable[[ImportPlan], None] | None = None,
               overlap: bool | None = None) -> tuple[ImportPlan, ImportDone]:
    """plan_import then apply_import with no preview between them (the command line), the
    new rows of each block written (by the _ChunkWriter of apply_import, on threads of its
    own) while the next block is read and checked: the database indexes one block while the
    client checks the next.

    The result is the same as plan_import then apply_import: the rows that follow see the
    database as it was before the import (the batch's records are left out of their
    look-ups); a file that cannot be read to the end leaves nothing (what was written is
    removed, batch and all); a chunk that fails stops the import with what was written
    before it kept as the batch. One case reads the whole file first, as plan_import does:
    a customer row that types a code of the counter's form (KH00042), which the counter
    must not hand to an earlier row (`ImportPlan.typed_codes`). `planned` is called with
    the plan once every row is checked (the writing may still go on).

    `overlap` None: only on the team server, where the server does the writing's work.
    On SQLite the writing is this process's own, under the interpreter's lock as the
    checking is: the two in turn on two threads were no faster (100,000 rows, load 2.3: 54.8 s
    against 50.5 s one after the other, and 431 MB at the peak against 364 MB)."""
    from concurrent.futures import ThreadPoolExecutor

    path = Path(path)
    if overlap is None:
        with ctx.uow() as uow:
            overlap = uow.imports.writers() > 1
    loaded: dict = {}  # the sheets _counter_codes_typed read, for the planning to use
    if not overlap or _counter_codes_typed(path, sheets, loaded):
        loaded.clear()
        plan = plan_import(ctx, path, sheets)
        if planned is not None:
            planned(plan)
        return plan, apply_import(ctx, plan, operator_id=operator_id)
    plan = ImportPlan(path, tuple(sheets))
    plan.__dict__["typed_codes"] = set()  # none can be the counter's: nothing to pass over
    planner = _Planner(ctx, plan)
    batch_id: int | None = None
    writer: _ChunkWriter | None = None
    failed = []  # a chunk failed: nothing more is handed to the writer

    def post(fn, *args):
        if failed:
            return
        try:
            fn(*args)
        except BaseException:
            failed.append(True)
            raise

    # The chunks are handed to the writer on a thread of their own (it waits when it has
    # as many under way as it writes at once): reading and checking never waits for it.
    dispatcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-dispatch")
    posted: list = []
    try:
        try:
            for results in _planned_blocks(ctx, plan, planner, loaded=loaded):
                if failed:
                    break  # its error is raised below; what was written before it stays, as the batch
                new = [r for r in results if r.status == NEW]
                if new and writer is None:
                    with ctx.uow() as uow:
                        batch_id = uow.imports.new_batch(plan.file_name)
                        uow.commit()
                    planner.not_batch = batch_id
                    writer = _ChunkWriter(ctx, plan, batch_id, operator_id)
                for start in range(0, len(new), CHUNK):
                    posted.append(dispatcher.submit(post, writer.submit, new[start:start + CHUNK]))
        except BaseException:  # the file could not be read to the end (or Ctrl+C): nothing stays
            failed.append(True)
            dispatcher.shutdown(wait=True, cancel_futures=True)
            if writer is not None:
                writer.close()
                try:
                    with ctx.uow() as uow:
                        uow.imports.discard_batch(batch_id)
                        uow.commit()
                except Exception:  # noqa: BLE001 - the file's error is the one to tell; the batch stays, to undo
                    log.warning("import: the rows written before the file failed could not be removed (batch %s)",
                                batch_id, exc_info=True)
            raise
        if not failed:  # every row checked (the last chunks may still be writing)
            plan.results.sort(key=lambda r: (d.KIND_ORDER.index(r.kind), r.sheet, r.number))
            if planned is not None:
                planned(plan)
        if writer is not None:
            posted.append(dispatcher.submit(post, writer.finish))
        for future in posted:
            future.result()  # the failed chunk's error
    finally:
        dispatcher.shutdown(wait=True, cancel_futures=True)
        if writer is not None:
            writer.close()  # after a failure: the chunks under way roll back
    if writer is None:
        return plan, ImportDone(None, {kind: 0 for kind in d.KIND_ORDER}, plan.count(EXISTS), plan.count(ERROR))
    return plan, ImportDone(batch_id, writer.added, writer.skipped + plan.count(EXISTS), plan.count(ERROR))


def _counter_codes_typed(path: Path, sheets: tuple[SheetInfo, ...], loaded: dict) -> bool:
    """Whether a customer row of the file types a code the counter could hand out. The
    sheets it reads are left in `loaded` for _data_rows (reading a sheet of 100,000 rows
    from the file takes 1.6 s; going through its codes 0.3 s)."""
    customers = tuple(s for s in sheets if s.usable and s.kind is RecordKind.CUSTOMERS and "code" in s.mapping)
    if not customers:
        return False
    if not _is_xlsx(path):
        rows = ((sheet, cells) for sheet, _number, cells in _data_rows(path, customers))
    else:
        book = _workbook(path)
        try:
            for sheet in customers:
                loaded[sheet.name] = book.get_sheet_by_name(sheet.name)
        except Exception as exc:  # noqa: BLE001 - a part of the workbook that cannot be read
            raise ImportFileError(ImportFileError.UNREADABLE, type(exc).__name__) from exc
        finally:
            book.close()
        rows = ((sheet, cells) for sheet in customers for cells in loaded[sheet.name].iter_rows())
    for sheet, cells in rows:  # the header too: it is no code of the counter's
        index = sheet.mapping.index("code")
        value = cells[index] if index < len(cells) else None
        if isinstance(value, str) and value:
            text = normalize(value).upper()
            if text.startswith("KH") and _COUNTER_CODE.fullmatch(text):
                return True
    return False


def _id_of(target: _Target, ids: dict) -> int | None:
    return target.id if target.id is not None else ids.get(target.row)


def _write_customers(uow, batch_id: int, plan: ImportPlan, part: list[RowResult], ids: dict, _operator,
                     codes: list[str] | None = None) -> tuple[dict, int]:
    """`codes`: taken beforehand for the drafts without one, in order ("" for the others);
    None: taken here from the counter."""
    drafts = [plan.payloads[(r.sheet, r.number)] for r in part]
    # Added by someone (or by an earlier import of this file) since the plan was made: found, not added twice.
    existing = uow.imports.customers_matching([x.code for x in drafts if x.code],
                                              [x.tax_code for x in drafts if x.tax_code], [])
    existing.sort(key=lambda c: not c.archived)  # the customer that stays wins over a merged duplicate
    by_code = {c.code.upper(): c.merged_into_id or c.id for c in existing}
    by_tax = {c.tax_code: c.merged_into_id or c.id for c in existing if c.tax_code}
    fresh, rows, found = [], [], 0
    for i, (r, draft) in enumerate(zip(part, drafts)):
        known = (by_code.get(draft.code) if draft.code else None) or (
            by_tax.get(draft.tax_code) if draft.tax_code else None)
        if known is not None:
            ids[(r.sheet, r.number)] = known
            found += 1
        else:
            fresh.append(draft if codes is None or draft.code else replace(draft, code=codes[i]))
            rows.append(r)
    if codes is None:
        fresh = [x if x.code else replace(x, code=code)
                 for x, code in zip(fresh, _codes_for(uow, fresh, plan.typed_codes))]
    for r, new_id in zip(rows, uow.imports.add_customers(batch_id, fresh)):
        ids[(r.sheet, r.number)] = new_id
    # A new customer's contact person (on its row) comes with it.
    return {RecordKind.CUSTOMERS: len(fresh), RecordKind.CONTACTS: sum(len(x.contacts) for x in fresh)}, found


def _codes_for(uow, drafts: list[CustomerDraft], typed: set[str]) -> list[str]:
    """A code for each draft without one ("" for the others): the counter's next free codes,
    passing over the codes the file types for its customers (a later chunk's are not in the
    table yet, so the counter would hand them out: that chunk's insert would then fail)."""
    wanted = sum(1 for x in drafts if not x.code)
    free: list[str] = []
    while len(free) < wanted:
        free += [c for c in uow.imports.take_customer_codes(wanted - len(free)) if c not in typed]
    given = iter(free)
    return ["" if x.code else next(given) for x in drafts]


def _write_contacts(uow, batch_id: int, plan: ImportPlan, part: list[RowResult], ids: dict, _operator) -> tuple[dict, int]:
    pairs = []
    for r in part:
        target, contact = plan.payloads[(r.sheet, r.number)]
        pairs.append((_id_of(target, ids), contact))
    n = uow.imports.add_contacts(batch_id, pairs)
    uow.imports.refresh_customer_search([customer_id for customer_id, _c in pairs])
    return {RecordKind.CONTACTS: n}, 0


def _write_contracts(uow, batch_id: int, plan: ImportPlan, part: list[RowResult], ids: dict, operator_id) -> tuple[dict, int]:
    added = []
    for r in part:
        target, draft, months, year = plan.payloads[(r.sheet, r.number)]
        draft = replace(draft, customer_id=_id_of(target, ids))
        if not draft.number:
            draft = replace(draft, number=uow.contracts.next_number(year))
        contract_id = uow.contracts.add(draft, warranty_end(draft.accepted_on, months))
        uow.contracts.append_event(contract_id, operator_id, NewEvent("imported", new_value=draft.stage,
                                                                      body=plan.file_name))
        derive_obligations(uow, contract_id)
        ids[(r.sheet, r.number)] = contract_id
        added.append(contract_id)
    uow.imports.tag("contracts", added, batch_id)
    return {RecordKind.CONTRACTS: len(added)}, 0


def _write_payments(uow, batch_id: int, plan: ImportPlan, part: list[RowResult], ids: dict, operator_id) -> tuple[dict, int]:
    added = []
    for r in part:
        target, payment = plan.payloads[(r.sheet, r.number)]
        contract_id = _id_of(target, ids)
        added.append(record_payment(uow, contract_id, payment, operator_id))
    uow.imports.tag("payments", added, batch_id)
    return {RecordKind.PAYMENTS: len(added)}, 0


_WRITERS = {
    RecordKind.CUSTOMERS: _write_customers,
    RecordKind.CONTACTS: _write_contacts,
    RecordKind.CONTRACTS: _write_contracts,
    RecordKind.PAYMENTS: _write_payments,
}


# -- the rejection file and the template -------------------------------------------------

def write_rejections(plan: ImportPlan, path: str | os.PathLike, translate=lambda s: s) -> int:
    """Write the rows with errors, each sheet with its own headers and a last column of the
    row's errors (in the user's language), to an .xlsx file to correct and import again (the
    error column is ignored then). Returns the number of rows written."""
    from openpyxl import Workbook

    from .export import printable

    bad = [r for r in plan.results if r.status == ERROR]
    book = Workbook(write_only=True)
    for sheet in plan.sheets:
        rows = [r for r in bad if r.sheet == sheet.name]
        if not rows:
            continue
        ws = book.create_sheet(sheet.name[:31])
        ws.append(list(sheet.headers) + [translate(MSG_ERRORS_HEADER)])
        for r in rows:
            cells = list(plan.rejected_cells.get((r.sheet, r.number), ()))
            cells += [None] * (len(sheet.headers) - len(cells))
            text = errors_text(r, translate)
            ws.append([_safe_cell(c) for c in cells[:len(sheet.headers)]] + [printable(text)])
    _save_whole(book, Path(path))
    return len(bad)


def _save_whole(book, path: Path) -> None:
    """Save beside the target and move it in place: a full disk or a file open in Excel
    leaves the old file (or none), never half of one."""
    tmp = path.with_name(path.name + ".part")
    try:
        book.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def error_list(result: RowResult, translate=lambda s: s) -> list[str]:
    """A row's errors in the user's language, each after its column's name."""
    return [(f"{translate(d.column(result.kind, e.field).label)}: " if is_column(result.kind, e.field) else "")
            + e.text(translate) for e in result.errors]


def errors_text(result: RowResult, translate=lambda s: s) -> str:
    """A row's errors as one text: "Tax code: This tax code is not valid: check the digits. Phone: …"."""
    return " ".join(error_list(result, translate))


def is_column(kind: RecordKind, key: str) -> bool:
    return any(c.key == key for c in d.COLUMNS[kind])


def _safe_cell(value):
    """A cell written back as it was read, but never as a formula."""
    from .export import neutralise, printable

    if isinstance(value, str):
        return neutralise(printable(value))
    return value


def write_template(path: str | os.PathLike, english: bool = False) -> None:
    """An empty workbook with one sheet per kind and the template's headers (Vietnamese,
    or English), to fill in and import."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    index = 1 if english else 0
    for kind in d.KIND_ORDER:
        ws = book.create_sheet(d.SHEET_NAMES[kind][index])
        for col, c in enumerate(d.COLUMNS[kind], start=1):
            cell = ws.cell(row=1, column=col, value=c.headers[index] + (" *" if c.required else ""))
            cell.font = Font(bold=True)
            ws.column_dimensions[cell.column_letter].width = max(14, len(c.headers[index]) + 4)
        ws.freeze_panes = "A2"
    _save_whole(book, Path(path))


# -- batches ----------------------------------------------------------------------------

def list_batches(ctx: Context):
    with ctx.uow() as uow:
        return uow.imports.batches()


@changes(CUSTOMERS, CONTRACTS, OBLIGATIONS)
def undo_import(ctx: Context, batch_id: int) -> None:
    """Remove the batch's records, in one transaction. Raises UndoRefused when something
    else refers to them or they were changed since (nothing is removed then)."""
    with ctx.uow() as uow:
        batch = uow.imports.batch(batch_id)
        if batch is None or batch.undone_at is not None:
            raise UndoRefused(None)
        blockers = uow.imports.undo_blockers(batch_id)
        if blockers.any:
            raise UndoRefused(blockers)
        uow.imports.undo(batch_id)
        uow.commit()


def undo_refusal_texts(exc: UndoRefused, translate=lambda s: s) -> list[str]:
    """Why an undo was refused, one sentence per reason, in the user's language."""
    b = exc.blockers
    if b is None:
        return [translate(MSG_UNDO_DONE_ALREADY)]
    out = []
    for count, message in ((b.tickets, MSG_UNDO_TICKETS), (b.other_records, MSG_UNDO_OTHERS), (b.edited, MSG_UNDO_EDITED)):
        if count:
            out.append(translate(message).format(count=count))
    return out
