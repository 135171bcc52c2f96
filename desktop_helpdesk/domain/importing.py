"""What an import file holds and the rules for each of its cells: plain Python.

A firm going live brings its customer list from a spreadsheet. The file has one sheet (or
one CSV file) per kind of record, recognised by its column headers:

* customers (khách hàng), optionally with one contact person on the same row;
* contacts (người liên hệ) of customers named by code or tax code;
* contracts (hợp đồng) of customers, with a package named as in File → Packages;
* payments (thanh toán) against contracts named by number.

The headers are the file's format, not the program's wording: the Vietnamese and the English
template headers (and the usual variants people type, "MST", "SĐT") are recognised whatever
language the program speaks, compared folded (no case, no diacritics). A column the import
does not know is ignored and said so; a file whose headers are not the template's is mapped
by hand (`Mapping`).

Every cell is read with the same rules as the forms (domain.validation): a row's errors are
`ValidationError`s in the user's language at display time, each naming its column.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, Mapping as MappingType

from . import validation as v
from .enums import CustomerKind, PaymentMethod
from .phone import normalize_phone
from .text import fold, normalize
from .validation import N_, ValidationError


class RecordKind(str, Enum):
    CUSTOMERS = "customers"
    CONTACTS = "contacts"
    CONTRACTS = "contracts"
    PAYMENTS = "payments"


#: The order a file's sheets are imported in: a contact, contract or payment names a record
#: of the kind before it (which may be in the same file).
KIND_ORDER = (RecordKind.CUSTOMERS, RecordKind.CONTACTS, RecordKind.CONTRACTS, RecordKind.PAYMENTS)

KIND_LABELS = {
    RecordKind.CUSTOMERS: N_("Customers"),
    RecordKind.CONTACTS: N_("Contacts"),
    RecordKind.CONTRACTS: N_("Contracts"),
    RecordKind.PAYMENTS: N_("Payments"),
}

#: The template's sheet names (Vietnamese, English).
SHEET_NAMES = {
    RecordKind.CUSTOMERS: ("Khách hàng", "Customers"),
    RecordKind.CONTACTS: ("Người liên hệ", "Contacts"),
    RecordKind.CONTRACTS: ("Hợp đồng", "Contracts"),
    RecordKind.PAYMENTS: ("Thanh toán", "Payments"),
}


@dataclass(frozen=True)
class Column:
    """One field an import reads. `headers`: the template's Vietnamese and English headers
    first, then other spellings people use; `label`: the field's name on screen (to
    translate); `kind`: how a cell is read ("text", "phone", "tax_code", "email", "date",
    "money", "customer_kind", "method", "multiline")."""

    key: str
    label: str
    headers: tuple[str, ...]
    kind: str = "text"
    required: bool = False
    limit: int = 0  # the column's length (TEXT_LIMITS), 0: LONG_TEXT


def _limit(name: str) -> int:
    return v.TEXT_LIMITS[name]


COLUMNS: dict[RecordKind, tuple[Column, ...]] = {
    RecordKind.CUSTOMERS: (
        Column("code", N_("Customer code"), ("Mã khách hàng", "Customer code", "Mã KH", "Mã", "Code"),
               limit=_limit("customers.code")),
        Column("name", N_("Customer name"), ("Tên khách hàng", "Customer name", "Tên", "Tên công ty",
                                             "Tên đơn vị", "Name", "Company"),
               required=True, limit=_limit("customers.name")),
        Column("kind", N_("Type"), ("Loại khách hàng", "Customer type", "Loại", "Type"), kind="customer_kind"),
        Column("tax_code", N_("Tax code"), ("Mã số thuế", "Tax code", "MST", "Mã số DN", "Tax ID"), kind="tax_code"),
        Column("address", N_("Address"), ("Địa chỉ", "Address"), limit=_limit("customers.address")),
        Column("province", N_("Province"), ("Tỉnh/Thành phố", "Province", "Tỉnh", "Tỉnh thành", "Thành phố",
                                            "City"), limit=_limit("customers.province")),
        Column("phone", N_("Phone"), ("Điện thoại", "Phone", "Số điện thoại", "SĐT", "ĐT", "Tel"), kind="phone"),
        Column("email", N_("E-mail"), ("Email", "E-mail", "Thư điện tử"), kind="email"),
        Column("notes", N_("Notes"), ("Ghi chú", "Notes", "Note"), kind="multiline"),
        Column("contact_name", N_("Contact person"), ("Người liên hệ", "Contact person", "Người đại diện",
                                                      "Contact"), limit=_limit("contacts.full_name")),
        Column("contact_position", N_("Contact's position"), ("Chức vụ người liên hệ", "Contact position",
                                                               "Chức vụ", "Position"),
               limit=_limit("contacts.position")),
        Column("contact_phone", N_("Contact's phone"), ("Điện thoại người liên hệ", "Contact phone",
                                                        "SĐT người liên hệ", "Di động"), kind="phone"),
        Column("contact_email", N_("Contact's e-mail"), ("Email người liên hệ", "Contact e-mail",
                                                         "Contact email"), kind="email"),
    ),
    RecordKind.CONTACTS: (
        Column("customer", N_("Customer (code or tax code)"), ("Khách hàng (mã hoặc MST)", "Customer (code or tax code)",
                                                               "Mã khách hàng", "Customer code", "Mã KH",
                                                               "Mã số thuế", "MST"), required=True),
        Column("full_name", N_("Full name"), ("Họ và tên", "Full name", "Họ tên", "Tên người liên hệ",
                                              "Người liên hệ", "Name"),
               required=True, limit=_limit("contacts.full_name")),
        Column("position", N_("Position"), ("Chức vụ", "Position"), limit=_limit("contacts.position")),
        Column("phone", N_("Phone"), ("Điện thoại", "Phone", "Số điện thoại", "SĐT", "Di động"), kind="phone"),
        Column("email", N_("E-mail"), ("Email", "E-mail"), kind="email"),
    ),
    RecordKind.CONTRACTS: (
        Column("number", N_("Contract number"), ("Số hợp đồng", "Contract number", "Số HĐ", "Number"),
               limit=_limit("contracts.number")),
        Column("customer", N_("Customer (code or tax code)"), ("Khách hàng (mã hoặc MST)", "Customer (code or tax code)",
                                                               "Mã khách hàng", "Customer code", "Mã KH",
                                                               "Mã số thuế", "MST"), required=True),
        Column("package", N_("Package"), ("Gói dịch vụ", "Package", "Gói", "Sản phẩm"), required=True),
        Column("value", N_("Value (VND)"), ("Giá trị (VND)", "Value (VND)", "Giá trị", "Giá trị hợp đồng",
                                            "Value"), kind="money"),
        Column("signed_on", N_("Signed on"), ("Ngày ký", "Signed on", "Ngày ký hợp đồng"), kind="date"),
        Column("accepted_on", N_("Accepted on"), ("Ngày nghiệm thu", "Accepted on", "Nghiệm thu"), kind="date"),
        Column("maintenance_end", N_("Maintenance until"), ("Bảo trì đến ngày", "Maintenance until",
                                                            "Hết hạn bảo trì", "Bảo trì đến"), kind="date"),
        Column("notes", N_("Notes"), ("Ghi chú", "Notes"), kind="multiline"),
    ),
    RecordKind.PAYMENTS: (
        Column("contract", N_("Contract number"), ("Số hợp đồng", "Contract number", "Số HĐ"), required=True),
        Column("paid_on", N_("Paid on"), ("Ngày thanh toán", "Paid on", "Ngày thu", "Ngày"), kind="date",
               required=True),
        Column("amount", N_("Amount (VND)"), ("Số tiền (VND)", "Amount (VND)", "Số tiền", "Amount"), kind="money",
               required=True),
        Column("method", N_("Method"), ("Hình thức", "Method", "Phương thức", "Hình thức thanh toán"), kind="method"),
        Column("invoice_number", N_("Invoice number"), ("Số hóa đơn", "Invoice number", "Số HĐĐT", "Hóa đơn"),
               limit=_limit("payments.invoice_number")),
    ),
}

MSG_UNKNOWN_KIND = N_("The type must be Company, Business household or Individual.")
MSG_UNKNOWN_METHOD = N_("The method must be Cash, Bank transfer, Card, E-wallet or Other.")
MSG_UNKNOWN_PACKAGE = N_("There is no package named “{name}”: create it in File → Packages, or correct the name.")
MSG_RETIRED_PACKAGE = N_("The package “{name}” is no longer sold.")
MSG_UNKNOWN_CUSTOMER = N_("No customer has the code or tax code “{ref}”, in this file or in the database.")
MSG_UNKNOWN_CONTRACT = N_("No contract has the number “{ref}”, in this file or in the database.")
MSG_SAME_AS_ROW = N_("The same record as row {row} of this file.")
MSG_CODE_OF_ANOTHER = N_("The code {code} already belongs to another customer: {name}.")
MSG_NUMBER_OF_ANOTHER = N_("The contract number {number} already belongs to a contract of another customer.")
MSG_NOT_IMPORTED_BEFORE = N_("Not imported: the row it depends on (row {row}) has an error.")


def _fold_header(text: str) -> str:
    """A header as compared: folded, brackets, slashes and the template's "*" (required) as spaces."""
    for mark in "()/*:":
        text = text.replace(mark, " ")
    return " ".join(fold(text).split())


