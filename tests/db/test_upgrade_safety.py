"""An upgrade is all or nothing, takes one copy of a local file first, and says where it is;
a copy that cannot be written (a full disk) stops the upgrade and leaves nothing behind.

(Killing an upgrade at random moments: test_upgrade_kill.py.)
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine

from desktop_helpdesk.db import migrate
from desktop_helpdesk.db.engine import make_engine, open_database, sqlite_url
from desktop_helpdesk.domain.errors import DatabaseOpenError

OLD = "0006"


def migrate_to(url: str, revision: str) -> None:
    from alembic import command

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            command.upgrade(migrate._alembic_config(conn), revision)
    finally:
        engine.dispose()


def add_customer(url: str, name: str = "Công ty Cổ phần Ánh Dương") -> None:
    """A row in the 0006 schema, by plain SQL (the services speak the newest schema)."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO customers (code, name, sort_name, kind, search_text, uuid, created_at, updated_at, "
                "version) VALUES ('KH00001', :name, :sort_name, 'company', :search, :uuid, :created, :updated, 1)"),
                {"name": name, "sort_name": name, "search": name, "uuid": str(uuid.uuid4()),
                 "created": "2026-01-01 00:00:00", "updated": "2026-01-01 00:00:00"})
    finally:
        engine.dispose()


def schema(url: str) -> dict:
    """Tables, their columns and indexes, and the revision: what an upgrade changes."""
    import warnings

    engine = make_engine(url)
    try:
        with engine.connect() as conn, warnings.catch_warnings():
            # SQLAlchemy cannot reflect expression indexes; their names are enough here.
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
            insp = inspect(conn)
            tables = sorted(insp.get_table_names())
            return {
                "revision": migrate._revision(conn),
                "tables": {t: (sorted(c["name"] for c in insp.get_columns(t)),
                               sorted(i["name"] for i in insp.get_indexes(t))) for t in tables},
                "customers": conn.execute(text("SELECT name FROM customers")).scalars().all(),
            }
    finally:
        engine.dispose()


@pytest.fixture
def failing_statement():
    """Make the first statement containing a given text fail, as a migration bug (or a full
    disk) would, half-way through the upgrade."""
    armed: dict[str, str | None] = {"text": None}

    def before(conn, cursor, statement, parameters, context, executemany):
        if armed["text"] and armed["text"] in statement:
            armed["text"] = None
            raise RuntimeError("a migration failed half-way")

    event.listen(Engine, "before_cursor_execute", before)
    yield armed
    event.remove(Engine, "before_cursor_execute", before)


@pytest.mark.allow_log_errors
def test_a_failed_upgrade_is_rolled_back_whole_and_the_next_start_upgrades(db_url, engine_kind, failing_statement):
    """0007 and 0008 ran and 0009 failed half-way: nothing of them stays (one transaction, on
    SQLite too), and the next attempt upgrades."""
    migrate_to(db_url, OLD)
    add_customer(db_url)
    before = schema(db_url)
    assert before["revision"] == OLD

    failing_statement["text"] = "_paused"  # 0009's second index
    engine = make_engine(db_url)
    path = None
    try:
        if engine_kind == "sqlite":
            from desktop_helpdesk.db.engine import sqlite_path_of

            path = sqlite_path_of(db_url)
            with pytest.raises(DatabaseOpenError) as failed:
                migrate.ensure_schema(engine, path)
            assert failed.value.reason == DatabaseOpenError.UPGRADE_FAILED
            assert failed.value.path == str(migrate.backup_path(path, OLD))
        else:  # the team server: `desktop-helpdesk server upgrade`, no copy (pg_dump is the admin's)
            from desktop_helpdesk.app import database_error_message

            with pytest.raises(DatabaseOpenError) as failed:
                migrate.ensure_schema(engine, None)
            assert failed.value.reason == DatabaseOpenError.UPGRADE_FAILED and failed.value.path is None
            # The administrator is told the upgrade was undone, not that the server is unreachable.
            message = database_error_message(failed.value.reason, server=True, path=failed.value.path)
            assert "undone and nothing was changed" in message
    finally:
        engine.dispose()
    assert failing_statement["text"] is None, "the failure was not reached"
    assert schema(db_url) == before

    engine, outcome = open_database(db_url, may_upgrade=True)
    engine.dispose()
    assert outcome == "upgraded"
    after = schema(db_url)
    assert after["revision"] == migrate.SCHEMA_HEAD and after["customers"] == before["customers"]
    if engine_kind == "sqlite":
        # One copy for the upgrade, however many attempts: the retry replaced it.
        copies = sorted(p.name for p in path.parent.iterdir() if ".before-" in p.name)
        assert copies == [migrate.backup_path(path, OLD).name]


