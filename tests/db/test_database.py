"""The database as the app opens it: a real SQLite file built by the migrations."""

from __future__ import annotations

from desktop_helpdesk.services import customers

import sqlite3
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from sqlalchemy import inspect, text

from desktop_helpdesk.db import migrate
from desktop_helpdesk.db.engine import open_database, sqlite_url
from desktop_helpdesk.db.models import Base, Customer, is_search_index_table
from desktop_helpdesk.domain.errors import DatabaseOpenError


def test_migrations_produce_exactly_the_models_schema(engine, engine_kind):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import warnings

    with engine.connect() as conn, warnings.catch_warnings():
        # SQLAlchemy cannot reflect expression indexes; they are compared below instead.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        # The FTS5 search indexes (0007) are raw SQL, not models; they are tested in test_search.
        # So are PostgreSQL's trigram indexes over search_text (0010), tested in the next test.
        # PostgreSQL's (sort key, id) list indexes (0014) are the server's own too, tested below.
        # So are its word indexes over search_words (0015).
        not_fts = lambda name, type_, parent: not (  # noqa: E731
            (type_ == "table" and is_search_index_table(name))
            or (type_ == "index" and name.endswith(("_search_trgm", "_search_words", "_words_by_id", "_keyset")))
            # PostgreSQL's words of search_text (0015), the server's own column: tested below.
            or (type_ == "column" and name == "search_words"))
        diff = compare_metadata(MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": not_fts}), Base.metadata)
    if engine_kind == "postgresql":
        # PostgreSQL's expression indexes come back as text alembic can't match to the
        # models' expressions: compared by their definitions in the next test.
        from sqlalchemy import Column

        expression = lambda i: any(not isinstance(e, (str, Column)) for e in i.expressions)  # noqa: E731
        diff = [d for d in diff if not (d[0] in ("add_index", "remove_index") and expression(d[1]))]
    assert diff == []


def test_migrations_create_every_index_of_the_models_with_the_same_definition(engine, engine_kind):
    from sqlalchemy.schema import CreateIndex

    in_models = {
        index.name: str(CreateIndex(index).compile(engine))
        for table in Base.metadata.tables.values() for index in table.indexes
    }
    if engine_kind == "postgresql":
        with engine.connect() as conn:
            in_db = dict(conn.execute(text(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)")).all())
        # The trigram indexes of the search (0010) are the server's own, not models'.
        trigram = {f"ix_{t}_search_trgm" for t in ("customers", "contacts", "contracts", "tickets")}
        assert trigram <= set(in_db)
        assert all("gin_trgm_ops" in in_db[name] for name in trigram)
        # So are the word indexes (0015), over the words of search_text.
        words = {f"ix_{t}_search_words" for t in ("customers", "contacts", "contracts", "tickets")}
        assert words <= set(in_db)
        assert all("gin (search_words)" in in_db[name] for name in words)
        words.add("ix_tickets_words_by_id")  # the tickets' words in id order, for the search's walk
        assert "INCLUDE (search_words)" in in_db["ix_tickets_words_by_id"]
        # The (sort key, id) indexes of 0014, beside the models' sort indexes (SQLite's end
        # with the rowid by nature).
        from importlib import import_module

        keyset = {new for _old, new, _table, _key in import_module(
            "desktop_helpdesk.db.migrations.versions.0014_pg_bench_indexes").SORT_INDEXES}
        assert keyset <= set(in_db)
        assert all(in_db[name].replace(" ", "").endswith(",id)") for name in keyset), keyset
        assert set(in_db) - trigram - words - keyset == set(in_models)
        # The server rewrites each definition in its own words; every column and condition
        # of the model's index is in it.
        for name, sql in in_models.items():
            words = sql.split(" ON ", 1)[1].replace('"', "").split("(", 1)[1]
            for column in [c.strip(" )") for c in words.split(" WHERE ")[0].split(",")]:
                assert column.split("(")[-1].strip("' ").removesuffix(".000000") in in_db[name].replace('"', ""), \
                    (name, column)
        return
    with engine.connect() as conn:
        in_db = dict(conn.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")).all())
    assert set(in_db) == set(in_models)
    normal = lambda sql: " ".join(sql.replace('"', "").split()).upper()  # noqa: E731
    assert {k: normal(v) for k, v in in_db.items()} == {k: normal(v) for k, v in in_models.items()}


def test_schema_head_constant_is_alembic_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(cfg).get_current_head() == migrate.SCHEMA_HEAD


@pytest.mark.sqlite_only
def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_busy_timeout(engine):
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_every_table_has_uuid_audit_times_and_version(engine):
    insp = inspect(engine)
    for table in ("customers", "contacts", "packages", "contracts", "tickets", "operators", "ticket_events"):
        cols = {c["name"] for c in insp.get_columns(table)}
        assert {"id", "uuid", "created_at", "updated_at", "version"} <= cols, table


def test_naive_datetimes_are_refused(ctx, engine):
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        c = Customer(code="KH1", name="A", kind="person", created_at=datetime(2026, 1, 1))
        s.add(c)
        with pytest.raises(Exception, match="naive"):
            s.flush()


def test_second_open_is_current_and_does_not_import_alembic(db_url, tmp_path):
    engine, outcome = open_database(db_url)
    engine.dispose()
    assert outcome == "created"
    code = (
        "import sys; from desktop_helpdesk.db.engine import open_database; "
        f"e, o = open_database({db_url!r}); print(o, 'alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["current", "False"]


def test_database_from_a_newer_version_is_refused_and_untouched(db_url, tmp_path, engine_kind):
    engine, _ = open_database(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dcafe'"))
    engine.dispose()

    def state():
        if engine_kind == "sqlite":
            return (tmp_path / "helpdesk.sqlite3").read_bytes()
        from desktop_helpdesk.db.engine import make_engine

        probe = make_engine(db_url)
        try:
            with probe.connect() as conn:
                return (conn.execute(text("SELECT version_num FROM alembic_version")).all(),
                        sorted(inspect(conn).get_table_names()))
        finally:
            probe.dispose()

    before = state()
    with pytest.raises(DatabaseOpenError) as info:
        open_database(db_url)
    assert info.value.reason == DatabaseOpenError.NEWER
    assert state() == before


def test_another_programs_database_is_not_taken_for_a_newer_version(tmp_path):
    import sqlite3

    path = tmp_path / "ketoan.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE so_cai (id INTEGER PRIMARY KEY, dien_giai TEXT)")
    before = path.read_bytes()
    with pytest.raises(DatabaseOpenError) as info:
        open_database(sqlite_url(path))
    assert info.value.reason == DatabaseOpenError.CORRUPT  # "not a Desktop Helpdesk database"
    assert path.read_bytes() == before


def test_corrupt_file_is_reported_as_corrupt(tmp_path):
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"this is not a database" * 200)
    with pytest.raises(DatabaseOpenError) as info:
        open_database(sqlite_url(path))
    assert info.value.reason == DatabaseOpenError.CORRUPT
    assert path.read_bytes() == b"this is not a database" * 200


@pytest.mark.sqlite_only
def test_locked_database_is_reported_as_locked(db_url, tmp_path):
    engine, _ = open_database(db_url)
    engine.dispose()
    holder = sqlite3.connect(str(tmp_path / "helpdesk.sqlite3"), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseOpenError) as info:
            open_database(db_url, busy_timeout_ms=100)
        assert info.value.reason == DatabaseOpenError.LOCKED
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.mark.sqlite_only
def test_backup_before_upgrade_copies_everything(engine, tmp_path, ctx):
    from desktop_helpdesk.services.dto import CustomerDraft

    customers.save_customer(ctx, CustomerDraft(name="Công ty TNHH An Khang", kind="company"))
    db_file = tmp_path / "helpdesk.sqlite3"
    copy = migrate.backup_sqlite(db_file, migrate.backup_path(db_file, "0001"))
    assert copy.name == f"helpdesk.before-0001-to-{migrate.SCHEMA_HEAD}.sqlite3"
    con = sqlite3.connect(str(copy))
    try:
        assert con.execute("SELECT name FROM customers").fetchall() == [("Công ty TNHH An Khang",)]
    finally:
        con.close()


@pytest.mark.sqlite_only
def test_older_schema_is_copied_then_upgraded(db_url, tmp_path, monkeypatch):
    """Simulate an app update: the database is at an older known revision."""
    engine, _ = open_database(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    monkeypatch.setattr(migrate, "known_revisions", lambda: {"older", migrate.SCHEMA_HEAD})
    upgraded = []
    monkeypatch.setattr(migrate, "upgrade", lambda e: upgraded.append(e))
    assert migrate.ensure_schema(engine, tmp_path / "helpdesk.sqlite3") == "upgraded"
    engine.dispose()
    assert upgraded
    assert list(tmp_path.glob("helpdesk.before-older-*.sqlite3"))


def test_utc_times_come_back_aware(ctx, engine):
    from desktop_helpdesk.services.dto import CustomerDraft
    from sqlalchemy.orm import Session

    cid = customers.save_customer(ctx, CustomerDraft(name="Lê Văn Bình", kind="person"))
    with Session(engine) as s:
        c = s.get(Customer, cid)
        assert c.created_at.tzinfo is not None and c.created_at.utcoffset() == timezone.utc.utcoffset(None)
        assert len(c.uuid) == 36 and c.version == 1


def test_a_database_from_the_first_release_is_backed_up_then_upgraded_keeping_its_data(tmp_path):
    """0001 -> newest: a copy is taken first, rows survive, new columns are filled."""
    from alembic import command

    from desktop_helpdesk.db.engine import make_engine

    path = tmp_path / "helpdesk.sqlite3"
    engine = make_engine(sqlite_url(path))
    with engine.begin() as conn:
        command.upgrade(migrate._alembic_config(conn), "0001")
        conn.execute(text(
            "INSERT INTO customers (code, name, kind, search_text, uuid, created_at, updated_at, version) "
            "VALUES ('KH00001', 'Đặng Thị Ỷ', 'person', 'dang thi y', 'u-1', '2026-01-01 00:00:00', "
            "'2026-01-01 00:00:00', 1)"))
    engine.dispose()

    engine, outcome = open_database(sqlite_url(path))
    try:
        assert outcome == "upgraded"
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == migrate.SCHEMA_HEAD
            name, sort_name = conn.execute(text("SELECT name, sort_name FROM customers")).one()
        from desktop_helpdesk.domain.text import sort_text

        assert name == "Đặng Thị Ỷ" and sort_name == sort_text(name)
    finally:
        engine.dispose()
    backups = list(tmp_path.glob("helpdesk.before-0001-*.sqlite3"))
    assert len(backups) == 1
    con = sqlite3.connect(str(backups[0]))
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert con.execute("SELECT name FROM customers").fetchall() == [("Đặng Thị Ỷ",)]
    finally:
        con.close()


def test_a_failed_statement_never_carries_what_the_user_typed(engine):
    """The error a failed save raises (and the log receives with its traceback) names the SQL,
    not the values: a customer's phone or notes never reach the log file."""
    import sqlalchemy as sa

    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TEMP TABLE probe (v TEXT NOT NULL UNIQUE)"))
        conn.execute(sa.text("INSERT INTO probe VALUES (:v)"), {"v": "0912 345 678 Nguyễn Văn Đức"})
        with pytest.raises(sa.exc.IntegrityError) as failed:
            conn.execute(sa.text("INSERT INTO probe VALUES (:v)"), {"v": "0912 345 678 Nguyễn Văn Đức"})
    assert "0912 345 678" not in str(failed.value) and "Nguyễn" not in str(failed.value)


def test_the_domains_text_limits_are_the_columns_lengths():
    """One limit per stored text, the same on both engines: the domain checks it (with a
    clear message) before a value reaches the column the database would refuse it in."""
    from sqlalchemy import String

    from desktop_helpdesk.domain.validation import TEXT_LIMITS

    for key, limit in TEXT_LIMITS.items():
        table, column = key.split(".")
        col = Base.metadata.tables[table].c[column]
        assert isinstance(col.type, String) and col.type.length == limit, key
