"""Holding a long job at a progress report, so that a test presses Cancel while it runs."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt


def hold_first_report(relay, when=lambda done, total: True) -> threading.Event:
    """Holds the worker at the first progress report of `relay` that `when` accepts until the
    returned event is set. The GUI still gets that report (the relay's own connections come
    first and are queued); this slot runs on the worker thread."""
    go, held = threading.Event(), []

    def on_worker(done, total):
        if not held and when(done, total):
            held.append((done, total))
            go.wait(5)

    relay.progressed.connect(on_worker, Qt.ConnectionType.DirectConnection)
    return go
