"""The main window: navigation between the views, menus, status bar, remembered layout."""

from __future__ import annotations

import base64
import logging

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ... import __version__
from ...domain.enums import OperatorRole
from ...domain.errors import ConnectionLost, NotFoundError
from ...i18n import N_, _, language
from ...services import catalog, contracts, customers, feed, health, tickets
from ...services.changes import OPERATORS, PACKAGES, Change
from ...settings import Settings
from ..contracts.dialog import ContractDialog
from ..contracts.page import ContractsPage
from ..customers.dialog import CustomerDialog
from ..customers.page import CustomersPage
from ..kit import marks, retranslate
from ..kit.attachments import AttachmentsBox
from ..kit.errors import failure_message
from ..kit.list_page import ListPage
from ..kit.team_feed import TeamFeed
from ..kit.worker import LONG, Jobs
from ..obligations.page import ObligationsPage
from ..reports.page import ReportsPage
from ..settings.calendar import SupportCalendarDialog
from ..settings.packages import PackagesDialog
from ..settings.vendor import VendorDialog
from ..tickets.dialog import TicketDialog
from ..tickets.page import TicketsPage
from .alert_centre import AlertCountButton, AlertPanel
from .alerts import AlertCenter
from .dashboard import DashboardPage
from .export import ListExporter
from .look import WindowLook
from .lookup import CallerLookupPanel
from .search import SearchPopup

log = logging.getLogger(__name__)


def _b64(data: QByteArray) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")


def _unb64(text: str) -> QByteArray:
    try:
        return QByteArray(base64.b64decode(text.encode("ascii")))
    except ValueError:
        return QByteArray()


