"""The tickets list, the selected ticket's clocks and facts, and its history and work log beside them."""

from __future__ import annotations

import logging
from html import escape

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...domain.enums import (
    Channel,
    Coverage,
    Priority,
    RequestType,
    TicketStatus,
)
from ...i18n import N_, _
from ...i18n.formatting import format_datetime
from ...services import tickets
from ...services.changes import CALENDAR, PACKAGES, TICKETS
from ..kit.countdown import CountdownTicker
from ..kit.countdown import clock_countdown_text as clock_text
from ..kit.errors import log_failure
from ..kit.list_page import ListPage
from ..kit import marks
from ..kit.paged_model import Column, PagedTableModel
from ..kit.widgets import enum_label
from ..kit.worker import LONG, Jobs
from .assign import ASSIGN_KEY, AssignPicker, assign_key_text
from .clocks_pane import ClocksPane
from .model import TicketsModel
from .queues import QueueBar
from .worklog import WorkLogPanel, describe

log = logging.getLogger(__name__)


def tickets_model(jobs: Jobs) -> PagedTableModel:
    columns = [
        # ⚠: a field laptop's change of it waits in Sync conflicts (told by a mark, not a colour).
        Column(N_("Code"), "code", lambda r: f"⚠ {r.code}" if r.in_conflict else r.code, width=125,
               value=lambda r: r.code),
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

    # The live countdown, third: what the operator watches; painted by TicketsModel.data
    # (an export writes it as it reads at the time of the export).
    columns.insert(2, Column(N_("Time left"), "next_due_at", lambda r: "", width=200,
                             value=lambda r: clock_text(jobs.calendars.live_clocks(r), jobs.now())))
    # Default order: maintenance customers whose package gives priority first (seed 004),
    # then the newest (the queue rank, read descending).
    return TicketsModel(columns, tickets.list_tickets, jobs, countdown_column=2,
                        default_sort="queue_rank", default_descending=True, filters={"state": "open"})


class TicketsPage(ListPage):
    """Tickets, with the selected ticket's customer, contract, status and history below."""

    key = "tickets"
    refreshed_by = (TICKETS, PACKAGES, CALENDAR)  # new terms or days move the countdowns
    title = N_("Tickets")
    columns_version = 2  # 2: the live "Time left" column
    new_label = N_("&New ticket")
    STATES = (("open", N_("Open tickets")), ("done", N_("Resolved and closed")), ("", N_("All tickets")))

    def __init__(self, jobs: Jobs, parent: QWidget | None = None, settings=None, save_settings=None,
                 operator=None):
        super().__init__(tickets_model(jobs), parent)
        self.jobs = jobs
        self.settings = settings  # where the chosen queue is remembered (None in some tests)
        self._save_settings = save_settings
        self.operator = operator  # the signed-in operator (OperatorData) or None
        self.state = QComboBox()
        for value, _title in self.STATES:
            self.state.addItem("", value)
        self.state.currentIndexChanged.connect(lambda *_: self._filters_changed())
        self.toolbar.insertWidget(1, self.state)
        # The queues, above the list; chosen with a click or Alt+1…4; remembered.
        self.queues = QueueBar()
        self.queues.set_queue(settings.ticket_queue if settings is not None else "all")
        self.queues.queue_chosen.connect(self.set_queue)
        self.queues.install_shortcuts(self)
        self.assign_button = QPushButton()
        self.assign_button.setEnabled(False)
        self.assign_button.clicked.connect(self.assign_current)
        self.toolbar.insertWidget(self.toolbar.indexOf(self.edit_button) + 1, self.assign_button)
        QShortcut(QKeySequence(ASSIGN_KEY), self, activated=self.assign_current,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.picker: AssignPicker | None = None
        # What an empty queue says, over the empty list.
        self.empty_text = QLabel(self.table.viewport())
        self.empty_text.setObjectName("EmptyQueue")
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text.setWordWrap(True)
        marks.set_colour(self.empty_text, "HINT", "padding: 24px")
        self.empty_text.hide()
        self.table.viewport().installEventFilter(self)
        self.model.page_loaded.connect(self._show_empty_text)  # a method: disconnected with the page
        self.model.modelReset.connect(self.empty_text.hide)
        self.model.preset_filters(**self.list_filters())
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)

        # On the left the ticket's clocks (their own widget: a tick re-renders the clocks
        # only) above its facts; on the right its history and work log.
        self.clocks = ClocksPane(jobs.now)
        pane = QWidget()
        pane_layout = QVBoxLayout(pane)
        pane_layout.setContentsMargins(0, 0, 0, 0)
        pane_layout.setSpacing(4)
        pane_layout.addWidget(self.clocks)
        pane_layout.addWidget(self.detail, 1)
        self.worklog = WorkLogPanel(jobs)
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
        self.current_changed.connect(self._show_current)
        self.ticker = CountdownTicker(self.table, self.model, jobs.now, self)
        self.build_layout(self.splitter)
        self.layout().insertWidget(0, self.queues)
        self.current_changed.connect(lambda row: self.assign_button.setEnabled(row is not None))

    # -- queues --------------------------------------------------------------------------
    def list_filters(self) -> dict:
        """The list's filters: its state, its queue and who "mine" and "my team" are."""
        me = self.operator
        return {"state": self.state.currentData(), "queue": self.queues.queue,
                "operator_id": me.id if me is not None else None, "team": me.team if me is not None else ""}

    def _filters_changed(self) -> None:
        self.model.set_filters(**self.list_filters())
        self.ask_counts()

    def set_queue(self, key: str) -> None:
        """Show the queue `key` ("mine", "unassigned", "team", "all"), remembered for the next start."""
        self.queues.set_queue(key)
        if self.settings is not None and self.settings.ticket_queue != self.queues.queue:
            self.settings.ticket_queue = self.queues.queue
            if self._save_settings is not None:
                self._save_settings()
        self._filters_changed()

    def set_operator(self, operator) -> None:
        """Someone else signed in: "My tickets" and "My team" are theirs now."""
        self.operator = operator
        self._filters_changed()

    def ask_counts(self) -> None:
        """How many tickets each queue holds; newest wins. On the long lane: with 1M tickets
        the four counts of open tickets take ~0.2 s, which must not hold up the next page
        or lookup (a list's page costs ~10 ms); the counts follow when they can."""
        self.jobs.submit(tickets.queue_counts, self.list_filters(), on_done=self.queues.set_counts,
                         on_error=self._counts_failed, owner=self, key="queue_counts", lane=LONG)

    def _counts_failed(self, exc: BaseException) -> None:
        log_failure("the queue counts could not be read", exc, log)
        self.queues.set_counts(None)  # the queues without their counts; the list itself is fine

    def empty_message(self) -> str:
        queue, me = self.queues.queue, self.operator
        if queue == "mine":
            return (_("Nobody is signed in at this desk, so no tickets are yours.") if me is None
                    else _("No tickets assigned to you here."))
        if queue == "unassigned":
            return _("Every ticket here has someone assigned.")
        if queue == "team":
            if me is None or not me.team:
                return _("You are not in a team, so \"My team\" is empty. An administrator can put you in one (File → Operators).")
            return _("No tickets of your team ({team}) here.").format(team=me.team)
        return _("No tickets here.")

    def _show_empty_text(self, *_args) -> None:
        empty = self.model.rowCount() == 0 and not self.model.canFetchMore() and not self.model.loading
        if empty:
            self.empty_text.setText(self.empty_message())
            self.empty_text.setGeometry(self.table.viewport().rect())
        self.empty_text.setVisible(empty)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self.empty_text.setGeometry(self.table.viewport().rect())
        return super().eventFilter(watched, event)

    # -- assigning -------------------------------------------------------------------------
    def assign_current(self) -> AssignPicker | None:
        """Ctrl+Alt+A: the picker for the selected ticket; Enter assigns at once."""
        row = self.current_row()
        if row is None:
            return None
        current = self._details.draft.assignee_id if self._details is not None and self._details.id == row.id else None
        picker = AssignPicker(self.jobs, self.operator, current, row.code, self)
        picker.chosen.connect(lambda assignee_id, ticket_id=row.id: self._assign(picker, ticket_id, assignee_id))
        picker.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        picker.finished.connect(self._picker_closed)
        self.picker = picker
        picker.open()
        return picker

    def _picker_closed(self, *_args) -> None:
        self.window().activateWindow()  # back to the list, for the next key
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _assign(self, picker: AssignPicker, ticket_id: int, assignee_id) -> None:
        me = self.operator
        self.jobs.submit(tickets.assign, ticket_id, assignee_id, me.id if me is not None else None,
                         on_done=picker.done_assigning, on_error=picker.assign_failed, owner=picker)

    def _show_current(self, row) -> None:
        if row is None:
            self.jobs.forget("detail", self)  # a ticket on its way is no longer the one selected
            self._details = None
            self._render()
            self.worklog.set_details(None)
            return
        self._ask_detail(row.id)

    def _ask_detail(self, ticket_id: int) -> None:
        """Read the ticket for the detail; newest wins (a ticket selected before arrives late
        and is dropped)."""
        self.jobs.submit(tickets.get_ticket, ticket_id, on_done=self._got, owner=self, key="detail")

    def _got(self, details) -> None:
        self._details = details
        self._render()
        self.worklog.set_details(details)

    def _entry_added(self, ticket_id: int) -> None:
        """A work-log entry was saved: read the ticket again if it is still the one shown."""
        if self._details is not None and self._details.id == ticket_id:
            self._ask_detail(ticket_id)

    def _render(self) -> None:
        d = self._details
        if d is None:
            self.clocks.set_clocks([])
            hint = _("Select a ticket to see its details and history.")
            self.detail.setHtml(f"<p style='color:{marks.HINT}'>{escape(hint)}</p>")
            return
        dr = d.draft
        rows = [
            (_("Customer"), d.customer_name), (_("Contact"), d.contact_name), (_("Contract"), d.contract_number),
            (_("Status"), enum_label(TicketStatus, dr.status)), (_("Type"), enum_label(RequestType, dr.request_type)),
            (_("Received"), format_datetime(dr.received_at)),
        ]
        head = "".join(f"<tr><td style='color:{marks.MUTED};padding-right:12px'>{escape(k)}</td><td>{escape(v or '—')}</td></tr>" for k, v in rows)
        # The history and work log are in self.worklog (ui/worklog.py), beside this.
        html = (f"<h3>{escape(d.code)} — {escape(dr.subject)}</h3><table>{head}</table>"
                + (f"<p>{escape(dr.description)}</p>" if dr.description else ""))
        self.detail.setHtml(html)
        r = self.model.row_of_id(d.id)
        self.clocks.set_clocks(self.model.clocks_of(r) if r >= 0 else [], dr.coverage, dr.request_type)

    def showEvent(self, event) -> None:
        self.ask_counts()  # colleagues' saves move them too; counted again when the view is shown
        super().showEvent(event)

    def changeEvent(self, event) -> None:
        # The colour scheme switched: the open ticket's facts are written in its colours again.
        if event.type() == QEvent.Type.PaletteChange:
            self._render()
        super().changeEvent(event)

    def tick(self) -> None:
        """Called by the view's timer: the open ticket's clocks move on with the list (only
        the clocks label is re-rendered, not the ticket and its history)."""
        self.clocks.refresh()

    @staticmethod
    def _describe(e) -> str:
        return describe(e)

    def reload(self, select_id: int | None = None) -> None:
        super().reload(select_id)
        self.ask_counts()

    def retranslate(self) -> None:
        super().retranslate()
        if hasattr(self, "state"):
            for i, (_value, title) in enumerate(self.STATES):
                self.state.setItemText(i, _(title))
            self._render()
        if hasattr(self, "assign_button"):
            self.assign_button.setText(_("&Assign…"))
            self.assign_button.setToolTip(_("Assign or reassign the selected ticket ({key})").format(key=assign_key_text()))
            if self.empty_text.isVisible():
                self.empty_text.setText(self.empty_message())
