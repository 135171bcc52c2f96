"""Ownership verification (seed 002 §1): before account-level help the operator checks the
caller against the customer's stored answers. Answers are compared as salted hashes on the
worker; the window only ever says "matches" or "does not match"."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...i18n import _
from ...services import customers
from ..kit import retranslate
from ..kit.marks import ERROR_STYLE, OK_STYLE
from ..kit.worker import Jobs

log = logging.getLogger(__name__)


class VerifyDialog(QDialog):
    """Asks the customer's questions. With a ticket, each outcome is recorded on it at once;
    without one (a ticket being created), `outcomes` are saved with the new ticket."""

    def __init__(self, jobs: Jobs, customer_id: int, ticket_id: int | None = None,
                 operator_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.jobs = jobs
        self.ticket_id, self.operator_id = ticket_id, operator_id
        self.outcomes: dict[int, bool] = {}
        self.rows: dict[int, tuple[QLineEdit, QPushButton, QLabel]] = {}
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.grid = QGridLayout()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.grid)
        layout.addStretch()
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.questions = None
        jobs.submit(customers.verification_questions, customer_id, on_done=self._show_questions)
        self.retranslate()

    def _show_questions(self, questions) -> None:
        self.questions = list(questions)
        for r, q in enumerate(self.questions):
            answer, check, result = QLineEdit(), QPushButton(), QLabel()
            answer.setEchoMode(QLineEdit.EchoMode.Password)  # the caller's answer is not shown around
            answer.returnPressed.connect(lambda qid=q.id: self.check(qid))
            check.clicked.connect(lambda _c=False, qid=q.id: self.check(qid))
            question = QLabel(q.question)
            question.setTextFormat(Qt.TextFormat.PlainText)  # typed by staff: never read as HTML
            self.grid.addWidget(question, r * 2, 0, 1, 3)
            self.grid.addWidget(answer, r * 2 + 1, 0)
            self.grid.addWidget(check, r * 2 + 1, 1)
            self.grid.addWidget(result, r * 2 + 1, 2)
            self.rows[q.id] = (answer, check, result)
        self.retranslate()

    def check(self, question_id: int) -> None:
        answer, check, result = self.rows[question_id]
        if not answer.text().strip():
            return  # nothing said yet: a blank is not a wrong answer, and the history keeps every check
        check.setEnabled(False)

        def done(ok: bool) -> None:
            self.outcomes[question_id] = ok
            check.setEnabled(True)
            answer.clear()
            self._show_result(result, ok)

        def failed(exc: BaseException) -> None:
            log.error("cannot check the caller's answer", exc_info=exc)
            check.setEnabled(True)  # the answer stays typed: try again
            result.setText(_("Could not check; try again."))
            result.setStyleSheet(ERROR_STYLE)

        self.jobs.submit(customers.verify_answer, question_id, answer.text(), self.ticket_id, self.operator_id,
                         on_done=done, on_error=failed, owner=self)

    @staticmethod
    def _show_result(label: QLabel, ok: bool | None) -> None:
        if ok is None:
            label.setText("")
            return
        label.setText(("✔ " + _("Matches")) if ok else ("✘ " + _("Does not match")))
        label.setStyleSheet(f"{OK_STYLE if ok else ERROR_STYLE} font-weight: bold;")

    def summary(self) -> str:
        if not self.outcomes:
            return ""
        matched = sum(self.outcomes.values())
        return _("Caller verified: {matched} of {asked} answers match").format(matched=matched, asked=len(self.outcomes))

    def retranslate(self) -> None:
        self.setWindowTitle(_("Verify the caller"))
        if self.questions is not None and not self.questions:
            self.intro.setText(_("This customer has no verification questions yet. Add them in the customer's window."))
        else:
            self.intro.setText(_("Ask the caller each question and type what they say. Only whether it matches is shown and recorded, never the answer."))
        for qid, (answer, check, result) in self.rows.items():
            check.setText(_("Check"))
            answer.setPlaceholderText(_("What the caller says"))
            self._show_result(result, self.outcomes.get(qid))
