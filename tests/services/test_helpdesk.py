"""The desk's use cases over a real migrated SQLite file."""

from __future__ import annotations

from desktop_helpdesk.services import catalog, contracts, customers, dashboard, tickets

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
from desktop_helpdesk.services.errors import ValidationFailed


def _package(ctx) -> int:
    with ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "SPOS", "Phần mềm bán hàng", 12, "office", 240, 24, 48, 72, True, 15_000_000))
        uow.commit()
    return pid


def _customer(ctx, name="Công ty TNHH Đặng Gia", **kw) -> int:
    return customers.save_customer(ctx, CustomerDraft(name=name, kind="company", **kw))


def test_customer_is_stored_normalised_with_e164_phones_and_nfc_text(ctx):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Công  ty TNHH   Đặng Gia ")
    cid = customers.save_customer(ctx, CustomerDraft(
        name=decomposed, kind="company", tax_code="0100109106", phone="0912.345.678",
        contacts=(ContactData(None, "Nguyễn Văn An", "Giám đốc", "+84 (0) 98 765 4321", "an@example.vn"),),
    ))
    d = customers.get_customer(ctx, cid).draft
    assert d.name == "Công ty TNHH Đặng Gia" and unicodedata.is_normalized("NFC", d.name)
    assert d.phone == "+84912345678"
    assert d.contacts[0].phone == "+84987654321"
    assert d.code == "KH00001"


@pytest.mark.parametrize("typed", ["dang gia", "ĐẶNG", "0912345678", "0100109106", "nguyen van", "kh00001"])
def test_filter_ignores_case_and_diacritics_and_finds_phones_codes_and_contacts(ctx, typed):
    _customer(ctx, tax_code="0100109106", phone="0912 345 678",
              contacts=(ContactData(None, "Nguyễn Văn An", phone="0987654321"),))
    _customer(ctx, name="Hộ kinh doanh Minh Phát")
    rows = customers.list_customers(ctx, ListQuery(text=typed)).rows
    assert [r.name for r in rows] == ["Công ty TNHH Đặng Gia"]


def test_invalid_customer_is_refused_and_nothing_is_written(ctx):
    with pytest.raises(ValidationFailed) as info:
        customers.save_customer(ctx, CustomerDraft(name="A", kind="company", tax_code="12345", phone="abc"))
    assert {e.field for e in info.value.errors} == {"tax_code", "phone"}
    assert customers.list_customers(ctx, ListQuery()).rows == ()


def test_over_long_text_and_control_characters_are_refused_with_the_limit_on_both_engines(ctx):
    """The same rule on SQLite (which would store any length) and PostgreSQL (which refuses
    with a raw driver error, and cannot store NUL at all): refused before any column, nothing
    written; text at exactly the limit is stored whole."""
    with pytest.raises(ValidationFailed) as info:
        customers.save_customer(ctx, CustomerDraft(name="Công ty " * 536, kind="company", notes="a\x00b"))
    errors = {e.field: e for e in info.value.errors}
    assert set(errors) == {"name", "notes"}
    assert errors["name"].code == "too_long" and dict(errors["name"].params) == {"limit": 200, "length": 4287}
    assert errors["name"].text(lambda m: m) == "This is too long: at most 200 characters (now 4287)."
    assert errors["notes"].code == "control_character"
    assert customers.list_customers(ctx, ListQuery()).rows == ()

    cid = _customer(ctx, name="Đ" * 200)  # 200 characters: the limit, not the bytes (400 in UTF-8)
    assert customers.get_customer(ctx, cid).draft.name == "Đ" * 200
    with pytest.raises(ValidationFailed) as info:
        tickets.create_ticket(ctx, TicketDraft(customer_id=cid, subject="Lỗi in\x1b[31m hóa đơn", request_type="incident",
                                               channel="hotline"), None)
    assert [e.code for e in info.value.errors] == ["control_character"]
    subject = "Không in được hóa đơn " * 14  # 308 typed, 307 stored (trimmed): over 300
    with pytest.raises(ValidationFailed):
        tickets.create_ticket(ctx, TicketDraft(customer_id=cid, subject=subject, request_type="incident", channel="hotline"), None)
    tid = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, subject=subject[:300], request_type="incident",
                                                 channel="hotline", description="Dòng 1\n\tDòng 2"), None)
    t = tickets.get_ticket(ctx, tid)
    assert t.draft.subject == subject[:300].strip() and t.draft.description == "Dòng 1\n\tDòng 2"


