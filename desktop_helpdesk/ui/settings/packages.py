"""Packages and their SLA terms. Saving recomputes the due times of every clock still
running on the package, on the worker, with progress and Cancel."""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from ...domain.enums import SupportHours
from ...domain.errors import ConcurrentEditError, DuplicateError
from ...i18n import N_, _, ngettext
from ...i18n.formatting import format_number
from ...services import catalog
from ...services.dto import PackageData
from ...services.errors import ValidationFailed
from ...services.progress import Cancelled
from ..kit import retranslate
from ..kit.errors import failure_message
from ..kit import marks
from ..kit.progress import ProgressRelay, cancellable_progress, close_progress
from ..kit.widgets import enum_label, error_label
from ..kit.worker import LONG, Jobs

log = logging.getLogger(__name__)


def recomputed_text(count: int) -> str:
    """What a save that recomputed due times says afterwards."""
    return ngettext("Saved; {count} open ticket recomputed.", "Saved; {count} open tickets recomputed.",
                    count).format(count=count)


def stopping_text() -> str:
    """What a recompute's progress says between Cancel and its stop."""
    return _("Stopping once the tickets in hand are recomputed…")


class PackageNameDialog(QDialog):
    """A package's code and name: for a new package, or to rename one."""

    def __init__(self, title: str, code: str = "", name: str = "", parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.code = QLineEdit(code)
        self.name = QLineEdit(name)
        self.name.setMinimumWidth(360)
        form = QFormLayout()
        form.addRow(_("Code:"), self.code)
        form.addRow(_("Name:"), self.name)
        self.error = error_label()
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("OK"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        (self.name if code else self.code).setFocus()

    def _accept(self) -> None:
        if not self.code.text().strip() or not self.name.text().strip():
            self.error.setText(_("Enter the package's code and name."))
            self.error.show()
            return
        self.accept()


class PackagesDialog(QDialog):
    saved = Signal(int)  # tickets recomputed
    #: Cancel stopped the recompute; the terms are saved: (tickets recomputed, tickets to recompute)
    stopped = Signal(int, int)

    def __init__(self, jobs: Jobs, packages, parent=None):
        super().__init__(parent)
        retranslate.register(self)
        self.jobs = jobs
        self.packages = list(packages)
        self.list = QListWidget()
        self.list.setMinimumWidth(360)  # a long name with "(no longer sold)" fits
        self.new_button, self.rename_button, self.retire_button = QPushButton(), QPushButton(), QPushButton()
        self.new_button.clicked.connect(self.new_package)
        self.rename_button.clicked.connect(self.rename_package)
        self.retire_button.clicked.connect(self.toggle_retired)
        self._fill()
        self.support_hours = QComboBox()
        for h in SupportHours:
            self.support_hours.addItem("", h.value)
        self.spins = {}
        for name, maximum in (("warranty_months", 60), ("proposal_target_minutes", 10_000), ("fix_target_hours", 1000),
                              ("fix_extended_hours", 1000), ("complaint_target_hours", 1000)):
            spin = QSpinBox()
            spin.setRange(1, maximum)
            self.spins[name] = spin
        self.labels = {k: QLabel() for k in ("support_hours", *self.spins)}
        form = QFormLayout()
        form.addRow(self.labels["support_hours"], self.support_hours)
        for name, spin in self.spins.items():
            form.addRow(self.labels[name], spin)
        self.error = error_label(word_wrap=False)
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.error)
        right.addWidget(self.save_button)
        right.addStretch()
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        actions = QHBoxLayout()
        for button in (self.new_button, self.rename_button, self.retire_button):
            actions.addWidget(button)
        left.addLayout(actions)
        row = QHBoxLayout()
        row.addLayout(left, 1)
        row.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.relay = ProgressRelay(self)
        self.progress: QProgressDialog | None = None
        self.relay.progressed.connect(self._progressed)
        #: Tickets per committed batch of the recompute (None: the service's own).
        self.batch: int | None = None
        self.list.currentRowChanged.connect(self._show)
        self.resize(860, 380)
        self.retranslate()
        if self.packages:
            self.list.setCurrentRow(0)
        self.reload()  # the retired packages too, and the versions as stored now

    # -- the list --------------------------------------------------------------------
    def reload(self, select_id: int | None = None) -> None:
        def got(packages) -> None:
            current = self._current()
            keep = select_id if select_id is not None else (current.id if current else None)
            self.packages = list(packages)
            self._fill()
            ids = [p.id for p in self.packages]
            row = ids.index(keep) if keep in ids else (0 if ids else -1)
            self.list.blockSignals(True)
            self.list.setCurrentRow(row)
            self.list.blockSignals(False)
            if current is not None and keep == current.id and select_id is None:
                self._buttons(row)  # the same package: what was typed in its terms stays
            else:
                self._show(row)

        self.jobs.submit(catalog.packages, True, on_done=got, on_error=self._failed, owner=self)

    def _fill(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        dim = QBrush(self.palette().color(QPalette.ColorRole.PlaceholderText))
        for p in self.packages:
            item = QListWidgetItem(p.name if p.active else _("{name} (no longer sold)").format(name=p.name))
            item.setToolTip(f"{p.code} – {p.name}")
            if not p.active:
                item.setForeground(dim)
            self.list.addItem(item)
        self.list.blockSignals(False)

    def _current(self):
        row = self.list.currentRow()
        return self.packages[row] if 0 <= row < len(self.packages) else None

    def _failed(self, exc) -> None:
        if isinstance(exc, ValidationFailed):
            self.error.setText("; ".join(e.text(_) for e in exc.errors))
        elif isinstance(exc, DuplicateError):
            self.error.setText(_("Another package already has the code {code}.").format(code=exc.value))
        elif isinstance(exc, ConcurrentEditError):
            self.error.setText(_("Someone else changed this record after you opened it. Close this window and open the record again to see their changes; nothing was saved."))
        else:
            self.error.setText(failure_message(N_("The change could not be saved; nothing was written."), exc, log))
        marks.set_colour(self.error, "ERROR")
        self.error.show()

    def _said(self, text: str) -> None:
        self.error.setText(text)
        marks.set_colour(self.error, "OK")
        self.error.show()

    # -- new, rename, retire -----------------------------------------------------------
    def new_package(self) -> None:
        dialog = PackageNameDialog(_("New package"), parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        like = self._current()  # the new package starts with the terms of the one selected
        data = PackageData(0, dialog.code.text(), dialog.name.text(),
                           like.warranty_months if like else 12, like.support_hours if like else SupportHours.OFFICE.value,
                           like.proposal_target_minutes if like else 240, like.fix_target_hours if like else 24,
                           like.fix_extended_hours if like else 48, like.complaint_target_hours if like else 72,
                           like.maintenance_priority if like else True, 0)

        def done(package_id: int) -> None:
            self._said(_("Package {name} created; set its terms and save.").format(name=dialog.name.text().strip()))
            self.reload(select_id=package_id)

        self.jobs.submit(catalog.add_package, data, on_done=done, on_error=self._failed, owner=self)

    def rename_package(self) -> None:
        p = self._current()
        if p is None:
            return
        dialog = PackageNameDialog(_("Rename package"), p.code, p.name, parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return

        def done(_result) -> None:
            self._said(_("Renamed; its contracts show the new name."))
            self.reload(select_id=p.id)

        self.jobs.submit(catalog.rename_package, p.id, p.version, dialog.code.text(), dialog.name.text(),
                         on_done=done, on_error=self._failed, owner=self)

    def toggle_retired(self) -> None:
        p = self._current()
        if p is None:
            return
        if p.active:
            box = QMessageBox(QMessageBox.Icon.Question, _("Stop selling this package?"),
                              _("{name} will no longer be offered for new contracts. The contracts that have it "
                                "keep it, with its warranty and SLA terms. You can put it on sale again later.")
                              .format(name=p.name), QMessageBox.StandardButton.Cancel, self)
            confirm = box.addButton(_("Stop selling"), QMessageBox.ButtonRole.AcceptRole)
            box.button(QMessageBox.StandardButton.Cancel).setText(_("Cancel"))
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            box.exec()
            if box.clickedButton() is not confirm:
                return

        def done(_result) -> None:
            self._said(_("{name} is no longer sold.").format(name=p.name) if p.active
                       else _("{name} is on sale again.").format(name=p.name))
            self.reload(select_id=p.id)

        self.jobs.submit(catalog.set_package_retired, p.id, p.version, p.active,
                         on_done=done, on_error=self._failed, owner=self)

    def _buttons(self, row: int) -> None:
        p = self.packages[row] if 0 <= row < len(self.packages) else None
        self.rename_button.setEnabled(p is not None)
        self.retire_button.setEnabled(p is not None)
        self.retire_button.setText(_("Stop selling") if p is None or p.active else _("Sell again"))

    def _show(self, row: int) -> None:
        self._buttons(row)
        if not (0 <= row < len(self.packages)):
            return
        p = self.packages[row]
        self.support_hours.setCurrentIndex(max(0, self.support_hours.findData(p.support_hours)))
        for name, spin in self.spins.items():
            spin.setValue(getattr(p, name))

    def save(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        p = self.packages[row]
        data = p.__class__(**{**p.__dict__, "support_hours": self.support_hours.currentData(),
                              **{name: spin.value() for name, spin in self.spins.items()}})
        # Saving the terms moves the package to the next version (one UPDATE): what this
        # window holds afterwards, so saving again from it is not taken for someone else's edit.
        saved = replace(data, version=data.version + 1) if data.version is not None else data
        self.progress = cancellable_progress(self.relay, _("Recomputing the due times of open tickets…"),
                                             _("Packages and SLA"), stopping_text(), self)
        self.save_button.setEnabled(False)

        def done(count: int) -> None:
            self.packages[row] = saved
            self._finish()
            self.saved.emit(count)
            self.error.setText(recomputed_text(count))
            marks.set_colour(self.error, "OK")
            self.error.show()

        def failed(exc) -> None:
            self._finish()
            if isinstance(exc, Cancelled):  # the terms were saved first; the rest keep their old due times
                self.packages[row] = saved
                self.error.setText(ngettext(
                    "Stopped: {done} of {total} open ticket recomputed. The new terms are saved; the other "
                    "tickets keep their old due times until you save the terms again.",
                    "Stopped: {done} of {total} open tickets recomputed. The new terms are saved; the other "
                    "tickets keep their old due times until you save the terms again.",
                    exc.total).format(done=format_number(exc.done), total=format_number(exc.total)))
                marks.set_colour(self.error, "OK")
                self.error.show()
                self.stopped.emit(exc.done, exc.total)
                return
            if isinstance(exc, ValidationFailed):
                self.error.setText("; ".join(e.text(_) for e in exc.errors))
            elif isinstance(exc, ConcurrentEditError):  # the form's message for a record saved meanwhile
                self.error.setText(_("Someone else changed this record after you opened it. Close this window and open the record again to see their changes; nothing was saved."))
            else:
                self.error.setText(failure_message(N_("The change could not be saved; nothing was written."), exc, log))
            marks.set_colour(self.error, "ERROR")
            self.error.show()

        batch = () if self.batch is None else (self.batch,)
        self.jobs.submit(catalog.update_package_terms, data, self.relay.start(), *batch,
                         on_done=done, on_error=failed, lane=LONG, owner=self)

    def _progressed(self, done: int, total: int) -> None:
        if self.progress is not None and not self.relay.cancelling:
            self.progress.setMaximum(total)
            self.progress.setValue(done)

    def _finish(self) -> None:
        if self.progress is not None:
            close_progress(self.progress)
            self.progress = None
        self.save_button.setEnabled(True)

    def reject(self) -> None:
        if self.progress is not None:
            return  # the recompute finishes (or stops, on Cancel) first
        super().reject()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Packages and SLA"))
        texts = {"support_hours": _("Support hours:"), "warranty_months": _("Warranty (months):"),
                 "proposal_target_minutes": _("Solution proposal within (working minutes):"),
                 "fix_target_hours": _("Fix within (hours):"),
                 "fix_extended_hours": _("Fix within, over days off (hours):"),
                 "complaint_target_hours": _("Complaint answered within (hours):")}
        for name, label in self.labels.items():
            label.setText(texts[name])
        for i in range(self.support_hours.count()):
            self.support_hours.setItemText(i, enum_label(SupportHours, self.support_hours.itemData(i)))
        self.save_button.setText(_("Save and recompute open tickets"))
        self.new_button.setText(_("&New package…"))
        self.rename_button.setText(_("&Rename…"))
        row = self.list.currentRow()
        self._buttons(row)
        self._fill()  # "(no longer sold)" in the new language
        self.list.blockSignals(True)
        self.list.setCurrentRow(row)
        self.list.blockSignals(False)
