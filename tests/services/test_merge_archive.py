"""Merging a duplicate customer into the one kept, and archiving and restoring a customer
(issue #14), on a real migrated database of each engine."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.domain.errors import ConcurrentEditError
from desktop_helpdesk.services import changes, contracts, customers, feed, tickets
from desktop_helpdesk.services.context import Author, make_context
from desktop_helpdesk.services.dto import (
    ContactData,
    ContractDraft,
    CustomerDraft,
    ListQuery,
    OperatorDraft,
    PackageData,
    PaymentData,
    TicketDraft,
)
from desktop_helpdesk.services.errors import ValidationFailed

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


class _Operator:
    alias, code = "Lan", "NV001"


@pytest.fixture
def desk(engine):
    """A context whose clock reads NOW, signed by an operator, with a package and the operator's id."""
    ctx = make_context(uow_factory(engine, lambda: NOW, who=Author("desk", _Operator())), lambda: NOW)
    with ctx.uow() as uow:
        package_id = uow.packages.add(PackageData(0, "SPOS", "Phần mềm bán hàng SmartPOS", 12, "office", 240, 24, 48,
                                                  72, True, 15_000_000))
        operator_id = uow.operators.add(OperatorDraft("NV001", "Trần Thị Lan", "Lan", "operator"))
        uow.commit()
    return ctx, package_id, operator_id


def _customer(ctx, name, **fields) -> int:
    return customers.save_customer(ctx, CustomerDraft(name=name, kind="company", **fields))


def _pair(desk):
    """The kept customer (a phone, a primary contact, one contract) and its duplicate (a tax
    code, an address, notes, a primary contact, a contract with obligations, an open and a
    closed ticket, a verification question)."""
    ctx, package_id, operator_id = desk
    keep = _customer(ctx, "Công ty TNHH Hoàng Long", phone="028 3974 3179", notes="Khách quen",
                     contacts=(ContactData(None, "Nguyễn Văn An", "Giám đốc", "0912 345 678", "", True),))
    duplicate = _customer(ctx, "Cty Hoàng Long", tax_code="0100109106", phone="0987 654 321",
                          address="12 Lê Lợi, Quận 1", province="TP. Hồ Chí Minh", notes="Nhập từ Excel",
                          contacts=(ContactData(None, "Lê Thị Bích", "Kế toán", "0903 111 222", "bich@hl.vn", True),))
    kept_contract = contracts.save_contract(ctx, ContractDraft(customer_id=keep, package_id=package_id, stage="warranty",
                                                               signed_on=date(2026, 3, 1), accepted_on=date(2026, 4, 1)))
    moved_contract = contracts.save_contract(ctx, ContractDraft(
        customer_id=duplicate, package_id=package_id, stage="warranty", value_vnd=15_000_000,
        signed_on=date(2026, 5, 1), accepted_on=date(2026, 6, 1)))
    contracts.add_payment(ctx, moved_contract, PaymentData(None, date(2026, 5, 1), 15_000_000), operator_id)
    open_ticket = tickets.create_ticket(ctx, TicketDraft(customer_id=duplicate, contract_id=moved_contract,
                                                         subject="Máy in hóa đơn không in", request_type="incident",
                                                         channel="hotline"), operator_id)
    closed_ticket = tickets.create_ticket(ctx, TicketDraft(customer_id=duplicate, subject="Hỏi cách xuất báo cáo",
                                                           request_type="how_to", channel="hotline"), operator_id)
    t = tickets.get_ticket(ctx, closed_ticket)
    tickets.update_ticket(ctx, closed_ticket, t.version, replace(t.draft, status="closed"), operator_id)
    customers.add_verification_question(ctx, duplicate, "Ai ký hợp đồng?", "Ông Hùng")
    return keep, duplicate, kept_contract, moved_contract, open_ticket, closed_ticket


def _merge(ctx, keep, duplicate, operator_id=None):
    preview = customers.merge_preview(ctx, keep, duplicate)
    return customers.merge_customers(ctx, keep, preview.keep_version, duplicate, preview.duplicate_version, operator_id)


