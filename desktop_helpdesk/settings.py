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
    operator_code: str = ""
    last_view: str = "dashboard"
    do_not_disturb: bool = False
    export_dir: str = ""  # the folder of the last export
    window_geometry: str = ""
    window_state: str = ""
    header_states: dict = field(default_factory=dict)
    splitter_states: dict = field(default_factory=dict)

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
