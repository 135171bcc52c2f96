"""Ownership-verification answers: salted hashes of a forgiving normal form (argon2id;
the PBKDF2 form of older databases still checks), and the limit on wrong answers."""

from __future__ import annotations

import base64
import hashlib
import os
import unicodedata
from datetime import datetime, timedelta, timezone

import pytest
from argon2.profiles import CHEAPEST
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_helpdesk.domain import verification as v
from desktop_helpdesk.domain.verification import (
    MAX_FAILED_ATTEMPTS,
    PARAMETERS,
    attempts_left,
    check_answer,
    hash_answer,
    needs_rehash,
    normalize_answer,
)

ANSWER = "Nguyễn Thị Mai"


def old_pbkdf2_hash(answer: str, salt: bytes | None = None, iterations: int = 100_000) -> str:
    """An answer hashed as the code before issue #13 stored it (PBKDF2-HMAC-SHA256)."""
    salt = salt or os.urandom(16)
    normalized = "".join(normalize_answer(answer).split())
    digest = hashlib.pbkdf2_hmac("sha256", normalized.encode("utf-8"), salt, iterations)
    return f"pbkdf2_sha256${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_answer(ANSWER)


def test_stored_form(stored):
    assert stored.startswith(f"$argon2id$v=19$m={PARAMETERS.memory_cost},t={PARAMETERS.time_cost},"
                             f"p={PARAMETERS.parallelism}$")
    assert ANSWER not in stored and "mai" not in stored.lower().split("$")


@pytest.mark.parametrize(
    "typed",
    [
        ANSWER,
        unicodedata.normalize("NFD", ANSWER),
        "NGUYỄN THỊ MAI",
        "nguyen thi mai",
        "  Nguyễn   Thị\tMai ",
        "nguyenthimai",
        "Nguyễn\u00a0Thị Mai",
    ],
)
def test_case_spacing_and_diacritics_are_ignored(stored, typed):
    assert check_answer(typed, stored)


@pytest.mark.parametrize("typed", ["Nguyễn Thị Mây", "Nguyen Thi Mai Anh", "Tran Thi Mai", "", "   "])
def test_other_answers_do_not_match(stored, typed):
    assert not check_answer(typed, stored)


def test_punctuation_is_kept():
    h = hash_answer("1/12")
    assert check_answer(" 1 / 12 ", h)
    assert not check_answer("11/2", h)


def test_two_hashes_of_the_same_answer_differ_by_salt():
    a, b = hash_answer(ANSWER, parameters=CHEAPEST), hash_answer(ANSWER, parameters=CHEAPEST)
    assert a != b and a.split("$")[4] != b.split("$")[4]
    assert check_answer("nguyen thi mai", a) and check_answer("nguyen thi mai", b)


def test_empty_answer_cannot_be_stored():
    for blank in ("", "  \t"):
        with pytest.raises(ValueError):
            hash_answer(blank)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "plain text",
        "md5$1$abc$def",
        "pbkdf2_sha256$abc$AAAA$AAAA",
        "pbkdf2_sha256$0$AAAA$AAAA",
        "pbkdf2_sha256$100000$not base64!$AAAA",
        "pbkdf2_sha256$100000$$AAAA",
        "pbkdf2_sha256$100000$AAAA$AAAA$extra",
        "$argon2id$garbage",
        "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ",
        "$argon2id$v=19$m=65536,t=3,p=4$!!!!$81rcF4m0pp8JMrV55GWn+IWrkuZCuzXSrWqFbZP4BNs",
    ],
)
def test_corrupt_stored_value_raises(bad):
    with pytest.raises(ValueError):
        check_answer(ANSWER, bad)


def test_answers_stored_with_pbkdf2_before_still_check_and_need_rehash(stored):
    for old in (old_pbkdf2_hash(ANSWER), old_pbkdf2_hash(ANSWER, iterations=1_000)):
        assert check_answer("nguyen thi mai", old) and check_answer("  NGUYỄN THỊ MAI", old)
        assert not check_answer("Nguyễn Thị Mây", old) and not check_answer("", old)
        assert needs_rehash(old)
    assert not needs_rehash(stored)


def test_an_argon2_hash_with_weaker_parameters_checks_and_needs_rehash():
    weak = hash_answer(ANSWER, parameters=CHEAPEST)
    assert check_answer("nguyen thi mai", weak) and needs_rehash(weak)


NOW = datetime(2026, 12, 7, 8, 40, tzinfo=timezone.utc)  # 15:40 in Hà Nội


def test_wrong_answers_of_the_last_hour_count_down_the_tries():
    assert attempts_left([], NOW).tries_left == MAX_FAILED_ATTEMPTS
    two = [NOW - timedelta(minutes=5), NOW - timedelta(minutes=1)]
    assert attempts_left(two, NOW) == v.AttemptsLeft(MAX_FAILED_ATTEMPTS - 2, None)
    # an hour old or older: no longer counted
    old = [NOW - timedelta(hours=1), NOW - timedelta(hours=3)]
    assert attempts_left(old + two, NOW).tries_left == MAX_FAILED_ATTEMPTS - 2


def test_the_fifth_wrong_answer_refuses_until_the_oldest_is_an_hour_old():
    failed = [NOW - timedelta(minutes=m) for m in (58, 30, 20, 10, 0)]
    left = attempts_left(failed, NOW)
    assert left.refused and left.tries_left == 0
    assert left.locked_until == NOW + timedelta(minutes=2)
    assert attempts_left(failed, left.locked_until - timedelta(seconds=1)).refused
    assert attempts_left(failed, left.locked_until) == v.AttemptsLeft(1, None)
    # more wrong answers than the limit (two desks at once): until enough have aged out
    seven = failed + [NOW - timedelta(minutes=5), NOW - timedelta(minutes=4)]
    assert attempts_left(seven, NOW).locked_until == NOW - timedelta(minutes=20) + timedelta(hours=1)


def test_wrong_answers_stamped_ahead_by_another_desks_clock_still_count():
    ahead = [NOW + timedelta(minutes=3)] * MAX_FAILED_ATTEMPTS
    assert attempts_left(ahead, NOW).refused


def test_normal_form():
    assert normalize_answer(" Đặng  Văn\u00a0A ") == "dangvana"


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=30).filter(lambda s: normalize_answer(s)))
def test_any_answer_matches_itself_and_its_folded_form(answer):
    stored = hash_answer(answer, parameters=CHEAPEST)
    assert check_answer(answer, stored)
    assert check_answer(v.normalize_answer(answer), stored)
    assert check_answer(unicodedata.normalize("NFD", answer), stored)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-7200, max_value=600), max_size=12), st.integers(min_value=1, max_value=6))
def test_refused_exactly_while_the_limit_is_reached_and_answering_works_again_at_the_time_told(offsets, limit):
    failed = [NOW + timedelta(seconds=s) for s in offsets]
    left = attempts_left(failed, NOW, limit=limit)
    recent = [t for t in failed if t > NOW - v.ATTEMPT_WINDOW]
    assert left.refused == (len(recent) >= limit)
    if left.refused:
        assert left.tries_left == 0 and left.locked_until > NOW
        assert attempts_left(failed, left.locked_until, limit=limit).tries_left >= 1
        assert attempts_left(failed, left.locked_until - timedelta(microseconds=1), limit=limit).refused
    else:
        assert left.tries_left == limit - len(recent) and left.locked_until is None
