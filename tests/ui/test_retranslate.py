"""The retranslate registry: registered widgets follow a language switch; a widget that is
gone (its dialog closed and deleted, its last reference dropped) is dropped, not called."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QVBoxLayout

from desktop_helpdesk.i18n import _
from desktop_helpdesk.ui.kit import retranslate
from desktop_helpdesk.ui.kit.qt_i18n import LanguageSwitcher
from desktop_helpdesk.ui.kit.widgets import DateField


class Greeting(QDialog):
    def __init__(self):
        super().__init__()
        retranslate.register(self)
        self.calls = 0
        self.label = QLabel()
        QVBoxLayout(self).addWidget(self.label)
        self.retranslate()

    def retranslate(self) -> None:
        self.calls += 1
        self.label.setText(_("Cancel"))


class LoudGreeting(Greeting):
    def retranslate(self) -> None:
        super().retranslate()
        self.label.setText(self.label.text().upper())


@pytest.fixture
def switcher(translator):
    switcher = LanguageSwitcher(QApplication.instance(), translator)
    yield switcher
    switcher.set_language("en")


def test_registered_widgets_follow_the_switch_through_their_own_override(switcher, qtbot):
    plain, loud, date = Greeting(), LoudGreeting(), DateField()
    for w in (plain, loud, date):
        qtbot.addWidget(w)
    switcher.set_language("vi")
    assert (plain.label.text(), loud.label.text(), date.placeholderText()) == ("Hủy", "HỦY", "nn/tt/nnnn")
    switcher.set_language("en")
    assert (plain.label.text(), loud.label.text(), date.placeholderText()) == ("Cancel", "CANCEL", "dd/mm/yyyy")
    assert plain.calls == 3  # built, then once per switch: registering twice would call twice


def test_a_closed_and_deleted_dialog_is_dropped_and_the_switch_goes_on(switcher, qtbot):
    import shiboken6

    kept = Greeting()
    qtbot.addWidget(kept)
    closed = Greeting()
    closed.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    closed.show()
    closed.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(closed)  # the Python object lives on, its Qt object is gone
    switcher.set_language("vi")
    assert kept.label.text() == "Hủy"
    assert all(w is not closed for w in retranslate.registered())


def test_the_registry_keeps_no_widget_alive(switcher):
    gone = Greeting()
    alive = weakref.ref(gone)
    del gone
    gc.collect()
    assert alive() is None  # the registry held it only weakly
    switcher.set_language("vi")  # and the switch does not trip over it


@pytest.mark.allow_log_errors
def test_one_broken_widget_does_not_leave_the_others_in_the_old_language(switcher, qtbot, caplog):
    broken, fine = Greeting(), Greeting()
    qtbot.addWidget(broken)
    qtbot.addWidget(fine)
    retranslate.register(broken, lambda w: 1 / 0)
    switcher.set_language("vi")
    assert fine.label.text() == "Hủy"
    assert "cannot retranslate Greeting" in caplog.text


def test_no_widget_catches_language_change_itself():
    """One registry: a widget registers instead of overriding changeEvent for LanguageChange."""
    ui = Path(retranslate.__file__).resolve().parents[1]
    catching = [str(p.relative_to(ui)) for p in ui.rglob("*.py") if "Type.LanguageChange" in p.read_text(encoding="utf-8")]
    assert catching == []