def test_merge_moves_everything_to_the_customer_kept_and_archives_the_duplicate(desk):
    ctx, _package_id, operator_id = desk
    keep, duplicate, kept_contract, moved_contract, open_ticket, closed_ticket = _pair(desk)
    preview = customers.merge_preview(ctx, keep, duplicate)
    assert (preview.keep.code, preview.duplicate.code) == ("KH00001", "KH00002")
    assert (preview.moves.contacts, preview.moves.contracts, preview.moves.tickets, preview.moves.open_tickets,
            preview.moves.questions) == (1, 1, 2, 1, 1)
    assert preview.moves.obligations > 0

    assert customers.merge_customers(ctx, keep, preview.keep_version, duplicate, preview.duplicate_version,
                                     operator_id) == keep

    kept = customers.get_customer(ctx, keep)
    assert [c.full_name for c in kept.draft.contacts] == ["Nguyễn Văn An", "Lê Thị Bích"]
    assert [c.is_primary for c in kept.draft.contacts] == [True, False]  # one primary contact: the kept one's
    # Empty fields filled from the duplicate; the kept customer's own stay.
    assert kept.draft.phone == "+842839743179"
    assert (kept.draft.tax_code, kept.draft.address, kept.draft.province) == (
        "0100109106", "12 Lê Lợi, Quận 1", "TP. Hồ Chí Minh")
    assert kept.draft.notes == "Khách quen\n\n[KH00002] Nhập từ Excel"
    assert kept.archived_at is None and kept.merged_into is None

    gone = customers.get_customer(ctx, duplicate)  # still opened by its id
    assert gone.archived_at == NOW
    assert (gone.merged_into.id, gone.merged_into.code) == (keep, "KH00001")
    assert gone.draft.contacts == ()

    mine = contracts.list_contracts(ctx, ListQuery(filters={"customer_id": keep})).rows
    assert sorted(k.id for k in mine) == sorted([kept_contract, moved_contract])
    assert contracts.list_contracts(ctx, ListQuery(filters={"customer_id": duplicate})).rows == ()
    assert {tickets.get_ticket(ctx, t).draft.customer_id for t in (open_ticket, closed_ticket)} == {keep}
    obligations = contracts.list_obligations(ctx, ListQuery(filters={"customer_id": keep}, limit=500)).rows
    assert {o.contract_id for o in obligations} == {kept_contract, moved_contract}
    assert contracts.list_obligations(ctx, ListQuery(filters={"customer_id": duplicate})).rows == ()
    assert [q.question for q in customers.verification_questions(ctx, keep)] == ["Ai ký hợp đồng?"]
    assert contracts.customer_coverage(ctx, keep) is not None

    # The list and the pickers: the duplicate is gone, the kept customer counts the moved work.
    rows = customers.list_customers(ctx, ListQuery()).rows
    assert [r.id for r in rows] == [keep]
    assert (rows[0].contract_count, rows[0].open_ticket_count) == (2, 1)
    assert [c.id for c in customers.customer_choices(ctx, "hoang long")] == [keep]
    listed = customers.list_customers(ctx, ListQuery(filters={"archived": True})).rows
    assert {(r.id, r.archived) for r in listed} == {(keep, False), (duplicate, True)}


def test_merge_is_in_every_history(desk):
    ctx, _package_id, operator_id = desk
    keep, duplicate, _kept_contract, moved_contract, open_ticket, _closed = _pair(desk)
    _merge(ctx, keep, duplicate, operator_id)

    [kept_entry] = customers.customer_history(ctx, keep)
    assert (kept_entry.kind, kept_entry.field, kept_entry.new_value, kept_entry.body) == (
        "merged", "merged_from", "KH00002", "Cty Hoàng Long")
    assert (kept_entry.operator, kept_entry.occurred_at) == ("Trần Thị Lan", NOW)
    [gone_entry] = customers.customer_history(ctx, duplicate)
    assert (gone_entry.kind, gone_entry.field, gone_entry.new_value, gone_entry.body) == (
        "merged", "merged_into", "KH00001", "Công ty TNHH Hoàng Long")

    last = tickets.get_ticket(ctx, open_ticket).history[-1]
    assert (last.kind, last.field, last.old_value, last.new_value) == ("field_changed", "customer", "KH00002", "KH00001")
    entry = contracts.contract_file(ctx, moved_contract).history[-1]
    assert (entry.kind, entry.old_value, entry.new_value) == ("customer_changed", "KH00002", "KH00001")


