"""Create / edit dialogs for customers, contracts and tickets, and the operator chooser.

Each form validates as the user types: errors appear beside the field, in the user's
language, and Save stays disabled until the form is valid. Saving runs on the worker; a
rule the service still refuses (a duplicate code, a concurrent edit) is shown the same way
and nothing is written.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain import validation as v
from ..domain.enums import (
    Channel,
    ContractStage,
    Coverage,
    CustomerKind,
    OperatorRole,
    Priority,
    RequestType,
    TicketStatus,
)
from ..domain.errors import ConcurrentEditError, DuplicateError, NotFoundError
from ..i18n import N_, _
from ..services.dto import ContactData, ContractDraft, CustomerDraft, OperatorDraft, TicketDraft
from ..services.helpdesk import HelpdeskService, ValidationFailed
from .widgets import CustomerPicker, DateField, Form, MoneyField, enum_label
from .worker import DbWorker

log = logging.getLogger(__name__)


def _enum_combo(enum_cls) -> QComboBox:
    combo = QComboBox()
    for member in enum_cls:
        combo.addItem(_(member.label), member.value)
    return combo


def _retranslate_enum_combo(combo: QComboBox, enum_cls) -> None:
    for i in range(combo.count()):
        combo.setItemText(i, enum_label(enum_cls, combo.itemData(i)))


def _select_data(combo: QComboBox, value) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0) if value is not None else combo.currentIndex())


class FormDialog(QDialog):
    """Shared behaviour: live validation, Save enabled only when valid, async save."""

    saved = Signal(int)  # the id of the saved record

    def __init__(self, worker: DbWorker, service: HelpdeskService, parent: QWidget | None = None):
        super().__init__(parent)
        self.worker = worker
        self.service = service
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
        self.status = QLabel()
        self.status.setStyleSheet("color: #b00020;")
        self.status.setWordWrap(True)
        self.status.hide()
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
        return _(err.message) if err is not None else None

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
        self.worker.submit(fn, *args, on_done=self._saved, on_error=self._failed)

    def _saved(self, record_id) -> None:
        self._saving = False
        self.record_id = record_id if isinstance(record_id, int) else self.record_id
        self.saved.emit(self.record_id or 0)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._saving = False
        if isinstance(exc, ValidationFailed):
            for err in exc.errors:
                self.form.set_error(err.field.split("[")[0] if err.field not in self.form.rows else err.field, _(err.message))
            self.show_status(_("Please correct the fields marked above."))
        elif isinstance(exc, DuplicateError):
            self.form.set_error(exc.field, _("This value is already used by another record."))
            self.show_status(_("Please correct the fields marked above."))
        elif isinstance(exc, ConcurrentEditError):
            self.show_status(_("Someone else changed this record after you opened it. Close this window and open the record again to see their changes; nothing was saved."))
        elif isinstance(exc, NotFoundError):
            self.show_status(_("This record no longer exists; nothing was saved."))
        else:
            log.error("save failed", exc_info=exc)
            self.show_status(_("The record could not be saved; nothing was written. The details are in the log file."))
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

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self.revalidate()
        super().changeEvent(event)


class CustomerDialog(FormDialog):
    CONTACT_COLUMNS = (N_("Full name"), N_("Position"), N_("Phone"), N_("E-mail"))

    def __init__(self, worker: DbWorker, service: HelpdeskService, parent: QWidget | None = None):
        super().__init__(worker, service, parent)
        self.resize(640, 640)
        f = self.form
        self.name = f.add("name", N_("Name"), QLineEdit(), required=True)
        self.code = f.add("code", N_("Code"), QLineEdit())
        self.kind = f.add("kind", N_("Kind"), _enum_combo(CustomerKind))
        self.tax_code = f.add("tax_code", N_("Tax code"), QLineEdit())
        self.phone = f.add("phone", N_("Phone"), QLineEdit())
        self.email = f.add("email", N_("E-mail"), QLineEdit())
        self.address = f.add("address", N_("Address"), QLineEdit())
        self.province = f.add("province", N_("Province"), QLineEdit())
        self.notes = f.add("notes", N_("Notes"), QPlainTextEdit())
        self.notes.setMaximumHeight(70)
        self.code.setMaxLength(20)
        self.tax_code.setMaxLength(14)
        self.contacts_label = QLabel()
        self.contacts = QTableWidget(0, len(self.CONTACT_COLUMNS))
        self.contacts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.contacts.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.contacts.itemChanged.connect(lambda *_: self.revalidate())
        self.add_contact_button = QPushButton()
        self.remove_contact_button = QPushButton()
        self.add_contact_button.clicked.connect(self.add_contact_row)
        self.remove_contact_button.clicked.connect(self.remove_contact_row)
        self.contacts_error = QLabel()
        self.contacts_error.setStyleSheet("color: #b00020;")
        self.contacts_error.hide()
        buttons = QWidget()
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.add_contact_button)
        row.addWidget(self.remove_contact_button)
        row.addStretch()
        self._contact_ids: list[int | None] = []
        self._watch(self.code, self.name, self.kind, self.tax_code, self.phone, self.email)
        self.questions_box = self._build_questions()
        self._finish_layout(self.contacts_label, self.contacts, self.contacts_error, buttons, self.questions_box)

    def _build_questions(self) -> QWidget:
        """Ownership-verification questions; answers are hashed before they are stored."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.questions_label = QLabel()
        self.questions_list = QLabel()
        self.questions_list.setWordWrap(True)
        self.questions_list.setTextFormat(Qt.TextFormat.PlainText)  # typed by staff: never read as HTML
        self.new_question, self.new_answer = QLineEdit(), QLineEdit()
        self.new_answer.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_question_button = QPushButton()
        self.add_question_button.clicked.connect(self.add_question)
        self.question_error = QLabel()
        self.question_error.setStyleSheet("color: #b00020;")
        self.question_error.hide()
        row = QHBoxLayout()
        row.addWidget(self.new_question, 2)
        row.addWidget(self.new_answer, 1)
        row.addWidget(self.add_question_button)
        layout.addWidget(self.questions_label)
        layout.addWidget(self.questions_list)
        layout.addLayout(row)
        layout.addWidget(self.question_error)
        box.hide()  # shown for a saved customer
        return box

    def _load_questions(self) -> None:
        self.worker.submit(self.service.verification_questions, self.record_id, on_done=self._show_questions)

    def _show_questions(self, questions) -> None:
        self.questions_list.setText("\n".join(f"• {q.question}" for q in questions) or _("No questions yet."))

    def add_question(self) -> None:
        if not self.new_question.text().strip() or not self.new_answer.text().strip():
            self.question_error.setText(_("Type both the question and its answer."))
            self.question_error.show()
            return
        self.question_error.hide()
        question, answer = self.new_question.text(), self.new_answer.text()

        def added(*_a) -> None:  # emptied once stored: a failure keeps what was typed
            self.new_question.clear()
            self.new_answer.clear()
            self._load_questions()

        def failed(exc: BaseException) -> None:
            log.error("cannot add the verification question", exc_info=exc)
            self.question_error.setText(_("The question could not be saved. The details are in the log file."))
            self.question_error.show()

        self.worker.submit(self.service.add_verification_question, self.record_id, question, answer,
                           on_done=added, on_error=failed)

    def add_contact_row(self, contact: ContactData | None = None) -> None:
        r = self.contacts.rowCount()
        self.contacts.insertRow(r)
        values = (contact.full_name, contact.position, contact.phone, contact.email) if contact else ("",) * 4
        self.contacts.blockSignals(True)
        for c, value in enumerate(values):
            self.contacts.setItem(r, c, QTableWidgetItem(value))
        self.contacts.blockSignals(False)
        self._contact_ids.append(contact.id if contact else None)
        if not contact:
            self.contacts.setCurrentCell(r, 0)
            self.contacts.editItem(self.contacts.item(r, 0))
        self.revalidate()

    def remove_contact_row(self) -> None:
        r = self.contacts.currentRow()
        if r >= 0:
            self.contacts.removeRow(r)
            del self._contact_ids[r]
            self.revalidate()

    def _contact_drafts(self) -> tuple[ContactData, ...]:
        out = []
        for r in range(self.contacts.rowCount()):
            cell = [(self.contacts.item(r, c).text() if self.contacts.item(r, c) else "") for c in range(4)]
            if any(x.strip() for x in cell):
                out.append(ContactData(self._contact_ids[r], cell[0], cell[1], cell[2], cell[3], is_primary=not out))
        return tuple(out)

    def load(self, details) -> None:
        self.record_id, self.version = details.id, details.version
        self._attempted = True
        d = details.draft
        self.code.setText(d.code)
        self.name.setText(d.name)
        _select_data(self.kind, d.kind)
        self.tax_code.setText(d.tax_code)
        self.phone.setText(_display_phone(d.phone))
        self.email.setText(d.email)
        self.address.setText(d.address)
        self.province.setText(d.province)
        self.notes.setPlainText(d.notes)
        for c in d.contacts:
            self.add_contact_row(replace(c, phone=_display_phone(c.phone)))
        self.questions_box.show()
        self._load_questions()
        self.retranslate()

    def draft(self) -> CustomerDraft:
        return CustomerDraft(
            name=self.name.text(), kind=self.kind.currentData(), code=self.code.text(),
            tax_code=self.tax_code.text(), address=self.address.text(), province=self.province.text(),
            phone=self.phone.text(), email=self.email.text(), notes=self.notes.toPlainText(),
            contacts=self._contact_drafts(),
        )

    def field_errors(self) -> dict[str, str]:
        errors = {}
        for name, err in (
            ("name", v.validate_required("name", self.name.text())),
            ("tax_code", v.validate_tax_code("tax_code", self.tax_code.text())),
            ("phone", v.validate_phone("phone", self.phone.text())),
            ("email", v.validate_email("email", self.email.text())),
        ):
            if err is not None:
                errors[name] = self.error_text(err)
        contact_problems = []
        for i, c in enumerate(self._contact_drafts(), start=1):
            for err in (v.validate_required("full_name", c.full_name), v.validate_phone("phone", c.phone), v.validate_email("email", c.email)):
                if err is not None:
                    contact_problems.append(_("Contact {number}: {problem}").format(number=i, problem=self.error_text(err)))
        self.contacts_error.setText("\n".join(contact_problems))
        self.contacts_error.setVisible(bool(contact_problems))
        if contact_problems:
            errors["contacts"] = "\n".join(contact_problems)
        return errors

    def build_job(self):
        return self.service.save_customer, (self.draft(), self.record_id, self.version)

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(_("Edit customer") if self.record_id else _("New customer"))
        self.code.setPlaceholderText(_("Given automatically when left empty"))
        self.phone.setPlaceholderText(_("e.g. 0912 345 678 or 028 3974 3179"))
        self.tax_code.setPlaceholderText(_("10 digits, 10 digits-3 digits for a branch, or a 12-digit personal ID"))
        _retranslate_enum_combo(self.kind, CustomerKind)
        self.contacts_label.setText(_("Contacts:"))
        self.contacts.setHorizontalHeaderLabels([_(t) for t in self.CONTACT_COLUMNS])
        self.add_contact_button.setText(_("Add contact"))
        self.remove_contact_button.setText(_("Remove contact"))
        self.questions_label.setText(_("Verification questions (answers are stored only as a fingerprint):"))
        self.new_question.setPlaceholderText(_("Question, e.g. Who signed the contract?"))
        self.new_answer.setPlaceholderText(_("Answer"))
        self.add_question_button.setText(_("Add question"))