@pytest.mark.sqlite_only
@pytest.mark.allow_log_errors
def test_the_message_of_a_failed_upgrade_names_the_copy_in_the_users_language(db_url, engine_kind,
                                                                               failing_statement, tmp_path, caplog):
    from desktop_helpdesk.app import database_error_message
    from desktop_helpdesk.i18n import Translator, install
    from desktop_helpdesk.paths import translations_dir

    migrate_to(db_url, OLD)
    failing_statement["text"] = "_paused"
    with pytest.raises(DatabaseOpenError) as failed:
        open_database(db_url)
    copy = tmp_path / f"helpdesk.before-{OLD}-to-{migrate.SCHEMA_HEAD}.sqlite3"
    assert failed.value.path == str(copy) and copy.exists()
    # What the user is told about is in the log with its traceback.
    logged = [r for r in caplog.records if r.levelname == "ERROR" and r.exc_info]
    assert logged and "a migration failed half-way" in str(logged[0].exc_info[1])
    assert str(copy) in logged[0].getMessage()
    try:
        install(Translator(translations_dir(), "vi"))
        message = database_error_message(failed.value.reason, path=failed.value.path)
        assert str(copy) in message and "Không nâng cấp được" in message
        install(Translator(translations_dir(), "en"))
        message = database_error_message(failed.value.reason, path=failed.value.path)
        assert str(copy) in message and "could not be upgraded" in message and "Traceback" not in message
    finally:
        install(None)


def _fail_half_way(source: Path, target: Path) -> None:
    """The copy runs out of disk after writing part of the file."""
    con = sqlite3.connect(str(source))
    try:
        dst = sqlite3.connect(str(target))
        steps = []

        def progress(status, remaining, total):
            steps.append(remaining)
            if len(steps) == 2:
                raise sqlite3.OperationalError("database or disk is full")

        try:
            con.backup(dst, pages=1, progress=progress)
        finally:
            dst.close()
    finally:
        con.close()
    raise AssertionError("the copy was expected to fail")


@pytest.mark.sqlite_only
@pytest.mark.allow_log_errors
@pytest.mark.parametrize("failure", ["sqlite says the disk is full", "the flush finds the disk full",
                                     "the folder refuses the file"])
def test_a_copy_that_cannot_be_written_stops_the_upgrade_and_leaves_nothing(db_url, engine_kind, tmp_path,
                                                                           monkeypatch, failure):
    migrate_to(db_url, OLD)
    add_customer(db_url)
    db_file = tmp_path / "helpdesk.sqlite3"
    before = schema(db_url)
    if failure == "sqlite says the disk is full":
        monkeypatch.setattr(migrate, "_copy_database", _fail_half_way)
        expected = DatabaseOpenError.BACKUP_DISK_FULL
    elif failure == "the flush finds the disk full":
        def no_space(path):
            assert path.stat().st_size > 0  # a whole copy was written, under its temporary name
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(migrate, "_flush_to_disk", no_space)
        expected = DatabaseOpenError.BACKUP_DISK_FULL
    else:
        def refused(source, target):
            raise sqlite3.OperationalError("unable to open database file")

        monkeypatch.setattr(migrate, "_copy_database", refused)
        expected = DatabaseOpenError.BACKUP_FAILED
    upgraded = []
    monkeypatch.setattr(migrate, "upgrade", lambda engine: upgraded.append(engine))

    with pytest.raises(DatabaseOpenError) as failed:
        open_database(db_url)
    assert failed.value.reason == expected
    assert failed.value.path == str(migrate.backup_path(db_file, OLD))
    assert upgraded == []  # the upgrade did not start
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("helpdesk.before")) == []
    assert schema(db_url) == before


@pytest.mark.sqlite_only
def test_the_disk_full_message_says_so_and_where(engine_kind, tmp_path):
    from desktop_helpdesk.app import database_error_message
    from desktop_helpdesk.i18n import Translator, install
    from desktop_helpdesk.paths import translations_dir

    copy = tmp_path / "helpdesk.before-0006-to-0015.sqlite3"
    try:
        install(Translator(translations_dir(), "vi"))
        message = database_error_message(DatabaseOpenError.BACKUP_DISK_FULL, path=str(copy))
        assert "Ổ đĩa đã đầy" in message and str(tmp_path) in message
        message = database_error_message(DatabaseOpenError.BACKUP_FAILED, path=str(copy))
        assert str(copy) in message and "chưa nâng cấp" in message
    finally:
        install(None)


@pytest.mark.sqlite_only
def test_a_half_copy_left_by_a_killed_attempt_is_removed_by_the_next(db_url, engine_kind, tmp_path):
    migrate_to(db_url, OLD)
    db_file = tmp_path / "helpdesk.sqlite3"
    partial = migrate.backup_path(db_file, OLD).with_name(migrate.backup_path(db_file, OLD).name + ".partial")
    partial.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)  # cut short by a kill
    engine, outcome = open_database(db_url)
    engine.dispose()
    assert outcome == "upgraded"
    assert not partial.exists()
    assert [p.name for p in tmp_path.iterdir() if ".before-" in p.name] == [migrate.backup_path(db_file, OLD).name]
    assert migrate.latest_backup(db_file) == migrate.backup_path(db_file, OLD)  # what the user is told


