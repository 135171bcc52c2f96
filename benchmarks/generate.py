"""A large, realistic helpdesk database for benchmarks, built fast and cached.

    /work/venv/bin/python -m benchmarks.generate benchmarks/data/lists.sqlite3            # 50k/60k/1M
    /work/venv/bin/python -m benchmarks.generate OUT.sqlite3 --tickets 100000 --customers 5000
    /work/venv/bin/python -m benchmarks.generate --database-url postgresql+psycopg://postgres@127.0.0.1:5544/bench

Other benchmarks import it::

    from benchmarks.generate import generate
    result = generate(path, tickets=100_000)   # reuses the file if it holds these parameters

What it promises:

* The schema is the app's: the file is created by ``open_database`` (the Alembic migrations),
  and the secondary indexes are dropped only for the bulk load and re-created from their own
  ``sqlite_master`` SQL, so the result has exactly the migrated schema.
* Every NOT NULL column is filled as the app fills it: UUIDs, ``created_at``/``updated_at``
  as naive UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` (SQLAlchemy's DateTime on SQLite), dates
  as ``YYYY-MM-DD``, ``version`` 1, phones in E.164, tax codes with a valid check digit, and
  ``search_text`` computed by the same expressions as ``db/repositories/customers.py`` (customers by
  its very function ``customer_search_text``). ``check()`` verifies a sample against them.
* Deterministic: the same parameters and seed give the same rows (times are placed before a
  fixed ``END``, not around today).
* Realistic shape: tickets arrive in office hours until ``END`` (Friday 17:00 in Hà Nội, the
  data set's "now"), ids grow with time, tickets per customer are heavy-tailed (a few chains
  file thousands), about 20 % of tickets are open and the open ones are mostly recent (a
  backlog tail of old open tickets remains), every ticket has a ``created`` event plus
  ``assigned``/``status_changed``/note events as its state implies (about 3 per ticket).
* SLA clocks as the app keeps them: every ticket's ``proposal_*``/``fix_*``/``complaint_*``
  columns and ``next_due_at`` are computed by ``services.clocks`` (``clocks_for``,
  ``start_clocks`` on the package's calendar and targets, ``follow_status`` for the status
  change in its history, ``clock_to_columns``, ``next_due``), exactly as the ticket use cases
  (``services.tickets``) move them: the open tickets' clocks run (or are paused while waiting on the customer, or
  the proposal clock is met once a solution is proposed), the resolved and closed tickets'
  clocks are stopped. ``check()`` replays a sample of histories and compares.
* Cached: the parameters are stored in ``app_meta``; an existing file with the same ones is
  reused. The file is built under a temporary name and renamed when complete, so an
  interrupted run never leaves a half-filled file that looks cached.

* The same rows on PostgreSQL (``--database-url postgresql+psycopg://…``): the database is
  built as ``<name>__building`` (created, migrated by ``open_database``), filled with ``COPY``
  with the bulk tables' secondary indexes and foreign keys dropped (re-created afterwards from
  their own ``pg_get_indexdef``/``pg_get_constraintdef``, the foreign keys validated then), the
  id sequences moved past the loaded ids, then ``VACUUM (ANALYZE)`` (statistics, hint bits
  and the visibility map, as autovacuum leaves a settled server) and renamed into place.
  ``customers.sort_name`` is filled with ``domain.text.sort_text(name)`` on both engines.

On SQLite no ``ANALYZE`` is run: the app runs it itself at first start (``db.engine.optimize``),
as the benchmarks do through it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sqlite3
import sys
import time
from bisect import bisect
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_helpdesk.db.engine import open_database, sqlite_url  # noqa: E402
from desktop_helpdesk.db.repositories._sql import OPEN_STATUSES  # noqa: E402
from desktop_helpdesk.db.repositories.customers import customer_search_text  # noqa: E402
from desktop_helpdesk.domain.contracts import add_months, warranty_end  # noqa: E402
from desktop_helpdesk.domain.text import fold, sort_text  # noqa: E402
from desktop_helpdesk.paths import resources_dir  # noqa: E402
from desktop_helpdesk.services import clocks as clock_rules  # noqa: E402
from desktop_helpdesk.services.dto import ContactData, CustomerDraft  # noqa: E402

#: The support calendars of a new database: Vietnam's holidays, none of the firm's own days
#: (a generated database has none), as `Calendars` in a context over it would read them.
_CALENDARS = clock_rules.Calendars()

#: Bump when the generated data changes shape: cached files of another version are rebuilt.
#: 2: tickets carry their SLA clock columns and next_due_at (migration 0004).
#: 3: customers.sort_name filled (it was left '', so the name sort compared empty keys).
GENERATOR_VERSION = 3
META_PARAMS = "benchmark.generate.params"
META_REPORT = "benchmark.generate.report"

DEFAULTS = {"customers": 50_000, "contracts": 60_000, "tickets": 1_000_000, "seed": 1}
OPERATORS = 20

#: The fixed "now" of the data set (UTC). Tickets span TICKETS_FROM..END.
END = datetime(2026, 11, 20, 10, 0)
TICKETS_FROM = datetime(2022, 1, 1)
CUSTOMERS_FROM = datetime(2019, 1, 1)
VN_OFFSET = timedelta(hours=7)  # Asia/Ho_Chi_Minh has no DST

BULK_TABLES = ("customers", "contacts", "contracts", "tickets", "ticket_events")
CHUNK = 50_000

MOBILE_PREFIXES = ("090", "091", "093", "094", "096", "097", "098", "086", "088", "089", "032", "033",
                   "035", "037", "038", "039", "070", "076", "077", "078", "079", "081", "083", "084", "085")
TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)

STAGES = ("request_received", "agreed", "signed", "implementation", "completed", "accepted",
          "warranty", "maintenance", "ended")
REQUEST_TYPES = {"incident": 35, "how_to": 30, "complaint": 5, "change_request": 10, "reinstall": 8,
                 "regulatory_update": 7, "source_code_review": 1, "other": 4}
CHANNELS = {"hotline": 50, "email": 20, "remote": 20, "on_site": 7, "fax": 3}
PRIORITIES = {"low": 15, "normal": 60, "high": 20, "urgent": 5}
OPEN_MIX = {"new": 25, "in_progress": 35, "waiting_customer": 25, "solution_proposed": 15}
DONE_MIX = {"resolved": 30, "closed": 70}
assert set(OPEN_MIX) == set(OPEN_STATUSES)


@dataclass
class Result:
    path: Path
    reused: bool
    seconds: float
    counts: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)


def params_of(customers: int, contracts: int, tickets: int, seed: int) -> dict:
    return {"generator": GENERATOR_VERSION, "customers": customers, "contracts": contracts,
            "tickets": tickets, "seed": seed}


def is_server_url(target) -> bool:
    """`target` names a database server (a SQLAlchemy URL other than sqlite), not a file."""
    return isinstance(target, str) and "://" in target and not target.startswith("sqlite")


def _pg_connect(url: str, database: str | None = None):
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                           dbname=database or u.database, autocommit=True)


def _pg_meta(url: str, key: str) -> dict | None:
    import psycopg

    try:
        con = _pg_connect(url)
    except psycopg.OperationalError:  # no such database (yet)
        return None
    try:
        row = con.execute("SELECT value FROM app_meta WHERE key = %s", (key,)).fetchone()
        return json.loads(row[0]) if row else None
    except (psycopg.Error, ValueError):
        return None
    finally:
        con.close()


def stored_params(path) -> dict | None:
    """The generation parameters stored in an existing file (or server database), or None."""
    if is_server_url(path):
        return _pg_meta(path, META_PARAMS)
    if not Path(path).exists():
        return None
    try:
        con = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM app_meta WHERE key = ?", (META_PARAMS,)).fetchone()
        finally:
            con.close()
        return json.loads(row[0]) if row else None
    except (sqlite3.Error, ValueError):
        return None


def stored_report(path) -> dict:
    if is_server_url(path):
        return _pg_meta(path, META_REPORT) or {}
    con = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT value FROM app_meta WHERE key = ?", (META_REPORT,)).fetchone()
    finally:
        con.close()
    return json.loads(row[0]) if row else {}


def generate(path, customers: int = DEFAULTS["customers"], contracts: int = DEFAULTS["contracts"],
             tickets: int = DEFAULTS["tickets"], seed: int = DEFAULTS["seed"], *, force: bool = False,
             log=print) -> Result:
    """Create (or reuse) a migrated SQLite database at `path` (or PostgreSQL database at a
    `postgresql+psycopg://` URL) filled with generated rows."""
    params = params_of(customers, contracts, tickets, seed)
    if is_server_url(path):
        if not force and stored_params(path) == params:
            return Result(path, True, 0.0, stored_report(path).get("counts", {}), params)
        return _generate_pg(path, params, log)
    path = Path(path)
    if not force and stored_params(path) == params:
        report = stored_report(path)
        return Result(path, True, 0.0, report.get("counts", {}), params)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    _remove_db(tmp)
    started = time.perf_counter()
    engine, _ = open_database(sqlite_url(tmp))  # the migrations build the schema
    engine.dispose()
    con = sqlite3.connect(str(tmp), isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = DELETE")  # leave WAL: a 1 GB transaction in WAL is slow
        con.execute("PRAGMA journal_mode = OFF")  # the file is renamed into place only when complete
        con.execute("PRAGMA synchronous = OFF")
        con.execute("PRAGMA cache_size = -1048576")  # 1 GiB: the UNIQUE(uuid) indexes get random inserts
        con.execute("PRAGMA temp_store = MEMORY")
        indexes = _drop_secondary_indexes(con)
        counts, timings = _fill(con, random.Random(seed), customers, contracts, tickets, log)
        t0 = time.perf_counter()
        for sql in indexes:
            con.execute(sql)
        timings["indexes"] = round(time.perf_counter() - t0, 2)
        seconds = round(time.perf_counter() - started, 2)
        report = {"counts": counts, "seconds": seconds, "timings": timings,
                  "sqlite": sqlite3.sqlite_version, "python": sys.version.split()[0]}
        con.execute("BEGIN")
        con.executemany("INSERT OR REPLACE INTO app_meta (key, value) VALUES (?, ?)",
                        [(META_PARAMS, json.dumps(params, sort_keys=True)),
                         (META_REPORT, json.dumps(report, sort_keys=True))])
        con.execute("COMMIT")
        con.execute("PRAGMA journal_mode = WAL")  # as the app leaves it
    finally:
        con.close()
    _remove_db(path)
    os.replace(tmp, path)
    log(f"generated {path} in {seconds:.1f} s: {counts} {timings}")
    return Result(path, False, seconds, counts, params)


def _generate_pg(url: str, params: dict, log) -> Result:
    """generate() on PostgreSQL: built as `<name>__building`, renamed into place when complete."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    name, building = u.database, f"{u.database}__building"
    admin = _pg_connect(url, "postgres")
    started = time.perf_counter()
    try:
        admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{building}"')
        building_url = u.set(database=building).render_as_string(hide_password=False)
        engine, _ = open_database(building_url)  # an empty server database is given its schema
        engine.dispose()
        con = _pg_connect(building_url)
        try:
            con.execute("SET synchronous_commit = off")
            con.execute("SET maintenance_work_mem = '512MB'")
            indexes, foreign_keys = _pg_drop_for_load(con)
            counts, timings = _fill(con, random.Random(params["seed"]), params["customers"], params["contracts"],
                                    params["tickets"], log)
            t0 = time.perf_counter()
            for sql in indexes:
                con.execute(sql)
            timings["indexes"] = round(time.perf_counter() - t0, 2)
            t0 = time.perf_counter()
            for table, constraint, definition in foreign_keys:
                con.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {definition}')
            timings["foreign keys"] = round(time.perf_counter() - t0, 2)
            for table in ("operators", "packages", *BULK_TABLES):
                con.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT coalesce(max(id), 1) FROM {table})) "
                            f"WHERE pg_get_serial_sequence('{table}', 'id') IS NOT NULL")
            t0 = time.perf_counter()
            con.execute("VACUUM (ANALYZE)")
            timings["vacuum analyze"] = round(time.perf_counter() - t0, 2)
            seconds = round(time.perf_counter() - started, 2)
            server = con.execute("SHOW server_version").fetchone()[0]
            report = {"counts": counts, "seconds": seconds, "timings": timings, "postgresql": server,
                      "python": sys.version.split()[0]}
            con.execute("INSERT INTO app_meta (key, value) VALUES (%s, %s), (%s, %s) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (META_PARAMS, json.dumps(params, sort_keys=True), META_REPORT,
                         json.dumps(report, sort_keys=True)))
        finally:
            con.close()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    finally:
        admin.close()
    log(f"generated {u.render_as_string(hide_password=True)} in {seconds:.1f} s: {counts} {timings}")
    return Result(url, False, seconds, counts, params)