def _alive(widget: QWidget) -> bool:
    """False once Qt has deleted the widget (a closed dialog whose worker answer came late)."""
    import shiboken6

    return shiboken6.isValid(widget)


def _display_phone(e164: str) -> str:
    if not e164:
        return ""
    try:
        from ..domain.phone import format_phone

        return format_phone(e164)
    except ValueError:
        return e164


class ContractDialog(FormDialog):
    def __init__(self, worker: DbWorker, service: HelpdeskService, packages, parent: QWidget | None = None,
                 operator_id: int | None = None):
        super().__init__(worker, service, parent)
        self.operator_id = operator_id
        self.resize(640, 560)
        f = self.form
        self.customer = f.add("customer_id", N_("Customer"), CustomerPicker(worker, service.customer_choices), required=True)
        self.package = f.add("package_id", N_("Package"), QComboBox(), required=True)
        for p in packages:
            self.package.addItem(p.name, p.id)
        self.number = f.add("number", N_("Contract number"), QLineEdit())
        self.stage = f.add("stage", N_("Stage"), _enum_combo(ContractStage))
        self.value = f.add("value_vnd", N_("Value"), MoneyField())
        self.request_received_on = f.add("request_received_on", N_("Request received on"), DateField())
        self.signed_on = f.add("signed_on", N_("Signed on"), DateField())
        self.accepted_on = f.add("accepted_on", N_("Accepted on"), DateField())
        self.maintenance_end = f.add("maintenance_end", N_("Maintenance ends on"), DateField())
        self.notes = f.add("notes", N_("Notes"), QPlainTextEdit())
        self.notes.setMaximumHeight(70)
        self.customer.customer_changed.connect(lambda *_: self.revalidate())
        self._watch(self.package, self.number, self.stage, self.value, self.request_received_on, self.signed_on,
                    self.accepted_on, self.maintenance_end)
        from .contract_panel import ContractPanel

        self.panel = ContractPanel(worker, service, operator_id)
        self.panel.file_loaded.connect(self._file_loaded)
        self.panel.hide()
        self._finish_layout(self.panel)

    def _file_loaded(self, version: int) -> None:
        # Lifecycle moves and payments are saved at once; the form saves on top of them.
        self.version = version
        f = self.panel.file
        _select_data(self.stage, f.stage)
        for field, value in ((self.signed_on, f.signed_on), (self.accepted_on, f.accepted_on),
                             (self.maintenance_end, f.maintenance_end), (self.request_received_on, f.request_received_on)):
            if not field.isModified():  # a date typed in the form and not yet saved stays
                field.set_value(value)

    def set_customer(self, customer_id: int, label: str) -> None:
        self.customer.set_customer(customer_id, label)

    def load(self, details) -> None:
        self.record_id, self.version = details.id, details.version
        self._attempted = True
        d = details.draft
        self.customer.set_customer(d.customer_id, details.customer_name)
        _select_data(self.package, d.package_id)
        self.number.setText(d.number)
        _select_data(self.stage, d.stage)
        self.value.set_value(d.value_vnd)
        self.request_received_on.set_value(d.request_received_on)
        self.signed_on.set_value(d.signed_on)
        self.accepted_on.set_value(d.accepted_on)
        self.maintenance_end.set_value(d.maintenance_end)
        self.notes.setPlainText(d.notes)
        # Stage changes go through the lifecycle tab, which checks their order.
        self.stage.setEnabled(False)
        self.panel.show()
        self.panel.reload(details.id)
        self.resize(780, 690)
        self.retranslate()

    def field_errors(self) -> dict[str, str]:
        errors = {}
        if self.customer.customer_id is None:
            errors["customer_id"] = _("Choose a customer from the list.")
        if self.package.currentData() is None:
            errors["package_id"] = _("Choose a package.")
        for name, w in (("value_vnd", self.value), ("request_received_on", self.request_received_on),
                        ("signed_on", self.signed_on), ("accepted_on", self.accepted_on),
                        ("maintenance_end", self.maintenance_end)):
            message = w.error()
            if message:
                errors[name] = message
        if not errors:
            for name, first, later in (("signed_on", self.request_received_on, self.signed_on),
                                       ("accepted_on", self.signed_on, self.accepted_on),
                                       ("maintenance_end", self.accepted_on, self.maintenance_end)):
                err = v.validate_date_order(name, first.value(), later.value())
                if err is not None:
                    errors[name] = self.error_text(err)
        return errors

    def draft(self) -> ContractDraft:
        return ContractDraft(
            customer_id=self.customer.customer_id or 0, package_id=self.package.currentData() or 0,
            number=self.number.text(), stage=self.stage.currentData(), value_vnd=self.value.value(),
            request_received_on=self.request_received_on.value(), signed_on=self.signed_on.value(),
            accepted_on=self.accepted_on.value(), maintenance_end=self.maintenance_end.value(),
            notes=self.notes.toPlainText(),
        )

    def build_job(self):
        return self.service.save_contract, (self.draft(), self.record_id, self.version, self.operator_id)

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(_("Edit contract") if self.record_id else _("New contract"))
        self.customer.setPlaceholderText(_("Type a name, code, phone or tax code"))
        self.number.setPlaceholderText(_("Given automatically when left empty"))
        _retranslate_enum_combo(self.stage, ContractStage)


