"""Backups of the local database file: the daily copy, "Back up now", "Restore…", and the
`desktop-helpdesk backup|restore` commands.

What a backup is: one self-contained SQLite file named for the desk's date and time
(`helpdesk-2026-12-07-203012.sqlite3`) in a folder the user chooses (a USB drive, a share),
kept `keep_days` days. It is written under a temporary name and renamed when complete, so a
file with a backup's name is always a whole backup; a failed one (a full disk) leaves nothing.

The copying itself is the storage's (`BackupStore`, implemented by db/backup.py with
SQLite's online backup API, so the WAL's content is included and the app may write
meanwhile); these use cases decide names, the schedule, what is kept, and the safety copy
taken before a restore. Plain dataclasses in and out; no Qt, no SQLAlchemy.
"""

from __future__ import annotations

import logging
import platform
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from ..domain.accounts import Permission
from ..domain.text import fold
from ..domain.vietnam import VIETNAM
from .accounts import require
from .progress import Progress

log = logging.getLogger(__name__)

#: How many days of backups are kept unless the user says otherwise.
DEFAULT_KEEP_DAYS = 14
#: A backup is due when the newest one in the folder is older than this.
BACKUP_INTERVAL = timedelta(days=1)
PREFIX = "helpdesk-"
SUFFIX = ".sqlite3"
#: What the temporary file is called while it is written (never listed as a backup).
PARTIAL = ".partial"
#: helpdesk-<date>-<time>[-<desk>].sqlite3: the desk's name tells desks sharing one folder (a share)
#: apart; a name without one (written before desks were named) counts as every desk's.
_NAME = re.compile(r"^helpdesk-(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})(\d{2})(?:-([a-z0-9][a-z0-9-]*))?\.sqlite3$")


class BackupError(Exception):
    """A backup or restore could not be done; `reason` is one of the codes below and the
    UI or the command line turns it into a sentence. Nothing half-done is left behind."""

    DISK_FULL = "disk_full"  # the backup folder's disk is full: the partial file was deleted
    NO_FOLDER = "no_folder"  # the folder cannot be created or written (a USB drive unplugged)
    NOT_A_BACKUP = "not_a_backup"  # not a SQLite file, damaged, or not a Desktop Helpdesk database
    NEWER = "newer"  # written by a newer version of the program
    NOT_LOCAL = "not_local"  # the database is on the team server: pg_dump is the administrator's
    LIVE_DATABASE = "live_database"  # the file chosen to restore is the live database itself
    IN_USE = "in_use"  # restore from the command line while the app has the data folder open
    FAILED = "failed"  # anything else (logged with its traceback)

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class BackupPolicy:
    """Where backups go and how long they stay."""

    folder: Path
    keep_days: int = DEFAULT_KEEP_DAYS
    #: This desk's name in its backups' names (see `desk_tag`); "" for unnamed backups.
    desk: str = ""


@dataclass(frozen=True)
class BackupFile:
    """One backup in the folder: its path, when it was taken (from its name) and its size."""

    path: Path
    taken_at: datetime  # aware, in the desk's zone
    size: int


@dataclass(frozen=True)
class BackupContents:
    """What a backup file holds, read before a restore is confirmed."""

    path: Path
    taken_at: datetime | None  # from the name; None for a file named otherwise
    customers: int
    contracts: int
    tickets: int
    schema: str | None  # the schema revision it was written with


@dataclass(frozen=True)
class BackupDone:
    """A backup that was written, and the old ones removed to keep `keep_days`."""

    file: BackupFile
    removed: tuple[Path, ...] = ()


@dataclass(frozen=True)
class RestoreDone:
    """A restore that replaced the data; `safety_copy` holds the data as it was just before."""

    restored: BackupContents
    safety_copy: Path | None  # None: there was no database file yet (a new computer)


class BackupStore(Protocol):
    """The storage side of backups (db/backup.py): copies of one local database file."""

    def copy_to(self, target: Path, progress: Progress | None = None) -> int:
        """Write a consistent copy of the live database to `target` (which must not exist),
        under a temporary name renamed at the end; return its size. Raises BackupError."""
        ...

    def contents(self, path: Path) -> tuple[int, int, int, str | None]:
        """(customers, contracts, tickets, schema revision) of a backup file, after checking
        it is a whole, undamaged Desktop Helpdesk database. Raises BackupError."""
        ...

    def restore_from(self, path: Path, progress: Progress | None = None) -> None:
        """Replace the live database's content with the backup's, in one transaction (all or
        nothing). Raises BackupError."""
        ...

    def safety_copy(self, label: str) -> Path | None:
        """A copy of the live database next to it before it is replaced; returns its path
        (None when there is no live database file yet)."""
        ...


