"""The SLA report's figures (SQL aggregates) match a recount in Python over the same rows,
with the domain's own clock rules, on both engines; months are Vietnam's months."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_helpdesk.db import models as m
from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.domain.errors import NotAllowed
from desktop_helpdesk.domain.sla import ClockKind, ClockState
from desktop_helpdesk.domain.vietnam import VIETNAM
from desktop_helpdesk.services import contracts, customers, reports, tickets
from desktop_helpdesk.services.context import SignedIn, make_context
from desktop_helpdesk.services.demo import load_demo
from desktop_helpdesk.services.dto import (
    ContractDraft,
    CustomerDraft,
    ListQuery,
    OperatorData,
    PackageData,
    PaymentData,
    TicketDraft,
)

from ..factories import Clock

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def demo(engine):
    clock = Clock(datetime(2026, 10, 1, 3, 0, tzinfo=timezone.utc))  # the demo's tickets: from June on
    ctx = make_context(uow_factory(engine), clock)
    load_demo(ctx)
    # Tickets on either side of a month boundary in Vietnam time, and a few more through
    # the year, some of them proposed or resolved later (met, late), some left running.
    # A paid-up customer in warranty all through 2026 on an office-hours package.
    with ctx.uow() as uow:
        package_id = uow.packages.add(PackageData(0, "BH", "Phần mềm bán hàng", 12, "office", 240, 24, 48, 72, False,
                                                  9_000_000))
        uow.commit()
    customer_id = customers.save_customer(ctx, CustomerDraft(name="Công ty TNHH Hoa Mai", kind="company"))
    contract_id = contracts.save_contract(ctx, ContractDraft(customer_id=customer_id, package_id=package_id,
                                                             stage="warranty", value_vnd=9_000_000,
                                                             signed_on=date(2025, 12, 1), accepted_on=date(2026, 1, 15)))
    contracts.add_payment(ctx, contract_id, PaymentData(None, date(2025, 12, 1), 9_000_000), None)
    with Session(engine) as s:
        operator_id = s.scalar(select(m.Operator.id).order_by(m.Operator.id))

    def ticket(local: datetime, subject: str, status_after: list[tuple[timedelta, str]] = ()) -> int:
        at = local.replace(tzinfo=VIETNAM).astimezone(timezone.utc)
        clock.now = at
        tid = tickets.create_ticket(ctx, TicketDraft(customer_id=customer_id, contract_id=contract_id, subject=subject,
                                                     request_type="incident", channel="hotline", received_at=at,
                                                     assignee_id=operator_id), None)
        for after, status in status_after:
            clock.now = at + after
            detail = tickets.get_ticket(ctx, tid)
            tickets.update_ticket(ctx, tid, detail.version, _with_status(detail.draft, status), None)
        return tid

    boundary = {
        "march": ticket(datetime(2026, 3, 31, 23, 30), "Máy in hoá đơn không in được",
                        [(timedelta(hours=1), "solution_proposed"), (timedelta(hours=30), "resolved")]),
        "april": ticket(datetime(2026, 4, 1, 0, 10), "Không đăng nhập được",
                        [(timedelta(days=3), "resolved")]),
    }
    for i in range(6):
        ticket(datetime(2026, 5 + i, 3 + i, 9, 15), f"Lỗi báo cáo tồn kho {i}",
               [(timedelta(minutes=50 * (i + 1)), "solution_proposed"), (timedelta(hours=10 * (i + 1)), "resolved")])
    ticket(datetime(2026, 11, 20, 14, 30), "Treo màn hình bán hàng")  # 3 of its 4 working hours used: at risk
    clock.now = NOW
    return ctx, boundary


def _with_status(draft: TicketDraft, status: str) -> TicketDraft:
    from dataclasses import replace

    return replace(draft, status=status)


def _recount(ctx, engine, query: reports.ReportQuery):
    """Every figure of the report, recounted in Python from every ticket row and the domain's
    clocks (no SQL aggregate)."""
    start, end = query.bounds()
    rows = tickets.list_tickets(ctx, ListQuery(limit=5000)).rows
    with Session(engine) as s:
        extra = {r.id: r for r in s.execute(select(m.Ticket.id, m.Ticket.assignee_id, m.Ticket.resolved_at,
                                                   m.Contract.package_id)
                                            .outerjoin(m.Contract, m.Contract.id == m.Ticket.contract_id))}
        obligations = s.execute(select(m.Obligation.customer_id, m.Obligation.due_on, m.Obligation.done_on,
                                       m.Contract.package_id, m.Obligation.derived)
                                .join(m.Contract, m.Contract.id == m.Obligation.contract_id)).all()

    def key(t, moment=None):
        dim = query.dimension
        if dim == "month":
            local = (moment or t.received_at).astimezone(VIETNAM)
            return f"{local.year:04d}-{local.month:02d}"
        return {"customer": t.customer_id, "package": extra[t.id].package_id,
                "operator": extra[t.id].assignee_id}[dim]

    out = defaultdict(lambda: {"received": 0, "resolved": 0, "met": 0, "breached": 0, "at_risk": 0,
                               "propose": [], "fix": []})
    for t in rows:
        resolved_at = extra[t.id].resolved_at
        if resolved_at is not None and start <= resolved_at < end:
            out[key(t, resolved_at)]["resolved"] += 1
        if not start <= t.received_at < end:
            continue
        g = out[key(t)]
        g["received"] += 1
        for kind, clock in ctx.calendars.live_clocks(t):
            state = clock.state(NOW)
            g["met"] += state == ClockState.MET
            g["breached"] += state == ClockState.BREACHED
            g["at_risk"] += clock.stopped_at is None and state == ClockState.AT_RISK
            if clock.stopped_at is not None and kind in (ClockKind.PROPOSAL, ClockKind.FIX):
                g["propose" if kind == ClockKind.PROPOSAL else "fix"].append(clock.used(NOW))
    due = Counter()
    for customer_id, due_on, done_on, package_id, derived in obligations:
        if not derived and query.first <= due_on and (due_on.year, due_on.month) <= (query.last.year, query.last.month):
            due[(done_on is not None and done_on <= due_on, done_on is not None and done_on > due_on,
                 done_on is None and due_on < ctx.today())] += 1
    return out, due


@pytest.mark.parametrize("dimension", reports.DIMENSIONS)
def test_report_figures_match_a_python_recount(engine, demo, dimension):
    ctx, _boundary = demo
    query = reports.ReportQuery(date(2026, 1, 1), date(2026, 11, 1), dimension)
    data = reports.build_report(ctx, query)
    expected, obligations = _recount(ctx, engine, query)
    shown = {r.key: r for r in data.rows}
    for key, g in expected.items():
        row = shown[key]
        assert (row.received, row.resolved, row.met_total, row.breached_total, row.at_risk) == (
            g["received"], g["resolved"], g["met"], g["breached"], g["at_risk"]), key
        # Told to the second (each instant read as whole seconds): within a second of the domain's.
        for shown_median, used in ((row.median_propose, g["propose"]), (row.median_fix, g["fix"])):
            if used:
                assert abs(shown_median - statistics.median(used)) <= timedelta(seconds=1), key
            else:
                assert shown_median is None, key
    assert {k for k, r in shown.items() if r.received or r.resolved} == set(expected)
    assert data.total.received == sum(g["received"] for g in expected.values()) > 0
    assert data.total.met_total == sum(g["met"] for g in expected.values()) > 0
    assert data.total.breached_total == sum(g["breached"] for g in expected.values()) > 0
    assert data.total.at_risk == sum(g["at_risk"] for g in expected.values()) > 0
    assert data.total.obligations == (sum(obligations.values()), obligations[(True, False, False)],
                                      obligations[(False, True, False)], obligations[(False, False, True)])
    if dimension == "month":  # every month of the period, even one with nothing in it
        assert [r.key for r in data.rows] == [f"2026-{mo:02d}" for mo in range(1, 12)]


def test_a_ticket_received_late_on_the_last_day_of_march_in_vietnam_counts_in_march(engine, demo):
    ctx, boundary = demo
    data = reports.build_report(ctx, reports.ReportQuery(date(2026, 3, 1), date(2026, 4, 1), "month"))
    march, april = data.rows
    assert (march.key, march.received, april.key, april.received) == ("2026-03", 1, "2026-04", 1)
    assert march.met["proposal"] == 1 and march.median_propose == timedelta(0)  # proposed at night: no working time
    # Fixed 30 hours later, on working days: 24 hours was the target, so it was late.
    assert march.breached["fix"] == 1 and march.median_fix == timedelta(hours=30)
    assert april.breached["fix"] == 1 and april.median_fix == timedelta(days=3)
    # March alone: the ticket of 1 April 00:10 local (31 March 17:10 UTC) is not in it.
    only_march = reports.build_report(ctx, reports.ReportQuery(date(2026, 3, 1), date(2026, 3, 31), "month"))
    assert [(r.key, r.received) for r in only_march.rows] == [("2026-03", 1)]


def test_obligations_cancelled_by_an_early_end_are_not_counted(engine, demo):
    """A contract ended early cancels the obligations due after its end (DOMAIN.md, "a
    contract may end early"): they were never owed, so the report neither counts them due
    nor done on time (the cancellation marks them done on the end day)."""
    from desktop_helpdesk.services.dto import PlannedData

    ctx, _boundary = demo
    with Session(engine) as s:
        kid = s.scalar(select(m.Contract.id).join(m.Customer).where(m.Customer.name == "Công ty TNHH Hoa Mai"))
    f = contracts.contract_file(ctx, kid)
    contracts.save_planned(ctx, kid, f.version, [PlannedData(None, "periodic_visit", date(2026, 11, 25), "Bảo dưỡng"),
                                                 PlannedData(None, "periodic_training", date(2026, 11, 10), "Đào tạo")],
                           None)
    november = reports.ReportQuery(date(2026, 11, 1), date(2026, 11, 1), "customer")
    before = reports.build_report(ctx, november)
    f = contracts.contract_file(ctx, kid)
    contracts.move_contract(ctx, kid, f.version, "ended", date(2026, 11, 15), None, reason="Khách hàng giải thể")
    assert [p.cancelled_on for p in contracts.contract_file(ctx, kid).planned if p.due_on.month == 11] == [
        None, date(2026, 11, 15)]
    after = reports.build_report(ctx, november)
    due, on_time, late, missed = before.total.obligations
    assert after.total.obligations == (due - 1, on_time, late, missed)  # the visit of the 25th (not yet due) is gone
    row = next(r for r in after.rows if r.name == "Công ty TNHH Hoa Mai")
    assert row.obligations == (1, 0, 0, 1)  # the training of the 10th, not done: missed


def test_only_leads_and_administrators_see_reports(engine, demo):
    ctx, _boundary = demo
    query = reports.ReportQuery(date(2026, 3, 1), date(2026, 3, 1))
    for role, allowed in (("hotline", False), ("technician", False), ("lead", True), ("admin", True)):
        signed = make_context(ctx.uow, ctx.clock, SignedIn(OperatorData(1, "NV1", "Lan", "Lan", role)))
        if allowed:
            assert reports.build_report(signed, query).total.received == 1
        else:
            with pytest.raises(NotAllowed):
                reports.build_report(signed, query)


def test_excel_file_holds_the_table_as_numbers(tmp_path):
    table = reports.ReportTable("Báo cáo SLA", (("Kỳ", "03/2026"),), ("Tháng", "Tiếp nhận", "Tuân thủ", "Giờ"),
                                ("text", "number", "percent", "hours"), (("03/2026", 12, 0.75, 1.5),),
                                ("Tổng", 12, 0.75, 1.5), ("=cmd",))
    path = reports.write_xlsx(tmp_path / "r.xlsx", table)
    from openpyxl import load_workbook

    ws = load_workbook(path).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "Báo cáo SLA" and values[1][:2] == ["Kỳ", "03/2026"]
    assert values[3] == ["Tháng", "Tiếp nhận", "Tuân thủ", "Giờ"]
    assert values[4] == ["03/2026", 12, 0.75, 1.5] and values[5][0] == "Tổng"
    assert ws.cell(8, 1).data_type == "s"  # a definition starting with "=" is text, never a formula
    assert not list(tmp_path.glob("*.part"))


def test_stored_times_read_as_whole_epoch_seconds_exactly(engine):
    """The medians read each stored instant as whole seconds since the epoch in SQL
    (db/repositories/sla_reports.epoch_seconds): the fraction dropped, never a second off."""
    from sqlalchemy import bindparam

    from desktop_helpdesk.db.repositories.sla_reports import epoch_seconds

    moments = [datetime(2026, 3, 31, 16, 30, 0), datetime(2026, 3, 31, 16, 30, 0, 999_999),
               datetime(2026, 3, 31, 16, 30, 1, 1), datetime(2022, 1, 1, 0, 0, 0, 500_000),
               datetime(2030, 12, 31, 23, 59, 59, 999_000), datetime(2026, 11, 30, 17, 0, 0, 100),
               datetime(2026, 3, 31, 16, 30, 0, 999_499), datetime(2024, 2, 29, 23, 59, 59, 998_600)]
    with Session(engine) as s:
        for moment in moments:
            moment = moment.replace(tzinfo=timezone.utc)
            stored = bindparam("t", moment, type_=m.Ticket.received_at.type)
            micros = (moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1)
            # SQLite's date functions hold an instant to the millisecond (…00.999999 is …01.000).
            expected = (micros + 500) // 1000 // 1000 if engine.dialect.name == "sqlite" else micros // 1_000_000
            assert s.scalar(select(epoch_seconds(s, stored))) == expected, moment
