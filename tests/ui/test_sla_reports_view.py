"""The Reports view: a lead picks a period and a grouping and sees the SLA figures in a
chart and a table; exports write Excel and PDF files in either language; other roles are
told the view is not theirs."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt

H = Qt.Orientation.Horizontal

from desktop_helpdesk.services import reports
from desktop_helpdesk.services.dto import OperatorData


def _open_reports(open_desk, qtbot):
    desk = open_desk(demo=True)
    window = desk.window
    page = window.reports
    with qtbot.waitSignal(page.report_ready, timeout=20_000):
        window.show_view("reports")
    return desk, page


def test_the_view_shows_the_last_three_months_and_follows_a_period_change(open_desk, qtbot, qtmodeltester):
    desk, page = _open_reports(open_desk, qtbot)
    assert desk.window.current_page() is page
    model = page.model
    qtmodeltester.check(model)
    expected = reports.build_report(desk.ctx, reports.ReportQuery(date(2026, 9, 1), date(2026, 11, 1)))
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["09/2026", "10/2026", "11/2026", "Total"]
    total = model.rowCount() - 1
    assert model.index(total, 1).data() == str(expected.total.received) and expected.total.received > 0
    assert model.index(total, 4).data() == str(expected.total.breached_total)
    assert model.headerData(7, H) == "Median to propose"
    assert "working hours" in model.headerData(7, H, Qt.ItemDataRole.ToolTipRole)  # the tip says which time is counted
    chart = page.chart
    assert len(chart.series()) == 1 and chart.series()[0].count() == 3  # met, breached, at risk
    # Only November: one month and the total; the counts are November's.
    november = reports.build_report(desk.ctx, reports.ReportQuery(date(2026, 11, 1), date(2026, 11, 1)))
    with qtbot.waitSignal(page.report_ready, timeout=20_000):
        page.first.setDate(QDate(2026, 11, 1))
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["11/2026", "Total"]
    assert model.index(1, 1).data() == str(november.total.received)
    assert "Period 11/2026" in page.status.text()
    # By operator: one row per assignee (and the unassigned tickets), as many as the service says.
    with qtbot.waitSignal(page.report_ready, timeout=20_000):
        page.dimension.setCurrentIndex(reports.DIMENSIONS.index("operator"))
    by_operator = reports.build_report(desk.ctx, reports.ReportQuery(date(2026, 11, 1), date(2026, 11, 1), "operator"))
    assert model.rowCount() == len(by_operator.rows) + 1
    assert model.headerData(0, H) == "Operator"
    qtmodeltester.check(model)


def test_export_writes_an_excel_file_and_a_pdf_in_vietnamese(open_desk, qtbot, tmp_path):
    desk, page = _open_reports(open_desk, qtbot)
    xlsx = tmp_path / "sla.xlsx"
    with qtbot.waitSignal(page.exported, timeout=20_000):
        page.export_to(xlsx, "vi")
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][0] == "Báo cáo SLA"
    header = next(r for r in rows if r[0] == "Tháng")
    assert header[1] == "Phiếu tiếp nhận"
    total = next(r for r in rows if r[0] == "Tổng")
    assert total[1] == page.report.total.received  # a number, not text
    pdf = tmp_path / "sla.pdf"
    with qtbot.waitSignal(page.exported, timeout=20_000):
        page.export_to(pdf, "vi")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
    assert "sla.pdf" in page.status.text()
    assert page.model.headerData(1, H) == "Received tickets"  # the view stays in its own language


def test_a_hotline_operator_is_not_offered_reports_and_is_told_they_are_for_leads(open_desk, qtbot):
    desk = open_desk(demo=True)
    window = desk.window
    row = list(window.views).index("reports")
    assert not window.nav.item(row).isHidden()  # the desk's own operator may see them
    hotline = OperatorData(1, "NV1", "Lan", "Lan", "hotline")
    desk.ctx.session.operator = hotline
    window.set_operator(hotline)
    # Not in the navigation, its Ctrl+5 does nothing, and asking for the view keeps the current one.
    assert window.nav.item(row).isHidden()
    assert not window.act_views[row].isEnabled()
    window.show_view("reports")
    assert window.current_page() is not window.reports
    # Reached anyway (a stale shortcut, a remembered view): the page says whose it is.
    page = window.reports
    page.reload()
    assert page.status.text() == "Reports are for support leads and administrators."
    assert not page.run_button.isEnabled() and not page.excel_button.isEnabled()
    assert page.model.rowCount() == 0
    # A lead signs in at the same desk: the view is back.
    lead = OperatorData(2, "NV2", "Minh", "Minh", "lead")
    desk.ctx.session.operator = lead
    window.set_operator(lead)
    assert not window.nav.item(row).isHidden() and window.act_views[row].isEnabled()


def test_cancel_stops_the_report_and_says_so(open_desk, qtbot):
    import threading

    from desktop_helpdesk.ui.kit.worker import LONG

    desk, page = _open_reports(open_desk, qtbot)
    shown = page.report
    # Hold the long lane so the report asked next waits behind it: Cancel comes first.
    gate = threading.Event()
    desk.jobs.submit(lambda _ctx: gate.wait(10), lane=LONG)
    page.dimension.setCurrentIndex(reports.DIMENSIONS.index("customer"))
    assert page.progress is not None  # the progress dialog with its Cancel
    page.progress.canceled.emit()
    gate.set()
    qtbot.waitUntil(lambda: page.progress is None, timeout=20_000)
    assert page.status.text() == "Stopped. Change the period or press Show to compute the report again."
    assert page.report is shown  # the table still holds the last report computed
    with qtbot.waitSignal(page.report_ready, timeout=20_000):
        page.run_button.click()
    assert page.model.headerData(0, H) == "Customer"
