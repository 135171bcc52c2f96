"""Ownership verification (seed 002 §1): before account-level help the operator checks the
caller against the customer's stored answers. Answers are compared as salted hashes on the
worker; the window only ever says "matches" or "does not match".

Wrong answers are limited per customer (domain.verification.MAX_FAILED_ATTEMPTS an hour, on
every desk): after a wrong one the window says how many tries are left this hour; once none
are, it says until when answers are not checked, that a lead can help meanwhile, and stops
taking answers for this customer."""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
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

from ...domain.verification import MAX_FAILED_ATTEMPTS
from ...i18n import N_, _, ngettext
from ...i18n.formatting import format_clock_time
from ...services import customers
from ...services.dto import CallerQuestions, VerificationOutcome
from ..kit import retranslate
from ..kit.errors import failure_message
from ..kit import marks
from ..kit.worker import Jobs

log = logging.getLogger(__name__)

MSG_LOCKED = N_("Too many wrong answers were given for this customer in the last hour, so answers are "
                "not checked now. Try again after {time}. If the caller needs help before then, ask a lead.")
MSG_CHECK_FAILED = N_("Could not check; try again.")

#: The refusal reads as the window's banners do (kit.marks.banner_style), but its padding is
#: the label's contents margins and its bold is the label's font: a word-wrapped label counts
#: those in its height for a width, not a stylesheet's, which cut the last line off.
def locked_style() -> str:
    return f"QLabel {{ background: {marks.HIGHLIGHT}; color: {marks.WARNING}; }}"


def clock_time(moment: datetime) -> str:
    """`moment` as the desk's clock reads it, to the minute, rounded up."""
    return format_clock_time(moment)


