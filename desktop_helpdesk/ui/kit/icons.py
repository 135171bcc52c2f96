"""The app's icons: one set, Phosphor (MIT licence), drawn from the font qtawesome ships.

Why a font and not PNGs: a glyph is drawn at the size and device pixel ratio it is asked for,
so an icon is as crisp at 200% as at 100%, and it takes the text colour of the current scheme
(light or dark) instead of a second set of files.

Every icon is asked for by what it means (`icon("new_ticket")`), never by the glyph's name, so
the set can change in one place. qtawesome is imported on the first call (nothing happens at
import) and told to use PySide6, whatever other binding is installed.

Windows bundle: qtawesome reads its fonts and their charmaps from ``qtawesome/fonts`` at run
time, so a PyInstaller build must collect that folder's data (only ``phosphor-1.3.0.ttf`` and
``phosphor-charmap-1.3.0.json`` are used); qtawesome's own hook does it when present.
"""

from __future__ import annotations

import os

from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication

#: What each icon means → the Phosphor glyph that shows it.
GLYPHS = {
    # navigation
    "dashboard": "ph.gauge",
    "customers": "ph.buildings",
    "contracts": "ph.handshake",
    "obligations": "ph.clipboard-text",
    "tickets": "ph.ticket",
    "reports": "ph.chart-bar",
    # the day's actions
    "lookup": "ph.phone-incoming",
    "new_ticket": "ph.plus-circle",
    "new_customer": "ph.user-plus",
    "new_contract": "ph.file-plus",
    "search": "ph.magnifying-glass",
    "log_call": "ph.phone-call",
    "alerts": "ph.bell",
    "alerts_unread": "ph.bell-ringing",
    "filter": "ph.funnel",
    "refresh": "ph.arrows-clockwise",
    "export": "ph.export",
    # settings and the rest
    "packages": "ph.package",
    "calendar": "ph.calendar",
    "vendor": "ph.identification-card",
    "quit": "ph.sign-out",
    "language": "ph.translate",
    "about": "ph.info",
    "tour": "ph.compass",
    "do_not_disturb": "ph.bell-slash",
    "sound": "ph.speaker-high",
    "collapse": "ph.caret-double-left",
    "expand": "ph.caret-double-right",
    "scheme_system": "ph.circle-half",
    "text_size": "ph.text-aa",
    "scheme_light": "ph.sun",
    "scheme_dark": "ph.moon",
    "database": "ph.database",
    "server": "ph.hard-drives",
    "connected": "ph.check-circle",
    "disconnected": "ph.warning-circle",
    "user": "ph.user-circle",
    # what the other parts of the shell add to the menus (team server, backups, import, laptop, sign-in)
    "backup": "ph.floppy-disk",
    "backup_settings": "ph.gear-six",
    "restore": "ph.arrow-counter-clockwise",
    "import": "ph.download-simple",
    "import_history": "ph.clock-counter-clockwise",
    "take_offline": "ph.laptop",
    "sync": "ph.cloud-arrow-up",
    "conflicts": "ph.git-merge",
    "back_online": "ph.cloud-check",
    "operators": "ph.users-three",
    "lock": "ph.lock-simple",
    "switch_operator": "ph.arrows-left-right",
    "lock_after": "ph.clock",
}

_qta = None


def _qtawesome():
    global _qta
    if _qta is None:
        os.environ["QT_API"] = "pyside6"  # qtpy: the binding the app uses, whatever the environment says
        import qtawesome

        _qta = qtawesome
    return _qta


def icon_colour() -> QColor:
    """The colour icons are drawn in: the scheme's text colour (readable in light and dark)."""
    app = QApplication.instance()
    palette = app.palette() if app is not None else QPalette()
    return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)


def icon(name: str, colour: QColor | str | None = None) -> QIcon:
    """The icon for `name` (a key of GLYPHS) in the current scheme's text colour."""
    qta = _qtawesome()
    colour = QColor(colour) if colour is not None else icon_colour()
    disabled = QColor(colour)
    disabled.setAlphaF(0.45)
    app = QApplication.instance()
    palette = app.palette() if app is not None else QPalette()
    selected = palette.color(QPalette.ColorRole.HighlightedText)  # on a selected row: its text's colour
    return qta.icon(GLYPHS[name], color=colour, color_disabled=disabled, color_selected=selected)