def _pg_drop_for_load(con) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Drop the bulk tables' secondary indexes (those not behind a constraint) and their
    foreign keys; return the CREATE INDEX statements and (table, name, definition) of the
    foreign keys. COPY then writes the heap and the primary/unique keys only; each index is
    built once over the loaded rows and each foreign key validated by one join."""
    tables = list(BULK_TABLES)
    indexes = con.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY(%s) "
        "AND t.relnamespace = current_schema()::regnamespace "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)", (tables,)).fetchall()
    foreign_keys = con.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)", (tables,)).fetchall()
    for table, constraint, _ in foreign_keys:
        con.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
    for index, _ in indexes:
        con.execute(f"DROP INDEX {index}")
    return [sql for _, sql in indexes], foreign_keys


def _remove_db(path: Path) -> None:
    for p in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm"), Path(str(path) + "-journal")):
        if p.exists():
            p.unlink()


def _drop_secondary_indexes(con: sqlite3.Connection) -> list[str]:
    """Drop the named indexes of the bulk tables; return their CREATE statements.

    Building an index once over sorted data is several times faster than updating it row by
    row. UNIQUE constraints (sqlite_autoindex_*) cannot be dropped and stay.
    """
    marks = ",".join("?" * len(BULK_TABLES))
    rows = con.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                       f"AND tbl_name IN ({marks})", BULK_TABLES).fetchall()
    for name, _sql in rows:
        con.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in rows]


# -- value helpers -------------------------------------------------------------------------

def _ts(dt: datetime) -> str:
    """SQLAlchemy's text form of a naive-UTC DateTime on SQLite."""
    return dt.isoformat(" ", "microseconds")


