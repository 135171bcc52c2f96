"""The domain rules of issue #16's "entitlement as the seeds say", each with its clause."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from desktop_helpdesk.domain.change_requests import ChangeRequest, change_request_problems, work_refusal
from desktop_helpdesk.domain.contracts import (
    ContractDates,
    Instalment,
    Payment,
    covered_ends,
    due_total,
    ends_early,
    outstanding,
    schedule_problems,
)
from desktop_helpdesk.domain.entitlement import (
    EarlierTicket,
    EntitlementInput,
    check_entitlement,
    earlier_guidance,
    raised_priority,
)
from desktop_helpdesk.domain.enums import Coverage, Priority
from desktop_helpdesk.domain.worklog import complaint_resolution_error

TODAY = date(2026, 11, 21)


def _facts(**kw):
    base = dict(today=TODAY, request_type="incident", warranty_end=None, maintenance_end=None, outstanding_vnd=0,
                previous_same_topic_how_to=0)
    return EntitlementInput(**{**base, **kw})


# -- early termination (DOMAIN.md: "A contract may end early ... coverage ends then") ----------

def test_an_end_before_the_last_covered_day_or_before_acceptance_is_early():
    """DOMAIN.md lifecycle: ENDED "may come before the warranty or maintenance end (early
    termination)"; an implementation stopped before acceptance is one too."""
    accepted = ContractDates(signed_on=date(2026, 1, 1), accepted_on=date(2026, 2, 1), warranty_end=date(2027, 2, 1))
    assert ends_early(accepted, date(2026, 6, 1))
    assert not ends_early(accepted, date(2027, 2, 1))  # on the last day: the term ran out
    assert ends_early(ContractDates(signed_on=date(2026, 1, 1)), date(2026, 3, 1))


def test_coverage_is_cut_at_the_termination_day():
    """DOMAIN.md: "coverage ends then": nothing covers after ended_on; earlier ends stay."""
    assert covered_ends(date(2027, 1, 1), date(2028, 1, 1), date(2026, 6, 1)) == (date(2026, 6, 1), date(2026, 6, 1))
    assert covered_ends(date(2026, 1, 1), None, date(2026, 6, 1)) == (date(2026, 1, 1), None)
    assert covered_ends(date(2027, 1, 1), None, None) == (date(2027, 1, 1), None)


def test_after_a_termination_there_is_no_grace():
    """Seed 002 §6's 10 days ("hết hạn quá 10 ngày") are for a lapsed service; after an early
    termination a request is billable at once, with the termination note, not refused."""
    facts = _facts(warranty_end=date(2026, 11, 15), terminated_on=date(2026, 11, 15))
    e = check_entitlement(facts)
    assert (e.coverage, e.codes) == (Coverage.BILLABLE, ("contract_terminated",))
    same_day = check_entitlement(_facts(today=date(2026, 11, 15), warranty_end=date(2027, 6, 1),
                                        terminated_on=date(2026, 11, 15)))
    assert same_day.coverage is Coverage.WARRANTY


# -- maintenance priority (seed 004 §2: "sẽ được ưu tiên hỗ trợ") ----------------------------

def test_a_maintenance_request_is_raised_one_step_to_at_most_high():
    """Seed 004 §2: maintenance customers get priority, where their package says so."""
    m = Coverage.MAINTENANCE
    assert [raised_priority(p, m, True) for p in Priority] == [Priority.NORMAL, Priority.HIGH, Priority.HIGH,
                                                              Priority.URGENT]
    assert raised_priority(Priority.NORMAL, m, False) is Priority.NORMAL
    assert raised_priority(Priority.NORMAL, Coverage.WARRANTY, True) is Priority.NORMAL


# -- repeated guidance (seed 002 §6: "đã yêu cầu hướng dẫn trên 1 lần") ---------------------

def test_earlier_guidance_is_a_similar_subject_within_90_days_oldest_first():
    """Seed 002 §6 read by issue #16: a similar question (folded words), the last 90 days."""
    earlier = [EarlierTicket("YC26-000009", TODAY - timedelta(days=10), "Cách in hoá đơn GTGT"),
               EarlierTicket("YC26-000002", TODAY - timedelta(days=90), "in hoa don gtgt"),
               EarlierTicket("YC26-000001", TODAY - timedelta(days=91), "In hoá đơn GTGT"),
               EarlierTicket("YC26-000005", TODAY - timedelta(days=5), "Cài máy quét mã vạch")]
    found = earlier_guidance(TODAY, "Hướng dẫn in hoá đơn GTGT", earlier)
    assert [t.code for t in found] == ["YC26-000002", "YC26-000009"]
    e = check_entitlement(_facts(request_type="how_to", previous_same_topic_how_to=len(found),
                                 earlier_ticket=found[0]))
    assert e.refused and e.earlier_ticket.code == "YC26-000002"


