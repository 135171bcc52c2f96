"""The Qt binding must not lose references on signal emits: PySide6 6.12.0 on Python 3.11
does, and the app aborts after a few thousand (pyproject excludes that version)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    changed = Signal(bool)


def test_emits_and_void_calls_keep_true_and_none_reference_counts(qtbot):
    emitter = _Emitter()
    emitter.changed.connect(lambda value: None)
    before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(200):
        emitter.changed.emit(True)
        emitter.blockSignals(False)
    after = sys.getrefcount(True), sys.getrefcount(None)
    assert abs(after[0] - before[0]) < 20 and abs(after[1] - before[1]) < 20


def test_an_answer_for_a_closed_window_is_dropped_not_raised(qtbot, ctx):
    """A job finishing after its window was closed must not reach a deleted Qt object (the
    user would see an "unexpected error" for a window they already closed)."""
    import threading

    from PySide6.QtWidgets import QDialog

    from desktop_helpdesk.ui.kit.worker import Jobs

    class Window(QDialog):
        answers = []

        def got(self, value):
            self.answers.append(value)
            self.setWindowTitle(str(value))  # would raise on a deleted object

    worker = Jobs(ctx)
    window = Window()
    release = threading.Event()
    worker.submit(lambda _ctx: release.wait(5) and 42, on_done=window.got)
    import shiboken6

    shiboken6.delete(window)  # the user closed it meanwhile
    release.set()
    qtbot.waitUntil(lambda: worker.pending == 0, timeout=5000)
    assert Window.answers == []
    alive = Window()
    worker.submit(lambda _ctx: 7, on_done=alive.got)
    qtbot.waitUntil(lambda: worker.pending == 0, timeout=5000)
    assert Window.answers == [7]
    worker.shutdown()
