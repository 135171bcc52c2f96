"""File → Import from Excel/CSV… and Import history… (issue #14), driven through the real
widgets over a real database: the preview names each bad row's errors in the user's language
before anything is written, the good rows go in as one batch, the rows with errors come back
in a file, and the history undoes a batch unless something refers to it."""

from __future__ import annotations

from openpyxl import Workbook, load_workbook
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop_helpdesk.domain.importing import RecordKind
from desktop_helpdesk.services import catalog, customers, importing, tickets
from desktop_helpdesk.services.dto import ListQuery, PackageData, TicketDraft
from desktop_helpdesk.services.progress import Cancelled
from desktop_helpdesk.ui.shell.importer import (
    ImportActions,
    ImportDialog,
    ImportHistoryDialog,
    PreviewModel,
)

CUSTOMER_HEADERS = ["Mã khách hàng", "Tên khách hàng *", "Loại khách hàng", "Mã số thuế", "Địa chỉ",
                    "Tỉnh/Thành phố", "Điện thoại", "Email", "Người liên hệ", "Điện thoại người liên hệ"]
CONTRACT_HEADERS = ["Số hợp đồng", "Khách hàng (mã hoặc MST)", "Gói dịch vụ", "Giá trị (VND)", "Ngày ký"]

GOOD = ["Công ty TNHH Minh Phát", "Nhà thuốc Đức Tâm", "Cửa hàng Hoa Mai"]


def _book(path, sheets: dict[str, list[list]]):
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


def sample_file(path):
    """Three good customers, two bad ones; one good contract, two bad ones."""
    return _book(path, {
        "Khách hàng": [
            CUSTOMER_HEADERS,
            ["", GOOD[0], "Doanh nghiệp", "0100109106", "12 Lê Lợi", "Hà Nội", "0912345678", "", "Chị Lan", ""],
            ["", GOOD[1], "Hộ kinh doanh", "", "", "", "0283 8123 456", "", "", ""],
            ["", GOOD[2], "", "", "", "Cần Thơ", "0903111222", "", "", ""],
            ["", "Công ty Sai Mã Số Thuế", "", "123", "", "", "", "", "", ""],
            ["", "Nhà sách Tiến Thọ", "", "", "", "", "0912 34", "", "", ""],
        ],
        "Hợp đồng": [
            CONTRACT_HEADERS,
            ["HD-01", "0100109106", "SmartPOS", "15.000.000", "05/01/2026"],
            ["HD-02", "0100109106", "SmartPOS", "", "31/02/2026"],
            ["HD-03", "0100109106", "Gói không có", "", "01/03/2026"],
        ],
    })


def add_package(desk):
    catalog.add_package(desk.ctx, PackageData(0, "SPOS", "SmartPOS", 12, "office", 240, 24, 48, 72, True, 0))


def make_actions(desk):
    return ImportActions(desk.window, desk.jobs, desk.settings, lambda: None)


def open_through_the_dialog(desk, qtbot, monkeypatch, path) -> ImportDialog:
    actions = make_actions(desk)
    actions.act_import.trigger()
    dialog = actions.dialog
    assert isinstance(dialog, ImportDialog) and dialog.isVisible()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    dialog.choose_button.click()
    qtbot.waitUntil(lambda: dialog.plan is not None and not dialog.running, timeout=20_000)
    return dialog


def shown_rows(dialog) -> list[dict]:
    model = dialog.model
    return [{name: model.index(row, col).data() for name, col in (
        ("sheet", PreviewModel.SHEET), ("row", PreviewModel.ROW), ("kind", PreviewModel.KIND),
        ("status", PreviewModel.STATUS), ("label", PreviewModel.LABEL), ("errors", PreviewModel.ERRORS))}
        for row in range(model.rowCount())]


def customer_names(ctx) -> set[str]:
    return {r.name for r in customers.list_customers(ctx, ListQuery(limit=1000)).rows}


def wait_box(qtbot, owner, containing: str) -> QMessageBox:
    qtbot.waitUntil(lambda: owner.box is not None and containing in owner.box.text(), timeout=20_000)
    return owner.box