def desk_tag(name: str) -> str:
    """A computer's name as it goes into a backup's name: folded, letters, digits and dashes
    ("KẾ-TOÁN 01" → "ke-toan-01"); "desk" when nothing is left."""
    tag = re.sub(r"[^a-z0-9]+", "-", fold(name or "")).strip("-")[:40].strip("-")
    return tag or "desk"


def backup_name(now: datetime, desk: str = "") -> str:
    """The file name of a backup taken at `now` (aware) by `desk`: the desk's local date
    and time, then the desk's name."""
    local = now.astimezone(VIETNAM)
    return f"{PREFIX}{local:%Y-%m-%d-%H%M%S}{'-' + desk if desk else ''}{SUFFIX}"


def taken_at_of(path: Path) -> datetime | None:
    """When a backup was taken, read from its name; None when it is not named as one."""
    found = _NAME.match(Path(path).name)
    if not found:
        return None
    try:
        return datetime(*map(int, found.groups()[:6]), tzinfo=VIETNAM)
    except ValueError:
        return None


def desk_of(path: Path) -> str | None:
    """The desk that took a backup, from its name; None for a backup named without one."""
    found = _NAME.match(Path(path).name)
    return found.group(7) if found else None


def list_backups(folder: Path, desk: str = "") -> list[BackupFile]:
    """The backups in `folder`, newest first; none when the folder is missing or unreadable.
    With `desk`, only that desk's (and those named without a desk): desks sharing a folder
    neither count nor remove each other's."""
    found = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return []
    for path in entries:
        taken = taken_at_of(path)
        if taken is None or (desk and desk_of(path) not in (None, desk)):
            continue
        try:
            size = path.stat().st_size
        except OSError:
            continue
        found.append(BackupFile(path, taken, size))
    return sorted(found, key=lambda f: f.taken_at, reverse=True)


def is_due(policy: BackupPolicy, now: datetime) -> bool:
    """Whether the daily backup should be taken now: no backup in the folder is less than a
    day old (one taken "in the future" by a wrong clock does not count)."""
    for f in list_backups(policy.folder, policy.desk):
        if now - BACKUP_INTERVAL < f.taken_at <= now + timedelta(minutes=5):
            return False
    return True


