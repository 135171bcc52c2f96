"""Global search (Ctrl+F) over a real migrated SQLite file: grouping, ranking, folding, and
the trigram index kept in step with the tables by its triggers."""

from __future__ import annotations

from desktop_helpdesk.services import contracts, customers, search, tickets

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, text

from desktop_helpdesk.domain.search import EXACT, PREFIX, SUBSTRING, parse_query
from desktop_helpdesk.services.dto import ContactData, ContractDraft, CustomerDraft, ListQuery, PackageData, TicketDraft

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)


def _package(ctx) -> int:
    with ctx.uow() as uow:
        pid = uow.packages.add(PackageData(0, "SPOS", "Phần mềm bán hàng SmartPOS", 12, "office", 240, 24, 48, 72,
                                           True, 15_000_000))
        uow.commit()
    return pid


def _customer(ctx, name, **kw) -> int:
    return customers.save_customer(ctx, CustomerDraft(name=name, kind="company", **kw))


def _ticket(ctx, customer_id, subject, hours=0, description="") -> int:
    # Incidents: similar how-tos of one customer are refused as repeated guidance (seed 002 §6).
    return tickets.create_ticket(ctx, TicketDraft(customer_id=customer_id, subject=subject, request_type="incident",
                                             channel="hotline", description=description,
                                             received_at=T0 + timedelta(hours=hours)), None)


def _group(results, kind):
    return next(g for g in results.groups if g.kind == kind)


def _ids(results, kind):
    return [h.id for h in _group(results, kind).hits]


def _titles(results, kind):
    return [h.title for h in _group(results, kind).hits]


@pytest.fixture
def desk(ctx):
    """A small desk: three customers (one of them Nguyễn Văn Đức), contacts, a contract, tickets."""
    ids = {}
    ids["duc"] = customers.save_customer(ctx, CustomerDraft(name="Nguyễn Văn Đức", kind="person", phone="0912 345 678",
                                                     tax_code="0100109106"))
    ids["minh"] = _customer(ctx, "Công ty TNHH Minh Phát", phone="028 3974 3179",
                            address="12 Nguyễn Văn Đức, Quận 1",
                            contacts=(ContactData(None, "Trần Thị Đức Hạnh", phone="0987 654 321"),))
    ids["an"] = _customer(ctx, "Cửa hàng An Khang", code="KH00100")
    ids["contract"] = contracts.save_contract(ctx, ContractDraft(customer_id=ids["minh"], package_id=_package(ctx),
                                                          number="HD2026-0001"))
    ids["old"] = _ticket(ctx, ids["an"], "Máy in hóa đơn báo lỗi", hours=0)
    ids["new"] = _ticket(ctx, ids["an"], "Hỏi cách xuất hóa đơn điện tử", hours=5)
    ids["mention"] = _ticket(ctx, ids["minh"], "Cài lại phần mềm", hours=2,
                             description="Anh Đức gọi lại, hẹn chiều mai khắc phục sự cố")
    return ids


def test_results_are_grouped_customers_contacts_contracts_tickets(ctx, desk):
    results = search.global_search(ctx, "minh phat")
    assert [g.kind for g in results.groups] == ["customer", "contact", "contract", "ticket"]
    assert _titles(results, "customer") == ["Công ty TNHH Minh Phát"]
    assert _titles(results, "contract") == ["Công ty TNHH Minh Phát"]  # the contract shows its customer
    assert _group(results, "contract").hits[0].code == "HD2026-0001"
    assert _titles(results, "ticket") == ["Cài lại phần mềm"]  # the ticket's customer matches
    assert _titles(results, "contact") == []


@pytest.mark.parametrize("typed", ["nguyen van duc", "NGUYỄN VĂN ĐỨC", "nguyễn văn đức", "Nguyen Van DUC"])
def test_folding_ignores_case_and_diacritics_and_d_stroke(ctx, desk, typed):
    results = search.global_search(ctx, typed)
    hits = _group(results, "customer").hits
    # The customer named so comes first (its name starts with the query); the one whose
    # address is on a street of that name comes after it.
    assert [h.title for h in hits] == ["Nguyễn Văn Đức", "Công ty TNHH Minh Phát"]
    assert hits[0].tier == PREFIX and hits[1].tier > PREFIX


