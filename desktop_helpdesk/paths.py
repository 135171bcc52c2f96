"""The one place that asks appdirs for folders and finds bundled resources.

Works from a git checkout (editable install), and from a PyInstaller bundle, where data
sits under `sys._MEIPASS`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "DesktopHelpdesk"
APP_AUTHOR = "DesktopHelpdesk"
DB_FILENAME = "helpdesk.sqlite3"


def bundle_root() -> Path:
    """Where resources/ and translations/ live: the PyInstaller bundle, the installed
    wheel's `_data` folder (filled by setup.py's build hook), or the source checkout."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    package = Path(__file__).resolve().parent
    if (package / "_data").is_dir():
        return package / "_data"
    return package.parent


def resources_dir() -> Path:
    return bundle_root() / "resources"


def translations_dir() -> Path:
    return bundle_root() / "translations"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    config_dir: Path
    log_dir: Path

    @property
    def database_file(self) -> Path:
        return self.data_dir / DB_FILENAME

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "instance.lock"

    def ensure(self) -> None:
        for folder in (self.data_dir, self.config_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)


def app_paths(data_dir: str | Path | None = None) -> AppPaths:
    """Folders for this run. With `--data-dir`, everything (settings, logs) lives under it."""
    if data_dir is not None:
        root = Path(data_dir).expanduser().resolve()
        return AppPaths(root, root / "config", root / "logs")
    import appdirs

    return AppPaths(
        Path(appdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
        Path(appdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
        Path(appdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
    )
