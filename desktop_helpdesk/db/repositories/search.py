"""The global search's candidates: exact and prefix hits on indexed keys, and rows whose
search_text holds the query's words as words (through the word index of migration 0015), or,
asked for `substring`, contains every word anywhere (through the trigram index where there is
one)."""

from __future__ import annotations

import time
import weakref

from sqlalchemy import String, literal, select, text, union_all
from sqlalchemy.orm import aliased

from ...domain.phone import PhoneError, format_phone
from ...domain.search import MIN_INDEXED, SearchTerms
from ...services.dto import SearchCandidate
from .. import models as m
from ._sql import Repo, among, escape_like, fts_phrase, nn, search_index_available

#: The global search narrows a query of several words by one trigram per word when one of
#: the words has a trigram in fewer rows than this (SqlSearchRepository._rare_trigrams).
RARE_TRIGRAM = 5_000

#: PostgreSQL: the newest rows a search reads in id order before it turns to the trigram
#: index (SqlSearchRepository._newest_pg).
PROBE_ROWS = 10_000
#: ... and how many more it reads in id order when the probe's density says the window
#: fills within them (about 1 µs a row), before it turns to the index.
WALK_ROWS = 60_000

#: PostgreSQL, the words of the tickets (SqlSearchRepository._newest_words_pg): the newest
#: rows read in id order first, then in chunks of WORD_CHUNK rows...
WORD_PROBE_ROWS = 10_000
SMALL_PROBE_ROWS = 2_000
WORD_CHUNK = 20_000
#: ... while walking looks cheaper than the index, by these costs (µs, measured at 1M tickets,
#: benchmarks/README.md): checking one row's words in id order; reading one entry of a word's
#: list in the GIN index, of a prefix's lists; fetching and checking one row the index found.
WALK_ROW_US = 0.4
INDEX_ENTRY_US = 0.06
INDEX_PREFIX_ENTRY_US = 0.36
INDEX_ROW_US = 2.0
#: How long the server's word frequencies (pg_stats, refreshed by ANALYZE) are kept.
WORD_STATS_SECONDS = 600.0
_WORD_STATS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _narrowest(whole: list[tuple[str, float]], prefix: list[str], starting: float,
               rows: int) -> tuple[list[str], float]:
    """The words to ask the GIN index for, and what it will cost (µs): the k rarest whole
    words (`whole`: (word, share of the rows holding it), rarest first), with or without the
    last word's prefix (`starting`: the share holding a word starting so), whichever costs
    least. Each word asked for costs its list's entries, a common word's no more than the
    rarest one's (the index skips through it: "fast scan"), INDEX_ENTRY_US each; a prefix
    costs all the entries of every word starting so (no skipping), INDEX_PREFIX_ENTRY_US
    each; every row the words share costs INDEX_ROW_US (fetched and checked), the share
    taken as the product of the words' shares. At a million tickets the rarest two to four
    words of a company's name took 10–20 ms, all ten 36 ms, the rarest alone 88–138 ms."""
    prefix_cost = starting * rows * INDEX_PREFIX_ENTRY_US
    options = [(prefix, prefix_cost + starting * rows * INDEX_ROW_US)] if prefix else []
    rarest = whole[0][1] if whole else 0.0
    entries, share = 0.0, 1.0
    for k, (_word, freq) in enumerate(whole, start=1):
        entries += min(freq, rarest) * rows * INDEX_ENTRY_US
        share *= freq
        words = [w for w, _ in whole[:k]]
        options.append((words, entries + share * rows * INDEX_ROW_US))
        if prefix:
            options.append((words + prefix, entries + prefix_cost + share * starting * rows * INDEX_ROW_US))
    return min(options, key=lambda option: option[1])


def _show_phone(e164: str | None) -> str:
    if not e164:
        return ""
    try:
        return format_phone(e164)
    except PhoneError:  # stored before numbers were checked
        return e164


