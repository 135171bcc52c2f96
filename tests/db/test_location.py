"""A SQLite file on a network share is refused with the reason, before anything touches it."""

from __future__ import annotations

import pytest

from desktop_helpdesk.db import location
from desktop_helpdesk.db.engine import connect_database, open_database, sqlite_url
from desktop_helpdesk.db.location import DRIVE_REMOTE, is_unc_path, network_fstype, windows_drive_is_remote
from desktop_helpdesk.domain.errors import DatabaseOpenError

MOUNTS = """\
sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
/dev/sda2 / ext4 rw,relatime 0 0
/dev/sda3 /home ext4 rw,relatime 0 0
//nas/ketoan /mnt/ketoan cifs rw,relatime,vers=3.1.1 0 0
nas:/export/helpdesk /home/an/Dữ\\040liệu nfs4 rw,relatime 0 0
tmpfs /mnt/ketoan/local tmpfs rw 0 0
sshfs#an@host: /media/remote fuse.sshfs rw 0 0
"""


@pytest.mark.parametrize("path, expected", [
    (r"\\server\share\helpdesk.sqlite3", True),
    ("//server/share/helpdesk.sqlite3", True),
    (r"\\?\UNC\server\share\helpdesk.sqlite3", True),
    (r"\\?\C:\Users\an\helpdesk.sqlite3", False),
    (r"\\.\C:\helpdesk.sqlite3", False),
    (r"C:\Users\an\AppData\Local\DesktopHelpdesk\helpdesk.sqlite3", False),
    ("/home/an/helpdesk.sqlite3", False),
])
def test_unc_paths_are_network_shares(path, expected):
    assert is_unc_path(path) is expected


@pytest.mark.parametrize("path, expected", [
    ("/home/an/.local/share/DesktopHelpdesk/helpdesk.sqlite3", None),
    ("/mnt/ketoan/helpdesk.sqlite3", "cifs"),
    ("/mnt/ketoan", "cifs"),
    ("/mnt/ketoanx/helpdesk.sqlite3", None),  # a sibling of the mount point, not under it
    ("/mnt/ketoan/local/helpdesk.sqlite3", None),  # a local mount on top of the share wins
    ("/home/an/Dữ liệu/helpdesk.sqlite3", "nfs4"),  # /proc/mounts escapes the space
    ("/media/remote/x.sqlite3", "fuse.sshfs"),
    ("/tmp/helpdesk.sqlite3", None),
])
def test_the_mount_that_holds_a_path_decides(path, expected):
    assert network_fstype(path, MOUNTS) == expected


@pytest.mark.parametrize("path, drive_types, expected", [
    (r"Z:\helpdesk\helpdesk.sqlite3", {"Z:\\": DRIVE_REMOTE}, True),
    (r"C:\helpdesk\helpdesk.sqlite3", {"C:\\": 3}, False),  # DRIVE_FIXED
    (r"E:\helpdesk.sqlite3", {"E:\\": 2}, False),  # DRIVE_REMOVABLE: a USB drive is local
    ("/home/an/helpdesk.sqlite3", {}, False),
])
def test_a_mapped_network_drive_is_a_network_share(path, drive_types, expected):
    asked = []

    def drive_type(root):
        asked.append(root)
        return drive_types[root]

    assert windows_drive_is_remote(path, drive_type) is expected
    assert asked == list(drive_types)


def test_a_local_folder_is_not_a_share(tmp_path):
    assert location.network_share_of(tmp_path / "helpdesk.sqlite3") is None


@pytest.mark.sqlite_only
def test_a_file_on_a_share_is_refused_untouched_with_the_reason(engine_kind, tmp_path, monkeypatch):
    from desktop_helpdesk.app import database_error_message
    from desktop_helpdesk.i18n import Translator, install
    from desktop_helpdesk.paths import translations_dir

    share = tmp_path / "share"
    share.mkdir()
    mounts = f"/dev/sda2 / ext4 rw 0 0\n//nas/helpdesk {share} cifs rw 0 0\n"
    real_open = open

    def fake_open(file, *args, **kwargs):
        return __import__("io").StringIO(mounts) if file == "/proc/mounts" else real_open(file, *args, **kwargs)

    monkeypatch.setattr(location, "open", fake_open, raising=False)
    db_file = share / "helpdesk.sqlite3"
    for opening in (connect_database, open_database):
        with pytest.raises(DatabaseOpenError) as refused:
            opening(sqlite_url(db_file))
        assert refused.value.reason == DatabaseOpenError.NETWORK_SHARE
        assert list(share.iterdir()) == []  # nothing created there, not even the file
    try:
        install(Translator(translations_dir(), "vi"))
        assert "thư mục dùng chung qua mạng" in database_error_message(refused.value.reason)
        assert "máy chủ của nhóm" in database_error_message(refused.value.reason)
    finally:
        install(None)
