from __future__ import annotations

from datetime import datetime, timezone

import pytest

from desktop_helpdesk.db.engine import open_database
from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.services.helpdesk import HelpdeskService
from desktop_helpdesk.settings import Settings


FIXED_NOW = datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)  # 10:00 in Hà Nội


class Desk:
    """One run of the app against a database file: worker, service and main window."""

    def __init__(self, qtbot, db_url, settings_path, demo=False):
        from desktop_helpdesk.ui.mainwindow import MainWindow
        from desktop_helpdesk.ui.worker import DbWorker

        self.qtbot = qtbot
        self.engine, _ = open_database(db_url)
        # A fixed clock: entitlement and countdowns do not depend on the day the tests run.
        self.service = HelpdeskService(uow_factory(self.engine), now=lambda: FIXED_NOW)
        if demo:
            from desktop_helpdesk.services.demo import load_demo

            load_demo(self.service)
        self.worker = DbWorker()
        self.settings = Settings.load(settings_path)
        operators = self.service.operators()
        self.window = MainWindow(self.worker, self.service, self.settings, lambda: self.settings.save(settings_path),
                                 operators[0] if operators else None, str(db_url))
        qtbot.addWidget(self.window)
        self.window.show()
        self.idle()

    def idle(self):
        self.qtbot.waitUntil(lambda: self.worker.pending == 0, timeout=10_000)

    def close(self):
        import shiboken6

        self.idle()
        if shiboken6.isValid(self.window):  # qtbot may already have closed it
            self.window.close()
        self.worker.shutdown()
        self.engine.dispose()


@pytest.fixture
def open_desk(qtbot, db_url, tmp_path, translator):
    desks = []

    def make(demo=False):
        desk = Desk(qtbot, db_url, tmp_path / "settings.json", demo)
        desks.append(desk)
        return desk

    yield make
    for d in desks:
        if d.worker._pool._shutdown is False:
            d.close()


def type_text(widget, text: str) -> None:
    """Type like a user, Vietnamese included (QTest.keyClicks only knows ASCII keys)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus()
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0 if ord(ch) > 127 else ord(ch.upper()), Qt.KeyboardModifier.NoModifier, ch))


@pytest.fixture
def vietnamese(translator):
    """The app in Vietnamese for one test (open windows follow, as in the app), English after."""
    from PySide6.QtWidgets import QApplication

    from desktop_helpdesk.ui.qt_i18n import LanguageSwitcher

    switcher = LanguageSwitcher(QApplication.instance(), translator)
    switcher.set_language("vi")
    yield switcher
    switcher.set_language("en")