def test_the_file_menu_offers_import_and_its_history_in_both_languages(open_desk, vietnamese):
    desk = open_desk()
    actions = make_actions(desk)
    texts = [a.text() for a in desk.window.menu_file.actions()]
    assert "&Nhập dữ liệu từ Excel/CSV…" in texts and "Lịch sử nhập dữ liệ&u…" in texts
    vietnamese.set_language("en")
    texts = [a.text() for a in desk.window.menu_file.actions()]
    assert texts.index("&Export the list…") + 1 == texts.index("&Import from Excel/CSV…")
    assert texts.index("Import &history…") < texts.index("&Quit")
    assert actions.act_import.shortcut().toString() == "Ctrl+Shift+I"
    shortcuts = [a.shortcut().toString() for a in desk.window.findChildren(type(actions.act_import))
                 if not a.shortcut().isEmpty()]
    assert shortcuts.count("Ctrl+Shift+I") == 1  # taken by nothing else


def test_preview_import_rejections_and_undo(open_desk, qtbot, monkeypatch, tmp_path, vietnamese, qtmodeltester):
    desk = open_desk()
    add_package(desk)
    path = sample_file(tmp_path / "danh sách.xlsx")
    dialog = open_through_the_dialog(desk, qtbot, monkeypatch, path)

    # The preview, before anything is written.
    plan = dialog.plan
    assert (plan.count("new", RecordKind.CUSTOMERS), plan.count("error", RecordKind.CUSTOMERS)) == (3, 2)
    assert (plan.count("new", RecordKind.CONTRACTS), plan.count("error", RecordKind.CONTRACTS)) == (1, 2)
    assert [p.sheet.name for p in dialog.panels] == ["Khách hàng", "Hợp đồng"]
    counts = dialog.counts.text()
    assert "Khách hàng" in counts and "Hợp đồng" in counts and "Có lỗi" in counts
    assert dialog.import_button.text() == "&Nhập 4 dòng hợp lệ" and dialog.import_button.isEnabled()
    rows = shown_rows(dialog)
    assert len(rows) == 8
    phone = next(r for r in rows if r["label"] == "Nhà sách Tiến Thọ")
    assert phone["status"] == "Lỗi" and phone["row"] == "6"
    assert "Điện thoại: Số điện thoại quá ngắn." in phone["errors"]
    date_row = next(r for r in rows if r["label"] == "HD-02")
    assert "Ngày ký" in date_row["errors"] and "31/02/2026" in date_row["errors"]
    package_row = next(r for r in rows if r["label"] == "HD-03")
    assert "Không có gói dịch vụ nào tên “Gói không có”" in package_row["errors"]
    assert customer_names(desk.ctx) == set()  # nothing written yet
    qtmodeltester.check(dialog.model, force_py=True)

    dialog.only_errors.setChecked(True)
    assert [r["label"] for r in shown_rows(dialog)] == ["Công ty Sai Mã Số Thuế", "Nhà sách Tiến Thọ", "HD-02", "HD-03"]
    vietnamese.set_language("en")  # the preview follows the language, without reading the file again
    assert "Phone: This phone number is too short." in shown_rows(dialog)[1]["errors"]
    assert dialog.import_button.text() == "&Import the 4 good rows"
    vietnamese.set_language("vi")

    # Import the good rows: the summary says what went in; the customers list shows them.
    dialog.import_button.click()
    box = wait_box(qtbot, dialog, "Khách hàng: đã thêm 3")
    assert "Hợp đồng: đã thêm 1" in box.text() and "không nhập: 4" in box.text()
    assert customer_names(desk.ctx) == set(GOOD)
    page = desk.window.pages["customers"]
    desk.window.show_view("customers")
    qtbot.waitUntil(lambda: {page.model.row_at(i).name for i in range(page.model.rowCount())} == set(GOOD),
                    timeout=20_000)
    assert not dialog.import_button.isEnabled()  # not twice from the same preview

    # The rows with errors, offered by the summary, saved with the reasons in Vietnamese.
    out = tmp_path / "lỗi.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    with qtbot.waitSignal(dialog.rejections_saved, timeout=20_000):
        dialog.save_in_box.click()
    book = load_workbook(out)
    assert book.sheetnames == ["Khách hàng", "Hợp đồng"]
    customers_sheet = list(book["Khách hàng"].iter_rows(values_only=True))
    assert customers_sheet[0][-1] == "Lỗi"
    assert [r[1] for r in customers_sheet[1:]] == ["Công ty Sai Mã Số Thuế", "Nhà sách Tiến Thọ"]
    assert "Điện thoại" in customers_sheet[2][-1]

    # Undo from the history: asked first, then everything it added is gone.
    actions = desk.window.findChild(ImportActions) or make_actions(desk)
    history = actions.open_history()
    qtbot.waitUntil(lambda: history.loaded, timeout=20_000)
    assert len(history.batches) == 1
    assert history.table.item(0, ImportHistoryDialog.FILE).text() == "danh sách.xlsx"
    assert history.table.item(0, ImportHistoryDialog.CUSTOMERS).text() == "3"
    assert history.table.item(0, ImportHistoryDialog.WHEN).text() == "21/11/2026 10:00"  # Hà Nội time
    confirm = history.ask_undo()
    assert "danh sách.xlsx" in confirm.text() and "Khách hàng: 3" in confirm.text()
    assert confirm.defaultButton() is not history.confirm_undo_button
    with qtbot.waitSignal(history.undone, timeout=20_000):
        history.confirm_undo_button.click()
    assert customer_names(desk.ctx) == set()
    qtbot.waitUntil(lambda: history.batches and history.batches[0].undone_at is not None, timeout=20_000)
    assert history.table.item(0, ImportHistoryDialog.STATE).text().startswith("Đã hoàn tác")
    assert not history.undo_button.isEnabled()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=20_000)
    # The import dialog, still open, reads its file again: the rows are new once more.
    qtbot.waitUntil(lambda: dialog.outcome is None and not dialog.running, timeout=20_000)
    assert dialog.count("new") == 4 and dialog.import_button.isEnabled()


