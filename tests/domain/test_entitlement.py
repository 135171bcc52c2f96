"""Entitlement: coverage by dates, every refusal ground and note, overrides."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_helpdesk.domain.entitlement import (
    GRACE_DAYS,
    Entitlement,
    EntitlementInput,
    OverrideError,
    Reason,
    check_entitlement,
    override,
)
from desktop_helpdesk.domain.enums import Coverage, RequestType

TODAY = date(2026, 3, 15)
D = timedelta(days=1)


def facts(**changes) -> EntitlementInput:
    base = EntitlementInput(
        today=TODAY,
        request_type=RequestType.INCIDENT,
        warranty_end=TODAY + 30 * D,
        maintenance_end=None,
        outstanding_vnd=0,
        previous_same_topic_how_to=0,
    )
    return replace(base, **changes)


def check(**changes) -> Entitlement:
    return check_entitlement(facts(**changes))


# --- coverage by dates -------------------------------------------------------


def test_warranty_covers_through_its_last_day_inclusive():
    assert check(warranty_end=TODAY) == Entitlement(Coverage.WARRANTY, (), Coverage.WARRANTY)
    assert check(warranty_end=TODAY + D).coverage is Coverage.WARRANTY


def test_day_after_warranty_without_maintenance_is_grace_under_warranty():
    e = check(warranty_end=TODAY - D)
    assert e.coverage is Coverage.WARRANTY
    assert e.reasons == (Reason.IN_GRACE_PERIOD,)
    assert not e.refused


def test_maintenance_after_warranty():
    e = check(warranty_end=TODAY - 100 * D, maintenance_end=TODAY)
    assert (e.coverage, e.reasons) == (Coverage.MAINTENANCE, ())
    assert check(warranty_end=None, maintenance_end=TODAY + D).coverage is Coverage.MAINTENANCE


def test_warranty_wins_while_both_run():
    assert check(warranty_end=TODAY, maintenance_end=TODAY + 300 * D).coverage is Coverage.WARRANTY


@pytest.mark.parametrize("days_after", [1, 5, GRACE_DAYS])
def test_grace_days_1_to_10_serve_with_a_warning(days_after):
    e = check(warranty_end=TODAY - 400 * D, maintenance_end=TODAY - days_after * D)
    assert e.coverage is Coverage.MAINTENANCE
    assert e.reasons == (Reason.IN_GRACE_PERIOD,)
    assert e.notes == (Reason.IN_GRACE_PERIOD,) and e.refusal_grounds == ()


@pytest.mark.parametrize("days_after", [GRACE_DAYS + 1, 12, 400])
def test_beyond_grace_is_refused_and_would_be_billable(days_after):
    e = check(warranty_end=TODAY - 500 * D, maintenance_end=TODAY - days_after * D)
    assert e.coverage is Coverage.REFUSED
    assert e.reasons == (Reason.EXPIRED_BEYOND_GRACE,)
    assert e.base_coverage is Coverage.BILLABLE


def test_grace_counts_from_the_later_end():
    # Warranty ended long ago, maintenance 10 days ago: still in grace, under maintenance.
    e = check(warranty_end=TODAY - 200 * D, maintenance_end=TODAY - 10 * D)
    assert (e.coverage, e.reasons) == (Coverage.MAINTENANCE, (Reason.IN_GRACE_PERIOD,))
    # Odd data, maintenance ending before warranty: the warranty's grace counts.
    e = check(warranty_end=TODAY - 3 * D, maintenance_end=TODAY - 50 * D)
    assert (e.coverage, e.reasons) == (Coverage.WARRANTY, (Reason.IN_GRACE_PERIOD,))
    # Same end day: warranty.
    e = check(warranty_end=TODAY - 3 * D, maintenance_end=TODAY - 3 * D)
    assert e.coverage is Coverage.WARRANTY


def test_no_service_at_all_is_billable_not_refused():
    e = check(warranty_end=None, maintenance_end=None)
    assert (e.coverage, e.reasons, e.base_coverage) == (Coverage.BILLABLE, (), Coverage.BILLABLE)


# --- refusal grounds ------------------------------------------------------------


def test_unpaid_refuses_from_one_dong():
    assert check(outstanding_vnd=0).coverage is Coverage.WARRANTY
    e = check(outstanding_vnd=1)
    assert (e.coverage, e.reasons, e.base_coverage) == (Coverage.REFUSED, (Reason.UNPAID,), Coverage.WARRANTY)


def test_how_to_first_time_served_second_time_refused():
    first = check(request_type=RequestType.HOW_TO, previous_same_topic_how_to=0)
    assert (first.coverage, first.reasons) == (Coverage.WARRANTY, ())
    again = check(request_type=RequestType.HOW_TO, previous_same_topic_how_to=1)
    assert (again.coverage, again.reasons) == (Coverage.REFUSED, (Reason.REPEATED_HOW_TO,))
    assert again.base_coverage is Coverage.WARRANTY
    assert check(request_type=RequestType.HOW_TO, previous_same_topic_how_to=7).refused


def test_earlier_how_tos_do_not_refuse_other_request_types():
    for kind in RequestType:
        if kind in (RequestType.HOW_TO, RequestType.SOURCE_CODE_REVIEW):
            continue
        assert not check(request_type=kind, previous_same_topic_how_to=3).refused, kind


def test_source_code_review_is_refused_and_never_covered():
    e = check(request_type=RequestType.SOURCE_CODE_REVIEW)
    assert (e.coverage, e.reasons, e.base_coverage) == (
        Coverage.REFUSED,
        (Reason.SOURCE_CODE_REQUEST,),
        Coverage.BILLABLE,
    )


def test_not_cooperating_refuses():
    e = check(customer_cooperating=False)
    assert (e.coverage, e.reasons, e.base_coverage) == (Coverage.REFUSED, (Reason.NOT_COOPERATING,), Coverage.WARRANTY)


def test_out_of_scope_refuses_and_would_be_billable():
    e = check(in_support_scope=False)
    assert (e.coverage, e.reasons, e.base_coverage) == (Coverage.REFUSED, (Reason.OUT_OF_SCOPE,), Coverage.BILLABLE)


def test_change_request_is_billable_with_a_note_not_refused():
    e = check(request_type=RequestType.CHANGE_REQUEST)
    assert (e.coverage, e.reasons) == (Coverage.BILLABLE, (Reason.CHANGE_REQUEST_BILLABLE,))
    assert not e.refused
    # ... but the general grounds still apply to it.
    e = check(request_type=RequestType.CHANGE_REQUEST, outstanding_vnd=500_000)
    assert e.coverage is Coverage.REFUSED
    assert e.reasons == (Reason.UNPAID, Reason.CHANGE_REQUEST_BILLABLE)


@pytest.mark.parametrize(
    "kind",
    [RequestType.INCIDENT, RequestType.COMPLAINT, RequestType.REINSTALL, RequestType.REGULATORY_UPDATE, RequestType.OTHER],
)
def test_other_types_follow_the_dates(kind):
    assert check(request_type=kind).coverage is Coverage.WARRANTY
    assert check(request_type=kind, warranty_end=None, maintenance_end=TODAY).coverage is Coverage.MAINTENANCE


def test_all_grounds_listed_in_a_stable_order():
    e = check(
        request_type=RequestType.HOW_TO,
        previous_same_topic_how_to=2,
        warranty_end=TODAY - 30 * D,
        outstanding_vnd=10,
        customer_cooperating=False,
        in_support_scope=False,
    )
    assert e.reasons == (
        Reason.UNPAID,
        Reason.EXPIRED_BEYOND_GRACE,
        Reason.REPEATED_HOW_TO,
        Reason.NOT_COOPERATING,
        Reason.OUT_OF_SCOPE,
    )
    assert e.codes == ("unpaid", "expired_beyond_grace", "repeated_how_to", "not_cooperating", "out_of_scope")


def test_reasons_have_codes_and_english_messages():
    for reason in Reason:
        assert reason.code == reason.value
        assert reason.message and reason.message[0].isupper() and reason.message.endswith(".")
    assert {r for r in Reason if not r.is_refusal} == {Reason.IN_GRACE_PERIOD, Reason.CHANGE_REQUEST_BILLABLE,
                                                       Reason.CONTRACT_TERMINATED}


def test_input_is_validated_and_request_type_may_be_its_stored_value():
    assert facts(request_type="how_to").request_type is RequestType.HOW_TO
    with pytest.raises(ValueError):
        facts(request_type="nonsense")
    for bad in (-1, 1.5, True, "3"):
        with pytest.raises(ValueError):
            facts(outstanding_vnd=bad)
        with pytest.raises(ValueError):
            facts(previous_same_topic_how_to=bad)


# --- override -------------------------------------------------------------------


def test_override_restores_the_coverage_without_refusal_and_keeps_reasons():
    refused = check(outstanding_vnd=1_000_000, request_type=RequestType.HOW_TO, previous_same_topic_how_to=1)
    done = override(refused, "  Giám đốc   đồng ý hỗ trợ ")
    assert done.coverage is Coverage.WARRANTY
    assert done.reasons == refused.reasons == (Reason.UNPAID, Reason.REPEATED_HOW_TO)
    assert done.overridden and done.override_reason == "Giám đốc đồng ý hỗ trợ"
    assert not refused.overridden and refused.override_reason is None


@pytest.mark.parametrize(
    "changes",
    [
        {"warranty_end": TODAY - 11 * D},
        {"request_type": RequestType.SOURCE_CODE_REVIEW},
        {"in_support_scope": False},
    ],
)
def test_overridden_expired_source_code_or_out_of_scope_is_billable(changes):
    assert override(check(**changes), "khách hàng thân thiết").coverage is Coverage.BILLABLE


@pytest.mark.parametrize("text", ["", "   ", "\t\n", None])
def test_override_needs_a_reason(text):
    with pytest.raises(OverrideError) as info:
        override(check(outstanding_vnd=1), text)
    assert info.value.code == "override_reason_required"
    assert isinstance(info.value, ValueError) and info.value.message


def test_only_refused_entitlements_can_be_overridden():
    with pytest.raises(OverrideError) as info:
        override(check(), "why not")
    assert info.value.code == "override_not_refused"
    once = override(check(outstanding_vnd=1), "ok")
    with pytest.raises(OverrideError):
        override(once, "again")


# --- properties -------------------------------------------------------------------

maybe_dates = st.one_of(st.none(), st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31)))
inputs = st.builds(
    EntitlementInput,
    today=st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31)),
    request_type=st.sampled_from(RequestType),
    warranty_end=maybe_dates,
    maintenance_end=maybe_dates,
    outstanding_vnd=st.integers(min_value=0, max_value=10**10),
    previous_same_topic_how_to=st.integers(min_value=0, max_value=5),
    customer_cooperating=st.booleans(),
    in_support_scope=st.booleans(),
)


@given(inputs)
def test_refused_exactly_when_a_refusal_ground_applies(fx):
    e = check_entitlement(fx)
    assert e.refused == bool(e.refusal_grounds)
    assert e.refused == (
        fx.outstanding_vnd > 0
        or not fx.customer_cooperating
        or not fx.in_support_scope
        or fx.request_type is RequestType.SOURCE_CODE_REVIEW
        or (fx.request_type is RequestType.HOW_TO and fx.previous_same_topic_how_to >= 1)
        or Reason.EXPIRED_BEYOND_GRACE in e.reasons
    )
    assert e.base_coverage is not Coverage.REFUSED
    assert e.coverage in (Coverage.REFUSED, e.base_coverage)
    assert list(e.reasons) == sorted(set(e.reasons), key=list(Reason).index)


@given(inputs)
def test_a_refusal_ground_added_to_any_request_refuses_it(fx):
    assert check_entitlement(replace(fx, outstanding_vnd=fx.outstanding_vnd + 1)).refused
    assert check_entitlement(replace(fx, customer_cooperating=False)).refused
    assert check_entitlement(replace(fx, in_support_scope=False)).refused


@given(inputs)
def test_overriding_any_refusal_gives_its_base_coverage(fx):
    e = check_entitlement(fx)
    if e.refused:
        done = override(e, "lý do")
        assert done.coverage is e.base_coverage and done.reasons == e.reasons and done.overridden


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31)), st.integers(min_value=-40, max_value=40))
def test_date_coverage_boundaries(end, offset):
    today = end + timedelta(days=offset)
    e = check_entitlement(
        EntitlementInput(today, RequestType.INCIDENT, None, end, outstanding_vnd=0, previous_same_topic_how_to=0)
    )
    if offset <= 0:
        assert (e.coverage, e.reasons) == (Coverage.MAINTENANCE, ())
    elif offset <= GRACE_DAYS:
        assert (e.coverage, e.reasons) == (Coverage.MAINTENANCE, (Reason.IN_GRACE_PERIOD,))
    else:
        assert (e.coverage, e.reasons) == (Coverage.REFUSED, (Reason.EXPIRED_BEYOND_GRACE,))
