"""The list views: customers, contracts and tickets, each a filter box, actions and a table;
and what the lists share to show coverage and countdowns in days."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape
from typing import Any, Callable

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor
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

from ..domain.coverage import CoverageBadge, coverage_badge
from ..domain.enums import (
    Channel,
    ContractStage,
    Coverage,
    CustomerKind,
    ObligationKind,
    Priority,
    RequestType,
    TicketStatus,
)
from ..domain.obligations import days_left
from ..i18n import N_, _, ngettext
from ..i18n.formatting import DISPLAY_ZONE, format_date, format_datetime, format_duration, format_number, format_time_left, format_vnd
from ..services.dto import ListQuery
from ..services.helpdesk import HelpdeskService
from .countdown import CountdownTicker
from .tablemodel import Column, Index, PagedTableModel
from .widgets import enum_label
from .worker import DbWorker

log = logging.getLogger(__name__)


def _phone(e164: str) -> str:
    from .dialogs import _display_phone

    return _display_phone(e164)


#: Countdowns in days (obligations, contract dates): per state, a mark that reads without
#: colour and a colour, the same marks as the SLA clocks' (● running, ▲ soon, ✖ overdue, ✔ done).
DAY_COLOURS = {"done": QColor("#607d8b"), "overdue": QColor("#b00020"), "soon": QColor("#a15c00"),
               "running": QColor("#1b5e20")}
DAY_MARKS = {"done": "✔", "overdue": "✖", "soon": "▲", "running": "●"}
#: An open obligation due within this many days is "soon".
SOON_DAYS = 7


def today_in_vietnam(service: HelpdeskService) -> date:
    """Today's date in Hà Nội by the service's clock (a clock read, not a query)."""
    return service.now().astimezone(DISPLAY_ZONE).date()


def day_state(days: int | None) -> str:
    """The state of a countdown with `days` left (None: done)."""
    if days is None:
        return "done"
    return "overdue" if days < 0 else "soon" if days <= SOON_DAYS else "running"


def countdown_text(due_on: date, today: date, done_on: date | None = None) -> str:
    """ "● còn 143 ngày" / "● 143 days left", "✖ quá hạn 12 ngày" / "✖ 12 days overdue",
    "▲ Đến hạn hôm nay" / "▲ Due today", "✔ xong ngày …" / "✔ done on …"."""
    if done_on is not None:
        return f"{DAY_MARKS['done']} " + _("done on {date}").format(date=format_date(done_on))
    n = days_left(due_on, today)
    text = _("Due today") if n == 0 else format_time_left(timedelta(days=n))
    return f"{DAY_MARKS[day_state(n)]} {text}"


def countdown_colour(due_on: date, today: date, done_on: date | None = None) -> QColor:
    return DAY_COLOURS[day_state(None if done_on is not None else days_left(due_on, today))]


class DayWatch(CountdownTicker):
    """The view's one minute-aligned timer (a `CountdownTicker` without cells of its own):
    tells when the date changes, for views whose countdowns count days.

    Started when its view is shown and stopped when hidden, so a hidden view costs nothing.
    """

    day_changed = Signal(object)  # the new date

    def __init__(self, today: Callable[[], date], parent: QObject | None = None,
                 now: Callable[[], datetime] | None = None):
        super().__init__(None, None, now or (lambda: datetime.now(UTC)), parent)
        self._today = today
        self.day = today()

    def start(self) -> None:
        self.check()
        super().start()

    def tick(self) -> None:
        self.ticks += 1
        self.check()
        self._schedule()

    def check(self) -> None:
        day = self._today()
        if day != self.day:
            self.day = day
            self.day_changed.emit(day)


#: Per coverage state: a mark that reads without colour, and the colour of the badge.
BADGE_MARKS = {"warranty": "✔", "maintenance": "✔", "grace": "⚠", "expired": "✖", "none": "○"}
BADGE_COLOURS = {"warranty": "#1b7a32", "maintenance": "#1f5fa8", "grace": "#9a5b00", "expired": "#b00020",
                 "none": "#666666"}
#: An unpaid balance is a refusal ground (seed 002 §5), so it turns any badge this colour.
OWES_COLOUR = "#b00020"


def badge_text(badge: CoverageBadge, mark: bool = True) -> str:
    """ "✔ Bảo hành còn 143 ngày · Còn nợ 3.000.000 ₫" / "✔ Warranty: 143 days left · Owes ₫3,000,000"."""
    duration = format_duration(timedelta(days=badge.days))
    warranty = badge.service == "warranty"
    if badge.state in ("warranty", "maintenance") and badge.days == 0:
        text = _("Warranty: last day today") if warranty else _("Maintenance: last day today")
    elif badge.state == "warranty":
        text = _("Warranty: {duration} left").format(duration=duration)
    elif badge.state == "maintenance":
        text = _("Maintenance: {duration} left").format(duration=duration)
    elif badge.state == "grace":
        text = (_("Warranty expired {duration} ago – in grace period") if warranty
                else _("Maintenance expired {duration} ago – in grace period")).format(duration=duration)
    elif badge.state == "expired":
        text = (_("Warranty expired {duration} ago – beyond the grace period") if warranty
                else _("Maintenance expired {duration} ago – beyond the grace period")).format(duration=duration)
    else:
        text = _("No warranty or maintenance")
    if badge.owes:
        text += " · " + _("Owes {amount}").format(amount=format_vnd(badge.outstanding_vnd))
    return f"{BADGE_MARKS[badge.state]} {text}" if mark else text


def badge_colour(badge: CoverageBadge) -> str:
    return OWES_COLOUR if badge.owes else BADGE_COLOURS[badge.state]


class ListPage(QWidget):
    """A filter box, New/Edit buttons and a lazily paged table."""

    new_requested = Signal()
    edit_requested = Signal(int)
    export_requested = Signal()
    current_changed = Signal(object)  # the row dataclass, or None

    key = ""
    title = ""
    new_label = ""
    #: Bumped when the columns change, so that column widths and order saved for the old
    #: columns are not laid over the new ones.
    columns_version = 1
    #: The view's one countdown timer (a CountdownTicker or DayWatch), or None: it runs only
    #: while the page is shown, so a hidden view costs nothing.
    ticker = None

    @property
    def layout_key(self) -> str:
        """The key of this page's saved header layout."""
        return self.key if self.columns_version == 1 else f"{self.key}/{self.columns_version}"

    def __init__(self, model: PagedTableModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.filter = QLineEdit()
        self.filter.setClearButtonEnabled(True)
        self.new_button = QPushButton()
        self.edit_button = QPushButton()
        self.export_button = QPushButton()
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
        self.export_button.clicked.connect(self.export_requested)
        self.table.doubleClicked.connect(lambda *_: self._edit_current())
        self.table.activated.connect(lambda *_: self._edit_current())
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        model.page_loaded.connect(self._loaded)
        model.modelReset.connect(lambda: self._row_changed())
        self.toolbar = QHBoxLayout()
        self.toolbar.addWidget(self.filter, 1)
        self.toolbar.addWidget(self.new_button)
        self.toolbar.addWidget(self.edit_button)
        self.toolbar.addWidget(self.export_button)
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
        self.count_label.setText(ngettext("{count} row", "{count} rows", count).format(count=format_number(count) + more))
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
        self.export_button.setText(_("E&xport…"))
        self.export_button.setToolTip(_("Export this list, as filtered, to Excel or CSV (Ctrl+E)"))
        self.model.retranslate()
        self._loaded(self.model.rowCount())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def showEvent(self, event) -> None:
        if self.ticker is not None:
            self.ticker.start()  # only a visible view ticks
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        if self.ticker is not None:
            self.ticker.stop()
        super().hideEvent(event)


class CustomersModel(PagedTableModel):
    """Customers with their coverage badge, worked out from the row's end dates when painted."""

    COL_COVERAGE = 2

    def __init__(self, worker: DbWorker, service: HelpdeskService, parent: QObject | None = None):
        columns = [
            Column(N_("Code"), "code", lambda r: r.code, width=80),
            Column(N_("Name"), "name", lambda r: r.name, width=250),
            Column(N_("Coverage"), "", lambda r: badge_text(self.badge(r)), width=370),
            Column(N_("Phone"), "phone", lambda r: _phone(r.phone), width=115),
            Column(N_("Tax code"), "tax_code", lambda r: r.tax_code, width=110),
            Column(N_("Province"), "province", lambda r: r.province, width=130),
            Column(N_("Kind"), "kind", lambda r: enum_label(CustomerKind, r.kind), width=120),
            Column(N_("Contracts"), "", lambda r: str(r.contract_count), align_right=True, width=80,
                   kind="number", value=lambda r: r.contract_count),
            Column(N_("Open tickets"), "", lambda r: str(r.open_ticket_count), align_right=True, width=90,
                   kind="number", value=lambda r: r.open_ticket_count),
        ]
        super().__init__(columns, service.list_customers, worker, default_sort="name", parent=parent)
        #: Today in Hà Nội by the service's clock: the badges count from it.
        self.today: Callable[[], date] = lambda: today_in_vietnam(service)

    def badge(self, row) -> CoverageBadge:
        return coverage_badge(self.today(), row.warranty_end, row.maintenance_end, row.outstanding_vnd)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and index.column() == self.COL_COVERAGE and role in (
                Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole):
            row = self.row_at(index.row())
            if row is None:
                return None
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(badge_colour(self.badge(row)))
            warranty, maintenance = _("Warranty ends"), _("Maintenance ends")
            return "\n".join([badge_text(self.badge(row)),
                              f"{warranty}: {format_date(row.warranty_end) or '—'}",
                              f"{maintenance}: {format_date(row.maintenance_end) or '—'}"])
        return super().data(index, role)

    def refresh_badges(self) -> None:
        """Repaint the coverage cells (the date changed); the rows stay as they are."""
        if self.rowCount():
            self.dataChanged.emit(self.index(0, self.COL_COVERAGE), self.index(self.rowCount() - 1, self.COL_COVERAGE))


def customers_model(worker: DbWorker, service: HelpdeskService) -> CustomersModel:
    return CustomersModel(worker, service)


class ContractsModel(PagedTableModel):
    """Contracts with a live countdown to the end of their warranty or maintenance, worked
    out from the row's end dates when painted and moved on by the view's ticker."""

    COL_COUNTDOWN = 4

    def __init__(self, worker: DbWorker, service: HelpdeskService, parent: QObject | None = None):
        columns = [
            Column(N_("Number"), "number", lambda r: r.number, width=110),
            Column(N_("Customer"), "customer", lambda r: r.customer_name, width=220),
            Column(N_("Package"), "package", lambda r: r.package_name, width=170),
            Column(N_("Stage"), "stage", lambda r: enum_label(ContractStage, r.stage), width=175),
            Column(N_("Coverage"), "", lambda r: self.countdown(r)[0], width=240),
            Column(N_("Value"), "value_vnd", lambda r: format_vnd(r.value_vnd), align_right=True, width=110,
                   kind="money", value=lambda r: r.value_vnd),
            Column(N_("Signed on"), "signed_on", lambda r: format_date(r.signed_on), width=125,
                   kind="date", value=lambda r: r.signed_on),
            Column(N_("Accepted on"), "accepted_on", lambda r: format_date(r.accepted_on), width=125,
                   kind="date", value=lambda r: r.accepted_on),
            Column(N_("Warranty ends"), "warranty_end", lambda r: format_date(r.warranty_end), width=125,
                   kind="date", value=lambda r: r.warranty_end),
            Column(N_("Maintenance ends"), "maintenance_end", lambda r: format_date(r.maintenance_end), width=125,
                   kind="date", value=lambda r: r.maintenance_end),
        ]
        super().__init__(columns, service.list_contracts, worker, default_sort="number", default_descending=True,
                         parent=parent)
        #: Today in Hà Nội by the service's clock: the countdowns count from it.
        self.today: Callable[[], date] = lambda: today_in_vietnam(service)
        self._painted_day: date | None = None

    def countdown(self, row) -> tuple[str, QColor | None]:
        """ "✔ Bảo hành còn 143 ngày" / "✔ Warranty: 143 days left" and its colour; nothing
        before the contract is accepted."""
        self._painted_day = today = self.today()
        badge = coverage_badge(today, row.warranty_end, row.maintenance_end, 0)
        if badge.state == "none":
            return "", None
        return badge_text(badge), QColor(badge_colour(badge))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid() and index.column() == self.COL_COUNTDOWN:
            row = self.row_at(index.row())
            return self.countdown(row)[1] if row is not None else None
        return super().data(index, role)

    def countdowns_changed(self, first: int, last: int) -> None:
        """A tick: repaint the visible countdown cells, only when the date moved on (they count days)."""
        if self._painted_day is None or self.today() == self._painted_day:
            return
        if 0 <= first <= last < self.rowCount():
            self.dataChanged.emit(self.index(first, self.COL_COUNTDOWN), self.index(last, self.COL_COUNTDOWN),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole])


