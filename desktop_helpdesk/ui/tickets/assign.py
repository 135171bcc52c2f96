"""Assigning a ticket from the keyboard: Ctrl+Alt+A on the tickets list or in the ticket
window opens a type-ahead picker of the active operators. "Assign to me" comes first and
"Unassigned" second; typing narrows the list (case and diacritics ignored, đ matches d),
Up/Down choose, Enter assigns, Esc cancels."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.text import fold
from ...i18n import N_, _
from ...services import tickets
from ...services.errors import ValidationFailed
from ..kit import retranslate
from ..kit.errors import failure_message
from ..kit import marks
from ..kit.widgets import error_label
from ..kit.worker import Jobs

log = logging.getLogger(__name__)

#: The key that opens the picker, on the tickets list and in the ticket window (Ctrl+Shift+A
#: is the alert list's; Ctrl+Alt+letters are the tickets view's own keys, as the work log's).
ASSIGN_KEY = "Ctrl+Alt+A"

#: What an item of the list stands for.
ME, NOBODY, OPERATOR = "me", "nobody", "operator"


def assign_key_text() -> str:
    return QKeySequence(ASSIGN_KEY).toString(QKeySequence.SequenceFormat.NativeText)


def operator_label(o) -> str:
    return f"{o.full_name} ({o.code})"


class AssignPicker(QDialog):
    """Choose who gets a ticket. `chosen(assignee id or None)` says the choice; whoever
    opened the picker then assigns (and calls `done_assigning` or `fail`), or, in a form,
    sets its field (the picker then closes at once, see `close_on_choice`)."""

    chosen = Signal(object)

    def __init__(self, jobs: Jobs, me, current_id: int | None, code: str = "",
                 parent: QWidget | None = None, close_on_choice: bool = False, me_id: int | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.setObjectName("AssignPicker")
        self.jobs = jobs
        self.me = me  # the signed-in operator (OperatorData) or None
        # Or only their id (a form knows no more): found among the operators once read.
        self.me_id = me.id if me is not None else me_id
        self.current_id = current_id
        self.code = code
        self.close_on_choice = close_on_choice
        self.operators: list = []
        self.busy = False
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setUniformItemSizes(True)
        self.hint = QLabel()
        marks.set_colour(self.hint, "HINT")
        self.error = error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.hint)
        self.resize(440, 320)
        self.search.textChanged.connect(lambda *_: self._fill())
        self.search.installEventFilter(self)
        self.list.itemActivated.connect(lambda *_: self.choose())
        self.list.itemDoubleClicked.connect(lambda *_: self.choose())
        self.retranslate()
        self._fill()
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)
        jobs.submit(tickets.assignable_operators, on_done=self._got, on_error=self._load_failed, owner=self,
                    key="operators")

    # -- the list ----------------------------------------------------------------------
    def _got(self, operators) -> None:
        self.operators = list(operators)
        if self.me is None and self.me_id is not None:
            self.me = next((o for o in self.operators if o.id == self.me_id), None)
        self._fill()

    def _load_failed(self, exc: BaseException) -> None:
        self.fail(failure_message(N_("The list of operators could not be read."), exc, log))

    def _entries(self) -> list[tuple[str, int | None, str, str]]:
        """(what, operator id, label, folded words to match) of every choice, in order."""
        out = []
        if self.me is not None:
            out.append((ME, self.me.id, _("Assign to me — {name}").format(name=operator_label(self.me)),
                        fold(f"{_('Assign to me')} me {self.me.full_name} {self.me.code} {self.me.alias}")))
        out.append((NOBODY, None, _("Unassigned (nobody)"), fold(f"{_('Unassigned (nobody)')} unassigned")))
        for o in self.operators:
            team = f" · {o.team}" if o.team else ""
            out.append((OPERATOR, o.id, operator_label(o) + team, fold(f"{o.full_name} {o.code} {o.alias} {o.team}")))
        return out

    def _fill(self) -> None:
        words = fold(self.search.text()).split()
        self.list.clear()
        for what, operator_id, label, folded in self._entries():
            compact = folded.replace(" ", "")  # "ngocanh" finds Ngọc Ánh too
            if not all(w in folded or w in compact for w in words):
                continue
            if operator_id == self.current_id and what != NOBODY or (what == NOBODY and self.current_id is None):
                label = _("{choice} (now)").format(choice=label)
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, (what, operator_id))
            if what != OPERATOR:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.list.addItem(item)
        if self.list.count():
            # Typing a name picks the first operator it matches, not "Assign to me".
            first = 0
            if words:
                first = next((i for i in range(self.list.count())
                              if self.list.item(i).data(Qt.ItemDataRole.UserRole)[0] == OPERATOR), 0)
            self.list.setCurrentRow(first)

    def choices(self) -> list[str]:
        """The labels shown, in order (for tests and screen readers)."""
        return [self.list.item(i).text() for i in range(self.list.count())]

    def eventFilter(self, watched, event) -> bool:
        # The search box keeps the focus; Up, Down, Page Up and Page Down move in the list.
        if watched is self.search and event.type() == QEvent.Type.KeyPress and event.key() in (
                Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            self.list.keyPressEvent(event)
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.choose()
            return
        super().keyPressEvent(event)

    # -- choosing ------------------------------------------------------------------------
    def choose(self) -> None:
        item = self.list.currentItem()
        if item is None or self.busy:
            return
        _what, operator_id = item.data(Qt.ItemDataRole.UserRole)
        self.error.hide()
        if self.close_on_choice:
            self.chosen.emit(operator_id)
            self.accept()
            return
        self.busy = True
        self.list.setEnabled(False)
        self.chosen.emit(operator_id)

    def done_assigning(self, *_args) -> None:
        self.busy = False
        self.accept()

    def fail(self, message: str) -> None:
        """The assignment (or the list) failed: say why, keep the picker open to try again."""
        self.busy = False
        self.list.setEnabled(True)
        self.error.setText(message)
        self.error.show()
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)

    def assign_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationFailed):
            self.fail(" ".join(e.text(_) for e in exc.errors))
        else:
            self.fail(failure_message(N_("The ticket could not be assigned. Nothing was changed."), exc, log))

    def retranslate(self) -> None:
        self.setWindowTitle(_("Assign ticket {code}").format(code=self.code) if self.code else _("Assign the ticket"))
        self.search.setPlaceholderText(_("Type a name, code or team (diacritics optional)"))
        self.hint.setText(_("↑ ↓ choose · Enter assigns · Esc cancels"))
        self._fill()
