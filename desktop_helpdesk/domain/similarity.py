"""When two tickets are about the same problem: overlap of their subjects' folded words.

One rule for every place that asks (the new-ticket form's "this customer already has an open
ticket on this", the "asked the same guidance before" check of seed 002 §6): fold each subject
(lower case, no diacritics, ``đ`` → ``d``), keep the words that carry meaning (two letters or
more, not a common Vietnamese or English filler word), and compare the two sets.

    >>> is_similar("Không in được hoá đơn", "khong in duoc hoa don GTGT")
    True
    >>> is_similar("Không in được hoá đơn", "Cài đặt máy mới")
    False
"""
from __future__ import annotations

import re

from desktop_helpdesk.domain.text import fold

# Words that say nothing about which problem it is: Vietnamese particles and helpdesk filler
# (folded), and their English counterparts.
STOP_WORDS = frozenset("""
    va la cua cho voi khi thi bi duoc khong co mot cac nhung nay do de tai tren trong ra vao
    lai da dang se can hay hoac nhu theo ve tu den bi loi van yeu cau ho tro xin nho giup
    anh chi em ban minh
    the a an and or of to on for with is are be not no can cannot please help issue
    problem error request support
""".split())

_WORD = re.compile(r"[0-9a-z]+")

#: Two subjects are about the same problem from this overlap on (Jaccard over meaning words).
THRESHOLD = 0.5


def meaning_words(text: str) -> frozenset[str]:
    """The folded words of ``text`` that carry meaning."""
    return frozenset(w for w in _WORD.findall(fold(text or ""))
                     if len(w) >= 2 and w not in STOP_WORDS)


def similarity(a: str, b: str) -> float:
    """Overlap of the meaning words of ``a`` and ``b``: 0 (none shared) to 1 (the same set).
    Empty on either side gives 0: a subject of filler words matches nothing."""
    wa, wb = meaning_words(a), meaning_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def is_similar(a: str, b: str, threshold: float = THRESHOLD) -> bool:
    """Whether ``a`` and ``b`` are about the same problem."""
    return similarity(a, b) >= threshold
