"""The obligations page: every dated promise across customers, counted down, filtered, opened."""

from __future__ import annotations

from tests.factories import Clock

from desktop_helpdesk.services import contracts

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop_helpdesk.services.dto import ListQuery

from .conftest import FIXED_NOW

TODAY = date(2026, 11, 21)  # FIXED_NOW in Hà Nội


def _all(ctx, **filters):
    """What the page should show: like the page, derived dates and cancelled ones over a month old are left out."""
    filters.setdefault("derived_since", TODAY - timedelta(days=31))
    filters.setdefault("cancelled_since", TODAY - timedelta(days=31))
    rows, after = [], None
    while True:
        page = contracts.list_obligations(ctx, ListQuery(filters=filters, after=after, limit=200))
        rows.extend(page.rows)
        if page.next_cursor is None:
            return rows
        after = page.next_cursor


def _open_page(desk):
    desk.window.show_view("obligations")
    desk.idle()
    page = desk.window.pages["obligations"]
    while page.model.canFetchMore():
        page.model.fetchMore()
        desk.idle()
    return page


def _text(model, row, column):
    return model.data(model.index(row, column))


def test_obligations_model_passes_qtmodeltester(open_desk, qtmodeltester):
    desk = open_desk(demo=True)
    page = _open_page(desk)
    assert page.model.rowCount() > 0
    qtmodeltester.check(page.model, force_py=True)


def test_demo_obligations_are_listed_by_due_date_with_a_countdown_and_their_kind(open_desk):
    desk = open_desk(demo=True)
    page = _open_page(desk)
    model = page.model
    expected = _all(desk.ctx)
    assert len(expected) > 20, "the demo should derive obligations when it creates contracts"
    shown = [model.row_at(i) for i in range(model.rowCount())]
    assert [r.id for r in shown] == [r.id for r in expected]
    assert [r.due_on for r in shown] == sorted(r.due_on for r in shown)
    assert "Obligations" in {desk.window.nav.item(i).text() for i in range(desk.window.nav.count())}
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Due", "Countdown", "Type", "Customer", "Contract", "Title"]
    # Past, today and future rows read as such, without relying on colour.
    for i, r in enumerate(shown):
        n = (r.due_on - TODAY).days
        text = _text(model, i, model.COL_COUNTDOWN)
        mark = "✖" if n < 0 else "▲" if n <= 7 else "●"  # the state reads without colour too
        if n > 0:
            assert text == f"{mark} {n} day{'s' if n != 1 else ''} left", (r, text)
        elif n < 0:
            assert text == f"{mark} {-n} day{'s' if n != -1 else ''} overdue", (r, text)
        else:
            assert text == "▲ Due today"
    overdue = next(i for i, r in enumerate(shown) if r.due_on < TODAY)
    assert model.data(model.index(overdue, model.COL_COUNTDOWN), Qt.ItemDataRole.ForegroundRole).name() == "#b00020"
    kinds = {_text(model, i, model.COL_KIND) for i in range(model.rowCount())}
    assert {"Warranty ends", "Renewal notice", "Grace period ends"} <= kinds
    assert all(_text(model, i, model.COL_CUSTOMER) == r.customer_name and _text(model, i, model.COL_CONTRACT) == r.contract_number
               for i, r in enumerate(shown))


def test_due_within_n_days_narrows_the_list_to_what_the_service_gives(open_desk, qtbot):
    desk = open_desk(demo=True)
    page = _open_page(desk)
    everything = page.model.rowCount()
    assert page.due_within.value() == 0 and page.due_within.text() == "no limit"
    page.due_within.setFocus()
    page.due_within.lineEdit().selectAll()
    QTest.keyClicks(page.due_within, "30")
    qtbot.keyClick(page.due_within, Qt.Key.Key_Return)
    assert page.due_within.value() == 30 and page.due_within.text() == "30 days"
    expected = _all(desk.ctx, until=TODAY + timedelta(days=30))
    assert 0 < len(expected) < everything
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() == len(expected), timeout=5000)
    assert [page.model.row_at(i).id for i in range(page.model.rowCount())] == [r.id for r in expected]
    assert all(page.model.row_at(i).due_on <= TODAY + timedelta(days=30) for i in range(page.model.rowCount()))
    assert page.count_label.text() == f"{len(expected)} rows"

    # The kind narrows further; "All types" and "no limit" give everything back.
    page.kind.setCurrentIndex(page.kind.findData("renewal_notice"))
    desk.idle()
    renewals = _all(desk.ctx, until=TODAY + timedelta(days=30), kind="renewal_notice")
    assert [page.model.row_at(i).id for i in range(page.model.rowCount())] == [r.id for r in renewals]
    page.kind.setCurrentIndex(0)
    page.due_within.setValue(0)
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() == everything, timeout=5000)


