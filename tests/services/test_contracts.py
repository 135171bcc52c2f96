"""Contracts through the services: lifecycle moves, payments, renewals, obligations,
entitlement from stored facts and ownership verification."""

from __future__ import annotations

from desktop_helpdesk.services import contracts, customers, tickets

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import text

from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.domain.contracts import LifecycleError
from desktop_helpdesk.domain.errors import ConcurrentEditError
from desktop_helpdesk.services.dto import ContractDraft, CustomerDraft, ListQuery, PackageData, PaymentData, PlannedData
from desktop_helpdesk.services.context import make_context

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)  # 10:00 in Hà Nội


@pytest.fixture
def desk(engine):
    ctx = make_context(uow_factory(engine), lambda: NOW)
    with ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "SPOS", "Phần mềm bán hàng", 6, "office", 240, 24, 48, 72, True, 15_000_000))
        uow.commit()
    cid = customers.save_customer(ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))
    kid = contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pid, value_vnd=20_000_000,
                                              request_received_on=date(2026, 1, 5)))
    return ctx, cid, kid


def _move(ctx, kid, target, on, **kw):
    f = contracts.contract_file(ctx, kid)
    contracts.move_contract(ctx, kid, f.version, target, on, None, **kw)
    return contracts.contract_file(ctx, kid)


def test_the_lifecycle_from_request_to_warranty_with_dates_and_history(desk):
    ctx, _cid, kid = desk
    for target, on in (("agreed", date(2026, 1, 10)), ("signed", date(2026, 1, 15)),
                       ("implementation", date(2026, 1, 20)), ("completed", date(2026, 1, 25))):
        f = _move(ctx, kid, target, on)
    f = _move(ctx, kid, "accepted", date(2026, 1, 31))
    assert (f.stage, f.accepted_on, f.warranty_end) == ("accepted", date(2026, 1, 31), date(2026, 7, 31))
    f = _move(ctx, kid, "warranty", date(2026, 2, 1))
    moves = [(e.old_value, e.new_value, e.body) for e in f.history if e.kind == "stage_changed"]
    assert moves[0] == ("request_received", "agreed", "2026-01-10") and moves[-1][1] == "warranty"


def test_impossible_orders_are_refused_and_nothing_changes(desk):
    ctx, _cid, kid = desk
    before = contracts.contract_file(ctx, kid)
    with pytest.raises(LifecycleError) as info:
        contracts.move_contract(ctx, kid, before.version, "accepted", date(2026, 2, 1), None)
    assert info.value.code == "acceptance_needs_signing"
    with pytest.raises(LifecycleError):
        contracts.move_contract(ctx, kid, before.version, "warranty", date(2026, 2, 1), None)
    after = contracts.contract_file(ctx, kid)
    assert (after.stage, after.version, after.history) == (before.stage, before.version, before.history)


def test_payments_reduce_what_is_owed_and_unpaid_refuses(desk):
    ctx, cid, kid = desk
    _move(ctx, kid, "signed", date(2026, 10, 1))
    assert contracts.customer_coverage(ctx, cid).outstanding_vnd == 20_000_000
    verdict = contracts.entitlement(ctx, cid, None, "incident", "Lỗi in hóa đơn")
    assert verdict.refused and "unpaid" in verdict.codes
    contracts.add_payment(ctx, kid, PaymentData(None, date(2026, 10, 2), 15_000_000, "bank_transfer", "HĐ-0001"), None)
    contracts.add_payment(ctx, kid, PaymentData(None, date(2026, 10, 9), 5_000_000, "cash"), None)
    assert contracts.customer_coverage(ctx, cid).outstanding_vnd == 0
    f = contracts.contract_file(ctx, kid)
    assert f.paid_vnd == 20_000_000 and [p.invoice_number for p in f.payments] == ["HĐ-0001", ""]
    assert [e.kind for e in f.history].count("payment") == 2


def test_a_payment_of_zero_is_refused(desk):
    ctx, _cid, kid = desk
    with pytest.raises(ValueError):
        contracts.add_payment(ctx, kid, PaymentData(None, date(2026, 10, 2), 0), None)


def test_warranty_coverage_grace_and_expiry_from_stored_contracts(desk):
    ctx, cid, kid = desk
    _move(ctx, kid, "signed", date(2026, 4, 1))
    contracts.add_payment(ctx, kid, PaymentData(None, date(2026, 4, 1), 20_000_000), None)
    _move(ctx, kid, "accepted", date(2026, 5, 15))  # 6 months: warranty until 15/11/2026
    verdict = contracts.entitlement(ctx, cid, None, "incident", "Máy chủ báo lỗi")
    assert verdict.coverage.value == "warranty" and verdict.codes == ("in_grace_period",)  # 6 days after


def test_renewal_creates_the_next_term_and_obligations_follow(desk):
    ctx, cid, kid = desk
    _move(ctx, kid, "signed", date(2026, 1, 10))
    _move(ctx, kid, "accepted", date(2026, 2, 20))  # 6 months: warranty to 20/08/2026
    f = contracts.contract_file(ctx, kid)
    end = contracts.renew_maintenance(ctx, kid, f.version, None)
    assert end == date(2027, 8, 20)
    end = contracts.renew_maintenance(ctx, kid, contracts.contract_file(ctx, kid).version, None)
    assert end == date(2028, 8, 20)
    f = contracts.contract_file(ctx, kid)
    assert f.stage == "maintenance" and f.maintenance_end == date(2028, 8, 20)
    rows = contracts.list_obligations(ctx, ListQuery(filters={"customer_id": cid})).rows
    kinds = {(r.kind, r.due_on) for r in rows}
    assert ("maintenance_end", date(2028, 8, 20)) in kinds
    assert ("renewal_notice", date(2028, 7, 21)) in kinds
    assert ("grace_end", date(2028, 8, 30)) in kinds
    assert [e.kind for e in f.history].count("renewed") == 2


