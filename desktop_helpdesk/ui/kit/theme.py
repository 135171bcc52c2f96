"""The app's style and its light or dark scheme.

The native style on Windows (windows11, else windowsvista), Fusion everywhere else. The
scheme follows the system's (QStyleHints.colorScheme, live through colorSchemeChanged) unless
the user chose Light or Dark (View → Colour scheme, kept in the settings). Switching sets the
application palette, so every open window repaints in the new scheme at once, and switches
the app's own colours (ui/kit/marks.py) to their variant for that scheme.
"""

from __future__ import annotations

import sys

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

from ...i18n import N_
from . import marks

#: The choices offered, in the menu's order, with their labels.
SCHEMES = {"system": N_("Follow the &system"), "light": N_("&Light"), "dark": N_("&Dark")}


def style_name(platform: str | None = None, available: list[str] | None = None) -> str:
    """The style for this platform: the native one on Windows, Fusion elsewhere."""
    platform = sys.platform if platform is None else platform
    available = [name.lower() for name in (QStyleFactory.keys() if available is None else available)]
    if platform.startswith("win"):
        for name in ("windows11", "windowsvista"):
            if name in available:
                return name
    return "fusion"


def light_palette() -> QPalette:
    return QStyleFactory.create("Fusion").standardPalette()


def dark_palette() -> QPalette:
    """A dark palette for Fusion: the window and lists dark grey, text near white."""
    p = QPalette()
    text, colours = QColor(marks.DARK["TEXT"]), marks.DARK_WINDOW
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.ToolTipText):
        p.setColor(role, text)
    for name, colour in colours.items():
        if name != "Disabled":
            p.setColor(getattr(QPalette.ColorRole, name), QColor(colour))
    p.setColor(QPalette.ColorRole.Link, QColor(marks.DARK["ACCENT"]))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(colours["Disabled"]))
    return p


class FocusRing(QWidget):
    """A ring in the accent colour over the border of the widget that has the keyboard focus.

    Fusion shows focus faintly (a field's outline turns a little bluer: 2.3:1 against its
    unfocused look, under the 3:1 a focus indicator needs) or not at all (a list with no
    current row), and only once a key moved the focus. The ring is drawn at paint time in
    the scheme's accent (kit.marks.ACCENT, ≥ 4.5:1 on both schemes' windows), 2 px wide, just
    around the widget, drawn by the nearest ancestor with room for it (a form's row is as
    tall as its field), above the widget, following it; mouse clicks go through it.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.target: QWidget | None = None

    def set_widget(self, widget: QWidget | None) -> None:
        if self.target is not None and shiboken6.isValid(self.target):
            self.target.removeEventFilter(self)
        self.target = widget
        if widget is None:
            self.hide()
            return
        host = self._host(widget)
        if self.parentWidget() is not host:
            self.setParent(host)
        widget.installEventFilter(self)
        self._follow()

    @staticmethod
    def _host(widget: QWidget) -> QWidget:
        """The nearest ancestor with room for the ring around `widget` (a form's row is
        often exactly as tall as its field), else the window."""
        parent = widget.parentWidget()
        while not parent.isWindow():
            around = QRect(widget.mapTo(parent, QPoint(0, 0)), widget.size()).adjusted(-2, -2, 2, 2)
            if parent.rect().contains(around):
                return parent
            parent = parent.parentWidget()
        return parent

    def _follow(self) -> None:
        target = self.target
        if target is None or not target.isVisible():
            self.hide()
            return
        # Just around the widget, or over its border where the window ends there.
        host = self.parentWidget()
        place = QRect(target.mapTo(host, QPoint(0, 0)), target.size()).adjusted(-2, -2, 2, 2)
        self.setGeometry(place.intersected(host.rect()))
        self.show()
        self.raise_()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.target and event.type() in (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show,
                                                       QEvent.Type.Hide):
            self._follow()
        return False

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(marks.ACCENT), 2))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 3, 3)


class FocusRings(QObject):
    """Puts the one FocusRing on whichever widget takes the keyboard focus (a widget that
    Tab reaches and that has a parent to draw the ring in); the ring goes with the focus."""

    def __init__(self, app: QApplication, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ring: FocusRing | None = None
        app.focusChanged.connect(self._moved)

    def _moved(self, _old, new) -> None:
        if self.ring is not None and not shiboken6.isValid(self.ring):
            self.ring = None  # deleted with the window it was drawn in
        wanted = isinstance(new, QWidget) and new.parentWidget() is not None \
            and bool(new.focusPolicy() & Qt.FocusPolicy.TabFocus) and not new.isWindow()
        if not wanted:
            if self.ring is not None:
                self.ring.set_widget(None)
            return
        if self.ring is None:
            self.ring = FocusRing()
        self.ring.set_widget(new)


class Theme(QObject):
    """The app's style and scheme; `changed(dark)` after each switch."""

    changed = Signal(bool)

    def __init__(self, app: QApplication, choice: str = "system", platform: str | None = None) -> None:
        super().__init__(app)
        self.app = app
        self.choice = choice if choice in SCHEMES else "system"
        self.dark: bool | None = None
        self.native = style_name(platform) != "fusion"
        app.setStyle(style_name(platform))
        # Focus always visible: the Windows styles draw their own focus; Fusion gets a ring.
        self.focus_rings = None if self.native else FocusRings(app, self)
        app.styleHints().colorSchemeChanged.connect(self._system_changed)
        self.apply()

    def system_is_dark(self) -> bool:
        return self.app.styleHints().colorScheme() == Qt.ColorScheme.Dark

    def set_choice(self, choice: str) -> None:
        self.choice = choice if choice in SCHEMES else "system"
        self.apply()

    def _system_changed(self, _scheme) -> None:
        if self.choice == "system":
            self.apply()

    def apply(self) -> None:
        dark = self.system_is_dark() if self.choice == "system" else self.choice == "dark"
        if self.native:
            # The Windows styles draw their own light and dark from the scheme Qt is told
            # (Qt 6.8+); an application palette set here would pin one of them.
            hints = self.app.styleHints()
            if self.choice == "system" and hasattr(hints, "unsetColorScheme"):
                hints.unsetColorScheme()
            elif self.choice != "system" and hasattr(hints, "setColorScheme"):
                hints.setColorScheme(Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light)
        else:
            self.app.setPalette(dark_palette() if dark else light_palette())
        marks.use_scheme(dark)
        changed = dark != self.dark
        self.dark = dark
        if changed:
            self.changed.emit(dark)