class TicketDialog(FormDialog):
    def __init__(self, worker: DbWorker, service: HelpdeskService, operators, parent: QWidget | None = None,
                 operator_id: int | None = None):
        super().__init__(worker, service, parent)
        self.operator_id = operator_id
        self.resize(620, 600)
        f = self.form
        self.customer = f.add("customer_id", N_("Customer"), CustomerPicker(worker, service.customer_choices), required=True)
        self.contact = f.add("contact_id", N_("Contact"), QComboBox())
        self.contract = f.add("contract_id", N_("Contract"), QComboBox())
        self.subject = f.add("subject", N_("Subject"), QLineEdit(), required=True)
        self.request_type = f.add("request_type", N_("Type"), _enum_combo(RequestType))
        self.channel = f.add("channel", N_("Channel"), _enum_combo(Channel))
        self.priority = f.add("priority", N_("Priority"), _enum_combo(Priority))
        self.status_combo = f.add("status", N_("Status"), _enum_combo(TicketStatus))
        self.assignee = f.add("assignee_id", N_("Assigned to"), QComboBox())
        self.description = f.add("description", N_("Description"), QPlainTextEdit())
        self.note = f.add("note", N_("Note for the history"), QPlainTextEdit())
        self.cooperating = QCheckBox()
        self.in_scope = QCheckBox()
        self.cooperating.setChecked(True)
        self.in_scope.setChecked(True)
        checks = QWidget()
        row = QHBoxLayout(checks)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.cooperating)
        row.addWidget(self.in_scope)
        row.addStretch()
        f.add("checks", N_("Conditions"), checks)
        verify_row = QWidget()
        row = QHBoxLayout(verify_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.verify_button = QPushButton()
        self.verify_summary = QLabel()
        row.addWidget(self.verify_button)
        row.addWidget(self.verify_summary, 1)
        f.add("verify", N_("Caller"), verify_row)
        self.verify_button.clicked.connect(self.verify_caller)
        self.verify_button.setEnabled(False)
        self.verifications: dict[int, bool] = {}
        self.entitlement_label = f.add("entitlement", N_("Entitlement"), QLabel())
        self.entitlement_label.setWordWrap(True)
        self.entitlement_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        for combo in (self.contact, self.contract, self.assignee):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(24)
        self.entitlement_label.setTextFormat(Qt.TextFormat.RichText)
        self.override_reason = f.add("override_reason", N_("Override reason"), QLineEdit())
        self.description.setMaximumHeight(90)
        self.note.setMaximumHeight(60)
        self.subject.setMaxLength(300)
        _select_data(self.priority, Priority.NORMAL.value)
        self.assignee.addItem("", None)
        for o in operators:
            self.assignee.addItem(f"{o.full_name} ({o.code})", o.id)
        self._draft = None
        self.verdict = None
        self._verdict_asked = 0
        self._verdict_timer = QTimer(self, singleShot=True, interval=250)
        self._verdict_timer.timeout.connect(self._ask_verdict)
        self.customer.customer_changed.connect(self._customer_changed)
        for signal in (self.contract.currentIndexChanged, self.request_type.currentIndexChanged,
                       self.subject.textChanged, self.cooperating.toggled, self.in_scope.toggled):
            signal.connect(lambda *_: self._verdict_timer.start())
        self._watch(self.subject, self.request_type, self.channel, self.override_reason)
        for name in ("note", "override_reason"):
            self._show_row(name, False)
        self._preset_contact: int | None = None
        # Fully keyboard-driven: Tab leaves the text boxes instead of typing a tab, and walks
        # the fields in the order they are shown; Ctrl+Enter saves, Esc cancels.
        for box in (self.description, self.note):
            box.setTabChangesFocus(True)
        self._finish_layout()
        chain = [self.customer, self.contact, self.contract, self.subject, self.request_type, self.channel,
                 self.priority, self.status_combo, self.assignee, self.description, self.note, self.cooperating,
                 self.in_scope, self.verify_button, self.override_reason, self.save_button, self.cancel_button]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)
        self.customer.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_row(self, name: str, visible: bool) -> None:
        self.form.rows[name].setVisible(visible)
        self.form.labels[name][0].setVisible(visible)

    # -- entitlement, decided by the service as the operator types ---------------------
    def _ask_verdict(self) -> None:
        if self.record_id is not None or self.customer.customer_id is None:
            self.verdict = None
            self._render_verdict()
            return
        self._verdict_asked += 1
        asked = self._verdict_asked
        self.worker.submit(self.service.entitlement, self.customer.customer_id, self.contract.currentData(),
                           self.request_type.currentData(), self.subject.text(), self.cooperating.isChecked(),
                           self.in_scope.isChecked(), on_done=lambda v: self._got_verdict(asked, v))

    def _got_verdict(self, asked: int, verdict) -> None:
        # A quick save can close (and delete) the form before the last verdict comes back.
        if asked == self._verdict_asked and _alive(self):
            self.verdict = verdict
            self._render_verdict()
            self.revalidate()

    def _render_verdict(self) -> None:
        from html import escape

        v = self.verdict
        if v is None:
            self.entitlement_label.setText("")
            self._show_row("override_reason", False)
            return
        colour = {"warranty": "#1b5e20", "maintenance": "#0d47a1", "billable": "#8d6e00", "refused": "#b00020"}[v.coverage.value]
        head = f"<b style='color:{colour}'>{escape(enum_label(Coverage, v.coverage.value))}</b>"
        # Symbols as well as colour: a refusal ground reads as one without colour too.
        reasons = "".join(f"<div>{'✖' if r.is_refusal else '⚠'} {escape(_(r.message))}</div>" for r in v.reasons)
        self.entitlement_label.setText(head + reasons)
        self.entitlement_label.adjustSize()
        self._show_row("override_reason", v.refused)

    def field_errors(self) -> dict[str, str]:
        errors = self._ticket_errors()
        if self.verdict is not None and self.verdict.refused and not self.override_reason.text().strip():
            errors["override_reason"] = _("The request is refused: type why you serve it anyway, or cancel.")
        return errors

    def verify_caller(self) -> None:
        from .verification import VerifyDialog

        if self.customer.customer_id is None:
            return
        dialog = VerifyDialog(self.worker, self.service, self.customer.customer_id, self.record_id,
                              self.operator_id, self)
        dialog.finished.connect(lambda *_: self._verified(dialog))
        self.verify_dialog = dialog
        dialog.open()

    def _verified(self, dialog) -> None:
        self.verifications.update(dialog.outcomes)
        self.verify_summary.setText(dialog.summary())

    def _customer_changed(self, customer_id) -> None:
        self.verifications = {}
        self.verify_summary.setText("")
        self.verify_button.setEnabled(customer_id is not None)
        self.contact.clear()
        self.contract.clear()
        self.contact.addItem("", None)
        self.contract.addItem("", None)
        if customer_id is not None:
            self.worker.submit(self.service.get_customer, customer_id, on_done=self._fill_contacts)
            self.worker.submit(self.service.contract_choices, customer_id, on_done=self._fill_contracts)
        self.revalidate()

    def _fill_contacts(self, details) -> None:
        if not _alive(self) or details.id != self.customer.customer_id:
            return
        for c in details.draft.contacts:
            self.contact.addItem(f"{c.full_name}" + (f" – {_display_phone(c.phone)}" if c.phone else ""), c.id)
        if self._draft is not None:
            _select_data(self.contact, self._draft.contact_id)
        elif self._preset_contact is not None and self.contact.findData(self._preset_contact) >= 0:
            _select_data(self.contact, self._preset_contact)
        elif self.contact.count() > 1:
            self.contact.setCurrentIndex(1)

    def _fill_contracts(self, choices) -> None:
        if not _alive(self):
            return
        for k in choices:
            self.contract.addItem(f"{k.number} – {k.package_name} ({enum_label(ContractStage, k.stage)})", k.id)
        if self._draft is not None:
            _select_data(self.contract, self._draft.contract_id)
        elif self.contract.count() > 1:
            self.contract.setCurrentIndex(self.contract.count() - 1)

    def set_customer(self, customer_id: int, label: str) -> None:
        self.customer.set_customer(customer_id, label)
        self.subject.setFocus(Qt.FocusReason.OtherFocusReason)  # the customer is known: type the subject

    def preset_caller(self, customer_id: int, label: str, contact_id: int | None,
                      channel: str = Channel.HOTLINE.value) -> None:
        """A quick ticket for the caller just found: customer and contact filled in, the
        channel the call came by, the cursor in the subject."""
        self._preset_contact = contact_id
        _select_data(self.channel, channel)
        self.customer.set_customer(customer_id, label)
        self.subject.setFocus(Qt.FocusReason.OtherFocusReason)

    def load(self, details) -> None:
        self.record_id, self.version = details.id, details.version
        self._attempted = True
        d = details.draft
        self._draft = d
        self.customer.set_customer(d.customer_id, details.customer_name)
        self.subject.setText(d.subject)
        for combo, value in ((self.request_type, d.request_type), (self.channel, d.channel),
                             (self.priority, d.priority), (self.status_combo, d.status), (self.assignee, d.assignee_id)):
            _select_data(combo, value)
        self.description.setPlainText(d.description)
        self._show_row("note", True)
        for name in ("checks", "entitlement", "override_reason"):
            self._show_row(name, False)
        self.setProperty("ticket_code", details.code)
        self.retranslate()

    def _ticket_errors(self) -> dict[str, str]:
        errors = {}
        if self.customer.customer_id is None:
            errors["customer_id"] = _("Choose a customer from the list.")
        err = v.validate_required("subject", self.subject.text())
        if err is not None:
            errors["subject"] = self.error_text(err)
        return errors

    def draft(self) -> TicketDraft:
        base = self._draft
        return TicketDraft(
            customer_id=self.customer.customer_id or 0, subject=self.subject.text(),
            request_type=self.request_type.currentData(), channel=self.channel.currentData(),
            priority=self.priority.currentData(), status=self.status_combo.currentData(),
            contact_id=self.contact.currentData(), contract_id=self.contract.currentData(),
            assignee_id=self.assignee.currentData(), description=self.description.toPlainText(),
            coverage=base.coverage if base else "", received_at=base.received_at if base else None,
        )

    def build_job(self):
        if self.record_id is None:
            return self.service.create_ticket, (self.draft(), self.operator_id, self.override_reason.text(),
                                                self.cooperating.isChecked(), self.in_scope.isChecked(),
                                                tuple(self.verifications.items()))
        return self.service.update_ticket, (self.record_id, self.version, self.draft(), self.operator_id,
                                            self.note.toPlainText())

    def retranslate(self) -> None:
        super().retranslate()
        code = self.property("ticket_code")
        self.setWindowTitle(_("Edit ticket {code}").format(code=code) if self.record_id else _("New ticket"))
        self.customer.setPlaceholderText(_("Type a name, code, phone or tax code"))
        for combo, enum_cls in ((self.request_type, RequestType), (self.channel, Channel),
                                (self.priority, Priority), (self.status_combo, TicketStatus)):
            _retranslate_enum_combo(combo, enum_cls)
        self.verify_button.setText(_("Verify the caller…"))
        self.cooperating.setText(_("Customer cooperates"))
        self.in_scope.setText(_("Within support scope"))
        self.override_reason.setPlaceholderText(_("Why the refusal is overridden (kept in the history)"))
        self._render_verdict()


