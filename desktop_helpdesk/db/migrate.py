"""Bring a database to the newest schema at start-up, safely.

The fast path (database already at `SCHEMA_HEAD`) reads one row and never imports Alembic,
so a normal start costs nothing. An empty database is built by the migrations; an older one
is copied aside first (SQLite's online backup, so WAL content is included) and then
upgraded; one written by a newer version of the app is refused.

Upgrades are all or nothing: every migration runs in one transaction (on SQLite too, where
the driver's own transaction handling would commit each DDL statement by itself), so a
killed or failed upgrade leaves the file as it was, and the next start upgrades it again.
The copy taken before upgrading a file has one name per upgrade (`backup_path`), so a retry
replaces it instead of adding another (but never a copy an earlier, successful upgrade left
for the user to keep: see `_copy_target`), and it is written under a temporary name first, so
a full disk never leaves a half copy behind.

A team server (PostgreSQL) is shared by every desk: a desk may build the schema in an empty
database (the first set-up), but never upgrades an existing one (`may_upgrade=False`); the
administrator does, with `desktop-helpdesk server upgrade`. Every migration of a PostgreSQL
database runs in one transaction holding an advisory lock on `ADVISORY_LOCK_KEY`, and reads
the revision again once it holds it: two admins (or two desks on an empty database) starting
at once run the migrations once, one after the other.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from ..domain.errors import DatabaseNewerError, DatabaseOpenError

log = logging.getLogger(__name__)

#: The newest migration's revision id. A test checks it equals Alembic's head.
SCHEMA_HEAD = "0023"

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


#: SQLite's result code for "database or disk is full", and the errno / Windows error codes
#: of a full disk: a copy that failed for that reason is explained as such.
_SQLITE_FULL = 13
_DISK_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_WINDOWS_DISK_FULL = {112, 39}  # ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL


def backup_path(db_path: Path, from_revision: str, to_revision: str = SCHEMA_HEAD) -> Path:
    """Where the copy taken before upgrading `db_path` from one revision to another lives:
    one name per upgrade, so a retried upgrade replaces its own copy instead of adding one."""
    return db_path.with_name(f"{db_path.stem}.before-{from_revision}-to-{to_revision}{db_path.suffix}")


def _pending_marker(db_path: Path, from_revision: str) -> Path:
    """Present while an upgrade from `from_revision` has not succeeded yet (it failed, or was
    killed): its copy is then that upgrade's own, and a retry may replace it."""
    return db_path.with_name(f"{db_path.stem}.upgrade-{from_revision}-to-{SCHEMA_HEAD}.pending")


def _copy_target(db_path: Path, rev: str) -> tuple[Path, Path]:
    """Where this upgrade's copy goes, and its pending marker (created here).

    `backup_path` when it is free or holds the copy of this same upgrade's failed or killed
    attempt (a retry replaces its own copy); when it holds the copy of an earlier upgrade
    that succeeded (the user was told to keep it, and the file went back to the old schema
    since, e.g. an old file copied in by hand), the new copy gets the desk's date and time
    in its name instead, so the kept copy is never replaced."""
    from datetime import datetime, timezone

    from ..domain.vietnam import VIETNAM

    target, pending = backup_path(db_path, rev), _pending_marker(db_path, rev)
    if target.exists() and not pending.exists():
        stamp = datetime.now(timezone.utc).astimezone(VIETNAM).strftime("%Y%m%d-%H%M%S")
        target = db_path.with_name(f"{db_path.stem}.before-{rev}-{stamp}-to-{SCHEMA_HEAD}{db_path.suffix}")
        n = 1
        while target.exists():
            n += 1
            target = db_path.with_name(f"{db_path.stem}.before-{rev}-{stamp}-{n}-to-{SCHEMA_HEAD}{db_path.suffix}")
    try:
        pending.touch()
    except OSError:
        log.warning("cannot mark the upgrade as pending (%s); a retry will keep its first copy", pending)
    return target, pending


#: Copies taken before upgrades that are kept: this upgrade's and the one before it. Older
#: ones went before two upgrades that succeeded since, and the daily backups cover the rest;
#: each is a whole copy of the database, which otherwise piles up beside it.
KEEP_UPGRADE_COPIES = 2


