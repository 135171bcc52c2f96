"""What a global-search query means, and how well a found record matches it.

Plain Python (no SQL): the service turns what the operator typed into a `SearchTerms`, the
storage finds candidates, and `match_tier` ranks each one:

0. EXACT — its code, contract or ticket number, tax code or phone (in any written form,
   see `domain.phone.phone_candidates`) is the whole query;
1. PREFIX — its code, number, name or subject starts with the query;
2. KEY_WORDS — every word of the query starts a word of its code, name or subject;
3. WORDS — every word of the query starts a word of the record's search text (which also
   holds addresses, contacts, descriptions…);
4. SUBSTRING — every word of the query is somewhere in it.

What is found: the records holding the query's words as words, as people type them (every
word whole but the last, which may be the start of one: "tran cong th" finds "Trần Công
Thắng", not "Hội trần"); the storage reads them from a word index (`SearchTerms.whole`,
`SearchTerms.prefix`). Only when no record of any kind holds them so, the records that
hold the words anywhere (substring, tier 4: "guyen", the middle of a number) are looked
for instead. A word index answers a name of common words in milliseconds at a million
tickets; a substring index has to intersect the rows holding each piece of each word
(benchmarks/README.md, "Global search: words first").

Within a tier the most recent record comes first. Everything compares folded text
(`domain.text.fold`: no case, no diacritics, đ = d).

Each hit also says what matched (`match_field`): the field of the record that holds the
query, read in the order exact keys (phone, code, tax code, number), then names (the
record's name or subject, its contacts' names, its customer's), then where it is and what
was written (address, e-mail, notes, description). So "nguyen" ranks the people named
Nguyễn above the customers whose address is on Nguyễn Trãi street, and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .phone import PhoneError, phone_candidates
from .text import fold

EXACT, PREFIX, KEY_WORDS, WORDS, SUBSTRING = range(5)

#: Shorter words cannot use the trigram index; a query made only of them looks up codes only.
MIN_INDEXED = 3

#: A word of the word index: a run of letters and digits of folded text (what SQLite's
#: unicode61 tokenizer and PostgreSQL's parser, given the text with everything else made a
#: space, both take as one word).
_TOKEN = re.compile(r"[0-9a-z]+")
#: The last word of a query is looked up as the start of a word when it has this many
#: characters; a shorter one only as a whole word (every word starts with some letter).
MIN_PREFIX = 2

_PHONE_LIKE = re.compile(r"^\+?[0-9][0-9 .\-()]*$")
_SEPARATORS = re.compile(r"[ .\-()]")


@dataclass(frozen=True)
class SearchTerms:
    text: str  # as typed, normalised
    folded: str  # fold(text)
    words: tuple[str, ...]  # the folded words the search text must all contain
    code: str  # upper-cased, for codes and numbers (KH00001, HD2025-0001, YC26-000123)
    tax_code: str  # digits and dashes, or "" when the query cannot be a tax code
    phones: tuple[str, ...]  # E.164 readings when the query looks like a phone number

    #: One pattern per word: the word at the start of a word (not after a letter or digit).
    word_starts: tuple[re.Pattern, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.word_starts:
            patterns = tuple(re.compile(r"(?<![0-9a-z])" + re.escape(w)) for w in self.words)
            object.__setattr__(self, "word_starts", patterns)

    @property
    def tokens(self) -> tuple[str, ...]:
        """The query's words as the word index splits them ("yc24-091026" is yc24, 091026)."""
        return tuple(dict.fromkeys(t for w in self.words for t in _TOKEN.findall(w)))

    @property
    def whole(self) -> tuple[str, ...]:
        """Tokens a record must hold as whole words: all but the last, and the last too when
        it is shorter than MIN_PREFIX."""
        tokens = self.tokens
        return tokens if not tokens or len(tokens[-1]) < MIN_PREFIX else tokens[:-1]

    @property
    def prefix(self) -> str | None:
        """The last token, which may be the start of a word (typing goes on there)."""
        tokens = self.tokens
        return tokens[-1] if tokens and len(tokens[-1]) >= MIN_PREFIX else None

    @property
    def joined(self) -> tuple[str, ...]:
        """Words with punctuation inside ("yc24-091026", "a@b.vn"): the index finds their
        tokens, the record must also hold the word as typed."""
        return tuple(w for w in self.words if not _TOKEN.fullmatch(w))

    @property
    def indexed(self) -> bool:
        """At least one word is long enough for the trigram index."""
        return any(len(w) >= MIN_INDEXED for w in self.words)