def test_duc_in_capitals_finds_duc_with_stroke_everywhere(ctx, desk):
    results = search.global_search(ctx, "DUC")
    assert "Nguyễn Văn Đức" in _titles(results, "customer")
    assert _titles(results, "contact") == ["Trần Thị Đức Hạnh"]
    assert _titles(results, "ticket") == ["Cài lại phần mềm"]  # "Anh Đức gọi lại" in its description


def test_exact_customer_code_comes_first(ctx, desk):
    # KH00001.. are given in order; KH00100 was typed. "kh0010" is a prefix of KH00100 only.
    extra = _customer(ctx, "Khách lẻ KH00100 chi nhánh")  # mentions the code in its name
    results = search.global_search(ctx, "kh00100")
    hits = _group(results, "customer").hits
    assert hits[0].id == desk["an"] and hits[0].tier == EXACT
    assert extra in [h.id for h in hits[1:]]
    # Tickets of that customer are found by its code too.
    assert {h.id for h in _group(results, "ticket").hits} == {desk["old"], desk["new"]}


@pytest.mark.parametrize("typed", ["0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678",
                                   "84912345678", "+84912345678"])
def test_exact_phone_in_any_written_form_comes_first(ctx, desk, typed):
    # A customer whose notes merely contain the digits ranks below the one with that phone.
    _customer(ctx, "Ghi chú số 0912345678", notes="x", address="gọi 0912345678")
    hits = _group(search.global_search(ctx, typed), "customer").hits
    assert hits[0].id == desk["duc"] and hits[0].tier == EXACT


def test_a_contacts_phone_finds_the_contact_and_its_customer_exactly(ctx, desk):
    results = search.global_search(ctx, "0987.654.321")
    assert _titles(results, "contact") == ["Trần Thị Đức Hạnh"]
    assert _group(results, "contact").hits[0].tier == EXACT
    assert _group(results, "customer").hits[0].id == desk["minh"]
    assert _group(results, "contact").hits[0].customer_id == desk["minh"]


def test_phone_fragment_finds_contacts_by_the_number_as_people_say_it(ctx, desk):
    assert _titles(search.global_search(ctx, "0987 654"), "contact") == ["Trần Thị Đức Hạnh"]


def test_exact_tax_code_ticket_number_and_contract_number(ctx, desk):
    assert _group(search.global_search(ctx, "0100109106"), "customer").hits[0].id == desk["duc"]
    code = tickets.get_ticket(ctx, desk["new"]).code
    hit = _group(search.global_search(ctx, code.lower()), "ticket").hits[0]
    assert hit.id == desk["new"] and hit.tier == EXACT
    assert _group(search.global_search(ctx, "hd2026-0001"), "contract").hits[0].tier == EXACT


def test_prefix_before_word_then_most_recent_and_text_inside_words_only_when_no_word_matches(ctx, desk):
    a = _ticket(ctx, desk["an"], "Hóa đơn điện tử sai mã số thuế", hours=1)   # prefix, older
    b = _ticket(ctx, desk["an"], "Hóa đơn không gửi được", hours=3)          # prefix, newer
    c = _ticket(ctx, desk["an"], "Lỗi xuất hoá đơn", hours=9)               # words, newest
    d = _ticket(ctx, desk["an"], "Đổi mẫu", hours=10, description="ghichuhoadon")  # inside a word only
    ids = [h.id for h in _group(search.global_search(ctx, "hoa don", limit=50), "ticket").hits]
    assert ids.index(b) < ids.index(a) < ids.index(c)
    # Among the word matches, the newest first.
    assert ids.index(c) < ids.index(desk["new"]) < ids.index(desk["old"])
    # Text inside a word is not a match while records hold the words as words...
    assert d not in ids
    # ... and is found when none does, ranked last (SUBSTRING).
    hits = _group(search.global_search(ctx, "chuhoad"), "ticket").hits
    assert [(h.id, h.tier) for h in hits] == [(d, SUBSTRING)]


