from __future__ import annotations

from datetime import datetime, timezone

import pytest

from desktop_helpdesk.db.engine import open_database
from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.services import catalog
from desktop_helpdesk.services.context import Author, make_context
from desktop_helpdesk.settings import Settings


FIXED_NOW = datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)  # 10:00 in Hà Nội


class Desk:
    """One run of the app against a database file: its context, job runner and main window.
    `now` is the clock every part reads (a fixed time unless a test passes its own clock)."""

    def __init__(self, qtbot, db_url, settings_path, demo=False, now=None):
        from desktop_helpdesk.ui.kit.worker import Jobs
        from desktop_helpdesk.ui.shell.mainwindow import MainWindow

        self.qtbot = qtbot
        self.engine, _ = open_database(db_url)
        # A fixed clock: entitlement and countdowns do not depend on the day the tests run.
        clock = now or (lambda: FIXED_NOW)
        # Saves are signed as the app signs them: the desk's name, then its operator.
        self.author = Author(desk="desk")
        self.ctx = make_context(uow_factory(self.engine, clock, who=self.author), clock)  # one clock: the history's times too
        if demo:
            from desktop_helpdesk.services.demo import load_demo

            load_demo(self.ctx)
        self.jobs = Jobs(self.ctx)
        self.settings = Settings.load(settings_path)
        operators = catalog.operators(self.ctx)
        self.author.set_operator(operators[0] if operators else None)
        self.window = MainWindow(self.jobs, self.settings, lambda: self.settings.save(settings_path),
                                 operators[0] if operators else None, str(db_url))
        qtbot.addWidget(self.window)
        self.window.show()
        self.idle()

    def idle(self):
        self.qtbot.waitUntil(lambda: self.jobs.pending == 0, timeout=10_000)

    def close(self):
        import shiboken6

        self.idle()
        if shiboken6.isValid(self.window):  # qtbot may already have closed it
            self.window.close()
        # A form the test left open keeps its timers until qtbot deletes it; one that fires in
        # a later test asks the shut-down runner, which starts nothing (as when the app quits).
        self.jobs.shutdown()
        self.engine.dispose()


def _reads_fixed_now(now) -> bool:
    """Whether a desk's clock reads FIXED_NOW until the test moves it (so the demo it would
    load at opening is the session's demo template). Only the default clock and a
    `tests.factories.Clock` set to FIXED_NOW are known to; any other clock loads its own."""
    from tests.factories import Clock

    return now is None or (type(now) is Clock and now.now == FIXED_NOW)


@pytest.fixture
def open_desk(qtbot, test_db, tmp_path, translator, templates):
    """Opens a desk on the test's database. The first opening copies a session template
    into place (the migrated one, or with demo=True the one with the demo loaded at
    FIXED_NOW, when the desk's clock reads FIXED_NOW); reopening finds the database there."""
    desks = []

    def make(demo=False, now=None):
        if not test_db.exists():
            if demo and _reads_fixed_now(now):
                test_db.install("demo", FIXED_NOW)
                demo = False  # already in the copy, as Desk would have loaded it (see Templates.demo)
            else:
                test_db.install("migrated")
        desk = Desk(qtbot, test_db.url, tmp_path / "settings.json", demo, now)
        desks.append(desk)
        return desk

    yield make
    for d in desks:
        if not d.jobs.is_shut_down:
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

    from desktop_helpdesk.ui.kit.qt_i18n import LanguageSwitcher

    switcher = LanguageSwitcher(QApplication.instance(), translator)
    switcher.set_language("vi")
    yield switcher
    switcher.set_language("en")
