"""Bring a database to the newest schema at start-up, safely.

The fast path (database already at `SCHEMA_HEAD`) reads one row and never imports Alembic,
so a normal start costs nothing. An empty database is built by the migrations; an older one
is copied aside first (SQLite's online backup, so WAL content is included) and then
upgraded; one written by a newer version of the app is refused.

A team server (PostgreSQL) is shared by every desk: a desk may build the schema in an empty
database (the first set-up), but never upgrades an existing one (`may_upgrade=False`); the
administrator does, with `desktop-helpdesk server upgrade`. Every migration of a PostgreSQL
database runs in one transaction holding an advisory lock on `ADVISORY_LOCK_KEY`, and reads
the revision again once it holds it: two admins (or two desks on an empty database) starting
at once run the migrations once, one after the other.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from ..domain.errors import DatabaseNewerError, DatabaseOpenError

log = logging.getLogger(__name__)

#: The newest migration's revision id. A test checks it equals Alembic's head.
SCHEMA_HEAD = "0015"

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: pg_advisory_xact_lock key taken by whoever migrates a PostgreSQL database ("HDSK" + 0).
ADVISORY_LOCK_KEY = 0x4844534B_00000000

#: The triggers that keep the support history append-only (SQLite: 0008; PostgreSQL: 0010).
HISTORY_TRIGGERS = {
    "sqlite": ("ticket_events_append_only_update", "ticket_events_append_only_delete"),
    "postgresql": ("ticket_events_append_only_update", "ticket_events_append_only_delete",
                   "ticket_events_append_only_truncate"),
}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _revision(conn)


def _revision(conn) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _alembic_config(connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


def backup_sqlite(db_path: Path, label: str) -> Path:
    """Copy a SQLite database (including its WAL) next to it before it is changed."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    target = db_path.with_name(f"{db_path.stem}.before-{label}-{stamp}{db_path.suffix}")
    src = sqlite3.connect(str(db_path))
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def upgrade(engine: Engine) -> None:
    """Run the migrations up to the head in one transaction (on PostgreSQL under the
    advisory lock, and not at all when someone else finished them while we waited)."""
    from alembic import command

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            if _revision(conn) == SCHEMA_HEAD:
                log.info("the schema was brought to %s while waiting for the migration lock", SCHEMA_HEAD)
                return
        command.upgrade(_alembic_config(conn), "head")


def ensure_schema(engine: Engine, sqlite_path: Path | None = None, *, may_upgrade: bool = True) -> str:
    """Migrate the database to the newest schema; return what was done.

    Returns "current", "created" or "upgraded". Raises DatabaseNewerError when the
    database was written by a newer version of the app, and DatabaseOpenError
    (SCHEMA_OLDER) when it is older and `may_upgrade` is false: an empty database is
    still built (the first set-up), an existing one is left as it is.
    """
    rev = current_revision(engine)
    if rev == SCHEMA_HEAD:
        return "current"
    if rev is None:
        with engine.connect() as conn:
            has_tables = bool(inspect(conn).get_table_names())
        if has_tables:
            # Another program's file: not ours to upgrade, and not "newer" either.
            raise DatabaseOpenError(DatabaseOpenError.CORRUPT, "the database has tables but no schema version")
        log.info("creating a new database schema")
        upgrade(engine)
        return "created"
    if rev not in known_revisions():
        raise DatabaseNewerError(f"schema revision {rev!r} is unknown to this version")
    if not may_upgrade:
        raise DatabaseOpenError(DatabaseOpenError.SCHEMA_OLDER,
                                f"schema revision {rev!r} is older than {SCHEMA_HEAD!r}; the administrator upgrades it")
    if sqlite_path is not None and sqlite_path.exists():
        copy = backup_sqlite(sqlite_path, rev)
        log.info("database copied to %s before upgrading from %s", copy, rev)
    upgrade(engine)
    return "upgraded"


@dataclass
class SchemaStatus:
    """What `desktop-helpdesk server check` reports; reads only."""

    revision: str | None
    state: str  # "current", "older", "newer", "empty" or "foreign"
    rows: dict[str, int] = field(default_factory=dict)
    missing_protections: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return self.state == "current" and not self.missing_protections


def schema_status(engine: Engine) -> SchemaStatus:
    from .models import is_search_index_table

    with engine.connect() as conn:
        rev = _revision(conn)
        tables = sorted(t for t in inspect(conn).get_table_names()
                        if t != "alembic_version" and not is_search_index_table(t))
        rows = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
        present = _history_triggers(conn) if "ticket_events" in tables else set()
    if rev == SCHEMA_HEAD:
        state = "current"
    elif rev is None:
        state = "foreign" if tables else "empty"
    elif rev in known_revisions():
        state = "older"
    else:
        state = "newer"
    wanted = HISTORY_TRIGGERS.get(engine.dialect.name, ())
    return SchemaStatus(rev, state, rows, [t for t in wanted if t not in present])


def _history_triggers(conn) -> set[str]:
    """The history triggers that exist and are enabled."""
    if conn.dialect.name == "postgresql":
        return set(conn.execute(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass('ticket_events') "
            "AND NOT tgisinternal AND tgenabled <> 'D'")).scalars())
    return set(conn.execute(text(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ticket_events'")).scalars())