def _uuid(rng: random.Random) -> str:
    """A random (version 4) UUID drawn from `rng`, so a seed gives the same file."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def _picker(rng: random.Random, weights: dict):
    keys, cum = list(weights), list(accumulate(weights.values()))
    total = cum[-1]
    return lambda: keys[bisect(cum, rng.random() * total)]


def _mobile(rng: random.Random) -> str:
    return f"+84{rng.choice(MOBILE_PREFIXES)[1:]}{rng.randrange(10**7):07d}"


def _landline(rng: random.Random, area: str) -> str:
    # Hà Nội and TP.HCM (3-digit area codes) have 8-digit subscriber numbers, the rest 7.
    rest = rng.randrange(10**7) if len(area) == 3 else rng.randrange(10**6)
    return f"+84{area[1:]}3{rest:0{7 if len(area) == 3 else 6}d}"


def _tax_code(rng: random.Random, branch: bool = False) -> str:
    while True:
        first = f"0{rng.randrange(10**8):08d}"
        check = 10 - sum(int(d) * w for d, w in zip(first, TAX_WEIGHTS)) % 11
        if check != 10:
            code = f"{first}{check}"
            return f"{code}-{rng.randrange(1, 20):03d}" if branch else code


def _person(rng: random.Random, data: dict) -> str:
    family = rng.choice(data["family_names"])
    if rng.random() < 0.5:
        return f"{family} {rng.choice(data['middle_male'])} {rng.choice(data['given_male'])}"
    return f"{family} {rng.choice(data['middle_female'])} {rng.choice(data['given_female'])}"


def _spread(rng: random.Random, n: int, start: datetime, end: datetime, office_hours: bool,
            through_end: bool = False) -> list[datetime]:
    """n sorted random instants in [start, end): ids then grow with time, as in the field.

    `through_end`: office hours include the day of `end` up to `end` (tickets keep arriving
    until the data set's "now", so the newest open tickets have SLA clocks still running).
    """
    days = (end - start).days + (1 if through_end else 0)
    limit = (end - start) // timedelta(microseconds=1)
    if office_hours:  # 07:30–17:30 Vietnam time = 00:30–10:30 UTC; fewer on weekends
        stamps = []
        while len(stamps) < n:
            d = rng.randrange(days)
            if (start + timedelta(days=d)).weekday() >= 5 and rng.random() < 0.8:
                continue
            stamp = d * 86_400_000_000 + 1_800_000_000 + int(rng.random() * 36_000_000_000)
            if through_end and stamp >= limit:
                continue
            stamps.append(stamp)
    else:
        stamps = [rng.randrange(days * 86_400_000_000) for _ in range(n)]
    stamps.sort()
    return [min(start + timedelta(microseconds=s), end - timedelta(seconds=1)) for s in stamps]


_UTC = UTC
CLOCK_KINDS = ("proposal", "fix", "complaint")
CLOCK_FIELDS = ("started_at", "paused_seconds", "paused_since", "stopped_at", "due_at")
CLOCK_COLS = ", ".join(f"{k}_{f}" for k in CLOCK_KINDS for f in CLOCK_FIELDS) + ", next_due_at"
NO_CLOCKS = (None,) * 16


def _uts(dt: datetime | None) -> str | None:
    """An aware datetime as the app's UTCDateTime stores it (naive UTC text), or None."""
    if dt is None:
        return None
    if dt.tzinfo is not _UTC:
        dt = dt.astimezone(_UTC)
    return _ts(dt.replace(tzinfo=None))


class _Clocks:
    """A ticket's clock columns, computed by services.clocks as the ticket use cases do.

    Policies, calendars and the clock kinds per (request type, coverage) are looked up once;
    each ticket then costs one ``start_clocks`` and at most one ``follow_status`` (its one
    status change), about 25 µs (25 s for a million tickets).
    """

    def __init__(self, packages: list[dict]):
        def terms(p):  # p: the package's demo data, or None for a ticket without a contract
            if p is None:  # SlaTerms() defaults
                return clock_rules.policy_for(240, 24, 48, 72), _CALENDARS.for_hours("office")
            return (clock_rules.policy_for(p["proposal_minutes"], 24, 48, 72),  # as _fill stores the package
                    _CALENDARS.for_hours(p["support_hours"]))

        self.terms = [terms(p) for p in packages] + [terms(None)]  # index -1: no contract
        self.kinds: dict[tuple[str, str], tuple] = {}
        self.seconds = 0.0
        self.running = self.paused = self.stopped = self.with_next_due = 0

    def columns(self, package: int, request_type: str, coverage: str, received: datetime, status: str,
                changed: datetime | None, received_text: str, changed_text: str | None) -> tuple:
        """The 15 clock columns and next_due_at of a ticket received (status 'new') at
        `received` whose status became `status` at `changed` (naive UTC datetimes; their
        texts as stored are passed in, so only the due times need formatting)."""
        t0 = time.perf_counter()
        key = (request_type, coverage)
        kinds = self.kinds.get(key)
        if kinds is None:
            kinds = self.kinds[key] = clock_rules.clocks_for(request_type, coverage)
        if not kinds:
            self.seconds += time.perf_counter() - t0
            return NO_CLOCKS
        policy, calendar = self.terms[package]
        at = received.replace(tzinfo=_UTC)
        clocks = clock_rules.start_clocks(kinds, policy, calendar, at, "new")
        # The clocks keep the very datetime objects they were given as their start, pause and
        # stop: those are known texts; due times are formatted once each.
        texts = {id(at): received_text, id(None): None}
        if status != "new":
            at = changed.replace(tzinfo=_UTC)
            texts[id(at)] = changed_text
            clocks = clock_rules.follow_status(clocks, "new", status, at, policy, calendar)

        def text(dt):
            t = texts.get(id(dt), texts)
            if t is texts:
                t = texts[id(dt)] = _uts(dt)
            return t

        out = []
        for kind in CLOCK_KINDS:
            clock = clocks.get(kind)  # ClockKind is a StrEnum: the plain name finds it
            if clock is None:
                out.extend((None,) * 5)
                continue
            c = clock_rules.clock_to_columns(clock)
            out.extend((text(c["started_at"]), c["paused_seconds"], text(c["paused_since"]), text(c["stopped_at"]),
                        text(c["due_at"])))
            if clock.stopped_at is not None:
                self.stopped += 1
            elif clock.paused_since is not None:
                self.paused += 1
            else:
                self.running += 1
        next_due = clock_rules.next_due(clocks)
        self.with_next_due += next_due is not None
        out.append(text(next_due))
        self.seconds += time.perf_counter() - t0
        return tuple(out)


def _insert(con, table: str, columns: str, rows) -> None:
    cols = [c.strip() for c in columns.split(",")]
    if not isinstance(con, sqlite3.Connection):  # PostgreSQL (psycopg): COPY, the fastest load
        with con.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    con.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows)