# -- debt by the payment schedule (DOMAIN.md: "Debt means an instalment past its due date") --

def test_only_instalments_past_their_due_date_are_debt():
    """DOMAIN.md with seed 002 §6's unpaid ground: due today is not late yet."""
    schedule = [Instalment(date(2026, 10, 1), 10), Instalment(TODAY, 20), Instalment(date(2027, 1, 1), 30)]
    assert due_total(schedule, TODAY) == 10
    assert outstanding(60, [], TODAY, schedule) == 10
    assert outstanding(60, [Payment(date(2026, 10, 2), 10)], TODAY, schedule) == 0
    assert outstanding(60, [], TODAY) == 60  # no schedule: the whole value, as before
    assert [p.code for p in schedule_problems(60, schedule[:2])] == ["schedule_total"]
    assert schedule_problems(60, schedule) == ()


@given(st.lists(st.tuples(st.integers(0, 400), st.integers(1, 10**9)), min_size=1, max_size=6),
       st.lists(st.integers(1, 10**9), max_size=4), st.integers(0, 400))
def test_scheduled_debt_never_exceeds_the_unscheduled_debt(lines, paid, day):
    """A schedule only delays what is owed: never more debt than the whole unpaid value."""
    start = date(2026, 1, 1)
    schedule = [Instalment(start + timedelta(days=d), a) for d, a in lines]
    value = sum(a for _d, a in lines)
    payments = [Payment(start, a) for a in paid]
    on = start + timedelta(days=day)
    assert 0 <= outstanding(value, payments, on, schedule) <= outstanding(value, payments)


# -- the complaint reply (seed 000 §2.7: "phản hồi lại cho KH về kết quả và kế hoạch xử lý") ---

def test_a_complaint_is_resolved_or_closed_only_with_a_reply():
    """Seed 000 §2.7: within 72 hours the customer is told the result and the plan."""
    assert complaint_resolution_error("complaint", "resolved", 0).code == "complaint_needs_reply"
    assert complaint_resolution_error("complaint", "closed", 0) is not None
    assert complaint_resolution_error("complaint", "in_progress", 0) is None
    assert complaint_resolution_error("complaint", "resolved", 1) is None
    assert complaint_resolution_error("incident", "resolved", 0) is None


# -- the change request (seed 001: "bằng văn bản và phải trả thêm") --------------------------

def test_a_change_request_is_worked_on_only_once_written_quoted_and_approved():
    """Seed 001: in writing, paid extra; the price agreed (Bước 2) before the work (Bước 4)."""
    assert work_refusal("change_request", "in_progress", None).code == "change_not_approved"
    assert work_refusal("change_request", "resolved", ChangeRequest("Thêm báo cáo", 1_000_000)) is not None
    assert work_refusal("change_request", "in_progress", ChangeRequest("Thêm báo cáo", 1_000_000, TODAY)) is None
    assert work_refusal("change_request", "solution_proposed", None) is None  # the quote is the proposal
    assert work_refusal("change_request", "closed", None) is None  # a declined request is closed
    assert work_refusal("incident", "in_progress", None) is None


def test_a_change_request_needs_its_writing_and_a_positive_quote_before_an_approval():
    """Seed 001: an approval of nothing is no approval; the quote is whole đồng above zero."""
    codes = lambda cr, **kw: [e.code for e in change_request_problems(cr, TODAY, **kw)]  # noqa: E731
    assert codes(ChangeRequest("")) == ["required"]
    assert codes(ChangeRequest("Đổi mẫu", 0)) == ["quote_not_positive"]
    assert codes(ChangeRequest("Đổi mẫu", None, TODAY)) == ["approval_needs_quote"]
    assert codes(ChangeRequest("Đổi mẫu", 5, TODAY + timedelta(days=1))) == ["in_future"]
    assert codes(ChangeRequest("Đổi mẫu", 5, TODAY - timedelta(days=3)), received_on=TODAY) == ["before_request"]
    assert codes(ChangeRequest("Đổi mẫu", 5, TODAY), received_on=TODAY) == []
