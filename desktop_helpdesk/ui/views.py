"""The list views: customers, contracts and tickets, each a filter box, actions and a table."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..domain.enums import (
    Channel,
    ContractStage,
    Coverage,
    CustomerKind,
    Priority,
    RequestType,
    TicketEventKind,
    TicketStatus,
)
from ..i18n import N_, _
from ..i18n.formatting import format_date, format_datetime, format_vnd
from ..services.helpdesk import HelpdeskService
from .tablemodel import Column, PagedTableModel
from .widgets import enum_label
from .worker import DbWorker


def _phone(e164: str) -> str:
    from .dialogs import _display_phone

    return _display_phone(e164)


class ListPage(QWidget):
    """A filter box, New/Edit buttons and a lazily paged table."""

    new_requested = Signal()
    edit_requested = Signal(int)
    current_changed = Signal(object)  # the row dataclass, or None

    key = ""
    title = ""
    new_label = ""

    def __init__(self, model: PagedTableModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.filter = QLineEdit()
        self.filter.setClearButtonEnabled(True)
        self.new_button = QPushButton()
        self.edit_button = QPushButton()
        self.count_label = QLabel()
        self.table = QTableView()
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        for i, c in enumerate(model.columns):
            self.table.setColumnWidth(i, c.width)
        sort_col = model.sort_column()
        if sort_col >= 0:
            header.setSortIndicator(sort_col, Qt.SortOrder.DescendingOrder if model.descending else Qt.SortOrder.AscendingOrder)
        # Enabled after the indicator shows the model's own order, so no extra reload.
        self.table.setSortingEnabled(True)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(lambda: self.model.set_filter_text(self.filter.text()))
        self.filter.textChanged.connect(lambda *_: self._debounce.start())
        self.new_button.clicked.connect(self.new_requested)
        self.edit_button.clicked.connect(self._edit_current)
        self.table.doubleClicked.connect(lambda *_: self._edit_current())
        self.table.activated.connect(lambda *_: self._edit_current())
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        model.page_loaded.connect(self._loaded)
        model.modelReset.connect(lambda: self._row_changed())
        self.toolbar = QHBoxLayout()
        self.toolbar.addWidget(self.filter, 1)
        self.toolbar.addWidget(self.new_button)
        self.toolbar.addWidget(self.edit_button)
        self.toolbar.addWidget(self.count_label)
        self.edit_button.setEnabled(False)
        self._select_after_load: int | None = None

    def build_layout(self, body: QWidget | None = None) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(self.toolbar)
        layout.addWidget(body or self.table)
        self.retranslate()

    def current_row(self):
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _edit_current(self) -> None:
        row = self.current_row()
        if row is not None:
            self.edit_requested.emit(row.id)

    def _row_changed(self, *args) -> None:
        row = self.current_row()
        self.edit_button.setEnabled(row is not None)
        self.current_changed.emit(row)

    def _loaded(self, count: int) -> None:
        more = "+" if self.model.canFetchMore() else ""
        self.count_label.setText(_("{count} rows").format(count=f"{count}{more}"))
        if self._select_after_load is not None:
            r = self.model.row_of_id(self._select_after_load)
            if r >= 0:
                self._select_after_load = None
                self.table.selectionModel().setCurrentIndex(
                    self.model.index(r, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.table.scrollTo(self.model.index(r, 0))

    def reload(self, select_id: int | None = None) -> None:
        current = self.current_row()
        self._select_after_load = select_id if select_id is not None else (current.id if current else None)
        self.model.reload()

    def retranslate(self) -> None:
        self.filter.setPlaceholderText(_("Filter: name, code, phone, tax code… (diacritics optional)"))
        self.new_button.setText(_(self.new_label))
        self.edit_button.setText(_("&Edit"))
        self.model.retranslate()
        self._loaded(self.model.rowCount())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def customers_model(worker: DbWorker, service: HelpdeskService) -> PagedTableModel:
    columns = [
        Column(N_("Code"), "code", lambda r: r.code, width=80),
        Column(N_("Name"), "name", lambda r: r.name, width=260),
        Column(N_("Kind"), "kind", lambda r: enum_label(CustomerKind, r.kind), width=120),
        Column(N_("Tax code"), "tax_code", lambda r: r.tax_code, width=110),
        Column(N_("Phone"), "phone", lambda r: _phone(r.phone), width=120),
        Column(N_("Province"), "province", lambda r: r.province, width=130),
        Column(N_("Contracts"), "", lambda r: str(r.contract_count), align_right=True, width=80),
        Column(N_("Open tickets"), "", lambda r: str(r.open_ticket_count), align_right=True, width=90),
    ]
    return PagedTableModel(columns, service.list_customers, worker, default_sort="name")


def contracts_model(worker: DbWorker, service: HelpdeskService) -> PagedTableModel:
    columns = [
        Column(N_("Number"), "number", lambda r: r.number, width=110),
        Column(N_("Customer"), "customer", lambda r: r.customer_name, width=220),
        Column(N_("Package"), "package", lambda r: r.package_name, width=170),
        Column(N_("Stage"), "stage", lambda r: enum_label(ContractStage, r.stage), width=140),
        Column(N_("Value"), "value_vnd", lambda r: format_vnd(r.value_vnd), align_right=True, width=110),
        Column(N_("Signed on"), "signed_on", lambda r: format_date(r.signed_on), width=95),
        Column(N_("Accepted on"), "accepted_on", lambda r: format_date(r.accepted_on), width=95),
        Column(N_("Warranty ends"), "warranty_end", lambda r: format_date(r.warranty_end), width=95),
        Column(N_("Maintenance ends"), "maintenance_end", lambda r: format_date(r.maintenance_end), width=95),
    ]
    return PagedTableModel(columns, service.list_contracts, worker, default_sort="number", default_descending=True)


def tickets_model(worker: DbWorker, service: HelpdeskService) -> PagedTableModel:
    columns = [
        Column(N_("Code"), "code", lambda r: r.code, width=100),
        Column(N_("Received"), "received_at", lambda r: format_datetime(r.received_at), width=120),
        Column(N_("Subject"), "subject", lambda r: r.subject, width=260),
        Column(N_("Customer"), "customer", lambda r: r.customer_name, width=200),
        Column(N_("Contract"), "", lambda r: r.contract_number, width=100),
        Column(N_("Type"), "request_type", lambda r: enum_label(RequestType, r.request_type), width=110),
        Column(N_("Status"), "status", lambda r: enum_label(TicketStatus, r.status), width=120),
        Column(N_("Priority"), "priority", lambda r: enum_label(Priority, r.priority), width=80),
        Column(N_("Channel"), "channel", lambda r: enum_label(Channel, r.channel), width=90),
        Column(N_("Coverage"), "coverage", lambda r: enum_label(Coverage, r.coverage), width=90),
        Column(N_("Assigned to"), "", lambda r: r.assignee, width=140),
    ]
    return PagedTableModel(columns, service.list_tickets, worker, default_sort="received_at", default_descending=True,
                           filters={"state": "open"})


class CustomersPage(ListPage):
    key = "customers"
    title = N_("Customers")
    new_label = N_("&New customer")

    def __init__(self, worker: DbWorker, service: HelpdeskService, parent: QWidget | None = None):
        super().__init__(customers_model(worker, service), parent)
        self.build_layout()


class ContractsPage(ListPage):
    key = "contracts"
    title = N_("Contracts")
    new_label = N_("&New contract")

    def __init__(self, worker: DbWorker, service: HelpdeskService, parent: QWidget | None = None):
        super().__init__(contracts_model(worker, service), parent)
        self.build_layout()


class TicketsPage(ListPage):
    """Tickets, with the selected ticket's customer, contract, status and history below."""

    key = "tickets"
    title = N_("Tickets")
    new_label = N_("&New ticket")
    STATES = (("open", N_("Open tickets")), ("done", N_("Resolved and closed")), ("", N_("All tickets")))

    def __init__(self, worker: DbWorker, service: HelpdeskService, parent: QWidget | None = None):
        super().__init__(tickets_model(worker, service), parent)
        self.worker = worker
        self.service = service
        self.state = QComboBox()
        for value, _title in self.STATES:
            self.state.addItem("", value)
        self.state.currentIndexChanged.connect(lambda *_: self.model.set_filters(state=self.state.currentData()))
        self.toolbar.insertWidget(1, self.state)
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self._details = None
        self._asked = 0
        self.current_changed.connect(self._show_current)
        self.build_layout(self.splitter)

    def _show_current(self, row) -> None:
        self._asked += 1
        asked = self._asked
        if row is None:
            self._details = None
            self._render()
            return
        self.worker.submit(self.service.get_ticket, row.id, on_done=lambda d: self._got(asked, d))

    def _got(self, asked: int, details) -> None:
        if asked == self._asked:
            self._details = details
            self._render()

    def _render(self) -> None:
        d = self._details
        if d is None:
            hint = _("Select a ticket to see its details and history.")
            self.detail.setHtml(f"<p style='color:#666'>{hint}</p>")
            return
        from html import escape

        dr = d.draft
        rows = [
            (_("Customer"), d.customer_name), (_("Contact"), d.contact_name), (_("Contract"), d.contract_number),
            (_("Status"), enum_label(TicketStatus, dr.status)), (_("Type"), enum_label(RequestType, dr.request_type)),
            (_("Received"), format_datetime(dr.received_at)),
        ]
        head = "".join(f"<tr><td style='color:#555;padding-right:12px'>{escape(k)}</td><td>{escape(v or '—')}</td></tr>" for k, v in rows)
        items = []
        for e in reversed(d.history):
            items.append(f"<li><b>{escape(format_datetime(e.occurred_at))}</b> · {escape(e.operator or '—')} · {escape(self._describe(e))}</li>")
        history_title = _("History")
        html = (f"<h3>{escape(d.code)} — {escape(dr.subject)}</h3><table>{head}</table>"
                + (f"<p>{escape(dr.description)}</p>" if dr.description else "")
                + f"<h4>{escape(history_title)}</h4><ul>{''.join(items)}</ul>")
        self.detail.setHtml(html)

    @staticmethod
    def _describe(e) -> str:
        kind = TicketEventKind(e.kind) if e.kind in set(TicketEventKind) else None
        if kind == TicketEventKind.CREATED:
            return _("Ticket created")
        if kind == TicketEventKind.STATUS_CHANGED:
            return _("Status: {old} → {new}").format(old=enum_label(TicketStatus, e.old_value), new=enum_label(TicketStatus, e.new_value))
        if kind == TicketEventKind.ASSIGNED:
            return _("Assignment changed")
        if kind == TicketEventKind.NOTE:
            return _("Note: {text}").format(text=e.body)
        if kind == TicketEventKind.FIELD_CHANGED:
            names = {"subject": _("Subject"), "request_type": _("Type"), "channel": _("Channel"), "priority": _("Priority"),
                     "contact_id": _("Contact"), "contract_id": _("Contract"), "coverage": _("Coverage"), "description": _("Description")}
            labels = {"request_type": RequestType, "channel": Channel, "priority": Priority, "coverage": Coverage}
            old, new = e.old_value, e.new_value
            if e.field in labels:
                old, new = enum_label(labels[e.field], old), enum_label(labels[e.field], new)
            if e.field in ("contact_id", "contract_id", "description"):
                return _("{field} changed").format(field=names.get(e.field, e.field))
            return _("{field}: {old} → {new}").format(field=names.get(e.field, e.field), old=old or "—", new=new or "—")
        return e.kind

    def reload(self, select_id: int | None = None) -> None:
        super().reload(select_id)

    def retranslate(self) -> None:
        super().retranslate()
        if hasattr(self, "state"):
            for i, (_value, title) in enumerate(self.STATES):
                self.state.setItemText(i, _(title))
            self._render()
