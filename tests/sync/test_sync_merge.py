"""Two laptops and the server change the same records while offline (issue #15)."""

from __future__ import annotations

import sqlite3

import pytest

from desktop_helpdesk.db import offline
from desktop_helpdesk.services import tickets

from tests.factories import warranty_ticket
from tests.sync.conftest import NOW

from tests.sync.helpers import edit_ticket, id_of, uuid_of

pytestmark = pytest.mark.postgresql_only


def _customer_uuid(engine, ctx, ticket_id):
    t = tickets.get_ticket(ctx, ticket_id)
    return uuid_of(engine, "customers", t.draft.customer_id)


def test_the_copy_holds_the_customer_and_cannot_be_read_without_the_key(ctx, engine, laptop_factory):
    tid = warranty_ticket(ctx)
    lap = laptop_factory([_customer_uuid(engine, ctx, tid)])
    local = id_of(lap.engine, "tickets", uuid_of(engine, "tickets", tid))
    assert tickets.get_ticket(lap.ctx, local).draft.subject == "Cân điện tử không nhận"
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(lap.path).execute("SELECT count(*) FROM sqlite_master").fetchone()
    assert "Kim Hoa".encode() not in lap.path.read_bytes()


def test_two_laptops_editing_different_fields_merge_and_the_same_field_gives_one_conflict(
        ctx, engine, laptop_factory):
    tid = warranty_ticket(ctx)
    scope = [_customer_uuid(engine, ctx, tid)]
    a, b = laptop_factory(scope, "a"), laptop_factory(scope, "b")
    uuid = uuid_of(engine, "tickets", tid)
    ta, tb = id_of(a.engine, "tickets", uuid), id_of(b.engine, "tickets", uuid)
    edit_ticket(a.ctx, ta, subject="Cân không nhận (laptop A)")
    edit_ticket(b.ctx, tb, description="Mô tả từ laptop B")
    assert a.sync().new_conflicts == 0
    assert b.sync().new_conflicts == 0
    a.sync()
    for ctx_, tid_ in ((ctx, tid), (a.ctx, ta), (b.ctx, tb)):
        d = tickets.get_ticket(ctx_, tid_).draft
        assert (d.subject, d.description) == ("Cân không nhận (laptop A)", "Mô tả từ laptop B")
    # Now both change the subject: the second to sync gets exactly one conflict.
    edit_ticket(a.ctx, ta, subject="Tiêu đề A")
    edit_ticket(b.ctx, tb, subject="Tiêu đề B")
    assert a.sync().new_conflicts == 0
    out = b.sync()
    assert out.new_conflicts == 1 and out.conflicts == 1
    waiting = offline.server_conflicts(engine)
    assert [(c["field"], c["mine"], c["theirs"]) for c in waiting] == [
        ("subject", '"Tiêu đề B"', '"Tiêu đề A"')]
    # Nothing lost: B's value waits in the conflict; keeping it writes it everywhere.
    offline.resolve_on_server(engine, waiting[0]["uuid"], "mine", author="lead", now=NOW)
    a.sync(), b.sync()
    assert tickets.get_ticket(ctx, tid).draft.subject == "Tiêu đề B"
    assert tickets.get_ticket(a.ctx, ta).draft.subject == "Tiêu đề B"
    assert b.state()["conflicts"] == 0
