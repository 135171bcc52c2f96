"""Copies of the local SQLite file with SQLite's online backup API (services.backup's
`BackupStore`).

- **Consistent while the app writes.** The copy reads through one read transaction held
  from the first page to the last: in WAL mode that pins one snapshot (the WAL's committed
  content included), so writers go on meanwhile and the copy never restarts however often
  they commit, yet it is copied in steps that report progress and may be cancelled.
- **Never half a backup under a backup's name.** The copy is written to `<name>.partial`,
  switched to a rollback journal (one self-contained file, no -wal beside it), flushed to
  disk and renamed; any failure (a full disk, Cancel) deletes the partial file.
- **A restore is one transaction.** The backup's pages are written into the live database
  through the same API: SQLite holds the write lock from the first step to the last and
  commits at the end, so a killed or cancelled restore leaves the data as it was, and the
  app's other connections see either the old data or the restored data, never a mix.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.request import pathname2url

from ..domain.vietnam import VIETNAM
from ..services.backup import PARTIAL, BackupError
from ..services.progress import Progress
from .engine import BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)

#: Pages copied per step between progress reports (4 MiB at SQLite's default page size).
STEP_PAGES = 1024
#: The tables whose rows a backup's description counts.
COUNTED = ("customers", "contracts", "tickets")
_SQLITE_FULL = 13
_SQLITE_IOERR = 10
_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


class SqliteBackups:
    """Backups of the SQLite database file `database` (the app's live file)."""

    def __init__(self, database: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS):
        self.database = Path(database)
        self.busy_timeout_ms = busy_timeout_ms

    # -- a copy of the live file ------------------------------------------------------
    def copy_to(self, target: Path, progress: Progress | None = None) -> int:
        target = Path(target)
        partial = target.with_name(target.name + PARTIAL)
        _remove(partial)
        src = dst = None
        try:
            src = self._connect(self.database)
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot is pinned here
            try:
                dst = sqlite3.connect(str(partial), isolation_level=None)
            except sqlite3.Error as exc:
                raise BackupError(BackupError.NO_FOLDER, str(exc)) from exc
            src.backup(dst, pages=STEP_PAGES, progress=_relay(progress))
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            dst.close()
            dst = None
            src.execute("COMMIT")
            _fsync(partial)
            if target.exists():
                raise BackupError(BackupError.FAILED, f"{target.name} appeared meanwhile")
            os.replace(partial, target)
            _fsync_folder(target.parent)
            return target.stat().st_size
        except BaseException as exc:
            for con in (dst, src):
                if con is not None:
                    try:
                        con.close()
                    except sqlite3.Error:
                        pass
            _remove(partial)
            _remove(partial.with_name(partial.name + "-journal"))
            raise _explained(exc, target.parent, self._size()) from exc
        finally:
            if src is not None:
                src.close()

    def safety_copy(self, label: str) -> Path | None:
        if not self.database.is_file():
            return None  # a restore onto a new computer: nothing to keep
        # The desk's time, as in the backups' names: the file name the user reads matches the clock.
        stamp = datetime.now(timezone.utc).astimezone(VIETNAM).strftime("%Y%m%d-%H%M%S")
        db = self.database
        target = db.with_name(f"{db.stem}.before-{label}-{stamp}{db.suffix}")
        n = 1
        while target.exists():
            n += 1
            target = db.with_name(f"{db.stem}.before-{label}-{stamp}-{n}{db.suffix}")
        self.copy_to(target)
        return target

    # -- reading a backup -------------------------------------------------------------
    def contents(self, path: Path) -> tuple[int, int, int, str | None]:
        staged = self._stage(Path(path))
        try:
            return _read_contents(staged)
        finally:
            _remove_staged(staged)

    # -- putting a backup back --------------------------------------------------------
    def restore_from(self, path: Path, progress: Progress | None = None) -> None:
        """Restore from a local copy of the backup (see `_stage`) brought to this version's
        schema first, so the running app never works on an older schema and the next start
        has nothing to upgrade (and so writes no pre-upgrade copy over one the user keeps)."""
        src = dst = staged = None
        try:
            staged = self._stage(Path(path), progress)
            *_, revision = _read_contents(staged)
            _upgrade(staged, revision)
            src = _open_backup(staged)
            dst = self._connect(self.database, create=True)
            src.backup(dst, pages=STEP_PAGES, progress=_relay(progress))
        except BaseException as exc:
            raise _explained(exc, self.database.parent, Path(path).stat().st_size if Path(path).is_file() else 0) from exc
        finally:
            for con in (src, dst):
                if con is not None:
                    con.close()
            if staged is not None:
                _remove_staged(staged)

    def _stage(self, path: Path, progress: Progress | None = None) -> Path:
        """A private copy of the backup `path` in the data folder, under a temporary name,
        with what a `-wal` beside it holds applied; the caller removes it (`_remove_staged`).

        Copied with plain file copies, not opened where it lies: SQLite rejects a share's
        UNC path as a URI ("invalid uri authority"), and a backup opened immutable would
        ignore committed rows that are only in its WAL. The live database itself is refused:
        its WAL belongs to the running app."""
        if not path.is_file():
            raise BackupError(BackupError.NOT_A_BACKUP, "no such file")
        if _same_file(path, self.database):
            raise BackupError(BackupError.LIVE_DATABASE, "the chosen file is the live database")
        folder = self.database.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackupError(BackupError.FAILED, f"{type(exc).__name__}: {exc.strerror or exc}") from exc
        staged = folder / f"{self.database.stem}.restoring-{uuid.uuid4().hex}{self.database.suffix}{PARTIAL}"
        try:
            _copy_file(path, staged, progress)
            wal = path.with_name(path.name + "-wal")
            if wal.is_file():
                shutil.copyfile(wal, staged.with_name(staged.name + "-wal"))
                con = sqlite3.connect(str(staged), isolation_level=None)
                try:  # opening applies the WAL; DELETE folds it into the file itself
                    con.execute("PRAGMA journal_mode = DELETE").fetchone()
                finally:
                    con.close()
        except BaseException as exc:
            _remove_staged(staged)
            if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
                raise BackupError(BackupError.NOT_A_BACKUP, str(exc)) from exc
            raise _explained(exc, folder, _file_size(path)) from exc
        return staged

    def _size(self) -> int:
        """How much room a copy of the live database may need (the file and its WAL)."""
        total = 0
        for p in (self.database, self.database.with_name(self.database.name + "-wal")):
            try:
                total += p.stat().st_size
            except OSError:
                pass
        return total

    def _connect(self, path: Path, create: bool = False) -> sqlite3.Connection:
        if not create and not path.is_file():
            raise BackupError(BackupError.FAILED, f"the database file {path} does not exist")
        con = sqlite3.connect(str(path), isolation_level=None, timeout=self.busy_timeout_ms / 1000)
        con.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        return con


def _read_contents(staged: Path) -> tuple[int, int, int, str | None]:
    """(customers, contracts, tickets, revision) of a staged copy, checked whole."""
    from .migrate import known_revisions

    con = _open_backup(staged)
    try:
        check = con.execute("PRAGMA integrity_check").fetchall()
        if [tuple(r) for r in check] != [("ok",)]:
            raise BackupError(BackupError.NOT_A_BACKUP, "integrity_check: " + "; ".join(str(r[0]) for r in check[:3]))
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "alembic_version" not in tables or not set(COUNTED) <= tables:
            raise BackupError(BackupError.NOT_A_BACKUP, "not a Desktop Helpdesk database")
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
        counts = [con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in COUNTED]
    except sqlite3.DatabaseError as exc:
        raise BackupError(BackupError.NOT_A_BACKUP, str(exc)) from exc
    finally:
        con.close()
    if revision is not None and revision not in known_revisions():
        raise BackupError(BackupError.NEWER, f"schema revision {revision!r}")
    return counts[0], counts[1], counts[2], revision


def _upgrade(staged: Path, revision: str | None) -> None:
    """Bring a staged copy to this version's schema with the app's own migrations."""
    from .engine import make_engine, sqlite_url
    from .migrate import SCHEMA_HEAD, upgrade

    if revision == SCHEMA_HEAD:
        return
    engine = make_engine(sqlite_url(staged))
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    con = sqlite3.connect(str(staged), isolation_level=None)
    try:  # the migrations switched it to WAL: one self-contained file again
        con.execute("PRAGMA journal_mode = DELETE").fetchone()
    finally:
        con.close()
    log.info("the backup was brought from schema %s to %s before restoring it", revision, SCHEMA_HEAD)


def _open_backup(path: Path) -> sqlite3.Connection:
    """A staged copy (a plain local path, in DELETE journal mode) opened read-only."""
    try:
        return sqlite3.connect(f"file:{pathname2url(str(path))}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise BackupError(BackupError.NOT_A_BACKUP, str(exc)) from exc


#: Bytes copied between progress reports while a backup is copied in (from a share: slow).
COPY_CHUNK = 4 * 1024 * 1024


def _copy_file(source: Path, target: Path, progress: Progress | None) -> None:
    """shutil's copy, in chunks that report `progress(bytes done, bytes in all)` (a Cancelled
    it raises stops the copy; the caller removes the part written)."""
    if progress is None:
        shutil.copyfile(source, target)
        return
    total = _file_size(source)
    done = 0
    progress(0, total)
    with open(source, "rb") as src, open(target, "wb") as dst:
        while chunk := src.read(COPY_CHUNK):
            dst.write(chunk)
            done += len(chunk)
            progress(done, total)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _remove_staged(staged: Path) -> None:
    for leftover in (staged, *(staged.with_name(staged.name + s) for s in ("-wal", "-shm", "-journal"))):
        _remove(leftover)


def _relay(progress: Progress | None):
    """The backup API's progress callback (status, remaining, pages) as the services'
    `progress(done, total)`; a Cancelled it raises stops the copy (SQLite abandons it)."""
    if progress is None:
        return None

    def step(_status: int, remaining: int, total: int) -> None:
        progress(max(0, total - remaining), total)

    return step


def _explained(exc: BaseException, folder: Path, needed: int) -> BaseException:
    """A BackupError for what the user can understand (a full disk, a folder gone); other
    exceptions (Cancelled, a bug) pass through unchanged. `folder` is where the failed write
    went and `needed` about how much it had to write: SQLite reports a write refused for
    want of room as SQLITE_FULL only when part of it was written, else as an I/O error."""
    if isinstance(exc, BackupError):
        return exc
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        text = str(exc).lower()
        if code == _SQLITE_FULL or "disk is full" in text:
            return BackupError(BackupError.DISK_FULL, str(exc))
        if code is not None and code & 0xFF == _SQLITE_IOERR and _short_of_room(folder, needed):
            return BackupError(BackupError.DISK_FULL, str(exc))
        if code is not None and code & 0xFF == _SQLITE_IOERR:
            return BackupError(BackupError.NO_FOLDER, str(exc))
        if "unable to open" in text or "readonly" in text or "read-only" in text:
            return BackupError(BackupError.NO_FOLDER, str(exc))
        if isinstance(exc, sqlite3.DatabaseError) and "not a database" in text:
            return BackupError(BackupError.NOT_A_BACKUP, str(exc))
        return BackupError(BackupError.FAILED, f"{type(exc).__name__}: {exc}")
    if isinstance(exc, OSError):
        if exc.errno in _FULL_ERRNOS or _short_of_room(folder, needed):
            return BackupError(BackupError.DISK_FULL, str(exc))
        return BackupError(BackupError.NO_FOLDER, f"{type(exc).__name__}: {exc.strerror or exc}")
    return exc


def _short_of_room(folder: Path, needed: int) -> bool:
    try:
        return shutil.disk_usage(folder).free < needed + 1_000_000
    except OSError:
        return False


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:
        log.warning("cannot remove %s", path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDWR)  # Windows flushes only a handle open for writing
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
