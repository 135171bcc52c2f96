"""The contract form, with the contract's lifecycle, payments, milestones and history beside it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from ...domain import validation as v
from ...domain.enums import (
    ContractStage,
)
from ...i18n import N_, _
from ...services import contracts, customers
from ...services.changes import CONTRACTS
from ...services.dto import ContractDraft
from ..kit.attachments import AttachmentsBox
from ..kit.form import FormDialog
from ..kit.widgets import (
    CustomerPicker,
    DateField,
    MoneyField,
    enum_combo,
    fit_to_screen,
    retranslate_enum_combo,
    select_data,
)
from ..kit.worker import Jobs
from .panel import ContractPanel


class ContractDialog(FormDialog):
    RECORD = N_("contract")
    WATCHED = (CONTRACTS,)
    TEXT_RULES = {"number": (v.TEXT_LIMITS["contracts.number"], False), "notes": (v.LONG_TEXT, True)}
    def __init__(self, jobs: Jobs, packages, parent: QWidget | None = None,
                 operator_id: int | None = None):
        super().__init__(jobs, parent)
        self.operator_id = operator_id
        fit_to_screen(self, 640, 560)
        f = self.form
        self.customer = f.add("customer_id", N_("Customer"), CustomerPicker(jobs, customers.customer_choices), required=True)
        self.package = f.add("package_id", N_("Package"), QComboBox(), required=True)
        for p in packages:
            self.package.addItem(p.name, p.id)
        self.number = f.add("number", N_("Contract number"), QLineEdit())
        self.stage = f.add("stage", N_("Stage"), enum_combo(ContractStage))
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
        self.panel = ContractPanel(jobs, operator_id)
        self.panel.file_loaded.connect(self._file_loaded)
        self.panel.hide()
        self.attachments = AttachmentsBox(jobs, "contract", operator_id)  # issue #16: scanned minutes, change requests
        self.attachments.follow(self)
        self._finish_layout(self.panel, self.attachments)

    def _file_loaded(self, version: int) -> None:
        # Lifecycle moves and payments are saved at once; the form saves on top of them.
        self.version = version
        f = self.panel.file
        select_data(self.stage, f.stage)
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
        if self.package.findData(d.package_id) < 0:  # retired since: the contract keeps it
            self.package.addItem(_("{name} (no longer sold)").format(name=details.package_name), d.package_id)
        select_data(self.package, d.package_id)
        self.number.setText(d.number)
        select_data(self.stage, d.stage)
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
        self.attachments.set_owner(details.id)
        fit_to_screen(self, 780, 690)  # the fields and the file scroll; Save and Cancel stay in view
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
            notes=self.notes.toPlainText(), uuid=self.new_record_uuid(),
        )

    def details_job(self):
        return contracts.get_contract, (self.record_id,)

    def build_job(self):
        return contracts.save_contract, (self.draft(), self.record_id, self.version, self.operator_id)

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(_("Edit contract") if self.record_id else _("New contract"))
        self.customer.setPlaceholderText(_("Type a name, code, phone or tax code"))
        self.number.setPlaceholderText(_("Given automatically when left empty"))
        retranslate_enum_combo(self.stage, ContractStage)