_LOOKUP: dict[RecordKind, dict[str, str]] = {
    kind: {_fold_header(h): c.key for c in reversed(cols) for h in c.headers} for kind, cols in COLUMNS.items()
}


_BY_KEY = {kind: {c.key: c for c in cols} for kind, cols in COLUMNS.items()}


def column(kind: RecordKind, key: str) -> Column:
    return _BY_KEY[kind][key]


#: For each column of a sheet (by position), the field it holds, or None (ignored).
Mapping = tuple


def guess_mapping(kind: RecordKind, headers: list[str]) -> Mapping:
    """The field each header names (each field taken once, the first column wins)."""
    lookup = _LOOKUP[kind]
    taken: set[str] = set()
    out: list[str | None] = []
    for header in headers:
        key = lookup.get(_fold_header(header or ""))
        if key in taken:
            key = None
        if key:
            taken.add(key)
        out.append(key)
    return tuple(out)


def missing_required(kind: RecordKind, mapping: Mapping) -> tuple[str, ...]:
    return tuple(c.key for c in COLUMNS[kind] if c.required and c.key not in mapping)


def guess_kind(sheet_name: str, headers: list[str]) -> RecordKind | None:
    """The kind of records a sheet holds: by its name when it is a template sheet's, else the
    kind whose required columns its headers name best (None: not an import sheet)."""
    folded = _fold_header(sheet_name or "")
    for kind, names in SHEET_NAMES.items():
        if folded in {_fold_header(n) for n in names}:
            return kind
    best, best_score = None, 0
    for kind in KIND_ORDER:
        mapping = guess_mapping(kind, headers)
        if missing_required(kind, mapping):
            continue
        score = sum(1 for key in mapping if key)
        if score > best_score:
            best, best_score = kind, score
    return best


