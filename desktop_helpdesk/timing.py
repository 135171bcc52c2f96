"""Moments of the start-up and the quit written for a benchmark that times the real program as
a user waits (benchmarks/bench_launch.py, issue #17): only when DESKTOP_HELPDESK_TIMING names
a file, one line per moment, "<name> <seconds since the epoch>". Nothing else is written there
(no data, no names): the program's behaviour is the same with or without it."""

from __future__ import annotations

import os
import time

_PATH = os.environ.get("DESKTOP_HELPDESK_TIMING")
_seen: set[str] = set()


def mark(name: str, once: bool = True) -> None:
    """Write the moment `name` (the first time only, unless `once` is False)."""
    if not _PATH or (once and name in _seen):
        return
    _seen.add(name)
    try:
        with open(_PATH, "a", encoding="ascii") as f:
            f.write(f"{name} {time.time():.6f}\n")
    except OSError:
        pass


def enabled() -> bool:
    return bool(_PATH)
