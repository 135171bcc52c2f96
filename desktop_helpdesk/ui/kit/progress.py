"""Progress of long work: a relay that carries a worker thread's progress to the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class ProgressRelay(QObject):
    """Carries progress from the worker thread to the GUI thread (a queued signal)."""

    progressed = Signal(int, int)
