"""Bring a database to the newest schema at start-up, safely.

The fast path (database already at `SCHEMA_HEAD`) reads one row and never imports Alembic,
so a normal start costs nothing. An empty database is built by the migrations; an older one
is copied aside first (SQLite's online backup, so WAL content is included) and then
upgraded; one written by a newer version of the app is refused.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from ..domain.errors import DatabaseNewerError, DatabaseOpenError

log = logging.getLogger(__name__)

#: The newest migration's revision id. A test checks it equals Alembic's head.
SCHEMA_HEAD = "0011"

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
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
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")


def ensure_schema(engine: Engine, sqlite_path: Path | None = None) -> str:
    """Migrate the database to the newest schema; return what was done.

    Returns "current", "created" or "upgraded". Raises DatabaseNewerError when the
    database was written by a newer version of the app.
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
    if sqlite_path is not None and sqlite_path.exists():
        copy = backup_sqlite(sqlite_path, rev)
        log.info("database copied to %s before upgrading from %s", copy, rev)
    upgrade(engine)
    return "upgraded"
