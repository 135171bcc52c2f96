"""The customer form: company or person, contacts, and the caller verification questions."""

from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain import validation as v
from ...domain.enums import (
    CustomerKind,
)
from ...domain.phone import normalize_phone
from ...i18n import N_, _
from ...services import customers
from ...services.changes import CUSTOMERS
from ...services.dto import ContactData, CustomerDraft
from ..kit.attachments import AttachmentsBox
from ..kit.errors import failure_message
from ..kit.form import FormDialog
from ..kit.widgets import (
    display_phone,
    enum_combo,
    error_label,
    retranslate_enum_combo,
    select_data,
)
from ..kit.worker import Jobs
from .merge import banner_label, history_line, standing_text

log = logging.getLogger(__name__)


class CustomerDialog(FormDialog):
    RECORD = N_("customer")
    WATCHED = (CUSTOMERS,)
    TEXT_RULES = {"code": (v.TEXT_LIMITS["customers.code"], False), "name": (v.TEXT_LIMITS["customers.name"], False),
                  "address": (v.TEXT_LIMITS["customers.address"], False),
                  "province": (v.TEXT_LIMITS["customers.province"], False), "notes": (v.LONG_TEXT, True)}
    CONTACT_COLUMNS = (N_("Full name"), N_("Position"), N_("Phone"), N_("E-mail"))

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(jobs, parent)
        self.resize(640, 640)
        f = self.form
        self.name = f.add("name", N_("Name"), QLineEdit(), required=True)
        self.code = f.add("code", N_("Code"), QLineEdit())
        self.kind = f.add("kind", N_("Kind"), enum_combo(CustomerKind))
        self.tax_code = f.add("tax_code", N_("Tax code"), QLineEdit())
        self.phone = f.add("phone", N_("Phone"), QLineEdit())
        self.email = f.add("email", N_("E-mail"), QLineEdit())
        self.address = f.add("address", N_("Address"), QLineEdit())
        self.province = f.add("province", N_("Province"), QLineEdit())
        self.notes = f.add("notes", N_("Notes"), QPlainTextEdit())
        self.notes.setMaximumHeight(70)
        self.contacts_label = QLabel()
        self.contacts = QTableWidget(0, len(self.CONTACT_COLUMNS))
        self.contacts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.contacts.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.contacts.itemChanged.connect(lambda *_: self.revalidate())
        self.add_contact_button = QPushButton()
        self.remove_contact_button = QPushButton()
        self.add_contact_button.clicked.connect(self.add_contact_row)
        self.remove_contact_button.clicked.connect(self.remove_contact_row)
        self.contacts_error = error_label(word_wrap=False)
        buttons = QWidget()
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.add_contact_button)
        row.addWidget(self.remove_contact_button)
        row.addStretch()
        self._contact_ids: list[int | None] = []
        self._watch(self.code, self.name, self.kind, self.tax_code, self.phone, self.email)
        self.questions_box = self._build_questions()
        self.history_box = self._build_history()
        # Archived, or merged into another customer: said above everything else.
        self.banner = banner_label()
        self._details = None
        self.attachments = AttachmentsBox(jobs, "customer")  # issue #16
        self.attachments.follow(self)
        self._finish_layout(self.contacts_label, self.contacts, self.contacts_error, buttons, self.questions_box,
                            self.history_box, self.attachments)
        self.layout().insertWidget(0, self.banner)

    def _build_history(self) -> QWidget:
        """The customer's own history: merged, archived, restored (read when a customer is loaded)."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.history_label = QLabel()
        self.history_list = QLabel()
        self.history_list.setWordWrap(True)
        self.history_list.setTextFormat(Qt.TextFormat.PlainText)  # names typed by staff: never read as HTML
        self.history_list.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.history_label)
        layout.addWidget(self.history_list)
        box.hide()  # shown for a saved customer
        self._history: list = []
        return box

    def _load_history(self) -> None:
        self.jobs.submit(customers.customer_history, self.record_id, on_done=self._show_history, owner=self,
                         key="history")

    def _show_history(self, entries) -> None:
        self._history = list(entries)
        self._render_history()

    def _render_history(self) -> None:
        self.history_list.setText("\n".join(f"• {history_line(e)}" for e in reversed(self._history))
                                  or _("Nothing yet: merges, archiving and restoring are recorded here."))

    def _render_banner(self) -> None:
        text = standing_text(self._details) if self._details is not None else ""
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

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
        self.question_error = error_label(word_wrap=False)
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
        self.jobs.submit(customers.verification_questions, self.record_id, on_done=self._show_questions)

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
            self.question_error.setText(failure_message(N_("The question could not be saved."), exc, log))
            self.question_error.show()

        self.jobs.submit(customers.add_verification_question, self.record_id, question, answer,
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
        self.contacts.setRowCount(0)  # loaded again (Reload): the saved contacts replace the shown ones
        self._contact_ids.clear()
        self.code.setText(d.code)
        self.name.setText(d.name)
        select_data(self.kind, d.kind)
        self.tax_code.setText(d.tax_code)
        self.phone.setText(display_phone(d.phone))
        self.email.setText(d.email)
        self.address.setText(d.address)
        self.province.setText(d.province)
        self.notes.setPlainText(d.notes)
        for c in d.contacts:
            self.add_contact_row(replace(c, phone=display_phone(c.phone)))
        self.questions_box.show()
        self._load_questions()
        self._details = details
        self.history_box.show()
        self._load_history()
        self.attachments.set_owner(details.id)
        self.retranslate()

    def preset_phone(self, phone: str) -> None:
        """A new customer for a caller nobody has: the number (E.164) shown in its normal
        form, the cursor in the name."""
        self.phone.setText(display_phone(phone))
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def add_caller_contact(self, phone: str) -> None:
        """The number of an unknown caller of this customer: a new contact holding it (in its
        normal form), the cursor on the contact's name to type."""
        self.add_contact_row(ContactData(None, "", "", display_phone(phone), ""))
        r = self.contacts.rowCount() - 1
        self.contacts.setCurrentCell(r, 0)
        self.contacts.setFocus(Qt.FocusReason.OtherFocusReason)
        self.contacts.editItem(self.contacts.item(r, 0))

    def draft(self) -> CustomerDraft:
        return CustomerDraft(
            name=self.name.text(), kind=self.kind.currentData(), code=self.code.text(),
            tax_code=self.tax_code.text(), address=self.address.text(), province=self.province.text(),
            phone=self.phone.text(), email=self.email.text(), notes=self.notes.toPlainText(),
            contacts=self._contact_drafts(), uuid=self.new_record_uuid(),
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

    def details_job(self):
        return customers.get_customer, (self.record_id,)

    def field_text(self, name: str, value, details) -> str:
        if name == "phone" and value:  # typed as the user likes, stored as E.164
            try:
                return display_phone(normalize_phone(value))
            except ValueError:
                return value
        return super().field_text(name, value, details)

    def build_job(self):
        return customers.save_customer, (self.draft(), self.record_id, self.version)

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(_("Edit customer") if self.record_id else _("New customer"))
        self.code.setPlaceholderText(_("Given automatically when left empty"))
        self.phone.setPlaceholderText(_("e.g. 0912 345 678 or 028 3974 3179"))
        self.tax_code.setPlaceholderText(_("10 digits, 10 digits-3 digits for a branch, or a 12-digit personal ID"))
        retranslate_enum_combo(self.kind, CustomerKind)
        self.contacts_label.setText(_("Contacts:"))
        self.contacts.setHorizontalHeaderLabels([_(t) for t in self.CONTACT_COLUMNS])
        self.add_contact_button.setText(_("Add contact"))
        self.remove_contact_button.setText(_("Remove contact"))
        self.questions_label.setText(_("Verification questions (answers are stored only as a fingerprint):"))
        self.new_question.setPlaceholderText(_("Question, e.g. Who signed the contract?"))
        self.new_answer.setPlaceholderText(_("Answer"))
        self.add_question_button.setText(_("Add question"))
        self.history_label.setText(_("History:"))
        self._render_history()
        self._render_banner()
