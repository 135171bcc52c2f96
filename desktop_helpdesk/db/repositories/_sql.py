"""SQL shared by the repositories: list filters over search_text (and its trigram index),
keyset pages, race-free code numbering, flushes that report duplicates and concurrent edits, and the
base every repository builds on.

Lists use keyset pagination (never OFFSET): each page is ordered by (sort key, id) and the
next page starts after the last row's pair, so page 5,000 costs what page 1 costs. Filtering
matches every folded word of the filter against the row's folded `search_text`.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Select,
    and_,
    cast,
    func,
    literal,
    literal_column,
    select,
    text,
    tuple_,
)
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.util import ClauseAdapter
from sqlalchemy.sql.visitors import iterate

from ...domain.enums import ContractStage, TicketStatus
from ...domain.errors import (
    AlreadyCreated,
    ConcurrentEditError,
    DuplicateError,
    NotFoundError,
)
from ...domain.search import MIN_INDEXED
from ...services.dto import ListQuery, Page

OPEN_STATUSES = tuple(s.value for s in TicketStatus if s.is_open)
SIGNED_STAGES = tuple(s.value for s in ContractStage if s.order >= ContractStage.SIGNED.order)


def escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


#: A list filter narrows the rows through the trigram index when the words match at most this
#: many rows; more matches are found sooner by walking the list in its own order and testing
#: each row (reading and joining 4,000 matches to sort them took 3x the walk; benchmarks/README.md).
FTS_THRESHOLD = 2_000


def fts_phrase(s: str) -> str:
    """`s` as an FTS5 string (one trigram token when it is three characters long)."""
    return '"' + s.replace('"', '""') + '"'


def text_filter(column, folded: str, session: Session | None = None):
    """Every folded word somewhere in `column` (a search_text). Given the session, rare words
    are looked up in the table's trigram index (migration 0007) instead of a full scan."""
    terms = folded.split()
    if not terms:
        return None
    cond = and_(*(column.like(f"%{escape_like(t)}%", escape="\\") for t in terms))
    if session is not None:
        narrowed = _index_narrowing(session, column, terms)
        if narrowed is not None:
            cond = and_(narrowed, cond)
    return cond


def _index_narrowing(session: Session, column, terms: list[str]):
    model = column.class_
    table = model.__tablename__
    indexed = [t for t in terms if len(t) >= MIN_INDEXED and not set(t) & set("%_\\")]
    if not indexed or not search_index_available(session, table):
        return None
    fts = sa_table(f"{table}_fts", sa_column("rowid"), sa_column("search_text"))
    # Counted on the index alone: rows holding every trigram of the words (a few more than
    # hold the words; LIKE would read each row to check, 5-10x slower for common words).
    trigrams = " AND ".join(dict.fromkeys('"' + t[i:i + 3].replace('"', '""') + '"'
                                          for t in indexed for i in range(len(t) - 2)))
    found = session.execute(text(f"SELECT count(*) FROM (SELECT rowid FROM {table}_fts "
                                 f"WHERE {table}_fts MATCH :q LIMIT :n)"),
                            {"q": trigrams, "n": FTS_THRESHOLD + 1}).scalar()
    if found > FTS_THRESHOLD:
        return None
    return model.id.in_(select(fts.c.rowid).where(*(fts.c.search_text.like(f"%{t}%") for t in indexed)))


#: A list filter whose words match at most this many rows reads them all through the trigram
#: index and sorts them (indexed_page_ids); more are found sooner by the walk.
INDEXED_PAGE_THRESHOLD = 5_000


