"""The one retranslate registry (after Frescobaldi's ``app.translateUI``): a widget registers
once, and when the language changes every live registered widget sets its texts again.

    retranslate.register(self)                      # calls self.retranslate()
    retranslate.register(self, DateField._placeholder)  # or a function of the widget

Why not Qt's LanguageChange event: catching it needs a ``changeEvent`` override in every
widget (the fifteen identical copies this replaces) or an event filter on the application,
which runs Python for every event of every object (each paint, each mouse move) to catch one
that comes when the operator picks a language. The language changes in one place,
`qt_i18n.LanguageSwitcher`, and it calls `retranslate_all()`; Qt's own widgets (standard
buttons, line-edit menus) still follow Qt's LanguageChange as before.

Widgets are held by weak reference: the registry keeps nothing alive, and a widget whose
Python object is gone, or whose Qt object was deleted (a dialog closed with
WA_DeleteOnClose), is dropped instead of called.
"""

from __future__ import annotations

import logging
import weakref
from typing import Callable, TypeVar

import shiboken6
from PySide6.QtCore import QObject

log = logging.getLogger(__name__)

W = TypeVar("W", bound=QObject)

# id(widget) -> (weak reference, function of the widget or None for widget.retranslate())
_entries: dict[int, tuple[weakref.ref, Callable | None]] = {}


def register(widget: W, retranslate: Callable[[W], None] | None = None) -> None:
    """Call ``retranslate(widget)`` (by default ``widget.retranslate()``, so a subclass's
    override is the one called) each time the language changes, for as long as the widget
    lives. Registering a widget again replaces its function. The function must not hold the
    widget itself (a lambda over ``self`` would keep it alive): it is handed the widget."""
    key = id(widget)

    def forget(ref: weakref.ref, key: int = key) -> None:
        if key in _entries and _entries[key][0] is ref:
            del _entries[key]

    _entries[key] = (weakref.ref(widget, forget), retranslate)


def retranslate_all() -> None:
    """Set every live registered widget's texts in the current language, in the order they
    registered (a window before the widgets it builds after registering)."""
    for key, (ref, retranslate) in list(_entries.items()):
        widget = ref()
        if widget is None or not shiboken6.isValid(widget):
            _entries.pop(key, None)
            continue
        try:
            if retranslate is None:
                widget.retranslate()
            else:
                retranslate(widget)
        except Exception:  # one broken widget must not leave the others in the old language
            log.exception("cannot retranslate %s", type(widget).__name__)


def registered() -> list[QObject]:
    """The live registered widgets (for tests and diagnostics)."""
    alive = []
    for key, (ref, _retranslate) in list(_entries.items()):
        widget = ref()
        if widget is None or not shiboken6.isValid(widget):
            _entries.pop(key, None)
        else:
            alive.append(widget)
    return alive
