"""Merging a duplicate customer into the one to keep, archiving and restoring a customer
(issue #14), and how a customer's own history and standing read.

The merge window names both customers and counts what moves before anything is written;
the counts and the two versions are read together, so a customer changed by a colleague
after that read is refused (and read again) instead of merged over their change."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import ConcurrentEditError, NotFoundError
from ...domain.vietnam import desk_today
from ...i18n import N_, _, ngettext
from ...i18n.formatting import format_date, format_datetime
from ...services import customers
from ...services.errors import ValidationFailed
from ..kit import retranslate
from ..kit.conflict import conflict_message
from ..kit.errors import failure_message
from ..kit import marks
from ..kit.marks import banner_style
from ..kit.widgets import CustomerPicker
from ..kit.worker import Jobs

log = logging.getLogger(__name__)


def other_customers(excluded_id: int, ctx, text: str):
    """The customers a merge may keep: the pickers' choices (archived ones are not offered)
    without the duplicate itself."""
    return [c for c in customers.customer_choices(ctx, text) if c.id != excluded_id]


def moves_text(moves) -> str:
    """ "2 contacts, 1 contract (with 3 obligations), 4 tickets (1 open), 1 verification question"
    (obligations and questions only when there are some)."""
    parts = [ngettext("{count} contact", "{count} contacts", moves.contacts).format(count=moves.contacts),
             ngettext("{count} contract", "{count} contracts", moves.contracts).format(count=moves.contracts)]
    if moves.obligations:
        parts[-1] += " " + ngettext("(with {count} obligation)", "(with {count} obligations)",
                                    moves.obligations).format(count=moves.obligations)
    tickets = ngettext("{count} ticket", "{count} tickets", moves.tickets).format(count=moves.tickets)
    if moves.open_tickets:
        tickets += " " + _("({count} open)").format(count=moves.open_tickets)
    parts.append(tickets)
    if moves.questions:
        parts.append(ngettext("{count} verification question", "{count} verification questions",
                              moves.questions).format(count=moves.questions))
    return ", ".join(parts)


def refusal_text(exc: BaseException, record: str = "") -> str:
    """Why a merge, an archive or a restore was not done, in the user's language."""
    if isinstance(exc, ValidationFailed):
        return " ".join(e.text(_) for e in exc.errors)
    if isinstance(exc, ConcurrentEditError):
        return conflict_message(exc, record or _("customer"))
    if isinstance(exc, NotFoundError):
        return _("This record no longer exists; nothing was saved.")
    return failure_message(N_("The customer could not be changed; nothing was written."), exc, log)


def standing_text(details) -> str:
    """ "Merged into KH00001 – …" / "Archived on 07/12/2026", or "" for a customer in use."""
    if details.merged_into is not None:
        text = _("Merged into {code} – {name}").format(code=details.merged_into.code, name=details.merged_into.name)
        return f"{text} ({format_date(desk_today(details.archived_at))})" if details.archived_at else text
    if details.archived_at is not None:
        return _("Archived on {date}").format(date=format_date(desk_today(details.archived_at)))
    return ""


def history_line(entry) -> str:
    """One entry of a customer's own history, in the current language."""
    if entry.kind == "merged" and entry.field == "merged_from":
        text = _("Merged in: {code} – {name}").format(code=entry.new_value, name=entry.body)
    elif entry.kind == "merged":
        text = _("Merged into {code} – {name}").format(code=entry.new_value, name=entry.body)
    elif entry.kind == "archived":
        text = _("Archived")
    elif entry.kind == "restored":
        text = _("Restored")
    else:
        text = entry.kind
    return " · ".join(x for x in (format_datetime(entry.occurred_at), entry.operator, text) if x)