def indexed_page_ids(session: Session, column, folded: str, conds: list, sort_expr, query: ListQuery) -> list | None:
    """The ids of the page of rows holding every folded word (and `conds`, on the same table
    as `column` and `sort_expr`), in list order after `query.after`, when at most
    INDEXED_PAGE_THRESHOLD rows match; None otherwise (or without a trigram index): the plain
    query decides.

    PostgreSQL's planner prices a LIKE on a long text like any operator and overestimates how
    rare a word is not (`nguyen`: 3,856 tickets of 1M, estimated 10,000-20,000), so it walks
    the list's sort index and discards rows: ~50,000 for one page, 51 ms, 95 ms with the open
    filter; SQLite walks too above its FTS_THRESHOLD (79 / 87 ms). Here the matches are read
    once through the trigram index (PostgreSQL's GIN bitmap, SQLite's `<table>_fts`), capped
    at threshold + 1 rows in a CTE, counted, and the page's ids taken from them by a top-N
    sort on `coalesce(key, key)` (same order, but no index serves it, so the planner cannot
    turn back to the walk). A common word stops the capped read after a few thousand rows."""
    model = column.class_
    table = model.__table__
    terms = folded.split()
    indexed = [t for t in terms if len(t) >= MIN_INDEXED and not set(t) & set("%_\\")]
    if not indexed:
        return None  # no trigram: the index would read all of itself
    # Words under 3 letters are checked with strpos: given to the GIN index as LIKE (no
    # trigram) they would make it read all of itself.
    dialect = session.get_bind().dialect.name
    position = func.strpos if dialect == "postgresql" else func.instr
    likes = [column.like(f"%{escape_like(t)}%", escape="\\") if len(t) >= MIN_INDEXED
             else position(column, t) > 0 for t in terms]
    source = table
    if dialect == "sqlite" and search_index_available(session, table.name):
        # Joined from the FTS5 table, whose doclists are read as the rows are taken (an IN
        # subquery would collect every match of a common word before the cap applies); the
        # words' trigrams MATCHed on the index alone (`nguyen`: 3.5 ms for 3,856 rows, where
        # FTS5's own LIKE, which reads each row's text, took 21 ms), the words then checked.
        fts = sa_table(f"{table.name}_fts", sa_column("rowid"))
        source = fts.join(table, model.id == fts.c.rowid)
        trigrams = " AND ".join(dict.fromkeys(fts_phrase(t[i:i + 3]) for t in indexed for i in range(len(t) - 2)))
        likes.insert(0, literal_column(f"{table.name}_fts").op("MATCH")(trigrams))
    elif dialect != "postgresql":
        return None
    fenced = func.coalesce(sort_expr, sort_expr)
    used = {c for cond in conds for c in iterate(cond) if isinstance(c, Column) and c.table is table}
    found = select(*(c for c in table.c if c in used or c is model.id.property.columns[0]),
                   fenced.label("_k")).select_from(source).where(*likes)
    found = found.limit(INDEXED_PAGE_THRESHOLD + 1).cte("matches")
    if dialect == "postgresql":
        found = found.prefix_with("MATERIALIZED")  # SQLite materialises a CTE read twice by itself
    # `conds` (the state filter...) are checked on the matches, not given to the index scan:
    # ANDed with the open tickets' status index in PostgreSQL's bitmap it cost 15 ms more.
    on_found = ClauseAdapter(found)
    k, ids = found.c._k, found.c[model.id.key]
    page = select(ids, k).where(*(on_found.traverse(c) for c in conds))
    if query.after is not None:
        value, last_id = query.after
        pair, bound = tuple_(k, ids), tuple_(literal(value, type_=sort_expr.type), literal(last_id))
        page = page.where(pair < bound if query.descending else pair > bound)
    order = (k.desc(), ids.desc()) if query.descending else (k.asc(), ids.asc())
    page = page.order_by(*order).limit(query.limit + 1).subquery()
    # One statement: a first row with how many matched (the cap decides), then the page's ids.
    rows = session.execute(
        select(literal(1).label("counted"), select(func.count()).select_from(found).scalar_subquery())
        .union_all(select(literal(0), page.c.id))).all()
    if any(counted and n > INDEXED_PAGE_THRESHOLD for counted, n in rows):
        return None
    return [v for counted, v in rows if not counted]


