"""The domain's input rules hold on every service path, on SQLite and PostgreSQL alike:
nothing in the future, sums that fit, text stored as the rules say, refused with a message
the user can act on and nothing written."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import pytest

from desktop_helpdesk.domain import validation as v
from desktop_helpdesk.domain.contracts import MoneyError
from desktop_helpdesk.services import catalog, contracts, customers, lookup, tickets
from desktop_helpdesk.services.dto import (
    CalendarDay,
    ContractDraft,
    CustomerDraft,
    ListQuery,
    PackageData,
    PaymentData,
    TicketDraft,
)
from desktop_helpdesk.services.errors import ValidationFailed


def _package(ctx) -> int:
    with ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "ERP", "Phần mềm ERP", 12, "office", 240, 24, 48, 72, True, v.MAX_MONEY_VND))
        uow.commit()
    return pid


def _customer(ctx, name="Tập đoàn Đại Dương", **kw) -> int:
    return customers.save_customer(ctx, CustomerDraft(name=name, kind="company", phone="0912345678", **kw))


def test_a_ticket_received_in_the_future_is_refused_and_nothing_is_written(ctx):
    cid = _customer(ctx)
    later = ctx.now() + timedelta(hours=1)
    with pytest.raises(ValidationFailed) as info:
        tickets.create_ticket(ctx, TicketDraft(customer_id=cid, subject="Máy in không in", request_type="incident",
                                               channel="hotline", received_at=later), None)
    [err] = info.value.errors
    assert (err.field, err.code) == ("received_at", "in_future")
    assert "in the future" in err.text(lambda m: m) and "5 minutes" in err.text(lambda m: m)
    assert tickets.list_tickets(ctx, ListQuery(filters={"state": "all"})).rows == ()
    # another desk's clock a little ahead: accepted; a call taken this morning: accepted
    for received in (ctx.now() + timedelta(minutes=2), ctx.now() - timedelta(hours=3)):
        tid = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, subject="Máy in không in",
                                                     request_type="incident", channel="hotline",
                                                     received_at=received), None)
        assert tickets.get_ticket(ctx, tid).draft.received_at == received


def test_amounts_at_the_limit_keep_every_sum_in_range(ctx):
    """Two payments at the limit overflowed SQLite's SUM (the customer list broke) when the
    limit was 2^63 - 1: now a customer with several contracts at the limit, each paid twice
    at the limit, lists, looks up and is judged like any other."""
    pid, cid = _package(ctx), _customer(ctx)
    for n in range(3):
        kid = contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pid, stage="warranty",
                                                         number=f"HĐ-{n}", value_vnd=v.MAX_MONEY_VND,
                                                         signed_on=date(2026, 9, 1), accepted_on=date(2026, 10, 1)))
        for _ in range(2):
            contracts.add_payment(ctx, kid, PaymentData(None, date(2026, 9, 2), v.MAX_MONEY_VND), None)
    assert [r.id for r in customers.list_customers(ctx, ListQuery()).rows] == [cid]
    assert contracts.customer_coverage(ctx, cid).outstanding_vnd == 0  # paid twice over: owes nothing
    assert [r.id for r in contracts.list_contracts(ctx, ListQuery(sort="value_vnd")).rows]
    found = lookup.lookup_caller(ctx, "0912345678")
    assert [c.customer_id for c in found.matches] == [cid]
    with pytest.raises(ValidationFailed) as info:
        contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pid, number="HĐ-X",
                                                   value_vnd=v.MAX_MONEY_VND + 1))
    assert [e.code for e in info.value.errors] == ["money_too_large"]
    with pytest.raises(MoneyError):
        contracts.add_payment(ctx, kid, PaymentData(None, date(2026, 9, 3), v.MAX_MONEY_VND + 1), None)


def test_history_notes_and_calendar_day_names_follow_the_text_rules(ctx):
    cid = _customer(ctx)
    tid = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, subject="Không đăng nhập được",
                                                 request_type="incident", channel="hotline"), None)
    t = tickets.get_ticket(ctx, tid)
    with pytest.raises(ValidationFailed) as info:
        tickets.update_ticket(ctx, tid, t.version, t.draft, None, note="Đã gọi lại\x1b[0m")
    assert [(e.field, e.code) for e in info.value.errors] == [("note", "control_character")]
    assert tickets.get_ticket(ctx, tid).version == t.version  # nothing written
    with pytest.raises(ValidationFailed) as info:
        catalog.save_calendar_days(ctx, [CalendarDay(date(2027, 3, 5), "day_off", "Du lịch công ty " * 20)], [])
    assert [(e.code, dict(e.params)) for e in info.value.errors] == [("too_long", {"limit": 200, "length": 319})]
    with pytest.raises(ValidationFailed):
        catalog.save_calendar_days(ctx, [CalendarDay(date(2027, 3, 5), "day_off", "Nghỉ\x00mát")], [])
    assert catalog.calendar_days(ctx) == []


def test_multi_line_text_is_stored_nfc_with_its_tabs_and_line_breaks(ctx):
    typed = unicodedata.normalize("NFD", "Khách báo:\r\n\t- không in được hóa đơn  \r\n\t- máy treo\r\n")
    cid = _customer(ctx, name=unicodedata.normalize("NFD", "Công ty Ánh Dương"), notes=typed,
                    email=unicodedata.normalize("NFD", " ketoan@ánhdương.vn "))
    stored = customers.get_customer(ctx, cid).draft
    assert stored.name == "Công ty Ánh Dương" and stored.email == "ketoan@ánhdương.vn"
    assert stored.notes == "Khách báo:\n\t- không in được hóa đơn\n\t- máy treo"
    tid = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, subject=unicodedata.normalize("NFD", "Lỗi\tin ấn"),
                                                 request_type="incident", channel="hotline", description=typed), None)
    ticket = tickets.get_ticket(ctx, tid).draft
    assert ticket.subject == "Lỗi in ấn"  # a single line: the pasted tab is a space
    assert ticket.description == stored.notes
    # the customer list finds it typed either way
    assert [r.id for r in customers.list_customers(ctx, ListQuery(text="anh duong")).rows] == [cid]


def test_a_work_log_note_keeps_its_tabs_and_refuses_a_control_character(ctx):
    from desktop_helpdesk.domain.worklog import WorkLogDraft
    from desktop_helpdesk.services import worklog

    cid = _customer(ctx)
    tid = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, subject="Máy in không in", request_type="incident",
                                                 channel="hotline"), None)
    for sneaky in ("Đã gọi\x1fkhách", "Đã gọi\x85khách", "Đã gọi\x07khách"):  # str.split() takes the first two for spaces
        with pytest.raises(ValidationFailed) as info:
            worklog.add_entry(ctx, tid, None, WorkLogDraft("note", body=sneaky))
        assert [(e.field, e.code) for e in info.value.errors] == [("body", "control_character")]
    worklog.add_entry(ctx, tid, None, WorkLogDraft("note", body=unicodedata.normalize("NFD", "Bước:\r\n\t1. Khởi động lại\r\n")))
    notes = [e for e in tickets.get_ticket(ctx, tid).history if e.kind == "note"]
    assert [n.body for n in notes] == ["Bước:\n\t1. Khởi động lại"]
