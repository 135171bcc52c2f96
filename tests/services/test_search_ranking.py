"""Global search ranking (issue #16), on both engines (FTS5 and PostgreSQL's word index):
exact phone and code first, then names, then addresses and notes, each hit saying what
matched; case and diacritics never matter (đ matches d)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from desktop_helpdesk.domain.search import EXACT, KEY_WORDS, PREFIX, WORDS, match_field, parse_query
from desktop_helpdesk.services import customers, search, tickets
from desktop_helpdesk.services.dto import ContactData, CustomerDraft, TicketDraft

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)


def _group(results, kind):
    return next(g for g in results.groups if g.kind == kind)


def _hits(results, kind):
    return [(h.title, h.matched) for h in _group(results, kind).hits]


@pytest.fixture
def street(ctx):
    """Customers saved oldest first: a person named Nguyễn, a shop whose contact is a Nguyễn,
    and, newest of all, a company on Nguyễn Trãi street (recency alone would put it first)."""
    ids = {}
    ids["person"] = customers.save_customer(ctx, CustomerDraft(name="Nguyễn Văn Đức", kind="person",
                                                               phone="0912 345 678", tax_code="0100109106"))
    ids["shop"] = customers.save_customer(ctx, CustomerDraft(
        name="Cửa hàng An Khang", kind="household", code="KH00100",
        contacts=(ContactData(None, "Nguyễn Thị Hoa", phone="0987 654 321"),)))
    ids["street"] = customers.save_customer(ctx, CustomerDraft(
        name="Công ty TNHH Minh Phát", kind="company", address="125 Nguyễn Trãi, Thanh Xuân", province="Hà Nội"))
    ids["ticket"] = tickets.create_ticket(ctx, TicketDraft(
        customer_id=ids["shop"], subject="Máy in hóa đơn báo lỗi", request_type="incident", channel="hotline",
        description="Chị Hoa nhờ gọi lại sau 14h", received_at=T0), None)
    return ids


@pytest.mark.parametrize("typed", ["nguyen", "NGUYỄN", "Nguyễn"])
def test_names_come_before_addresses_whatever_was_newest(ctx, street, typed):
    results = search.global_search(ctx, typed)
    assert _hits(results, "customer") == [("Nguyễn Văn Đức", "name"), ("Cửa hàng An Khang", "contact"),
                                          ("Công ty TNHH Minh Phát", "address")]
    tiers = [h.tier for h in _group(results, "customer").hits]
    assert tiers == [PREFIX, KEY_WORDS, WORDS]
    assert _hits(results, "contact") == [("Nguyễn Thị Hoa", "name")]


def test_an_exact_phone_comes_first_and_says_phone(ctx, street):
    results = search.global_search(ctx, "0987.654.321")  # the shop's contact, typed as said
    [hit] = _group(results, "customer").hits
    assert (hit.id, hit.tier, hit.matched) == (street["shop"], EXACT, "phone")
    assert _hits(results, "contact") == [("Nguyễn Thị Hoa", "phone")]


@pytest.mark.parametrize("typed, matched", [("KH00100", "code"), ("kh00100", "code"), ("0100109106", "tax_code")])
def test_an_exact_code_or_tax_code_says_which(ctx, street, typed, matched):
    hit = _group(search.global_search(ctx, typed), "customer").hits[0]
    assert (hit.tier, hit.matched) == (EXACT, matched)


def test_an_address_search_says_address_and_d_stroke_folds(ctx, street):
    results = search.global_search(ctx, "nguyen trai")
    assert _hits(results, "customer") == [("Công ty TNHH Minh Phát", "address")]
    assert _hits(search.global_search(ctx, "van duc"), "customer")[0] == ("Nguyễn Văn Đức", "name")
    assert _hits(search.global_search(ctx, "VĂN ĐỨC"), "customer")[0] == ("Nguyễn Văn Đức", "name")


def test_a_ticket_says_whether_its_subject_or_its_description_matched(ctx, street):
    assert _hits(search.global_search(ctx, "may in hoa don"), "ticket") == [("Máy in hóa đơn báo lỗi", "subject")]
    assert _hits(search.global_search(ctx, "goi lai sau"), "ticket") == [("Máy in hóa đơn báo lỗi", "description")]
    assert _hits(search.global_search(ctx, "an khang"), "ticket") == [("Máy in hóa đơn báo lỗi", "customer")]


def test_match_field_reads_the_fields_in_their_order():
    terms = parse_query("le loi")
    fields = (("code", "KH1"), ("name", "Nhà sách Hồng Hà"), ("contact", "Lê Lợi Anh"), ("address", "12 Lê Lợi"))
    assert match_field(terms, exact="", fields=fields, search_text="") == (KEY_WORDS, "contact")
    assert match_field(terms, exact="phone", fields=fields, search_text="") == (EXACT, "phone")
    assert match_field(terms, exact="", fields=fields[:2] + fields[3:], search_text="") == (WORDS, "address")
