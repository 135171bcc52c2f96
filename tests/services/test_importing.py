"""Importing a firm's customer list: the preview names each bad row's errors, the good rows go
in under one batch, re-importing adds nothing twice, and a batch can be undone while nothing
refers to it."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timezone

import pytest
from openpyxl import Workbook, load_workbook

from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.domain.importing import RecordKind
from desktop_helpdesk.services import catalog, contracts, customers, importing, tickets
from desktop_helpdesk.services.context import make_context
from desktop_helpdesk.services.dto import CustomerDraft, ListQuery, PackageData, TicketDraft
from desktop_helpdesk.services.progress import Cancelled

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc)

CUSTOMER_HEADERS = ["Mã khách hàng", "Tên khách hàng *", "Loại khách hàng", "Mã số thuế", "Địa chỉ",
                    "Tỉnh/Thành phố", "Điện thoại", "Email", "Người liên hệ", "Điện thoại người liên hệ"]


@pytest.fixture
def ctx(engine):
    context = make_context(uow_factory(engine), lambda: NOW)
    catalog.add_package(context, PackageData(0, "SPOS", "SmartPOS", 12, "office", 240, 24, 48, 72, True, 0))
    return context


def _book(path, sheets: dict[str, list[list]]):
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


def _cp1258(ch: str) -> bytes:
    """A letter as Windows' Vietnamese code page writes it: a tone as a combining mark after
    the letter when the page has no precomposed form ("ử" is "ư" + hook above)."""
    try:
        return ch.encode("cp1258")
    except UnicodeEncodeError:
        marks = unicodedata.normalize("NFD", ch)
        tone = next(m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323")
        return unicodedata.normalize("NFC", marks.replace(tone, "")).encode("cp1258") + tone.encode("cp1258")


def _plan(ctx, path):
    return importing.plan_import(ctx, path, importing.inspect_file(path))


def _errors(plan, number, kind=RecordKind.CUSTOMERS):
    [row] = [r for r in plan.results if r.number == number and r.kind is kind]
    return [(e.field, e.code) for e in row.errors]


def _all_customers(ctx):
    return customers.list_customers(ctx, ListQuery(limit=1000)).rows


def test_the_preview_names_each_bad_rows_errors_and_writes_nothing(ctx, tmp_path):
    path = _book(tmp_path / "ds.xlsx", {"Khách hàng": [
        CUSTOMER_HEADERS,
        ["", "Công ty TNHH Minh Phát", "Doanh nghiệp", "0100109106", "12 Lê Lợi", "Hà Nội", "0912345678",
         "ketoan@minhphat.vn", "Chị Lan", 912000111],
        ["", "Nhà sách Tiến Thọ", "Hộ kinh doanh", "0100109107", "", "", "0912 345", "", "", ""],
        ["", "Phòng khám An Bình", "Bệnh viện", "", "", "", "", "abc@", "", ""],
        ["", "", "", "", "", "", "", "", "", ""],  # blank: skipped, not an error
        ["", "Công ty TNHH Minh Phát (trùng)", "", "0100109106", "", "", "", "", "", ""],
        ["", "A" * 201, "", "", "", "", "", "", "", ""],
    ]})
    plan = _plan(ctx, path)
    assert [r.status for r in plan.results] == ["new", "error", "error", "error", "error"]
    assert _errors(plan, 3) == [("tax_code", "tax_checksum"), ("phone", "too_short")] or \
        {f for f, _ in _errors(plan, 3)} == {"tax_code", "phone"}
    assert {f for f, _ in _errors(plan, 4)} == {"kind", "email"}
    assert _errors(plan, 6) == [("tax_code", "same_as_row")]  # the same tax code as row 2
    assert plan.results[3].errors[0].params == (("row", 2),)
    assert _errors(plan, 7) == [("name", "too_long")]
    assert _all_customers(ctx) == ()  # nothing written


def test_good_rows_go_in_under_one_batch_with_codes_contacts_and_the_search(ctx, tmp_path):
    path = _book(tmp_path / "ds.xlsx", {"Khách hàng": [
        CUSTOMER_HEADERS,
        ["", "Công ty TNHH Minh Phát", "", "0100109106", "", "Hà Nội", "0912345678", "", "Chị Lan", "0912000111"],
        ["KH00001", "Nhà thuốc Đức Tâm", "Hộ kinh doanh", "", "", "", "0283 8123 456", "", "", ""],
        ["", "Sai", "", "123", "", "", "", "", "", ""],
    ]})
    plan = _plan(ctx, path)
    done = importing.apply_import(ctx, plan)
    assert (done.added[RecordKind.CUSTOMERS], done.rejected, done.cancelled) == (2, 1, False)
    rows = {r.name: r for r in _all_customers(ctx)}
    assert set(rows) == {"Công ty TNHH Minh Phát", "Nhà thuốc Đức Tâm"}
    # The typed code is kept; the other gets the next free one, past it.
    assert rows["Nhà thuốc Đức Tâm"].code == "KH00001"
    assert rows["Công ty TNHH Minh Phát"].code == "KH00002"
    details = customers.get_customer(ctx, rows["Công ty TNHH Minh Phát"].id).draft
    assert details.phone == "+84912345678"
    assert [(c.full_name, c.phone, c.is_primary) for c in details.contacts] == [("Chị Lan", "+84912000111", True)]
    # Found by the contact's phone, as said on the phone, and without diacritics.
    found = customers.list_customers(ctx, ListQuery(text="0912000111", limit=10)).rows
    assert [r.name for r in found] == ["Công ty TNHH Minh Phát"]
    assert [r.name for r in customers.list_customers(ctx, ListQuery(text="duc tam", limit=10)).rows] == ["Nhà thuốc Đức Tâm"]
    [batch] = importing.list_batches(ctx)
    assert (batch.file_name, batch.customers, batch.contacts) == ("ds.xlsx", 2, 1)


def test_reimporting_the_same_file_adds_nothing_twice(ctx, tmp_path):
    path = _book(tmp_path / "ds.xlsx", {
        "Khách hàng": [CUSTOMER_HEADERS,
                       ["", "Công ty TNHH Minh Phát", "", "0100109106", "", "", "", "", "", ""],
                       ["", "Anh Tuấn", "Cá nhân", "", "", "", "0903111222", "", "", ""]],
        "Hợp đồng": [["Số hợp đồng", "Khách hàng (mã hoặc MST)", "Gói dịch vụ", "Giá trị (VND)", "Ngày ký",
                      "Ngày nghiệm thu"],
                     ["HD-01", "0100109106", "smartpos", "15.000.000", "05/01/2026", "20/01/2026"],
                     ["", "0100109106", "SmartPOS", 3000000, datetime(2026, 2, 1), ""]],
        "Thanh toán": [["Số hợp đồng", "Ngày thanh toán", "Số tiền (VND)", "Hình thức"],
                       ["HD-01", "06/01/2026", "15000000", "Chuyển khoản"]],
    })
    first = importing.apply_import(ctx, _plan(ctx, path))
    assert first.added == {RecordKind.CUSTOMERS: 2, RecordKind.CONTACTS: 0, RecordKind.CONTRACTS: 2,
                           RecordKind.PAYMENTS: 1}
    again = _plan(ctx, path)
    assert {r.status for r in again.results} == {"exists"}
    second = importing.apply_import(ctx, again)
    assert sum(second.added.values()) == 0 and second.skipped == 5
    assert len(_all_customers(ctx)) == 2
    contract_rows = contracts.list_contracts(ctx, ListQuery(limit=10)).rows
    assert len(contract_rows) == 2
    hd = next(r for r in contract_rows if r.number == "HD-01")
    details = contracts.get_contract(ctx, hd.id)
    assert details.warranty_end == date(2027, 1, 20)  # accepted 20/01/2026 + the package's 12 months
    assert [p.amount_vnd for p in contracts.contract_file(ctx, hd.id).payments] == [15_000_000]


def test_contracts_and_payments_say_what_they_name_that_does_not_exist(ctx, tmp_path):
    path = _book(tmp_path / "hd.xlsx", {
        "Hợp đồng": [["Số hợp đồng", "Khách hàng (mã hoặc MST)", "Gói dịch vụ", "Ngày ký", "Ngày nghiệm thu"],
                     ["HD-02", "KH09999", "SmartPOS", "", ""],
                     ["HD-03", "", "Gói không có", "31/02/2026", ""],
                     ["HD-04", "KH00001", "SmartPOS", "10/03/2026", "01/03/2026"]],
        "Thanh toán": [["Số hợp đồng", "Ngày thanh toán", "Số tiền (VND)"],
                       ["HD-02", "01/01/2026", "100"],
                       ["HD-99", "01/01/2026", "100"]],
    })
    customers.save_customer(ctx, CustomerDraft(name="Có sẵn", kind="company", code="KH00001"))
    plan = _plan(ctx, path)
    by_row = {(r.kind, r.number): [(e.field, e.code) for e in r.errors] for r in plan.results}
    assert by_row[(RecordKind.CONTRACTS, 2)] == [("customer", "unknown_customer")]
    assert set(by_row[(RecordKind.CONTRACTS, 3)]) == {("customer", "required"), ("signed_on", "date_not_exist")}
    assert by_row[(RecordKind.CONTRACTS, 4)] == [("accepted_on", "date_order")]
    assert by_row[(RecordKind.PAYMENTS, 2)] == [("contract", "depends_on_error")]
    assert by_row[(RecordKind.PAYMENTS, 3)] == [("contract", "unknown_contract")]


def test_rejected_rows_come_back_in_a_file_that_imports_once_corrected(ctx, tmp_path, translator):
    path = _book(tmp_path / "ds.xlsx", {"Khách hàng": [
        CUSTOMER_HEADERS,
        ["", "Đúng", "", "", "", "", "0912345678", "", "", ""],
        ["", "Sai số", "", "", "", "", "0912 34", "", "", ""],
        ["", "=HYPERLINK(\"http://x\")", "", "", "", "", "abc", "", "", ""],
    ]})
    plan = _plan(ctx, path)
    importing.apply_import(ctx, plan)
    out = tmp_path / "ds-loi.xlsx"
    translator.set_language("vi")
    assert importing.write_rejections(plan, out, translator.gettext) == 2
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][-1] == "Lỗi"
    assert rows[1][1] == "Sai số" and "Điện thoại" in rows[1][-1]
    assert not str(rows[2][1]).startswith("=")  # never written back as a formula
    ws.cell(row=2, column=7, value="0912345679")  # corrected
    ws.delete_rows(3)
    fixed = tmp_path / "ds-sua.xlsx"
    wb = ws.parent
    wb.save(fixed)
    again = _plan(ctx, fixed)
    assert [r.status for r in again.results] == ["new"]
    importing.apply_import(ctx, again)
    assert {r.name for r in _all_customers(ctx)} == {"Đúng", "Sai số"}


def test_a_csv_in_the_windows_vietnamese_code_page_with_semicolons(ctx, tmp_path):
    path = tmp_path / "khach.csv"
    text = "Tên khách hàng;Điện thoại;Tỉnh\r\nCửa hàng Hoa Mai;0912345678;Cần Thơ\r\n"
    path.write_bytes(b"".join(_cp1258(ch) for ch in text))
    plan = _plan(ctx, path)
    assert [r.status for r in plan.results] == ["new"]
    importing.apply_import(ctx, plan)
    [row] = _all_customers(ctx)
    assert (row.name, row.province) == ("Cửa hàng Hoa Mai", "Cần Thơ")


def test_a_file_that_is_not_a_spreadsheet_is_refused_with_a_reason(ctx, tmp_path):
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(importing.ImportFileError) as err:
        importing.inspect_file(bad)
    assert err.value.reason == "unreadable"
    other = _book(tmp_path / "khac.xlsx", {"Sheet": [["Cột A", "Cột B"], [1, 2]]})
    with pytest.raises(importing.ImportFileError) as err:
        importing.inspect_file(other)
    assert err.value.reason == "no_sheet"
    with pytest.raises(importing.ImportFileError) as err:
        importing.inspect_file(tmp_path / "khong-co.csv")
    assert err.value.reason == "not_found"


def test_undo_removes_the_batch_unless_something_refers_to_it(ctx, tmp_path):
    path = _book(tmp_path / "ds.xlsx", {
        "Khách hàng": [CUSTOMER_HEADERS, ["", "Công ty A", "", "0100109106", "", "", "", "", "Anh B", ""],
                       ["", "Công ty C", "", "", "", "", "0912345678", "", "", ""]],
        "Hợp đồng": [["Số hợp đồng", "Khách hàng (mã hoặc MST)", "Gói dịch vụ", "Ngày ký"],
                     ["HD-10", "0100109106", "SmartPOS", "01/02/2026"]],
    })
    done = importing.apply_import(ctx, _plan(ctx, path))
    rows = {r.name: r for r in _all_customers(ctx)}
    tickets.create_ticket(ctx, TicketDraft(customer_id=rows["Công ty C"].id, subject="Máy in không in",
                                           request_type="incident", channel="hotline"), None)
    with pytest.raises(importing.UndoRefused) as refused:
        importing.undo_import(ctx, done.batch_id)
    assert importing.undo_refusal_texts(refused.value) == ["Tickets logged on records of this import: 1."]
    assert len(_all_customers(ctx)) == 2  # nothing removed

    second = _book(tmp_path / "ds2.xlsx", {"Khách hàng": [CUSTOMER_HEADERS,
                                                          ["", "Công ty D", "", "", "", "", "", "", "", ""]]})
    done2 = importing.apply_import(ctx, _plan(ctx, second))
    importing.undo_import(ctx, done2.batch_id)
    assert {r.name for r in _all_customers(ctx)} == {"Công ty A", "Công ty C"}
    assert importing.list_batches(ctx)[0].undone_at is not None
    with pytest.raises(importing.UndoRefused):
        importing.undo_import(ctx, done2.batch_id)  # not twice
    # Undone, the file can be imported again.
    assert [r.status for r in _plan(ctx, second).results] == ["new"]


def test_cancel_between_chunks_keeps_what_was_written_as_the_batch(ctx, tmp_path):
    rows = [CUSTOMER_HEADERS] + [["", f"Khách {i}", "", "", "", "", "", "", "", ""] for i in range(25)]
    path = _book(tmp_path / "nhieu.xlsx", {"Khách hàng": rows})
    plan = _plan(ctx, path)

    def stop_after_ten(done, total):
        if done >= 10:
            raise Cancelled(done, total)

    done = importing.apply_import(ctx, plan, stop_after_ten, chunk=10)
    assert done.cancelled and done.added[RecordKind.CUSTOMERS] == 10
    assert len(_all_customers(ctx)) == 10
    assert importing.list_batches(ctx)[0].customers == 10
    # The rest comes in by importing the same file again.
    importing.apply_import(ctx, _plan(ctx, path))
    assert len(_all_customers(ctx)) == 25


def test_the_template_is_recognised_in_both_languages(ctx, tmp_path):
    for english in (False, True):
        path = tmp_path / f"mau-{english}.xlsx"
        importing.write_template(path, english=english)
        book = load_workbook(path)
        assert len(book.sheetnames) == 4
        ws = book.worksheets[0]
        ws.append(["", "Khách mẫu"])
        book.save(path)
        sheets = importing.inspect_file(path)
        assert [s.kind for s in sheets] == [RecordKind.CUSTOMERS, RecordKind.CONTACTS, RecordKind.CONTRACTS,
                                            RecordKind.PAYMENTS]
        assert all(s.usable for s in sheets)


def test_a_code_already_used_by_another_customer_is_an_error_not_a_match(ctx, tmp_path):
    customers.save_customer(ctx, CustomerDraft(name="Công ty Bình An", kind="company", code="KH00007"))
    path = _book(tmp_path / "ds.xlsx", {"Khách hàng": [
        CUSTOMER_HEADERS,
        ["KH00007", "Nhà thuốc Hồng Phúc", "", "", "", "", "", "", "", ""],
        ["kh00007", "CÔNG TY BÌNH AN", "", "", "", "", "", "", "", ""],
    ]})
    plan = _plan(ctx, path)
    assert _errors(plan, 2) == [("code", "code_of_another")]
    assert dict(plan.results[0].errors[0].params)["name"] == "Công ty Bình An"
    # The same code with the customer's own name (any case) is that customer: already there.
    assert (plan.results[1].status, plan.results[1].existing) == ("exists", "KH00007")


def test_a_rejected_row_is_still_named_by_what_it_says(ctx, tmp_path):
    path = _book(tmp_path / "ds.xlsx", {"Khách hàng": [CUSTOMER_HEADERS,
                                                       ["", "Công ty " + "Rất Dài " * 40, "", "", "", "", "", "", "", ""]]})
    [row] = _plan(ctx, path).results
    assert row.status == "error" and row.label.startswith("Công ty Rất Dài") and len(row.label) == 80


def test_a_code_typed_further_down_the_file_is_not_handed_to_an_earlier_row(ctx, tmp_path):
    """Chunks of two: the first chunk's rows get codes from the counter; KH00002, typed on a
    row of a later chunk, must not be one of them (that chunk's insert would fail)."""
    path = _book(tmp_path / "ds.xlsx", {"Khách hàng": [
        CUSTOMER_HEADERS,
        ["", "Khách A", "", "", "", "", "", "", "", ""],
        ["", "Khách B", "", "", "", "", "", "", "", ""],
        ["KH00002", "Khách C", "", "", "", "", "", "", "", ""],
    ]})
    done = importing.apply_import(ctx, _plan(ctx, path), chunk=2)
    assert done.added[RecordKind.CUSTOMERS] == 3
    assert {r.name: r.code for r in _all_customers(ctx)} == {"Khách A": "KH00001", "Khách B": "KH00003",
                                                           "Khách C": "KH00002"}


def test_rows_naming_a_merged_duplicate_go_to_the_customer_kept_and_an_archived_one_takes_none(ctx, tmp_path):
    keep = customers.save_customer(ctx, CustomerDraft(name="Công ty Bình An", kind="company", code="KH00010"))
    dup = customers.save_customer(ctx, CustomerDraft(name="Cty Bình An", kind="company", code="KH00011"))
    gone = customers.save_customer(ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household", code="KH00012"))
    preview = customers.merge_preview(ctx, keep, dup)
    customers.merge_customers(ctx, keep, preview.keep_version, dup, preview.duplicate_version, None)
    customers.archive_customer(ctx, gone, customers.get_customer(ctx, gone).version, None)
    path = _book(tmp_path / "lh.xlsx", {"Người liên hệ": [
        ["Khách hàng (mã hoặc MST)", "Họ và tên", "Điện thoại"],
        ["KH00011", "Chị Hoa", "0912345678"],
        ["KH00012", "Anh Tâm", "0912345679"],
    ]})
    plan = _plan(ctx, path)
    assert [r.status for r in plan.results] == ["new", "error"]
    assert _errors(plan, 3, RecordKind.CONTACTS) == [("customer", "archived")]
    importing.apply_import(ctx, plan)
    assert [c.full_name for c in customers.get_customer(ctx, keep).draft.contacts] == ["Chị Hoa"]


def test_contacts_imported_onto_a_customer_there_before_are_found_and_forgotten_with_their_undo(ctx, tmp_path):
    cid = customers.save_customer(ctx, CustomerDraft(name="Công ty Bình An", kind="company", code="KH00010"))
    path = _book(tmp_path / "lh.xlsx", {"Người liên hệ": [
        ["Khách hàng (mã hoặc MST)", "Họ và tên", "Điện thoại"], ["KH00010", "Chị Hoa", "0912345678"]]})
    done = importing.apply_import(ctx, _plan(ctx, path))
    assert [r.id for r in customers.list_customers(ctx, ListQuery(text="chi hoa")).rows] == [cid]
    importing.undo_import(ctx, done.batch_id)
    assert customers.get_customer(ctx, cid).draft.contacts == ()
    assert customers.list_customers(ctx, ListQuery(text="chi hoa")).rows == ()  # no longer found by her


def _mixed_file(tmp_path):
    """Customers over several blocks (with a bad row, a duplicate of an earlier block's row and
    one already in the database), contacts naming them, a contract and a payment."""
    rows = [CUSTOMER_HEADERS] + [["", f"Khách {i}", "", "", "", "", f"09120001{i:02d}", "", "", ""] for i in range(12)]
    rows.append(["", "Khách 3", "", "", "", "", "0912000103", "", "", ""])  # the same as row 5
    rows.append(["", "Khách lỗi", "", "", "", "", "0912", "", "", ""])  # phone too short
    rows.append(["", "Công ty Bình An", "", "", "", "", "", "", "", ""])  # in the database already
    # Only a name, that of a row of an earlier block (with a phone): new, as the database had
    # no such customer before the import (written meanwhile, it is not "already there").
    rows.append(["", "Khách 1", "", "", "", "", "", "", "", ""])
    rows.append(["KH00001", "Khách 0", "", "", "", "", "", "", "", ""])  # the counter's code: typed
    return _book(tmp_path / "tron.xlsx", {
        "Khách hàng": rows,
        "Người liên hệ": [["Khách hàng (mã hoặc MST)", "Họ và tên", "Điện thoại"],
                          ["KH00099", "Anh Tâm", "0912345679"]],
    })


@pytest.mark.parametrize("typed_code", [False, True])
def test_import_now_checks_and_writes_as_plan_then_apply(ctx, tmp_path, monkeypatch, typed_code):
    """The command line's import writes each block while the next is checked: the same rows,
    errors and counts as the preview then Import (blocks and chunks of a few rows here)."""
    monkeypatch.setattr(importing, "PLAN_BLOCK", 4)
    monkeypatch.setattr(importing, "CHUNK", 3)
    customers.save_customer(ctx, CustomerDraft(name="Công ty Bình An", kind="company"))
    path = _mixed_file(tmp_path)
    if not typed_code:  # without it, the blocks are written as they are checked
        book = load_workbook(path)
        book["Khách hàng"].delete_rows(book["Khách hàng"].max_row)
        book.save(path)
    expected = _plan(ctx, path)
    plan, done = importing.import_now(ctx, path, importing.inspect_file(path), overlap=True)
    assert [(r.kind, r.number, r.status, [e.code for e in r.errors], r.existing) for r in plan.results] == [
        (r.kind, r.number, r.status, [e.code for e in r.errors], r.existing) for r in expected.results]
    assert done.added[RecordKind.CUSTOMERS] == expected.count("new", RecordKind.CUSTOMERS) == 13
    assert (done.skipped, done.rejected) == (expected.count("exists"), expected.count("error"))
    assert importing.list_batches(ctx)[0].customers == 13
    assert len(_all_customers(ctx)) == 14
    # Again: every row already there, nothing written, no batch.
    again, done = importing.import_now(ctx, path, importing.inspect_file(path), overlap=True)
    assert done.batch_id is None and again.count("new") == 0


def test_import_now_leaves_nothing_when_the_file_cannot_be_read_to_the_end(ctx, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "PLAN_BLOCK", 4)
    monkeypatch.setattr(importing, "CHUNK", 3)
    rows = [CUSTOMER_HEADERS] + [["", f"Khách {i}", "", "", "", "", "", "", "", ""] for i in range(12)]
    path = _book(tmp_path / "ds.xlsx", {"Khách hàng": rows})
    read = importing._data_rows

    def broken(path, sheets, *loaded):
        for n, row in enumerate(read(path, sheets, *loaded)):
            if n == 9:
                raise importing.ImportFileError(importing.ImportFileError.UNREADABLE, "XmlError")
            yield row

    monkeypatch.setattr(importing, "_data_rows", broken)
    with pytest.raises(importing.ImportFileError):
        importing.import_now(ctx, path, importing.inspect_file(path), overlap=True)
    assert not _all_customers(ctx) and not importing.list_batches(ctx)


def test_a_chunk_that_fails_stops_the_import_and_keeps_the_chunks_before_it(ctx, tmp_path, monkeypatch):
    """On the team server two chunks are written at once: the one after the failed chunk
    is rolled back, as if they were written one by one."""
    rows = [CUSTOMER_HEADERS] + [["", f"Khách {i}", "", "", "", "", "", "", "", ""] for i in range(25)]
    plan = _plan(ctx, _book(tmp_path / "ds.xlsx", {"Khách hàng": rows}))
    write = importing._write_customers
    calls = []

    def second_fails(uow, batch_id, plan, part, *args):
        calls.append(part[0].number)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return write(uow, batch_id, plan, part, *args)

    monkeypatch.setattr(importing, "_write_customers", second_fails)
    with pytest.raises(RuntimeError):
        importing.apply_import(ctx, plan, chunk=5)
    assert sorted(c.name for c in _all_customers(ctx)) == sorted(f"Khách {i}" for i in range(5))
    assert importing.list_batches(ctx)[0].customers == 5