ROW = "id, uuid, created_at, updated_at, version"


# -- the data ---------------------------------------------------------------------------------

def _fill(con, rng: random.Random, n_customers: int, n_contracts: int, n_tickets: int, log):
    data = json.loads((resources_dir() / "demo" / "demo_vi.json").read_text(encoding="utf-8"))
    counts, timings = {}, {}

    def step(name):
        timings[name] = round(time.perf_counter() - step.t0, 2)
        step.t0 = time.perf_counter()
        log(f"  {name}: {counts.get(name, '')} rows, {timings[name]} s")

    step.t0 = time.perf_counter()
    con.execute("BEGIN")
    # Operators: the demo's five and fifteen more.
    ops = [tuple(o) for o in data["operators"]]
    while len(ops) < OPERATORS:
        n = len(ops) + 1
        role = "hotline" if n % 3 == 0 else "technician"
        alias = ("Tổng đài viên" if role == "hotline" else "Kỹ thuật viên") + f" {n:02d}"
        ops.append((f"NV{n:03d}", _person(rng, data), alias, role))
    ops[-1] = (*ops[-1][:3], "admin")
    created = _ts(CUSTOMERS_FROM)
    _insert(con, "operators", f"{ROW}, code, full_name, alias, role, phone, email, active",
            [(i, _uuid(rng), created, created, 1, code, name, alias, role, _mobile(rng), f"{code.lower()}@hotro.vn", 1)
             for i, (code, name, alias, role) in enumerate(ops, 1)])
    packages = data["packages"]
    _insert(con, "packages", f"{ROW}, code, name, warranty_months, support_hours, proposal_target_minutes, "
            "fix_target_hours, fix_extended_hours, complaint_target_hours, maintenance_priority, list_price_vnd, "
            "active",
            [(i, _uuid(rng), created, created, 1, p["code"], p["name"], p["warranty_months"], p["support_hours"],
              p["proposal_minutes"], 24, 48, 72, 1, p["price"], 1) for i, p in enumerate(packages, 1)])
    con.execute("COMMIT")
    counts["operators"], counts["packages"] = len(ops), len(packages)

    # Customers and their contacts.
    provinces = list(data["provinces"].items())
    kind_of = _picker(rng, {"company": 60, "household": 30, "person": 10})
    customer_times = _spread(rng, n_customers, CUSTOMERS_FROM, END - timedelta(days=30), office_hours=True)
    customers = []  # (code, name, primary contact id)
    contact_rows = []
    con.execute("BEGIN")
    rows = []
    for i, when in enumerate(customer_times, 1):
        kind = kind_of()
        province, districts = rng.choice(provinces)
        address = f"{rng.randrange(1, 400)} {rng.choice(data['streets'])}, {rng.choice(districts)}, {province}"
        owner = _person(rng, data)
        if kind == "company":
            name = " ".join(rng.choice(data[k]) for k in ("company_forms", "company_words", "company_fields"))
            if rng.random() < 0.5:
                name += f" {rng.choice(data['company_fields'])}"
            tax = _tax_code(rng, branch=rng.random() < 0.15)
            phone = _landline(rng, data["area_codes"].get(province, "028"))
        elif kind == "household":
            name = f"{rng.choice(data['shop_kinds'])} {owner.split()[-1]} {rng.choice(data['shop_suffixes'])}".strip()
            tax = _tax_code(rng) if rng.random() < 0.7 else f"0{rng.randrange(10**11):011d}"
            phone = _mobile(rng)
        else:
            name, tax, phone = owner, "", _mobile(rng)
        code = f"KH{i:05d}"
        slug = "".join(ch for ch in fold(name.split()[-1]) if ch.isalnum())
        email = f"lienhe@{slug or 'khachhang'}{i}.vn" if kind == "company" else ""
        contacts = [ContactData(None, owner, rng.choice(data["positions"]) if kind != "person" else "",
                                _mobile(rng), "", True)]
        if kind == "company":
            contacts.append(ContactData(None, _person(rng, data), rng.choice(data["positions"]), _mobile(rng),
                                        f"{fold(code)}.{len(contacts)}@{slug or 'khachhang'}{i}.vn", False))
        draft = CustomerDraft(name=name, kind=kind, code=code, tax_code=tax, address=address, province=province,
                              phone=phone, email=email, contacts=tuple(contacts))
        stamp = _ts(when)
        rows.append((i, _uuid(rng), stamp, stamp, 1, code, name, kind, tax or None, address, province, phone,
                     email or None, None, customer_search_text(draft), sort_text(name)))
        first_contact = len(contact_rows) + 1
        for c in contacts:
            contact_rows.append((len(contact_rows) + 1, _uuid(rng), stamp, stamp, 1, i, c.full_name, c.position or None,
                                 c.phone, c.email or None, int(c.is_primary),
                                 fold(" ".join(x for x in (c.full_name, c.phone, c.email) if x))))
        customers.append((code, name, first_contact, when))
    _insert(con, "customers", f"{ROW}, code, name, kind, tax_code, address, province, phone, email, notes, search_text, "
            "sort_name", rows)
    con.execute("COMMIT")
    counts["customers"] = len(rows)
    step("customers")
    con.execute("BEGIN")
    _insert(con, "contacts", f"{ROW}, customer_id, full_name, position, phone, email, is_primary, search_text",
            contact_rows)
    con.execute("COMMIT")
    counts["contacts"] = len(contact_rows)
    del rows, contact_rows
    step("contacts")

    # Contracts: most customers have one, some several; stage follows the contract's age.
    today = END.date()
    owners = list(range(1, n_customers + 1))
    rng.shuffle(owners)
    owners = owners[: min(n_customers, int(n_contracts * 0.75))]
    while len(owners) < n_contracts:
        owners.append(rng.randrange(1, n_customers + 1))
    drafts = []
    for cid in owners:
        since = max(customers[cid - 1][3].date(), date(2019, 1, 1))
        span = max((today - since).days, 1)
        received = since + timedelta(days=rng.randrange(span))
        drafts.append((received, cid, rng.randrange(len(packages))))
    drafts.sort()
    contract_rows = []
    contracts_of: dict[int, list] = {}
    package_of = [-1]  # contract id -> index into packages
    seq_of_year: dict[int, int] = {}
    for kid, (received, cid, p) in enumerate(drafts, 1):
        pk = packages[p]
        age = (today - received).days
        signed = accepted = w_end = maint_end = None
        if age < 15:
            stage = "request_received"
        elif age < 30:
            stage = "agreed"
        else:
            signed = received + timedelta(days=rng.randrange(5, 25))
            if age < 60:
                stage = "signed"
            elif age < 100:
                stage = "implementation"
            elif age < 120:
                stage = "completed"
            else:
                accepted = signed + timedelta(days=rng.randrange(20, 60))
                w_end = warranty_end(accepted, pk["warranty_months"])
                if accepted > today - timedelta(days=10):
                    stage = "accepted"
                elif w_end >= today:
                    stage = "warranty"
                elif rng.random() < 0.7:
                    stage = "maintenance"
                    maint_end = add_months(w_end, 12)
                    while maint_end < today:
                        maint_end = add_months(maint_end, 12)
                else:
                    stage = "ended"
                    maint_end = add_months(w_end, 12 * rng.randrange(0, 3))
                    if maint_end >= today:
                        maint_end = w_end
        year = (signed or received).year
        seq_of_year[year] = seq_of_year.get(year, 0) + 1
        number = f"HD{year}-{seq_of_year[year]:04d}"
        ccode, cname = customers[cid - 1][0], customers[cid - 1][1]
        stamp = _ts(datetime.combine(received, datetime.min.time())
                    + timedelta(hours=2, microseconds=rng.randrange(10**10)))
        changed = _ts(datetime.combine(accepted or signed or received, datetime.min.time()) + timedelta(hours=3))
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        contract_rows.append((kid, _uuid(rng), stamp, max(stamp, changed), 1, number, cid, p + 1, stage,
                              pk["price"] + rng.randrange(0, 20) * 500_000, iso(received), iso(signed), iso(accepted),
                              iso(w_end), iso(maint_end), None, fold(f"{number} {ccode} {cname} {pk['name']}")))
        contracts_of.setdefault(cid, []).append((kid, stage, datetime.combine(received, datetime.min.time())))
        package_of.append(p)
    con.execute("BEGIN")
    _insert(con, "contracts", f"{ROW}, number, customer_id, package_id, stage, value_vnd, request_received_on, "
            "signed_on, accepted_on, warranty_end, maintenance_end, notes, search_text", contract_rows)
    con.execute("COMMIT")
    counts["contracts"] = len(contract_rows)
    del contract_rows, drafts
    step("contracts")

    # Tickets and their history.
    rand = rng.random
    cum_weights = list(accumulate(min(rng.paretovariate(1.3), 300.0) for _ in range(n_customers)))
    type_of, channel_of, priority_of = _picker(rng, REQUEST_TYPES), _picker(rng, CHANNELS), _picker(rng, PRIORITIES)
    open_of, done_of = _picker(rng, OPEN_MIX), _picker(rng, DONE_MIX)
    subjects, descriptions, notes = data["ticket_subjects"], data["descriptions"], data["waiting_notes"]
    tau = (END - TICKETS_FROM).days / 6  # P(open) = 5 % + 90 % * exp(-age / tau): ~20 % overall
    n_ops = len(ops)
    folded = {text: fold(text) for text in [*(x for v in subjects.values() for x in v), *descriptions, ""]}
    folded_customer = [fold(f"{code} {name}") for code, name, _, _ in customers]
    seq_of_year = {}
    clocks = _Clocks(packages)
    event_id = 0
    n_open = n_events = 0
    ticket_cols = (f"{ROW}, code, customer_id, contact_id, contract_id, assignee_id, subject, description, "
                   "request_type, channel, priority, status, coverage, received_at, resolved_at, closed_at, "
                   f"search_text, queue_rank, {CLOCK_COLS}")
    event_cols = f"{ROW}, ticket_id, operator_id, occurred_at, kind, field, old_value, new_value, body"
    con.execute("BEGIN")
    times = _spread(rng, n_tickets, TICKETS_FROM, END, office_hours=True, through_end=True)
    for start in range(0, n_tickets, CHUNK):
        t_rows, e_rows = [], []
        for tid in range(start + 1, min(start + CHUNK, n_tickets) + 1):
            received = times[tid - 1]
            # A customer who existed by then, chosen by its weight.
            known = bisect(customer_times, received) or 1
            cid = min(bisect(cum_weights, rng.random() * cum_weights[known - 1]), known - 1) + 1
            ccode, cname, contact_id, _ = customers[cid - 1]
            rtype = type_of()
            subject = rng.choice(subjects[rtype])
            description = rng.choice(descriptions) if rng.random() < 0.8 else ""
            kid, coverage = None, "billable"
            mine = [k for k in contracts_of.get(cid, ()) if k[2] <= received]
            if mine and rng.random() < 0.9:
                kid, kstage, _ = rng.choice(mine)
                coverage = {"warranty": "warranty", "maintenance": "maintenance"}.get(kstage, "billable")
            if rtype == "source_code_review":
                coverage = "refused"
            age = (END - received).total_seconds() / 86_400
            is_open = rng.random() < 0.05 + 0.9 * math.exp(-age / tau)
            status = open_of() if is_open else done_of()
            n_open += is_open
            operator = 1 + int(rand() * n_ops)
            assignee = None if status == "new" and rand() < 0.7 else 1 + int(rand() * n_ops)
            local_year = (received + VN_OFFSET).year
            seq_of_year[local_year] = seq_of_year.get(local_year, 0) + 1
            code = f"YC{local_year % 100:02d}-{seq_of_year[local_year]:06d}"
            r = _ts(received)
            events = [(r, "created", None, None, "new", subject, operator)]
            last = received
            if assignee:
                last = min(last + timedelta(seconds=180 + 2220 * rand()), END)
                events.append((_ts(last), "assigned", "assignee_id", None, str(assignee), None, operator))
            resolved = closed = changed = changed_text = None
            if status != "new":
                last = changed = min(last + timedelta(seconds=1200 + (36_000 if is_open else 259_200) * rand()), END)
                changed_text = _ts(changed)
                events.append((changed_text, "status_changed", "status", "new", status, None, assignee or operator))
                if status == "waiting_customer":
                    events.append((changed_text, "note", None, None, None, rng.choice(notes), assignee or operator))
                if not is_open:
                    resolved = last
                    if status == "closed":
                        closed = min(resolved + timedelta(seconds=3600 + 601_200 * rand()), END)
            updated = _ts(max(last, closed or last))
            # The clocks follow that history: started at `received`, moved by the status change.
            clock_columns = clocks.columns(package_of[kid] if kid else -1, rtype, coverage, received, status,
                                           changed, r, changed_text)
            # = fold(f"{code} {subject} {ccode} {cname} {description}") as the repository writes it:
            # fold works word by word, so the parts are folded once and joined (check() verifies).
            search = " ".join(x for x in (code.lower(), folded[subject], folded_customer[cid - 1],
                                          folded[description]) if x)
            t_rows.append((tid, _uuid(rng), r, updated, 1, code, cid, contact_id, kid, assignee, subject,
                           description or None, rtype, channel_of(), priority_of(), status, coverage, r,
                           _ts(resolved) if resolved else None, _ts(closed) if closed else None, search,
                           # the lists' default order (0023): maintenance customers first, then newest
                           ("1" if coverage == "maintenance" else "0") + r, *clock_columns))
            for occurred, kind, fld, old, new, body, by in events:
                event_id += 1
                e_rows.append((event_id, _uuid(rng), occurred, occurred, 1, tid, by, occurred, kind, fld, old, new,
                               body))
        _insert(con, "tickets", ticket_cols, t_rows)
        _insert(con, "ticket_events", event_cols, e_rows)
        n_events += len(e_rows)
    con.execute("COMMIT")
    counts["tickets"], counts["ticket_events"] = n_tickets, n_events
    counts["open_tickets"] = n_open
    counts["clocks_running"], counts["clocks_paused"], counts["clocks_stopped"] = (
        clocks.running, clocks.paused, clocks.stopped)
    counts["tickets_with_next_due"] = clocks.with_next_due
    timings["clocks (within tickets)"] = round(clocks.seconds, 2)
    step("tickets")
    return counts, timings


