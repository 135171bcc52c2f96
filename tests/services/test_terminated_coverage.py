"""A contract ended early, through the services on both engines (issue #16): the customer's
and the contract's coverage state on the day before the termination, the day itself and the
day after (DOMAIN.md "a contract may end early ...: coverage ends then"), and the obligations
it cancelled: listed as cancelled where asked for, never raised as alerts nor counted as due."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.domain.coverage import coverage_badge
from desktop_helpdesk.services import alerts, contracts, customers, dashboard
from desktop_helpdesk.services.context import make_context
from desktop_helpdesk.services.dto import ContractDraft, CustomerDraft, ListQuery, PackageData, PaymentData, PlannedData
from tests.factories import Clock

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)  # 10:00 on 21/11/2026 in Hà Nội
TERMINATED = date(2026, 11, 21)
DAY = timedelta(days=1)


@pytest.fixture
def desk(engine):
    """A paid customer under warranty (accepted 1/6/2026, 12 months: to 1/6/2027) with a
    training planned on 25/11 and a visit on 23/11, the contract terminated on 21/11."""
    clock = Clock(NOW)
    ctx = make_context(uow_factory(engine), clock)
    with ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "GOLD", "Phần mềm vàng", 12, "office", 240, 24, 48, 72, True, 30_000_000))
        uow.commit()
    cid = customers.save_customer(ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))
    kid = contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pid, value_vnd=30_000_000,
                                                     request_received_on=date(2026, 5, 1)))
    for target, on in (("signed", date(2026, 5, 10)), ("accepted", date(2026, 6, 1)), ("warranty", date(2026, 6, 2))):
        f = contracts.contract_file(ctx, kid)
        contracts.move_contract(ctx, kid, f.version, target, on, None)
    contracts.add_payment(ctx, kid, PaymentData(None, date(2026, 5, 10), 30_000_000, "bank_transfer"), None)
    f = contracts.contract_file(ctx, kid)
    contracts.save_planned(ctx, kid, f.version, [PlannedData(None, "periodic_training", date(2026, 11, 25), "Đào tạo"),
                                                 PlannedData(None, "periodic_visit", date(2026, 11, 23), "Bảo dưỡng")],
                           None)
    return ctx, clock, cid, kid


def _terminate(ctx, kid):
    f = contracts.contract_file(ctx, kid)
    contracts.move_contract(ctx, kid, f.version, "ended", TERMINATED, None, reason="Khách hàng ngừng kinh doanh")


def _states(ctx, clock, cid, kid):
    """(customer panel, customer list, contract list) states on the clock's day."""
    today = ctx.today()
    facts = contracts.customer_coverage(ctx, cid)
    panel = coverage_badge(today, facts.warranty_end, facts.maintenance_end, facts.outstanding_vnd,
                           terminated_on=facts.terminated_on)
    row = next(r for r in customers.list_customers(ctx, ListQuery(limit=50)).rows if r.id == cid)
    listed = coverage_badge(today, row.warranty_end, row.maintenance_end, row.outstanding_vnd,
                            terminated_on=row.terminated_on)
    k = next(r for r in contracts.list_contracts(ctx, ListQuery(limit=50)).rows if r.id == kid)
    contract = coverage_badge(today, k.warranty_end, k.maintenance_end, 0, terminated_on=k.ended_on)
    return panel, listed, contract


def test_coverage_ends_on_the_termination_day_then_it_is_terminated_not_grace(desk):
    ctx, clock, cid, kid = desk
    _terminate(ctx, kid)
    clock.now = NOW - DAY  # 20/11: one covered day left
    assert {(b.state, b.days) for b in _states(ctx, clock, cid, kid)} == {("warranty", 1)}
    clock.now = NOW  # 21/11, the termination day: its last covered day
    assert {(b.state, b.days) for b in _states(ctx, clock, cid, kid)} == {("warranty", 0)}
    for later in (1, 11, 40):  # 22/11 on, past where grace would have ended: terminated for good
        clock.now = NOW + later * DAY
        badges = _states(ctx, clock, cid, kid)
        assert {(b.state, b.days, b.terminated_on) for b in badges} == {("terminated", later, TERMINATED)}
        assert not any(b.refusal for b in badges)  # billed, not refused


def test_a_contract_that_runs_on_is_not_terminated_and_renewing_undoes_it(desk):
    ctx, clock, cid, kid = desk
    clock.now = NOW + DAY
    assert {b.state for b in _states(ctx, clock, cid, kid)} == {"warranty"}
    _terminate(ctx, kid)
    assert {b.state for b in _states(ctx, clock, cid, kid)} == {"terminated"}
    f = contracts.contract_file(ctx, kid)
    contracts.renew_maintenance(ctx, kid, f.version, None)  # resumed: the end is cleared
    assert {b.state for b in _states(ctx, clock, cid, kid)} == {"warranty"}  # to 1/6/2027 again


def test_cancelled_obligations_are_listed_as_cancelled_only_where_asked_and_never_alerted(desk):
    ctx, clock, cid, kid = desk
    _terminate(ctx, kid)
    since = TERMINATED - 31 * DAY
    page_rows = contracts.list_obligations(ctx, ListQuery(limit=100, filters={"cancelled_since": since,
                                                                              "derived_since": since})).rows
    planned = {o.title: o for o in page_rows if o.title}
    assert {t: (o.cancelled_on, o.done_on) for t, o in planned.items()} == {
        "Đào tạo": (TERMINATED, TERMINATED), "Bảo dưỡng": (TERMINATED, TERMINATED)}
    # Without asking (the alerts, the dashboard, the customer's coming obligations) they are
    # done, not due: nothing of the ended contract is left to count down.
    assert [o for o in contracts.list_obligations(ctx, ListQuery(limit=100)).rows if o.contract_id == kid] == []
    assert alerts.check(ctx) == []
    clock.now = NOW + 3 * DAY  # 24/11: the visit is a day past its date, still not overdue anywhere
    assert alerts.check(ctx) == []
    assert not any(i.contract_id == kid for i in dashboard.build(ctx).items)
    # A month past its date, a cancelled one is history: the page no longer lists it.
    later = date(2026, 11, 25) + 32 * DAY
    rows = contracts.list_obligations(ctx, ListQuery(limit=100, filters={"cancelled_since": later - 31 * DAY})).rows
    assert [o for o in rows if o.contract_id == kid and o.title] == []


def test_before_the_termination_the_same_obligations_were_alerted(desk):
    """The other side of the test above: the alert check does raise the visit and the
    training while the contract runs, so their absence after the termination is the
    cancellation's doing."""
    ctx, _clock, _cid, kid = desk
    raised = alerts.check(ctx)
    assert len([a for a in raised if a.kind == "obligation_due" and a.contract_id == kid]) == 2
