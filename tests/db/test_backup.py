"""Backups of the local file (issue #14): a backup taken while the app writes is one
consistent database; a restore brings back exactly its rows; nothing partial is ever left
under a backup's name (Cancel, a full disk); old backups go after `keep_days`; the
`desktop-helpdesk backup|restore` commands."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop_helpdesk.db import backup as db_backup
from desktop_helpdesk.db.backup import SqliteBackups
from desktop_helpdesk.domain.errors import NotFoundError
from desktop_helpdesk.services import backup, tickets
from desktop_helpdesk.services.backup import BackupError, BackupPolicy
from desktop_helpdesk.services.dto import TicketDraft
from desktop_helpdesk.services.progress import Cancelled
from tests.factories import warranty_ticket

pytestmark = pytest.mark.sqlite_only
ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 7, 13, 30, tzinfo=timezone.utc)


def ticket_rows(path: Path) -> list[tuple]:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return con.execute("SELECT id, subject FROM tickets ORDER BY id").fetchall()
    finally:
        con.close()


def integrity(path: Path) -> list:
    con = sqlite3.connect(str(path))
    try:
        return con.execute("PRAGMA integrity_check").fetchall()
    finally:
        con.close()


class Writer(threading.Thread):
    """Saves tickets one after another through the services, as a desk does, until stopped."""

    def __init__(self, ctx, first_ticket: int):
        super().__init__(daemon=True)
        self.ctx, self.stop, self.saved, self.error = ctx, threading.Event(), 0, None
        self.draft = tickets.get_ticket(ctx, first_ticket).draft

    def run(self):
        try:
            while not self.stop.is_set():
                tickets.create_ticket(self.ctx, TicketDraft(
                    customer_id=self.draft.customer_id, contract_id=self.draft.contract_id,
                    subject=f"Gọi lại lần {self.saved}", request_type="incident", channel="hotline"), None)
                self.saved += 1
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = exc


def test_a_backup_taken_while_the_app_writes_is_consistent_and_restores_exactly(ctx, engine, tmp_path, monkeypatch):
    db_path = Path(engine.url.database)
    first = warranty_ticket(ctx)
    from tests.factories import more_tickets

    more_tickets(ctx, first, 200)  # some pages to copy
    monkeypatch.setattr(db_backup, "STEP_PAGES", 2)  # many steps: the writer commits between them
    store = SqliteBackups(db_path)
    writer = Writer(ctx, first)
    steps = []

    def progress(done, total):
        steps.append((done, total))
        time.sleep(0.01)  # give the writer time to commit between steps

    writer.start()
    try:
        while writer.saved < 5:
            time.sleep(0.01)
        done = backup.back_up(store, BackupPolicy(tmp_path / "backups"), NOW, progress)
        saved_during = writer.saved
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.error is None
    assert len(steps) > 3 and saved_during > 5
    copy = done.file.path
    assert copy.name == "helpdesk-2026-12-07-203000.sqlite3"  # the desk's time, UTC+7
    assert sorted(p.name for p in copy.parent.iterdir()) == [copy.name]  # no .partial, no -wal
    assert integrity(copy) == [("ok",)]
    backed_up = ticket_rows(copy)
    assert 201 + 5 <= len(backed_up) < 201 + writer.saved + 1  # a snapshot taken during the writes
    # The rows are a prefix of what the database has now: one moment, not a mix.
    now_rows = ticket_rows(db_path)
    assert now_rows[:len(backed_up)] == backed_up and len(now_rows) > len(backed_up)

    contents = backup.describe(store, copy)
    assert (contents.tickets, contents.customers, contents.contracts) == (len(backed_up), 1, 1)
    assert contents.taken_at == datetime(2026, 12, 7, 20, 30, tzinfo=contents.taken_at.tzinfo)

    # Restore while the app is open: exactly the backed-up rows come back, the app's own
    # connection sees them, and the data as it was is kept in a safety copy.
    restored = backup.restore(store, copy)
    assert ticket_rows(db_path) == backed_up
    assert ticket_rows(restored.safety_copy) == now_rows
    assert integrity(db_path) == [("ok",)]
    assert tickets.get_ticket(ctx, backed_up[-1][0]).draft.subject == backed_up[-1][1]
    with pytest.raises(NotFoundError):  # saved after the backup: gone
        tickets.get_ticket(ctx, now_rows[-1][0])
    # The app goes on writing into the restored file.
    tickets.create_ticket(ctx, TicketDraft(customer_id=writer.draft.customer_id, contract_id=writer.draft.contract_id,
                                           subject="Sau khi khôi phục", request_type="incident", channel="hotline"), None)
    assert ticket_rows(db_path)[-1][1] == "Sau khi khôi phục"


def test_cancel_leaves_no_file_and_a_cancelled_restore_changes_nothing(ctx, engine, tmp_path, monkeypatch):
    db_path = Path(engine.url.database)
    first = warranty_ticket(ctx)
    from tests.factories import more_tickets

    more_tickets(ctx, first, 100)
    monkeypatch.setattr(db_backup, "STEP_PAGES", 2)
    store = SqliteBackups(db_path)
    folder = tmp_path / "backups"

    def cancel(done, total):
        if done >= 4:
            raise Cancelled(done, total)

    with pytest.raises(Cancelled):
        backup.back_up(store, BackupPolicy(folder), NOW, cancel)
    assert list(folder.iterdir()) == []

    good = backup.back_up(store, BackupPolicy(folder), NOW).file.path
    before = ticket_rows(db_path)
    tickets.create_ticket(ctx, TicketDraft(customer_id=1, subject="Mới", request_type="incident", channel="hotline"), None)
    after = ticket_rows(db_path)
    with pytest.raises(Cancelled):
        store.restore_from(good, cancel)
    assert ticket_rows(db_path) == after != before


FULL_DISK_SCRIPT = """
import resource, signal, sys
from datetime import datetime, timezone
from pathlib import Path
from desktop_helpdesk.db.backup import SqliteBackups
from desktop_helpdesk.services import backup
if sys.argv[3] == "limit":  # the file may not grow past 20 kB (a FAT32 stick's 4 GB, in small)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))
try:
    backup.back_up(SqliteBackups(Path(sys.argv[1])), backup.BackupPolicy(Path(sys.argv[2])), datetime.now(timezone.utc))
