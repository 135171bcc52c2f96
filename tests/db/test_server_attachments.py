"""Attachments on the team server (issue #16), against the session's real PostgreSQL server:
an operator's login role adds attachments and marks them removed through the desk, but can
neither delete nor overwrite one with raw SQL; the author is the server's session user."""

from __future__ import annotations

import psycopg
import pytest

from desktop_helpdesk.services import accounts, attachments, customers
from desktop_helpdesk.services.dto import CustomerDraft, NewAttachment

from .test_server_accounts import _desk, _raw, server  # noqa: F401 - the fixture of the accounts' tests

pytestmark = pytest.mark.postgresql_only


def test_staff_add_and_mark_removed_but_cannot_delete_or_overwrite_an_attachment(server):  # noqa: F811
    ctx, names, url = server
    customer_id = customers.save_customer(ctx, CustomerDraft(name="Tiệm vàng Kim Long", kind="company"))
    desk, session, _author, engine = _desk(url, None)
    try:
        me = accounts.sign_in(desk, names["hotline"], "mật khẩu hotline")
        session.operator = me
        someone_else = next(x.id for x in accounts.accounts(desk) if x.login != me.login)
        att = attachments.add_attachment(desk, "customer", customer_id,
                                         NewAttachment("biên bản.pdf", b"%PDF-1.4 signed"), operator_id=someone_else)
        (row,) = attachments.attachments_of(desk, "customer", customer_id)
        assert row.added_by_id == me.id  # the server's session user, not what the form passed
        with _raw(url, names["hotline"], "mật khẩu hotline") as con:
            for sql in (f"DELETE FROM attachments WHERE id = {att}", "DELETE FROM attachment_contents",
                        f"UPDATE attachments SET file_name = 'giả.pdf' WHERE id = {att}",
                        f"UPDATE attachments SET owner_id = owner_id + 1 WHERE id = {att}",
                        "UPDATE attachment_contents SET data = 'giả'::bytea",
                        "TRUNCATE attachments"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    con.execute(sql)
        attachments.remove_attachment(desk, att)  # the removal mark is theirs to write
        (row,) = attachments.attachments_of(ctx, "customer", customer_id)
        assert row.removed and attachments.content(ctx, att)[1] == b"%PDF-1.4 signed"
    finally:
        session.connect_as.dispose()
        engine.dispose()