def back_up(store: BackupStore, policy: BackupPolicy, now: datetime,
            progress: Progress | None = None, data_dir: Path | None = None) -> BackupDone:
    """Take a backup into the policy's folder, then remove those older than `keep_days`
    (never the one just taken) and what killed copies left (see `prune`; `data_dir` is the
    database's folder). Raises BackupError; nothing partial is left on failure."""
    folder = Path(policy.folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(BackupError.NO_FOLDER, f"{type(exc).__name__}: {exc.strerror or exc}") from exc
    target = folder / backup_name(now, policy.desk)
    serial = 1
    while target.exists():  # two backups in one second (Back up now, twice)
        serial += 1
        target = folder / backup_name(now + timedelta(seconds=serial - 1), policy.desk)
    size = store.copy_to(target, progress)
    log.info("database backed up to %s (%d bytes)", target, size)
    done = BackupFile(target, taken_at_of(target), size)
    return BackupDone(done, tuple(prune(policy, now, keep=target, data_dir=data_dir)))


#: A temporary file older than this was left by a copy that was killed (a power cut).
STALE_PARTIAL = timedelta(days=1)
#: The temporary files the app writes: backups in the backup folder; copies before an
#: upgrade or a restore, and a backup being restored, in the database's folder.
_PARTIALS_IN_BACKUPS = (f"{PREFIX}*{PARTIAL}*",)
_PARTIALS_IN_DATA = (f"*.before-*{PARTIAL}*", f"*.restoring-*{PARTIAL}*")


def prune(policy: BackupPolicy, now: datetime, keep: Path | None = None,
          data_dir: Path | None = None) -> list[Path]:
    """Delete the backups older than `keep_days` (by their names) except `keep`, and the
    app's own temporary files (`*.partial`) a killed copy left more than a day ago in the
    backup folder and in `data_dir`; return what was deleted."""
    limit = now - timedelta(days=max(1, int(policy.keep_days)))
    leftovers = _stale_partials(Path(policy.folder), _PARTIALS_IN_BACKUPS, now)
    if data_dir is not None:
        leftovers += _stale_partials(Path(data_dir), _PARTIALS_IN_DATA, now)
    removed = []
    for f in list_backups(policy.folder, policy.desk):
        if f.taken_at < limit and f.path != keep:
            try:
                f.path.unlink()
                removed.append(f.path)
            except OSError:
                log.warning("cannot remove the old backup %s", f.path)
    if removed:
        log.info("removed %d backups older than %d days", len(removed), policy.keep_days)
    return removed + leftovers


def _stale_partials(folder: Path, patterns: tuple[str, ...], now: datetime) -> list[Path]:
    removed = []
    try:
        found = {p for pattern in patterns for p in folder.glob(pattern)}
    except OSError:
        return []
    for path in sorted(found):
        try:
            if not path.is_file() or now.timestamp() - path.stat().st_mtime < STALE_PARTIAL.total_seconds():
                continue
            path.unlink()
            removed.append(path)
        except OSError:
            log.warning("cannot remove the unfinished copy %s", path)
    if removed:
        log.info("removed %d unfinished copies left in %s", len(removed), folder)
    return removed


def describe(store: BackupStore, path: Path) -> BackupContents:
    """What a backup holds (its date and row counts), checked whole; raises BackupError."""
    customers, contracts, tickets, schema = store.contents(Path(path))
    return BackupContents(Path(path), taken_at_of(path), customers, contracts, tickets, schema)


def restore(store: BackupStore, path: Path, progress: Progress | None = None) -> RestoreDone:
    """Check the backup, take a safety copy of the live database, then replace its content
    with the backup's (all or nothing). The app reopens the database afterwards."""
    contents = describe(store, path)
    safety = store.safety_copy("restore")
    if safety is not None:
        log.info("database copied to %s before restoring %s", safety, path)
    store.restore_from(Path(path), progress)
    log.info("database restored from %s", path)
    return RestoreDone(contents, safety)


def restore_as(ctx, store: BackupStore, path: Path, progress: Progress | None = None) -> RestoreDone:
    """`restore`, for the operator signed in at a desk: administrators only (a restore puts
    back the operators and the history as they were)."""
    require(ctx, Permission.RESTORE)
    return restore(store, path, progress)


def policy_of(folder: str, keep_days: int, data_dir: Path, desk: str | None = None) -> BackupPolicy:
    """The policy the settings describe: `folder` ("" = "backups" in the data folder),
    `keep_days` (at least 1), and this computer's name (`desk`, else the system's)."""
    chosen = Path(folder).expanduser() if folder.strip() else Path(data_dir) / "backups"
    return BackupPolicy(chosen, max(1, int(keep_days or DEFAULT_KEEP_DAYS)),
                        desk_tag(desk if desk is not None else platform.node()))


def summary(contents: BackupContents) -> str:
    """What a backup holds, in one line of the user's language (the restore's question)."""
    from ..i18n import _
    from ..i18n.formatting import format_datetime, format_number

    when = format_datetime(contents.taken_at) if contents.taken_at is not None else _("unknown date")
    return _("Backup of {when}: {customers} customers, {contracts} contracts, {tickets} tickets").format(
        when=when, customers=format_number(contents.customers), contracts=format_number(contents.contracts),
        tickets=format_number(contents.tickets))


def error_message(reason: str) -> str:
    """What the user is told about a BackupError's `reason` (the window adds where the
    details are logged to a failure it logged)."""
    from ..i18n import _

    B = BackupError
    return {
        B.DISK_FULL: _("The backup could not be written: the disk is full. Free some space or choose another "
                       "folder (a USB drive, a share); no partial backup was left."),
        B.NO_FOLDER: _("The backup folder cannot be used (it does not exist, is read-only, or the drive is not "
                       "connected). Choose another folder; nothing was written."),
        B.NOT_A_BACKUP: _("This file is not a whole Desktop Helpdesk backup (it is damaged, incomplete, or "
                          "another program's). Nothing was changed."),
        B.NEWER: _("This backup was made by a newer version of Desktop Helpdesk. Install the newer version to "
                   "restore it; nothing was changed."),
        B.NOT_LOCAL: _("The data is on the team server: its administrator backs it up with pg_dump (see "
                       "README). Nothing was changed."),
        B.IN_USE: _("Desktop Helpdesk is open with this data folder. Close it first, or use File → Restore "
                    "from a backup… in the open window. Nothing was changed."),
        B.LIVE_DATABASE: _("This is the database Desktop Helpdesk is using now, not a backup. Choose a backup "
                           "file (helpdesk-….sqlite3 in the backup folder); nothing was changed."),
    }.get(reason, _("The backup or restore failed; nothing was changed."))


def size_text(n: int) -> str:
    """A file size for people: "12.3 MB", "45 KB"."""
    from ..i18n import _
    from ..i18n.formatting import format_number

    if n >= 100_000:  # "1,2 MB" in Vietnamese, "1.2 MB" in English
        return _("{mb} MB").format(mb=format_number(round(n / 1_000_000, 1)))
    return _("{kb} KB").format(kb=format_number(max(1, n // 1000)))