def test_planned_milestones_are_obligations_and_due_within_filters(desk):
    ctx, cid, kid = desk
    version = contracts.contract_file(ctx, kid).version
    contracts.save_planned(ctx, kid, version, [PlannedData(None, "milestone_installation", date(2026, 11, 25), "Cài đặt tại cửa hàng"),
                                               PlannedData(None, "milestone_training", date(2027, 1, 10))], None)
    soon = contracts.list_obligations(ctx, ListQuery(filters={"until": date(2026, 11, 30)})).rows
    assert [(r.kind, r.title) for r in soon] == [("milestone_installation", "Cài đặt tại cửa hàng")]
    assert len(contracts.contract_file(ctx, kid).planned) == 2


def test_a_derived_date_cannot_be_planned_by_hand_and_nothing_is_written(desk):
    ctx, cid, kid = desk
    with pytest.raises(ValueError):
        contracts.save_planned(ctx, kid, contracts.contract_file(ctx, kid).version,
                               [PlannedData(None, "warranty_end", date(2027, 1, 10), "Hết bảo hành")], None)
    assert contracts.contract_file(ctx, kid).planned == ()


def test_repeated_how_to_on_the_same_topic_is_refused(desk):
    from desktop_helpdesk.services.dto import TicketDraft

    ctx, cid, _kid = desk
    verdict = contracts.entitlement(ctx, cid, None, "how_to", "Hướng dẫn xuất báo cáo tồn kho")
    assert "repeated_how_to" not in verdict.codes
    tickets.create_ticket(ctx, TicketDraft(customer_id=cid, subject="Hướng dẫn xuất báo cáo tồn kho", request_type="how_to",
                                      channel="hotline"), None)
    verdict = contracts.entitlement(ctx, cid, None, "how_to", "huong dan xuat bao cao ton kho")
    assert verdict.refused and "repeated_how_to" in verdict.codes


def test_verification_answers_are_stored_hashed_and_checked_loosely(desk, engine):
    from sqlalchemy import text

    ctx, cid, _kid = desk
    qid = customers.add_verification_question(ctx, cid, "Tên cửa hàng đầu tiên?", "Kim Hoa Đồng Khởi")
    assert [q.question for q in customers.verification_questions(ctx, cid)] == ["Tên cửa hàng đầu tiên?"]
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT answer_hash FROM verification_questions")).scalar()
    assert "Kim" not in stored and stored.startswith("$argon2id$")
    assert customers.verify_answer(ctx, qid, "kim hoa  dong khoi").matched is True
    assert customers.verify_answer(ctx, qid, "Kim Hoa Lê Lợi").matched is False


def test_planned_items_saved_from_an_older_read_are_refused_not_wiped(desk):
    """Two desks read the contract; the first adds a milestone, the second's list (read
    before) would wipe it: ConcurrentEditError, and the first's milestone stays."""
    ctx, cid, kid = desk
    read = contracts.contract_file(ctx, kid)
    contracts.save_planned(ctx, kid, read.version, [PlannedData(None, "milestone_installation", date(2026, 11, 25), "Cài đặt")],
                           None)
    with pytest.raises(ConcurrentEditError):
        contracts.save_planned(ctx, kid, read.version, [PlannedData(None, "milestone_training", date(2027, 1, 10))], None)
    assert [p.title for p in contracts.contract_file(ctx, kid).planned] == ["Cài đặt"]


def test_contracts_sorted_by_package_page_in_name_then_id_order_one_package_at_a_time(desk, monkeypatch):
    """The list sorted by package reads one arm per package name through (package_id, id)
    (SqlContractRepository._package_groups): walked page by page, both directions, it lists
    the contracts by package name (two packages sharing one name merged by id), then id, as
    the plain sorted query does."""
    from desktop_helpdesk.db.repositories.contracts import SqlContractRepository

    ctx, cid, _ = desk
    with ctx.uow() as uow:
        pids = [uow.packages.add(PackageData(0, code, name, 6, "office", 240, 24, 48, 72, True, 1_000_000))
                for code, name in (("ZB", "Bán hàng"), ("AK", "Kế toán"), ("ZA", "Bán hàng"), ("MM", "Zalo OA"))]
        uow.commit()
    for i in range(11):
        contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pids[i % 4], value_vnd=1_000_000,
                                                   request_received_on=date(2026, 1, 5)))
    with ctx.uow() as uow:
        names = {p.id: p.name for p in uow.session.execute(text("SELECT id, name FROM packages"))}
        rows = list(uow.session.execute(text("SELECT id, package_id FROM contracts")))
    expected = [kid for kid, _ in sorted(((r.id, names[r.package_id]) for r in rows), key=lambda r: (r[1], r[0]))]

    def walk(descending, limit):
        out, after = [], None
        while True:
            page = contracts.list_contracts(ctx, ListQuery(sort="package", descending=descending, limit=limit,
                                                           after=after))
            out += [r.id for r in page.rows]
            if page.next_cursor is None:
                return out
            after = page.next_cursor

    for limit in (1, 2, 3, 100):
        assert walk(False, limit) == expected, limit
        assert walk(True, limit) == expected[::-1], limit
    monkeypatch.setattr(SqlContractRepository, "MAX_PACKAGE_GROUPS", -1)  # the plain sorted query
    assert walk(False, 2) == expected and walk(True, 2) == expected[::-1]
