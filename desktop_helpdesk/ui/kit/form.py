"""Create / edit dialogs for customers, contracts and tickets, and the operator chooser.

Each form validates as the user types: errors appear beside the field, in the user's
language, and Save stays disabled until the form is valid. Saving runs on the worker; a
rule the service still refuses (a duplicate code, a concurrent edit) is shown the same way
and nothing is written."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import ConcurrentEditError, DuplicateError, NotFoundError
from ...i18n import N_, _
from ...services.errors import ValidationFailed
from . import retranslate
from .errors import failure_message
from .widgets import Form, error_label
from .worker import Jobs

log = logging.getLogger(__name__)


class FormDialog(QDialog):
    """Shared behaviour: live validation, Save enabled only when valid, async save."""

    saved = Signal(int)  # the id of the saved record

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self, FormDialog._language_changed)
        self.jobs = jobs
        self.record_id: int | None = None
        self.version: int | None = None
        self._saving = False
        self._attempted = False
        self._discard_confirmed = False
        self._touched: set[str] = set()
        self._user_changed = False
        self.form = Form()
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.status = error_label()
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.save)
        QShortcut(QKeySequence("Ctrl+Enter"), self, activated=self.save)

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
        layout.addWidget(self.buttons)
        self._watch_user_changes()
        self.retranslate()
        self.revalidate()

    # -- validation ------------------------------------------------------------------
    def field_errors(self) -> dict[str, str]:
        """Field name -> translated message for every current problem (override)."""
        return {}

    def revalidate(self) -> bool:
        """Check the form. Errors show beside fields the user has touched (all of them once
        Save was tried or an existing record was loaded); Save is enabled only when valid."""
        errors = self.field_errors()
        for name in self.form.rows:
            shown = self._attempted or name in self._touched
            self.form.set_error(name, errors.get(name) if shown else None)
        ok = not errors and not self._saving
        self.save_button.setEnabled(ok)
        return not errors

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
        self.jobs.submit(fn, *args, on_done=self._saved, on_error=self._failed)

    def _saved(self, record_id) -> None:
        self._saving = False
        self.record_id = record_id if isinstance(record_id, int) else self.record_id
        self.saved.emit(self.record_id or 0)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._saving = False
        if isinstance(exc, ValidationFailed):
            for err in exc.errors:
                self.form.set_error(err.field.split("[")[0] if err.field not in self.form.rows else err.field, err.text(_))
            self.show_status(_("Please correct the fields marked above."))
        elif isinstance(exc, DuplicateError):
            self.form.set_error(exc.field, _("This value is already used by another record."))
            self.show_status(_("Please correct the fields marked above."))
        elif isinstance(exc, ConcurrentEditError):
            self.show_status(_("Someone else changed this record after you opened it. Close this window and open the record again to see their changes; nothing was saved."))
        elif isinstance(exc, NotFoundError):
            self.show_status(_("This record no longer exists; nothing was saved."))
        else:
            self.show_status(failure_message(N_("The record could not be saved; nothing was written."), exc, log))
        self.save_button.setEnabled(True)

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

    def show_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.show()

    def retranslate(self) -> None:
        self.form.retranslate()
        self.save_button.setText(_("&Save"))
        self.save_button.setToolTip(_("Save (Ctrl+Enter)"))
        self.cancel_button.setText(_("Cancel"))

    def _language_changed(self) -> None:
        """New texts, and the errors beside the fields again in the new language."""
        self.retranslate()
        self.revalidate()

