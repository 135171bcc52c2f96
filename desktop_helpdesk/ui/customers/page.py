"""The customers list with each customer's coverage badge, and the selected customer's detail."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QWidget,
)

from ...domain.coverage import CoverageBadge, coverage_badge
from ...domain.enums import (
    ContractStage,
    CustomerKind,
    ObligationKind,
    TicketStatus,
)
from ...i18n import N_, _, ngettext
from ...i18n.formatting import format_date, format_datetime
from ...services import contracts, customers, lookup, tickets
from ...services.changes import CONTRACTS, CUSTOMERS, OBLIGATIONS, TICKETS, Change
from ...services.dto import ListQuery
from ..kit import marks
from ..kit.countdown import (
    DayWatch,
    day_countdown_colour,
    day_countdown_text,
)
from ..kit.errors import log_failure
from ..kit.list_page import ListPage
from ..kit.endings import TERMINATED_MARK, coverage_colour, coverage_text
from ..kit.paged_model import Column, Index, PagedTableModel
from ..kit.widgets import display_phone, enum_label
from ..kit.worker import Jobs
from .merge import MergeDialog, refusal_text, standing_text

log = logging.getLogger(__name__)


class CustomersModel(PagedTableModel):
    """Customers with their coverage badge, worked out from the row's end dates when painted."""

    COL_COVERAGE = 2

    def __init__(self, jobs: Jobs, parent: QObject | None = None):
        columns = [
            Column(N_("Code"), "code", lambda r: r.code, width=80),
            Column(N_("Name"), "name", lambda r: r.name, width=250),
            Column(N_("Coverage"), "", lambda r: coverage_text(self.badge(r)), width=370),
            Column(N_("Phone"), "phone", lambda r: display_phone(r.phone), width=115),
            Column(N_("Tax code"), "tax_code", lambda r: r.tax_code, width=110),
            Column(N_("Province"), "province", lambda r: r.province, width=130),
            Column(N_("Kind"), "kind", lambda r: enum_label(CustomerKind, r.kind), width=120),
            Column(N_("Contracts"), "", lambda r: str(r.contract_count), align_right=True, width=80,
                   kind="number", value=lambda r: r.contract_count),
            Column(N_("Open tickets"), "", lambda r: str(r.open_ticket_count), align_right=True, width=90,
                   kind="number", value=lambda r: r.open_ticket_count),
        ]
        super().__init__(columns, customers.list_customers, jobs, default_sort="name", parent=parent)
        #: Today in Hà Nội by the service's clock: the badges count from it.
        self.today: Callable[[], date] = jobs.today

    def badge(self, row) -> CoverageBadge:
        return coverage_badge(self.today(), row.warranty_end, row.maintenance_end, row.outstanding_vnd,
                              terminated_on=row.terminated_on)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole,
                                        Qt.ItemDataRole.ToolTipRole):
            row = self.row_at(index.row())
            if row is not None and row.archived:  # listed with "Show archived": greyed, in italics
                if role == Qt.ItemDataRole.ForegroundRole:
                    return QColor(marks.SUPERSEDED)
                if role == Qt.ItemDataRole.FontRole:
                    font = QFont()
                    font.setItalic(True)
                    return font
                return _("Archived")
        if index.isValid() and index.column() == self.COL_COVERAGE and role in (
                Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole):
            row = self.row_at(index.row())
            if row is None:
                return None
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(coverage_colour(self.badge(row)))
            warranty, maintenance = _("Warranty ends"), _("Maintenance ends")
            return "\n".join([coverage_text(self.badge(row)),
                              f"{warranty}: {format_date(row.warranty_end) or '—'}",
                              f"{maintenance}: {format_date(row.maintenance_end) or '—'}"])
        return super().data(index, role)

    def refresh_badges(self) -> None:
        """Repaint the coverage cells (the date changed); the rows stay as they are."""
        if self.rowCount():
            self.dataChanged.emit(self.index(0, self.COL_COVERAGE), self.index(self.rowCount() - 1, self.COL_COVERAGE))


