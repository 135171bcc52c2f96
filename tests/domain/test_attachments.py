"""The attachment rules (issue #16), the same for every entry path: the size limit, the file
name as stored, the content's identity, the type of a picture, and who may remove one."""

from __future__ import annotations

import unicodedata

from desktop_helpdesk.domain import attachments as ad


def test_the_limit_is_the_setting_in_mb_and_20_mb_without_one():
    assert ad.limit_bytes(None) == ad.limit_bytes(0) == ad.limit_bytes(-3) == 20 * ad.MB
    assert ad.limit_bytes(5) == 5 * ad.MB


def test_a_file_at_the_limit_passes_and_one_byte_more_is_refused_with_sizes_in_mb():
    assert ad.validate_size("a.png", 20 * ad.MB, 20 * ad.MB) is None
    err = ad.validate_size("a.png", 20 * ad.MB + 1, 20 * ad.MB)
    assert err.code == "too_large" and dict(err.params) == {"name": "a.png", "size": 20, "limit": 20}
    err = ad.validate_size("scan.pdf", 31_457_280 + 400_000, 20 * ad.MB)
    assert dict(err.params)["size"] == 30.4
    assert ad.validate_size("empty.txt", 0, ad.MB).code == "empty"


def test_a_file_name_is_stored_in_nfc_without_its_folder_and_cut_keeping_its_extension():
    assert ad.clean_file_name(r"C:\Users\lan\Desktop\ " + unicodedata.normalize("NFD", "Biên bản.pdf")) == "Biên bản.pdf"
    assert ad.clean_file_name("/home/lan/ảnh.png") == "ảnh.png"
    long = ad.clean_file_name("a" * 300 + ".docx")
    assert len(long) == ad.FILE_NAME_LIMIT and long.endswith(".docx")


def test_a_name_with_a_control_character_or_no_name_is_refused():
    assert ad.validate_file_name("log\x00.txt").code == "control_character"
    assert ad.validate_file_name("  ").code == "required"
    assert ad.validate_file_name("nhật ký.log") is None


def test_identical_bytes_have_one_identity_and_pictures_are_known_by_their_bytes():
    assert ad.content_hash(b"abc") == ad.content_hash(bytes(b"abc")) != ad.content_hash(b"abd")
    assert ad.guess_mime("ảnh.dat", b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert ad.guess_mime("x", b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert ad.guess_mime("biên bản.pdf") == "application/pdf"
    assert ad.guess_mime("không rõ") == "application/octet-stream"
    assert ad.is_image("image/png") and not ad.is_image("application/pdf")


def test_the_author_or_a_lead_may_remove_and_nobody_else():
    assert ad.may_remove("hotline", 7, 7)
    assert not ad.may_remove("hotline", 7, 8)
    assert not ad.may_remove("technician", 7, None)
    assert ad.may_remove("lead", 7, 8) and ad.may_remove("admin", 1, 8)
    assert ad.may_remove(None, None, 8)  # a tool on the desk's own file, nobody signed in
