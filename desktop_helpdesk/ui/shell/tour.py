"""The first-start tour (issue #19): four short steps over what a new operator uses first
(caller lookup, new ticket, the clocks, the dashboard), in the user's language, skippable,
shown once (Help → Take the tour shows it again)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...i18n import N_, _
from ..kit import icons, marks, retranslate

#: Each step: its icon (kit.icons), its title and its text (N_(), translated when shown).
STEPS = (
    ("lookup", N_("Caller lookup – F2"),
     N_("When the phone rings, press F2 and type the caller's number, customer code or tax code. "
        "The customer, their cover and their open tickets show at once.")),
    ("new_ticket", N_("New ticket – Ctrl+N"),
     N_("Ctrl+N opens a ticket; from the caller lookup it is filled with the customer and contact. "
        "Ctrl+Alt+C logs a call on the ticket you have chosen.")),
    ("tickets", N_("The clocks"),
     N_("Each ticket counts its SLA time: ● running, ▲ at risk, ✖ breached, ‖ paused, ✔ met. "
        "The mark and the words tell the state, not only the colour.")),
    ("dashboard", N_("The dashboard"),
     N_("The dashboard shows what is late or due soon for everyone, a team or one operator. "
        "Ctrl+D brings it back from anywhere.")),
)


class Tour(QDialog):
    """The steps one after another; `finished_tour` when skipped or done (either way: seen)."""

    finished_tour = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("first_start_tour")
        self.step = 0
        self.icon = QLabel()
        self.icon.setFixedSize(QSize(56, 56))
        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setMinimumWidth(420)
        self.counter = QLabel()
        marks.set_colour(self.counter, "MUTED")
        self.skip_button = QPushButton()
        self.back_button = QPushButton()
        self.next_button = QPushButton()
        self.next_button.setDefault(True)
        self.skip_button.clicked.connect(self.finish)
        self.back_button.clicked.connect(lambda: self.show_step(self.step - 1))
        self.next_button.clicked.connect(self.advance)
        top = QHBoxLayout()
        top.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        words.addWidget(self.title)
        words.addWidget(self.text, 1)
        top.addLayout(words, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.counter)
        buttons.addStretch(1)
        for b in (self.skip_button, self.back_button, self.next_button):
            buttons.addWidget(b)
        column = QVBoxLayout(self)
        column.addLayout(top, 1)
        column.addLayout(buttons)
        retranslate.register(self)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Welcome to Desktop Helpdesk"))
        self.skip_button.setText(_("&Skip the tour"))
        self.back_button.setText(_("&Back"))
        self.show_step(self.step)

    def show_step(self, step: int) -> None:
        self.step = max(0, min(step, len(STEPS) - 1))
        icon, title, text = STEPS[self.step]
        self.icon.setPixmap(icons.icon(icon).pixmap(QSize(48, 48), self.devicePixelRatioF()))
        self.title.setText(_(title))
        self.text.setText(_(text))
        self.counter.setText(_("Step {step} of {count}").format(step=self.step + 1, count=len(STEPS)))
        self.back_button.setEnabled(self.step > 0)
        last = self.step == len(STEPS) - 1
        self.next_button.setText(_("&Start working") if last else _("&Next"))
        self.skip_button.setVisible(not last)

    def advance(self) -> None:
        if self.step == len(STEPS) - 1:
            self.finish()
        else:
            self.show_step(self.step + 1)

    def finish(self) -> None:
        self.finished_tour.emit()
        self.accept()

    def reject(self) -> None:  # Esc or the window's close button: skipped, seen all the same
        self.finished_tour.emit()
        super().reject()