def contracts_model(worker: DbWorker, service: HelpdeskService) -> ContractsModel:
    return ContractsModel(worker, service)


def tickets_model(worker: DbWorker, service: HelpdeskService) -> PagedTableModel:
    columns = [
        Column(N_("Code"), "code", lambda r: r.code, width=100),
        Column(N_("Received"), "received_at", lambda r: format_datetime(r.received_at), width=165,
               kind="datetime", value=lambda r: r.received_at),
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
    from .countdown import TicketsModel, countdown_text as clock_text

    # The live countdown, third: what the operator watches; painted by TicketsModel.data
    # (an export writes it as it reads at the time of the export).
    columns.insert(2, Column(N_("Time left"), "next_due_at", lambda r: "", width=200,
                             value=lambda r: clock_text(r, service.now())))
    return TicketsModel(columns, service.list_tickets, worker, now=service.now, countdown_column=2,
                        default_sort="received_at", default_descending=True, filters={"state": "open"})


class CustomersPage(ListPage):
    """Customers, with the selected one's coverage, contacts, contracts, coming obligations
    and open tickets below: what a hotline operator needs while the customer is talking."""

    key = "customers"
    title = N_("Customers")
    new_label = N_("&New customer")
    columns_version = 2  # 2: the coverage column
    #: How many coming obligations and open tickets the detail shows.
    DETAIL_OBLIGATIONS = 5
    DETAIL_TICKETS = 10

    #: A contract number or ticket code in the detail was clicked: (contract id) / (ticket id)
    contract_requested = Signal(int)
    ticket_requested = Signal(int)
    #: Reading the selected customer's file failed: (exception)
    detail_failed = Signal(object)

    def __init__(self, worker: DbWorker, service: HelpdeskService, parent: QWidget | None = None):
        super().__init__(customers_model(worker, service), parent)
        self.worker = worker
        self.service = service
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._link)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self._view = None
        self._asked = 0
        self.ticker = self.watch = DayWatch(self.model.today, self, service.now)
        self.watch.day_changed.connect(self._day_changed)
        self.current_changed.connect(self._show_current)
        self.build_layout(self.splitter)

    # -- the detail ------------------------------------------------------------------
    def refresh_detail(self) -> None:
        """Read the selected customer again (after a contract or ticket was saved)."""
        self._show_current(self.current_row())

    def _show_current(self, row) -> None:
        self._asked += 1
        asked = self._asked
        if row is None:
            self._view = None
            self._render()
            return
        service, customer_id, open_count = self.service, row.id, row.open_ticket_count

        def load():  # on the worker thread: one job, several reads
            today = today_in_vietnam(service)
            tickets = service.list_tickets(ListQuery(sort="received_at", descending=True, limit=self.DETAIL_TICKETS,
                                                     filters={"customer_id": customer_id, "state": "open"}))
            return CustomerView(
                today=today,
                details=service.get_customer(customer_id),
                coverage=service.customer_coverage(customer_id),
                contracts=service.list_contracts(ListQuery(filters={"customer_id": customer_id})).rows,
                obligations=service.list_obligations(ListQuery(
                    filters={"customer_id": customer_id, "from": today}, limit=self.DETAIL_OBLIGATIONS)).rows,
                tickets=tickets.rows,
                # The list's count may be older than this read; all of them were read when there is no next page.
                open_ticket_count=len(tickets.rows) if tickets.next_cursor is None else max(open_count, len(tickets.rows)),
            )

        self.worker.submit(load, on_done=lambda view: self._got(asked, view), on_error=lambda exc: self._failed(asked, exc))

    def _got(self, asked: int, view) -> None:
        if asked == self._asked:
            self._view = view
            self._render()

    def _failed(self, asked: int, exc: BaseException) -> None:
        if asked != self._asked:
            return
        # Never leave the previous customer's file under another customer's row.
        self._view = None
        self._render()
        log.error("cannot read the customer's file", exc_info=exc)
        self.detail_failed.emit(exc)

    def _day_changed(self, _day) -> None:
        self.model.refresh_badges()
        if self._view is not None:
            self.refresh_detail()

    def _link(self, url: QUrl) -> None:
        kind, _sep, ident = url.toString().partition(":")
        if ident.isdigit():
            if kind == "contract":
                self.contract_requested.emit(int(ident))
            elif kind == "ticket":
                self.ticket_requested.emit(int(ident))

    def _render(self) -> None:
        v = self._view
        if v is None:
            hint = _("Select a customer to see their coverage, contacts, contracts, obligations and open tickets.")
            self.detail.setHtml(f"<p style='color:#666'>{escape(hint)}</p>")
            return
        self.detail.setHtml(render_customer(v))

    # -- page ------------------------------------------------------------------------
    def retranslate(self) -> None:
        super().retranslate()
        self._render()


