"""Packages and their SLA terms. Saving recomputes the due times of every clock still
running on the package, on the worker, with progress and Cancel."""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from ...domain.enums import SupportHours
from ...domain.errors import ConcurrentEditError
from ...i18n import N_, _, ngettext
from ...i18n.formatting import format_number
from ...services import catalog
from ...services.errors import ValidationFailed
from ...services.progress import Cancelled
from ..kit import retranslate
from ..kit.errors import failure_message
from ..kit.marks import ERROR_STYLE, OK_STYLE
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
        self.list.setMinimumWidth(280)
        for p in self.packages:
            self.list.addItem(p.name)
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
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
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

    def _show(self, row: int) -> None:
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
            self.error.setStyleSheet(OK_STYLE)
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
                self.error.setStyleSheet(OK_STYLE)
                self.error.show()
                self.stopped.emit(exc.done, exc.total)
                return
            if isinstance(exc, ValidationFailed):
                self.error.setText("; ".join(e.text(_) for e in exc.errors))
            elif isinstance(exc, ConcurrentEditError):  # the form's message for a record saved meanwhile
                self.error.setText(_("Someone else changed this record after you opened it. Close this window and open the record again to see their changes; nothing was saved."))
            else:
                self.error.setText(failure_message(N_("The change could not be saved; nothing was written."), exc, log))
            self.error.setStyleSheet(ERROR_STYLE)
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
