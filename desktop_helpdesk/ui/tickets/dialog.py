"""The ticket form: the caller, the request, what the customer is entitled to, and the verification."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...domain import validation as v
from ...domain.enums import (
    Channel,
    ContractStage,
    Coverage,
    Priority,
    RequestType,
    TicketStatus,
)
from ...i18n import N_, _
from ...domain.same_problem import SIMILAR
from ...i18n.formatting import format_date
from ...services import contracts, customers, lookup, tickets
from ...services.changes import HISTORY, TICKETS
from ...services.dto import TicketDraft
from ..kit.attachments import AttachmentsBox
from ..kit.form import FormDialog
from ..kit import marks
from ..kit.widgets import (
    CustomerPicker,
    display_phone,
    enum_combo,
    enum_label,
    retranslate_enum_combo,
    select_data,
)
from ..kit.worker import Jobs
from .assign import ASSIGN_KEY, AssignPicker, assign_key_text, operator_label
from .change_request import RequestActions
from .verification import VerifyDialog


class TicketDialog(FormDialog):
    RECORD = N_("ticket")
    WATCHED = (TICKETS, HISTORY)
    TEXT_RULES = {"subject": (v.TEXT_LIMITS["tickets.subject"], False), "description": (v.LONG_TEXT, True),
                  "note": (v.LONG_TEXT, True), "override_reason": (v.LONG_TEXT, False)}
    #: The entitlement is asked again once the fields that decide it rest this long.
    VERDICT_PAUSE_MS = 250
    #: "Open that ticket instead" (ticket id): the new form closes, that ticket opens.
    open_instead_requested = Signal(int)

    def __init__(self, jobs: Jobs, operators, parent: QWidget | None = None,
                 operator_id: int | None = None):
        super().__init__(jobs, parent)
        self.operator_id = operator_id
        self.resize(620, 600)
        f = self.form
        self.customer = f.add("customer_id", N_("Customer"), CustomerPicker(jobs, customers.customer_choices), required=True)
        self.contact = f.add("contact_id", N_("Contact"), QComboBox())
        self.contract = f.add("contract_id", N_("Contract"), QComboBox())
        self.subject = f.add("subject", N_("Subject"), QLineEdit(), required=True)
        self.request_type = f.add("request_type", N_("Type"), enum_combo(RequestType))
        self.channel = f.add("channel", N_("Channel"), enum_combo(Channel))
        self.priority = f.add("priority", N_("Priority"), enum_combo(Priority))
        self.status_combo = f.add("status", N_("Status"), enum_combo(TicketStatus))
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
        self._build_repeats()
        # A saved complaint's reply, a change request's writing, quote and approval (issue #16).
        self.request_actions = f.add("request_actions", N_("Before settling"), RequestActions(jobs, operator_id, self))
        self.description.setMaximumHeight(90)
        self.note.setMaximumHeight(60)
        select_data(self.priority, Priority.NORMAL.value)
        self.assignee.addItem("", None)
        for o in operators:
            self.assignee.addItem(operator_label(o), o.id)
        # Ctrl+Alt+A: the type-ahead picker sets the field (saved with the rest of the form).
        QShortcut(QKeySequence(ASSIGN_KEY), self, activated=self.pick_assignee)
        self.picker: AssignPicker | None = None
        self._draft = None
        self.verdict = None
        self.customer.customer_changed.connect(self._customer_changed)
        for signal in (self.customer.customer_changed, self.contract.currentIndexChanged,
                       self.request_type.currentIndexChanged, self.subject.textChanged,
                       self.cooperating.toggled, self.in_scope.toggled):
            signal.connect(lambda *_: self._ask_verdict())
        self._watch(self.subject, self.request_type, self.channel, self.override_reason)
        for name in ("note", "override_reason", "request_actions"):
            self._show_row(name, False)
        self._preset_contact: int | None = None
        # Fully keyboard-driven: Tab leaves the text boxes instead of typing a tab, and walks
        # the fields in the order they are shown; Ctrl+Enter saves, Esc cancels.
        for box in (self.description, self.note):
            box.setTabChangesFocus(True)
        self.attachments = AttachmentsBox(jobs, "ticket", operator_id)  # issue #16
        self.attachments.follow(self)
        self._finish_layout(self.attachments)
        chain = [self.customer, self.contact, self.contract, self.subject, self.request_type, self.channel,
                 self.priority, self.status_combo, self.assignee, self.description, self.note, self.cooperating,
                 self.in_scope, self.verify_button, self.override_reason, self.save_button, self.cancel_button]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)
        self.customer.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- "this customer already has an open ticket on this" ------------------------------
    def _build_repeats(self) -> None:
        """The customer's open tickets the new one may repeat (domain/same_problem.py), with
        "open that ticket instead"; asked as the customer, type and subject change."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.repeats_label = QLabel()
        self.repeats_label.setWordWrap(True)
        self.repeats_label.setTextFormat(Qt.TextFormat.RichText)
        self.repeats_label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                                   | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.repeats_label.linkActivated.connect(lambda link: self.open_instead(int(link.partition(":")[2])))
        self.open_instead_button = QPushButton()
        self.open_instead_button.clicked.connect(lambda: self.repeats and self.open_instead(self.repeats[0][0].id))
        column.addWidget(self.repeats_label)
        row = QHBoxLayout()
        row.addWidget(self.open_instead_button)
        row.addStretch()
        column.addLayout(row)
        self.form.add("repeats", N_("Already open"), box)
        self.repeats: tuple = ()
        self._show_row("repeats", False)
        for signal in (self.customer.customer_changed, self.request_type.currentIndexChanged, self.subject.textChanged):
            signal.connect(lambda *_: self._ask_repeats())

    def _ask_repeats(self) -> None:
        if self.record_id is not None or self.customer.customer_id is None:
            self.jobs.forget("repeats", self)
            self._got_repeats(())
            return
        self.jobs.submit(lookup.open_tickets_like, self.customer.customer_id, self.request_type.currentData(),
                         self.subject.text(), on_done=self._got_repeats, owner=self, key="repeats",
                         debounce_ms=self.VERDICT_PAUSE_MS)

    def _got_repeats(self, found) -> None:
        self.repeats = tuple(found)
        self._render_repeats()

    def _render_repeats(self) -> None:
        lines = []
        for t, reason in self.repeats:
            code = f"<a href='ticket:{t.id}'>{escape(t.code)}</a>"
            status = enum_label(TicketStatus, t.status)
            if reason == SIMILAR:
                text = _("{code} “{subject}” is open on a similar problem ({status}).")
            else:
                text = _("{code} “{subject}” is open, of the same type ({type}).")
            lines.append("⚠ " + escape(text).format(code=code, subject=escape(t.subject), status=escape(status),
                                                    type=escape(enum_label(RequestType, t.request_type))))
        self.repeats_label.setText(f"<div style='color:{marks.WARNING}'>" + "<br>".join(lines) + "</div>" if lines else "")
        self.open_instead_button.setText(_("Open {code} instead").format(code=self.repeats[0][0].code)
                                         if self.repeats else "")
        self._show_row("repeats", bool(self.repeats))

    def open_instead(self, ticket_id: int) -> None:
        """The operator chose the open ticket over a new one: this form closes without asking
        (that was the choice), the open ticket opens."""
        self._discard_confirmed = True
        self.open_instead_requested.emit(ticket_id)
        self.reject()

    def pick_assignee(self) -> AssignPicker:
        picker = AssignPicker(self.jobs, None, self.assignee.currentData(), self.property("ticket_code") or "",
                              self, close_on_choice=True, me_id=self.operator_id)
        picker.chosen.connect(self._assignee_chosen)
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        picker.finished.connect(self._picker_closed)
        self.picker = picker
        picker.open()
        return picker

    def _picker_closed(self, *_args) -> None:
        self.activateWindow()  # back to the form, for Ctrl+Enter
        self.assignee.setFocus(Qt.FocusReason.OtherFocusReason)

    def _assignee_chosen(self, assignee_id) -> None:
        if assignee_id is not None and self.assignee.findData(assignee_id) < 0:
            # Added since the form opened: the picker read the operators afresh.
            chosen = next((o for o in self.picker.operators if o.id == assignee_id), None) if self.picker else None
            self.assignee.addItem(operator_label(chosen) if chosen else f"#{assignee_id}", assignee_id)
        if assignee_id is None:
            self.assignee.setCurrentIndex(0)  # the empty first item: nobody
        else:
            select_data(self.assignee, assignee_id)

    def _show_row(self, name: str, visible: bool) -> None:
        self.form.rows[name].setVisible(visible)
        self.form.labels[name][0].setVisible(visible)

    # -- entitlement, decided by the service as the operator types ---------------------
    def _ask_verdict(self) -> None:
        """A field the verdict depends on changed: ask once they rest (the newest answer
        wins; one a quick save's closed form would get is dropped)."""
        if self.record_id is not None or self.customer.customer_id is None:
            self.jobs.forget("verdict", self)  # no verdict for a customer no longer chosen
            self.verdict = None
            self._render_verdict()
            return
        self.jobs.submit(contracts.entitlement, self.customer.customer_id, self.contract.currentData(),
                         self.request_type.currentData(), self.subject.text(), self.cooperating.isChecked(),
                         self.in_scope.isChecked(), on_done=self._got_verdict, owner=self, key="verdict",
                         debounce_ms=self.VERDICT_PAUSE_MS)

    def _got_verdict(self, verdict) -> None:
        self.verdict = verdict
        self._render_verdict()
        self.revalidate()

    def _render_verdict(self) -> None:
        v = self.verdict
        if v is None:
            self.entitlement_label.setText("")
            self._show_row("override_reason", False)
            return
        colour = marks.COVERAGE_COLOURS[Coverage(v.coverage.value)]
        head = f"<b style='color:{colour}'>{escape(enum_label(Coverage, v.coverage.value))}</b>"
        # Symbols as well as colour: a refusal ground reads as one without colour too.
        reasons = "".join(f"<div>{'✖' if r.is_refusal else '⚠'} {escape(_(r.message))}</div>" for r in v.reasons)
        earlier = getattr(v, "earlier_ticket", None)
        if earlier is not None:  # seed 002 §6: which ticket asked the same guidance before
            reasons += "<div>↪ " + escape(_("Asked before: {code} of {date}: {subject}").format(
                code=earlier.code, date=format_date(earlier.received_on), subject=earlier.subject)) + "</div>"
        if getattr(v, "priority_first", False):  # seed 004: maintenance customers get priority
            reasons += "<div>↑ " + escape(_("Maintenance customer: the priority is raised one step on saving "
                                            "and the ticket comes first in the lists.")) + "</div>"
        self.entitlement_label.setText(head + reasons)
        # No adjustSize(): it shrank the label to its own narrow hint and the form kept that
        # width, so a reason longer than the head was cut ("Part or all of the agreed").
        self.entitlement_label.updateGeometry()
        self._show_row("override_reason", v.refused)

    def field_errors(self) -> dict[str, str]:
        errors = self._ticket_errors()
        if self.verdict is not None and self.verdict.refused and not self.override_reason.text().strip():
            errors["override_reason"] = _("The request is refused: type why you serve it anyway, or cancel.")
        return errors

    def verify_caller(self) -> None:
        if self.customer.customer_id is None:
            return
        dialog = VerifyDialog(self.jobs, self.customer.customer_id, self.record_id,
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
        if customer_id is not None:  # newest wins: a customer chosen before answers late
            self.jobs.submit(customers.get_customer, customer_id, on_done=self._fill_contacts, owner=self, key="contacts")
            self.jobs.submit(contracts.contract_choices, customer_id, on_done=self._fill_contracts, owner=self,
                             key="contracts")
        else:
            self.jobs.forget("contacts", self)
            self.jobs.forget("contracts", self)
        self.revalidate()

    def _fill_contacts(self, details) -> None:
        for c in details.draft.contacts:
            self.contact.addItem(f"{c.full_name}" + (f" – {display_phone(c.phone)}" if c.phone else ""), c.id)
        if self._draft is not None:
            select_data(self.contact, self._draft.contact_id)
        elif self._preset_contact is not None and self.contact.findData(self._preset_contact) >= 0:
            select_data(self.contact, self._preset_contact)
        elif self.contact.count() > 1:
            self.contact.setCurrentIndex(1)

    def _fill_contracts(self, choices) -> None:
        for k in choices:
            self.contract.addItem(f"{k.number} – {k.package_name} ({enum_label(ContractStage, k.stage)})", k.id)
        if self._draft is not None:
            select_data(self.contract, self._draft.contract_id)
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
        select_data(self.channel, channel)
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
            select_data(combo, value)
        self.description.setPlainText(d.description)
        self._show_row("note", True)
        for name in ("checks", "entitlement", "override_reason"):
            self._show_row(name, False)
        self.request_actions.set_ticket(details.id, d.request_type, details.history)
        self._show_row("request_actions", self.request_actions.applies())
        self.setProperty("ticket_code", details.code)
        self.attachments.set_owner(details.id)
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
            uuid=self.new_record_uuid(),
        )

    def details_job(self):
        return tickets.get_ticket, (self.record_id,)

    def build_job(self):
        if self.record_id is None:
            return tickets.create_ticket, (self.draft(), self.operator_id, self.override_reason.text(),
                                                self.cooperating.isChecked(), self.in_scope.isChecked(),
                                                tuple(self.verifications.items()))
        return tickets.update_ticket, (self.record_id, self.version, self.draft(), self.operator_id,
                                            self.note.toPlainText())

    def retranslate(self) -> None:
        super().retranslate()
        code = self.property("ticket_code")
        self.setWindowTitle(_("Edit ticket {code}").format(code=code) if self.record_id else _("New ticket"))
        self.customer.setPlaceholderText(_("Type a name, code, phone or tax code"))
        for combo, enum_cls in ((self.request_type, RequestType), (self.channel, Channel),
                                (self.priority, Priority), (self.status_combo, TicketStatus)):
            retranslate_enum_combo(combo, enum_cls)
        self.verify_button.setText(_("Verify the caller…"))
        self.assignee.setToolTip(_("Type to choose from the list ({key})").format(key=assign_key_text()))
        self.cooperating.setText(_("Customer cooperates"))
        self.in_scope.setText(_("Within support scope"))
        self.override_reason.setPlaceholderText(_("Why the refusal is overridden (kept in the history)"))
        self._render_verdict()
        self._render_repeats()
