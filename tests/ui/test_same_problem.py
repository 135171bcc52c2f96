"""The new-ticket form says when the customer already has an open ticket on the same problem
(a similar subject, folded-word overlap) or of the same type, with "open that ticket instead"
(issue #16). Real form, real database, both engines."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop_helpdesk.domain.same_problem import SAME_KIND, SIMILAR, repeats, same_problem
from desktop_helpdesk.services import customers, lookup, tickets
from desktop_helpdesk.services.dto import CustomerDraft, TicketDraft

from .conftest import FIXED_NOW, type_text


def _customer_with_open_tickets(ctx):
    cid = customers.save_customer(ctx, CustomerDraft(name="Cửa hàng Điện máy Hưng Thịnh", kind="household"))
    other = customers.save_customer(ctx, CustomerDraft(name="Nhà thuốc Minh Châu", kind="household"))
    ids = {}
    for key, customer, subject, kind in (("invoice", cid, "Không in được hóa đơn GTGT", "incident"),
                                         ("install", cid, "Hỏi cách cài đặt máy in mới", "how_to"),
                                         ("elsewhere", other, "Không in được hóa đơn", "incident")):
        ids[key] = tickets.create_ticket(ctx, TicketDraft(customer_id=customer, subject=subject, request_type=kind,
                                                          channel="hotline", received_at=FIXED_NOW), None)
    return cid, ids


def test_the_rule_similar_subject_first_then_same_type():
    class T:
        def __init__(self, subject, request_type):
            self.subject, self.request_type = subject, request_type

    a, b, c = T("Cài đặt máy in mới", "incident"), T("KHONG IN DUOC HOA DON", "how_to"), T("Khác", "other")
    assert repeats("incident", "Không in được hoá đơn", [a, b, c]) == [(b, SIMILAR), (a, SAME_KIND)]
    assert same_problem("other", "Hỏi giá", "other", "Đổi mật khẩu") == ""  # "other" says nothing alike
    assert same_problem("how_to", "", "how_to", "") == SAME_KIND


def test_open_tickets_like_is_the_customers_own_open_tickets(ctx):
    cid, ids = _customer_with_open_tickets(ctx)
    found = lookup.open_tickets_like(ctx, cid, "complaint", "khong in duoc hoa don")
    assert [(t.id, reason) for t, reason in found] == [(ids["invoice"], SIMILAR)]  # not the other customer's


def test_the_form_warns_of_a_similar_open_ticket_and_opens_it_instead(open_desk, qtbot):
    desk = open_desk()
    cid, ids = _customer_with_open_tickets(desk.ctx)
    window = desk.window
    window.new_ticket()
    d = window.last_dialog
    d.set_customer(cid, "Cửa hàng Điện máy Hưng Thịnh")
    # Only the customer (type Incident by default): the open incident is worth a mention.
    qtbot.waitUntil(lambda: d.repeats_label.isVisible(), timeout=5000)
    assert "of the same type (Incident)" in d.repeats_label.text()
    type_text(d.subject, "Khong in duoc hoa don")  # typed without diacritics, a word less
    qtbot.waitUntil(lambda: "similar problem" in d.repeats_label.text(), timeout=5000)
    code = tickets.get_ticket(desk.ctx, ids["invoice"]).code
    assert d.repeats[0][0].id == ids["invoice"] and d.open_instead_button.text() == f"Open {code} instead"
    assert d.form.labels["repeats"][0].isVisible()
    with qtbot.waitSignal(d.open_instead_requested, timeout=5000) as chosen:
        QTest.mouseClick(d.open_instead_button, Qt.MouseButton.LeftButton)
    assert chosen.args == [ids["invoice"]]
    qtbot.waitUntil(lambda: not d.isVisible())  # closed without "discard changes?": that was the choice
    qtbot.waitUntil(lambda: window.last_dialog is not d and window.last_dialog.record_id == ids["invoice"],
                    timeout=5000)
    assert window.last_dialog.windowTitle() == f"Edit ticket {code}"


def test_the_warning_goes_when_the_new_ticket_is_about_something_else(open_desk, qtbot):
    desk = open_desk()
    cid, _ids = _customer_with_open_tickets(desk.ctx)
    window = desk.window
    window.new_ticket()
    d = window.last_dialog
    d.set_customer(cid, "Cửa hàng Điện máy Hưng Thịnh")
    qtbot.waitUntil(lambda: d.repeats_label.isVisible(), timeout=5000)
    d.request_type.setCurrentIndex(d.request_type.findData("complaint"))
    type_text(d.subject, "Nhân viên hỗ trợ đến muộn")
    qtbot.waitUntil(lambda: d.repeats == () and not d.repeats_label.isVisible(), timeout=5000)
    assert not d.open_instead_button.isVisible()