def test_the_text_box_filters_by_customer(open_desk, qtbot):
    from .conftest import type_text

    desk = open_desk(demo=True)
    page = _open_page(desk)
    name = page.model.row_at(0).customer_name
    type_text(page.filter, name)
    expected = contracts.list_obligations(desk.ctx, ListQuery(text=name, limit=500, filters={
        "derived_since": TODAY - timedelta(days=31)})).rows
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() == len(expected), timeout=5000)
    assert {page.model.row_at(i).customer_name for i in range(page.model.rowCount())} == {name}


def test_double_click_and_enter_open_the_obligations_contract(open_desk, qtbot):
    from desktop_helpdesk.ui.contracts.dialog import ContractDialog

    desk = open_desk(demo=True)
    page = _open_page(desk)
    row = page.model.row_at(2)
    rect = page.table.visualRect(page.model.index(2, page.model.COL_KIND))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.current_row() == row and page.edit_button.isEnabled()
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    desk.idle()
    dialog = desk.window.last_dialog
    assert isinstance(dialog, ContractDialog) and dialog.record_id == row.contract_id
    qtbot.waitUntil(dialog.isVisible)
    dialog.reject()
    desk.idle()

    page.table.setFocus()
    with qtbot.waitSignal(page.contract_requested) as blocker:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert blocker.args == [row.contract_id]
    desk.idle()
    assert desk.window.last_dialog is not dialog and desk.window.last_dialog.record_id == row.contract_id
    desk.window.last_dialog.reject()


def test_ctrl_shortcuts_follow_the_page_order(open_desk, qtbot):
    desk = open_desk(demo=True)
    window = desk.window
    keys = list(window.pages)
    assert keys == ["customers", "contracts", "obligations", "tickets"]
    for number, key in enumerate(keys, start=1):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
        assert window.current_page() is window.pages[key]
        assert window.act_views[number].shortcut().toString() == f"Ctrl+{number}"  # [0] is the dashboard
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is window.dashboard


def test_countdowns_move_on_when_the_date_changes_without_a_query_per_tick(open_desk, qtbot, monkeypatch):
    clock = Clock(FIXED_NOW)
    desk = open_desk(demo=True, now=clock)
    page = _open_page(desk)
    page.due_within.setValue(30)
    before = len(_all(desk.ctx, until=TODAY + timedelta(days=30)))
    qtbot.waitUntil(lambda: not page.model.loading and page.model.rowCount() == before, timeout=5000)
    row = next(r for r in (page.model.row_at(i) for i in range(page.model.rowCount())) if r.due_on >= TODAY)
    clock.now = FIXED_NOW
    page.watch.check()  # same day: nothing happens
    assert desk.jobs.pending == 0
    later = FIXED_NOW + timedelta(days=10)
    clock.now = later
    with qtbot.waitSignal(page.watch.day_changed):
        page.watch.check()
    desk.idle()
    # "Due within 30 days" now reaches ten days further; the countdowns count from the new day.
    expected = _all(desk.ctx, until=TODAY + timedelta(days=40), derived_since=TODAY + timedelta(days=10 - 31))
    assert page.model.rowCount() == len(expected)  # the window moved: some came in, old ones left
    i = page.model.row_of_id(row.id)
    n = (row.due_on - (TODAY + timedelta(days=10))).days
    assert _text(page.model, i, page.model.COL_COUNTDOWN)[2:].startswith(f"{abs(n)} day")


def test_the_page_speaks_vietnamese_after_a_language_switch(open_desk, translator, qtbot):
    from PySide6.QtWidgets import QApplication

    from desktop_helpdesk.ui.kit.qt_i18n import LanguageSwitcher

    clock = Clock(FIXED_NOW)
    desk = open_desk(demo=True, now=clock)
    page = _open_page(desk)
    page.due_within.setValue(30)
    page.apply_filters()
    desk.idle()
    switcher = LanguageSwitcher(QApplication.instance(), translator)
    switcher.set_language("vi")
    try:
        qtbot.waitUntil(lambda: page.model.headerData(1, Qt.Orientation.Horizontal) == "Thời gian còn lại", timeout=3000)
        qtbot.waitUntil(lambda: page.due_within.text() == "30 ngày", timeout=3000)  # on the LanguageChange event
        model = page.model
        texts = [_text(model, i, model.COL_COUNTDOWN) for i in range(model.rowCount())]
        assert any(t.startswith("✖ quá hạn ") and t.endswith(" ngày") for t in texts)
        assert any(t.startswith(("● còn ", "▲ còn ")) and t.endswith(" ngày") for t in texts)
        assert _text(model, 0, model.COL_DUE).count("/") == 2  # dd/mm/yyyy
        from desktop_helpdesk.domain.enums import ObligationKind
        from desktop_helpdesk.i18n import _ as tr

        kinds = {_text(model, i, model.COL_KIND) for i in range(model.rowCount())}
        assert kinds and kinds <= {tr(k.label) for k in ObligationKind}
        assert "Thông báo gia hạn" in kinds
    finally:
        switcher.set_language("en")
    qtbot.waitUntil(lambda: page.due_within.text() == "30 days", timeout=3000)
    assert page.kind.itemText(0) == "All types" and page.model.headerData(1, Qt.Orientation.Horizontal) == "Countdown"