def test_words_are_whole_but_the_last_which_may_be_the_start_of_a_word(ctx, desk):
    """As people type: "hoa do" finds "hóa đơn" (the last word is still being typed); a word
    before the last must be whole."""
    assert set(_ids(search.global_search(ctx, "hoa do"), "ticket")) == {desk["old"], desk["new"]}
    assert _ids(search.global_search(ctx, "hóa Đơ"), "ticket") == _ids(search.global_search(ctx, "hoa do"), "ticket")
    assert _ids(search.global_search(ctx, "may hoa"), "ticket") == [desk["old"]]
    assert _ids(search.global_search(ctx, "khac phuc su"), "ticket") == [desk["mention"]]
    assert desk["duc"] in _ids(search.global_search(ctx, "van duc"), "customer")
    # A word typed with punctuation inside is split into words and checked as typed.
    assert _ids(search.global_search(ctx, "hd2026-00"), "contract") == [desk["contract"]]
    assert _ids(search.global_search(ctx, "hd2026-01"), "contract") == []


def test_each_group_shows_a_few_and_counts_all_and_one_group_expands(ctx, desk):
    for i in range(8):
        _ticket(ctx, desk["an"], f"Hóa đơn số {i}", hours=20 + i)
    group = _group(search.global_search(ctx, "hoa don"), "ticket")
    assert len(group.hits) == 5 and group.total == 10 and not group.capped
    assert len(_group(search.global_search(ctx, "hoa don", expand="ticket"), "ticket").hits) == 10


def test_one_character_is_too_short_and_nothing_is_searched(ctx, desk):
    assert search.global_search(ctx, " a ").too_short
    assert not search.global_search(ctx, "an").too_short


def _fts_ids(ctx, table, word):
    with ctx.uow() as uow:
        return {r[0] for r in uow.session.execute(
            text(f"SELECT rowid FROM {table}_fts WHERE search_text LIKE :w"), {"w": f"%{word}%"})}


@pytest.mark.sqlite_only
def test_migration_builds_a_trigram_index_per_table_kept_in_step_by_triggers(ctx, desk):
    cid = desk["an"]
    assert _fts_ids(ctx, "customers", "an khang") == {cid}
    details = customers.get_customer(ctx, cid)
    customers.save_customer(ctx, details.draft.__class__(**{**details.draft.__dict__, "name": "Cửa hàng Bình Minh Đông"}),
                          cid, details.version)
    assert _fts_ids(ctx, "customers", "an khang") == set()
    assert _fts_ids(ctx, "customers", "binh minh dong") == {cid}
    # Tickets: inserted and edited.
    tid = _ticket(ctx, cid, "Chuyển dữ liệu sang máy chủ mới")
    assert _fts_ids(ctx, "tickets", "may chu moi") == {tid}
    t = tickets.get_ticket(ctx, tid)
    tickets.update_ticket(ctx, tid, t.version, t.draft.__class__(**{**t.draft.__dict__, "subject": "Sao lưu dữ liệu"}), None)
    assert _fts_ids(ctx, "tickets", "may chu moi") == set()
    assert _fts_ids(ctx, "tickets", "sao luu") == {tid}
    # Contacts removed from a customer leave the index too.
    minh = customers.get_customer(ctx, desk["minh"])
    assert _fts_ids(ctx, "contacts", "duc hanh")
    customers.save_customer(ctx, minh.draft.__class__(**{**minh.draft.__dict__, "contacts": ()}), desk["minh"], minh.version)
    assert _fts_ids(ctx, "contacts", "duc hanh") == set()
    assert _titles(search.global_search(ctx, "duc hanh"), "contact") == []


