"""The contract's file inside its edit window: lifecycle moves, payments, planned
milestones and the contract's history. Each action is saved at once (on the worker) and
the file is read again, so what is shown is what is stored."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import date
from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...domain import validation as v
from ...domain.contracts import ContractDates, ContractError, Instalment, Payment, due_total, ends_early, outstanding
from ...domain.enums import ContractStage, ObligationKind, PaymentMethod
from ...domain.errors import ConcurrentEditError, ConnectionLost
from ...i18n import N_, _
from ...i18n.formatting import format_date, format_datetime, format_vnd
from ...services import contracts, worklog
from ...services.dto import InstalmentData, PaymentData, PlannedData
from ...services.errors import ValidationFailed
from ..kit import retranslate
from ..kit.countdown import CountdownTicker, day_countdown_colour, day_countdown_text
from ..kit.documents import open_report
from ..kit.endings import cancelled_colour, cancelled_text, coverage_colour, coverage_text
from ..kit.errors import failure_message
from ..kit.widgets import DateField, MoneyField, enum_label, error_label
from ..kit.worker import Jobs
from .acceptance import acceptance_report_html
from .page import contract_badge

log = logging.getLogger(__name__)
PLANNED_KINDS = [k for k in ObligationKind if not k.is_derived]

#: A change that lost the server before hearing whether it was written.
MSG_CONNECTION_LOST = N_("The connection to the server was lost before the change was confirmed. What you typed is "
                         "kept: once the server is back, check the contract and try again if the change is not "
                         "there. A payment added again is never counted twice.")


class ContractPanel(QTabWidget):
    """Tabs under the contract form. `file_loaded(version)` tells the form the new version."""

    file_loaded = Signal(int)

    def __init__(self, jobs: Jobs, operator_id: int | None, parent=None):
        super().__init__(parent)
        retranslate.register(self)
        self.jobs = jobs
        self.operator_id = operator_id
        self.file = None
        # The payment being typed: (contract id, UUID), chosen for its first Add and kept for
        # every retry until it is saved, so Add pressed again after a lost connection does not
        # count the money twice (services.once).
        self._payment_key: tuple[int, str] | None = None
        self._today: date | None = None
        self._stage_rows: list = []
        self._build_lifecycle()
        self._build_payments()
        self._build_milestones()
        self.history = QTextBrowser()
        self.addTab(self.lifecycle_tab, "")
        self.addTab(self.payments_tab, "")
        self.addTab(self.milestones_tab, "")
        self.addTab(self.history, "")
        self.ticker = CountdownTicker(None, None, jobs.now, self)
        self.retranslate()

    # -- building ----------------------------------------------------------------------
    def _build_lifecycle(self) -> None:
        self.lifecycle_tab = QWidget()
        self.stages_view = QLabel()
        self.stages_view.setWordWrap(True)
        self.target = QComboBox()
        self.move_on = DateField()
        self.new_maintenance_end = DateField()
        # Why a contract ends before its term (DOMAIN.md: terminated, with a date and a reason).
        self.termination_reason = QLineEdit()
        self.move_button = QPushButton()
        self.renew_button = QPushButton()
        self.acceptance_report_button = QPushButton()
        self.lifecycle_error = error_label()
        self.move_form = QFormLayout()
        self.target_label, self.on_label, self.term_label = QLabel(), QLabel(), QLabel()
        self.reason_label = QLabel()
        self.move_form.addRow(self.target_label, self.target)
        self.move_form.addRow(self.on_label, self.move_on)
        self.move_form.addRow(self.term_label, self.new_maintenance_end)
        self.move_form.addRow(self.reason_label, self.termination_reason)
        self.target.currentIndexChanged.connect(self._target_changed)
        buttons = QHBoxLayout()
        buttons.addWidget(self.move_button)
        buttons.addWidget(self.renew_button)
        buttons.addStretch()
        buttons.addWidget(self.acceptance_report_button)
        layout = QVBoxLayout(self.lifecycle_tab)
        layout.addWidget(self.stages_view)
        layout.addLayout(self.move_form)
        layout.addLayout(buttons)
        layout.addWidget(self.lifecycle_error)
        layout.addStretch()
        self.move_button.clicked.connect(self.move)
        self.renew_button.clicked.connect(self.renew)
        self.acceptance_report_button.clicked.connect(self.acceptance_report)

    def _build_payments(self) -> None:
        self.payments_tab = QWidget()
        self.payment_summary = QLabel()
        self.payments = QTableWidget(0, 4)
        self.payments.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.payments.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.paid_on, self.amount, self.method, self.invoice = DateField(), MoneyField(), QComboBox(), QLineEdit()
        for m in PaymentMethod:
            self.method.addItem("", m.value)
        self.add_payment_button = QPushButton()
        self.payment_error = error_label()
        row = QHBoxLayout()
        for w in (self.paid_on, self.amount, self.method, self.invoice, self.add_payment_button):
            row.addWidget(w)
        layout = QVBoxLayout(self.payments_tab)
        layout.addWidget(self.payment_summary)
        layout.addWidget(self.payments)
        layout.addLayout(row)
        layout.addWidget(self.payment_error)
        self.add_payment_button.clicked.connect(self.add_payment)
        self._build_schedule(layout)

    def _build_schedule(self, layout: QVBoxLayout) -> None:
        """The payment schedule: instalments edited here as a list, then saved at once (they
        must add up to the contract's value). Only those past their due date are debt."""
        self.schedule_title = QLabel()
        self.schedule = QTableWidget(0, 3)
        self.schedule.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.schedule.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.schedule.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.instalment_on, self.instalment_amount = DateField(), MoneyField()
        self.add_instalment_button, self.remove_instalment_button = QPushButton(), QPushButton()
        self.save_schedule_button = QPushButton()
        self.schedule_total = QLabel()
        self.schedule_error = error_label()
        row = QHBoxLayout()
        for w in (self.instalment_on, self.instalment_amount, self.add_instalment_button,
                  self.remove_instalment_button, self.save_schedule_button):
            row.addWidget(w)
        layout.addWidget(self.schedule_title)
        layout.addWidget(self.schedule)
        layout.addLayout(row)
        layout.addWidget(self.schedule_total)
        layout.addWidget(self.schedule_error)
        self.pending_schedule: list[InstalmentData] | None = None  # None: as stored
        self.add_instalment_button.clicked.connect(self.add_instalment)
        self.remove_instalment_button.clicked.connect(self.remove_instalment)
        self.save_schedule_button.clicked.connect(self.save_schedule)

    def _build_milestones(self) -> None:
        self.milestones_tab = QWidget()
        self.milestones = QTableWidget(0, 4)
        self.milestones.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.milestones.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.milestones.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.planned_kind, self.planned_on, self.planned_title = QComboBox(), DateField(), QLineEdit()
        for k in PLANNED_KINDS:
            self.planned_kind.addItem("", k.value)
        self.add_planned_button, self.done_button, self.remove_planned_button = QPushButton(), QPushButton(), QPushButton()
        self.planned_error = error_label()
        row = QHBoxLayout()
        for w in (self.planned_kind, self.planned_on, self.planned_title, self.add_planned_button):
            row.addWidget(w)
        row2 = QHBoxLayout()
        row2.addWidget(self.done_button)
        row2.addWidget(self.remove_planned_button)
        row2.addStretch()
        layout = QVBoxLayout(self.milestones_tab)
        layout.addWidget(self.milestones)
        layout.addLayout(row)
        layout.addLayout(row2)
        layout.addWidget(self.planned_error)
        self.add_planned_button.clicked.connect(self.add_planned)
        self.done_button.clicked.connect(self.mark_done)
        self.remove_planned_button.clicked.connect(self.remove_planned)

    # -- data ------------------------------------------------------------------------
    def reload(self, contract_id: int) -> None:
        self.jobs.submit(contracts.contract_file, contract_id, on_done=self.load)

    def load(self, f) -> None:
        self.file = f
        self.file_loaded.emit(f.version)
        self._render()

    def _render(self) -> None:
        f = self.file
        if f is None:
            return
        today = self.jobs.today()
        self._stage_rows = rows = [(ContractStage.REQUEST_RECEIVED, f.request_received_on), (ContractStage.AGREED, f.agreed_on),
                (ContractStage.SIGNED, f.signed_on), (ContractStage.IMPLEMENTATION, f.implementation_started_on),
                (ContractStage.COMPLETED, f.completed_on), (ContractStage.ACCEPTED, f.accepted_on),
                (ContractStage.ENDED, f.ended_on)]
        current = ContractStage(f.stage)
        self._today = today
        self._render_stages(rows)
        self.target.clear()
        for stage in ContractStage:
            if stage.order > current.order or (current == ContractStage.ENDED and stage == ContractStage.MAINTENANCE):
                self.target.addItem(enum_label(ContractStage, stage), stage.value)
        if not self.move_on.text():
            self.move_on.set_value(today)
        self.move_button.setEnabled(self.target.count() > 0)
        self.renew_button.setEnabled(f.warranty_end is not None or f.maintenance_end is not None)
        self.acceptance_report_button.setEnabled(f.accepted_on is not None)

        self.payments.setRowCount(len(f.payments))
        for r, p in enumerate(f.payments):
            for c, text in enumerate((format_date(p.paid_on), format_vnd(p.amount_vnd),
                                      enum_label(PaymentMethod, p.method), p.invoice_number)):
                self.payments.setItem(r, c, QTableWidgetItem(text))
        signed = current.order >= ContractStage.SIGNED.order
        if f.instalments:
            # Debt is what fell due and is unpaid (domain.contracts.outstanding); the rest is
            # still to come, not owed yet.
            schedule = [Instalment(i.due_on, i.amount_vnd) for i in f.instalments]
            payments = [Payment(p.paid_on, p.amount_vnd) for p in f.payments]
            overdue = outstanding(f.value_vnd, payments, today, schedule) if signed else 0
            self.payment_summary.setText(_("Value {value} · paid {paid} · overdue {owed} · not yet due {later}").format(
                value=format_vnd(f.value_vnd), paid=format_vnd(f.paid_vnd), owed=format_vnd(overdue),
                later=format_vnd(max(0, f.value_vnd - max(f.paid_vnd, due_total(schedule, today))))))
        else:
            owed = max(0, f.value_vnd - f.paid_vnd) if signed else 0
            self.payment_summary.setText(_("Value {value} · paid {paid} · outstanding {owed}").format(
                value=format_vnd(f.value_vnd), paid=format_vnd(f.paid_vnd), owed=format_vnd(owed)))
        if not self.paid_on.text():
            self.paid_on.set_value(today)
        self._render_schedule()

        self.milestones.setRowCount(len(f.planned))
        for r, p in enumerate(f.planned):
            for c, text in enumerate((enum_label(ObligationKind, p.kind), format_date(p.due_on), p.title)):
                self.milestones.setItem(r, c, QTableWidgetItem(text))
        self._render_milestone_countdowns()

        items = []
        for e in reversed(f.history):
            items.append(f"<li><b>{escape(format_datetime(e.occurred_at))}</b> · {escape(e.operator or '—')} · {escape(self._describe(e))}</li>")
        self.history.setHtml(f"<ul>{''.join(items)}</ul>")

    def _render_stages(self, rows) -> None:
        f, today = self.file, self._today
        current_title = _("Current stage: {stage}").format(stage=enum_label(ContractStage, f.stage))
        html = [f"<p><b>{escape(current_title)}</b>"]
        badge = contract_badge(today, f.warranty_end, f.maintenance_end, f.ended_on)
        if badge.state != "none":
            coverage = _("Coverage: {badge}").format(badge=coverage_text(badge))
            html.append(f"<br><b style='color:{coverage_colour(badge)}'>{escape(coverage)}</b>")
        html.append("</p><table>")
        for stage, day in rows:
            mark = "●" if day else "○"
            html.append(f"<tr><td>{mark} {escape(enum_label(ContractStage, stage))}</td><td>{escape(format_date(day) or '—')}</td></tr>")
        if f.termination_reason and f.ended_on:
            text = _("Terminated early on {date}: {reason}").format(date=format_date(f.ended_on),
                                                                    reason=f.termination_reason)
            html.append(f"<tr><td colspan='2'><b>{escape(text)}</b></td></tr>")
        for title, day in ((_("Warranty ends"), f.warranty_end), (_("Maintenance ends"), f.maintenance_end)):
            left = ""
            if day and f.ended_on is not None and f.ended_on < day:
                # Coverage ends with the contract (domain.contracts.covered_ends): no countdown
                # to a day that no longer covers anything.
                left = " " + escape(_("(ended with the contract on {date})").format(date=format_date(f.ended_on)))
            elif day:
                text, colour = day_countdown_text(day, today), day_countdown_colour(day, today)
                left = f" <span style='color:{colour.name()}'>({escape(text)})</span>"
            html.append(f"<tr><td style='padding-right:10px'>{escape(title)}</td><td>{escape(format_date(day) or '—')}{left}</td></tr>")
        html.append("</table>")
        self.stages_view.setText("".join(html))

    def _render_milestone_countdowns(self) -> None:
        for r, p in enumerate(self.file.planned):
            text = day_countdown_text(p.due_on, self._today, p.done_on)
            colour = day_countdown_colour(p.due_on, self._today, p.done_on)
            if p.cancelled_on is not None:  # stopped by an early end, not carried out
                text, colour = cancelled_text(p.cancelled_on), cancelled_colour()
            item = QTableWidgetItem(text)
            item.setForeground(colour)
            self.milestones.setItem(r, 3, item)

    def tick(self) -> None:
        """The panel's minute-aligned ticker: the countdowns count days, so they are worked
        out again only when the date moved on (nothing else in the window is touched)."""
        if self.file is None or self._today is None:
            return
        today = self.jobs.today()
        if today != self._today:
            self._today = today
            self._render_stages(self._stage_rows)
            self._render_milestone_countdowns()

    def showEvent(self, event) -> None:
        self.ticker.start()  # only a visible window ticks
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        self.ticker.stop()
        super().hideEvent(event)

    @staticmethod
    def _describe(e) -> str:
        if e.kind == "stage_changed":
            return _("Stage: {old} → {new} on {date}").format(
                old=enum_label(ContractStage, e.old_value), new=enum_label(ContractStage, e.new_value),
                date=format_date(date.fromisoformat(e.body)) if e.body else "")
        if e.kind == "payment":
            return _("Payment received: {amount}").format(amount=format_vnd(int(e.new_value or 0)))
        if e.kind == "renewed":
            return _("Maintenance renewed until {date}").format(date=format_date(date.fromisoformat(e.new_value)))
        if e.kind == "created":
            return _("Contract created")
        if e.kind == "imported":
            return _("Contract imported from {file}").format(file=e.body or "")
        if e.kind == "customer_changed":
            return _("Moved to customer {new} (from {old})").format(new=e.new_value or "", old=e.old_value or "")
        if e.kind == "planned_changed":
            return _("Milestones changed")
        if e.kind == "terminated":
            return _("Terminated early on {date}: {reason}").format(
                date=format_date(date.fromisoformat(e.new_value)) if e.new_value else "", reason=e.body or "")
        if e.kind == "schedule_changed":
            return _("Payment schedule set: {count} instalments").format(count=e.new_value or "0")
        return _("Contract edited")

    # -- actions -----------------------------------------------------------------------
    def _run(self, error_label: QLabel, fn, *args, clear: tuple = (), then=None) -> None:
        """Run a change on the worker, then read the contract again. The `clear` fields are
        emptied only once it is saved: a refused change keeps what was typed."""
        error_label.hide()
        contract_id = self.file.id

        def done(*_a):
            for field in clear:
                field.clear()
            if then is not None:
                then()
            self.reload(contract_id)

        def failed(exc):
            if isinstance(exc, ContractError):
                message = _(exc.message)
            elif isinstance(exc, ValidationFailed):
                message = "; ".join(e.text(_) for e in exc.errors)
            elif isinstance(exc, ConcurrentEditError):
                message = _("Someone else changed this contract meanwhile; it was read again. Try once more.")
                self.reload(contract_id)
            elif isinstance(exc, ValueError):
                message = _("Check the amount and the dates.")
            elif isinstance(exc, ConnectionLost):
                log.info("a contract change did not hear back from the server (%s)", exc)
                message = _(MSG_CONNECTION_LOST)
                self.reload(contract_id)  # read again once the server answers: the change may be there
            else:
                message = failure_message(N_("The change could not be saved; nothing was written."), exc, log)
            error_label.setText(message)
            error_label.show()

        self.jobs.submit(fn, *args, on_done=done, on_error=failed, owner=self)

    def move(self) -> None:
        problem = self.move_on.error() or self.new_maintenance_end.error()
        if problem or self.move_on.value() is None:
            self.lifecycle_error.setText(problem or _("Enter the date of the change."))
            self.lifecycle_error.show()
            return
        reason = self.termination_reason.text() if self.target.currentData() == ContractStage.ENDED.value else ""
        self._run(self.lifecycle_error, contracts.move_contract, self.file.id, self.file.version,
                  self.target.currentData(), self.move_on.value(), self.operator_id, self.new_maintenance_end.value(),
                  reason, clear=(self.termination_reason,))

    def _target_changed(self) -> None:
        """The reason row shows only for an end; it says it is needed when the end is early."""
        ending = self.target.currentData() == ContractStage.ENDED.value
        self.reason_label.setVisible(ending)
        self.termination_reason.setVisible(ending)
        if ending and self.file is not None:
            f = self.file
            dates = ContractDates(accepted_on=f.accepted_on, warranty_end=f.warranty_end, maintenance_end=f.maintenance_end)
            on = self.move_on.value() if not self.move_on.error() else None
            early = ends_early(dates, on or self.jobs.today())
            self.termination_reason.setPlaceholderText(
                _("Required: why the contract ends before its term") if early else _("Optional"))

    # -- the payment schedule ------------------------------------------------------------
    def _schedule_lines(self) -> list[InstalmentData]:
        if self.pending_schedule is not None:
            return self.pending_schedule
        return list(self.file.instalments) if self.file is not None else []

    def _render_schedule(self) -> None:
        f, today = self.file, self._today or self.jobs.today()
        lines = self._schedule_lines()
        self.schedule.setRowCount(len(lines))
        paid = f.paid_vnd
        running = 0
        for r, line in enumerate(lines):
            running += line.amount_vnd
            if running <= paid:
                state = _("Paid")
            elif line.due_on < today:
                state = _("Overdue: debt")
            else:
                state = _("Not yet due")
            for c, text in enumerate((format_date(line.due_on), format_vnd(line.amount_vnd), state)):
                self.schedule.setItem(r, c, QTableWidgetItem(text))
        total = sum(line.amount_vnd for line in lines)
        pending = _(" (not saved)") if self.pending_schedule is not None else ""
        self.schedule_total.setText(_("Instalments total {total} of the value {value}").format(
            total=format_vnd(total), value=format_vnd(f.value_vnd)) + pending)
        self.save_schedule_button.setEnabled(self.pending_schedule is not None)

    def add_instalment(self) -> None:
        problem = self.instalment_on.error() or self.instalment_amount.error()
        if problem or self.instalment_on.value() is None or self.instalment_amount.value() <= 0:
            self.schedule_error.setText(problem or _("Enter the due date and an amount above zero."))
            self.schedule_error.show()
            return
        self.schedule_error.hide()
        lines = self._schedule_lines() + [InstalmentData(self.instalment_on.value(), self.instalment_amount.value())]
        self.pending_schedule = sorted(lines, key=lambda i: i.due_on)
        self.instalment_amount.clear()
        self._render_schedule()

    def remove_instalment(self) -> None:
        r = self.schedule.currentRow()
        lines = self._schedule_lines()
        if 0 <= r < len(lines):
            self.pending_schedule = lines[:r] + lines[r + 1:]
            self._render_schedule()

    def save_schedule(self) -> None:
        if self.pending_schedule is None:
            return
        self._run(self.schedule_error, contracts.save_schedule, self.file.id, self.file.version,
                  list(self.pending_schedule), self.operator_id, then=self._schedule_saved)

    def _schedule_saved(self) -> None:
        self.pending_schedule = None

    def acceptance_report(self) -> None:
        """The acceptance minutes to print and sign; the operator signs for the vendor."""
        self.lifecycle_error.hide()

        def failed(exc):
            if isinstance(exc, ContractError):
                self.lifecycle_error.setText(_(exc.message))
            else:
                self.lifecycle_error.setText(failure_message(N_("The report could not be prepared."), exc, log))
            self.lifecycle_error.show()

        self.jobs.submit(worklog.acceptance_report, self.file.id, self.operator_id,
                           on_done=self._show_acceptance_report, on_error=failed)

    def _show_acceptance_report(self, result) -> None:
        facts, vendor = result
        self.report_dialog = open_report(self, lambda lang: acceptance_report_html(facts, vendor, lang),
                                         f"{facts.contract_number}-acceptance", N_("Acceptance minutes"))

    def renew(self) -> None:
        self._run(self.lifecycle_error, contracts.renew_maintenance, self.file.id, self.file.version, self.operator_id)

    def add_payment(self) -> None:
        invoice = v.validate_text("invoice_number", self.invoice.text(), v.TEXT_LIMITS["payments.invoice_number"])
        problem = self.paid_on.error() or self.amount.error() or (invoice.text(_) if invoice else None)
        if problem or self.paid_on.value() is None or self.amount.value() <= 0:
            self.payment_error.setText(problem or _("Enter the payment's date and an amount above zero."))
            self.payment_error.show()
            return
        if self._payment_key is None or self._payment_key[0] != self.file.id:
            self._payment_key = (self.file.id, str(uuid.uuid4()))
        payment = PaymentData(None, self.paid_on.value(), self.amount.value(), self.method.currentData(), self.invoice.text(),
                              uuid=self._payment_key[1])
        self._run(self.payment_error, contracts.add_payment, self.file.id, payment, self.operator_id,
                  clear=(self.amount, self.invoice), then=self._payment_saved)

    def _payment_saved(self) -> None:
        self._payment_key = None  # the next payment typed is another one

    def _planned(self) -> list[PlannedData]:
        return list(self.file.planned)

    def add_planned(self) -> None:
        problem = self.planned_on.error()
        if problem or self.planned_on.value() is None:
            self.planned_error.setText(problem or _("Enter the planned date."))
            self.planned_error.show()
            return
        items = self._planned() + [PlannedData(None, self.planned_kind.currentData(), self.planned_on.value(),
                                               self.planned_title.text().strip())]
        self._run(self.planned_error, contracts.save_planned, self.file.id, self.file.version, items, self.operator_id,
                  clear=(self.planned_title,))

    def _selected_planned(self) -> int:
        return self.milestones.currentRow()

    def mark_done(self) -> None:
        r = self._selected_planned()
        if r < 0:
            return
        items = self._planned()
        items[r] = replace(items[r], done_on=self.jobs.today())
        self._run(self.planned_error, contracts.save_planned, self.file.id, self.file.version, items, self.operator_id)

    def remove_planned(self) -> None:
        r = self._selected_planned()
        if r < 0:
            return
        items = self._planned()
        del items[r]
        self._run(self.planned_error, contracts.save_planned, self.file.id, self.file.version, items, self.operator_id)

    # -- language --------------------------------------------------------------------
    def retranslate(self) -> None:
        for i, title in enumerate((N_("Lifecycle"), N_("Payments"), N_("Milestones"), N_("History"))):
            self.setTabText(i, _(title))
        self.target_label.setText(_("Move to stage:"))
        self.on_label.setText(_("On date:"))
        self.term_label.setText(_("Maintenance term ends (optional):"))
        self.reason_label.setText(_("Reason for ending:"))
        self._target_changed()
        self.move_button.setText(_("&Move"))
        self.renew_button.setText(_("Renew maintenance for a year"))
        self.acceptance_report_button.setText(_("Acceptance &minutes…"))
        self.acceptance_report_button.setToolTip(_("The acceptance minutes to print or save as PDF for both parties to sign"))
        self.payments.setHorizontalHeaderLabels([_("Date"), _("Amount"), _("Method"), _("Invoice number")])
        for i in range(self.method.count()):
            self.method.setItemText(i, enum_label(PaymentMethod, self.method.itemData(i)))
        self.invoice.setPlaceholderText(_("Invoice number"))
        self.add_payment_button.setText(_("Add payment"))
        self.milestones.setHorizontalHeaderLabels([_("Kind"), _("Due"), _("Title"), _("Countdown")])
        for i in range(self.planned_kind.count()):
            self.planned_kind.setItemText(i, enum_label(ObligationKind, self.planned_kind.itemData(i)))
        self.planned_title.setPlaceholderText(_("Title, e.g. Training for cashiers"))
        self.add_planned_button.setText(_("Add"))
        self.done_button.setText(_("Mark done today"))
        self.remove_planned_button.setText(_("Remove"))
        self.schedule_title.setText(_("Payment schedule (only instalments past their due date are debt)"))
        self.schedule.setHorizontalHeaderLabels([_("Due"), _("Amount"), _("State")])
        self.add_instalment_button.setText(_("Add instalment"))
        self.remove_instalment_button.setText(_("Remove"))
        self.save_schedule_button.setText(_("Save schedule"))
        self._render()