class OperatorDialog(QDialog):
    """Who is at this workstation: chosen on first start, shown in the status bar."""

    def __init__(self, worker: DbWorker, service: HelpdeskService, operators, parent: QWidget | None = None):
        super().__init__(parent)
        self.worker = worker
        self.service = service
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
        self.role = self.form.add("role", N_("Role"), _enum_combo(OperatorRole))
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
                self.form.set_error(name, _(err.message) if err and w.isModified() else None)
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
        self.worker.submit(self._create, draft, on_done=self._created, on_error=self._failed)

    def _create(self, draft):
        new_id = self.service.add_operator(draft)
        return next(o for o in self.service.operators() if o.id == new_id)

    def _created(self, operator) -> None:
        self.operator = operator
        self.accept()

    def _failed(self, exc) -> None:
        log.error("cannot add operator", exc_info=exc)
        QMessageBox.warning(self, _("Operator"), _("The operator could not be saved; nothing was written. The details are in the log file."))
        self.ok_button.setEnabled(True)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Who is working at this computer?"))
        self.intro.setText(_("Choose yourself from the list, or add yourself as a new operator. Your name is recorded in the history of every ticket you change."))
        self.choice.setItemText(self.choice.count() - 1, _("A new operator…"))
        self.form.retranslate()
        _retranslate_enum_combo(self.role, OperatorRole)
        self.ok_button.setText(_("Start working"))
        self.quit_button.setText(_("Quit"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


__all__ = ["CustomerDialog", "ContractDialog", "TicketDialog", "OperatorDialog", "Qt"]