def test_an_undo_refused_says_why(open_desk, qtbot, monkeypatch, tmp_path, vietnamese):
    desk = open_desk()
    add_package(desk)
    dialog = open_through_the_dialog(desk, qtbot, monkeypatch, sample_file(tmp_path / "ds.xlsx"))
    dialog.import_rows()
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=20_000)
    customer = next(r for r in customers.list_customers(desk.ctx, ListQuery(limit=10)).rows if r.name == GOOD[1])
    tickets.create_ticket(desk.ctx, TicketDraft(customer_id=customer.id, subject="Máy in không in",
                                                request_type="incident", channel="hotline"), None)
    history = ImportHistoryDialog(desk.jobs, desk.window)
    qtbot.addWidget(history)
    qtbot.waitUntil(lambda: history.loaded, timeout=20_000)
    history.ask_undo()
    history.confirm_undo_button.click()
    box = wait_box(qtbot, history, "ds.xlsx")
    assert "Số phiếu hỗ trợ đã ghi trên dữ liệu của lần nhập này: 1." in box.text()
    assert customer_names(desk.ctx) == set(GOOD)  # nothing removed
    assert history.undo_button.isEnabled()


def test_changing_a_column_or_a_sheets_kind_reads_the_file_again(open_desk, qtbot, monkeypatch, tmp_path):
    desk = open_desk()
    path = _book(tmp_path / "khac.xlsx", {"Danh sách": [
        ["Đơn vị", "Số máy", "Tên khách hàng"],
        ["Công ty A", "0912345678", "x"],
        ["Công ty B", "0912 34", "y"],
    ]})
    dialog = open_through_the_dialog(desk, qtbot, monkeypatch, path)
    [panel] = dialog.panels
    assert panel.sheet.kind is RecordKind.CUSTOMERS and panel.sheet.mapping == (None, None, "name")
    assert [r.status for r in dialog.plan.results] == ["new", "new"]
    # The names are in the first column, the phones in the second.
    with qtbot.waitSignal(dialog.planned, timeout=20_000):
        panel.set_field("Đơn vị", "name")
    assert panel.sheet.mapping == ("name", None, None)  # "name" is read from one column only
    with qtbot.waitSignal(dialog.planned, timeout=20_000):
        panel.set_field("Số máy", "phone")
    assert [(r.label, r.status) for r in dialog.plan.results] == [("Công ty A", "new"), ("Công ty B", "error")]
    # A sheet not imported: nothing to import, and said why.
    with qtbot.waitSignal(dialog.planned, timeout=20_000):
        panel.set_kind(None)
    assert dialog.plan.results == [] and not dialog.import_button.isEnabled()
    assert panel.warning.text() == "This sheet is not imported." and "No sheet" in dialog.counts.text()
    # Contacts need a customer column the sheet lacks: said, and nothing is read.
    with qtbot.waitSignal(dialog.planned, timeout=20_000):
        panel.set_kind(RecordKind.CONTACTS)
    assert "Customer (code or tax code)" in panel.warning.text()