def prune_upgrade_copies(db_path: Path, keep: int = KEEP_UPGRADE_COPIES) -> list[Path]:
    """Remove the copies taken before upgrades but the newest `keep`; the ones removed."""
    copies = sorted((p for p in db_path.parent.glob(f"{db_path.stem}.before-*-to-*{db_path.suffix}") if p.is_file()),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    removed = copies[keep:]
    for old in removed:
        log.info("removing %s, a copy taken before an older upgrade", old.name)
        _remove_sqlite_file(old)
    return removed


def latest_backup(db_path: Path) -> Path | None:
    """The newest copy taken before upgrading `db_path` to this version's schema, if any
    (what the user is told about after an upgrade)."""
    copies = [p for p in db_path.parent.glob(f"{db_path.stem}.before-*-to-{SCHEMA_HEAD}{db_path.suffix}")
              if p.is_file()]
    return max(copies, key=lambda p: p.stat().st_mtime, default=None)


def backup_sqlite(db_path: Path, target: Path) -> Path:
    """Copy a SQLite database (including its WAL) to `target` with SQLite's online backup.

    The copy is written under a temporary name, flushed to the disk, then renamed onto
    `target` (replacing a copy of the same name only once the new one is complete): the name
    `target` always holds a whole copy or nothing. When the copy fails (a full disk, a
    read-only folder) nothing of it is left behind and DatabaseOpenError (BACKUP_DISK_FULL or
    BACKUP_FAILED, `path` = target) says why; a copy left half-written by a killed process is
    removed by the next attempt.
    """
    partial = target.with_name(target.name + ".partial")
    _remove_sqlite_file(partial)
    try:
        _copy_database(db_path, partial)
        _flush_to_disk(partial)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        _remove_sqlite_file(partial)
        reason = DatabaseOpenError.BACKUP_DISK_FULL if _is_disk_full(exc) else DatabaseOpenError.BACKUP_FAILED
        raise DatabaseOpenError(reason, f"{type(exc).__name__}: {exc}", path=str(target)) from exc
    return target


def _copy_database(source: Path, target: Path) -> None:
    """SQLite's online backup of `source` (with what its WAL holds) into a new file, in the
    rollback-journal mode: one self-contained file, and opening it (to look, or to put it
    back) creates no -wal or -shm beside it."""
    src = sqlite3.connect(str(source))
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE").fetchone()
        finally:
            dst.close()
    finally:
        src.close()


def _flush_to_disk(path: Path) -> None:
    """The copy's bytes are on the disk before its name says it is whole (a power cut)."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_sqlite_file(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal"),
                     path.with_name(path.name + "-shm")):
        try:
            leftover.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            log.warning("cannot remove the unfinished copy %s", leftover, exc_info=True)


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.Error):
        return getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL or "disk is full" in str(exc).lower()
    return (getattr(exc, "errno", None) in _DISK_FULL_ERRNOS
            or getattr(exc, "winerror", None) in _WINDOWS_DISK_FULL)


def _sqlite_migration_engine(url) -> Engine:
    """An engine whose one connection runs the migrations in a single SQLite transaction.

    pysqlite on its own begins a transaction only before INSERT/UPDATE/DELETE, so every DDL
    statement before the first of them was committed on its own: a kill between two left a
    half-upgraded file that the next start could not upgrade ("duplicate column name:
    sort_name"). Here the driver's own transaction handling is off and SQLAlchemy emits BEGIN
    (SQLAlchemy's documented pysqlite recipe); BEGIN IMMEDIATE takes the write lock at once.
    SQLite's DDL is transactional: a kill, a failure or a full disk rolls everything back.
    """
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import NullPool

    migration_engine = create_engine(url, poolclass=NullPool, hide_parameters=True,
                                     connect_args={"timeout": MIGRATION_BUSY_TIMEOUT_S})

    @event.listens_for(migration_engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # the driver emits no BEGIN/COMMIT of its own
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {MIGRATION_BUSY_TIMEOUT_S * 1000}")
            cursor.execute("PRAGMA foreign_keys = ON")  # as on every connection of the app
            cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(migration_engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return migration_engine


#: How long the upgrade waits for another connection's write to finish.
MIGRATION_BUSY_TIMEOUT_S = 30


def upgrade(engine: Engine) -> None:
    """Run the migrations up to the head in one transaction: all of them or none (on
    PostgreSQL under the advisory lock, and not at all when someone else finished them while
    we waited; on SQLite on a connection of its own, see `_sqlite_migration_engine`)."""
    from alembic import command

    if engine.dialect.name == "sqlite":
        migration_engine = _sqlite_migration_engine(engine.url)
        try:
            with migration_engine.begin() as conn:
                command.upgrade(_alembic_config(conn), "head")
        finally:
            migration_engine.dispose()
        return
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

    An older SQLite file is first copied to `backup_path` (one copy per upgrade: a retry
    replaces it); when the copy fails the upgrade does not start (BACKUP_DISK_FULL,
    BACKUP_FAILED), and when the upgrade fails it is rolled back and UPGRADE_FAILED names
    the copy (`path`).
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
    if sqlite_path is None or not sqlite_path.exists():
        try:
            upgrade(engine)  # one transaction: a failure leaves the server's schema as it was
        except Exception as exc:
            log.error("upgrading the database from %s to %s failed and was rolled back", rev, SCHEMA_HEAD, exc_info=exc)
            raise DatabaseOpenError(DatabaseOpenError.UPGRADE_FAILED, f"{type(exc).__name__}") from exc
        return "upgraded"
    target, pending = _copy_target(sqlite_path, rev)
    try:
        copy = backup_sqlite(sqlite_path, target)
    except DatabaseOpenError as exc:
        log.error("cannot copy the database to %s before upgrading from %s; the upgrade did not start",
                  target, rev, exc_info=exc)
        if not target.exists():
            _remove_sqlite_file(pending)
        raise
    log.info("database copied to %s before upgrading from %s to %s", copy, rev, SCHEMA_HEAD)
    try:
        upgrade(engine)
    except Exception as exc:
        log.error("upgrading the database from %s to %s failed and was rolled back; the copy is %s",
                  rev, SCHEMA_HEAD, copy, exc_info=exc)
        raise DatabaseOpenError(DatabaseOpenError.UPGRADE_FAILED, f"{type(exc).__name__}",
                                path=str(copy)) from exc
    _remove_sqlite_file(pending)  # the copy is the user's to keep from now on
    prune_upgrade_copies(sqlite_path)
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
