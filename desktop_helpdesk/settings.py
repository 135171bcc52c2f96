"""Typed user settings, stored as JSON in the user config folder.

A missing or damaged file gives the defaults (and is logged), never a crash. Window layout
is stored as base64 of Qt's own state blobs, so this module needs no Qt.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass
class Settings:
    language: str = ""  # "" = not chosen yet: follow the system, Vietnamese or else English
    last_login: str = ""  # the user name last signed in with, offered at the next start
    lock_after_minutes: int = 15  # lock the desk after this long without a key or the mouse (0 = never)
    last_view: str = "dashboard"
    do_not_disturb: bool = False
    alert_sound: bool = False  # a short sound when alerts for this operator come in (off: a quiet office)
    export_dir: str = ""  # the folder of the last export
    csv_separator: str = ""  # the CSV separator last chosen ("" = by language: ";" in Vietnamese)
    window_geometry: str = ""
    window_state: str = ""
    header_states: dict = field(default_factory=dict)
    splitter_states: dict = field(default_factory=dict)
    #: The team server this desk opens at start ({} = the local database file): what
    #: `TeamServer.to_dict` gives, never the password (that is in the OS credential store).
    team_server: dict = field(default_factory=dict)
    #: Backups of the local database file (issue #14): the folder ("" = "backups" in the
    #: data folder; a USB drive or a share may be chosen) and how many days they are kept.
    backup_folder: str = ""
    backup_keep_days: int = 14
    #: The import (issue #14): the folder of the last file imported or written, and the
    #: import dialog's size ([width, height]) by dialog name.
    import_dir: str = ""
    dialog_sizes: dict = field(default_factory=dict)
    #: The tickets view's queue (issue #13): "mine", "unassigned", "team" or "all".
    ticket_queue: str = "all"
    #: The field laptop's offline copy (issue #15): {"copy": its path, "login": whose it is,
    #: "active": True while the app works on it instead of the team server}.
    offline: dict = field(default_factory=dict)
    #: The largest file one may attach, in MB (issue #16; domain.attachments' rule).
    attachment_limit_mb: int = 20
    #: Look and feel (issue #19): "system" (follow the system's light or dark scheme, live),
    #: "light" or "dark"; the navigation pane shrunk to its icons.
    color_scheme: str = "system"
    nav_collapsed: bool = False
    #: The text size, in per cent of the system's (100, 125 or 150): View → Text size.
    text_size: int = 100
    #: The first-start tour was shown (skipped or done): not shown again by itself.
    tour_done: bool = False

    @classmethod
    def load(cls, path: Path) -> "Settings":
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError):
            log.exception("settings file %s is unreadable; using defaults", path)
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known and isinstance(v, type(getattr(cls(), k)))})

    def save(self, path: Path) -> None:
        """Write atomically: a crash mid-write leaves the previous file intact."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)


TLS_MODES = ("disable", "require", "verify-full")
#: The OS credential store's service name for team server passwords.
KEYRING_SERVICE = "Desktop Helpdesk"


@dataclass(frozen=True)
class TeamServer:
    """Where a desk finds the team server (PostgreSQL). Never holds the password."""

    host: str
    database: str
    user: str
    port: int = 5432
    tls_mode: str = "disable"  # one of TLS_MODES (libpq's sslmode)
    ca_file: str = ""  # the CA certificate checked with verify-full
    remember_password: bool = True

    @classmethod
    def from_dict(cls, raw: dict) -> TeamServer | None:
        """The saved choice, or None when there is none or it is unusable (logged)."""
        if not raw:
            return None
        try:
            server = cls(host=str(raw["host"]).strip(), database=str(raw["database"]).strip(),
                         user=str(raw["user"]).strip(), port=int(raw.get("port", 5432)),
                         tls_mode=str(raw.get("tls_mode", "disable")), ca_file=str(raw.get("ca_file", "")),
                         remember_password=bool(raw.get("remember_password", True)))
        except (KeyError, TypeError, ValueError):
            log.warning("the saved team server choice is incomplete; using the local database file")
            return None
        if not (server.host and server.database and server.user) or server.tls_mode not in TLS_MODES \
                or not 0 < server.port < 65536:
            log.warning("the saved team server choice is invalid; using the local database file")
            return None
        return server

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def credential_name(self) -> str:
        """The user name under which the credential store keeps the password."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"

    @property
    def label(self) -> str:
        """What the status bar shows: never the password."""
        return f"{self.host}/{self.database}"

    def url(self, password: str | None) -> str:
        """The SQLAlchemy URL (psycopg 3), every part escaped: a password may hold @ : / % #."""
        from urllib.parse import quote, urlencode

        login = quote(self.user, safe="")
        if password:
            login += ":" + quote(password, safe="")
        host = f"[{self.host}]" if ":" in self.host else self.host
        query = {"sslmode": self.tls_mode}
        if self.tls_mode == "verify-full" and self.ca_file:
            query["sslrootcert"] = self.ca_file
        return (f"postgresql+psycopg://{login}@{host}:{int(self.port)}/{quote(self.database, safe='')}"
                f"?{urlencode(query, quote_via=quote)}")


class Credentials:
    """Team server passwords in the OS credential store (`keyring`). Each method says
    whether it worked instead of raising: a desk with no credential store (a Linux without
    a Secret Service) still works, it only asks for the password at each start."""

    def get(self, name: str) -> str | None:
        try:
            import keyring

            return keyring.get_password(KEYRING_SERVICE, name)
        except Exception as exc:  # noqa: BLE001 - no backend, a locked store, a D-Bus failure
            _store_failed("read", exc)
            return None

    def set(self, name: str, password: str) -> bool:
        try:
            import keyring

            keyring.set_password(KEYRING_SERVICE, name, password)
            return True
        except Exception as exc:  # noqa: BLE001
            _store_failed("save", exc)
            return False

    def delete(self, name: str) -> None:
        try:
            import keyring
            from keyring.errors import PasswordDeleteError

            try:
                keyring.delete_password(KEYRING_SERVICE, name)
            except PasswordDeleteError:
                pass  # nothing was stored
        except Exception as exc:  # noqa: BLE001
            _store_failed("delete", exc)


def _store_failed(what: str, exc: Exception) -> None:
    # Never the password: only what failed and the error's class.
    if type(exc).__name__ == "NoKeyringError":
        log.info("no credential store on this computer: cannot %s the team server password", what)
    else:
        log.warning("the credential store failed to %s the team server password (%s)", what, type(exc).__name__)