def customers_model(jobs: Jobs) -> CustomersModel:
    return CustomersModel(jobs)


class CustomersPage(ListPage):
    """Customers, with the selected one's coverage, contacts, contracts, coming obligations,
    open and recently closed tickets and this month's calls below: what a hotline operator
    needs while the customer is talking."""

    key = "customers"
    refreshed_by = (CUSTOMERS,)
    title = N_("Customers")
    new_label = N_("&New customer")
    columns_version = 2  # 2: the coverage column
    #: How many coming obligations and open tickets the detail shows.
    DETAIL_OBLIGATIONS = 5
    DETAIL_TICKETS = 10
    DETAIL_CLOSED = 5

    #: A contract number or ticket code in the detail was clicked: (contract id) / (ticket id)
    contract_requested = Signal(int)
    ticket_requested = Signal(int)
    #: Reading the selected customer's file failed: (exception)
    detail_failed = Signal(object)
    #: A customer was merged into another: (the id of the customer kept)
    customer_merged = Signal(int)

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(customers_model(jobs), parent)
        self.jobs = jobs
        #: Who is at the desk (an OperatorData or None): their id goes into the customer's
        #: history of a merge, an archive or a restore. Set by the main window.
        self.operator: Callable[[], Any] = lambda: None
        self.show_archived = QCheckBox()
        self.show_archived.toggled.connect(self._show_archived_toggled)
        self.merge_action = QAction(self)
        self.merge_action.setShortcut(QKeySequence("Ctrl+Shift+M"))
        self.merge_action.triggered.connect(self.merge_current)
        self.archive_action = QAction(self)
        self.archive_action.setShortcut(QKeySequence("Ctrl+Shift+Del"))
        self.archive_action.triggered.connect(self.archive_or_restore_current)
        for action in (self.merge_action, self.archive_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # this page's, not the window's
            action.setEnabled(False)
            self.addAction(action)
        self.merge_button = QPushButton()
        self.merge_button.clicked.connect(self.merge_action.trigger)
        self.archive_button = QPushButton()
        self.archive_button.clicked.connect(self.archive_action.trigger)
        at = self.toolbar.indexOf(self.export_button)
        self.toolbar.insertWidget(at, self.archive_button)
        self.toolbar.insertWidget(at, self.merge_button)
        self.toolbar.insertWidget(self.toolbar.indexOf(self.count_label), self.show_archived)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.merge_dialog: MergeDialog | None = None
        self.message_box: QMessageBox | None = None
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._link)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self._view = None
        self.ticker = self.watch = DayWatch(self.model.today, jobs.now, self)
        self.watch.day_changed.connect(self._day_changed)
        self.current_changed.connect(self._show_current)
        self.current_changed.connect(self._update_actions)
        self.build_layout(self.splitter)
        self._update_actions()

    # -- the detail ------------------------------------------------------------------
    def on_change(self, change: Change) -> None:
        """A customer saved: reload the list. A contract, payment or ticket saved: the
        selected customer's coverage, contracts or open tickets may have changed."""
        if change.primary == CUSTOMERS:
            super().on_change(change)
        elif change.touches(CUSTOMERS, CONTRACTS, OBLIGATIONS, TICKETS):
            self.refresh_detail()

    def refresh_detail(self) -> None:
        """Read the selected customer again (after a contract or ticket was saved)."""
        self._show_current(self.current_row())

    def _show_current(self, row) -> None:
        if row is None:
            self.jobs.forget("detail", self)  # a file on its way is of a customer no longer selected
            self._view = None
            self._render()
            return
        customer_id, open_count = row.id, row.open_ticket_count

        def load(ctx):  # on the worker thread: one job, several reads
            today = ctx.today()
            open_tickets = tickets.list_tickets(ctx, ListQuery(sort="received_at", descending=True, limit=self.DETAIL_TICKETS,
                                                               filters={"customer_id": customer_id, "state": "open"}))
            closed = tickets.list_tickets(ctx, ListQuery(sort="received_at", descending=True, limit=self.DETAIL_CLOSED,
                                                         filters={"customer_id": customer_id, "state": "done"}))
            return CustomerView(
                today=today,
                details=customers.get_customer(ctx, customer_id),
                coverage=contracts.customer_coverage(ctx, customer_id),
                contracts=contracts.list_contracts(ctx, ListQuery(filters={"customer_id": customer_id})).rows,
                obligations=contracts.list_obligations(ctx, ListQuery(
                    filters={"customer_id": customer_id, "from": today}, limit=self.DETAIL_OBLIGATIONS)).rows,
                tickets=open_tickets.rows,
                # The list's count may be older than this read; all of them were read when there is no next page.
                open_ticket_count=(len(open_tickets.rows) if open_tickets.next_cursor is None
                                   else max(open_count, len(open_tickets.rows))),
                closed_tickets=closed.rows,
                calls=lookup.calls_this_month(ctx, customer_id),
            )

        # Newest wins: the file of a customer selected before arrives late and is dropped.
        self.jobs.submit(load, on_done=self._got, on_error=self._failed, owner=self, key="detail")

    def _got(self, view) -> None:
        self._view = view
        self._render()

    def _failed(self, exc: BaseException) -> None:
        # Never leave the previous customer's file under another customer's row.
        self._view = None
        self._render()
        log_failure("cannot read the customer's file", exc, log)
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
            hint = _("Select a customer to see their coverage, contacts, contracts, obligations, tickets and "
                     "this month's calls.")
            self.detail.setHtml(f"<p style='color:{marks.HINT}'>{escape(hint)}</p>")
            return
        self.detail.setHtml(render_customer(v))

    # -- merge, archive, restore -------------------------------------------------------
    def _show_archived_toggled(self, shown: bool) -> None:
        self.model.set_filters(**({"archived": True} if shown else {}))

    def _update_actions(self, row=None) -> None:
        row = self.current_row()
        # A duplicate merged before is archived and has nothing left to merge.
        self.merge_action.setEnabled(row is not None and not row.archived)
        self.merge_button.setEnabled(self.merge_action.isEnabled())
        self.archive_action.setEnabled(row is not None)
        self.archive_button.setEnabled(row is not None)
        self._retranslate_actions()

    def _retranslate_actions(self) -> None:
        row = self.current_row()
        restoring = row is not None and row.archived
        self.merge_action.setText(_("&Merge into another customer…"))
        self.merge_action.setToolTip(_("Merge this customer (a duplicate) into the customer to keep (Ctrl+Shift+M)"))
        self.merge_button.setText(_("Merge into…"))
        self.merge_button.setToolTip(self.merge_action.toolTip())
        self.archive_action.setText(_("&Restore…") if restoring else _("&Archive…"))
        self.archive_action.setToolTip(
            _("Bring this customer back to the list and the choices (Ctrl+Shift+Del)") if restoring
            else _("Take this customer out of the list and the choices for new work; its history stays (Ctrl+Shift+Del)"))
        self.archive_button.setText(_("Restore…") if restoring else _("Archive…"))
        self.archive_button.setToolTip(self.archive_action.toolTip())
        self.show_archived.setText(_("Show archived"))
        self.show_archived.setToolTip(_("List archived customers too (greyed)"))

    def _context_menu(self, pos) -> None:
        menu = QMenu(self)
        menu.addAction(self.merge_action)
        menu.addAction(self.archive_action)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def merge_current(self) -> MergeDialog | None:
        """Open the merge window for the selected customer (the duplicate)."""
        row = self.current_row()
        if row is None or row.archived:
            return None
        dialog = MergeDialog(self.jobs, row, self.operator, self)
        dialog.merged.connect(self.customer_merged)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.merge_dialog = dialog
        dialog.open()
        return dialog

    def archive_or_restore_current(self) -> None:
        """Archive the selected customer, or restore it if archived, once confirmed. Its
        version is read first: a change by a colleague after that is refused, not overwritten."""
        row = self.current_row()
        if row is None:
            return
        restoring = row.archived
        self.jobs.submit(customers.get_customer, row.id, owner=self, key="archive",
                         on_done=lambda details: self._confirm_archive(details, restoring),
                         on_error=self._refused)

    def _confirm_archive(self, details, restoring: bool) -> None:
        d = details.draft
        if restoring:
            title, verb = _("Restore customer?"), _("Restore")
            text = _("Restore {code} – {name}? It comes back to the customers list and to the choices for new "
                     "tickets and contracts.").format(code=d.code, name=d.name)
        else:
            title, verb = _("Archive customer?"), _("Archive")
            text = _("Archive {code} – {name}? It leaves the customers list and the choices for new tickets and "
                     "contracts. Its contracts, tickets and history stay, it is still found by the search, and it "
                     "can be restored with Show archived.").format(code=d.code, name=d.name)
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.Cancel, self)
        confirm = box.addButton(verb, QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        fn = customers.restore_customer if restoring else customers.archive_customer
        operator = self.operator()
        confirm.clicked.connect(lambda: self.jobs.submit(
            fn, details.id, details.version, getattr(operator, "id", None), on_error=self._refused, owner=self))
        self._show_box(box)

    def _show_box(self, box: QMessageBox) -> None:
        """Open `box`, kept as `message_box` while it is open (tests answer it there)."""
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda *_a: self._box_closed(box))
        self.message_box = box
        box.open()

    def _box_closed(self, box: QMessageBox) -> None:
        if self.message_box is box:
            self.message_box = None

    def _refused(self, exc: BaseException) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, _("Not done"), refusal_text(exc),
                          QMessageBox.StandardButton.Ok, self)
        self._show_box(box)

    # -- page ------------------------------------------------------------------------
    def retranslate(self) -> None:
        super().retranslate()
        self._retranslate_actions()
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
    closed_tickets: tuple = ()  # the newest resolved or closed ones
    calls: tuple[int, int] = (0, 0)  # calls logged on their tickets this month, and their minutes

    @property
    def badge(self) -> CoverageBadge:
        c = self.coverage
        return coverage_badge(self.today, c.warranty_end, c.maintenance_end, c.outstanding_vnd,
                              terminated_on=c.terminated_on)