def parse_query(text: str) -> SearchTerms:
    text = " ".join(text.split())
    folded = fold(text)
    compact = _SEPARATORS.sub("", text)
    phones: tuple[str, ...] = ()
    words = tuple(folded.split())
    if _PHONE_LIKE.match(text) and sum(ch.isdigit() for ch in text) >= 4:
        # A number typed with spaces or dots ("0912 345 678") is one word: the digits as
        # stored in search_text (it holds 0912345678 and +84912345678).
        words = (compact,)
        try:
            phones = tuple(phone_candidates(text))
        except PhoneError:
            phones = ()
    tax = text.replace(" ", "")
    tax_code = tax if re.fullmatch(r"[0-9]{10}(-?[0-9]{3})?", tax) else ""
    return SearchTerms(text, folded, words, text.replace(" ", "").upper(), tax_code, phones)


#: Fields whose start is a prefix match (tier PREFIX): codes, numbers and names.
KEY_FIELDS = frozenset({"code", "number", "name", "subject"})
#: Fields that name the record or the people in it (tier KEY_WORDS when every word starts a word).
NAME_FIELDS = frozenset({"code", "number", "name", "subject", "contact", "customer", "package"})
#: Codes and numbers, compared upper-cased as typed.
CODE_FIELDS = frozenset({"code", "number"})
#: What matched when only the record's search text as a whole holds the words.
ANYWHERE = "text"


def match_field(terms: SearchTerms, *, exact: str, fields: tuple[tuple[str, str], ...],
                search_text: str) -> tuple[int, str]:
    """(tier, field) of a candidate: how well it matches and which of its fields matched.
    `exact`: the key the storage matched exactly ("phone", "code", "tax_code", "number"), or
    ""; `fields`: (field, text as stored) of the record, names before addresses and notes;
    `search_text`: its folded search text (the words may be spread over several fields)."""
    if exact:
        return EXACT, exact
    folded = [(key, fold(text)) for key, text in fields if text]
    for key, text in fields:
        if key in KEY_FIELDS and text and (fold(text).startswith(terms.folded) or (
                key in CODE_FIELDS and terms.code and text.upper().startswith(terms.code))):
            return PREFIX, key
    for key, f in folded:
        if key in NAME_FIELDS and _all_words_start(terms, f):
            return KEY_WORDS, key
    for key, f in folded:
        if _all_words_start(terms, f):
            return WORDS, key
    if _all_words_start(terms, search_text):
        return WORDS, _first_holding(terms, folded, search_text)
    return SUBSTRING, _first_holding(terms, folded, search_text)


def _first_holding(terms: SearchTerms, folded, search_text: str) -> str:
    """The first field holding any of the query's words, or ANYWHERE."""
    for key, f in folded:
        if any(w in f for w in terms.words):
            return key
    return ANYWHERE


def match_tier(terms: SearchTerms, *, exact: bool, keys: tuple[str, ...], search_text: str) -> int:
    """How well a candidate matches. `exact`: the storage matched a code, number, tax code
    or phone exactly; `keys`: its code/number and name/subject (any case or diacritics);
    `search_text`: its folded search text."""
    if exact:
        return EXACT
    folded_keys = [fold(k) for k in keys if k]
    for key, folded in zip((k for k in keys if k), folded_keys):
        if folded.startswith(terms.folded) or (terms.code and key.upper().startswith(terms.code)):
            return PREFIX
    if _all_words_start(terms, " ".join(folded_keys)):
        return KEY_WORDS
    if _all_words_start(terms, search_text):
        return WORDS
    return SUBSTRING


def _all_words_start(terms: SearchTerms, folded: str) -> bool:
    return all(rx.search(folded) for rx in terms.word_starts)
