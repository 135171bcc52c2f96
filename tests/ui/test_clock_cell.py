"""A refused or billable ticket says why in its clock cell and the clocks pane, never a blank
(issue #16), on the demo data."""

from __future__ import annotations

import pytest

from desktop_helpdesk.services import tickets
from desktop_helpdesk.services.dto import ListQuery
from desktop_helpdesk.ui.kit.countdown import DISPLAY, TOOLTIP


def _select(desk, qtbot, pick):
    window = desk.window
    window.show_view("tickets")
    page = window.pages["tickets"]
    page.set_queue("all")
    rows = tickets.list_tickets(desk.ctx, ListQuery(limit=1000, filters={"state": "open"})).rows
    target = next(r for r in rows if pick(r))
    desk.idle()
    page.filter.setText(target.code)
    qtbot.waitUntil(lambda: page.model.rowCount() >= 1 and page.model.row_of_id(target.id) >= 0, timeout=5000)
    r = page.model.row_of_id(target.id)
    page.table.selectRow(r)
    qtbot.waitUntil(lambda: page._details is not None and page._details.id == target.id, timeout=5000)
    index = page.model.index(r, page.model.countdown_column)
    return page, index


def test_a_refused_ticket_says_so_where_its_clock_would_be(open_desk, qtbot):
    desk = open_desk(demo=True)
    page, index = _select(desk, qtbot, lambda r: r.coverage == "refused")
    assert page.model.data(index, DISPLAY) == "— refused (no SLA)"
    assert "Refused when it was taken" in page.model.data(index, TOOLTIP)
    assert page.clocks.isVisible()
    shown = page.clocks.text()
    assert "— refused (no SLA)" in shown and "no SLA clock runs for it" in shown


def test_a_billable_incident_keeps_its_proposal_clock_and_says_it_has_no_fix_clock(open_desk, qtbot):
    desk = open_desk(demo=True)
    page, index = _select(desk, qtbot, lambda r: r.coverage == "billable" and r.request_type == "incident")
    cell = page.model.data(index, DISPLAY)
    assert cell.endswith("· billable") and len(cell) > len("· billable")
    assert "Billable: the fix clock is for warranty and maintenance incidents only." in page.clocks.text()


def test_in_vietnamese_too(open_desk, qtbot, vietnamese):
    desk = open_desk(demo=True)
    page, index = _select(desk, qtbot, lambda r: r.coverage == "refused")
    text = page.model.data(index, DISPLAY)
    assert text == "— từ chối (không SLA)"  # translated, not blank
