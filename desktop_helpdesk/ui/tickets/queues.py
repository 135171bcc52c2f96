"""The ticket queues at the top of the tickets view: My tickets, Unassigned, My team, All, each
with how many tickets it holds, chosen with a click or Alt+1…Alt+4 (Ctrl+1… switch views)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QToolButton, QWidget

from ...i18n import N_, _
from ...i18n.formatting import format_number
from ..kit import retranslate

#: (key, title, shortcut) in the order shown.
QUEUES = (
    ("mine", N_("My tickets"), "Alt+1"),
    ("unassigned", N_("Unassigned"), "Alt+2"),
    ("team", N_("My team"), "Alt+3"),
    ("all", N_("All"), "Alt+4"),
)
QUEUE_KEYS = tuple(key for key, _title, _shortcut in QUEUES)


class QueueBar(QWidget):
    """A row of exclusive buttons, one per queue. `queue_chosen(key)` when the user picks one."""

    queue_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.setObjectName("TicketQueues")
        self.queue = "all"
        self.counts: dict[str, int] = {}
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QToolButton] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        for key, _title, _shortcut in QUEUES:
            b = QToolButton()
            b.setCheckable(True)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            b.clicked.connect(lambda _c=False, k=key: self._clicked(k))
            self.group.addButton(b)
            self.buttons[key] = b
            row.addWidget(b)
        row.addStretch()
        self.buttons[self.queue].setChecked(True)
        self.retranslate()

    def install_shortcuts(self, scope: QWidget) -> None:
        """Alt+1…Alt+4 anywhere in `scope` (the tickets view)."""
        for key, _title, shortcut in QUEUES:
            QShortcut(QKeySequence(shortcut), scope, activated=lambda k=key: self._clicked(k),
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _clicked(self, key: str) -> None:
        self.set_queue(key)
        self.queue_chosen.emit(key)

    def set_queue(self, key: str) -> None:
        """Show `key` as chosen (no signal)."""
        self.queue = key if key in QUEUE_KEYS else "all"
        self.buttons[self.queue].setChecked(True)

    def set_counts(self, counts: dict[str, int] | None) -> None:
        self.counts = dict(counts or {})
        self.retranslate()

    def retranslate(self) -> None:
        for key, title, shortcut in QUEUES:
            text = _(title)
            if key in self.counts:
                text = f"{text} ({format_number(self.counts[key])})"
            b = self.buttons[key]
            b.setText(text)
            b.setToolTip(_("{queue} ({key})").format(
                queue=_(title), key=QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)))