def _table(headers: list[str], rows: list[list[str]], empty: str, wrap: tuple[int, ...] = ()) -> str:
    """An HTML table of already escaped cells, or the escaped `empty` line. Only the
    columns in `wrap` may wrap (names, subjects); dates, codes and headers stay on one line."""
    if not rows:
        return f"<p style='color:{marks.HINT};margin:0'>{escape(empty)}</p>"

    def cell(tag: str, i: int, content: str, extra: str = "") -> str:
        nowrap = "" if i in wrap else "white-space:nowrap;"
        return f"<{tag} align='left' valign='top' style='{nowrap}padding-right:10px;{extra}'>{content}</{tag}>"

    head = "".join(cell("th", i, escape(h), f"color:{marks.MUTED};font-weight:normal") for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table cellspacing='0' cellpadding='1'><tr>{head}</tr>{body}</table>"


def render_customer(v: CustomerView) -> str:
    """The customer detail as HTML: left the badge, this month's calls, contacts and contracts,
    right the coming obligations, open and recently closed tickets. Contract numbers and
    ticket codes are links."""
    d = v.details.draft
    badge = v.badge
    none = _("None")
    tax_code = _("Tax code")
    facts = [x for x in (display_phone(d.phone), d.tax_code and f"{tax_code}: {d.tax_code}", d.address) if x]
    standing = standing_text(v.details)
    head = (f"<h3 style='margin-bottom:2px'>{escape(d.code)} — {escape(d.name)}</h3>"
            + (f"<p style='margin:2px 0;color:{marks.WARNING}'><b>{escape(standing)}</b></p>" if standing else "")
            + f"<p style='margin-top:2px'><b style='color:{coverage_colour(badge)}'>{escape(coverage_text(badge))}</b>"
            + (f"<br>{escape(' · '.join(facts))}" if facts else "")
            + f"<br>{escape(calls_text(*v.calls))}</p>")
    contacts = _table(
        [_("Full name"), _("Position"), _("Phone"), _("E-mail")],
        [[escape(c.full_name) + (" ★" if c.is_primary else ""), escape(c.position), escape(display_phone(c.phone)),
          escape(c.email)] for c in d.contacts], none, wrap=(1,))
    contracts = _table(
        [_("Number"), _("Package"), _("Stage"), _("Warranty ends"), _("Maintenance ends")],
        [[f"<a href='contract:{k.id}'>{escape(k.number)}</a>", escape(k.package_name),
          escape(contract_stage_text(k, v.today)), escape(format_date(k.warranty_end)),
          escape(format_date(k.maintenance_end))] for k in v.contracts], none, wrap=(1, 2))
    obligations = _table(
        [_("Due"), _("Countdown"), _("Type"), _("Contract")],
        [[escape(format_date(o.due_on)),
          _coloured(day_countdown_text(o.due_on, v.today, o.done_on), day_countdown_colour(o.due_on, v.today, o.done_on)),
          escape(enum_label(ObligationKind, o.kind) + (f" – {o.title}" if o.title else "")),
          f"<a href='contract:{o.contract_id}'>{escape(o.contract_number)}</a>"] for o in v.obligations], none, wrap=(2,))
    tickets = _table(
        [_("Code"), _("Subject"), _("Status"), _("Received")],
        [[f"<a href='ticket:{t.id}'>{escape(t.code)}</a>", escape(t.subject), escape(enum_label(TicketStatus, t.status)),
          escape(format_datetime(t.received_at))] for t in v.tickets], none, wrap=(1,))
    closed = _table(
        [_("Code"), _("Subject"), _("Status"), _("Received")],
        [[f"<a href='ticket:{t.id}'>{escape(t.code)}</a>", escape(t.subject), escape(enum_label(TicketStatus, t.status)),
          escape(format_datetime(t.received_at))] for t in v.closed_tickets], none, wrap=(1,))
    h4 = "<h4 style='margin-top:8px;margin-bottom:2px'>{}</h4>".format
    titles = [escape(t) for t in (_("Contacts"), _("Contracts"), _("Upcoming obligations"), _("Open tickets"),
                                  _("Recently closed tickets"))]
    left = h4(titles[0]) + contacts + h4(titles[1]) + contracts
    right = (h4(titles[2]) + obligations + h4(f"{titles[3]} ({v.open_ticket_count})") + tickets
             + h4(titles[4]) + closed)
    return (f"{head}<table width='100%' cellspacing='0'><tr>"
            f"<td width='50%' valign='top' style='padding-right:16px'>{left}</td>"
            f"<td width='50%' valign='top'>{right}</td></tr></table>")


def contract_stage_text(k, today: date) -> str:
    """A contract's stage in the customer's detail; "⊘ Đã chấm dứt ngày …" once it was
    ended early and its termination day has passed (its badge is terminated)."""
    badge = coverage_badge(today, k.warranty_end, k.maintenance_end, 0, terminated_on=k.ended_on)
    if badge.state == "terminated":
        return f"{TERMINATED_MARK} " + _("Terminated on {date}").format(date=format_date(badge.terminated_on))
    return enum_label(ContractStage, k.stage)


def calls_text(calls: int, minutes: int) -> str:
    """"Calls this month: 3 (45 min)" — what the customer's line has cost the desk lately."""
    if not calls:
        return _("Calls this month: none")
    return ngettext("Calls this month: {n} ({minutes} min)", "Calls this month: {n} ({minutes} min)",
                    calls).format(n=calls, minutes=minutes)


def _coloured(text: str, colour: QColor | None) -> str:
    return f"<span style='color:{colour.name()}'>{escape(text)}</span>" if colour is not None else escape(text)
