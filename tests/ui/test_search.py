"""Ctrl+F, the global search box, driven with keyboard events only."""

from __future__ import annotations

from desktop_helpdesk.services import customers, tickets

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop_helpdesk.services.dto import ContactData, CustomerDraft, TicketDraft
from tests.ui.conftest import type_text


def _hits(popup):
    items = [popup.tree.topLevelItem(i) for i in range(popup.tree.topLevelItemCount())]
    return [it for it in items if it.data(0, Qt.ItemDataRole.UserRole)
            and it.data(0, Qt.ItemDataRole.UserRole)[0] == "hit"]


def _search(desk, qtbot, typed: str):
    window = desk.window
    window.activateWindow()
    qtbot.keyClick(window.current_page(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    popup = window.search_popup
    assert popup is not None and popup.isVisible()
    qtbot.waitUntil(popup.box.hasFocus, timeout=3000)  # typing goes straight into the box
    with qtbot.waitSignal(popup.results_shown, timeout=10_000):
        QTest.keyClicks(popup.box, typed)  # ASCII, as an operator types without diacritics
    return popup


def test_ctrl_f_finds_nguyen_van_duc_typed_without_diacritics_and_enter_opens_him(open_desk, qtbot):
    desk = open_desk(demo=True)
    duc = customers.save_customer(desk.ctx, CustomerDraft(name="Nguyễn Văn Đức", kind="person", phone="0913 579 246"))
    popup = _search(desk, qtbot, "nguyen van duc")
    hits = _hits(popup)
    assert hits[0].text(1) == "Nguyễn Văn Đức"
    assert popup.tree.topLevelItem(0).text(0).startswith("Customers")
    assert popup.tree.currentItem() is hits[0]  # the best match is chosen: Enter opens it
    qtbot.keyClick(popup.box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(desk.window, "last_dialog", None) is not None
                    and desk.window.last_dialog.record_id == duc, timeout=10_000)
    assert not popup.isVisible()
    assert desk.window.last_dialog.name.text() == "Nguyễn Văn Đức"


def test_down_arrow_then_enter_opens_a_ticket_found_by_its_text(open_desk, qtbot):
    desk = open_desk(demo=True)
    cid = customers.save_customer(desk.ctx, CustomerDraft(
        name="Công ty TNHH Đức Thành", kind="company",
        contacts=(ContactData(None, "Lê Thị Đức Hạnh", phone="0987 123 456"),)))
    tid = tickets.create_ticket(desk.ctx, TicketDraft(customer_id=cid, subject="Đồng bộ dữ liệu kho bị treo",
                                                 request_type="incident", channel="hotline"), None)
    popup = _search(desk, qtbot, "dong bo du lieu kho")
    hits = _hits(popup)
    kinds = [h.data(0, Qt.ItemDataRole.UserRole)[1].kind for h in hits]
    assert kinds.count("ticket") == 1
    for _ in range(kinds.index("ticket")):
        qtbot.keyClick(popup.box, Qt.Key.Key_Down)  # the cursor stays in the box
    assert popup.box.hasFocus()
    qtbot.keyClick(popup.box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(desk.window, "last_dialog", None) is not None
                    and desk.window.last_dialog.record_id == tid, timeout=10_000)


def test_vietnamese_typed_with_diacritics_and_a_phone_in_another_form(open_desk, qtbot):
    desk = open_desk(demo=True)
    cid = customers.save_customer(desk.ctx, CustomerDraft(
        name="Công ty TNHH Đức Thành", kind="company",
        contacts=(ContactData(None, "Lê Thị Đức Hạnh", phone="0987 123 456"),)))
    window = desk.window
    qtbot.keyClick(window.current_page(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    popup = window.search_popup
    with qtbot.waitSignal(popup.results_shown, timeout=10_000):
        type_text(popup.box, "+84 987.123.456")
    first = _hits(popup)[0].data(0, Qt.ItemDataRole.UserRole)[1]
    assert (first.kind, first.id) == ("customer", cid)  # the caller's company, exact phone first
    contact = next(h.data(0, Qt.ItemDataRole.UserRole)[1] for h in _hits(popup)
                   if h.data(0, Qt.ItemDataRole.UserRole)[1].kind == "contact")
    assert contact.title == "Lê Thị Đức Hạnh"
    popup.box.clear()
    with qtbot.waitSignal(popup.results_shown, timeout=10_000):
        type_text(popup.box, "ĐỨC HẠNH")
    assert [h.text(1) for h in _hits(popup)][:1] == ["Công ty TNHH Đức Thành"]


def test_show_more_expands_a_group_and_a_stale_answer_is_dropped(open_desk, qtbot):
    desk = open_desk(demo=True)
    cid = customers.save_customer(desk.ctx, CustomerDraft(name="Nhà sách Phương Nam", kind="company"))
    for i in range(8):
        tickets.create_ticket(desk.ctx, TicketDraft(customer_id=cid, subject=f"Máy quét mã vạch số {i} không nhận",
                                               request_type="incident", channel="hotline"), None)
    popup = _search(desk, qtbot, "may quet ma vach")
    ticket_hits = [h for h in _hits(popup) if h.data(0, Qt.ItemDataRole.UserRole)[1].kind == "ticket"]
    assert len(ticket_hits) == 5
    more = next(popup.tree.topLevelItem(i) for i in range(popup.tree.topLevelItemCount())
                if popup.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) == ("more", "ticket"))
    assert "8" in more.text(0)
    popup.tree.setCurrentItem(more)
    with qtbot.waitSignal(popup.results_shown, timeout=10_000):
        qtbot.keyClick(popup.box, Qt.Key.Key_Return)
    ticket_hits = [h for h in _hits(popup) if h.data(0, Qt.ItemDataRole.UserRole)[1].kind == "ticket"]
    assert len(ticket_hits) == 8
    assert popup.tree.currentItem() is ticket_hits[5]  # the first of the ones just shown
    # An answer for an older text is not shown over the newer one: both searches wait behind a
    # busy worker, the newer text is typed meanwhile, and only its answer is shown.
    import threading

    release, shown = threading.Event(), []
    popup.results_shown.connect(shown.append)
    desk.jobs.submit(lambda _ctx: release.wait(10))
    popup.box.setText("may quet")
    qtbot.wait(400)  # past the debounce: that search is asked
    popup.box.setText("nha sach")
    qtbot.wait(400)
    release.set()
    qtbot.waitUntil(lambda: popup.results is not None and popup.results.text == "nha sach", timeout=10_000)
    desk.idle()
    assert len(shown) == 1  # the "may quet" answer never reached the list
    assert any(h.kind == "customer" and h.title == "Nhà sách Phương Nam" for g in popup.results.groups for h in g.hits)
    assert len(_hits(popup)) == sum(len(g.hits) for g in popup.results.groups)  # the list shows that answer
    popup.hide()  # no search left waiting to start after the worker is shut down


def test_enter_on_a_too_short_text_never_opens_a_later_search_by_itself(open_desk, qtbot):
    desk = open_desk(demo=True)
    window = desk.window
    window.activateWindow()
    qtbot.keyClick(window.current_page(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    popup = window.search_popup
    qtbot.waitUntil(popup.box.hasFocus, timeout=3000)
    QTest.keyClicks(popup.box, "c")
    qtbot.keyClick(popup.box, Qt.Key.Key_Return)  # one letter: nothing to open
    desk.idle()
    with qtbot.waitSignal(popup.results_shown, timeout=10_000):
        QTest.keyClicks(popup.box, "ong ty")
    desk.idle()
    assert popup.isVisible() and getattr(window, "last_dialog", None) is None  # the operator chooses


def test_each_hit_says_what_matched_names_before_addresses(open_desk, qtbot):
    desk = open_desk()
    customers.save_customer(desk.ctx, CustomerDraft(name="Nguyễn Văn Đức", kind="person"))
    customers.save_customer(desk.ctx, CustomerDraft(name="Công ty TNHH Minh Phát", kind="company",
                                                    address="125 Nguyễn Trãi, Thanh Xuân"))
    popup = _search(desk, qtbot, "nguyen")
    from desktop_helpdesk.ui.shell.search import COL_MATCHED

    assert [(h.text(1), h.text(COL_MATCHED)) for h in _hits(popup)] == [
        ("Nguyễn Văn Đức", "name"), ("Công ty TNHH Minh Phát", "address")]


def test_what_matched_is_said_in_vietnamese(open_desk, qtbot, vietnamese):
    desk = open_desk()
    customers.save_customer(desk.ctx, CustomerDraft(name="Công ty TNHH Minh Phát", kind="company",
                                                    phone="028 3974 3179", address="125 Nguyễn Trãi"))
    popup = _search(desk, qtbot, "02839743179")
    from desktop_helpdesk.ui.shell.search import COL_MATCHED

    [hit] = _hits(popup)
    assert hit.text(COL_MATCHED) == "số điện thoại"
