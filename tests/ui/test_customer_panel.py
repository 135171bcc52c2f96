"""The customer panel (issue #16): open and recently closed tickets, contracts, coming
obligations and the calls of this month, for the customer selected in the list."""

from __future__ import annotations

from datetime import date, datetime, timezone

from desktop_helpdesk.domain.worklog import WorkLogDraft
from desktop_helpdesk.services import catalog, contracts, customers, lookup, tickets
from desktop_helpdesk.services import worklog as worklog_service
from desktop_helpdesk.services.dto import ContractDraft, CustomerDraft, PackageData, PaymentData, TicketDraft

RECEIVED = datetime(2026, 10, 1, 2, 0, tzinfo=timezone.utc)


def _at(month, day, hour=3):
    return datetime(2026, month, day, hour, 0, tzinfo=timezone.utc)


def _setup(ctx):
    with ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "SPOS", "Phần mềm bán hàng", 12, "office", 240, 24, 48, 72, True,
                                           15_000_000))
        uow.commit()
    cid = customers.save_customer(ctx, CustomerDraft(name="Nhà thuốc Minh Châu", kind="household"))
    kid = contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pid, number="HD2026-0042",
                                               stage="warranty", value_vnd=15_000_000, signed_on=date(2026, 9, 1),
                                               accepted_on=date(2026, 10, 1)))
    contracts.add_payment(ctx, kid, PaymentData(None, date(2026, 9, 1), 15_000_000), None)
    ids = {}
    for key, subject, status in (("open", "Không in được hóa đơn", "new"),
                                 ("closed", "Hỏi cách sao lưu dữ liệu", "closed"),
                                 ("resolved", "Máy quét mã vạch không nhận", "resolved")):
        ids[key] = tickets.create_ticket(ctx, TicketDraft(customer_id=cid, subject=subject, request_type="incident",
                                                          channel="hotline", status=status, received_at=RECEIVED), None)
    op = catalog.operators(ctx)[0].id if catalog.operators(ctx) else None
    call = lambda at, minutes: worklog_service.add_entry(ctx, ids["open"], op, WorkLogDraft(  # noqa: E731
        "call", details={"direction": "in", "duration_minutes": minutes}, occurred_at=at))
    call(_at(11, 20), 12)
    call(_at(10, 30), 40)  # last month: not this month's
    first = call(_at(11, 5), 5)
    worklog_service.correct_entry(ctx, ids["open"], op, first, WorkLogDraft(
        "call", details={"direction": "in", "duration_minutes": 8}, occurred_at=_at(11, 5)), "Gõ nhầm thời lượng")
    return cid, ids


def test_calls_this_month_count_each_call_once_as_last_corrected(ctx):
    from dataclasses import replace

    from tests.factories import Clock

    cid, _ids = _setup(ctx)
    # On the desk's clock in November 2026 (Vietnam time): the 20th's call and the 5th's as
    # corrected to 8 min; October's is last month's.
    assert lookup.calls_this_month(replace(ctx, clock=Clock(_at(11, 21))), cid) == (2, 20)
    assert lookup.calls_this_month(replace(ctx, clock=Clock(_at(10, 31))), cid) == (1, 40)
    # 1 November 00:30 in Hà Nội is still 31 October in UTC: already November's month.
    assert lookup.calls_this_month(replace(ctx, clock=Clock(datetime(2026, 10, 31, 17, 30, tzinfo=timezone.utc))),
                                   cid) == (2, 20)


def test_the_panel_shows_open_and_recently_closed_tickets_contracts_obligations_and_calls(open_desk, qtbot):
    desk = open_desk()  # its clock: 21 November 2026
    cid, ids = _setup(desk.ctx)
    window = desk.window
    window.show_view("customers")
    page = window.pages["customers"]
    page.reload()
    qtbot.waitUntil(lambda: page.model.row_of_id(cid) >= 0, timeout=5000)
    page.table.selectRow(page.model.row_of_id(cid))
    qtbot.waitUntil(lambda: page._view is not None and page._view.details.id == cid, timeout=5000)
    text = page.detail.toPlainText()
    assert "Calls this month: 2 (20 min)" in text
    assert "Open tickets (1)" in text and "Không in được hóa đơn" in text
    assert "Recently closed tickets" in text
    closed_part = text[text.index("Recently closed tickets"):]
    assert "Hỏi cách sao lưu dữ liệu" in closed_part and "Máy quét mã vạch không nhận" in closed_part
    assert "Không in được hóa đơn" not in closed_part
    assert "HD2026-0042" in text and "Upcoming obligations" in text
    code = tickets.get_ticket(desk.ctx, ids["closed"]).code
    assert f"ticket:{ids['closed']}" in page.detail.toHtml() and code in closed_part  # a link, as the open ones


def test_the_panel_in_vietnamese(open_desk, qtbot, vietnamese):
    desk = open_desk()
    cid, _ids = _setup(desk.ctx)
    window = desk.window
    window.show_view("customers")
    page = window.pages["customers"]
    page.reload()
    qtbot.waitUntil(lambda: page.model.row_of_id(cid) >= 0, timeout=5000)
    page.table.selectRow(page.model.row_of_id(cid))
    qtbot.waitUntil(lambda: page._view is not None and page._view.details.id == cid, timeout=5000)
    text = page.detail.toPlainText()
    assert "Cuộc gọi tháng này: 2 (20 phút)" in text and "Phiếu đã đóng gần đây" in text