class _Reader:
    """Read-only queries written for sqlite3 (`?` parameters) on either engine; timestamps
    and dates come back in SQLite's text form, so one comparison serves both."""

    def __init__(self, target):
        self.pg = is_server_url(target)
        self.con = _pg_connect(target) if self.pg else sqlite3.connect(
            f"file:{Path(target).as_posix()}?mode=ro", uri=True)

    def execute(self, sql: str, params=()):
        if not self.pg:
            return self.con.execute(sql, params)
        return [tuple(_ts(v) if isinstance(v, datetime) else v.isoformat() if isinstance(v, date) else v
                      for v in row) for row in self.con.execute(sql.replace("?", "%s"), params)]

    def close(self) -> None:
        self.con.close()


def check(path, sample: int = 2000) -> list[str]:
    """Compare a sample of generated rows with what the app itself would store; return problems."""
    from desktop_helpdesk.domain.phone import normalize_phone
    from desktop_helpdesk.domain.validation import validate_tax_code

    problems = []
    con = _Reader(path)
    try:
        empty = list(con.execute("SELECT count(*) FROM customers WHERE sort_name IS NULL OR sort_name = ''"))[0][0]
        if empty:
            problems.append(f"{empty} customers with an empty sort_name (the name sort would compare nothing)")
        for (cid, code, name, kind, tax, address, province, phone, email, search, sort_name) in con.execute(
                "SELECT id, code, name, kind, tax_code, address, province, phone, email, search_text, sort_name "
                "FROM customers ORDER BY random() LIMIT ?", (sample,)):
            if sort_name != sort_text(name):
                problems.append(f"customer {cid}: sort_name is not sort_text(name)")
            contacts = tuple(
                ContactData(k[0], k[1], k[2] or "", k[3] or "", k[4] or "", bool(k[5])) for k in con.execute(
                    "SELECT id, full_name, position, phone, email, is_primary FROM contacts WHERE customer_id = ? "
                    "ORDER BY id", (cid,)))
            draft = CustomerDraft(name=name, kind=kind, code=code, tax_code=tax or "", address=address or "",
                                  province=province or "", phone=phone or "", email=email or "", contacts=contacts)
            if customer_search_text(draft) != search:
                problems.append(f"customer {cid}: search_text differs")
            if phone and normalize_phone(phone) != phone:
                problems.append(f"customer {cid}: phone {phone} not E.164")
            if validate_tax_code("tax_code", tax) is not None:
                problems.append(f"customer {cid}: tax code {tax} invalid")
        for kid, search, expected in con.execute(
                "SELECT k.id, k.search_text, k.number || ' ' || c.code || ' ' || c.name || ' ' || p.name "
                "FROM contracts k JOIN customers c ON c.id = k.customer_id JOIN packages p ON p.id = k.package_id "
                "ORDER BY random() LIMIT ?", (sample,)):
            if fold(expected) != search:
                problems.append(f"contract {kid}: search_text differs")
        for tid, search, expected in con.execute(
                "SELECT t.id, t.search_text, t.code || ' ' || t.subject || ' ' || c.code || ' ' || c.name || ' ' || "
                "coalesce(t.description, '') FROM tickets t JOIN customers c ON c.id = t.customer_id "
                "ORDER BY random() LIMIT ?", (sample,)):
            if fold(expected) != search:
                problems.append(f"ticket {tid}: search_text differs")
        missing = list(con.execute(
            "SELECT count(*) FROM tickets t WHERE NOT EXISTS "
            "(SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'created')"))[0][0]
        if missing:
            problems.append(f"{missing} tickets without a 'created' event")
        text_form = "" if con.pg else " OR length(created_at) <> 26"  # a timestamp column on PostgreSQL
        nulls = list(con.execute("SELECT count(*) FROM tickets WHERE uuid IS NULL OR created_at IS NULL "
                                 f"OR version <> 1{text_form}"))[0][0]
        if nulls:
            problems.append(f"{nulls} tickets with bad row columns")
        problems += _check_clocks(con, sample)
    finally:
        con.close()
    return problems


