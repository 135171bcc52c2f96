"""A create is applied once however often it is retried (issue #12): the form's UUID finds
what an earlier attempt stored, whether that attempt committed before the retry (the usual
case: the connection dropped after the commit) or while it ran (the unique index at flush)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from desktop_helpdesk.db.repositories.customers import SqlCustomerRepository
from desktop_helpdesk.db.repositories.tickets import SqlTicketRepository
from desktop_helpdesk.domain import worklog as wl
from desktop_helpdesk.services import contracts, customers, tickets, worklog
from desktop_helpdesk.services.dto import (
    ContractDraft,
    CustomerDraft,
    ListQuery,
    PaymentData,
    TicketDraft,
)
from tests.factories import warranty_ticket


def _new() -> str:
    return str(uuid.uuid4())


def _customer_codes(ctx) -> list[str]:
    return sorted(r.code for r in customers.list_customers(ctx, ListQuery(limit=1000)).rows)


def test_a_customer_saved_twice_under_one_uuid_is_one_customer_and_takes_one_code(ctx):
    draft = CustomerDraft(name="Công ty TNHH Đặng Gia", kind="company", uuid=_new())
    first = customers.save_customer(ctx, draft)
    assert customers.save_customer(ctx, draft) == first
    assert _customer_codes(ctx) == ["KH00001"]
    customers.save_customer(ctx, CustomerDraft(name="Nhà thuốc An Khang", kind="household", uuid=_new()))
    assert _customer_codes(ctx) == ["KH00001", "KH00002"]  # the retry took no code
    with ctx.uow() as uow:
        assert uow.customers.id_for_uuid(draft.uuid) == first


def test_a_retried_customer_with_a_typed_code_is_not_refused_as_a_duplicate_of_itself(ctx):
    draft = CustomerDraft(name="Công ty TNHH Đặng Gia", kind="company", code="DG01", uuid=_new())
    first = customers.save_customer(ctx, draft)
    assert customers.save_customer(ctx, draft) == first
    assert _customer_codes(ctx) == ["DG01"]


def test_drafts_without_a_uuid_are_created_each_time(ctx):
    draft = CustomerDraft(name="Công ty TNHH Đặng Gia", kind="company")
    assert customers.save_customer(ctx, draft) != customers.save_customer(ctx, draft)


def test_a_retry_that_meets_the_first_attempt_at_the_insert_answers_with_its_row(ctx, monkeypatch):
    """The first attempt committed after the retry looked: the unique index refuses the
    retry's row, which rolls back (its code too) and answers with the first one's id."""
    draft = CustomerDraft(name="Công ty TNHH Đặng Gia", kind="company", uuid=_new())
    first = customers.save_customer(ctx, draft)
    real = SqlCustomerRepository.id_for_uuid
    looks = []

    def missed_once(self, value):
        looks.append(value)
        return None if len(looks) == 1 else real(self, value)

    monkeypatch.setattr(SqlCustomerRepository, "id_for_uuid", missed_once)
    assert customers.save_customer(ctx, draft) == first
    assert len(looks) == 2
    monkeypatch.undo()
    assert _customer_codes(ctx) == ["KH00001"]
    customers.save_customer(ctx, CustomerDraft(name="Nhà thuốc An Khang", kind="household"))
    assert _customer_codes(ctx) == ["KH00001", "KH00002"]  # the refused attempt's code was rolled back


def test_an_edit_is_not_looked_up_by_uuid(ctx):
    cid = customers.save_customer(ctx, CustomerDraft(name="Công ty TNHH Đặng Gia", kind="company", uuid=_new()))
    details = customers.get_customer(ctx, cid)
    other = _new()
    assert customers.save_customer(ctx, CustomerDraft(name="Công ty TNHH Đặng Gia Mới", kind="company", uuid=other),
                                   cid, details.version) == cid
    assert customers.get_customer(ctx, cid).draft.name == "Công ty TNHH Đặng Gia Mới"
    with ctx.uow() as uow:
        assert uow.customers.id_for_uuid(other) is None


def test_a_uuid_that_is_no_uuid_is_refused(ctx):
    with pytest.raises(ValueError):
        customers.save_customer(ctx, CustomerDraft(name="Công ty TNHH Đặng Gia", kind="company", uuid="abc"))


def test_a_ticket_opened_twice_under_one_uuid_is_one_ticket_with_one_history(ctx):
    existing = warranty_ticket(ctx)
    first_draft = tickets.get_ticket(ctx, existing).draft
    draft = TicketDraft(customer_id=first_draft.customer_id, contract_id=first_draft.contract_id,
                        subject="Máy in hoá đơn không in được", request_type="incident", channel="hotline",
                        uuid=_new())
    first = tickets.create_ticket(ctx, draft, None)
    history = tickets.get_ticket(ctx, first).history
    assert tickets.create_ticket(ctx, draft, None) == first
    assert tickets.get_ticket(ctx, first).history == history
    rows = tickets.list_tickets(ctx, ListQuery(limit=100)).rows
    assert len(rows) == 2
    assert tickets.create_ticket(ctx, TicketDraft(customer_id=first_draft.customer_id, subject="Lỗi khác",
                                                  request_type="incident", channel="hotline"), None)
    codes = sorted(r.code for r in tickets.list_tickets(ctx, ListQuery(limit=100)).rows)
    assert [c[-6:] for c in codes] == ["000001", "000002", "000003"]  # the retry took no code


def test_a_ticket_retry_racing_its_first_attempt_answers_with_that_ticket(ctx, monkeypatch):
    existing = warranty_ticket(ctx)
    base = tickets.get_ticket(ctx, existing).draft
    draft = TicketDraft(customer_id=base.customer_id, subject="Máy in hoá đơn không in được",
                        request_type="incident", channel="hotline", uuid=_new())
    first = tickets.create_ticket(ctx, draft, None)
    real = SqlTicketRepository.id_for_uuid
    looks = []

    def missed(self, value):  # both early looks miss: the insert meets the row
        looks.append(value)
        return None if len(looks) <= 2 else real(self, value)

    monkeypatch.setattr(SqlTicketRepository, "id_for_uuid", missed)
    assert tickets.create_ticket(ctx, draft, None) == first
    assert len(looks) == 3
    monkeypatch.undo()
    assert len(tickets.list_tickets(ctx, ListQuery(limit=100)).rows) == 2


def test_a_work_log_entry_added_twice_under_one_uuid_is_one_entry(ctx):
    tid = warranty_ticket(ctx)
    draft = wl.WorkLogDraft("note", body="Đã gọi lại cho khách", uuid=_new())
    before = len(tickets.get_ticket(ctx, tid).history)
    first = worklog.add_entry(ctx, tid, None, draft)
    assert worklog.add_entry(ctx, tid, None, draft) == first
    history = tickets.get_ticket(ctx, tid).history
    assert len(history) == before + 1
    assert [e.id for e in history if e.body == "Đã gọi lại cho khách"] == [first]


def test_a_work_log_retry_racing_its_first_attempt_answers_with_that_entry(ctx, monkeypatch):
    tid = warranty_ticket(ctx)
    draft = wl.WorkLogDraft("note", body="Đã gọi lại cho khách", uuid=_new())
    first = worklog.add_entry(ctx, tid, None, draft)
    real = SqlTicketRepository.entry_id_for_uuid
    looks = []

    def missed_once(self, value):
        looks.append(value)
        return None if len(looks) == 1 else real(self, value)

    monkeypatch.setattr(SqlTicketRepository, "entry_id_for_uuid", missed_once)
    assert worklog.add_entry(ctx, tid, None, draft) == first
    monkeypatch.undo()
    assert [e.id for e in tickets.get_ticket(ctx, tid).history if e.body == "Đã gọi lại cho khách"] == [first]


def test_a_contract_and_a_payment_saved_twice_under_one_uuid_are_saved_once(ctx):
    tid = warranty_ticket(ctx)
    cid = tickets.get_ticket(ctx, tid).draft.customer_id
    package_id = contracts.get_contract(ctx, tickets.get_ticket(ctx, tid).draft.contract_id).draft.package_id
    draft = ContractDraft(customer_id=cid, package_id=package_id, stage="signed", value_vnd=12_000_000,
                          signed_on=date(2026, 11, 2), uuid=_new())
    kid = contracts.save_contract(ctx, draft)
    assert contracts.save_contract(ctx, draft) == kid
    assert len(contracts.list_contracts(ctx, ListQuery(limit=100)).rows) == 2
    assert [e.kind for e in contracts.contract_file(ctx, kid).history] == ["created"]
    payment = PaymentData(None, date(2026, 11, 3), 5_000_000, uuid=_new())
    pid = contracts.add_payment(ctx, kid, payment, None)
    assert contracts.add_payment(ctx, kid, payment, None) == pid
    f = contracts.contract_file(ctx, kid)
    assert [p.id for p in f.payments] == [pid]
    assert f.paid_vnd == 5_000_000
    assert [e.kind for e in f.history].count("payment") == 1
