"""The one rule for "same problem": folded meaning words overlap."""
from hypothesis import given, strategies as st

from desktop_helpdesk.domain.similarity import is_similar, meaning_words, similarity


def test_diacritics_case_and_d_do_not_matter():
    assert is_similar("Không in được hoá đơn", "KHONG IN DUOC HOA DON")
    assert meaning_words("Đăng nhập") == meaning_words("dang nhap")


def test_reworded_subject_of_the_same_problem_matches():
    assert is_similar("Không in được hoá đơn", "Lỗi không in được hoá đơn GTGT")


def test_different_problems_do_not_match():
    assert not is_similar("Không in được hoá đơn", "Cài đặt phần mềm cho máy mới")


def test_filler_words_alone_match_nothing():
    assert similarity("Xin hỗ trợ", "Nhờ hỗ trợ giúp") == 0.0


@given(st.text(max_size=40), st.text(max_size=40))
def test_symmetric_and_bounded(a, b):
    s = similarity(a, b)
    assert s == similarity(b, a)
    assert 0.0 <= s <= 1.0
