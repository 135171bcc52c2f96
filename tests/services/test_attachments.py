"""Attachments over a real migrated database, on both engines (issue #16): one stored copy
per identical file, the size limit, the file-name rule, removal marked and never destroyed,
who may remove, and a store that refuses deletes and edits."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from desktop_helpdesk.domain import attachments as ad
from desktop_helpdesk.domain.errors import NotFoundError
from desktop_helpdesk.services import attachments, catalog, customers, tickets
from desktop_helpdesk.services.context import SignedIn, make_context
from desktop_helpdesk.services.dto import CustomerDraft, NewAttachment, OperatorDraft, TicketDraft
from desktop_helpdesk.services.errors import ValidationFailed

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture
def desk(engine):
    from desktop_helpdesk.db.uow import uow_factory

    ctx = make_context(uow_factory(engine), lambda: NOW)
    lan = catalog.add_operator(ctx, OperatorDraft("NV001", "Nguyễn Thị Lan", "Tổng đài 01", "hotline"))
    hung = catalog.add_operator(ctx, OperatorDraft("NV002", "Lê Văn Hùng", "Tổng đài 02", "hotline"))
    lead = catalog.add_operator(ctx, OperatorDraft("NV003", "Phạm Minh Châu", "Trưởng nhóm", "lead"))
    customer_id = customers.save_customer(ctx, CustomerDraft(name="Cửa hàng vàng Kim Thành", kind="company"))
    ticket_id = tickets.create_ticket(ctx, TicketDraft(customer_id=customer_id, subject="Lỗi in hoá đơn",
                                                       request_type="incident", channel="hotline"), lan)
    return ctx, {"lan": lan, "hung": hung, "lead": lead}, customer_id, ticket_id


def test_an_identical_file_attached_twice_is_stored_once_and_listed_twice(desk):
    ctx, ops, customer_id, ticket_id = desk
    first = attachments.add_attachment(ctx, "ticket", ticket_id, NewAttachment("màn hình lỗi.png", PNG),
                                       operator_id=ops["lan"])
    second = attachments.add_attachment(ctx, "customer", customer_id, NewAttachment("lỗi lần 2.png", PNG),
                                        operator_id=ops["hung"])
    assert first != second
    assert attachments.stored_contents(ctx) == 1
    row, data = attachments.content(ctx, second)
    assert data == PNG and row.mime == "image/png" and row.size == len(PNG) and row.sha256 == ad.content_hash(PNG)
    listed = attachments.attachments_of(ctx, "ticket", ticket_id)
    assert [(r.file_name, r.added_by) for r in listed] == [("màn hình lỗi.png", "Tổng đài 01 (NV001)")]
    assert listed[0].added_at == NOW


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit(desk):
    ctx, ops, _customer_id, ticket_id = desk
    big = NewAttachment("nhật ký.log", b"x" * (ad.MB + 1))
    with pytest.raises(ValidationFailed) as refused:
        attachments.add_attachment(ctx, "ticket", ticket_id, big, limit=ad.MB, operator_id=ops["lan"])
    (error,) = refused.value.errors
    assert error.code == "too_large"
    assert error.text(lambda s: s) == "“nhật ký.log” is 1 MB: attachments may be at most 1 MB each."
    assert attachments.attachments_of(ctx, "ticket", ticket_id) == []
    assert attachments.stored_contents(ctx) == 0


def test_a_file_name_with_a_control_character_is_refused_and_names_are_kept_in_nfc(desk, tmp_path):
    ctx, ops, _customer_id, ticket_id = desk
    with pytest.raises(ValidationFailed) as refused:
        attachments.add_attachment(ctx, "ticket", ticket_id, NewAttachment("bien\x07ban.pdf", b"%PDF-1.4"))
    assert refused.value.errors[0].code == "control_character"
    decomposed = unicodedata.normalize("NFD", "Biên bản nghiệm thu.pdf")  # as macOS writes names
    path = tmp_path / decomposed
    path.write_bytes(b"%PDF-1.4 scanned")
    (att_id,) = attachments.add_files(ctx, "ticket", ticket_id, [str(path)], operator_id=ops["lan"])
    row, data = attachments.content(ctx, att_id)
    assert row.file_name == "Biên bản nghiệm thu.pdf" and data == b"%PDF-1.4 scanned"
    assert row.mime == "application/pdf"


def test_removed_is_marked_not_destroyed_and_only_by_its_author_or_a_lead(desk):
    ctx, ops, _customer_id, ticket_id = desk
    att = attachments.add_attachment(ctx, "ticket", ticket_id, NewAttachment("log.txt", b"ERROR 42"),
                                     operator_id=ops["lan"])
    with pytest.raises(ValidationFailed) as refused:
        attachments.remove_attachment(ctx, att, operator_id=ops["hung"])
    assert refused.value.errors[0].message == ad.MSG_NOT_YOURS
    attachments.remove_attachment(ctx, att, operator_id=ops["lan"])
    (row,) = attachments.attachments_of(ctx, "ticket", ticket_id)
    assert row.removed and row.removed_at == NOW and row.removed_by == "Tổng đài 01 (NV001)"
    assert attachments.content(ctx, att)[1] == b"ERROR 42"  # still stored, as evidence
    with pytest.raises(ValidationFailed):
        attachments.remove_attachment(ctx, att, operator_id=ops["lan"])
    # A lead removes anyone's.
    other = attachments.add_attachment(ctx, "ticket", ticket_id, NewAttachment("b.txt", b"B"), operator_id=ops["hung"])
    signed_in_lead = make_context(ctx.uow, ctx.clock, SignedIn(next(o for o in catalog.operators(ctx)
                                                                     if o.id == ops["lead"])))
    attachments.remove_attachment(signed_in_lead, other, operator_id=ops["hung"])  # the form's id does not count
    assert attachments.attachments_of(ctx, "ticket", ticket_id)[1].removed_by == "Trưởng nhóm (NV003)"


def test_the_store_refuses_deleting_or_rewriting_an_attachment_whoever_asks(desk, engine):
    ctx, ops, _customer_id, ticket_id = desk
    att = attachments.add_attachment(ctx, "ticket", ticket_id, NewAttachment("a.txt", b"A"), operator_id=ops["lan"])
    for sql in (f"DELETE FROM attachments WHERE id = {att}", "DELETE FROM attachment_contents",
                f"UPDATE attachments SET file_name = 'khác.txt' WHERE id = {att}",
                "UPDATE attachment_contents SET size = size + 1"):
        with pytest.raises(DatabaseError), engine.begin() as con:
            con.execute(text(sql))
    attachments.remove_attachment(ctx, att, operator_id=ops["lan"])
    with pytest.raises(DatabaseError), engine.begin() as con:  # never "un-removed"
        con.execute(text(f"UPDATE attachments SET removed_at = NULL WHERE id = {att}"))
    assert attachments.content(ctx, att)[1] == b"A"


def test_an_attachment_sent_twice_under_one_uuid_is_attached_once_and_an_unknown_record_is_refused(desk):
    ctx, ops, _customer_id, ticket_id = desk
    new = NewAttachment("a.txt", b"A", uuid="8d3c2a4e-4f3b-4f0e-9a53-0c4f6c1d2e3f")
    assert attachments.add_attachment(ctx, "ticket", ticket_id, new) == attachments.add_attachment(
        ctx, "ticket", ticket_id, new)
    assert len(attachments.attachments_of(ctx, "ticket", ticket_id)) == 1
    with pytest.raises(NotFoundError):
        attachments.add_attachment(ctx, "contract", 999_999, NewAttachment("a.txt", b"A"))


def test_an_import_whose_customer_has_files_attached_since_cannot_be_undone(desk):
    ctx, ops, customer_id, _ticket_id = desk
    with ctx.uow() as uow:
        batch = uow.imports.new_batch("khách hàng.xlsx")
        uow.session.execute(text("UPDATE customers SET import_batch_id = :b WHERE id = :c"),
                            {"b": batch, "c": customer_id})  # as if the import had added it
        uow.commit()
    with ctx.uow() as uow:
        assert uow.imports.undo_blockers(batch).other_records == 0
    attachments.add_attachment(ctx, "customer", customer_id, NewAttachment("giấy phép.pdf", b"%PDF"))
    with ctx.uow() as uow:
        assert uow.imports.undo_blockers(batch).other_records == 1  # the file would be left without its customer


def test_a_duplicate_merged_into_a_customer_keeps_its_files_and_the_customer_kept_shows_them(desk):
    ctx, ops, customer_id, _ticket_id = desk
    duplicate = customers.save_customer(ctx, CustomerDraft(name="Kim Thành (trùng)", kind="company"))
    attachments.add_attachment(ctx, "customer", duplicate, NewAttachment("đăng ký kinh doanh.pdf", b"%PDF-1"))
    attachments.add_attachment(ctx, "customer", customer_id, NewAttachment("hợp đồng.pdf", b"%PDF-2"))
    keep, dup = customers.get_customer(ctx, customer_id), customers.get_customer(ctx, duplicate)
    customers.merge_customers(ctx, customer_id, keep.version, duplicate, dup.version)
    assert [r.file_name for r in attachments.attachments_of(ctx, "customer", customer_id)] == [
        "đăng ký kinh doanh.pdf", "hợp đồng.pdf"]