except backup.BackupError as exc:
    print(exc.reason)
"""


def full_disk_backup(database: Path, folder: Path, how: str) -> str:
    done = subprocess.run([sys.executable, "-c", FULL_DISK_SCRIPT, str(database), str(folder), how],
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout.strip()


def test_a_full_disk_leaves_no_partial_backup(ctx, engine, tmp_path):
    """A real full disk (a 64 kB tmpfs, where this test may mount one) says so; a file that may
    not grow (RLIMIT_FSIZE) fails too; neither leaves anything in the folder."""
    warranty_ticket(ctx)
    database = Path(engine.url.database)
    small = tmp_path / "stick"
    small.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)], capture_output=True).returncode == 0
    try:
        if mounted:
            assert full_disk_backup(database, small / "backups", "tmpfs") == "disk_full"
            assert list((small / "backups").iterdir()) == []
    finally:
        if mounted:
            subprocess.run(["umount", str(small)], check=True)
    folder = tmp_path / "backups"
    assert full_disk_backup(database, folder, "limit") in ("disk_full", "no_folder")
    assert list(folder.iterdir()) == []


def test_old_backups_go_after_keep_days_and_the_daily_one_is_due_once_a_day(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    for days in (0.5, 3, 15, 40):
        (folder / backup.backup_name(NOW - timedelta(days=days))).write_bytes(b"x")
    (folder / "notes.txt").write_text("kept")
    (folder / ("helpdesk-2026-01-01-000000.sqlite3" + backup.PARTIAL)).write_bytes(b"")
    policy = BackupPolicy(folder, keep_days=14)
    assert not backup.is_due(policy, NOW)
    assert backup.is_due(policy, NOW + timedelta(days=1))
    removed = backup.prune(policy, NOW)
    assert len(removed) == 2
    assert [f.taken_at.astimezone(timezone.utc) for f in backup.list_backups(folder)] == \
        [NOW - timedelta(days=0.5), NOW - timedelta(days=3)]
    assert (folder / "notes.txt").exists()
    assert backup.is_due(BackupPolicy(tmp_path / "missing"), NOW)


def test_a_file_that_is_not_a_backup_is_refused_before_anything_is_touched(ctx, engine, tmp_path):
    store = SqliteBackups(Path(engine.url.database))
    junk = tmp_path / "helpdesk-2026-12-01-080000.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(str(other)).execute("CREATE TABLE t (x)").connection.close()
    for path in (junk, other, tmp_path / "missing.sqlite3"):
        with pytest.raises(BackupError) as info:
            backup.restore(store, path)
        assert info.value.reason == BackupError.NOT_A_BACKUP
    assert not list(Path(engine.url.database).parent.glob("*.before-restore-*"))


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "desktop_helpdesk", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT), "LANG": "C"}, timeout=180)


def test_backup_and_restore_commands(tmp_path, templates):
    data = tmp_path / "data"
    data.mkdir()
    templates.copy(templates.migrated(), data / "helpdesk.sqlite3")
    con = sqlite3.connect(str(data / "helpdesk.sqlite3"))
    con.execute("INSERT INTO app_meta (key, value) VALUES ('probe', 'before')")
    con.commit()
    con.close()
    out = tmp_path / "usb"
    done = run_cli("backup", "--data-dir", str(data), "--to", str(out))
    assert done.returncode == 0, done.stderr
    [copy] = list(out.iterdir())
    assert copy.name.startswith("helpdesk-") and str(copy) in done.stdout
    con = sqlite3.connect(str(data / "helpdesk.sqlite3"))
    con.execute("UPDATE app_meta SET value = 'after' WHERE key = 'probe'")
    con.commit()
    con.close()

    # No terminal to ask at (a script; Windows' windowed program has no console): refused
    # without --yes, nothing changed.
    done = run_cli("restore", str(copy), "--data-dir", str(data), "--lang", "vi")
    assert done.returncode == 1 and "--yes" in done.stderr and "Traceback" not in done.stderr
    assert not list(data.glob("helpdesk.before-restore-*.sqlite3"))
    done = run_cli("restore", str(copy), "--data-dir", str(data), "--lang", "vi", "--yes")
    assert done.returncode == 0, done.stderr
    assert "khách hàng" in done.stdout  # the counts, in Vietnamese
    con = sqlite3.connect(str(data / "helpdesk.sqlite3"))
    assert con.execute("SELECT value FROM app_meta WHERE key = 'probe'").fetchone() == ("before",)
    con.close()
    [safety] = list(data.glob("helpdesk.before-restore-*.sqlite3"))
    assert integrity(safety) == [("ok",)]

    done = run_cli("restore", str(tmp_path / "nothing.sqlite3"), "--data-dir", str(data))
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.strip()

    # While Desktop Helpdesk has the data folder open (its instance lock), a restore is refused.
    from PySide6.QtCore import QLockFile

    from desktop_helpdesk.i18n import Translator, install
    from desktop_helpdesk.paths import translations_dir
    from desktop_helpdesk.services.backup import BackupError, error_message

    lock = QLockFile(str(data / "instance.lock"))
    assert lock.tryLock(0)
    try:
        done = run_cli("restore", str(copy), "--data-dir", str(data), "--lang", "en", "--yes")
    finally:
        lock.unlock()
    install(Translator(translations_dir(), "en"))
    try:
        assert (done.returncode, done.stderr.strip()) == (2, error_message(BackupError.IN_USE))
    finally:
        install(None)
    assert len(list(data.glob("helpdesk.before-restore-*.sqlite3"))) == 1  # not even a safety copy

    # A lock the app left behind in a crash (a power cut while writing it: an empty file) does
    # not refuse the restore forever: it is taken over, as the app itself takes it over.
    (data / "instance.lock").write_bytes(b"")
    done = run_cli("restore", str(copy), "--data-dir", str(data), "--lang", "en", "--yes")
    assert done.returncode == 0, done.stderr
    assert len(list(data.glob("helpdesk.before-restore-*.sqlite3"))) == 2

    # A new computer: no database yet in the data folder; the backup becomes it.
    fresh = tmp_path / "new-computer"
    done = run_cli("restore", str(copy), "--data-dir", str(fresh), "--yes")
    assert done.returncode == 0, done.stderr
    assert integrity(fresh / "helpdesk.sqlite3") == [("ok",)] and not list(fresh.glob("*.before-restore-*"))
    con = sqlite3.connect(str(fresh / "helpdesk.sqlite3"))
    assert con.execute("SELECT value FROM app_meta WHERE key = 'probe'").fetchone() == ("before",)
    con.close()


# -- review fixes: what a restore reads, and from where ------------------------------------
def test_an_older_backup_is_brought_to_this_schema_before_it_is_restored(tmp_path):
    """A backup from an older version is upgraded (in a temporary copy) before it replaces
    the data: the running app never works on the old schema, the next start has nothing to
    upgrade, and a pre-upgrade copy the user keeps is not overwritten."""
    from sqlalchemy import inspect as sa_inspect

    from desktop_helpdesk.db import migrate
    from desktop_helpdesk.db.engine import make_engine, sqlite_url
    from tests.db.test_upgrade_safety import OLD, add_customer, migrate_to

    data = tmp_path / "data"
    data.mkdir()
    live = data / "helpdesk.sqlite3"
    engine = make_engine(sqlite_url(live))
    assert migrate.ensure_schema(engine, live) == "created"
    old = tmp_path / "usb" / "helpdesk-2026-01-01-080000.sqlite3"
    old.parent.mkdir()
    migrate_to(sqlite_url(old), OLD)
    add_customer(sqlite_url(old))
    kept = migrate.backup_path(live, OLD)  # what an earlier upgrade told the user to keep
    kept.write_bytes(b"the user's copy")

    store = SqliteBackups(live)
    assert backup.describe(store, old).schema == OLD and old.is_file()
    backup.restore(store, old)
    try:
        assert migrate.current_revision(engine) == migrate.SCHEMA_HEAD
        with engine.connect() as conn:
            assert "updated_by" in {c["name"] for c in sa_inspect(conn).get_columns("customers")}
        assert migrate.ensure_schema(engine, live) == "current"  # the next start: nothing to do
    finally:
        engine.dispose()
    con = sqlite3.connect(str(live))
    try:
        assert con.execute("SELECT name FROM customers").fetchall() == [("Công ty Cổ phần Ánh Dương",)]
    finally:
        con.close()
    assert kept.read_bytes() == b"the user's copy"
    assert not list(data.glob("*.partial*")) and not list(data.glob("*restoring*"))
    assert sorted(p.name for p in old.parent.iterdir()) == [old.name]  # the backup is untouched


def test_a_backup_whose_path_sqlite_cannot_take_as_a_uri_is_restored(ctx, engine, tmp_path, monkeypatch):
    """A backup on a share (\\\\server\\share\\…) becomes `file://server/share/…` as a URI,
    which SQLite rejects ("invalid uri authority"): the backup is copied locally first."""
    import pathlib

    db_path = Path(engine.url.database)
    warranty_ticket(ctx)
    store = SqliteBackups(db_path)
    copy = backup.back_up(store, BackupPolicy(tmp_path / "share"), NOW).file.path
    expected = ticket_rows(copy)
    with monkeypatch.context() as m:
        m.setattr(pathlib.PurePath, "as_uri", lambda self: "file://server/share" + self.as_posix())
        assert backup.describe(store, copy).tickets == len(expected)
        backup.restore(store, copy)
    assert ticket_rows(db_path) == expected


def test_rows_only_in_a_backups_wal_are_restored_and_the_live_file_is_refused(ctx, engine, tmp_path):
    db_path = Path(engine.url.database)
    first = warranty_ticket(ctx)
    store = SqliteBackups(db_path)
    copy = backup.back_up(store, BackupPolicy(tmp_path / "backups"), NOW).file.path
    # A copy taken by hand of a file in WAL mode, its last commit only in the -wal beside it.
    handmade = tmp_path / "by-hand" / "helpdesk.sqlite3"
    handmade.parent.mkdir()
    con = sqlite3.connect(str(copy), isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA wal_autocheckpoint = 0")
        con.execute("UPDATE tickets SET subject = 'Chỉ có trong WAL' WHERE id = ?", (first,))
        shutil.copyfile(copy, handmade)
        shutil.copyfile(copy.with_name(copy.name + "-wal"), handmade.with_name(handmade.name + "-wal"))
    finally:
        con.close()
    backup.restore(store, handmade)
    assert ("Chỉ có trong WAL",) in {(s,) for _id, s in ticket_rows(db_path)}
    assert (handmade.parent / "helpdesk.sqlite3-wal").is_file()  # the chosen files are left as they were

    # The live database itself is not a backup: refused with words, before anything is touched.
    with pytest.raises(BackupError) as info:
        backup.restore(store, db_path)
    assert info.value.reason == BackupError.LIVE_DATABASE
    assert "đang dùng" in backup.error_message(info.value.reason) or "using now" in backup.error_message(
        info.value.reason)
    assert not list(db_path.parent.glob("*.partial*"))


def test_unfinished_copies_left_more_than_a_day_ago_are_removed_and_others_kept(tmp_path):
    """A killed backup, pre-upgrade copy or restore leaves a `*.partial`; the daily backup's
    clean-up removes the app's own once a day old, never a fresh one (a copy being written)
    nor anyone else's file."""
    folder, data = tmp_path / "b", tmp_path / "data"
    folder.mkdir()
    data.mkdir()
    old = (NOW - timedelta(days=2)).timestamp()
    stale = [folder / "helpdesk-2026-12-01-080000.sqlite3.partial",
             folder / "helpdesk-2026-12-01-080000.sqlite3.partial-journal",
             data / "helpdesk.before-0006-to-0015.sqlite3.partial",
             data / "helpdesk.before-restore-20261201-080000.sqlite3.partial",
             data / "helpdesk.restoring-0123abcd.sqlite3.partial-wal"]
    fresh = [folder / "helpdesk-2026-12-07-200000.sqlite3.partial",
             data / "helpdesk.restoring-4567ef.sqlite3.partial"]
    foreign = [folder / "report.partial", data / "helpdesk.sqlite3", data / "other.partial"]
    for path in stale + fresh + foreign:
        path.write_bytes(b"x")
    for path in stale + foreign:
        os.utime(path, (old, old))
    for path in fresh:
        os.utime(path, (NOW.timestamp() - 3600,) * 2)
    removed = backup.prune(BackupPolicy(folder, keep_days=14), NOW, data_dir=data)
    assert sorted(removed) == sorted(stale)
    assert all(p.exists() for p in fresh + foreign) and not any(p.exists() for p in stale)