def test_duplicate_code_is_refused(ctx):
    _customer(ctx, code="KH9")
    with pytest.raises(DuplicateError):
        _customer(ctx, name="Other", code="kh9")


def test_concurrent_edit_is_detected(ctx):
    cid = _customer(ctx)
    first = customers.get_customer(ctx, cid)
    second = customers.get_customer(ctx, cid)
    customers.save_customer(ctx, first.draft.__class__(**{**first.draft.__dict__, "name": "Tên mới"}), cid, first.version)
    with pytest.raises(ConcurrentEditError):
        customers.save_customer(ctx, second.draft, cid, second.version)
    assert customers.get_customer(ctx, cid).draft.name == "Tên mới"


@pytest.mark.parametrize("sort,descending", [("name", False), ("name", True), ("code", False), ("province", True)])
def test_keyset_pages_return_every_row_once_in_order(ctx, sort, descending):
    provinces = ["Hà Nội", "Đà Nẵng", "", "Cần Thơ"]
    for i in range(53):
        _customer(ctx, name=f"Khách {i % 7}", province=provinces[i % 4])
    seen, cursor = [], None
    while True:
        page = customers.list_customers(ctx, ListQuery(sort=sort, descending=descending, after=cursor, limit=10))
        seen.extend(page.rows)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == 53 and len({r.id for r in seen}) == 53
    keys = [(getattr(r, sort), r.id) for r in seen]
    assert keys == sorted(keys, reverse=descending)


def test_contract_gets_number_and_warranty_end_by_calendar_months(ctx):
    pid = _package(ctx)
    cid = _customer(ctx)
    kid = contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pid, stage="warranty", value_vnd=15_000_000,
                                              signed_on=date(2026, 1, 5), accepted_on=date(2026, 1, 31)))
    d = contracts.get_contract(ctx, kid)
    assert d.draft.number == "HD2026-0001"
    assert d.warranty_end == date(2027, 1, 31)
    row = contracts.list_contracts(ctx, ListQuery()).rows[0]
    assert row.customer_name == "Công ty TNHH Đặng Gia" and row.value_vnd == 15_000_000


def test_contract_dates_out_of_order_are_refused(ctx):
    pid = _package(ctx)
    cid = _customer(ctx)
    with pytest.raises(ValidationFailed) as info:
        contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pid, signed_on=date(2026, 3, 1),
                                            accepted_on=date(2026, 2, 1)))
    assert [e.field for e in info.value.errors] == ["accepted_on"]
    assert contracts.list_contracts(ctx, ListQuery()).rows == ()


def test_ticket_history_records_creation_status_assignment_fields_and_notes(ctx):
    cid = _customer(ctx)
    op = catalog.add_operator(ctx, OperatorDraft("", "Nguyễn Thị Hà", "Tổng đài 01", "hotline"))
    received = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
    tid = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, subject="Không in được hóa đơn", request_type="incident",
                                            channel="hotline", received_at=received), op)
    t = tickets.get_ticket(ctx, tid)
    assert t.code == "YC26-000001" and t.draft.received_at == received
    changed = t.draft.__class__(**{**t.draft.__dict__, "status": "waiting_customer", "assignee_id": op, "priority": "high"})
    tickets.update_ticket(ctx, tid, t.version, changed, op, note="Chờ khách gửi file dữ liệu")
    history = tickets.get_ticket(ctx, tid).history
    kinds = [(e.kind, e.field, e.old_value, e.new_value) for e in history]
    assert kinds[0][0] == "created"
    assert ("status_changed", "status", "new", "waiting_customer") in kinds
    assert ("assigned", "assignee_id", "", str(op)) in kinds
    assert ("field_changed", "priority", "normal", "high") in kinds
    assert history[-1].kind == "note" and history[-1].body == "Chờ khách gửi file dữ liệu"
    assert all(e.operator == "Nguyễn Thị Hà" for e in history)


