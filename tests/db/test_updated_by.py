"""Who last changed a record (issue #12): every save is signed with the desk's author, and a
save refused because a colleague saved first says who that was and when, on both paths the
refusal takes (the version the form read, and a row found changed at the flush)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from desktop_helpdesk.db import models as m
from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.domain.errors import ConcurrentEditError
from desktop_helpdesk.services import customers
from desktop_helpdesk.services.context import Author, make_context
from desktop_helpdesk.services.dto import CustomerDraft

T_A = datetime(2031, 3, 14, 2, 30, tzinfo=timezone.utc)
T_B = datetime(2031, 3, 14, 2, 45, tzinfo=timezone.utc)


class _Operator:
    def __init__(self, alias, code):
        self.alias, self.code = alias, code


@pytest.fixture
def desks(engine):
    a = make_context(uow_factory(engine, lambda: T_A, who=Author("desk-a", _Operator("Lan", "NV002"))), lambda: T_A)
    b = make_context(uow_factory(engine, lambda: T_B, who=Author("desk-b")), lambda: T_B)
    return a, b


def _stored_author(ctx, customer_id):
    with ctx.uow() as uow:
        row = uow.session.get(m.Customer, customer_id)
        return row.updated_by, row.updated_at


def test_a_new_and_a_changed_row_are_signed_by_who_wrote_them(desks):
    a, b = desks
    cid = customers.save_customer(b, CustomerDraft(name="Công ty Bình Minh", kind="company"))
    assert _stored_author(b, cid) == ("desk-b", T_B)  # no operator chosen: the desk's name
    details = customers.get_customer(a, cid)
    customers.save_customer(a, replace(details.draft, notes="Gọi sau 14h"), cid, details.version)
    assert _stored_author(a, cid) == ("Lan (NV002)", T_A)


def test_a_save_over_a_version_read_before_says_who_saved_first_and_when(desks):
    a, b = desks
    cid = customers.save_customer(b, CustomerDraft(name="Công ty Bình Minh", kind="company"))
    read = customers.get_customer(b, cid)
    customers.save_customer(a, replace(read.draft, notes="Gọi sau 14h"), cid, read.version)
    with pytest.raises(ConcurrentEditError) as refused:
        customers.save_customer(b, replace(read.draft, name="Công ty Bình Minh Mới"), cid, read.version)
    assert (refused.value.who, refused.value.when) == ("Lan (NV002)", T_A)
    assert customers.get_customer(a, cid).draft.name == "Công ty Bình Minh"


def test_a_row_found_changed_at_the_flush_says_who_changed_it(desks):
    a, b = desks
    cid = customers.save_customer(b, CustomerDraft(name="Công ty Bình Minh", kind="company"))
    with pytest.raises(ConcurrentEditError) as refused:
        with b.uow() as uow:
            row = uow.session.get(m.Customer, cid)  # read at version 1 ...
            details = customers.get_customer(a, cid)  # ... a colleague saves version 2 ...
            customers.save_customer(a, replace(details.draft, notes="Gọi sau 14h"), cid, details.version)
            row.notes = "Khách đã thanh toán"  # ... and this desk writes over version 1
            uow.commit()
    assert "0 were matched" in str(refused.value)  # SQLAlchemy's StaleDataError, not the version check
    assert (refused.value.who, refused.value.when) == ("Lan (NV002)", T_A)
    assert customers.get_customer(a, cid).draft.notes == "Gọi sau 14h"


def test_without_an_author_nothing_is_signed_and_a_refusal_still_says_when(engine):
    plain = make_context(uow_factory(engine, lambda: T_A), lambda: T_A)
    cid = customers.save_customer(plain, CustomerDraft(name="Công ty Bình Minh", kind="company"))
    read = customers.get_customer(plain, cid)
    customers.save_customer(plain, replace(read.draft, notes="x"), cid, read.version)
    with pytest.raises(ConcurrentEditError) as refused:
        customers.save_customer(plain, replace(read.draft, notes="y"), cid, read.version)
    assert (refused.value.who, refused.value.when) == (None, T_A)


def test_a_long_desk_name_is_cut_to_the_column():
    assert len(Author("x" * 300)()) == 120
    assert Author("")() is None