def _can_mount_tmpfs() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.mark.sqlite_only
@pytest.mark.allow_log_errors
@pytest.mark.skipif(not _can_mount_tmpfs(), reason="needs root to mount a tiny tmpfs")
def test_on_a_really_full_disk_the_upgrade_does_not_start_and_no_copy_is_left(engine_kind, tmp_path):
    """A tmpfs with room for the database but not for its copy."""
    source = tmp_path / "source.sqlite3"
    migrate_to(sqlite_url(source), OLD)
    engine = make_engine(sqlite_url(source))
    with engine.begin() as conn:
        for i in range(400):
            conn.execute(text(
                "INSERT INTO customers (code, name, sort_name, kind, search_text, uuid, created_at, updated_at, "
                "version) VALUES (:code, :name, :name, 'company', :name, :uuid, :at, :at, 1)"),
                {"code": f"KH{i:05d}", "name": f"Công ty TNHH Hưng Thịnh {i} " + "x" * 300,
                 "uuid": str(uuid.uuid4()), "at": "2026-01-01 00:00:00"})
    engine.dispose()
    con = sqlite3.connect(str(source), isolation_level=None)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    size = source.stat().st_size
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size + 200 * 1024}", "tmpfs", str(disk)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        db_file = disk / "helpdesk.sqlite3"
        shutil.copyfile(source, db_file)
        original = db_file.read_bytes()
        with pytest.raises(DatabaseOpenError) as failed:
            open_database(sqlite_url(db_file))
        assert failed.value.reason == DatabaseOpenError.BACKUP_DISK_FULL
        assert [p.name for p in disk.iterdir() if ".before-" in p.name] == []
        assert db_file.read_bytes() == original
    finally:
        subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.sqlite_only
def test_after_an_upgrade_the_user_is_told_where_the_copy_is(db_url, engine_kind, tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox, QWidget

    from desktop_helpdesk.app import _tell_about_the_copy
    from desktop_helpdesk.i18n import Translator, install
    from desktop_helpdesk.paths import translations_dir

    migrate_to(db_url, OLD)
    engine, outcome = open_database(db_url)
    engine.dispose()
    assert outcome == "upgraded"
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: told.append(text))
    window = QWidget()
    qtbot.addWidget(window)
    install(Translator(translations_dir(), "vi"))
    try:
        _tell_about_the_copy(window, db_url)
        qtbot.waitUntil(lambda: bool(told))
    finally:
        install(None)
    assert str(migrate.backup_path(tmp_path / "helpdesk.sqlite3", OLD)) in told[0]
    assert "đã được nâng cấp" in told[0]


@pytest.mark.sqlite_only
def test_an_upgrade_never_replaces_the_copy_an_earlier_upgrade_left_to_keep(engine_kind, tmp_path):
    """The file went back to the old schema after a successful upgrade (an old file copied in
    by hand): the next upgrade's copy gets a name of its own; the kept one stays as it was."""
    db_file = tmp_path / "helpdesk.sqlite3"
    url = sqlite_url(db_file)
    migrate_to(url, OLD)
    add_customer(url)
    kept = migrate.backup_path(db_file, OLD)
    kept.write_bytes(b"the copy the user was told to keep")
    engine, outcome = open_database(url)
    engine.dispose()
    assert outcome == "upgraded"
    assert kept.read_bytes() == b"the copy the user was told to keep"
    [new] = [p for p in tmp_path.iterdir() if ".before-" in p.name and p != kept]
    assert new.name.startswith(f"helpdesk.before-{OLD}-") and new.name.endswith(f"-to-{migrate.SCHEMA_HEAD}.sqlite3")
    assert migrate.latest_backup(db_file) == new  # what the user is told about
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".pending")]


def test_only_the_copies_of_the_last_two_upgrades_are_kept(tmp_path):
    """Each upgrade copies the whole file aside; older copies are removed once two upgrades
    that succeeded came after them (the daily backups cover the rest)."""
    import os

    from desktop_helpdesk.db.migrate import prune_upgrade_copies

    db = tmp_path / "helpdesk.sqlite3"
    db.write_bytes(b"")
    names = ["helpdesk.before-0012-to-0013.sqlite3", "helpdesk.before-0013-to-0015.sqlite3",
             "helpdesk.before-0015-to-0016.sqlite3", "helpdesk.before-0015-20261207-101500-to-0016.sqlite3"]
    for age, name in enumerate(reversed(names)):
        (tmp_path / name).write_bytes(b"copy")
        os.utime(tmp_path / name, (1_000_000 - age * 100, 1_000_000 - age * 100))
    (tmp_path / "helpdesk.before-0012-to-0013.sqlite3-wal").write_bytes(b"")
    safety = tmp_path / "helpdesk.before-restore-20261101-020000.sqlite3"  # a restore's: never removed
    safety.write_bytes(b"copy")
    os.utime(safety, (1, 1))
    removed = prune_upgrade_copies(db)
    assert sorted(p.name for p in removed) == sorted(names[:2])
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == sorted([db.name, safety.name, *names[2:]])
