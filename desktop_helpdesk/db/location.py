"""Whether a database file lies on a network share, where SQLite must not keep it.

SQLite's write-ahead log (WAL) keeps its index in shared memory beside the file; on a
network file system (a Windows share, NFS, SMB/CIFS) that memory is not shared between
computers and file locks are unreliable, so two desks would damage the file. A team works on
the team server instead. The decisions are small pure functions (`is_unc_path`,
`network_fstype`) so tests can feed them any path, mount table or drive type;
`network_share_of` asks the operating system.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path, PurePath

#: File systems reached over the network (Linux's names in /proc/mounts).
NETWORK_FSTYPES = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "coda", "ceph", "glusterfs",
    "fuse.sshfs", "fuse.glusterfs", "fuse.cephfs", "davfs", "fuse.davfs2", "fuse.rclone", "lustre",
})
#: GetDriveTypeW's answer for a network drive.
DRIVE_REMOTE = 4


def is_unc_path(path: str) -> bool:
    r"""A Windows UNC path (\\server\share\..., or //server/share/...), not a device path
    (\\?\C:\... or \\.\...), which is local unless it names a UNC share itself."""
    text = str(path).replace("/", "\\")
    if text.upper().startswith("\\\\?\\UNC\\"):
        return True
    return text.startswith("\\\\") and not text.startswith(("\\\\?\\", "\\\\.\\"))


def _unescape(field: str) -> str:
    """/proc/mounts writes a space as \\040, a tab as \\011, a backslash as \\134."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def network_fstype(path: str, mounts: str) -> str | None:
    """The file system type of the mount that holds `path` (absolute, resolved) when it is a
    network one, else None. `mounts`: the text of /proc/mounts (the last mount on a point
    wins, as the kernel shows the topmost one last)."""
    best, best_type = "", None
    target = PurePath(path)
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point, fstype = _unescape(fields[1]), fields[2]
        mount = PurePath(point)
        if (target == mount or mount in target.parents) and len(point) >= len(best):
            best, best_type = point, fstype
    return best_type if best_type in NETWORK_FSTYPES else None


def windows_drive_is_remote(path: str, drive_type) -> bool:
    """A path on a mapped network drive: `drive_type(root)` is GetDriveTypeW."""
    drive = _windows_drive(path)
    if not drive:
        return False
    return drive_type(drive.rstrip("\\/") + "\\") == DRIVE_REMOTE


def _windows_drive(path: str) -> str:
    match = re.match(r"^([A-Za-z]:)", str(path))
    return match.group(1) if match else ""


def network_share_of(path: Path) -> str | None:
    """Why `path` (a database file, existing or not) is on a network share: "UNC", a drive
    letter's "network drive", or the Linux file system type; None when it is local (or the
    system cannot tell)."""
    text = str(path)
    if is_unc_path(text):
        return "UNC"
    if sys.platform == "win32":
        import ctypes
        from ctypes import wintypes

        get_drive_type = ctypes.WinDLL("kernel32").GetDriveTypeW
        get_drive_type.argtypes = (wintypes.LPCWSTR,)
        get_drive_type.restype = wintypes.UINT
        try:
            resolved = str(Path(path).resolve())
        except OSError:
            resolved = text
        if is_unc_path(resolved):  # a mapped drive resolves to its UNC path on newer Pythons
            return "UNC"
        return "network drive" if windows_drive_is_remote(resolved, get_drive_type) else None
    try:
        with open("/proc/mounts", encoding="utf-8", errors="replace") as handle:
            mounts = handle.read()
    except OSError:
        return None
    resolved = Path(path).resolve()
    return network_fstype(str(resolved), mounts)