def test_moved_work_is_found_under_the_customer_kept(desk):
    """The search text of the kept customer holds the duplicate's contacts, and the moved
    tickets and contracts are found by the kept customer's name."""
    ctx, _package_id, _operator_id = desk
    keep, duplicate, _kept_contract, moved_contract, open_ticket, _closed = _pair(desk)
    _merge(ctx, keep, duplicate)
    assert [r.id for r in customers.list_customers(ctx, ListQuery(text="le thi bich")).rows] == [keep]
    assert [r.id for r in customers.list_customers(ctx, ListQuery(text="0903111222")).rows] == [keep]
    found = tickets.list_tickets(ctx, ListQuery(text="KH00001 may in")).rows
    assert [t.id for t in found] == [open_ticket]
    assert tickets.list_tickets(ctx, ListQuery(text="KH00002 may in")).rows == ()
    assert moved_contract in [k.id for k in contracts.list_contracts(ctx, ListQuery(text="kh00001")).rows]


def test_merge_refuses_a_customer_changed_since_it_was_read(desk):
    ctx, _package_id, _operator_id = desk
    keep, duplicate, *_ = _pair(desk)
    preview = customers.merge_preview(ctx, keep, duplicate)
    # A colleague renames the kept customer meanwhile.
    details = customers.get_customer(ctx, keep)
    customers.save_customer(ctx, replace(details.draft, name="Công ty TNHH Hoàng Long Group"), keep, details.version)
    with pytest.raises(ConcurrentEditError):
        customers.merge_customers(ctx, keep, preview.keep_version, duplicate, preview.duplicate_version)
    # ... or the duplicate.
    preview = customers.merge_preview(ctx, keep, duplicate)
    details = customers.get_customer(ctx, duplicate)
    customers.save_customer(ctx, replace(details.draft, notes="Gọi lại sau"), duplicate, details.version)
    with pytest.raises(ConcurrentEditError) as info:
        customers.merge_customers(ctx, keep, preview.keep_version, duplicate, preview.duplicate_version)
    assert info.value.who == "Lan (NV001)"  # who saved first
    # Nothing moved, nothing archived, no history.
    assert customers.get_customer(ctx, duplicate).archived_at is None
    assert len(customers.get_customer(ctx, duplicate).draft.contacts) == 1
    assert customers.customer_history(ctx, keep) == customers.customer_history(ctx, duplicate) == []


def test_merge_refuses_itself_an_archived_customer_kept_and_a_duplicate_merged_before(desk):
    ctx, _package_id, _operator_id = desk
    keep, duplicate, *_ = _pair(desk)
    third = _customer(ctx, "Hoàng Long chi nhánh Hà Nội")
    details = customers.get_customer(ctx, keep)
    with pytest.raises(ValidationFailed) as info:
        customers.merge_customers(ctx, keep, details.version, keep, details.version)
    assert info.value.errors[0].code == "merge_itself"

    archived = customers.archive_customer(ctx, third, customers.get_customer(ctx, third).version)
    with pytest.raises(ValidationFailed) as info:
        _merge(ctx, archived, duplicate)
    assert info.value.errors[0].text(lambda s: s) == "KH00003 is archived: restore it first, or keep another customer."

    _merge(ctx, keep, duplicate)
    restored = customers.restore_customer(ctx, third, customers.get_customer(ctx, third).version)
    with pytest.raises(ValidationFailed) as info:
        _merge(ctx, restored, duplicate)
    assert info.value.errors[0].text(lambda s: s) == "KH00002 was already merged into KH00001."


def test_archive_is_refused_while_tickets_are_open_and_says_how_many(desk):
    ctx, _package_id, operator_id = desk
    _keep, duplicate, _k, _m, open_ticket, _closed = _pair(desk)
    with pytest.raises(ValidationFailed) as info:
        customers.archive_customer(ctx, duplicate, customers.get_customer(ctx, duplicate).version, operator_id)
    assert info.value.errors[0].text(lambda s: s) == (
        "KH00002 still has open tickets (1): close or move them before archiving.")
    assert customers.get_customer(ctx, duplicate).archived_at is None
    t = tickets.get_ticket(ctx, open_ticket)
    tickets.update_ticket(ctx, open_ticket, t.version, replace(t.draft, status="closed"), operator_id)
    customers.archive_customer(ctx, duplicate, customers.get_customer(ctx, duplicate).version, operator_id)
    assert customers.get_customer(ctx, duplicate).archived_at == NOW


