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