def test_open_filter_and_ticket_search(ctx):
    cid = _customer(ctx)
    for subject, status in (("Lỗi máy in", "new"), ("Đăng nhập lỗi", "resolved")):
        tickets.create_ticket(ctx, TicketDraft(customer_id=cid, subject=subject, request_type="incident", channel="email",
                                          status=status), None)
    assert [r.subject for r in tickets.list_tickets(ctx, ListQuery(filters={"state": "open"})).rows] == ["Lỗi máy in"]
    assert [r.subject for r in tickets.list_tickets(ctx, ListQuery(text="dang nhap")).rows] == ["Đăng nhập lỗi"]


def test_demo_data_is_a_living_desk(ctx):
    from desktop_helpdesk.domain.enums import ContractStage, RequestType, TicketStatus
    from desktop_helpdesk.services.demo import load_demo

    counts = load_demo(ctx)
    assert counts["customers"] >= 40
    customer_rows = customers.list_customers(ctx, ListQuery(limit=500)).rows
    assert {r.kind for r in customer_rows} == {"company", "household", "person"}
    assert len({r.province for r in customer_rows}) >= 5
    contract_rows = contracts.list_contracts(ctx, ListQuery(limit=500)).rows
    assert {r.stage for r in contract_rows} == {s.value for s in ContractStage}
    ticket_rows = tickets.list_tickets(ctx, ListQuery(limit=500)).rows
    assert {r.request_type for r in ticket_rows} == {t.value for t in RequestType}
    assert {r.status for r in ticket_rows} == {s.value for s in TicketStatus}
    packages = catalog.packages(ctx)
    assert {p.warranty_months for p in packages} == {6, 12}
    assert not customers.is_empty(ctx)
    # Every countdown state can be seen whatever the hour the demo is loaded: running,
    # breached, paused and met among the 160, and one fresh 24/7 incident already at risk.
    counts = dashboard.build(ctx).counts
    assert counts["at_risk"] >= 1 and counts["breached"] >= 1 and counts["paused"] >= 1


def test_demo_customers_show_every_coverage_state(engine):
    from desktop_helpdesk.db.uow import uow_factory
    from desktop_helpdesk.services.demo import load_demo
    from desktop_helpdesk.services.context import make_context

    now = datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)
    ctx = make_context(uow_factory(engine), lambda: now)
    load_demo(ctx)
    verdicts = [contracts.entitlement(ctx, c.id, None, "incident", "Lỗi phần mềm")
                for c in customers.list_customers(ctx, ListQuery(limit=500)).rows]
    assert {v.coverage.value for v in verdicts} == {"warranty", "maintenance", "billable", "refused"}
    codes = {code for v in verdicts for code in v.codes}
    assert {"unpaid", "in_grace_period", "expired_beyond_grace"} <= codes
    assert contracts.list_obligations(ctx, ListQuery(limit=500)).rows


def test_operators_and_the_vendors_details_have_the_same_text_rules(ctx):
    with pytest.raises(ValidationFailed) as info:
        catalog.add_operator(ctx, OperatorDraft("", "Nguyễn " * 30, "Tổng đài\x0701", "hotline"))
    assert {(e.field, e.code) for e in info.value.errors} == {("full_name", "too_long"), ("alias", "control_character")}
    assert catalog.operators(ctx) == []
    with pytest.raises(ValidationFailed) as info:
        catalog.set_vendor(ctx, catalog.vendor(ctx), name="Công ty " * 60)
    assert [e.code for e in info.value.errors] == ["too_long"]
    assert catalog.vendor(ctx).get("name", "") == ""
