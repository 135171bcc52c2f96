"""What a complaint and a change request need before they are settled, from the ticket form.

* A complaint (seed 000 §2.7) is resolved only once the customer has been told the result
  and the plan: :class:`ComplaintReplyDialog` logs that reply (how, the result, the plan).
* A change request (seed 001: in writing, paid extra) holds the written request, the quote
  and the customer's approval date: :class:`ChangeRequestDialog` edits them; work on it starts
  only once approved.

:class:`RequestActions` is the row of the ticket form that opens them, shown for those two
request types on a saved ticket. The services check every rule again.
"""

from __future__ import annotations

import logging
import uuid

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain import worklog as wl
from ...domain.enums import RequestType
from ...i18n import N_, _
from ...i18n.formatting import format_date, format_vnd
from ...services import tickets, worklog
from ...services.dto import ChangeRequestData
from ...services.errors import ValidationFailed
from ..kit import retranslate
from ..kit.errors import failure_message
from ..kit.widgets import DateField, MoneyField, enum_label, error_label
from ..kit.worker import Jobs

log = logging.getLogger(__name__)


def _errors_text(exc: Exception, what: str) -> str:
    if isinstance(exc, ValidationFailed):
        return "\n".join(e.text(_) for e in exc.errors)
    return failure_message(what, exc, log)