@dataclass(frozen=True)
class CustomerView:
    """What the customer detail shows, read in one worker job."""

    today: date
    details: Any  # CustomerDetails
    coverage: Any  # CoverageFacts
    contracts: tuple
    obligations: tuple  # the next few, from today on
    tickets: tuple  # the newest open ones
    open_ticket_count: int

    @property
    def badge(self) -> CoverageBadge:
        c = self.coverage
        return coverage_badge(self.today, c.warranty_end, c.maintenance_end, c.outstanding_vnd)


def _table(headers: list[str], rows: list[list[str]], empty: str, wrap: tuple[int, ...] = ()) -> str:
    """An HTML table of already escaped cells, or the escaped `empty` line. Only the
    columns in `wrap` may wrap (names, subjects); dates, codes and headers stay on one line."""
    if not rows:
        return f"<p style='color:#666;margin:0'>{escape(empty)}</p>"

    def cell(tag: str, i: int, content: str, extra: str = "") -> str:
        nowrap = "" if i in wrap else "white-space:nowrap;"
        return f"<{tag} align='left' valign='top' style='{nowrap}padding-right:10px;{extra}'>{content}</{tag}>"

    head = "".join(cell("th", i, escape(h), "color:#555;font-weight:normal") for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table cellspacing='0' cellpadding='1'><tr>{head}</tr>{body}</table>"


def render_customer(v: CustomerView) -> str:
    """The customer detail as HTML: left the badge, contacts and contracts, right the coming
    obligations and open tickets. Contract numbers and ticket codes are links."""
    d = v.details.draft
    badge = v.badge
    none = _("None")
    tax_code = _("Tax code")
    facts = [x for x in (_phone(d.phone), d.tax_code and f"{tax_code}: {d.tax_code}", d.address) if x]
    head = (f"<h3 style='margin-bottom:2px'>{escape(d.code)} — {escape(d.name)}</h3>"
            f"<p style='margin-top:2px'><b style='color:{badge_colour(badge)}'>{escape(badge_text(badge))}</b>"
            + (f"<br>{escape(' · '.join(facts))}" if facts else "") + "</p>")
    contacts = _table(
        [_("Full name"), _("Position"), _("Phone"), _("E-mail")],
        [[escape(c.full_name) + (" ★" if c.is_primary else ""), escape(c.position), escape(_phone(c.phone)),
          escape(c.email)] for c in d.contacts], none, wrap=(1,))
    contracts = _table(
        [_("Number"), _("Package"), _("Stage"), _("Warranty ends"), _("Maintenance ends")],
        [[f"<a href='contract:{k.id}'>{escape(k.number)}</a>", escape(k.package_name),
          escape(enum_label(ContractStage, k.stage)), escape(format_date(k.warranty_end)),
          escape(format_date(k.maintenance_end))] for k in v.contracts], none, wrap=(1, 2))
    obligations = _table(
        [_("Due"), _("Countdown"), _("Type"), _("Contract")],
        [[escape(format_date(o.due_on)),
          _coloured(countdown_text(o.due_on, v.today, o.done_on), countdown_colour(o.due_on, v.today, o.done_on)),
          escape(enum_label(ObligationKind, o.kind) + (f" – {o.title}" if o.title else "")),
          f"<a href='contract:{o.contract_id}'>{escape(o.contract_number)}</a>"] for o in v.obligations], none, wrap=(2,))
    tickets = _table(
        [_("Code"), _("Subject"), _("Status"), _("Received")],
        [[f"<a href='ticket:{t.id}'>{escape(t.code)}</a>", escape(t.subject), escape(enum_label(TicketStatus, t.status)),
          escape(format_datetime(t.received_at))] for t in v.tickets], none, wrap=(1,))
    h4 = "<h4 style='margin-top:8px;margin-bottom:2px'>{}</h4>".format
    titles = [escape(t) for t in (_("Contacts"), _("Contracts"), _("Upcoming obligations"), _("Open tickets"))]
    left = h4(titles[0]) + contacts + h4(titles[1]) + contracts
    right = h4(titles[2]) + obligations + h4(f"{titles[3]} ({v.open_ticket_count})") + tickets
    return (f"{head}<table width='100%' cellspacing='0'><tr>"
            f"<td width='50%' valign='top' style='padding-right:16px'>{left}</td>"
            f"<td width='50%' valign='top'>{right}</td></tr></table>")


def _coloured(text: str, colour: QColor | None) -> str:
    return f"<span style='color:{colour.name()}'>{escape(text)}</span>" if colour is not None else escape(text)


class ContractsPage(ListPage):
    key = "contracts"
    title = N_("Contracts")
    new_label = N_("&New contract")

    columns_version = 2  # 2: the live coverage countdown

    def __init__(self, worker: DbWorker, service: HelpdeskService, parent: QWidget | None = None):
        super().__init__(contracts_model(worker, service), parent)
        self.ticker = CountdownTicker(self.table, self.model, service.now, self)
        self.build_layout()


class TicketsPage(ListPage):
    """Tickets, with the selected ticket's customer, contract, status and history below."""

    key = "tickets"
    title = N_("Tickets")
    columns_version = 2  # 2: the live "Time left" column
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
        from .countdown import ClocksPane
        from .worklog import WorkLogPanel

        # On the left the ticket's clocks (their own widget: a tick re-renders the clocks
        # only) above its facts; on the right its history and work log.
        self.clocks = ClocksPane(service.now)
        pane = QWidget()
        pane_layout = QVBoxLayout(pane)
        pane_layout.setContentsMargins(0, 0, 0, 0)
        pane_layout.setSpacing(4)
        pane_layout.addWidget(self.clocks)
        pane_layout.addWidget(self.detail, 1)
        self.worklog = WorkLogPanel(worker, service)
        self.worklog.entry_added.connect(self._entry_added)
        self.worklog.install_shortcuts(self.table)  # Ctrl+Alt+C etc. straight from the list
        self.detail_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.detail_splitter.addWidget(pane)
        self.detail_splitter.addWidget(self.worklog)
        self.detail_splitter.setStretchFactor(0, 2)
        self.detail_splitter.setStretchFactor(1, 3)
        self.detail_splitter.setSizes([560, 560])
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail_splitter)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self._details = None
        self._asked = 0
        self.current_changed.connect(self._show_current)
        self.ticker = CountdownTicker(self.table, self.model, service.now, self)
        self.build_layout(self.splitter)

    def _show_current(self, row) -> None:
        self._asked += 1
        asked = self._asked
        if row is None:
            self._details = None
            self._render()
            self.worklog.set_details(None)
            return
        self.worker.submit(self.service.get_ticket, row.id, on_done=lambda d: self._got(asked, d))

    def _got(self, asked: int, details) -> None:
        if asked == self._asked:
            self._details = details
            self._render()
            self.worklog.set_details(details)

    def _entry_added(self, ticket_id: int) -> None:
        """A work-log entry was saved: read the ticket again if it is still the one shown."""
        if self._details is not None and self._details.id == ticket_id:
            self._asked += 1
            asked = self._asked
            self.worker.submit(self.service.get_ticket, ticket_id, on_done=lambda d: self._got(asked, d))

    def _render(self) -> None:
        d = self._details
        if d is None:
            self.clocks.set_clocks([])
            hint = _("Select a ticket to see its details and history.")
            self.detail.setHtml(f"<p style='color:#666'>{escape(hint)}</p>")
            return
        dr = d.draft
        rows = [
            (_("Customer"), d.customer_name), (_("Contact"), d.contact_name), (_("Contract"), d.contract_number),
            (_("Status"), enum_label(TicketStatus, dr.status)), (_("Type"), enum_label(RequestType, dr.request_type)),
            (_("Received"), format_datetime(dr.received_at)),
        ]
        head = "".join(f"<tr><td style='color:#555;padding-right:12px'>{escape(k)}</td><td>{escape(v or '—')}</td></tr>" for k, v in rows)
        # The history and work log are in self.worklog (ui/worklog.py), beside this.
        html = (f"<h3>{escape(d.code)} — {escape(dr.subject)}</h3><table>{head}</table>"
                + (f"<p>{escape(dr.description)}</p>" if dr.description else ""))
        self.detail.setHtml(html)
        r = self.model.row_of_id(d.id)
        self.clocks.set_clocks(self.model.clocks_of(r) if r >= 0 else [])

    def tick(self) -> None:
        """Called by the view's timer: the open ticket's clocks move on with the list (only
        the clocks label is re-rendered, not the ticket and its history)."""
        self.clocks.refresh()

    @staticmethod
    def _describe(e) -> str:
        from .worklog import describe

        return describe(e)

    def reload(self, select_id: int | None = None) -> None:
        super().reload(select_id)

    def retranslate(self) -> None:
        super().retranslate()
        if hasattr(self, "state"):
            for i, (_value, title) in enumerate(self.STATES):
                self.state.setItemText(i, _(title))
            self._render()
