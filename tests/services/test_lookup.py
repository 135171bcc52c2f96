"""The caller lookup over a real migrated SQLite file: numbers typed any way, old plans
included, find the contact stored in today's E.164 form."""

from __future__ import annotations

from desktop_helpdesk.services import contracts, customers, lookup, tickets

from datetime import date, datetime, timezone

import pytest

from desktop_helpdesk.services.dto import ListQuery, ContactData, ContractDraft, CustomerDraft, PackageData, TicketDraft
from desktop_helpdesk.services.context import make_context

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def desk(engine):
    from desktop_helpdesk.db.uow import uow_factory

    ctx = make_context(uow_factory(engine), lambda: NOW)
    with ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "SPOS", "Phần mềm bán hàng", 12, "office", 240, 24, 48, 72, True, 15_000_000))
        uow.commit()
    # Stored as typed today; the lookup must find them from the old forms.
    hanoi = customers.save_customer(ctx, CustomerDraft(
        name="Công ty TNHH Đặng Gia", kind="company", tax_code="0100109106", phone="024 3826 1234",
        contacts=(ContactData(None, "Nguyễn Văn An", "Giám đốc", "0389 123 456"),
                  ContactData(None, "Trần Thị Bình", "Kế toán", "0912 345 678"))))
    saigon = customers.save_customer(ctx, CustomerDraft(
        name="Tiệm vàng Kim Hoa", kind="household", phone="028 3974 3179",
        contacts=(ContactData(None, "Lê Văn Cường", "Chủ tiệm", "083 974 3179"),)))
    contracts.save_contract(ctx, ContractDraft(customer_id=hanoi, package_id=pid, stage="warranty", value_vnd=15_000_000,
                                        signed_on=date(2026, 9, 1), accepted_on=date(2026, 10, 1)))
    tickets.create_ticket(ctx, TicketDraft(customer_id=hanoi, subject="Không in được hóa đơn", request_type="incident",
                                      channel="hotline"), None, override_reason="Khách hẹn thanh toán")
    return ctx, hanoi, saigon


@pytest.mark.parametrize("typed", ["0168 912 3456", "01689123456", "+84 168 912 3456", "0389.123.456", "84389123456"])
def test_an_old_mobile_finds_the_contact_stored_in_the_new_form(desk, typed):
    ctx, hanoi, _ = desk
    found = lookup.lookup_caller(ctx, typed)
    assert found.error == ""
    [match] = found.matches
    assert (match.customer_id, match.contact_name, match.phone, match.matched_by) == (
        hanoi, "Nguyễn Văn An", "+84389123456", "contact_phone")


@pytest.mark.parametrize("typed", ["04 3826 1234", "(04) 38261234", "+84 4 3826 1234", "024.3826.1234"])
def test_an_old_hanoi_landline_finds_the_company(desk, typed):
    ctx, hanoi, _ = desk
    [match] = lookup.lookup_caller(ctx, typed).matches
    assert (match.customer_id, match.contact_id, match.matched_by) == (hanoi, None, "customer_phone")


def test_the_match_carries_coverage_and_the_open_tickets_with_their_clocks(desk):
    ctx, hanoi, _ = desk
    [match] = lookup.lookup_caller(ctx, "0912.345.678").matches
    assert match.contact_name == "Trần Thị Bình"
    assert match.warranty_end == date(2027, 10, 1) and match.outstanding_vnd == 15_000_000
    assert match.open_ticket_count == 1
    [ticket] = match.open_tickets
    assert ticket.subject == "Không in được hóa đơn" and ticket.clocks and ticket.next_due_at is not None


def test_an_ambiguous_number_finds_both_readings_the_likely_one_first(desk):
    ctx, _, saigon = desk
    # Written as an old TP.HCM landline: the shop's landline first, the owner's mobile second.
    found = lookup.lookup_caller(ctx, "08.3974 3179")
    assert found.candidates == ("+842839743179", "+84839743179")
    assert [(m.matched_by, m.reading) for m in found.matches] == [("customer_phone", 0), ("contact_phone", 1)]
    assert {m.customer_id for m in found.matches} == {saigon}
    # Written as a mobile: the owner first.
    assert [m.matched_by for m in lookup.lookup_caller(ctx, "0839 743 179").matches] == ["contact_phone", "customer_phone"]


def test_customer_code_and_tax_code_typed_in_the_same_field(desk):
    ctx, hanoi, _ = desk
    assert [(m.customer_id, m.matched_by) for m in lookup.lookup_caller(ctx, "kh00001").matches] == [(hanoi, "customer_code")]
    assert [(m.customer_id, m.matched_by) for m in lookup.lookup_caller(ctx, "0100109106").matches] == [(hanoi, "tax_code")]


@pytest.mark.parametrize(("typed", "error"), [("0912 345 67", "too_short"), ("abc", "bad_characters"),
                                              ("+1 212 555 1234", "bad_country_code"), ("0112345678", "unknown_prefix")])
def test_an_unreadable_number_is_an_answer_not_an_exception(desk, typed, error):
    ctx, _, _ = desk
    found = lookup.lookup_caller(ctx, typed)
    assert (found.matches, found.error) == ((), error)


def test_nobody_and_nothing(desk):
    ctx, _, _ = desk
    assert lookup.lookup_caller(ctx, "0987 654 321").matches == ()
    assert lookup.lookup_caller(ctx, "0987 654 321").error == ""
    assert lookup.lookup_caller(ctx, "   ") == lookup.lookup_caller(ctx, "")


def test_the_badge_facts_are_the_ones_entitlement_decides_on(desk):
    from desktop_helpdesk.services.dto import PaymentData

    ctx, hanoi, saigon = desk
    kid = contracts.list_contracts(ctx, __import__("desktop_helpdesk.services.dto", fromlist=["ListQuery"]).ListQuery()).rows[0].id
    contracts.add_payment(ctx, kid, PaymentData(None, date(2026, 9, 2), 5_000_000), None)
    for typed, cid in (("0912 345 678", hanoi), ("028 3974 3179", saigon)):
        match = lookup.lookup_caller(ctx, typed).matches[0]
        facts = contracts.customer_coverage(ctx, cid)
        assert (match.warranty_end, match.maintenance_end, match.outstanding_vnd) == (
            facts.warranty_end, facts.maintenance_end, facts.outstanding_vnd)
    assert lookup.lookup_caller(ctx, "0912 345 678").matches[0].outstanding_vnd == 10_000_000


def test_a_contract_ended_early_gives_the_caller_no_warranty_in_the_lookup(desk):
    """The lookup decides coverage as the ticket form does (issue #16): a contract ended early
    covers nothing after its termination day, whatever its warranty end says."""
    ctx, hanoi, _ = desk
    with ctx.uow() as uow:
        kid = uow.contracts.list(ListQuery(filters={"customer_id": hanoi})).rows[0].id
    f = contracts.contract_file(ctx, kid)
    contracts.move_contract(ctx, kid, f.version, "ended", date(2026, 11, 15), None,
                            reason="Khách hàng ngừng sử dụng phần mềm")
    [match] = lookup.lookup_caller(ctx, "0912.345.678").matches
    assert match.warranty_end == date(2026, 11, 15)  # cut at the termination, not 2027-10-01