class _RecordDialog(QDialog):
    """What the ticket form's two record windows share: an intro, a form of labelled rows, an
    error line and Save/Cancel; each window adds its rows, then :meth:`_finish`, and has its
    own ``retranslate``. Save runs :meth:`job` on the worker with the buttons off (one
    save at a time); when it is stored :attr:`saved` is emitted and the window closes, when
    it is refused the buttons come back and :meth:`failure_text` says why under the form."""

    saved = Signal()

    def __init__(self, jobs: Jobs, ticket_id: int, operator_id: int | None, size: tuple[int, int],
                 parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.jobs, self.ticket_id, self.operator_id = jobs, ticket_id, operator_id
        self.resize(*size)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.error = error_label()
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def _add_row(self, field: QWidget) -> QLabel:
        """A row of the form; its label is returned (set in retranslate)."""
        label = QLabel()
        self.form.addRow(label, field)
        return label

    def _finish(self) -> None:
        """Lay the parts out once the rows are added, and set the texts."""
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.retranslate()

    def job(self) -> tuple | None:
        """(service function, its arguments) to save, or None when the input is refused here
        (the error line then says why)."""
        raise NotImplementedError

    def failure_text(self, exc: Exception) -> str:
        raise NotImplementedError

    def save(self) -> None:
        self.error.hide()
        job = self.job()
        if job is None:
            return
        self.buttons.setEnabled(False)
        fn, *args = job
        self.jobs.submit(fn, *args, on_done=self._done, on_error=self._failed, owner=self)

    def _done(self, *_a) -> None:
        self.saved.emit()
        self.accept()

    def _failed(self, exc) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(self.failure_text(exc))
        self.error.show()


class ComplaintReplyDialog(_RecordDialog):
    """Log the reply to a complaint: how the customer was told, the result, the plan."""

    def __init__(self, jobs: Jobs, ticket_id: int, operator_id: int | None, parent: QWidget | None = None):
        super().__init__(jobs, ticket_id, operator_id, (560, 360), parent)
        self._uuid = str(uuid.uuid4())  # a retried save writes the reply once (services.once)
        self.channel = QComboBox()
        for c in wl.ReplyChannel:
            self.channel.addItem("", c.value)
        self.result_text, self.plan_text = QPlainTextEdit(), QPlainTextEdit()
        for box in (self.result_text, self.plan_text):
            box.setTabChangesFocus(True)
        self.channel_label = self._add_row(self.channel)
        self.result_label = self._add_row(self.result_text)
        self.plan_label = self._add_row(self.plan_text)
        self._finish()

    def draft(self) -> wl.WorkLogDraft:
        return wl.WorkLogDraft(kind=wl.TicketEventKind.COMPLAINT_REPLY.value, uuid=self._uuid, details={
            "channel": self.channel.currentData(), "result": self.result_text.toPlainText(),
            "plan": self.plan_text.toPlainText()})

    def job(self) -> tuple:
        return worklog.add_entry, self.ticket_id, self.operator_id, self.draft()

    def failure_text(self, exc: Exception) -> str:
        if isinstance(exc, ValidationFailed):
            names = {"result": _("Result"), "plan": _("Plan"), "channel": _("How")}
            return "\n".join(f"{names.get(e.field, e.field)}: {e.text(_)}" for e in exc.errors)
        return _errors_text(exc, N_("The reply could not be saved; nothing was written."))

    def retranslate(self) -> None:
        self.setWindowTitle(_("Reply to the complaint"))
        self.intro.setText(_("Within 72 hours of a complaint the customer is told the result and the plan. "
                             "The complaint can be resolved once this reply is logged."))
        self.channel_label.setText(_("How:"))
        self.result_label.setText(_("Result:"))
        self.plan_label.setText(_("Plan:"))
        self.result_text.setPlaceholderText(_("What was found and done"))
        self.plan_text.setPlaceholderText(_("What happens next, and when"))
        for i in range(self.channel.count()):
            self.channel.setItemText(i, enum_label(wl.ReplyChannel, self.channel.itemData(i)))


class ChangeRequestDialog(_RecordDialog):
    """The written request, the quote and the customer's approval date of a change request."""

    def __init__(self, jobs: Jobs, ticket_id: int, operator_id: int | None, current: ChangeRequestData | None,
                 parent: QWidget | None = None):
        super().__init__(jobs, ticket_id, operator_id, (600, 420), parent)
        self.request_text = QPlainTextEdit()
        self.request_text.setTabChangesFocus(True)
        self.quote = MoneyField()
        self.approved_on = DateField()
        if current is not None:
            self.request_text.setPlainText(current.request_text)
            self.quote.set_value(current.quote_vnd or 0)
            self.approved_on.set_value(current.approved_on)
        self.text_label = self._add_row(self.request_text)
        self.quote_label = self._add_row(self.quote)
        self.approved_label = self._add_row(self.approved_on)
        self._finish()

    def data(self) -> ChangeRequestData | None:
        problem = self.quote.error() or self.approved_on.error()
        if problem:
            self.error.setText(problem)
            self.error.show()
            return None
        return ChangeRequestData(self.request_text.toPlainText(), self.quote.value() or None, self.approved_on.value())

    def job(self) -> tuple | None:
        data = self.data()
        return None if data is None else (tickets.save_change_request, self.ticket_id, data, self.operator_id)

    def failure_text(self, exc: Exception) -> str:
        return _errors_text(exc, N_("The change request could not be saved; nothing was written."))

    def retranslate(self) -> None:
        self.setWindowTitle(_("Change request"))
        self.intro.setText(_("A change or addition is requested in writing and billed extra. "
                             "Work starts once the customer approves the quote."))
        self.text_label.setText(_("Written request:"))
        self.quote_label.setText(_("Quote:"))
        self.approved_label.setText(_("Approved by the customer on:"))
        self.request_text.setPlaceholderText(_("The customer's letter or e-mail, word for word"))


class RequestActions(QWidget):
    """The ticket form's row for a saved complaint or change request: what it still needs,
    and the button that records it."""

    changed = Signal()

    def __init__(self, jobs: Jobs, operator_id: int | None, parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.jobs, self.operator_id = jobs, operator_id
        self.ticket_id: int | None = None
        self.request_type = ""
        self.change_request: ChangeRequestData | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.button = QPushButton()
        self.button.clicked.connect(self.open)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.button)
        row.addWidget(self.summary, 1)
        self.dialog: QDialog | None = None
        self.retranslate()

    def applies(self) -> bool:
        return self.ticket_id is not None and self.request_type in (RequestType.COMPLAINT.value,
                                                                    RequestType.CHANGE_REQUEST.value)

    def set_ticket(self, ticket_id: int | None, request_type: str, history=()) -> None:
        self.ticket_id, self.request_type = ticket_id, request_type
        self.replies = sum(1 for h in history if h.kind == wl.TicketEventKind.COMPLAINT_REPLY.value)
        if ticket_id is not None and request_type == RequestType.CHANGE_REQUEST.value:
            self.jobs.submit(tickets.get_change_request, ticket_id, on_done=self._got_change_request, owner=self)
        self.retranslate()

    def _got_change_request(self, data) -> None:
        self.change_request = data
        self.retranslate()

    def open(self) -> None:
        if self.ticket_id is None:
            return
        if self.request_type == RequestType.COMPLAINT.value:
            self.dialog = ComplaintReplyDialog(self.jobs, self.ticket_id, self.operator_id, self)
        else:
            self.dialog = ChangeRequestDialog(self.jobs, self.ticket_id, self.operator_id, self.change_request, self)
        self.dialog.saved.connect(self._saved)
        self.dialog.open()

    def _saved(self) -> None:
        if self.request_type == RequestType.COMPLAINT.value:
            self.replies = getattr(self, "replies", 0) + 1
            self.retranslate()
        else:
            self.set_ticket(self.ticket_id, self.request_type)
        self.changed.emit()

    def retranslate(self) -> None:
        if self.request_type == RequestType.COMPLAINT.value:
            self.button.setText(_("Log the reply to the complaint…"))
            replies = getattr(self, "replies", 0)
            self.summary.setText(_("Reply logged: the complaint can be resolved.") if replies
                                 else _("No reply logged yet: the complaint cannot be resolved."))
        else:
            self.button.setText(_("Written request, quote, approval…"))
            cr = self.change_request
            if cr is None:
                self.summary.setText(_("No written request yet: work cannot start."))
            elif cr.approved_on is None or not cr.quote_vnd:
                self.summary.setText(_("Quote {quote}, not approved yet: work cannot start.").format(
                    quote=format_vnd(cr.quote_vnd) if cr.quote_vnd else "—"))
            else:
                self.summary.setText(_("Quote {quote}, approved on {date}: billed extra.").format(
                    quote=format_vnd(cr.quote_vnd), date=format_date(cr.approved_on)))