# -- cells ------------------------------------------------------------------------------

def cell_text(value: Any, kind: str = "text") -> str:
    """A cell as the text a person sees in it. Numbers a spreadsheet stored as numbers get
    back what they lost: a phone number's leading 0 (912345678 → 0912345678), a tax code's
    (100109106 → 0100109106); 1500000.0 is 1500000."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        value = value.date() if (value.hour, value.minute, value.second) == (0, 0, 0) else value
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y") if not isinstance(value, datetime) else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        if kind == "phone" and len(text) == 9:
            return "0" + text
        if kind == "tax_code" and len(text) in (9, 11):
            return "0" + text
        return text
    return unicodedata.normalize("NFC", str(value))


_KIND_WORDS = {
    CustomerKind.COMPANY: ("doanh nghiep", "cong ty", "company", "to chuc", "dn", "organisation", "organization"),
    CustomerKind.HOUSEHOLD: ("ho kinh doanh", "business household", "household", "hkd"),
    CustomerKind.PERSON: ("ca nhan", "individual", "person", "khach le"),
}
_METHOD_WORDS = {
    PaymentMethod.CASH: ("tien mat", "cash", "tm"),
    PaymentMethod.BANK_TRANSFER: ("chuyen khoan", "bank transfer", "ck", "transfer", "ngan hang"),
    PaymentMethod.CARD: ("the", "card", "quet the"),
    PaymentMethod.E_WALLET: ("vi dien tu", "e-wallet", "e wallet", "momo", "zalopay", "vnpay"),
    PaymentMethod.OTHER: ("khac", "other"),
}


def _word_choice(text: str, words: dict) -> str | None:
    folded = " ".join(fold(text).split())
    for value, names in words.items():
        if folded == value.value or folded in names:
            return value.value
    return None


@dataclass
class ParsedRow:
    """One row read: its values by field (clean, typed) and what is wrong with it."""

    number: int  # the row's number as the spreadsheet shows it (the header is row 1)
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[ValidationError] = field(default_factory=list)
    raw: tuple = ()

    @property
    def ok(self) -> bool:
        return not self.errors


#: Cells remembered per column by read_row's `seen` (a column's repeated values: blank cells,
#: the customer types, provinces, positions; a column of names fills it and stops there).
SEEN_PER_COLUMN = 1000


def read_row(kind: RecordKind, mapping: Mapping, cells: tuple, number: int, seen: dict | None = None) -> ParsedRow:
    """Read one row's cells by the sheet's mapping with the input rules of the forms.
    `seen`: a dict kept from row to row of the same kind, where a cell read before is read
    again for free (read_cell depends on the column and the cell alone)."""
    row = ParsedRow(number, raw=cells)
    for index, key in enumerate(mapping):
        if not key:
            continue
        col = column(kind, key)
        raw = cells[index] if index < len(cells) else None
        if seen is None:
            value, error = read_cell(col, raw)
        else:
            known = seen.get(key)
            if known is None:
                known = seen[key] = {}
            cell = (type(raw), raw)  # 1, 1.0 and True are equal keys, not equal cells
            try:
                value, error = known[cell]
            except KeyError:
                value, error = read_cell(col, raw)
                if len(known) < SEEN_PER_COLUMN:
                    known[cell] = (value, error)
            except TypeError:  # a cell that cannot be a key: read as it is
                value, error = read_cell(col, raw)
        if error is not None:
            row.errors.append(error)
        else:
            row.values[key] = value
    for col in COLUMNS[kind]:
        if col.required and col.key in mapping and not row.values.get(col.key) and not any(
                e.field == col.key for e in row.errors):
            row.errors.append(ValidationError(col.key, "required", v.MSG_REQUIRED))
    if kind is RecordKind.CONTRACTS:
        for later, earlier in (("accepted_on", "signed_on"), ("maintenance_end", "accepted_on")):
            error = v.validate_date_order(later, row.values.get(earlier), row.values.get(later))
            if error is not None:
                row.errors.append(error)
    if kind is RecordKind.CUSTOMERS and not row.values.get("contact_name"):
        for key in ("contact_phone", "contact_email", "contact_position"):
            if row.values.get(key):  # a contact's details without the person's name
                row.errors.append(ValidationError("contact_name", "required", v.MSG_REQUIRED))
                break
    return row


def read_cell(col: Column, raw: Any) -> tuple[Any, ValidationError | None]:
    """(the clean value, None) or (None, why not). A blank cell is "" (None for dates and
    money); whether it may be blank is the row's rule."""
    key = col.key
    if col.kind == "date" and isinstance(raw, (date, datetime)):
        return (raw.date() if isinstance(raw, datetime) else raw), None
    text = cell_text(raw, col.kind)
    if col.kind == "date":
        try:
            return v.parse_date_text(text, key), None
        except v.DateInputError as exc:
            return None, exc.error
    if col.kind == "money":
        if not text.strip():
            return None, None
        if text.strip().startswith(("-", "−")):
            return None, ValidationError(key, "money_negative", v.MSG_MONEY_NEGATIVE)
        try:
            amount = v.parse_money_vnd(text)
        except v.MoneyTooLarge:
            return None, ValidationError(key, "money_too_large", v.MSG_MONEY_TOO_LARGE)
        except ValueError:
            return None, ValidationError(key, "money_not_integer", v.MSG_MONEY_NOT_INTEGER)
        return amount, None
    error = v.validate_text(key, text, col.limit or v.LONG_TEXT, multiline=col.kind == "multiline")
    if error is not None:
        return None, error
    if col.kind == "multiline":
        return v.clean_text(text, multiline=True), None
    text = normalize(text)
    if key in ("code", "number", "customer", "contract"):
        text = text.upper()
    if col.kind == "phone":
        error = v.validate_phone(key, text)  # the reading is cached: normalising it again is free
        return (normalize_phone(text) if text and error is None else text), error
    if col.kind == "email":
        return text, v.validate_email(key, text)
    if col.kind == "tax_code":
        return text, v.validate_tax_code(key, text)
    if col.kind == "customer_kind":
        if not text:
            return CustomerKind.COMPANY.value, None
        chosen = _word_choice(text, _KIND_WORDS)
        return (chosen, None) if chosen else (None, ValidationError(key, "unknown_kind", MSG_UNKNOWN_KIND))
    if col.kind == "method":
        if not text:
            return PaymentMethod.BANK_TRANSFER.value, None
        chosen = _word_choice(text, _METHOD_WORDS)
        return (chosen, None) if chosen else (None, ValidationError(key, "unknown_method", MSG_UNKNOWN_METHOD))
    return text, None


def customer_keys(values: MappingType[str, Any]) -> tuple[str, ...]:
    """The keys that say two customer rows are the same customer, strongest first: the code,
    the tax code, the name (folded) with the phone; the name alone when the row has none of
    the others. Re-importing a file finds its customers by
    them (no duplicates)."""
    keys = []
    if values.get("code"):
        keys.append("code:" + str(values["code"]).upper())
    if values.get("tax_code"):
        keys.append("tax:" + values["tax_code"])
    if values.get("name") and values.get("phone"):
        keys.append("name_phone:" + fold(values["name"]) + "|" + values["phone"])
    elif values.get("name") and not keys:  # nothing else to tell it by: the name alone
        keys.append("name:" + fold(values["name"]))
    return tuple(keys)