def test_archived_customer_leaves_the_list_and_choices_and_restore_brings_it_back(desk):
    ctx, _package_id, operator_id = desk
    hoa = _customer(ctx, "Nhà thuốc Minh Châu", phone="0912 000 111")
    other = _customer(ctx, "Nhà sách Minh Khai")
    version = customers.get_customer(ctx, hoa).version
    assert customers.archive_customer(ctx, hoa, version, operator_id) == hoa

    assert [r.id for r in customers.list_customers(ctx, ListQuery()).rows] == [other]
    assert [r.id for r in customers.list_customers(ctx, ListQuery(text="minh chau")).rows] == []
    assert [(r.id, r.archived) for r in customers.list_customers(
        ctx, ListQuery(text="minh chau", filters={"archived": True})).rows] == [(hoa, True)]
    assert [c.id for c in customers.customer_choices(ctx, "minh")] == [other]
    assert customers.get_customer(ctx, hoa).draft.name == "Nhà thuốc Minh Châu"  # still opened by its id

    with pytest.raises(ValidationFailed):  # archived already
        customers.archive_customer(ctx, hoa, customers.get_customer(ctx, hoa).version, operator_id)
    with pytest.raises(ConcurrentEditError):  # the version read before the archive
        customers.restore_customer(ctx, hoa, version, operator_id)
    customers.restore_customer(ctx, hoa, customers.get_customer(ctx, hoa).version, operator_id)
    assert customers.get_customer(ctx, hoa).archived_at is None
    assert sorted(c.id for c in customers.customer_choices(ctx, "minh")) == sorted([hoa, other])
    assert [(e.kind, e.operator) for e in customers.customer_history(ctx, hoa)] == [
        ("archived", "Trần Thị Lan"), ("restored", "Trần Thị Lan")]
    with pytest.raises(ValidationFailed):  # not archived
        customers.restore_customer(ctx, hoa, customers.get_customer(ctx, hoa).version, operator_id)


def test_list_pages_by_keyset_without_the_archived(desk):
    ctx, *_ = desk
    ids = [_customer(ctx, f"Khách hàng {n:02d}") for n in range(12)]
    for cid in ids[::3]:
        customers.archive_customer(ctx, cid, customers.get_customer(ctx, cid).version)
    seen, after = [], None
    while True:
        page = customers.list_customers(ctx, ListQuery(limit=3, after=after))
        seen += [r.id for r in page.rows]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == [cid for i, cid in enumerate(ids) if i % 3]


def test_a_merged_duplicate_is_not_restored(desk):
    ctx, *_ = desk
    keep, duplicate, *_ = _pair(desk)
    _merge(ctx, keep, duplicate)
    with pytest.raises(ValidationFailed) as info:
        customers.restore_customer(ctx, duplicate, customers.get_customer(ctx, duplicate).version)
    assert info.value.errors[0].code == "merged"
    assert customers.get_customer(ctx, duplicate).archived_at == NOW


def test_merge_declares_what_it_changes_and_other_desks_hear_of_it(desk):
    assert set(customers.merge_customers.changes) >= {changes.CUSTOMERS, changes.CONTRACTS, changes.TICKETS,
                                                      changes.OBLIGATIONS}
    assert customers.merge_customers.changes[0] == changes.CUSTOMERS
    assert feed.TABLE_KINDS["customer_events"] == (changes.CUSTOMERS,)
    ctx, *_ = desk
    keep, duplicate, *_ = _pair(desk)
    with ctx.uow() as uow:
        start = uow.feed.latest()
    _merge(ctx, keep, duplicate)
    with ctx.uow() as uow:
        rows = uow.feed.since(feed.FeedCursor(start), NOW).rows
    tables = {t for _origin, names in rows for t in names}
    assert {"customers", "contacts", "contracts", "tickets", "obligations", "verification_questions",
            "customer_events", "ticket_events", "contract_events"} <= tables


