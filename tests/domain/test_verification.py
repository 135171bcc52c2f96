"""Ownership-verification answers: salted hashes of a forgiving normal form."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_helpdesk.domain import verification as v
from desktop_helpdesk.domain.verification import (
    ITERATIONS,
    check_answer,
    hash_answer,
    needs_rehash,
    normalize_answer,
)

ANSWER = "Nguyễn Thị Mai"


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_answer(ANSWER)


def test_stored_form(stored):
    algorithm, iterations, salt, digest = stored.split("$")
    assert algorithm == "pbkdf2_sha256" and int(iterations) == ITERATIONS
    assert salt and digest and ANSWER not in stored and "mai" not in stored.lower().split("$")


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
    a, b = hash_answer(ANSWER), hash_answer(ANSWER)
    assert a != b and a.split("$")[2] != b.split("$")[2]
    assert check_answer("nguyen thi mai", a) and check_answer("nguyen thi mai", b)


def test_a_given_salt_is_deterministic():
    assert hash_answer(ANSWER, b"0123456789abcdef") == hash_answer("NGUYEN THI MAI", b"0123456789abcdef")


def test_empty_answer_cannot_be_stored():
    for blank in ("", "  \t"):
        with pytest.raises(ValueError):
            hash_answer(blank)
    with pytest.raises(ValueError):
        hash_answer(ANSWER, b"")


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
    ],
)
def test_corrupt_stored_value_raises(bad):
    with pytest.raises(ValueError):
        check_answer(ANSWER, bad)


def test_old_iteration_counts_still_check_and_need_rehash(stored):
    old = hash_answer(ANSWER, iterations=1_000)
    assert check_answer("nguyen thi mai", old)
    assert needs_rehash(old) and not needs_rehash(stored)


def test_normal_form():
    assert normalize_answer(" Đặng  Văn\u00a0A ") == "dangvana"


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=30).filter(lambda s: normalize_answer(s)))
def test_any_answer_matches_itself_and_its_folded_form(answer):
    stored = hash_answer(answer, iterations=1_000)
    assert check_answer(answer, stored)
    assert check_answer(v.normalize_answer(answer), stored)
    assert check_answer(unicodedata.normalize("NFD", answer), stored)
