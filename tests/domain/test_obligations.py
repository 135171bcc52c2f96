"""Obligations derived from a contract's dates and plans; countdowns and due lists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_helpdesk.domain.enums import ObligationKind as K
from desktop_helpdesk.domain.obligations import (
    Obligation,
    PlannedItem,
    days_left,
    due_within,
    obligations_for_contract,
    periodic_dates,
)

D = timedelta(days=1)


def kinds_and_dates(obligations):
    return [(o.kind, o.due_on) for o in obligations]


def test_warranty_only_contract():
    got = obligations_for_contract("HD2026-0001", warranty_end=date(2026, 7, 31), contract_id=7, customer_id=3)
    assert kinds_and_dates(got) == [
        (K.RENEWAL_NOTICE, date(2026, 7, 1)),
        (K.WARRANTY_END, date(2026, 7, 31)),
        (K.GRACE_END, date(2026, 8, 10)),
    ]
    assert all((o.contract_number, o.contract_id, o.customer_id, o.title) == ("HD2026-0001", 7, 3, "") for o in got)


def test_warranty_then_maintenance_has_one_notice_and_grace_after_the_later_end():
    got = obligations_for_contract("HD1", warranty_end=date(2026, 7, 31), maintenance_end=date(2027, 7, 31))
    assert kinds_and_dates(got) == [
        (K.WARRANTY_END, date(2026, 7, 31)),
        (K.RENEWAL_NOTICE, date(2027, 7, 1)),
        (K.MAINTENANCE_END, date(2027, 7, 31)),
        (K.GRACE_END, date(2027, 8, 10)),
    ]


def test_custom_notice_and_grace():
    got = obligations_for_contract("HD1", maintenance_end=date(2027, 3, 31), renewal_notice_days=60, grace_days=0)
    assert kinds_and_dates(got) == [
        (K.RENEWAL_NOTICE, date(2027, 1, 30)),
        (K.MAINTENANCE_END, date(2027, 3, 31)),
        (K.GRACE_END, date(2027, 3, 31)),
    ]
    with pytest.raises(ValueError):
        obligations_for_contract("HD1", renewal_notice_days=-1)


def test_nothing_known_nothing_derived():
    assert obligations_for_contract("HD1") == []


def test_planned_milestones_are_included_and_sorted():
    planned = [
        PlannedItem(K.MILESTONE_TRAINING, date(2026, 1, 20), "Đào tạo kế toán"),
        PlannedItem(K.MILESTONE_INSTALLATION, date(2026, 1, 12), "Cài đặt máy chủ", done_on=date(2026, 1, 12)),
        PlannedItem(K.MILESTONE_PILOT, date(2026, 1, 25)),
        PlannedItem("milestone_acceptance", date(2026, 1, 31)),
        PlannedItem(K.REGULATORY_UPDATE, date(2026, 7, 1), "Thông tư mới"),
    ]
    got = obligations_for_contract("HD1", warranty_end=date(2026, 7, 31), planned=planned, customer_id=9)
    assert kinds_and_dates(got) == [
        (K.MILESTONE_INSTALLATION, date(2026, 1, 12)),
        (K.MILESTONE_TRAINING, date(2026, 1, 20)),
        (K.MILESTONE_PILOT, date(2026, 1, 25)),
        (K.MILESTONE_ACCEPTANCE, date(2026, 1, 31)),
        (K.RENEWAL_NOTICE, date(2026, 7, 1)),  # same day: derived kinds sort by kind order
        (K.REGULATORY_UPDATE, date(2026, 7, 1)),
        (K.WARRANTY_END, date(2026, 7, 31)),
        (K.GRACE_END, date(2026, 8, 10)),
    ]
    assert got[0].is_done and got[0].title == "Cài đặt máy chủ" and got[0].customer_id == 9
    assert not got[1].is_done


def test_derived_kinds_cannot_be_planned():
    with pytest.raises(ValueError):
        PlannedItem(K.WARRANTY_END, date(2026, 1, 1))
    with pytest.raises(ValueError):
        PlannedItem("nonsense", date(2026, 1, 1))


def test_kinds_have_labels():
    assert all(kind.label for kind in K)
    assert {k for k in K if k.is_derived} == {K.WARRANTY_END, K.MAINTENANCE_END, K.RENEWAL_NOTICE, K.GRACE_END}


def test_periodic_dates_count_from_the_first():
    assert periodic_dates(date(2026, 1, 31), 1, date(2026, 5, 31)) == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31),
    ]  # fmt: skip
    assert periodic_dates(date(2026, 8, 1), 3, date(2027, 7, 31)) == [
        date(2026, 8, 1), date(2026, 11, 1), date(2027, 2, 1), date(2027, 5, 1),
    ]  # fmt: skip
    assert periodic_dates(date(2026, 8, 1), 3, date(2026, 7, 31)) == []
    with pytest.raises(ValueError):
        periodic_dates(date(2026, 8, 1), 0, date(2027, 1, 1))


def test_periodic_visits_as_planned_items():
    visits = [PlannedItem(K.PERIODIC_VISIT, d) for d in periodic_dates(date(2026, 8, 1), 6, date(2027, 7, 31))]
    got = obligations_for_contract("HD1", maintenance_end=date(2027, 7, 31), planned=visits)
    assert [o.due_on for o in got if o.kind is K.PERIODIC_VISIT] == [date(2026, 8, 1), date(2027, 2, 1)]


def test_days_left():
    assert days_left(date(2026, 3, 15), date(2026, 3, 15)) == 0
    assert days_left(date(2026, 3, 16), date(2026, 3, 15)) == 1
    assert days_left(date(2026, 3, 14), date(2026, 3, 15)) == -1
    assert Obligation(K.GRACE_END, date(2026, 4, 14)).days_left(date(2026, 3, 15)) == 30


def test_due_within_inclusive_window_skips_done_and_optionally_overdue():
    today = date(2026, 3, 15)
    items = [
        Obligation(K.MILESTONE_TRAINING, today - D, "HD1"),  # overdue
        Obligation(K.MILESTONE_PILOT, today, "HD1"),
        Obligation(K.WARRANTY_END, today + 7 * D, "HD2"),
        Obligation(K.RENEWAL_NOTICE, today + 7 * D, "HD1"),
        Obligation(K.MAINTENANCE_END, today + 8 * D, "HD1"),  # outside
        Obligation(K.MILESTONE_INSTALLATION, today + 2 * D, "HD3", done_on=today),  # done
    ]
    assert kinds_and_dates(due_within(items, today, 7)) == [
        (K.MILESTONE_PILOT, today),
        (K.WARRANTY_END, today + 7 * D),
        (K.RENEWAL_NOTICE, today + 7 * D),
    ]
    assert due_within(items, today, 7, include_overdue=True)[0].kind is K.MILESTONE_TRAINING
    assert kinds_and_dates(due_within(items, today, 0)) == [(K.MILESTONE_PILOT, today)]
    with pytest.raises(ValueError):
        due_within(items, today, -1)


ends = st.one_of(st.none(), st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))


@given(ends, ends)
def test_derived_obligations_are_sorted_and_consistent(w_end, m_end):
    got = obligations_for_contract("HD", warranty_end=w_end, maintenance_end=m_end)
    assert got == sorted(got, key=Obligation.sort_key)
    by_kind = {o.kind: o.due_on for o in got}
    if w_end is None and m_end is None:
        assert got == []
    else:
        last = max(d for d in (w_end, m_end) if d is not None)
        assert by_kind[K.GRACE_END] == last + 10 * D
        assert by_kind[K.RENEWAL_NOTICE] == last - 30 * D