def _word_ids(ctx, table, words):
    """Rows holding every word, read from the word index (0015) of either engine."""
    with ctx.uow() as uow:
        s = uow.session
        if s.get_bind().dialect.name == "postgresql":
            for scan in ("seqscan", "indexscan", "indexonlyscan"):  # as on a big table: the GIN index
                s.execute(text(f"SET LOCAL enable_{scan} = off"))
            sql = f"SELECT id FROM {table} WHERE search_words @@ to_tsquery('simple', :q)"
            plan = "\n".join(r[0] for r in s.execute(text("EXPLAIN " + sql), {"q": " & ".join(words.split())}))
            assert f"ix_{table}_search_words" in plan, plan
            return {r[0] for r in s.execute(text(sql), {"q": " & ".join(words.split())})}
        return {r[0] for r in s.execute(text(f"SELECT rowid FROM {table}_words WHERE {table}_words MATCH :q"),
                                        {"q": " AND ".join(f'"{w}"' for w in words.split())})}


def test_the_word_index_is_kept_in_step_with_every_save(ctx, desk):
    cid = desk["an"]
    assert _word_ids(ctx, "customers", "an khang") == {cid}
    details = customers.get_customer(ctx, cid)
    customers.save_customer(ctx, details.draft.__class__(**{**details.draft.__dict__, "name": "Cửa hàng Bình Minh Đông"}),
                          cid, details.version)
    assert _word_ids(ctx, "customers", "an khang") == set()
    assert _word_ids(ctx, "customers", "binh minh dong") == {cid}
    tid = _ticket(ctx, cid, "Chuyển dữ liệu sang máy chủ mới")
    assert _word_ids(ctx, "tickets", "may chu moi") == {tid}
    t = tickets.get_ticket(ctx, tid)
    tickets.update_ticket(ctx, tid, t.version, t.draft.__class__(**{**t.draft.__dict__, "subject": "Sao lưu dữ liệu"}), None)
    assert _word_ids(ctx, "tickets", "may chu moi") == set()
    assert _word_ids(ctx, "tickets", "sao luu") == {tid}
    minh = customers.get_customer(ctx, desk["minh"])
    assert _word_ids(ctx, "contacts", "duc hanh")
    customers.save_customer(ctx, minh.draft.__class__(**{**minh.draft.__dict__, "contacts": ()}), desk["minh"], minh.version)
    assert _word_ids(ctx, "contacts", "duc hanh") == set()
    # Words are split at every character other than a letter or digit, on both engines.
    assert _word_ids(ctx, "contracts", "hd2026 0001") == {desk["contract"]}


@pytest.mark.parametrize("typed", ["hoa don", "hoa d", "hoa do", "khang", "an khang h", "loi so 1", "so 1",
                                   "hd2026-0001", "nothing here", "0912", "duc"])
def test_the_servers_walk_and_index_find_the_rows_the_plain_word_rule_finds(ctx, desk, monkeypatch, typed):
    """Whatever path a search takes (the walk in id order, then the index; or only the
    index), it returns the newest rows whose text holds the words by the domain's rule."""
    import re as _re

    from desktop_helpdesk.db.repositories import search as repo

    for i in range(12):
        _ticket(ctx, desk["an"] if i % 2 else desk["minh"], f"Lỗi hóa đơn số {i}", hours=10 + i)
    terms = parse_query(typed)
    rule = [_re.compile(r"(?<![0-9a-z])" + t + r"(?![0-9a-z])") for t in terms.whole]
    rule += [_re.compile(r"(?<![0-9a-z])" + terms.prefix)] if terms.prefix else []
    for table in ("tickets", "customers", "contracts"):
        with ctx.uow() as uow:
            rows = uow.session.execute(text(f"SELECT id, search_text FROM {table} ORDER BY id DESC")).all()
        expected = [i for i, st in rows if all(r.search(st) for r in rule) and all(j in st for j in terms.joined)]
        # Tiny probes and chunks, and costs that force the walk (index entries dear) or
        # the index asked for the whole words, or for them all (walking dear).
        for probe, chunk, walk_us, entry_us, row_us in ((1, 1, 0.0, 1e9, 1.0), (2, 1, 0.0, 1e9, 1.0),
                                                        (1, 2, 1e9, 0.0, 1.0), (100, 5, 1e9, 1.0, 0.0),
                                                        (3, 1, 1.0, 1.0, 1.0)):
            for name, value in (("WORD_PROBE_ROWS", probe), ("WORD_CHUNK", chunk), ("WALK_ROW_US", walk_us),
                                ("INDEX_ENTRY_US", entry_us), ("INDEX_ROW_US", row_us)):
                monkeypatch.setattr(repo, name, value)
            for window in (1, 3, 200):
                with ctx.uow() as uow:
                    assert uow.search._words(table, terms, window) == expected[:window], (table, typed, window)


