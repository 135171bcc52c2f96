"""The desk's use cases over a real migrated SQLite file."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from desktop_helpdesk.domain.errors import ConcurrentEditError, DuplicateError
from desktop_helpdesk.services.dto import (
    ContactData,
    ContractDraft,
    CustomerDraft,
    ListQuery,
    OperatorDraft,
    PackageData,
    TicketDraft,
)
from desktop_helpdesk.services.helpdesk import ValidationFailed


def _package(service) -> int:
    with service.uow_factory() as uow:
        pid = uow.packages.add(PackageData(0, "SPOS", "Phần mềm bán hàng", 12, "office", 240, 24, 48, 72, True, 15_000_000))
        uow.commit()
    return pid


def _customer(service, name="Công ty TNHH Đặng Gia", **kw) -> int:
    return service.save_customer(CustomerDraft(name=name, kind="company", **kw))


def test_customer_is_stored_normalised_with_e164_phones_and_nfc_text(service):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Công  ty TNHH   Đặng Gia ")
    cid = service.save_customer(CustomerDraft(
        name=decomposed, kind="company", tax_code="0100109106", phone="0912.345.678",
        contacts=(ContactData(None, "Nguyễn Văn An", "Giám đốc", "+84 (0) 98 765 4321", "an@example.vn"),),
    ))
    d = service.get_customer(cid).draft
    assert d.name == "Công ty TNHH Đặng Gia" and unicodedata.is_normalized("NFC", d.name)
    assert d.phone == "+84912345678"
    assert d.contacts[0].phone == "+84987654321"
    assert d.code == "KH00001"


@pytest.mark.parametrize("typed", ["dang gia", "ĐẶNG", "0912345678", "0100109106", "nguyen van", "kh00001"])
def test_filter_ignores_case_and_diacritics_and_finds_phones_codes_and_contacts(service, typed):
    _customer(service, tax_code="0100109106", phone="0912 345 678",
              contacts=(ContactData(None, "Nguyễn Văn An", phone="0987654321"),))
    _customer(service, name="Hộ kinh doanh Minh Phát")
    rows = service.list_customers(ListQuery(text=typed)).rows
    assert [r.name for r in rows] == ["Công ty TNHH Đặng Gia"]


def test_invalid_customer_is_refused_and_nothing_is_written(service):
    with pytest.raises(ValidationFailed) as info:
        service.save_customer(CustomerDraft(name="A", kind="company", tax_code="12345", phone="abc"))
    assert {e.field for e in info.value.errors} == {"tax_code", "phone"}
    assert service.list_customers(ListQuery()).rows == ()


def test_duplicate_code_is_refused(service):
    _customer(service, code="KH9")
    with pytest.raises(DuplicateError):
        _customer(service, name="Other", code="kh9")


def test_concurrent_edit_is_detected(service):
    cid = _customer(service)
    first = service.get_customer(cid)
    second = service.get_customer(cid)
    service.save_customer(first.draft.__class__(**{**first.draft.__dict__, "name": "Tên mới"}), cid, first.version)
    with pytest.raises(ConcurrentEditError):
        service.save_customer(second.draft, cid, second.version)
    assert service.get_customer(cid).draft.name == "Tên mới"


@pytest.mark.parametrize("sort,descending", [("name", False), ("name", True), ("code", False), ("province", True)])
def test_keyset_pages_return_every_row_once_in_order(service, sort, descending):
    provinces = ["Hà Nội", "Đà Nẵng", "", "Cần Thơ"]
    for i in range(53):
        _customer(service, name=f"Khách {i % 7}", province=provinces[i % 4])
    seen, cursor = [], None
    while True:
        page = service.list_customers(ListQuery(sort=sort, descending=descending, after=cursor, limit=10))
        seen.extend(page.rows)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == 53 and len({r.id for r in seen}) == 53
    keys = [(getattr(r, sort), r.id) for r in seen]
    assert keys == sorted(keys, reverse=descending)


def test_contract_gets_number_and_warranty_end_by_calendar_months(service):
    pid = _package(service)
    cid = _customer(service)
    kid = service.save_contract(ContractDraft(customer_id=cid, package_id=pid, stage="warranty", value_vnd=15_000_000,
                                              signed_on=date(2026, 1, 5), accepted_on=date(2026, 1, 31)))
    d = service.get_contract(kid)
    assert d.draft.number == "HD2026-0001"
    assert d.warranty_end == date(2027, 1, 31)
    row = service.list_contracts(ListQuery()).rows[0]
    assert row.customer_name == "Công ty TNHH Đặng Gia" and row.value_vnd == 15_000_000


def test_contract_dates_out_of_order_are_refused(service):
    pid = _package(service)
    cid = _customer(service)
    with pytest.raises(ValidationFailed) as info:
        service.save_contract(ContractDraft(customer_id=cid, package_id=pid, signed_on=date(2026, 3, 1),
                                            accepted_on=date(2026, 2, 1)))
    assert [e.field for e in info.value.errors] == ["accepted_on"]
    assert service.list_contracts(ListQuery()).rows == ()


def test_ticket_history_records_creation_status_assignment_fields_and_notes(service):
    cid = _customer(service)
    op = service.add_operator(OperatorDraft("", "Nguyễn Thị Hà", "Tổng đài 01", "hotline"))
    received = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
    tid = service.create_ticket(TicketDraft(customer_id=cid, subject="Không in được hóa đơn", request_type="incident",
                                            channel="hotline", received_at=received), op)
    t = service.get_ticket(tid)
    assert t.code == "YC26-000001" and t.draft.received_at == received
    changed = t.draft.__class__(**{**t.draft.__dict__, "status": "waiting_customer", "assignee_id": op, "priority": "high"})
    service.update_ticket(tid, t.version, changed, op, note="Chờ khách gửi file dữ liệu")
    history = service.get_ticket(tid).history
    kinds = [(e.kind, e.field, e.old_value, e.new_value) for e in history]
    assert kinds[0][0] == "created"
    assert ("status_changed", "status", "new", "waiting_customer") in kinds
    assert ("assigned", "assignee_id", "", str(op)) in kinds
    assert ("field_changed", "priority", "normal", "high") in kinds
    assert history[-1].kind == "note" and history[-1].body == "Chờ khách gửi file dữ liệu"
    assert all(e.operator == "Nguyễn Thị Hà" for e in history)


def test_open_filter_and_ticket_search(service):
    cid = _customer(service)
    for subject, status in (("Lỗi máy in", "new"), ("Đăng nhập lỗi", "resolved")):
        service.create_ticket(TicketDraft(customer_id=cid, subject=subject, request_type="incident", channel="email",
                                          status=status), None)
    assert [r.subject for r in service.list_tickets(ListQuery(filters={"state": "open"})).rows] == ["Lỗi máy in"]
    assert [r.subject for r in service.list_tickets(ListQuery(text="dang nhap")).rows] == ["Đăng nhập lỗi"]


def test_demo_data_is_a_living_desk(service):
    from desktop_helpdesk.domain.enums import ContractStage, RequestType, TicketStatus
    from desktop_helpdesk.services.demo import load_demo

    counts = load_demo(service)
    assert counts["customers"] >= 40
    customers = service.list_customers(ListQuery(limit=500)).rows
    assert {r.kind for r in customers} == {"company", "household", "person"}
    assert len({r.province for r in customers}) >= 5
    contracts = service.list_contracts(ListQuery(limit=500)).rows
    assert {r.stage for r in contracts} == {s.value for s in ContractStage}
    tickets = service.list_tickets(ListQuery(limit=500)).rows
    assert {r.request_type for r in tickets} == {t.value for t in RequestType}
    assert {r.status for r in tickets} == {s.value for s in TicketStatus}
    packages = service.packages()
    assert {p.warranty_months for p in packages} == {6, 12}
    assert not service.is_empty()
    # Every countdown state can be seen whatever the hour the demo is loaded: running,
    # breached, paused and met among the 160, and one fresh 24/7 incident already at risk.
    counts = service.dashboard().counts
    assert counts["at_risk"] >= 1 and counts["breached"] >= 1 and counts["paused"] >= 1


def test_demo_customers_show_every_coverage_state(engine):
    from desktop_helpdesk.db.uow import uow_factory
    from desktop_helpdesk.services.demo import load_demo
    from desktop_helpdesk.services.helpdesk import HelpdeskService

    now = datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)
    service = HelpdeskService(uow_factory(engine), now=lambda: now)
    load_demo(service)
    verdicts = [service.entitlement(c.id, None, "incident", "Lỗi phần mềm")
                for c in service.list_customers(ListQuery(limit=500)).rows]
    assert {v.coverage.value for v in verdicts} == {"warranty", "maintenance", "billable", "refused"}
    codes = {code for v in verdicts for code in v.codes}
    assert {"unpaid", "in_grace_period", "expired_beyond_grace"} <= codes
    assert service.list_obligations(ListQuery(limit=500)).rows
