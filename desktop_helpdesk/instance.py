"""The data folder's instance lock: one copy of the program (or a restore) at a time, and a
lock a crash left behind taken over (issue #14). Used by the app at start and by the
`restore` command, so both judge a left-over lock alike."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

log = logging.getLogger("desktop_helpdesk")


def lock_is_stale(found: bool, pid: int, host: str, this_host: str, alive) -> bool:
    """Whether the data folder's lock can be taken from whoever wrote it: nobody can hold
    it. `found` (the lock file could be read), `pid`, `host`: what QLockFile.getLockInfo read
    from the lock file; `alive(pid)` whether a process runs with that id here.

    An unreadable lock file (empty or cut short: the program crashed, or the disk was full,
    while writing it) is stale; QLockFile alone would refuse it forever. A lock written on
    another computer (a data folder reached from two machines) cannot be checked: not stale.
    """
    if not found or pid <= 0:
        return True
    if host and this_host and host != this_host:
        return False
    return not alive(pid)


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this computer (when unsure: yes)."""
    if sys.platform == "win32":
        import ctypes
        from ctypes import wintypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.OpenProcess.restype = wintypes.HANDLE
        kernel32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
        kernel32.GetExitCodeProcess.argtypes = (wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD))
        kernel32.CloseHandle.argtypes = (wintypes.HANDLE,)
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5  # ERROR_ACCESS_DENIED: it exists, someone else's
        try:
            code = wintypes.DWORD()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, someone else's
        return True
    return True


def acquire_instance_lock(lock_path: Path, ask_open_anyway):
    """Take the data folder's lock (one copy of the program per data folder). Returns
    (lock or None, whether to go on).

    A lock whose process is gone is taken over without a word (QLockFile checks the process
    id and name; `lock_is_stale` adds the unreadable lock file). A lock that another copy
    seems to hold is explained with `ask_open_anyway(pid, host)`: True opens anyway (the
    lock is taken over), False stops. A lock file that cannot be written at all (a read-only
    folder) does not stop the program: the database's own checks explain that.
    """
    from PySide6.QtCore import QLockFile, QSysInfo

    lock = QLockFile(str(lock_path))
    lock.setStaleLockTime(0)  # stale by its process only, never by its age: a desk stays open for weeks
    if lock.tryLock(200):
        return lock, True
    if lock.error() != QLockFile.LockError.LockFailedError:
        log.warning("cannot write the instance lock %s (%s): going on without it", lock_path, lock.error())
        return None, True
    pid, host, _app = lock.getLockInfo()  # (0, "", "") when the file cannot be read
    if lock_is_stale(pid > 0, pid, host, QSysInfo.machineHostName(), process_alive):
        log.info("the instance lock %s was left by a process that is gone (%s on %s): taken over",
                 lock_path, pid or "unreadable", host or "?")
        lock.removeStaleLockFile()
        if lock.tryLock(200):
            return lock, True
        pid, host, _app = lock.getLockInfo()
    if not ask_open_anyway(pid, host):
        return None, False
    log.warning("opening anyway although the instance lock %s is held by process %s on %s", lock_path, pid, host)
    # A lock file whose id was reused by another program can be removed and taken; one a
    # live copy holds cannot (QLockFile keeps a system lock on it): then run without it.
    lock.removeStaleLockFile()
    if lock.tryLock(200):
        return lock, True
    return None, True
