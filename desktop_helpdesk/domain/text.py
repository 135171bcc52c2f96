"""Text helpers for Vietnamese: normalisation, search folding and collation.

Vietnamese text reaches the application in several shapes: Unikey and VNI
type either precomposed (NFC) or decomposed (NFD) letters, pasted text brings
stray non-breaking spaces, and people search without typing any diacritics.
Everything here is plain standard-library Python (the domain layer imports no
Qt, SQLAlchemy or Babel).

* :func:`normalize` is the form to *store*: NFC, trimmed, inner whitespace
  collapsed to single spaces.
* :func:`fold` is the form to *search*: lower case, no diacritics, ``đ`` → ``d``.
* :func:`sort_key` is the key to *sort* by, in Vietnamese alphabetical order.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["normalize", "fold", "sort_key", "VIETNAMESE_ALPHABET", "TONE_ORDER"]


def normalize(s: str) -> str:
    """Return ``s`` in NFC, trimmed, with every inner whitespace run as one space.

    >>> normalize("  Nguye\\u0302\\u0303n \\t Văn\\u00a0An ")
    'Nguyễn Văn An'
    """
    return " ".join(unicodedata.normalize("NFC", s).split())


def normalize_multiline(text: str) -> str:
    """NFC each line, keep the line breaks the operator typed."""
    return "\n".join(normalize(line) for line in text.strip().splitlines())


# --------------------------------------------------------------------------
# fold
# --------------------------------------------------------------------------


def _build_fold_table() -> dict[int, str]:
    """Map every precomposed Latin letter with diacritics to its bare ASCII
    lower-case letter.

    The ranges cover Latin-1 Supplement, Latin Extended-A/B and Latin Extended
    Additional (where most Vietnamese letters with tones live, U+1EA0–U+1EF9),
    so after NFC every Vietnamese letter is handled by one ``str.translate``
    call; anything left outside ASCII goes through the slower NFD path.
    """
    table: dict[int, str] = {}
    ranges = (range(0x00C0, 0x0250), range(0x1E00, 0x1F00))
    for block in ranges:
        for code in block:
            ch = chr(code)
            decomposed = unicodedata.normalize("NFD", ch)
            base = decomposed[0]
            if (
                len(decomposed) > 1
                and base.isascii()
                and base.isalpha()
                and all(unicodedata.combining(m) for m in decomposed[1:])
            ):
                table[code] = base.lower()
    # Letters with a stroke have no decomposition.
    table[ord("đ")] = "d"
    table[ord("Đ")] = "d"
    # U+00D0/U+00F0 (Icelandic eth) look like Đ/đ and turn up in Vietnamese
    # text converted from legacy encodings; fold them the same way.
    table[0x00D0] = "d"
    table[0x00F0] = "d"
    return table


_FOLD_TABLE = _build_fold_table()


def _strip_marks(s: str) -> str:
    """Slow path: decompose, drop nonspacing marks, recompose."""
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", s) if unicodedata.category(ch) != "Mn"
    )
    return unicodedata.normalize("NFC", stripped).translate(_FOLD_TABLE)


def fold(s: str) -> str:
    """Return ``s`` folded for searching: lower case, no diacritics, ``đ`` → ``d``,
    whitespace normalised as by :func:`normalize`.

    Works the same on composed and decomposed input::

        >>> fold("Đặng Thị Ỷ")
        'dang thi y'
        >>> fold(unicodedata.normalize("NFD", "Đặng Thị Ỷ"))
        'dang thi y'

    Fast path: ASCII input is only lower-cased; other input is put in NFC and
    mapped through a precomputed ``str.translate`` table that covers every
    Vietnamese letter. Only when characters outside that table remain (other
    scripts, rare marks) does it fall back to stripping nonspacing marks after
    NFD.
    """
    if s.isascii():
        return " ".join(s.lower().split())
    folded = unicodedata.normalize("NFC", s).translate(_FOLD_TABLE).lower()
    if not folded.isascii():
        folded = _strip_marks(folded)
    return " ".join(folded.split())


# --------------------------------------------------------------------------
# sort_key
# --------------------------------------------------------------------------

#: The Vietnamese alphabet (29 letters) with f, j, w and z, which appear in
#: foreign names and loan words, slotted in where they fall in the Latin
#: alphabet.
VIETNAMESE_ALPHABET: tuple[str, ...] = (
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k",
    "l", "m", "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w",
    "x", "y", "z",
)  # fmt: skip

#: Tone marks in dictionary order. A syllable without a mark (thanh ngang)
#: comes first, then huyền (à), hỏi (ả), ngã (ã), sắc (á), nặng (ạ). This is
#: the order of the Vietnamese dictionaries (Hoàng Phê's Từ điển tiếng Việt)
#: and of the CLDR Vietnamese collation.
TONE_ORDER: tuple[str, ...] = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_TONE_RANK = {mark: rank for rank, mark in enumerate(TONE_ORDER) if mark}

# Combining marks that turn one letter into another Vietnamese letter.
_LETTER_MODIFIERS = {
    ("a", "\u0306"): "ă",  # breve
    ("a", "\u0302"): "â",  # circumflex
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",  # horn
    ("u", "\u031b"): "ư",
}

# Primary weights. Punctuation and symbols sort first (weight = code point),
# then digits, then the letters of the alphabet, then letters of other scripts.
_DIGIT_BASE = 0x110000
_LETTER_BASE = _DIGIT_BASE + 10
_OTHER_LETTER_BASE = _LETTER_BASE + 100
_LETTER_RANK = {letter: _LETTER_BASE + i for i, letter in enumerate(VIETNAMESE_ALPHABET)}


@lru_cache(maxsize=4096)
def _char_weights(ch: str) -> tuple[int, int, tuple[int, ...]]:
    """Return (primary weight, tone rank, other marks) of one NFC character."""
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    lower = base.lower()
    if len(lower) == 1:
        base = lower
    tone = 0
    others: list[int] = []
    for mark in marks:
        if (base, mark) in _LETTER_MODIFIERS:
            base = _LETTER_MODIFIERS[(base, mark)]
        elif mark in _TONE_RANK and not tone:
            tone = _TONE_RANK[mark]
        else:
            others.append(ord(mark))
    if base in _LETTER_RANK:
        primary = _LETTER_RANK[base]
    elif base.isdecimal():
        primary = _DIGIT_BASE + unicodedata.decimal(base)
    elif unicodedata.category(base).startswith("L"):
        primary = _OTHER_LETTER_BASE + ord(base)
    else:
        primary = ord(base)
    return primary, tone, tuple(others)


@lru_cache(maxsize=8192)
def _word_key(word: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    primaries: list[int] = []
    tones: list[int] = []
    others: list[int] = []
    for ch in word:
        primary, tone, marks = _char_weights(ch)
        primaries.append(primary)
        if tone:
            tones.append(tone)
        others.extend(marks)
    return tuple(primaries), tuple(tones), tuple(others)


SortKey = tuple[tuple[tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]], ...], str]


def sort_key(s: str, *, by_given_name: bool = False) -> SortKey:
    """Return a key that sorts strings in Vietnamese alphabetical order.

    Rules:

    * Letters follow :data:`VIETNAMESE_ALPHABET`: ``a ă â b c d đ e ê (f) g h
      i (j) k l m n o ô ơ p q r s t u ư v (w) x y (z)``; ``ă``, ``â``, ``đ``,
      ``ê``, ``ô``, ``ơ``, ``ư`` are letters of their own, not accented
      variants. Digraphs (ch, ng, nh, …) are compared letter by letter.
    * Case is ignored (upper and lower case only break exact ties).
    * Text is compared word by word (syllable by syllable, as in a
      dictionary). Within a word the letters decide first; only when the
      letters are the same do the tones, in :data:`TONE_ORDER` (ngang, huyền,
      hỏi, ngã, sắc, nặng). So ``ba < ba ba < bà < bá``. Where the tone mark
      sits does not matter (``hoà`` and ``hòa`` differ only in the final
      tie-break).
    * Punctuation and symbols sort before digits, digits before letters, and
      letters of other scripts after the Latin ones.
    * The key depends only on the NFC form of ``s``, so composed and
      decomposed input give equal keys; distinct NFC strings never give equal
      keys (the NFC string itself is the last tie-break), so the order is total.

    With ``by_given_name=True`` a person's name is ordered as Vietnamese
    class lists and staff lists are: by the given name (the last word) first,
    then by the rest of the name from the start (family name, then middle
    names). ``Nguyễn Văn An < Lê Văn Bình < Trần Thị Bình``.
    """
    words, nfc = _words(s, by_given_name)
    return tuple(_word_key(word) for word in words), nfc


def _words(s: str, by_given_name: bool) -> tuple[list[str], str]:
    """The words of `s` in the order they sort by (the given name first for a person's
    name), and its NFC form."""
    nfc = unicodedata.normalize("NFC", s)
    words = nfc.split()
    if by_given_name and len(words) > 1:
        words = [words[-1], *words[:-1]]
    return words, nfc


def _encode_ints(values) -> str:
    # Fixed width keeps element order; "!" ends the tuple and sorts before every digit,
    # so a tuple that is a prefix of another sorts first, as tuples do.
    return "".join(f"{v:07x}" for v in values) + "!"


def sort_text(s: str, *, by_given_name: bool = False) -> str:
    """`sort_key` as a string whose plain (binary) order is the same order.

    Stored in a column so the database can sort names in Vietnamese order and keyset-page
    by them: SQLite's and PostgreSQL's "C" collation compare code points, like this string.
    """
    words, nfc = _words(s, by_given_name)
    # " " ends the word list (below "!" and every hex digit); the NFC text breaks ties.
    return "".join(_encoded_word(word) for word in words) + " " + nfc


@lru_cache(maxsize=16384)
def _encoded_word(word: str) -> str:
    """One word's part of sort_text (cached: names repeat their syllables, and an import
    encodes 100,000 of them)."""
    return "".join(_encode_ints(part) for part in _word_key(word))