@pytest.mark.sqlite_only
def test_the_index_agrees_with_a_plain_scan(ctx, desk):
    """The FTS answer equals LIKE on the table itself (no row lost or stale)."""
    with ctx.uow() as uow:
        for table in ("customers", "contacts", "contracts", "tickets"):
            for word in ("duc", "hoa don", "0912", "kh001"):
                where = " AND ".join(f"search_text LIKE '%{w}%'" for w in word.split())
                plain = {r[0] for r in uow.session.execute(text(f"SELECT id FROM {table} WHERE {where}"))}
                indexed = {r[0] for r in uow.session.execute(text(f"SELECT rowid FROM {table}_fts WHERE {where}"))}
                assert indexed == plain, (table, word)


@pytest.mark.postgresql_only
def test_the_server_finds_a_rare_word_through_its_trigram_index_not_a_scan(ctx, desk):
    """On PostgreSQL the folded search_text has a pg_trgm GIN index per table (0010): a
    search for a rare word reads the index (asked with sequential scans off, as the planner
    would choose on a big table), and finds what a plain scan finds."""
    with ctx.uow() as uow:
        s = uow.session
        for table in ("customers", "contacts", "contracts", "tickets"):
            plain = {r[0] for r in s.execute(text(f"SELECT id FROM {table} WHERE search_text LIKE '%khang%'"))}
            s.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(r[0] for r in s.execute(text(
                f"EXPLAIN SELECT id FROM {table} WHERE search_text LIKE '%khang%'")))
            assert f"ix_{table}_search_trgm" in plan, plan
            assert {r[0] for r in s.execute(text(f"SELECT id FROM {table} WHERE search_text LIKE '%khang%'"))} == plain
            s.execute(text("SET LOCAL enable_seqscan = on"))
    assert _titles(search.global_search(ctx, "an khang"), "customer") == ["Cửa hàng An Khang"]


def test_list_filters_use_the_index_and_find_the_same_rows(ctx, desk):
    rows = tickets.list_tickets(ctx, ListQuery(text="khac phuc")).rows
    assert [r.id for r in rows] == [desk["mention"]]
    assert [r.name for r in customers.list_customers(ctx, ListQuery(text="an khang")).rows] == ["Cửa hàng An Khang"]
    # Short words (under three letters) are still matched, on the rows the index found.
    assert [r.id for r in tickets.list_tickets(ctx, ListQuery(text="anh duc")).rows] == [desk["mention"]]


def test_parse_query_reads_phones_tax_codes_and_codes():
    q = parse_query("0912.345.678")
    assert q.phones[0] == "+84912345678" and q.words == ("0912345678",)
    assert parse_query("0100109106-001").tax_code == "0100109106-001"
    assert parse_query("yc26-000123").code == "YC26-000123"
    assert parse_query("Nguyễn Văn Đức").words == ("nguyen", "van", "duc")


def test_several_words_match_whole_words_not_their_pieces(ctx, desk):
    # "Ông Hòa gửi đơn" holds every trigram of "dong" (don, ong) and "hoa" but not "dong":
    # the index narrows by pieces of words, the rows found must still contain each word.
    pieces = _ticket(ctx, desk["an"], "Ông Hòa gửi đơn", hours=30)
    whole = _ticket(ctx, desk["an"], "Chi nhánh Đông Hòa", hours=31)
    assert [h.id for h in _group(search.global_search(ctx, "dong hoa"), "ticket").hits] == [whole]
    assert pieces in [h.id for h in _group(search.global_search(ctx, "hoa don"), "ticket").hits]