def _phone_words(e164: str | None) -> str:
    """A stored phone as search_text holds it: E.164 and as said with a leading 0."""
    return f"{e164} {e164.replace('+84', '0', 1)}" if e164 else ""


def _joined(*parts) -> str:
    return " · ".join(p for p in parts if p)


class SqlSearchRepository(Repo):
    """Candidates for the global search: exact and prefix hits on indexed codes, numbers,
    tax codes and phones, plus the most recent rows whose search_text contains every word
    (from the trigram index where there is one). Ranking is the service's."""

    KINDS = ("customer", "contact", "contract", "ticket")
    _TABLES = {"customer": "customers", "contact": "contacts", "contract": "contracts", "ticket": "tickets"}
    #: Tables where a query of several words is narrowed by rare trigrams (_rare_trigrams): on
    #: the others (50,000-80,000 rows) intersecting every trigram takes 2-4 ms, as much as
    #: counting them first.
    _NARROWED = frozenset({"tickets"})
    #: PostgreSQL: tables searched by _newest_pg and _newest_words_pg. On the others
    #: (50,000-80,000 rows) the planner's own choice took 2-5 ms where the probe alone
    #: costs 7-14 ms.
    _PROBED = frozenset({"tickets"})

    def find(self, kind: str, terms: SearchTerms, window: int,
             substring: bool = False) -> tuple[list[SearchCandidate], bool]:
        """(candidates, whether more rows than `window` match). The rows holding the words as
        words (domain/search.py), or with `substring` the rows containing them anywhere.
        Matches are not counted beyond the window: a count reads every match (0.1–0.9 s for
        a common word in a million tickets), the window only the newest."""
        exact, ordered = getattr(self, f"_keys_{kind}")(terms, window)
        table = self._TABLES[kind]
        found = self._containing(table, terms, window) if substring else self._words(table, terms, window)
        ids = list(dict.fromkeys([*exact, *ordered, *found]))
        rows = getattr(self, f"_rows_{kind}")(ids, exact) if ids else []
        return rows, len(found) >= window

    # -- what holds the words as words -----------------------------------------------
    def _words(self, table: str, terms: SearchTerms, window: int) -> list[int]:
        """The newest `window` rows holding every token of the query as a whole word, the
        last one as the start of a word (`terms.whole`, `terms.prefix`), and each word typed
        with punctuation inside as it was typed (`terms.joined`)."""
        if not terms.tokens:
            return []
        dialect = self.s.get_bind().dialect.name
        if dialect == "postgresql":
            return self._words_pg(table, terms, window)
        if not search_index_available(self.s, table, "words"):
            return self._containing(table, terms, window)  # an SQLite without FTS5
        fts = f"{table}_words"
        query = " AND ".join([fts_phrase(t) for t in terms.whole] + ([fts_phrase(terms.prefix) + "*"]
                                                                     if terms.prefix else []))
        checks = "".join(f" AND instr(search_text, :j{i}) > 0" for i in range(len(terms.joined)))
        return [r[0] for r in self.s.execute(
            text(f"SELECT rowid FROM {fts} WHERE {fts} MATCH :q{checks} ORDER BY rowid DESC LIMIT :window"),
            {"q": query, "window": window, **{f"j{i}": w for i, w in enumerate(terms.joined)}})]

    def _words_pg(self, table: str, terms: SearchTerms, window: int) -> list[int]:
        """_words on PostgreSQL, over the column `search_words` of migration 0015 (the words
        of search_text) and its GIN index. `coalesce(search_words, search_words)` is the
        same value in a form no index answers: a condition checked on the rows at hand.
        The words are checked rarest first (the server's word frequencies), so that most
        rows fail at the first; the index is asked for the few words that narrow the rows
        most for their cost (`_narrowest`)."""
        freqs, floor = self._word_frequencies(table)
        rarest = sorted(terms.whole, key=lambda w: freqs.get(w, floor))
        prefix = [f"{terms.prefix}:*"] if terms.prefix else []
        starting = (sum(f for w, f in freqs.items() if w.startswith(terms.prefix)) + floor) if prefix else 0.0
        narrow, index_cost = _narrowest([(w, freqs.get(w, floor)) for w in rarest], prefix, starting,
                                        self._size(table))
        params = {"q": " & ".join([*rarest, *prefix]), "n": " & ".join(narrow),
                  **{f"j{i}": w for i, w in enumerate(terms.joined)}}
        checks = "".join(f" AND strpos(search_text, :j{i}) > 0" for i in range(len(terms.joined)))
        full = f"coalesce(search_words, search_words) @@ to_tsquery('simple', :q){checks}"
        if table not in self._PROBED:
            return self._small_words_pg(table, full, params, window)
        return self._newest_words_pg(table, full, params, window, index_cost)

    def _small_words_pg(self, table: str, full: str, params: dict, window: int) -> list[int]:
        """The newest `window` rows holding the words, on a table of tens of thousands of
        rows. The newest SMALL_PROBE_ROWS rows are walked first (1–2 ms): that holds the
        window when the words are common ("hoa" of Khánh Hòa, Thanh Hóa… in a customer's
        address: 28 ms through the index), or a prefix alone ("kh", "ng", which the index
        answers by merging the lists of every word starting so: 30–50 ms for the 50,000
        customer codes in contracts and contacts' e-mails). The rest comes from the GIN
        index (`id + 0`: the planner, misjudging a prefix's rows, would walk the primary key
        instead and read the whole table when few rows match: 35 ms for a phone number's
        start)."""
        found = [r[0] for r in self.s.execute(text(
            f"SELECT id FROM {table} WHERE id > (SELECT max(id) FROM {table}) - :probe AND {full} "
            "ORDER BY id DESC LIMIT :window"), {**params, "probe": SMALL_PROBE_ROWS, "window": window})]
        if len(found) >= window:
            return found
        return found + [r[0] for r in self.s.execute(
            text(f"SELECT id FROM {table} WHERE id + 0 <= (SELECT max(id) FROM {table}) - :probe AND "
                 f"search_words @@ to_tsquery('simple', :n) AND {full} ORDER BY id + 0 DESC LIMIT :window"),
            {**params, "probe": SMALL_PROBE_ROWS, "window": window - len(found)})]

    def _newest_words_pg(self, table: str, full: str, params: dict, window: int, index_cost: float) -> list[int]:
        """The newest `window` rows holding the words: walked in id order or through the
        GIN index, whichever the newest rows say is cheaper.

        No GIN index returns rows in id order: it reads the lists of the words it is asked
        for and fetches every row they share, then sorts (`index_cost`, µs). A walk in id
        order stops after the window, but costs a check per row (read from the index
        `ix_tickets_words_by_id` alone). The newest WORD_PROBE_ROWS rows are read first:
        the matches among them say how many rows the walk would read. The walk goes on in
        chunks of WORD_CHUNK rows (a chunk is read whole: the planner, expecting few
        matches, sorts rather than stops early) until the window is full, or it has read
        twice what it expected, when the index finds the rest."""
        walk, found, top, ceiling = self._probe(table, full, params, window, WORD_PROBE_ROWS)
        if len(found) >= window or ceiling <= 0:
            return found
        walk_rows = (window - len(found)) * min(WORD_PROBE_ROWS, top) / max(len(found), 0.5)
        if walk_rows * WALK_ROW_US < index_cost:
            budget = 2 * walk_rows
            while len(found) < window and ceiling > 0 and budget > 0:
                chunk = min(WORD_CHUNK, ceiling, int(budget) + 1)
                found += [r[0] for r in self.s.execute(walk, {**params, "floor": ceiling - chunk,
                                                              "ceiling": ceiling, "window": window - len(found)})]
                ceiling -= chunk
                budget -= chunk
            if len(found) >= window or ceiling <= 0:
                return found
        return found + self._through_index(table, f"search_words @@ to_tsquery('simple', :n) AND {full}", params,
                                           ceiling, window - len(found))

    def _size(self, table: str) -> int:
        """The table's rows as the server last counted them (pg_class.reltuples), at least 1."""
        return max(int(self.s.execute(text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"),
                                      {"t": table}).scalar() or 0), 1)

    def _word_frequencies(self, table: str) -> tuple[dict[str, float], float]:
        """{word: share of the rows holding it} for the server's most common words of
        `table` (ANALYZE's sample), and a share to assume for any other word (half the
        rarest listed). Kept WORD_STATS_SECONDS per engine."""
        bind = self.s.get_bind()
        engine = getattr(bind, "engine", bind)
        cached = _WORD_STATS.setdefault(engine, {}).get(table)
        if cached and time.monotonic() - cached[0] < WORD_STATS_SECONDS:
            return cached[1], cached[2]
        row = self.s.execute(text(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = :t AND attname = 'search_words'"),
            {"t": table}).first()
        elems, shares = (row[0] or [], row[1] or []) if row else ([], [])
        freqs = dict(zip(elems, shares[:len(elems)]))
        floor = min(freqs.values()) / 2 if freqs else 0.001
        _WORD_STATS[engine][table] = (time.monotonic(), freqs, floor)
        return freqs, floor

    # -- what contains every word ----------------------------------------------------
    def _containing(self, table: str, terms: SearchTerms, window: int) -> list[int]:
        """The newest `window` rows whose search_text contains every word."""
        if not terms.indexed:
            return []
        if search_index_available(self.s, table):
            source, key = f"{table}_fts", "rowid"
            indexed = [w for w in terms.words if len(w) >= MIN_INDEXED and not set(w) & set("%_\\")]
            rest = [w for w in terms.words if w not in indexed]
            narrow = self._rare_trigrams(source, indexed) \
                if len(indexed) > 1 and table in self._NARROWED else None
            if narrow is not None:
                # A rare word among common ones: the index gives the rows holding each word's
                # rarest trigram (fewer than RARE_TRIGRAM), every word is checked on those.
                conds = [f"{source} MATCH :q"] + [f"instr(search_text, :s{i}) > 0" for i in range(len(terms.words))]
                params = {"q": narrow, **{f"s{i}": w for i, w in enumerate(terms.words)}}
            else:
                # LIKE on a trigram FTS5 column is answered from its index (no ESCAPE there);
                # the other words are checked on the rows it found.
                conds = [f"search_text LIKE :w{i}" for i in range(len(indexed))]
                conds += [f"instr(search_text, :s{i}) > 0" for i in range(len(rest))]
                params = {**{f"w{i}": f"%{w}%" for i, w in enumerate(indexed)},
                          **{f"s{i}": w for i, w in enumerate(rest)}}
        elif table in self._PROBED and self.s.get_bind().dialect.name == "postgresql":
            return self._containing_pg(table, terms.words, window)
        else:
            source, key = table, "id"
            conds = [f"search_text LIKE :w{i} ESCAPE '\\'" for i in range(len(terms.words))]
            params = {f"w{i}": f"%{escape_like(w)}%" for i, w in enumerate(terms.words)}
        where = " AND ".join(conds)
        return [r[0] for r in self.s.execute(
            text(f"SELECT {key} FROM {source} WHERE {where} ORDER BY {key} DESC LIMIT :window"),
            {**params, "window": window})]

    def _containing_pg(self, table: str, words: list[str], window: int) -> list[int]:
        """_containing on PostgreSQL, through the pg_trgm GIN index of migration 0010. Words
        under 3 letters have no trigram: they are checked with strpos on the rows found,
        never given to the index (which would read all of it)."""
        long = sorted((w for w in words if len(w) >= MIN_INDEXED), key=len, reverse=True)  # likeliest to fail first
        short = [w for w in words if len(w) < MIN_INDEXED]
        params = {**{f"w{i}": f"%{escape_like(w)}%" for i, w in enumerate(long)},
                  **{f"s{i}": w for i, w in enumerate(short)}}
        checked = [f"strpos(search_text, :s{i}) > 0" for i in range(len(short))]
        # `search_text || ''` keeps the trigram index out of the walks in id order.
        walked = " AND ".join([f"(search_text || '') LIKE :w{i} ESCAPE '\\'" for i in range(len(long))] + checked)
        indexed = " AND ".join([f"search_text LIKE :w{i} ESCAPE '\\'" for i in range(len(long))] + checked)
        return self._newest_pg(table, walked, indexed, params, window)

    def _newest_pg(self, table: str, walked: str, indexed: str, params: dict, window: int) -> list[int]:
        """The newest `window` rows of `table` meeting a condition, on PostgreSQL: `walked`
        spells it so that no index applies (checked row by row), `indexed` so that a GIN
        index answers it.

        Left to itself the planner walks the primary key backwards for `ORDER BY id DESC
        LIMIT`, assuming the matches spread evenly: a rare name read 350,000 tickets (390 ms)
        to find 200. An index is no cure-all either: its cost grows with the rows holding
        the words (or, for the trigram index, the words' *trigrams*: "bao", "mai" of "bảo
        hành", "email" hold half the table, 450 ms). So the newest PROBE_ROWS rows are read
        in id order first (~5–10 ms), which measures how dense the matches are: if the rest
        of the window is expected within WALK_ROWS more rows, the walk goes on, bounded at
        twice that estimate; whatever is still missing (or everything, for sparse matches)
        comes from the index: a bitmap scan and a top-N sort (`ORDER BY id + 0` and
        `id + 0 <= …` so that the planner cannot walk the primary key instead, sequential
        scans off for that one statement: the planner's guess of a common word's rows
        would otherwise read the whole table)."""
        walk, found, _top, ceiling = self._probe(table, walked, params, window, PROBE_ROWS)
        if len(found) >= window or ceiling <= 0:
            return found
        expected = (window - len(found)) * PROBE_ROWS / max(len(found), 0.5)
        if expected <= WALK_ROWS:
            floor = max(ceiling - 2 * int(expected), 0)
            found += [r[0] for r in self.s.execute(walk, {**params, "floor": floor, "ceiling": ceiling,
                                                          "window": window - len(found)})]
            ceiling = floor
            if len(found) >= window or ceiling <= 0:
                return found
        return found + self._through_index(table, indexed, params, ceiling, window - len(found))

    def _probe(self, table: str, condition: str, params: dict, window: int, rows: int):
        """(the walk statement, the newest `window` ids among the newest `rows` rows meeting
        `condition`, the newest id, the id below which the rest lies)."""
        walk = text(f"SELECT id FROM {table} WHERE id > :floor AND id <= :ceiling AND {condition} "
                    "ORDER BY id DESC LIMIT :window")
        top = self.s.execute(text(f"SELECT max(id) FROM {table}")).scalar() or 0
        found = [r[0] for r in self.s.execute(walk, {**params, "floor": top - rows, "ceiling": top,
                                                     "window": window})] if top else []
        return walk, found, top, top - rows

    def _through_index(self, table: str, indexed: str, params: dict, ceiling: int, window: int) -> list[int]:
        """The newest `window` ids up to `ceiling` meeting `indexed`, from a GIN index: a
        bitmap scan and a top-N sort (`id + 0` so that the planner cannot walk the primary
        key instead; sequential scans off for this one statement: its guess of a common
        word's rows would otherwise read the whole table)."""
        self.s.execute(text("SET LOCAL enable_seqscan = off"))
        try:
            return [r[0] for r in self.s.execute(
                text(f"SELECT id FROM {table} WHERE id + 0 <= :ceiling AND {indexed} ORDER BY id + 0 DESC LIMIT :window"),
                {**params, "ceiling": ceiling, "window": window})]
        finally:
            self.s.execute(text("SET LOCAL enable_seqscan = on"))

    def _rare_trigrams(self, fts: str, words: list[str]) -> str | None:
        """An FTS5 query for the rarest trigram of each word, when one of them is in fewer
        than RARE_TRIGRAM rows; else None. With several words LIKE makes FTS5 intersect every
        trigram of every word: a rare name next to common words ("nguyen cong hieu") read the
        long lists of "ong", "con", "hie"… (35 ms on 1M tickets). One trigram per word, the
        candidates (fewer than RARE_TRIGRAM) read and checked, takes a third of that. Counted
        on the index alone, each up to RARE_TRIGRAM (~0.3 ms for a common one)."""
        grams = {w: list(dict.fromkeys(w[i:i + 3] for i in range(len(w) - 2))) for w in words}
        distinct = list(dict.fromkeys(g for gs in grams.values() for g in gs))
        counts = dict(zip(distinct, self.s.execute(text("SELECT " + ", ".join(
            f"(SELECT count(*) FROM (SELECT rowid FROM {fts} WHERE {fts} MATCH :g{i} LIMIT :n))"
            for i in range(len(distinct)))), {"n": RARE_TRIGRAM, **{f"g{i}": fts_phrase(g) for i, g in
                                                                   enumerate(distinct)}}).one()))
        if min(counts.values()) >= RARE_TRIGRAM:
            return None  # only common words: their intersection is found soonest by LIKE
        rarest = dict.fromkeys(min(gs, key=counts.__getitem__) for gs in grams.values())
        return " AND ".join(fts_phrase(g) for g in rarest)

    # -- exact and prefix matches on indexed columns -----------------------------------
    def _prefix(self, column, code: str, window: int) -> list[int]:
        if len(code) < 2:
            return []
        model = column.class_
        return list(self.s.scalars(select(model.id).where(column >= code, column < code + "\uffff")
                                   .order_by(column).limit(window)))

    def _keys_customer(self, terms: SearchTerms, window: int):
        C, K = m.Customer, m.Contact
        # One arm per key, each answered by its index (as one OR the server read every
        # customer: 45 ms for a phone number on PostgreSQL), each saying which key it is.
        def key(name: str):
            return literal(name, String).label("matched")

        arms = [select(C.id, key("code")).where(C.code == terms.code)]
        if terms.tax_code:
            arms.append(select(C.id, key("tax_code")).where(C.tax_code == terms.tax_code))
        if terms.phones:
            arms += [select(C.id, key("phone")).where(C.phone.in_(terms.phones)),
                     select(K.customer_id, key("phone")).where(K.phone.in_(terms.phones))]
        exact: dict[int, str] = {}
        for cid, matched in self.s.execute(union_all(*arms).limit(window)):
            exact.setdefault(cid, matched)
        return exact, self._prefix(C.code, terms.code, window)

    def _keys_contact(self, terms: SearchTerms, window: int):
        K = m.Contact
        exact = dict.fromkeys(self.s.scalars(select(K.id).where(K.phone.in_(terms.phones)).limit(window)), "phone") \
            if terms.phones else {}
        return exact, []

    def _keys_contract(self, terms: SearchTerms, window: int):
        K = m.Contract
        exact = dict.fromkeys(self.s.scalars(select(K.id).where(K.number == terms.code)), "number")
        return exact, self._prefix(K.number, terms.code, window)

    def _keys_ticket(self, terms: SearchTerms, window: int):
        T = m.Ticket
        exact = dict.fromkeys(self.s.scalars(select(T.id).where(T.code == terms.code)), "code")
        return exact, self._prefix(T.code, terms.code, window)

    # -- the rows, for display and ranking -------------------------------------------
    def _rows_customer(self, ids, exact) -> list[SearchCandidate]:
        C = m.Customer
        kept = aliased(m.Customer)
        rows = self.s.execute(select(C.id, C.code, C.name, C.tax_code, C.phone, C.email, C.address, C.province,
                                     C.notes, C.search_text, C.updated_at, C.archived_at, kept.code.label("kept_code"))
                              .outerjoin(kept, kept.id == C.merged_into_id).where(among(self.s, C.id, ids))).all()
        contacts: dict[int, list[str]] = {}
        for cid, full_name in self.s.execute(select(m.Contact.customer_id, m.Contact.full_name)
                                             .where(among(self.s, m.Contact.customer_id, [r.id for r in rows]))):
            contacts.setdefault(cid, []).append(full_name)
        # An archived customer is still found (its old code or phone is what a caller gives),
        # marked so: "archived", or "merged:KH…" with the customer that stays.
        return [SearchCandidate("customer", r.id, r.code, r.name, _joined(nn(r.tax_code), _show_phone(r.phone)),
                                r.id, r.search_text, r.updated_at, exact.get(r.id, ""), (r.code, r.name),
                                (f"merged:{r.kept_code}" if r.kept_code else "archived") if r.archived_at else "",
                                (("code", r.code), ("name", r.name), ("contact", " · ".join(contacts.get(r.id, ()))),
                                 ("tax_code", nn(r.tax_code)), ("phone", _phone_words(r.phone)), ("email", nn(r.email)),
                                 ("address", _joined(nn(r.address), nn(r.province))), ("notes", nn(r.notes))))
                for r in rows]

    def _rows_contact(self, ids, exact) -> list[SearchCandidate]:
        K, C = m.Contact, m.Customer
        rows = self.s.execute(select(K.id, K.full_name, K.phone, K.email, K.customer_id, C.code, C.name, K.search_text,
                                     K.updated_at).join(C, C.id == K.customer_id).where(among(self.s, K.id, ids)))
        return [SearchCandidate("contact", r.id, "", r.full_name, _joined(_show_phone(r.phone), f"{r.code} – {r.name}"),
                                r.customer_id, r.search_text, r.updated_at, exact.get(r.id, ""), (r.full_name,), "",
                                (("name", r.full_name), ("phone", _phone_words(r.phone)), ("email", nn(r.email)),
                                 ("customer", f"{r.code} {r.name}")))
                for r in rows]

    def _rows_contract(self, ids, exact) -> list[SearchCandidate]:
        K, C, P = m.Contract, m.Customer, m.Package
        rows = self.s.execute(select(K.id, K.number, K.customer_id, C.code, C.name, P.name.label("package"), K.stage,
                                     K.search_text, K.updated_at)
                              .join(C, C.id == K.customer_id).join(P, P.id == K.package_id).where(among(self.s, K.id, ids)))
        return [SearchCandidate("contract", r.id, r.number, r.name, _joined(r.code, r.package), r.customer_id,
                                r.search_text, r.updated_at, exact.get(r.id, ""), (r.number,), r.stage,
                                (("number", r.number), ("customer", f"{r.code} {r.name}"), ("package", r.package)))
                for r in rows]

    def _rows_ticket(self, ids, exact) -> list[SearchCandidate]:
        T, C = m.Ticket, m.Customer
        rows = self.s.execute(select(T.id, T.code, T.subject, T.description, T.customer_id,
                                     C.code.label("customer_code"), C.name, T.status, T.search_text, T.received_at)
                              .join(C, C.id == T.customer_id).where(among(self.s, T.id, ids)))
        return [SearchCandidate("ticket", r.id, r.code, r.subject, f"{r.customer_code} – {r.name}", r.customer_id,
                                r.search_text, r.received_at, exact.get(r.id, ""), (r.code, r.subject), r.status,
                                (("code", r.code), ("subject", r.subject), ("customer", f"{r.customer_code} {r.name}"),
                                 ("description", nn(r.description))))
                for r in rows]