def test_a_file_that_cannot_be_read_is_said_without_a_traceback(open_desk, qtbot, monkeypatch, tmp_path, vietnamese,
                                                              translator):
    desk = open_desk()
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    actions = make_actions(desk)
    dialog = actions.open_import()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    dialog.choose_file()
    box = wait_box(qtbot, dialog, "Excel")
    assert box.text() == translator.gettext(importing.FILE_MESSAGES["unreadable"])
    assert box.text().startswith("Không đọc được")
    assert "Traceback" not in box.text() and dialog.plan is None


def test_cancel_during_the_import_says_what_went_in_and_reads_the_file_again(open_desk, qtbot, monkeypatch, tmp_path):
    desk = open_desk()
    rows = [CUSTOMER_HEADERS] + [["", f"Khách {i}", "", "", "", "", "", "", "", ""] for i in range(30)]
    dialog = open_through_the_dialog(desk, qtbot, monkeypatch, _book(tmp_path / "nhieu.xlsx", {"Khách hàng": rows}))
    real_apply = importing.apply_import

    def apply_in_small_chunks(ctx, plan, progress=None, operator_id=None, chunk=10):
        def stop_after_ten(done, total):
            if 10 <= done < total:  # the person's Cancel, as the relay says it
                raise Cancelled(done, total)
            progress(done, total)

        return real_apply(ctx, plan, stop_after_ten, operator_id, chunk)

    apply_in_small_chunks.changes = real_apply.changes
    monkeypatch.setattr(importing, "apply_import", apply_in_small_chunks)
    dialog.import_rows()
    box = wait_box(qtbot, dialog, "10 rows went in")
    assert "Import history" in box.text()
    qtbot.waitUntil(lambda: not dialog.running and dialog.plan.count("exists") == 10, timeout=20_000)
    assert dialog.plan.count("new") == 20 and dialog.import_button.isEnabled()
    assert len(customer_names(desk.ctx)) == 10


def test_the_template_is_saved_in_the_interface_language(open_desk, qtbot, monkeypatch, tmp_path, vietnamese):
    desk = open_desk()
    dialog = make_actions(desk).open_import()
    for lang, first_sheet in (("vi", "Khách hàng"), ("en", "Customers")):
        vietnamese.set_language(lang)
        out = tmp_path / f"mau-{lang}.xlsx"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, o=out, **k: (str(o), ""))
        dialog.save_template()
        qtbot.waitUntil(lambda o=out: o.exists() and dialog.box is not None and str(o) in dialog.box.text(),
                        timeout=20_000)
        assert load_workbook(out).sheetnames[0] == first_sheet
        dialog.box.close()
        dialog.box = None


def test_the_dialog_opens_at_the_size_it_was_closed_at(open_desk):
    desk = open_desk()
    actions = make_actions(desk)
    dialog = actions.open_import()
    assert dialog.import_button.text() == "&Import" and not dialog.import_button.isEnabled()
    dialog.resize(720, 500)
    dialog.close()
    assert desk.settings.dialog_sizes["ImportDialog"] == [720, 500]
    again = actions.open_import()
    assert again is not dialog and (again.width(), again.height()) == (720, 500)


def test_a_reading_stopped_after_a_column_change_leaves_nothing_to_import(open_desk, qtbot, monkeypatch, tmp_path):
    desk = open_desk()
    path = _book(tmp_path / "ds.xlsx", {"Khách hàng": [["Tên khách hàng", "Số máy"], ["Công ty A", "0912345678"]]})
    dialog = open_through_the_dialog(desk, qtbot, monkeypatch, path)
    assert dialog.import_button.isEnabled()
    real_plan = importing.plan_import

    def stopped(ctx, path, sheets, progress=None):
        raise Cancelled(0, 1)  # the person's Cancel while the file is read again

    monkeypatch.setattr(importing, "plan_import", stopped)
    dialog.panels[0].set_field("Số máy", "phone")
    qtbot.waitUntil(lambda: not dialog.running and dialog.plan is None, timeout=20_000)
    assert not dialog.import_button.isEnabled() and dialog.model.rowCount() == 0
    assert "read again" in dialog.status.text()
    monkeypatch.setattr(importing, "plan_import", real_plan)
    with qtbot.waitSignal(dialog.planned, timeout=20_000):
        dialog.panels[0].set_field("Số máy", None)
    assert dialog.import_button.isEnabled()
