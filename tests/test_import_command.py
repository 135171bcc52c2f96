"""`desktop-helpdesk import FILE [--dry-run]`: the same import as File → Import, on a local
file or a team server; prints the counts and the first rows' errors in the user's language;
writes nothing with --dry-run; the rows with errors go to a file beside the one imported."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import create_engine, text

from desktop_helpdesk.app import main


def _file(path):
    book = Workbook()
    ws = book.active
    ws.title = "Khách hàng"
    ws.append(["Tên khách hàng", "Mã số thuế", "Điện thoại"])
    ws.append(["Công ty TNHH Minh Phát", "0100109106", "0912345678"])
    ws.append(["Cửa hàng Hai Lúa", "123", "0912 34"])
    book.save(path)
    return path


def _customers(url):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT name FROM customers ORDER BY id"))]
    finally:
        engine.dispose()


def test_dry_run_then_import_then_again(migrated_db_url, tmp_path, capsys):
    source = _file(tmp_path / "khach-hang.xlsx")
    assert main(["import", str(source), "--database-url", migrated_db_url, "--dry-run", "--lang", "vi"]) == 1
    out = capsys.readouterr().out
    assert "Khách hàng: 1 mới, 0 đã có, 1 có lỗi" in out
    assert "“Khách hàng” dòng 3: Mã số thuế:" in out and "Điện thoại: Số điện thoại quá ngắn." in out
    assert _customers(migrated_db_url) == []  # --dry-run wrote nothing

    assert main(["import", str(source), "--database-url", migrated_db_url, "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "Imported: 1 customers, 0 contacts, 0 contracts, 0 payments" in out
    assert _customers(migrated_db_url) == ["Công ty TNHH Minh Phát"]
    rejected = load_workbook(tmp_path / "khach-hang - rows with errors.xlsx").active
    assert [c.value for c in rejected[2]][:3] == ["Cửa hàng Hai Lúa", "123", "0912 34"]

    assert main(["import", str(source), "--database-url", migrated_db_url, "--lang", "en"]) == 1
    assert "Nothing new to import" in capsys.readouterr().out
    assert _customers(migrated_db_url) == ["Công ty TNHH Minh Phát"]  # no duplicate


@pytest.mark.allow_log_errors  # the refusal is logged (the reason code only)
def test_a_file_that_cannot_be_read_is_said_in_one_line(tmp_path, capsys):
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04garbage")
    assert main(["import", str(broken), "--data-dir", str(tmp_path / "data"), "--lang", "vi"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Không đọc được tệp") and "Traceback" not in err