def test_the_safety_copy_is_named_in_the_desks_time(ctx, engine):
    from desktop_helpdesk.domain.vietnam import VIETNAM

    db_path = Path(engine.url.database)
    before = datetime.now(VIETNAM).replace(microsecond=0, tzinfo=None)
    copy = SqliteBackups(db_path).safety_copy("restore")
    after = datetime.now(VIETNAM).replace(tzinfo=None)
    stamp = datetime.strptime(copy.name.split("before-restore-")[1][:15], "%Y%m%d-%H%M%S")
    assert before <= stamp <= after, copy.name


def test_the_copy_before_an_upgrade_is_one_self_contained_file(tmp_path):
    """Opening the pre-upgrade copy (to look, or to put it back) leaves no -wal or -shm."""
    from desktop_helpdesk.db import migrate

    source = tmp_path / "helpdesk.sqlite3"
    con = sqlite3.connect(str(source), isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("CREATE TABLE t (x)")
    con.execute("INSERT INTO t VALUES (1)")
    con.close()
    (tmp_path / "copy").mkdir()
    copy = migrate.backup_sqlite(source, tmp_path / "copy" / "helpdesk.before-0006-to-0015.sqlite3")
    con = sqlite3.connect(str(copy))
    try:
        assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert con.execute("SELECT x FROM t").fetchall() == [(1,)]
    finally:
        con.close()
    assert sorted(p.name for p in copy.parent.iterdir()) == [copy.name]


def test_the_backup_and_restore_commands_leave_a_trace_in_the_log(tmp_path, templates):
    data = tmp_path / "data"
    data.mkdir()
    templates.copy(templates.migrated(), data / "helpdesk.sqlite3")
    done = run_cli("backup", "--data-dir", str(data), "--to", str(tmp_path / "usb"))
    assert done.returncode == 0, done.stderr
    done = run_cli("restore", str(tmp_path / "nothing.sqlite3"), "--data-dir", str(data), "--yes")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    text = (data / "logs" / "desktop-helpdesk.log").read_text(encoding="utf-8")
    assert "database backed up to" in text
    assert "the restore command failed: not_a_backup" in text


def test_copying_the_backup_in_reports_progress_and_can_be_cancelled(ctx, engine, tmp_path, monkeypatch):
    """A backup on a slow share is copied in first: that copy shows progress too, and Cancel
    during it changes nothing and leaves nothing behind."""
    db_path = Path(engine.url.database)
    warranty_ticket(ctx)
    store = SqliteBackups(db_path)
    copy = backup.back_up(store, BackupPolicy(tmp_path / "share"), NOW).file.path
    size = copy.stat().st_size
    monkeypatch.setattr(db_backup, "COPY_CHUNK", size // 4 + 1)
    before = ticket_rows(db_path)

    def cancel(done, total):
        if total == size and done > 0:
            raise Cancelled(done, total)

    with pytest.raises(Cancelled):
        backup.restore(store, copy, cancel)
    assert ticket_rows(db_path) == before
    assert not list(db_path.parent.glob("*restoring*"))
    steps = []
    backup.restore(store, copy, lambda done, total: steps.append((done, total)))
    assert [s for s in steps if s[1] == size][-1] == (size, size) and len([s for s in steps if s[1] == size]) >= 4


def test_desks_sharing_one_backup_folder_neither_count_nor_remove_each_others(tmp_path):
    """Two desks point at the same share, as the settings suggest: each takes its own daily
    backup, and each one's clean-up leaves the other's files alone."""
    from desktop_helpdesk.services import backup as b

    folder = tmp_path / "share"
    folder.mkdir()
    hotline = b.policy_of(str(folder), 14, tmp_path, desk="HOTLINE-01")
    lead = b.policy_of(str(folder), 14, tmp_path, desk="Kế toán 02")
    assert (hotline.desk, lead.desk) == ("hotline-01", "ke-toan-02")
    (folder / b.backup_name(NOW - timedelta(hours=2), lead.desk)).write_bytes(b"x")
    assert b.is_due(hotline, NOW) and not b.is_due(lead, NOW)  # the lead's backup is not the hotline's
    old_lead = folder / b.backup_name(NOW - timedelta(days=30), lead.desk)
    old_hotline = folder / b.backup_name(NOW - timedelta(days=30), hotline.desk)
    legacy = folder / b.backup_name(NOW - timedelta(days=30))  # named before desks were
    for f in (old_lead, old_hotline, legacy):
        f.write_bytes(b"x")
    removed = set(b.prune(hotline, NOW))
    assert removed == {old_hotline, legacy} and old_lead.exists()
    assert b.taken_at_of(old_lead) == (NOW - timedelta(days=30)).replace(microsecond=0).astimezone(b.VIETNAM)
    assert [f.path for f in b.list_backups(folder, lead.desk)] == sorted(
        [folder / b.backup_name(NOW - timedelta(hours=2), lead.desk), old_lead], reverse=True)