class VerifyDialog(QDialog):
    """Asks the customer's questions. With a ticket, each outcome is recorded on it at once;
    without one (a ticket being created), `outcomes` are saved with the new ticket."""

    def __init__(self, jobs: Jobs, customer_id: int, ticket_id: int | None = None,
                 operator_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.jobs = jobs
        self.customer_id = customer_id
        self.ticket_id, self.operator_id = ticket_id, operator_id
        self.outcomes: dict[int, bool] = {}
        self.rows: dict[int, tuple[QLineEdit, QPushButton, QLabel]] = {}
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.grid = QGridLayout()
        # Wrong answers left this hour, or, once none are, until when answers are refused.
        self.tries_left: int | None = None
        self.locked_until: datetime | None = None
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        bold = self.notice.font()
        bold.setBold(True)
        self.notice.setFont(bold)
        self.notice.hide()
        # When a refusal ends, the window asks again and takes answers (no need to reopen it).
        self.unlock_timer = QTimer(self)
        self.unlock_timer.setSingleShot(True)
        self.unlock_timer.timeout.connect(self.recheck_lock)
        self.finished.connect(self.unlock_timer.stop)  # closed: nothing left to re-enable
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.accept)
        # Enter in an answer checks that answer (returnPressed) and nothing else: as the
        # dialog's default button, Close took the same Enter and shut the window while the
        # answer was still being checked, so its outcome missed the ticket. Esc still closes.
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.grid)
        layout.addWidget(self.notice)
        layout.addStretch()
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.questions = None
        jobs.submit(customers.questions_to_ask, customer_id, on_done=self._show_questions)
        self.retranslate()

    def _show_questions(self, asked: CallerQuestions) -> None:
        self.questions = list(asked.questions)
        self.locked_until = asked.locked_until
        self._note_tries_left(asked)
        for r, q in enumerate(self.questions):
            answer, check, result = QLineEdit(), QPushButton(), QLabel()
            check.setAutoDefault(False)
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
        self._show_lock()
        self._fit()
        self._focus_first_answer()
        self.retranslate()

    @property
    def refused(self) -> bool:
        """Whether answers for this customer are refused now (too many wrong ones)."""
        return self.locked_until is not None

    def _show_lock(self) -> None:
        """Stop taking answers while refused: the service would refuse each one anyway."""
        for answer, check, _result in self.rows.values():
            answer.setEnabled(not self.refused)
            check.setEnabled(not self.refused)
            if self.refused:
                answer.clear()
        if self.refused:
            wait = (self.locked_until - self.jobs.ctx.now()).total_seconds() + 1
            self.unlock_timer.start(int(min(max(wait, 1), 2 * 3600) * 1000))
        else:
            self.unlock_timer.stop()
        self._show_notice()

    def recheck_lock(self) -> None:
        """Ask again whether this customer's answers are refused (the refusal's end is past)."""
        self.jobs.submit(customers.questions_to_ask, self.customer_id, on_done=self._lock_rechecked, owner=self)

    def _note_tries_left(self, asked: CallerQuestions) -> None:
        # Wrong answers given this hour already (maybe on another desk): say so before asking.
        self.tries_left = asked.tries_left if asked.tries_left < MAX_FAILED_ATTEMPTS else None

    def _lock_rechecked(self, asked: CallerQuestions) -> None:
        self.locked_until = asked.locked_until
        self._note_tries_left(asked)
        self._show_lock()
        self._focus_first_answer()

    def _focus_first_answer(self) -> None:
        """The operator types the first answer at once. Once the new fields are shown (Qt
        shows widgets added to an open window a moment later, and a hidden one takes no focus)."""
        if self.rows and not self.refused:
            first = next(iter(self.rows.values()))[0]
            QTimer.singleShot(0, first, lambda: first.setFocus(Qt.FocusReason.OtherFocusReason))

    def _show_notice(self) -> None:
        if self.refused:
            self.notice.setText(_(MSG_LOCKED).format(time=clock_time(self.locked_until)))
            marks.set_style(self.notice, locked_style)
            self.notice.setContentsMargins(10, 6, 10, 6)
        elif self.tries_left is not None:
            self.notice.setText(ngettext("{count} try left this hour for this customer.",
                                         "{count} tries left this hour for this customer.",
                                         self.tries_left).format(count=self.tries_left))
            marks.set_colour(self.notice, "WARNING")
            self.notice.setContentsMargins(0, 0, 0, 0)
        self.notice.setVisible(self.refused or self.tries_left is not None)
        self._fit()

    def _fit(self) -> None:
        """Grow to show what arrived (the questions, a notice): the window was sized before.
        Never shrinks below what the operator made it. Once the layout has taken in what
        changed (a label just shown still counts as empty until then)."""
        if self.isVisible():
            QTimer.singleShot(0, self, self._grow)

    def _grow(self) -> None:
        layout = self.layout()
        height = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else 0
        if height > self.height():
            self.resize(self.width(), height)

    def check(self, question_id: int) -> None:
        answer, check, result = self.rows[question_id]
        if self.refused or not answer.text().strip():
            return  # nothing said yet: a blank is not a wrong answer, and the history keeps every check
        check.setEnabled(False)

        def done(outcome: VerificationOutcome) -> None:
            if outcome.matched is not None:
                self.outcomes[question_id] = outcome.matched
                self._show_result(result, outcome.matched)
                if not outcome.matched:
                    self.tries_left = outcome.tries_left
            check.setEnabled(True)
            answer.clear()
            self.locked_until = outcome.locked_until
            self._show_lock()

        def failed(exc: BaseException) -> None:
            check.setEnabled(True)  # the answer stays typed: try again
            result.setText(failure_message(MSG_CHECK_FAILED, exc, log))
            marks.set_colour(result, "ERROR")

        self.jobs.submit(customers.verify_answer, question_id, answer.text(), self.ticket_id, self.operator_id,
                         on_done=done, on_error=failed, owner=self)

    @staticmethod
    def _show_result(label: QLabel, ok: bool | None) -> None:
        if ok is None:
            label.setText("")
            return
        label.setText(("✔ " + _("Matches")) if ok else ("✘ " + _("Does not match")))
        marks.set_colour(label, "OK" if ok else "ERROR", "font-weight: bold;")

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
        self._show_notice()
