"""Create / edit dialogs for customers, contracts and tickets, and the operator chooser.

Each form validates as the user types: errors appear beside the field, in the user's
language, and Save stays disabled until the form is valid. Saving runs on the worker; a
rule the service still refuses (a duplicate code, a concurrent edit) is shown the same way
and nothing is written. A save refused because someone else saved the record first says who
and when, and offers to reload their version or to compare it with what was typed here."""

from __future__ import annotations

import logging
import uuid
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain import validation as v
from ...domain.errors import (
    ConcurrentEditError,
    ConnectionLost,
    DuplicateError,
    NotFoundError,
)
from ...i18n import N_, _
from ...i18n.formatting import format_date, format_vnd
from ...services.errors import ValidationFailed
from . import retranslate
from .conflict import CompareDialog, conflict_message
from .errors import failure_message
from . import marks
from .widgets import CustomerPicker, Form, MoneyField, error_label
from .worker import Jobs

log = logging.getLogger(__name__)

#: A save that lost the server before hearing whether it was written.
MSG_CONNECTION_LOST = N_("The connection to the server was lost before the save was confirmed. What you typed is kept: "
                         "press Save again once the server is back. The record will not be saved twice.")


class FormDialog(QDialog):
    """Shared behaviour: live validation, Save enabled only when valid, async save."""

    saved = Signal(int)  # the id of the saved record

    #: What the concurrent-edit message calls this record ("… changed this ticket at …").
    RECORD = N_("record")
    #: The kinds of change (services.changes) that may have changed this record: while the
    #: window is open, a save of one of them here or at a colleague's desk makes it read the
    #: record's version again (see `_may_have_changed`).
    WATCHED: tuple[str, ...] = ()
    #: How long the window gathers such news before it reads (a burst of saves: one read).
    WATCH_PAUSE_MS = 300
    #: Texts checked as they are typed by the domain's rule for stored text (length as
    #: stored, control characters): field name -> (limit, multi-line). Such fields have no
    #: maxLength: a long paste stays whole and is said too long beside the field, never cut
    #: short without a word.
    TEXT_RULES: dict[str, tuple[int, bool]] = {}

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self, FormDialog._language_changed)
        self.jobs = jobs
        self.record_id: int | None = None
        self.version: int | None = None
        # Chosen once when the window opens: every attempt of a create sends it, so Save
        # pressed again after a lost connection never writes the record twice (services.once).
        self.create_uuid = str(uuid.uuid4())
        self._saving = False
        self._attempted = False
        self._discard_confirmed = False
        self._touched: set[str] = set()
        self._user_changed = False
        self.form = Form()
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self._buttons_placed = False
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.status = error_label()
        # Shown under the status when someone else saved the record first.
        self.conflict: ConcurrentEditError | None = None
        self.conflict_bar = QWidget()
        row = QHBoxLayout(self.conflict_bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.reload_button = QPushButton()
        self.compare_button = QPushButton()
        self.reload_button.clicked.connect(self.ask_reload)
        self.compare_button.clicked.connect(self.compare)
        row.addWidget(self.reload_button)
        row.addWidget(self.compare_button)
        row.addStretch(1)
        self.conflict_bar.hide()
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.save)
        QShortcut(QKeySequence("Ctrl+Enter"), self, activated=self.save)
        jobs.changed.connect(self._may_have_changed)

    def _finish_layout(self, *extra: QWidget) -> None:
        # The fields scroll; the status line and Save/Cancel always stay in view, even on a
        # 1366×768 laptop.
        body = QWidget()
        inner = QVBoxLayout(body)
        inner.addLayout(self.form)
        for widget in extra:
            inner.addWidget(widget)
        inner.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        # The scroll area itself takes no focus: a form opens with the cursor in its first field.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.conflict_bar)
        layout.addWidget(self.buttons)
        self._watch_user_changes()
        self._watch_texts()
        self.retranslate()
        self.revalidate()

    def showEvent(self, event) -> None:
        if not self._buttons_placed:
            self._buttons_placed = True
            self._buttons_last()
        super().showEvent(event)

    def _buttons_last(self) -> None:
        """Tab reaches Save and Cancel after every field above them, as they are laid out:
        a form's own chain of its fields (setTabOrder) leaves them before what it did not
        name, such as the attachments box under the fields."""
        buttons = sorted((b for b in self.buttons.buttons() if b.focusPolicy() & Qt.FocusPolicy.TabFocus),
                         key=lambda b: b.x())
        rows = list(self.form.rows.values())
        if not buttons or not rows:
            return
        first = rows[0].field
        chain, w = [first], first.nextInFocusChain()
        while w is not None and w is not first and len(chain) < 2000:
            if self.isAncestorOf(w) and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w not in buttons \
                    and w.focusProxy() is None:
                chain.append(w)
            w = w.nextInFocusChain()
        order = chain + buttons
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

    # -- validation ------------------------------------------------------------------
    def field_errors(self) -> dict[str, str]:
        """Field name -> translated message for every current problem (override)."""
        return {}

    def text_errors(self) -> dict[str, str]:
        """Field name -> translated message for each TEXT_RULES field that breaks the rule."""
        errors = {}
        for name, (limit, multiline) in self.TEXT_RULES.items():
            row = self.form.rows.get(name)
            field = row.field if row is not None else None
            if isinstance(field, QPlainTextEdit):
                text = field.toPlainText()
            elif isinstance(field, QLineEdit):
                text = field.text()
            else:
                continue
            err = v.validate_text(name, text, limit, multiline)
            if err is not None:
                errors[name] = err.text(_)
        return errors

    def _typed_in(self, name: str) -> bool:
        """A text box of TEXT_RULES the user typed in (its modified flag: a load clears it;
        a text box has no textEdited signal to tell typing from a load)."""
        field = self.form.rows[name].field if name in self.TEXT_RULES else None
        return isinstance(field, QPlainTextEdit) and field.document().isModified()

    def revalidate(self) -> bool:
        """Check the form. Errors show beside fields the user has touched (all of them once
        Save was tried or an existing record was loaded); Save is enabled only when valid."""
        errors = {**self.text_errors(), **self.field_errors()}
        for name in self.form.rows:
            shown = self._attempted or name in self._touched or self._typed_in(name)
            self.form.set_error(name, errors.get(name) if shown else None)
        ok = not errors and not self._saving
        self.save_button.setEnabled(ok)
        return not errors

    def _watch_texts(self) -> None:
        """The TEXT_RULES fields, checked as typed, pasted or loaded (a field also given to
        _watch is checked twice, which costs nothing)."""
        for name in self.TEXT_RULES:
            field = self.form.rows[name].field if name in self.form.rows else None
            if isinstance(field, QLineEdit):
                field.textEdited.connect(lambda *_a, n=name: self._touch(n))
                field.textChanged.connect(self.revalidate)
            elif isinstance(field, QPlainTextEdit):  # shown once typed in: see _typed_in
                field.textChanged.connect(self.revalidate)

    def _watch(self, *widgets: QWidget) -> None:
        names = {row.field: name for name, row in self.form.rows.items()}
        for w in widgets:
            touch = (lambda *_a, n=names.get(w): self._touch(n))
            if isinstance(w, QLineEdit):
                w.textEdited.connect(touch)
                w.textChanged.connect(self.revalidate)
            elif isinstance(w, QComboBox):
                w.currentIndexChanged.connect(self.revalidate)
            elif isinstance(w, QPlainTextEdit):
                w.textChanged.connect(touch)

    def _touch(self, name: str | None) -> None:
        if name:
            self._touched.add(name)
        self.revalidate()

    @staticmethod
    def error_text(err) -> str | None:
        return err.text(_) if err is not None else None

    # -- saving ----------------------------------------------------------------------
    def new_record_uuid(self) -> str:
        """The UUID a draft carries: this window's while it creates a record, none for an edit."""
        return self.create_uuid if self.record_id is None else ""

    def build_job(self):
        """Return (callable, args) that saves on the worker (override)."""
        raise NotImplementedError

    def save(self) -> None:
        self._attempted = True
        if self._saving or not self.revalidate():
            return
        fn, args = self.build_job()
        self._saving = True
        self.save_button.setEnabled(False)
        self.status.hide()
        self._end_conflict()
        self.jobs.submit(fn, *args, on_done=self._saved, on_error=self._failed)

    def _saved(self, record_id) -> None:
        self._saving = False
        self.record_id = record_id if isinstance(record_id, int) else self.record_id
        self.saved.emit(self.record_id or 0)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._saving = False
        if isinstance(exc, ValidationFailed):
            unplaced = []  # a rule on a value this form does not show (a received time): said below
            placed = False
            for err in exc.errors:
                name = err.field if err.field in self.form.rows else err.field.split("[")[0]
                if name in self.form.rows:
                    self.form.set_error(name, err.text(_))
                    placed = True
                elif (text := err.text(_)) not in unplaced:
                    unplaced.append(text)
            self.show_status(" ".join([_("Please correct the fields marked above."), *unplaced]) if placed
                             else " ".join(unplaced))
        elif isinstance(exc, DuplicateError):
            self.form.set_error(exc.field, _("This value is already used by another record."))
            self.show_status(_("Please correct the fields marked above."))
        elif isinstance(exc, ConcurrentEditError):
            self.conflict = exc
            self._show_conflict()
        elif isinstance(exc, NotFoundError):
            self.show_status(_("This record no longer exists; nothing was saved."))
        elif isinstance(exc, ConnectionLost):  # it may have committed: Save again is safe (new_record_uuid)
            log.info("a save did not hear back from the server (%s)", exc)
            self.show_status(_(MSG_CONNECTION_LOST))
            self.jobs.failed.emit(exc)  # the window's banner says the server is away and retries
        else:
            self.show_status(failure_message(N_("The record could not be saved; nothing was written."), exc, log))
        self.save_button.setEnabled(True)

    # -- someone else saved first ------------------------------------------------------
    def details_job(self):
        """(callable, args) reading this record's details as `load()` takes them, or None
        when the form cannot reload (override). With it, a refused save offers Reload and
        Compare."""
        return None

    def _may_have_changed(self, change) -> None:
        """Someone (at this desk or another) saved something of the kinds this record is:
        read its version again. The change feed names kinds, not records, so any of them
        counts unless the change names another record of this form's kind."""
        if self.record_id is None or self._saving or not self.WATCHED or not change.touches(*self.WATCHED):
            return
        if change.record_id is not None and change.primary in self.WATCHED and change.record_id != self.record_id:
            return
        job = self.details_job()
        if job is None:
            return
        fn, args = job
        self.jobs.submit(fn, *args, on_done=self._saved_meanwhile, on_error=lambda exc: None, owner=self,
                         key="watch", debounce_ms=self.WATCH_PAUSE_MS)

    def _saved_meanwhile(self, details) -> None:
        """A newer version was saved while this window is open: untouched, the window shows
        it at once (and says so); with something typed here, nothing is replaced and the
        window says so now, with Reload and Compare, instead of at Save."""
        if self._saving or details.version == self.version:
            return
        if not self.has_unsaved_input():
            self._apply_saved(details)
            self.show_status(_("Updated: this {record} was changed meanwhile (at another desk, or in another window).")
                             .format(record=_(self.RECORD)), error=False)
            return
        self.conflict = ConcurrentEditError("saved meanwhile", getattr(details, "changed_by", "") or None,
                                            getattr(details, "changed_at", None))
        self._show_conflict()

    def _show_conflict(self) -> None:
        can_reload = self.record_id is not None and self.details_job() is not None
        if can_reload:
            self.show_status(conflict_message(self.conflict, _(self.RECORD)))
        else:  # nothing this window can offer: the way out is to open the record again
            self.show_status(_("Someone else changed this record after you opened it. Close this window and open the record again to see their changes; nothing was saved."))
        self.conflict_bar.setVisible(can_reload)

    def _end_conflict(self) -> None:
        self.conflict = None
        self.conflict_bar.hide()

    def ask_reload(self) -> None:
        """Load their version, after asking when that drops something typed here."""
        if not self.has_unsaved_input():
            self.reload()
            return
        box = QMessageBox(QMessageBox.Icon.Question, _("Reload the saved version?"),
                          _("Load the version saved meanwhile into this window? What you typed here will be dropped."),
                          QMessageBox.StandardButton.Cancel, self)
        confirm = box.addButton(_("Reload"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        confirm.clicked.connect(self.reload)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.reload_box = box
        box.open()

    def reload(self) -> None:
        self._read_saved(self._apply_saved)

    def compare(self) -> None:
        self._read_saved(self._show_comparison)

    def _read_saved(self, then) -> None:
        job = self.details_job()
        if job is None:
            return
        fn, args = job
        self.jobs.submit(fn, *args, on_done=then, on_error=self._read_failed, owner=self, key="saved-version")

    def _read_failed(self, exc: BaseException) -> None:
        if isinstance(exc, NotFoundError):
            self._end_conflict()
            self.show_status(_("This record no longer exists; nothing was saved."))
        else:
            self.show_status(failure_message(N_("The saved version could not be read."), exc, log))

    def _apply_saved(self, details) -> None:
        """The form shows `details` (their version) and counts as untouched again; what the
        user typed outside the record's fields (a ticket's note for the history) stays."""
        self.load(details)
        for name, row in self.form.rows.items():
            if not hasattr(details.draft, name):
                continue
            if isinstance(row.field, QLineEdit):
                row.field.setModified(False)
            elif isinstance(row.field, QPlainTextEdit):
                row.field.document().setModified(False)
            self._touched.discard(name)
        self._user_changed = False
        self._end_conflict()
        self.status.hide()
        self.revalidate()

    def differences(self, details) -> list[tuple[str, str, str]]:
        """(field label, this window's value, the saved value) for each field shown in the
        form whose value differs from `details` (their version), in the form's order."""
        mine, theirs = self.draft(), details.draft
        rows = []
        for name in self.form.rows:
            if not (hasattr(mine, name) and hasattr(theirs, name)):
                continue
            a = self.field_text(name, getattr(mine, name), details)
            b = self.field_text(name, getattr(theirs, name), details)
            if a != b:
                title = self.form.labels[name][1]
                rows.append((_(title[:-2] if title.endswith(" *") else title), a, b))
        return rows

    def field_text(self, name: str, value, details) -> str:
        """`value` of field `name` as the form shows it (override for a field stored in
        another form than it is typed, e.g. a phone number)."""
        widget = self.form.rows[name].field
        if value is None or value == "":
            return ""
        if isinstance(widget, CustomerPicker):
            if value == widget.customer_id:
                return widget.text()
            return getattr(details, "customer_name", "") or str(value)
        if isinstance(widget, QComboBox):
            index = widget.findData(value)
            return widget.itemText(index) if index >= 0 else str(value)
        if isinstance(widget, MoneyField):
            return format_vnd(value) if value else ""
        if isinstance(value, date):
            return format_date(value)
        return str(value)

    def _show_comparison(self, details) -> None:
        dialog = CompareDialog(self.differences(details), self)
        dialog.keep_mine.connect(lambda: self._keep_mine(details))
        dialog.take_theirs.connect(lambda: self._apply_saved(details))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.compare_dialog = dialog
        dialog.open()

    def _keep_mine(self, details) -> None:
        """Save this window's values over theirs: on top of their version, so the version
        check passes and their change is replaced knowingly, not silently."""
        self.version = details.version
        self.save()

    def has_unsaved_input(self) -> bool:
        """Did the user change anything in this window? Read from the editors themselves, so
        no field can be forgotten: a line edit's or text box's modified flag (set by typing,
        cleared when the program fills it) and the choices, ticks and table edits made by
        hand since the window opened."""
        if self._touched or self._user_changed:
            return True
        return (any(e.isModified() and not e.isReadOnly() for e in self.findChildren(QLineEdit))
                or any(e.document().isModified() and not e.isReadOnly() for e in self.findChildren(QPlainTextEdit)))

    def _watch_user_changes(self) -> None:
        """Choices, ticks and table edits made by hand (signals the program's own changes do not send)."""
        mark = lambda *_a: setattr(self, "_user_changed", True)  # noqa: E731
        for combo in self.findChildren(QComboBox):
            combo.activated.connect(mark)
        for box in self.findChildren(QCheckBox):
            box.clicked.connect(mark)
        for table in self.findChildren(QTableWidget):
            table.itemDelegate().commitData.connect(mark)

    def reject(self) -> None:
        """Closing with typed, unsaved changes asks first; nothing typed is silently dropped.
        While a save is on its way the window stays: its answer decides."""
        if self._saving:
            return
        if self.has_unsaved_input() and not self._discard_confirmed:
            box = QMessageBox(QMessageBox.Icon.Question, _("Discard changes?"),
                              _("The changes you typed have not been saved. Close this window and discard them?"),
                              QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, self)
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            box.button(QMessageBox.StandardButton.Discard).clicked.connect(self._discard)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.discard_box = box
            box.open()
            return
        super().reject()

    def _discard(self) -> None:
        self._discard_confirmed = True
        self.reject()

    def show_status(self, text: str, error: bool = True) -> None:
        marks.set_colour(self.status, "ERROR" if error else "OK")
        self.status.setText(text)
        self.status.show()

    def retranslate(self) -> None:
        self.form.retranslate()
        self.save_button.setText(_("&Save"))
        self.save_button.setToolTip(_("Save (Ctrl+Enter)"))
        self.cancel_button.setText(_("Cancel"))
        self.reload_button.setText(_("Reload"))
        self.reload_button.setToolTip(_("Load the version saved meanwhile into this window"))
        self.compare_button.setText(_("Compare"))
        self.compare_button.setToolTip(_("List the fields that differ from the version saved meanwhile"))
        if self.conflict is not None:
            self._show_conflict()

    def _language_changed(self) -> None:
        """New texts, and the errors beside the fields again in the new language."""
        self.retranslate()
        self.revalidate()