def _check_clocks(con: _Reader, sample: int) -> list[str]:
    """Replay a sample of tickets' status histories (their events) through services.clocks,
    the way the ticket use cases move the clocks, and compare with the stored columns."""
    problems = []
    cols = [f"t.{c.strip()}" for c in CLOCK_COLS.split(",")]
    for tid, rtype, coverage, received, hours, minutes, *stored in con.execute(
            f"SELECT t.id, t.request_type, t.coverage, t.received_at, p.support_hours, p.proposal_target_minutes, "
            f"{', '.join(cols)} FROM tickets t LEFT JOIN contracts k ON k.id = t.contract_id "
            f"LEFT JOIN packages p ON p.id = k.package_id ORDER BY random() LIMIT ?", (sample,)):
        policy = clock_rules.policy_for(minutes or 240, 24, 48, 72)
        calendar = _CALENDARS.for_hours(hours or "office")
        at = lambda text: datetime.fromisoformat(text).replace(tzinfo=_UTC)
        clocks = clock_rules.start_clocks(clock_rules.clocks_for(rtype, coverage or ""), policy, calendar,
                                          at(received), "new")
        for occurred, old, new in con.execute(
                "SELECT occurred_at, old_value, new_value FROM ticket_events WHERE ticket_id = ? "
                "AND kind = 'status_changed' ORDER BY occurred_at, id", (tid,)):
            clocks = clock_rules.follow_status(clocks, old, new, at(occurred), policy, calendar)
        expected = []
        for kind in CLOCK_KINDS:
            c = clock_rules.clock_to_columns(clocks.get(kind))
            expected += [_uts(c["started_at"]), c["paused_seconds"], _uts(c["paused_since"]), _uts(c["stopped_at"]),
                         _uts(c["due_at"])]
        expected.append(_uts(clock_rules.next_due(clocks)))
        if list(stored) != expected:
            problems.append(f"ticket {tid}: clocks differ from its replayed history")
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, nargs="?", default=Path(__file__).resolve().parent / "data" / "lists.sqlite3",
                    help="the SQLite file to create (reused if it holds the same parameters; "
                         "default benchmarks/data/lists.sqlite3)")
    ap.add_argument("--database-url", help="fill this PostgreSQL database instead (postgresql+psycopg://…; "
                                           "created, or replaced unless it holds the same parameters)")
    for name, value in DEFAULTS.items():
        ap.add_argument(f"--{name}", type=int, default=value, help=f"default {value:,}")
    ap.add_argument("--force", action="store_true", help="rebuild even if the file holds these parameters")
    ap.add_argument("--check", action="store_true", help="verify a sample of rows against the app's own rules")
    args = ap.parse_args(argv)
    target = args.database_url or args.out
    result = generate(target, args.customers, args.contracts, args.tickets, args.seed, force=args.force)
    if result.reused:
        report = stored_report(result.path)
        shown = _redacted(result.path) if is_server_url(result.path) else result.path
        print(f"reused {shown} (generated earlier in {report.get('seconds', '?')} s): {result.counts}")
    if args.check:
        problems = check(result.path)
        print("check: " + ("ok" if not problems else "\n  ".join([f"{len(problems)} problems"] + problems[:20])))
        return 1 if problems else 0
    return 0


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
