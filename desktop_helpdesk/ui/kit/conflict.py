"""What a form shows when its save was refused because someone else saved the record first
(issue #12, "no silent overwrite, ever"): who did it and when, and a side-by-side list of the
fields whose values differ, from which the user keeps theirs or takes the saved ones."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...i18n import N_, _
from ...i18n.formatting import format_datetime
from . import retranslate


def conflict_message(exc, record: str) -> str:
    """"Lan (NV002) changed this ticket at Nov 21, 2026, 10:05 AM after you opened it; …":
    `exc` a ConcurrentEditError (its `who` and `when` may be None), `record` the translated
    noun. The time is shown in the desk's zone, formatted for the current language."""
    who = exc.who or _("Someone else")
    if exc.when is not None:
        return _("{who} changed this {record} at {time} after you opened it; nothing of yours was saved yet.").format(
            who=who, record=record, time=format_datetime(exc.when))
    return _("{who} changed this {record} after you opened it; nothing of yours was saved yet.").format(
        who=who, record=record)


class CompareDialog(QDialog):
    """Each field whose value differs: its label, the value typed here, the value saved
    meanwhile. "Keep mine" saves this window's values over theirs (on top of their version);
    "Take theirs" loads their version into the form."""

    COLUMNS = (N_("Field"), N_("Your value"), N_("Their value"))

    keep_mine = Signal()
    take_theirs = Signal()

    def __init__(self, rows: list[tuple[str, str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self, CompareDialog.retranslate)
        self.rows = rows
        self.resize(620, 320)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.table = QTableWidget(len(rows), len(self.COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.setVisible(bool(rows))
        self.buttons = QDialogButtonBox()
        self.keep_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.take_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.keep_button.clicked.connect(lambda: self._choose(self.keep_mine))
        self.take_button.clicked.connect(lambda: self._choose(self.take_theirs))
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.retranslate()

    def _choose(self, signal) -> None:
        self.accept()
        signal.emit()

    def differing_fields(self) -> list[str]:
        return [label for label, _mine, _theirs in self.rows]

    def retranslate(self) -> None:
        self.setWindowTitle(_("Compare with the saved version"))
        self.intro.setText(_("These fields differ between what you typed and the version saved meanwhile:") if self.rows
                           else _("Your values and the saved ones are the same."))
        self.table.setHorizontalHeaderLabels([_(t) for t in self.COLUMNS])
        self.keep_button.setText(_("Keep mine"))
        self.take_button.setText(_("Take theirs"))
        self.cancel_button.setText(_("Cancel"))