_SEARCH_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def among(session: Session, column, ids: list, item_type=None):
    """`column IN ids`. On PostgreSQL as `= ANY(array)`: one parameter, so the statement's
    text is the same for any number of ids (psycopg prepares and caches it; 200 expanded
    parameters cost ~2 ms a statement to convert). `item_type`: the values' SQL type
    (Integer unless said)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import Integer, any_, bindparam
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == any_(bindparam("among_ids", list(ids), type_=ARRAY(item_type or Integer)))
    return column.in_(ids)


def search_index_available(session: Session, table: str, kind: str = "fts") -> bool:
    """`<table>_fts` (SQLite with migration 0007 and FTS5 trigram) or, with kind "words",
    `<table>_words` (0015, FTS5) exists. Asked once per engine."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return False
    engine = getattr(bind, "engine", bind)
    known = _SEARCH_INDEXES.get(engine)
    if known is None:
        known = set(session.scalars(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND (name LIKE '%\\_fts' ESCAPE '\\' OR name LIKE '%\\_words' ESCAPE '\\')")))
        _SEARCH_INDEXES[engine] = known
    return f"{table}_{kind}" in known


def keyset(session: Session, stmt: Select, sort_expr, id_col, query: ListQuery, to_row: Callable,
           groups: list[tuple] | None = None, group_col=None) -> Page:
    """One page of `stmt` ordered by (sort_expr, id_col), after `query.after`.

    `groups`, when given, lists the few values of a sort key read from a joined table as
    (sort value, [values of `group_col`]) in the order the database sorts them (e.g. the
    packages by name, with their ids): the page is then read as one arm per group, each
    `WHERE group_col IN (...) ORDER BY id LIMIT n` (an index on (group_col, id) serves it and
    stops after n rows), united and put in order by the group's rank. Without it the
    database joins the whole table to the small one and sorts it to return one page."""
    key = sort_expr.label("_sort_key")
    stmt = stmt.add_columns(key)
    if groups is not None:
        split = _split_by_group(stmt, sort_expr, id_col, query, groups, group_col)
        if split is not None:
            return _page(session.execute(split).all(), query, to_row)
    if query.after is not None:
        value, last_id = query.after
        pair, bound = tuple_(sort_expr, id_col), tuple_(literal(value, type_=sort_expr.type), literal(last_id))
        stmt = stmt.where(pair < bound if query.descending else pair > bound)
    if query.descending:
        stmt = stmt.order_by(sort_expr.desc(), id_col.desc())
    else:
        stmt = stmt.order_by(sort_expr.asc(), id_col.asc())
    return _page(session.execute(stmt.limit(query.limit + 1)).all(), query, to_row)


def _split_by_group(stmt: Select, sort_expr, id_col, query: ListQuery, groups: list[tuple], group_col):
    """The page as a UNION ALL of one arm per group (see `keyset`), or None when the cursor's
    sort value is not one of the groups' (renamed meanwhile): the plain query then decides."""
    order = list(reversed(groups)) if query.descending else list(groups)
    start, last_id = 0, None
    if query.after is not None:
        value, last_id = query.after
        at = [i for i, (v, _) in enumerate(order) if v == value]
        if not at:
            return None
        start = at[0]
    n = query.limit + 1
    arms = []
    for rank, (_, members) in enumerate(order[start:], start):
        arm = stmt.add_columns(literal(rank).label("_rank")).where(group_col.in_(members))
        if last_id is not None and rank == start:
            arm = arm.where(id_col < last_id if query.descending else id_col > last_id)
        arm = arm.order_by(id_col.desc() if query.descending else id_col.asc()).limit(n)
        arms.append(arm.subquery().select())  # parenthesised: an arm of its own ORDER BY / LIMIT
    if not arms:
        return None
    united = arms[0].union_all(*arms[1:]).subquery() if len(arms) > 1 else arms[0].subquery()
    ids = united.c[id_col.key]
    return (select(united).order_by(united.c._rank, ids.desc() if query.descending else ids.asc()).limit(n))


def _page(result, query: ListQuery, to_row: Callable) -> Page:
    more = len(result) > query.limit
    result = result[: query.limit]
    cursor = (result[-1]._sort_key, result[-1].id) if more and result else None
    return Page(rows=tuple(to_row(r) for r in result), next_cursor=cursor)


def money_sum(column):
    """SUM of whole-VND amounts as an integer on every engine (PostgreSQL's SUM of a bigint
    is numeric, which would reach the domain as a Decimal)."""
    return cast(func.sum(column), BigInteger)


def empty_if_null(column, default: str = "''"):
    """coalesce(column, '') written with a literal, so it matches the expression index."""
    return func.coalesce(column, literal_column(default))


def likely(session: Session, condition):
    """Tell SQLite's planner (which has no statistics before ANALYZE) that most rows pass,
    so it walks the sort key's index and stops after one page instead of sorting them all."""
    return func.likely(condition) if session.get_bind().dialect.name == "sqlite" else condition


def unindexed(session: Session, column):
    """`column`, which SQLite's planner must not pick an index for ("+column", SQLite's
    idiom); other engines, with real statistics, get the column as it is."""
    if session.get_bind().dialect.name == "sqlite":
        return literal_column(f"+{column.table.name}.{column.name}")
    return column


def chosen_sort(sorts: dict, name: str):
    return sorts[name] if name in sorts else next(iter(sorts.values()))


def nn(value) -> str:
    """A nullable text as shown: "" for NULL."""
    return value or ""


_COUNTERS = sa_table("code_counters", sa_column("prefix"), sa_column("last_number"))


_META = sa_table("app_meta", sa_column("key"), sa_column("value"))
#: app_meta key of the offline copy's device tag (db/sync.py): its codes are provisional.
CODE_TAG_KEY = "offline.code_tag"


def _provisional(session: Session, prefix: str) -> str:
    """On a field laptop's offline copy, codes are provisional ("~" + the device's tag + the
    prefix, e.g. "~7F3A-YC26-000012"), unique to the device; the server hands out the final
    code at sync."""
    tag = session.execute(select(_META.c.value).where(_META.c.key == CODE_TAG_KEY)).scalar()
    return f"~{tag}-{prefix}" if tag else prefix


def take_code(session: Session, column, prefix: str, width: int) -> str:
    """Take the next code `prefix` + zero-padded number from its counter (migration 0011),
    inside the caller's transaction: one atomic UPDATE ... RETURNING, so two writers never
    take the same number (the second waits for the first's commit on PostgreSQL, for its
    write lock on SQLite). A code already in use (typed by hand) is skipped: the next free
    number is handed out, so a code typed far ahead neither blocks the counter nor makes it
    jump past the typed one."""
    prefix = _provisional(session, prefix)
    number = _take(session, prefix)
    if number is None:  # a prefix not seen before (a new year): count from 1, skipping typed codes
        _seed(session, prefix)
        number = _take(session, prefix)
    free = _first_free(session, column, prefix, width, number)
    if free != number:  # this transaction holds the counter's row lock: nobody moved it since
        session.execute(_COUNTERS.update().where(_COUNTERS.c.prefix == prefix).values(last_number=free))
    return f"{prefix}{free:0{width}d}"


def take_codes(session: Session, column, prefix: str, width: int, n: int) -> list[str]:
    """`n` codes at once, as `take_code` hands them out one by one (an import's thousands of
    new customers): the counter moves by `n` in one UPDATE, and codes typed by hand inside
    the range are skipped by taking as many more."""
    prefix = _provisional(session, prefix)
    codes: list[str] = []
    while len(codes) < n:
        wanted = n - len(codes)
        last = _take(session, prefix, wanted)
        if last is None:
            _seed(session, prefix)
            last = _take(session, prefix, wanted)
        candidates = [f"{prefix}{k:0{width}d}" for k in range(last - wanted + 1, last + 1)]
        used: set[str] = set()
        for start in range(0, len(candidates), 500):
            used.update(session.scalars(select(column).where(column.in_(candidates[start:start + 500]))))
        codes += [c for c in candidates if c not in used]
    return codes


def _take(session: Session, prefix: str, n: int = 1) -> int | None:
    return session.execute(
        _COUNTERS.update().where(_COUNTERS.c.prefix == prefix)
        .values(last_number=_COUNTERS.c.last_number + n).returning(_COUNTERS.c.last_number)).scalar()


def _seed(session: Session, prefix: str) -> None:
    """Create the counter unless another writer just did (then theirs stands)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(_COUNTERS).values(prefix=prefix, last_number=0).on_conflict_do_nothing())


def _first_free(session: Session, column, prefix: str, width: int, number: int) -> int:
    """`number`, or the first number after it whose code is not in use, looked up in
    growing batches (a run of codes typed ahead costs a few queries, not one per code)."""
    batch = 8
    while True:
        codes = [f"{prefix}{n:0{width}d}" for n in range(number, number + batch)]
        used = set(session.scalars(select(column).where(column.in_(codes))))
        for n, code in zip(range(number, number + batch), codes):
            if code not in used:
                return n
        number += batch
        batch = min(batch * 4, 512)


def taken(session: Session, model, column, value: str, except_id: int | None) -> bool:
    stmt = select(model.id).where(column == value)
    if except_id is not None:
        stmt = stmt.where(model.id != except_id)
    return session.scalar(stmt.limit(1)) is not None


def flush(session: Session, field: str, value: str, uuid: str = "") -> None:
    """Flush, reporting a unique violation as DuplicateError(field, value), or as
    AlreadyCreated(uuid) when it is the new row's client-chosen `uuid` that exists already
    (a retry of a save that did commit, running at the same time as it)."""
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConcurrentEditError(str(exc)) from exc
    except IntegrityError as exc:
        if uuid and _violates_uuid(exc):
            raise AlreadyCreated(uuid) from exc
        if "unique" in str(exc.orig).lower():
            raise DuplicateError(field, value) from exc
        raise


# SQLite names the column ("UNIQUE constraint failed: customers.uuid"); PostgreSQL names the
# constraint (uq_<table>_uuid, migration naming convention), in its diagnostics and its message.
_SQLITE_UUID = re.compile(r"UNIQUE constraint failed: \w+\.uuid\b")
_PG_UUID = re.compile(r'unique constraint "uq_\w+_uuid"')


def _violates_uuid(exc: IntegrityError) -> bool:
    orig = exc.orig
    constraint = getattr(getattr(orig, "diag", None), "constraint_name", None)
    if constraint:
        return constraint.endswith("_uuid")
    text_ = str(orig)
    return bool(_SQLITE_UUID.search(text_) or _PG_UUID.search(text_))


def id_for_uuid(session: Session, model, uuid: str) -> int | None:
    """The id of the `model` row stored under `uuid` (unique-indexed: one index probe), or None."""
    if not uuid:
        return None
    return session.scalar(select(model.id).where(model.uuid == uuid))


def with_uuid(obj, uuid: str):
    """`obj`, a new row, under the client-chosen `uuid` when one is given (else the model's
    default, a fresh uuid4, stays)."""
    if uuid:
        obj.uuid = uuid
    return obj


#: What the repositories read the time from: no arguments, an aware UTC datetime. The unit of
#: work hands every repository the same one (db.uow.uow_factory's `clock`).
Clock = Callable[[], datetime]


class Repo:
    def __init__(self, session: Session, clock: Clock):
        self.s = session
        self._clock = clock

    def _bump(self, obj) -> None:
        obj.updated_at = self._clock()

    def _stamped(self, obj):
        """`obj`, a new row, with its audit times from the clock (the models' defaults,
        which read the system clock, stay as a fallback for rows written elsewhere)."""
        obj.created_at = obj.updated_at = self._clock()
        return obj

    def _load(self, model, obj_id: int, version: int | None = None):
        obj = self.s.get(model, obj_id)
        if obj is None:
            raise NotFoundError(f"{model.__tablename__} {obj_id}")
        if version is not None and obj.version != version:
            raise ConcurrentEditError(f"{model.__tablename__} {obj_id}: version {obj.version}, expected {version}",
                                      who=getattr(obj, "updated_by", None), when=obj.updated_at)
        return obj
