"""The coverage badge: both sides of every date boundary, and agreement with entitlement."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_helpdesk.domain.coverage import CoverageBadge, coverage_badge
from desktop_helpdesk.domain.entitlement import GRACE_DAYS, EntitlementInput, Reason, check_entitlement
from desktop_helpdesk.domain.enums import Coverage, RequestType

TODAY = date(2026, 11, 21)
D = timedelta(days=1)


def badge(warranty_end=None, maintenance_end=None, owed=0, today=TODAY, terminated_on=None) -> CoverageBadge:
    return coverage_badge(today, warranty_end, maintenance_end, owed, terminated_on)


# --- warranty ------------------------------------------------------------------------

def test_warranty_counts_down_and_its_last_day_is_still_covered():
    assert badge(TODAY + 143 * D) == CoverageBadge("warranty", 143, 0, "warranty")
    assert badge(TODAY + D) == CoverageBadge("warranty", 1, 0, "warranty")
    assert badge(TODAY) == CoverageBadge("warranty", 0, 0, "warranty")


def test_the_day_after_the_warranty_is_grace_under_warranty():
    assert badge(TODAY - D) == CoverageBadge("grace", 1, 0, "warranty")


def test_warranty_wins_over_a_maintenance_term_that_runs_at_the_same_time():
    assert badge(TODAY + 5 * D, TODAY + 300 * D).state == "warranty"


# --- maintenance ---------------------------------------------------------------------

def test_maintenance_after_the_warranty_counts_down_to_its_inclusive_last_day():
    assert badge(TODAY - 200 * D, TODAY + 20 * D) == CoverageBadge("maintenance", 20, 0, "maintenance")
    assert badge(TODAY - 200 * D, TODAY) == CoverageBadge("maintenance", 0, 0, "maintenance")
    assert badge(TODAY - D, TODAY) == CoverageBadge("maintenance", 0, 0, "maintenance")


def test_maintenance_without_a_recorded_warranty():
    assert badge(None, TODAY + 20 * D) == CoverageBadge("maintenance", 20, 0, "maintenance")


def test_the_day_after_maintenance_is_grace_under_maintenance():
    assert badge(TODAY - 400 * D, TODAY - D) == CoverageBadge("grace", 1, 0, "maintenance")


# --- grace and expiry ----------------------------------------------------------------

@pytest.mark.parametrize("warranty_end, maintenance_end, service", [
    (TODAY - 400 * D, None, "warranty"),
    (None, TODAY - 400 * D, "maintenance"),
    (TODAY - 800 * D, TODAY - 400 * D, "maintenance"),
])
def test_grace_lasts_ten_days_after_the_later_end_then_it_is_expired(warranty_end, maintenance_end, service):
    # Move today across the end: the last covered day, each grace day, the first expired day.
    end = max(d for d in (warranty_end, maintenance_end) if d is not None)
    assert badge(warranty_end, maintenance_end, today=end).state in ("warranty", "maintenance")
    assert badge(warranty_end, maintenance_end, today=end + D) == CoverageBadge("grace", 1, 0, service)
    assert badge(warranty_end, maintenance_end, today=end + GRACE_DAYS * D) == CoverageBadge("grace", GRACE_DAYS, 0, service)
    assert badge(warranty_end, maintenance_end, today=end + (GRACE_DAYS + 1) * D) == CoverageBadge(
        "expired", GRACE_DAYS + 1, 0, service)
    assert badge(warranty_end, maintenance_end, today=end + 400 * D).days == 400


def test_a_maintenance_term_that_ended_before_the_warranty_does_not_shorten_the_grace():
    assert badge(TODAY - 3 * D, TODAY - 30 * D) == CoverageBadge("grace", 3, 0, "warranty")


def test_warranty_and_maintenance_ending_the_same_day_is_grace_under_warranty():
    assert badge(TODAY - 3 * D, TODAY - 3 * D).service == "warranty"


def test_no_end_date_at_all_is_none_and_never_expired():
    assert badge() == CoverageBadge("none", 0, 0, "")
    assert not badge().refusal


# --- early termination (DOMAIN.md: "a contract may end early ...: coverage ends then") ---

def test_a_termination_ends_coverage_on_its_day_then_it_is_terminated_not_grace():
    # Warranty to 1/4/2027, terminated on 21/11/2026: the day before counts down to the
    # termination day, the day itself is the last covered one, the day after is terminated.
    warranty_end, ended = date(2027, 4, 1), TODAY
    assert badge(warranty_end, today=TODAY - D, terminated_on=ended) == CoverageBadge("warranty", 1, 0, "warranty")
    assert badge(warranty_end, today=TODAY, terminated_on=ended) == CoverageBadge("warranty", 0, 0, "warranty")
    after = badge(warranty_end, today=TODAY + D, terminated_on=ended)
    assert after == CoverageBadge("terminated", 1, 0, "warranty", ended)
    assert not after.refusal  # billed, not refused


def test_a_terminated_contract_stays_terminated_past_the_grace_period():
    b = badge(None, TODAY + 200 * D, today=TODAY + (GRACE_DAYS + 30) * D, terminated_on=TODAY)
    assert (b.state, b.days, b.service, b.terminated_on) == ("terminated", GRACE_DAYS + 30, "maintenance", TODAY)
    assert not b.refusal


def test_a_contract_ended_after_its_coverage_lapsed_keeps_grace_and_expiry():
    # Ended after the warranty had already run out: the lapse, not the end, decides.
    assert badge(TODAY - 3 * D, terminated_on=TODAY - D) == CoverageBadge("grace", 3, 0, "warranty")
    assert badge(TODAY - 30 * D, terminated_on=TODAY - D).state == "expired"


def test_a_debt_after_a_termination_is_still_carried_and_refused():
    b = badge(TODAY + 50 * D, owed=1_000_000, today=TODAY + D, terminated_on=TODAY)
    assert b.state == "terminated" and b.owes and b.refusal


def test_the_terminated_state_needs_its_day():
    with pytest.raises(ValueError):
        CoverageBadge("terminated", 1)
    with pytest.raises(ValueError):
        CoverageBadge("grace", 1, terminated_on=TODAY)


# --- money ---------------------------------------------------------------------------

def test_outstanding_money_is_carried_and_makes_a_refusal_without_changing_the_state():
    b = badge(TODAY + 143 * D, owed=3_000_000)
    assert (b.state, b.days, b.outstanding_vnd, b.owes, b.refusal) == ("warranty", 143, 3_000_000, True, True)
    assert not badge(TODAY + 143 * D, owed=0).refusal
    assert badge(TODAY - 11 * D).refusal and not badge(TODAY - 10 * D).refusal


@pytest.mark.parametrize("bad", [
    dict(state="lapsed", days=0), dict(state="none", days=-1), dict(state="none", days=0, outstanding_vnd=-5),
    dict(state="none", days=1.5), dict(state="none", days=0, outstanding_vnd=True),
])
def test_a_badge_refuses_nonsense(bad):
    with pytest.raises(ValueError):
        CoverageBadge(**bad)


# --- the same rules as entitlement ---------------------------------------------------

dates = st.one_of(st.none(), st.integers(-60, 60).map(lambda n: TODAY + n * D))


@given(warranty_end=dates, maintenance_end=dates, owed=st.integers(0, 50_000_000), terminated_on=dates)
def test_the_badge_agrees_with_the_entitlement_of_an_incident(warranty_end, maintenance_end, owed, terminated_on):
    b = badge(warranty_end, maintenance_end, owed, terminated_on=terminated_on)
    e = check_entitlement(EntitlementInput(TODAY, RequestType.INCIDENT, warranty_end, maintenance_end, owed, 0,
                                           terminated_on=terminated_on))
    expected_state = {
        (Coverage.WARRANTY, False): "warranty", (Coverage.MAINTENANCE, False): "maintenance",
        (Coverage.WARRANTY, True): "grace", (Coverage.MAINTENANCE, True): "grace",
    }.get((e.base_coverage, Reason.IN_GRACE_PERIOD in e.reasons))
    if Reason.EXPIRED_BEYOND_GRACE in e.reasons:
        expected_state = "expired"
    elif Reason.CONTRACT_TERMINATED in e.reasons:
        expected_state = "terminated"
    elif expected_state is None:
        expected_state = "none"
    assert b.state == expected_state
    if b.state == "grace":
        assert b.service == e.base_coverage.value
    assert b.refusal == e.refused
    assert b.days >= 0