def test_no_new_work_for_an_archived_or_merged_customer(desk):
    """The pickers do not offer them; a customer selected under "Show archived" or found by
    the caller lookup is refused too, with what to do instead."""
    ctx, package_id, operator_id = desk
    keep, duplicate, _k, moved_contract, open_ticket, _closed = _pair(desk)
    _merge(ctx, keep, duplicate, operator_id)
    with pytest.raises(ValidationFailed) as info:
        tickets.create_ticket(ctx, TicketDraft(customer_id=duplicate, subject="Gọi lại", request_type="how_to",
                                               channel="hotline"), operator_id)
    assert info.value.errors[0].field == "customer_id"
    assert info.value.errors[0].text(lambda s: s) == "KH00002 was merged into KH00001: choose KH00001 instead."
    with pytest.raises(ValidationFailed):
        contracts.save_contract(ctx, ContractDraft(customer_id=duplicate, package_id=package_id))
    # Moving existing work there is new work for it too.
    t = tickets.get_ticket(ctx, open_ticket)
    with pytest.raises(ValidationFailed):
        tickets.update_ticket(ctx, open_ticket, t.version, replace(t.draft, customer_id=duplicate), operator_id)

    other = _customer(ctx, "Nhà thuốc Minh Châu")
    customers.archive_customer(ctx, other, customers.get_customer(ctx, other).version)
    with pytest.raises(ValidationFailed) as info:
        contracts.save_contract(ctx, ContractDraft(customer_id=other, package_id=package_id))
    assert info.value.errors[0].text(lambda s: s) == "KH00003 is archived: restore it first to open new work for it."
    # Work already there is still edited as before.
    k = contracts.get_contract(ctx, moved_contract)
    contracts.save_contract(ctx, replace(k.draft, notes="Đã gộp"), moved_contract, k.version, operator_id)
    tickets.update_ticket(ctx, open_ticket, t.version, replace(t.draft, subject="Máy in không in"), operator_id)


def test_the_global_search_still_finds_a_merged_duplicate_and_says_where_it_went(desk, translator):
    """A caller gives the old code or phone: the search finds the duplicate, marked merged
    into the customer kept (and an archived customer marked archived), so nobody picks it."""
    from desktop_helpdesk.services import search
    from desktop_helpdesk.ui.shell.search import SearchPopup

    ctx, _package_id, _operator_id = desk
    keep, duplicate, *_rest = _pair(desk)
    _merge(ctx, keep, duplicate)
    other = _customer(ctx, "Tiệm vàng Kim Hoa")
    customers.archive_customer(ctx, other, customers.get_customer(ctx, other).version, None)
    hits = {h.id: h for g in search.global_search(ctx, "KH00002").groups for h in g.hits if h.kind == "customer"}
    assert hits[duplicate].status == "merged:KH00001"
    [gone] = [h for g in search.global_search(ctx, "kim hoa").groups for h in g.hits if h.kind == "customer"]
    assert gone.status == "archived"
    translator.set_language("vi")
    assert SearchPopup._detail(hits[duplicate]).startswith("Đã gộp vào KH00001")
    assert SearchPopup._detail(gone).startswith("Đã lưu trữ")


def test_the_caller_lookup_says_a_merged_duplicate_went_into_the_customer_kept(desk):
    from desktop_helpdesk.services import lookup

    ctx, _package_id, _operator_id = desk
    keep, duplicate, *_rest = _pair(desk)
    _merge(ctx, keep, duplicate)
    found = lookup.lookup_caller(ctx, "0987 654 321").matches  # the duplicate's own line, which it keeps
    assert [(m.customer_id, m.archived) for m in found] == [(duplicate, "merged:KH00001")]
    moved = lookup.lookup_caller(ctx, "0903 111 222").matches  # its contact moved with everything else
    assert [(m.customer_id, m.archived) for m in moved] == [(keep, "")]


def test_an_archived_customers_obligations_leave_the_obligations_list_and_stay_on_its_own_page(desk):
    from desktop_helpdesk.services.contracts import list_obligations

    ctx, package_id, _operator_id = desk
    gone = _customer(ctx, "Nhà thuốc Minh Châu")
    stays = _customer(ctx, "Nhà sách Minh Khai")
    for customer_id in (gone, stays):
        contracts.save_contract(ctx, ContractDraft(customer_id=customer_id, package_id=package_id, stage="warranty",
                                                   signed_on=date(2026, 5, 1), accepted_on=date(2026, 6, 1)))
    every = {r.customer_id for r in list_obligations(ctx, ListQuery(limit=500)).rows}
    assert every == {gone, stays}
    customers.archive_customer(ctx, gone, customers.get_customer(ctx, gone).version)
    assert {r.customer_id for r in list_obligations(ctx, ListQuery(limit=500)).rows} == {stays}
    own = list_obligations(ctx, ListQuery(limit=500, filters={"customer_id": gone})).rows
    assert own and {r.customer_id for r in own} == {gone}