class MergeDialog(QDialog):
    """Merge the selected customer (the duplicate) into another one chosen by typing part of
    its name, code, phone or tax code. What moves is read and shown before Merge is enabled."""

    #: The merge was done: (the id of the customer kept)
    merged = Signal(int)

    def __init__(self, jobs: Jobs, duplicate, operator: Callable[[], object] = lambda: None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.jobs = jobs
        self.duplicate = duplicate  # a CustomerRow (or anything with id, code and name)
        self.operator = operator
        self.preview = None
        self._merging = False
        self.resize(560, 300)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.picker = CustomerPicker(jobs, partial(other_customers, duplicate.id))
        self.picker.customer_changed.connect(self._picked)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        marks.set_colour(self.warning, "HINT")
        self.status = QLabel()
        self.status.setWordWrap(True)
        marks.set_style(self.status, lambda: marks.ERROR_STYLE)
        self.status.hide()
        self.buttons = QDialogButtonBox()
        self.merge_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.merge_button.setEnabled(False)
        self.merge_button.setAutoDefault(False)
        self.buttons.accepted.connect(self.merge)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.picker)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.warning)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.picker.setFocus()
        self.retranslate()

    # -- choosing ----------------------------------------------------------------------
    def choose(self, customer_id: int, label: str) -> None:
        """Choose the customer to keep (as picking it from the list does)."""
        self.picker.set_customer(customer_id, label)

    def _picked(self, customer_id) -> None:
        self.preview = None
        self.status.hide()
        self._show_summary()
        if customer_id is not None:
            self._read_preview(customer_id)

    def _read_preview(self, customer_id: int) -> None:
        self.jobs.submit(customers.merge_preview, customer_id, self.duplicate.id, on_done=self._got_preview,
                         on_error=self._failed, owner=self, key="preview")

    def _got_preview(self, preview) -> None:
        if preview.keep.id != self.picker.customer_id:
            return  # another customer was picked meanwhile
        self.preview = preview
        self._show_summary()

    def _show_summary(self) -> None:
        p = self.preview
        self.merge_button.setEnabled(p is not None and not self._merging)
        if p is None:
            self.summary.setText(_("Choose the customer to keep: type part of its name, code, phone or tax code.")
                                 if self.picker.customer_id is None else _("Reading what would move…"))
            return
        self.summary.setText("\n\n".join([
            _("Keep: {code} – {name}").format(code=p.keep.code, name=p.keep.name),
            _("Moves from {code} – {name}: {moves}.").format(code=p.duplicate.code, name=p.duplicate.name,
                                                          moves=moves_text(p.moves)),
            _("The kept customer's empty tax code, phone, e-mail, address and province are filled from "
              "{code}; its notes are added. {code} stays, archived, marked as merged into {keep}.").format(
                code=p.duplicate.code, keep=p.keep.code),
        ]))

    # -- merging -----------------------------------------------------------------------
    def merge(self) -> None:
        p = self.preview
        if p is None or self._merging:
            return
        self._merging = True
        self.merge_button.setEnabled(False)
        self.status.hide()
        operator = self.operator()
        self.jobs.submit(customers.merge_customers, p.keep.id, p.keep_version, p.duplicate.id, p.duplicate_version,
                         getattr(operator, "id", None), on_done=self._merged, on_error=self._merge_failed)

    def _merged(self, keep_id) -> None:
        self._merging = False
        self.merged.emit(keep_id)
        self.accept()

    def _merge_failed(self, exc: BaseException) -> None:
        self._merging = False
        self._failed(exc)
        if isinstance(exc, ConcurrentEditError) and self.picker.customer_id is not None:
            # What is shown again is what a second Merge would do: read it afresh.
            self.preview = None
            self._read_preview(self.picker.customer_id)
        self._show_summary()

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(refusal_text(exc))
        self.status.show()

    def reject(self) -> None:
        if not self._merging:  # the answer decides, as a form's save
            super().reject()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Merge into another customer"))
        self.intro.setText(_("Merge {code} – {name} into the customer to keep. Its contacts, contracts, tickets and "
                             "verification questions move there; the history of each says so.").format(
            code=self.duplicate.code, name=self.duplicate.name))
        self.picker.setPlaceholderText(_("Customer to keep: name, code, phone or tax code"))
        self.warning.setText(_("A merge cannot be undone."))
        self.merge_button.setText(_("&Merge"))
        self.cancel_button.setText(_("Cancel"))
        self._show_summary()


def banner_label() -> QLabel:
    """The strip that says a customer is archived or merged (hidden while it is not)."""
    label = QLabel()
    label.setStyleSheet(banner_style())
    label.setWordWrap(True)
    label.hide()
    return label
