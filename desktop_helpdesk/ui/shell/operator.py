"""Who is at the desk: choose (or add) the operator at start-up."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ...domain import validation as v
from ...domain.enums import (
    OperatorRole,
)
from ...i18n import N_, _
from ...services import catalog
from ...services.dto import OperatorDraft
from ..kit import retranslate
from ..kit.errors import failure_message
from ..kit.widgets import Form, enum_combo, retranslate_enum_combo
from ..kit.worker import Jobs

log = logging.getLogger(__name__)


class OperatorDialog(QDialog):
    """Who is at this workstation: chosen on first start, shown in the status bar."""

    def __init__(self, jobs: Jobs, operators, parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.jobs = jobs
        self.operator = None
        self._operators = list(operators)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.choice = QComboBox()
        for o in self._operators:
            self.choice.addItem(f"{o.full_name} – {_(OperatorRole(o.role).label)}", o.id)
        self.choice.addItem("", None)  # "a new operator"
        self.form = Form()
        self.full_name = self.form.add("full_name", N_("Full name"), QLineEdit(), required=True)
        self.alias = self.form.add("alias", N_("Alias shown to customers"), QLineEdit(), required=True)
        self.role = self.form.add("role", N_("Role"), enum_combo(OperatorRole))
        if not self._operators:  # a new firm: the first person on the staff list sets it up
            self.role.setCurrentIndex(self.role.findData(OperatorRole.ADMIN.value))
        self.new_box = QWidget()
        self.new_box.setLayout(self.form)
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.choice)
        layout.addWidget(self.new_box)
        layout.addWidget(self.buttons)
        self.choice.currentIndexChanged.connect(self._update)
        self.full_name.textChanged.connect(self._update)
        self.alias.textChanged.connect(self._update)
        self.retranslate()
        self._update()

    def _update(self) -> None:
        new = self.choice.currentData() is None
        self.new_box.setVisible(new)
        ok = True
        if new:
            for name, w in (("full_name", self.full_name), ("alias", self.alias)):
                err = v.validate_required(name, w.text())
                self.form.set_error(name, err.text(_) if err and w.isModified() else None)
                ok = ok and err is None
        self.ok_button.setEnabled(ok)

    def _accept(self) -> None:
        operator_id = self.choice.currentData()
        if operator_id is not None:
            self.operator = next(o for o in self._operators if o.id == operator_id)
            self.accept()
            return
        draft = OperatorDraft(code="", full_name=self.full_name.text(), alias=self.alias.text(), role=self.role.currentData())
        self.ok_button.setEnabled(False)
        self.jobs.submit(self._create, draft, on_done=self._created, on_error=self._failed)

    @staticmethod
    def _create(ctx, draft):
        new_id = catalog.add_operator(ctx, draft)
        return next(o for o in catalog.operators(ctx) if o.id == new_id)

    def _created(self, operator) -> None:
        self.operator = operator
        self.accept()

    def _failed(self, exc) -> None:
        QMessageBox.warning(self, _("Operator"), failure_message(N_("The operator could not be saved; nothing was written."), exc, log))
        self.ok_button.setEnabled(True)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Who is working at this computer?"))
        if self._operators:
            self.intro.setText(_("Choose yourself from the list, or add yourself as a new operator. Your name is recorded in the history of every ticket you change."))
        else:
            self.intro.setText(_("No one is on the staff list yet. Add yourself: the first person is its administrator, "
                                 "and your name is recorded in the history of every ticket you change."))
        self.choice.setItemText(self.choice.count() - 1, _("A new operator…"))
        self.form.retranslate()
        retranslate_enum_combo(self.role, OperatorRole)
        self.ok_button.setText(_("Start working"))
        self.quit_button.setText(_("Quit"))