class MainWindow(QMainWindow):
    #: Someone else signed in at this desk (Switch operator) or the same person again after
    #: Lock: the new OperatorData. Pages that depend on who works here ("My tickets", the
    #: alert centre) follow it.
    operator_changed = Signal(object)

    def __init__(self, jobs: Jobs, settings: Settings, save_settings,
                 operator, database_label: str, set_language=None, parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.jobs = jobs
        self.settings = settings
        self._save_settings = save_settings
        self._set_language = set_language
        AttachmentsBox.limit_mb = settings.attachment_limit_mb  # the desk's size limit of one attachment
        self.operator = operator
        self.packages: list = []
        self.operators: list = []
        self.error_box: QMessageBox | None = None
        self.setObjectName("MainWindow")
        self.resize(1280, 720)
        self.setMinimumSize(QSize(760, 480))

        # The order is the order of the navigation and of the Ctrl+1… shortcuts.
        self.pages: dict[str, ListPage] = {
            "customers": CustomersPage(jobs),
            "contracts": ContractsPage(jobs),
            "obligations": ObligationsPage(jobs),
            "tickets": TicketsPage(jobs, settings=settings, save_settings=save_settings, operator=operator),
        }
        self.dashboard = DashboardPage(jobs)
        self.reports = ReportsPage(jobs)  # the SLA reports, for leads (issue #16)
        #: Every view in navigation order: the dashboard (the start view), the lists, the reports.
        self.views = {"dashboard": self.dashboard, **self.pages, "reports": self.reports}
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setMaximumWidth(240)
        self.nav.setSpacing(2)  # Vietnamese stacked diacritics touched the line above
        self.stack = QStackedWidget()
        for key, page in self.views.items():
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
            self.stack.addWidget(page)
        self.nav.currentRowChanged.connect(self._show_row)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([170, 1100])
        # Shown while the team server can't be reached; the desk retries by itself.
        self.connection_banner = QLabel()
        self.connection_banner.setObjectName("ConnectionBanner")
        self.connection_banner.setWordWrap(True)
        self.connection_banner.setStyleSheet(marks.banner_style())
        self.connection_banner.hide()
        self._reconnect_timer = QTimer(self)
        self._reconnect_timer.setInterval(self.RECONNECT_INTERVAL_MS)
        self._reconnect_timer.timeout.connect(self._try_reconnect)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.connection_banner)
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.pages["customers"].new_requested.connect(self.new_customer)
        self.pages["customers"].edit_requested.connect(self.edit_customer)
        self.pages["customers"].contract_requested.connect(self.edit_contract)
        self.pages["customers"].ticket_requested.connect(self.edit_ticket)
        self.pages["customers"].detail_failed.connect(self.show_error)
        self.pages["obligations"].contract_requested.connect(self.edit_contract)
        self.pages["contracts"].new_requested.connect(self.new_contract)
        self.pages["contracts"].edit_requested.connect(self.edit_contract)
        self.alerts = AlertCenter(jobs, self)
        self.alerts.do_not_disturb = settings.do_not_disturb
        self.alerts.sound = settings.alert_sound
        self.alerts.set_operator(operator)
        self.operator_changed.connect(self.alerts.set_operator)
        self.alerts.centre_requested.connect(self.show_alert_centre)
        self.alerts.ticket_requested.connect(self.edit_ticket)
        self.alerts.contract_requested.connect(self.edit_contract)
        self.dashboard.ticket_requested.connect(self.edit_ticket)
        self.dashboard.contract_requested.connect(self.edit_contract)
        self.dashboard.load_failed.connect(self.show_error)
        self.pages["tickets"].new_requested.connect(self.new_ticket)
        self.pages["tickets"].edit_requested.connect(self.edit_ticket)
        self.exporter = ListExporter(jobs, self, settings, save_settings)
        self.pages["tickets"].worklog.operator = lambda: self.operator  # who logs the work
        self.operator_changed.connect(self.pages["tickets"].set_operator)  # "My tickets" follow who signs in
        self.pages["customers"].operator = lambda: self.operator  # who merges, archives, restores
        for page in self.pages.values():
            page.model.load_failed.connect(self.show_error)
            page.export_requested.connect(self.export_current)
        jobs.failed.connect(self.show_error)
        jobs.changed.connect(self._on_change)
        self._build_lookup()
        self._build_alert_centre()

        self._build_actions()
        self.operator_label = QLabel()
        self.database_label = QLabel(database_label)
        self.busy_label = QLabel()
        self.statusBar().addWidget(self.operator_label)
        self.alert_count = AlertCountButton(self.alerts)
        self.alert_count.clicked.connect(self.show_alert_centre)
        self.statusBar().addPermanentWidget(self.alert_count)
        self.statusBar().addPermanentWidget(self.busy_label)
        self.statusBar().addPermanentWidget(self.database_label)
        self._busy_timer = QTimer(self, singleShot=True, interval=400)
        self._busy_timer.timeout.connect(lambda: self.busy_label.setText(_("Working…")))
        jobs.busy_changed.connect(self._show_busy)
        self.retranslate()
        # Icons, the toolbar, navigation counts, connection state, colour scheme (issue #19).
        self.look = WindowLook(self)
        self._restore_layout()
        self.refresh_reference_data()
        # What colleagues save reaches the open views (see kit.team_feed); old feed rows go.
        self.team_feed = TeamFeed(jobs, self)
        self.team_feed.start()
        jobs.submit(feed.prune, lane=LONG)

    # -- actions ---------------------------------------------------------------------
    def _build_actions(self) -> None:
        def act(shortcut, slot) -> QAction:
            a = QAction(self)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(slot)
            return a

        self.act_new_ticket = act("Ctrl+N", self.new_ticket)
        self.act_new_customer = act("Ctrl+Shift+K", self.new_customer)
        self.act_new_contract = act("Ctrl+Shift+H", self.new_contract)
        self.act_quit = act(QKeySequence.StandardKey.Quit, self.close)
        self.act_quit.setShortcuts([QKeySequence("Ctrl+Q")])
        self.act_refresh = act("F5", self.refresh_current)
        self.act_filter = act("Ctrl+L", self.focus_filter)
        self.act_search = act("Ctrl+F", self.global_search)
        self.search_popup = None
        self.act_views = [act("Ctrl+D", lambda _c=False: self.show_view("dashboard", focus=True))]
        for i, key in enumerate(self.pages):
            self.act_views.append(act(f"Ctrl+{i + 1}", lambda _c=False, k=key: self.show_view(k, focus=True)))
        self.act_views.append(act(f"Ctrl+{len(self.pages) + 1}", lambda _c=False: self.show_view("reports", focus=True)))
        self._apply_rights()
        self.act_vi = QAction(self, checkable=True)
        self.act_en = QAction(self, checkable=True)
        group = QActionGroup(self)
        for a, lang in ((self.act_vi, "vi"), (self.act_en, "en")):
            group.addAction(a)
            a.triggered.connect(lambda _c=False, lg=lang: self.change_language(lg))
        self.act_about = act("", self.about)
        self.act_alerts = act("Ctrl+Shift+A", self.show_alert_centre)
        self.act_packages = act("", self.edit_packages)
        self.act_export = act("Ctrl+E", self.export_current)
        self.act_lookup = act("F2", self.show_lookup)
        self.act_calendar = act("", self.edit_calendar)
        self.act_vendor = act("", self.edit_vendor)
        self.act_dnd = QAction(self, checkable=True)
        self.act_dnd.setChecked(self.settings.do_not_disturb)
        self.act_dnd.toggled.connect(self.set_do_not_disturb)
        self.act_sound = QAction(self, checkable=True)
        self.act_sound.setChecked(self.settings.alert_sound)
        self.act_sound.toggled.connect(self.set_alert_sound)

        bar = self.menuBar()
        self.menu_file = bar.addMenu("")
        for a in (self.act_new_ticket, self.act_new_customer, self.act_new_contract):
            self.menu_file.addAction(a)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_export)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_packages)
        self.menu_file.addAction(self.act_calendar)
        self.menu_file.addAction(self.act_vendor)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_quit)
        self.menu_view = bar.addMenu("")
        for a in self.act_views:
            self.menu_view.addAction(a)
        self.menu_view.addSeparator()
        self.menu_view.addAction(self.act_lookup)
        self.menu_view.addAction(self.act_search)
        self.menu_view.addAction(self.act_filter)
        self.menu_view.addAction(self.act_refresh)
        self.menu_view.addSeparator()
        self.menu_view.addAction(self.act_alerts)
        self.menu_view.addAction(self.act_dnd)
        self.menu_view.addAction(self.act_sound)
        self.menu_language = bar.addMenu("")
        self.menu_language.addAction(self.act_vi)
        self.menu_language.addAction(self.act_en)
        self.menu_help = bar.addMenu("")
        self.menu_help.addAction(self.act_about)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Desktop Helpdesk"))
        if self.connection_lost:
            self.connection_banner.setText(_("Lost the connection to the server; retrying…"))
        for i in range(self.nav.count()):
            item = self.nav.item(i)
            item.setText(_(self.views[item.data(Qt.ItemDataRole.UserRole)].title))
        self.menu_file.setTitle(_("&File"))
        self.menu_view.setTitle(_("&View"))
        self.menu_language.setTitle(_("&Language"))
        self.menu_help.setTitle(_("&Help"))
        self.act_new_ticket.setText(_("New &ticket"))
        self.act_new_customer.setText(_("New &customer"))
        self.act_new_contract.setText(_("New co&ntract"))
        self.act_quit.setText(_("&Quit"))
        self.act_refresh.setText(_("&Refresh"))
        self.act_filter.setText(_("&Filter the list"))
        self.act_search.setText(_("&Search everything…"))
        for a, key in zip(self.act_views, self.views):
            a.setText(_(self.views[key].title))
        self.act_vi.setText("Tiếng Việt")
        self.act_en.setText("English")
        self.act_vi.setChecked(language() == "vi")
        self.act_en.setChecked(language() != "vi")
        self.act_about.setText(_("&About Desktop Helpdesk"))
        self.act_alerts.setText(_("&Alert centre"))
        self.alert_dock.setWindowTitle(_("Alert centre"))
        self.act_packages.setText(_("&Packages and SLA…"))
        self.act_export.setText(_("&Export the list…"))
        self.act_lookup.setText(_("&Caller lookup"))
        self.lookup_dock.setWindowTitle(_("Caller lookup"))
        self.act_calendar.setText(_("Support ca&lendar…"))
        self.act_vendor.setText(_("Company &details on reports…"))
        self.act_dnd.setText(_("&Do not disturb"))
        self.act_sound.setText(_("Alert &sound"))
        self._show_operator()

    def _show_busy(self, busy: bool) -> None:
        # Said only of work that lasts: the change feed's read every second and a lookup's
        # few milliseconds would make it flicker.
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self.busy_label.setText("")

    def _show_operator(self) -> None:
        if self.operator is None:
            self.operator_label.setText("")
            return
        role = _(OperatorRole(self.operator.role).label) if self.operator.role in set(OperatorRole) else self.operator.role
        self.operator_label.setText(_("Operator: {name} ({role})").format(name=self.operator.full_name, role=role))

    # -- navigation ------------------------------------------------------------------
    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        key = self.nav.item(row).data(Qt.ItemDataRole.UserRole)
        self.settings.last_view = key
        page = self.pages.get(key)
        self.act_export.setEnabled(page is not None)
        if page is not None and page.model.rowCount() == 0 and page.model.canFetchMore():
            page.model.fetchMore()

    def show_view(self, key: str, focus: bool = False) -> None:
        """Show a view; with `focus` (its Ctrl+1… key), the keyboard goes to its list, so
        ↑ ↓ walk the rows at once instead of the navigation."""
        keys = list(self.views)
        if key in keys and not self.nav.item(keys.index(key)).isHidden():
            self.nav.setCurrentRow(keys.index(key))
            table = getattr(self.views[key], "table", None)
            if focus and table is not None:
                table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def current_page(self) -> ListPage:
        return self.stack.currentWidget()

    def export_current(self) -> None:
        """Export the list in view (Ctrl+E) as it is filtered and sorted."""
        page = self.current_page()
        if isinstance(page, ListPage):
            self.exporter.ask_and_export(page, self.jobs.today())

    def refresh_current(self) -> None:
        self.current_page().reload()

    def focus_filter(self) -> None:
        page = self.current_page()
        if not hasattr(page, "filter"):
            return
        page.filter.setFocus()
        page.filter.selectAll()

    def global_search(self) -> None:
        """Ctrl+F: the search box over customers, contacts, contracts and tickets."""
        if self.search_popup is None:
            self.search_popup = SearchPopup(self.jobs, self)
            opens = {"customer": self.edit_customer, "contract": self.edit_contract, "ticket": self.edit_ticket}
            self.search_popup.open_requested.connect(lambda kind, record_id: opens[kind](record_id))
            self.search_popup.list_requested.connect(self._show_filtered)
        self.search_popup.show_over(self)

    def _show_filtered(self, view: str, text: str) -> None:
        self.show_view(view)
        self.pages[view].filter.setText(text)

    def _on_change(self, change: Change) -> None:
        if change.touches(PACKAGES, OPERATORS):  # what the forms choose from
            self.refresh_reference_data()

    def refresh_reference_data(self) -> None:
        def got(data):
            self.packages, self.operators = data

        self.jobs.submit(catalog.reference_data, on_done=got, owner=self)
        # Build the support calendars (holidays for 20 years, ~0.25 s) on the worker, before
        # the first countdown is painted on the GUI thread.
        self.jobs.submit(lambda ctx: [ctx.calendars.for_hours(hours) for hours in ("office", "always")])

    # -- dialogs ---------------------------------------------------------------------
    def _open(self, dialog) -> None:
        """Show a form; what its save changes reaches the views through Jobs.changed."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if isinstance(dialog, TicketDialog):  # "open that ticket instead" of a new one
            dialog.open_instead_requested.connect(self.edit_ticket)
        dialog.open()
        dialog.activateWindow()
        self.last_dialog = dialog

    def new_customer(self) -> None:
        self._open(CustomerDialog(self.jobs, self))

    def edit_customer(self, customer_id: int) -> None:
        def got(details):
            dialog = CustomerDialog(self.jobs, self)
            dialog.load(details)
            self._open(dialog)

        self.jobs.submit(customers.get_customer, customer_id, on_done=got, on_error=self.show_error, owner=self)

    def new_contract(self) -> None:
        dialog = ContractDialog(self.jobs, self.packages, self, operator_id=self._operator_id())
        page = self.current_page()
        row = page.current_row() if page in (self.pages["customers"], self.pages["obligations"]) else None
        if page is self.pages["customers"] and row is not None:
            dialog.set_customer(row.id, f"{row.code} – {row.name}")
        elif row is not None:
            dialog.set_customer(row.customer_id, row.customer_name)
        self._open(dialog)

    def edit_contract(self, contract_id: int) -> None:
        def got(details):
            dialog = ContractDialog(self.jobs, self.packages, self, operator_id=self._operator_id())
            dialog.load(details)
            self._open(dialog)

        self.jobs.submit(contracts.get_contract, contract_id, on_done=got, on_error=self.show_error, owner=self)

    # -- caller lookup ---------------------------------------------------------------
    def _build_lookup(self) -> None:
        self.lookup = CallerLookupPanel(self.jobs)
        self.lookup_dock = QDockWidget()
        self.lookup_dock.setObjectName("caller_lookup")  # its place and visibility are remembered
        self.lookup_dock.setWidget(self.lookup)
        self.lookup_dock.setMinimumWidth(340)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.lookup_dock)
        self.lookup_dock.hide()
        self.lookup.ticket_requested.connect(self.new_ticket_for_caller)
        self.lookup.ticket_open_requested.connect(self.edit_ticket)
        self.lookup.close_requested.connect(self.close_lookup)
        self.lookup.new_customer_requested.connect(self.new_customer_with_phone)
        self.lookup.add_number_requested.connect(self.add_number_to_customer)
        self.lookup.provisional_ticket_requested.connect(
            lambda customer_id, label: self.new_ticket_for_caller_id(customer_id, label, None))

    # -- alert centre ----------------------------------------------------------------
    def _build_alert_centre(self) -> None:
        self.alert_panel = AlertPanel(self.alerts)
        self.alert_dock = QDockWidget()
        self.alert_dock.setObjectName("alert_centre")  # its place and visibility are remembered
        self.alert_dock.setWidget(self.alert_panel)
        self.alert_dock.setMinimumWidth(460)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.alert_dock)
        self.alert_dock.hide()
        self.alert_panel.close_requested.connect(self.close_alert_centre)

    def show_alert_centre(self) -> None:
        """Ctrl+Shift+A or a click on the count: the operator's alerts, the list focused."""
        if self.alert_dock.isHidden() and not getattr(self, "_alert_dock_sized", False):
            self._alert_dock_sized = True  # once a session; later the width the operator gave it
            self.alert_dock.show()
            self.resizeDocks([self.alert_dock], [max(self.alert_dock.width(), 560)], Qt.Orientation.Horizontal)
        self.alert_dock.show()
        self.alert_dock.raise_()
        self.alert_panel.focus_list()

    def close_alert_centre(self) -> None:
        self.alert_dock.hide()
        page = self.current_page()
        (getattr(page, "table", None) or page).setFocus()

    def show_lookup(self) -> None:
        """F2, from anywhere in the window: the lookup field, its text selected to type over."""
        self.lookup_dock.show()
        self.lookup_dock.raise_()
        self.lookup.focus_field()

    def close_lookup(self) -> None:
        self.lookup_dock.hide()
        page = self.current_page()
        (getattr(page, "table", None) or page).setFocus()

    def new_ticket_for_caller(self, match) -> None:
        """A quick ticket for the caller the lookup found: customer and contact filled in,
        channel hotline, the cursor in the subject."""
        dialog = TicketDialog(self.jobs, self.operators, self, operator_id=self._operator_id())
        if match.kept_id is not None:  # a merged duplicate's old number or code: the customer that stays
            dialog.preset_caller(match.kept_id, match.kept_label, match.contact_id)
        else:
            dialog.preset_caller(match.customer_id, f"{match.customer_code} – {match.customer_name}", match.contact_id)
        self._open(dialog)

    def new_ticket_for_caller_id(self, customer_id: int, label: str, contact_id: int | None) -> None:
        """A quick ticket for a customer the lookup just made or gave (an unknown number)."""
        dialog = TicketDialog(self.jobs, self.operators, self, operator_id=self._operator_id())
        dialog.preset_caller(customer_id, label, contact_id)
        self._open(dialog)

    def new_customer_with_phone(self, phone: str) -> None:
        """An unknown caller: the customer form with the number filled in, in its normal form."""
        dialog = CustomerDialog(self.jobs, self)
        dialog.preset_phone(phone)
        self._open(dialog)

    def add_number_to_customer(self, customer_id: int, phone: str) -> None:
        """An unknown caller of a known customer: its form with a new contact holding the number."""
        def got(details):
            dialog = CustomerDialog(self.jobs, self)
            dialog.load(details)
            dialog.add_caller_contact(phone)
            self._open(dialog)

        self.jobs.submit(customers.get_customer, customer_id, on_done=got, on_error=self.show_error, owner=self)

    def new_ticket(self) -> None:
        focus = self.focusWidget()
        if focus is not None and self.lookup.isAncestorOf(focus) and self.lookup.current_match() is not None:
            self.new_ticket_for_caller(self.lookup.current_match())  # Ctrl+N in the lookup = Enter
            return
        dialog = TicketDialog(self.jobs, self.operators, self, operator_id=self._operator_id())
        page = self.current_page()
        if page is self.pages["customers"] and page.current_row() is not None:
            c = page.current_row()
            dialog.set_customer(c.id, f"{c.code} – {c.name}")
        elif page in (self.pages["contracts"], self.pages["obligations"]) and page.current_row() is not None:
            k = page.current_row()
            dialog.set_customer(k.customer_id, k.customer_name)
        self._open(dialog)
        if page is not self.pages["tickets"]:
            dialog.saved.connect(lambda *_: self.show_view("tickets"))

    def edit_ticket(self, ticket_id: int) -> None:
        def got(details):
            dialog = TicketDialog(self.jobs, self.operators, self, operator_id=self._operator_id())
            dialog.load(details)
            self._open(dialog)

        self.jobs.submit(tickets.get_ticket, ticket_id, on_done=got, on_error=self.show_error, owner=self)

    def set_operator(self, operator) -> None:
        """Who works at this desk from now on (after sign-in, Switch operator or Lock)."""
        self.operator = operator
        self._show_operator()
        self._apply_rights()
        self.operator_changed.emit(operator)

    def _apply_rights(self) -> None:
        """Views the operator has no right to are not offered: the Reports view (and its
        Ctrl+N) only for those who may see the SLA reports (leads and administrators)."""
        keys = list(self.views)
        row = keys.index("reports")
        allowed = self.reports.allowed()
        self.nav.item(row).setHidden(not allowed)
        self.act_views[row].setEnabled(allowed)
        if not allowed and self.nav.currentRow() == row:
            self.show_view("dashboard")

    def _operator_id(self):
        return self.operator.id if self.operator else None

    # -- language, errors, about -----------------------------------------------------
    def edit_packages(self) -> None:
        dialog = PackagesDialog(self.jobs, self.packages, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.last_dialog = dialog

    def edit_calendar(self) -> None:
        dialog = SupportCalendarDialog(self.jobs, self.jobs.today().year, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.last_dialog = dialog

    def edit_vendor(self) -> None:
        dialog = VendorDialog(self.jobs, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.last_dialog = dialog

    def set_do_not_disturb(self, on: bool) -> None:
        self.alerts.do_not_disturb = on
        self.settings.do_not_disturb = on
        self._save_settings()

    def set_alert_sound(self, on: bool) -> None:
        self.alerts.sound = on
        self.settings.alert_sound = on
        self._save_settings()

    def change_language(self, language: str) -> None:
        if self._set_language is not None:
            self._set_language(language)
        self.settings.language = language

    #: How often a desk that lost the team server tries again.
    RECONNECT_INTERVAL_MS = 5000

    @property
    def connection_lost(self) -> bool:
        return not self.connection_banner.isHidden()

    def _lost_connection(self) -> None:
        """Say it once, in a banner (not a box per failed refresh), and retry by itself;
        what the user typed in open forms stays there."""
        if not self.connection_lost:
            log.info("lost the connection to the database server; retrying")
            self.connection_banner.setText(_("Lost the connection to the server; retrying…"))
            self.connection_banner.show()
            self._reconnect_timer.start()

    def _try_reconnect(self) -> None:
        def back(_none) -> None:
            if self.connection_lost:
                log.info("the database server answers again")
                self._reconnect_timer.stop()
                self.connection_banner.hide()
                self.statusBar().showMessage(_("Connected to the server again."), 5000)
                self.refresh_reference_data()
                for view in self.views.values():
                    view.reload()

        self.jobs.submit(health.ping, on_done=back, on_error=lambda exc: None, owner=self, key="reconnect")

    def show_error(self, exc: BaseException) -> None:
        if isinstance(exc, ConnectionLost):
            self._lost_connection()
            return
        if isinstance(exc, NotFoundError):
            message = _("This record no longer exists.")
        else:
            message = failure_message(N_("Something went wrong while talking to the database. Nothing was lost."), exc, log)
        self.statusBar().showMessage(message, 10000)
        # One box, not modal and never waited on: failures that come in a burst (every list
        # refresh while the server is away) update it instead of stacking a box each.
        box = self.error_box
        if box is None:
            box = self.error_box = QMessageBox(QMessageBox.Icon.Warning, _("Desktop Helpdesk"), message,
                                               QMessageBox.StandardButton.Ok, self)
            box.setWindowModality(Qt.WindowModality.NonModal)
        box.setWindowTitle(_("Desktop Helpdesk"))
        box.setText(message)
        box.show()

    def about(self) -> None:
        QMessageBox.about(self, _("About Desktop Helpdesk"),
                          _("Desktop Helpdesk {version}\nContracts, warranty and SLA clocks for Vietnamese software support desks.").format(version=__version__))

    # -- layout memory ---------------------------------------------------------------
    def _restore_layout(self) -> None:
        s = self.settings
        if s.window_geometry:
            self.restoreGeometry(_unb64(s.window_geometry))
        if s.window_state:
            self.restoreState(_unb64(s.window_state))
        for page in self.pages.values():
            state = s.header_states.get(page.layout_key)
            if state:
                page.table.horizontalHeader().restoreState(_unb64(state))
        for key, splitter in self._splitters().items():
            if key in s.splitter_states:
                splitter.restoreState(_unb64(s.splitter_states[key]))
        self.show_view(s.last_view if s.last_view in self.views else "dashboard")

    def save_layout(self) -> None:
        s = self.settings
        s.window_geometry = _b64(self.saveGeometry())
        s.window_state = _b64(self.saveState())
        s.header_states = {page.layout_key: _b64(page.table.horizontalHeader().saveState()) for page in self.pages.values()}
        s.splitter_states = {key: _b64(splitter.saveState()) for key, splitter in self._splitters().items()}
        self._save_settings()

    def _splitters(self) -> dict:
        """Every splitter whose position is remembered, by its key in the settings."""
        return {"main": self.splitter,
                "ticket_detail": self.pages["tickets"].splitter,  # the list above, the ticket below
                "ticket_sides": self.pages["tickets"].detail_splitter,  # the ticket beside its work log
                "customer_detail": self.pages["customers"].splitter}

    def closeEvent(self, event: QCloseEvent) -> None:
        self.team_feed.stop()
        backups = getattr(self, "backups", None)  # set by app.main when the data is a local file
        if backups is not None:
            backups.stop()  # quitting does not wait for a daily backup to be written
        self.save_layout()
        super().closeEvent(event)