@pytest.mark.postgresql_only
@pytest.mark.parametrize("probe, walk", [(1, 0), (1, 10), (2, 1), (100, 0)])
def test_the_servers_bounded_walk_then_index_finds_the_newest_rows_a_plain_query_finds(ctx, desk, monkeypatch,
                                                                                        probe, walk):
    """PostgreSQL's ticket search reads the newest rows in id order first, goes on walking
    while the matches are dense enough, then turns to the trigram index: with tiny bounds
    (every branch taken on a few rows) it returns exactly the newest rows holding every word,
    short words included, in id order, as the plain query does."""
    from desktop_helpdesk.db.repositories import search as repo

    an = desk["an"]
    extra = [_ticket(ctx, an if i % 2 else desk["minh"], f"Lỗi hóa đơn số {i}", hours=10 + i) for i in range(12)]
    monkeypatch.setattr(repo, "PROBE_ROWS", probe)
    monkeypatch.setattr(repo, "WALK_ROWS", walk)
    with ctx.uow() as uow:
        s = uow.session
        for typed in ("hoa don", "an khang hoa", "loi so 1", "khang", "duc", "nothing here"):
            terms = parse_query(typed)
            where = " AND ".join(f"search_text LIKE :w{i}" for i in range(len(terms.words)))
            params = {f"w{i}": f"%{w}%" for i, w in enumerate(terms.words)}
            for window in (1, 3, 200):
                plain = [r[0] for r in s.execute(text(
                    f"SELECT id FROM tickets WHERE {where} ORDER BY id DESC LIMIT {window}"), params)]
                assert uow.search._containing("tickets", terms, window) == plain, (typed, window)


@pytest.mark.parametrize("threshold", [0, 3, 5_000])
def test_the_ticket_filter_through_the_trigram_index_pages_as_the_plain_query(ctx, desk, monkeypatch, threshold):
    """The ticket list filter reads the page's ids from the trigram index when few tickets
    match (_sql.indexed_page_ids): under every threshold, every sort, state and direction,
    walked page by page, it lists exactly the tickets of the plain query, in order."""
    from desktop_helpdesk.db.repositories import _sql
    from desktop_helpdesk.db.repositories import tickets as repo

    made = [_ticket(ctx, desk["an"] if i % 3 else desk["minh"], f"Lỗi hóa đơn số {i}", hours=10 + i % 5)
            for i in range(9)]
    with ctx.uow() as uow:  # some of them done, for the state filters
        uow.session.execute(text("UPDATE tickets SET status = 'closed' WHERE id IN :ids")
                            .bindparams(bindparam("ids", expanding=True)), {"ids": made[::2]})
        uow.commit()
    monkeypatch.setattr(_sql, "INDEXED_PAGE_THRESHOLD", threshold)
    real = repo.indexed_page_ids

    def walk(text_, state, sort, descending):
        out, after = [], None
        while True:
            page = tickets.list_tickets(ctx, ListQuery(text=text_, sort=sort, descending=descending, limit=2,
                                                       after=after, filters={"state": state} if state else {}))
            out += [r.id for r in page.rows]
            if page.next_cursor is None:
                return out
            after = page.next_cursor

    for text_ in ("hoa don", "loi so 1", "khang", "an khang", "nothing here"):
        for state in (None, "open", "done"):
            for sort in ("received_at", "code", "priority", "coverage", "next_due_at", "customer"):
                for descending in (False, True):
                    monkeypatch.setattr(repo, "indexed_page_ids", real)
                    narrowed = walk(text_, state, sort, descending)
                    monkeypatch.setattr(repo, "indexed_page_ids", lambda *a, **k: None)
                    plain = walk(text_, state, sort, descending)
                    assert narrowed == plain, (text_, state, sort, descending)
