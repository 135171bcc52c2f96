"""The start view: what is breached, at risk and due soon, paused clocks, warranties ending
and renewals due — each line opens its ticket or contract — and a chart of clocks met
versus breached per day over the last 30 days. Refreshed on the worker when shown and once
a minute while visible (one timer)."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.text import fold
from ...domain.vietnam import desk_today
from ...i18n import N_, _
from ...i18n.formatting import (
    format_date,
    format_datetime,
    format_number,
    format_time_left,
)
from ...services import dashboard
from ...services.changes import CALENDAR, CONTRACTS, OBLIGATIONS, PACKAGES, TICKETS
from ..kit import marks, retranslate
from ..kit.countdown import day_countdown_colour, day_countdown_text
from ..kit.worker import LONG, Jobs

#: The operator load table's columns.
LOAD_COLUMNS = (N_("Operator"), N_("Team"), N_("Open"), N_("Breached"), N_("Late (30 days)"))
LOAD_TIPS = {3: N_("Open tickets with a clock past its due time now"),
             4: N_("Clocks stopped after their due time in the last 30 days")}

SECTION_TITLES = {
    "breached": N_("Breached"),
    "at_risk": N_("At risk"),
    "due_2h": N_("Due within 2 hours"),
    "due_today": N_("Due today"),
    "due_week": N_("Due this week"),
    "paused": N_("Paused – waiting on customer"),
    "warranty_ending": N_("Warranties ending within 30 days"),
    "renewals_due": N_("Maintenance renewals due"),
}


def scope_key(scope: tuple | None) -> str:
    """A scope as the text a combo or tree item holds: "", "unassigned:", "team:<name>", "operator:<id>"."""
    if not scope:
        return ""
    kind, value = scope
    return f"{kind}:{'' if value is None else value}"


def scope_of(key: str | None) -> tuple | None:
    if not key:
        return None
    kind, _sep, value = key.partition(":")
    if kind == "operator":
        return ("operator", int(value))
    return (kind, value if kind == "team" else None)


class DashboardPage(QWidget):
    key = "dashboard"
    title = N_("Dashboard")
    #: Each operator's load is read again at every LOAD_EVERY-th timed refresh (minutes).
    LOAD_EVERY = 5

    ticket_requested = Signal(int)
    contract_requested = Signal(int)
    load_failed = Signal(object)
    #: The counts of a build were shown
    data_shown = Signal()

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.jobs = jobs
        self.data = None
        self.cards: dict[str, QToolButton] = {}
        cards = QGridLayout()
        for i, section in enumerate(SECTION_TITLES):
            button = QToolButton()
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setMinimumSize(150, 54)
            # Equal cards in even columns, whatever the length of their titles.
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            button.clicked.connect(lambda _c=False, s=section: self.focus_section(s))
            self.cards[section] = button
        self.card_grid = cards
        self.card_columns = 0
        self._lay_cards(4)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        # The item (code and subject) takes what is left, cut short if it must: the due time
        # and the time left stay in view beside the operators' load.
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 150)
        for c in (2, 3):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setRootIsDecorated(True)
        self.tree.viewport().installEventFilter(self)
        self.tree.itemActivated.connect(self._open)
        self.tree.itemDoubleClicked.connect(self._open)
        self.chart = QChart()
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(220)
        self.updated = QLabel()
        # Whose tickets: everyone's, one operator's, a team's or the unassigned ones.
        self.scope: tuple | None = None
        self.load_rows: tuple = ()  # services.dto.OperatorLoad, the whole desk's
        self.scope_label = QLabel()
        self.scope_combo = QComboBox()
        self.scope_combo.setMinimumContentsLength(28)
        self.scope_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.scope_label.setBuddy(self.scope_combo)
        self.scope_combo.activated.connect(lambda *_: self.set_scope(scope_of(self.scope_combo.currentData())))
        scope_row = QHBoxLayout()
        scope_row.addWidget(self.scope_label)
        scope_row.addWidget(self.scope_combo)
        scope_row.addStretch()
        # Each operator's open load and breaches (the whole desk's); Enter on a row shows theirs.
        self.load = QTreeWidget()
        self.load.setObjectName("OperatorLoad")
        self.load.setColumnCount(len(LOAD_COLUMNS))
        self.load.setRootIsDecorated(False)
        self.load.setAlternatingRowColors(True)
        self.load.setSortingEnabled(False)
        self.load.itemActivated.connect(self._load_activated)
        self.load.itemDoubleClicked.connect(self._load_activated)
        self.load.viewport().installEventFilter(self)
        # The sections and, beside them, each operator's load; the chart below, full width
        # (its 30 day labels need it).
        sides = QSplitter(Qt.Orientation.Horizontal)
        sides.addWidget(self.tree)
        sides.addWidget(self.load)
        sides.setStretchFactor(0, 3)
        sides.setStretchFactor(1, 2)
        sides.setSizes([720, 380])
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(sides)
        splitter.addWidget(self.chart_view)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(scope_row)
        layout.addLayout(cards)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.updated)
        self._ticks = 0
        self._load_wanted = False
        self.timer = QTimer(self, interval=60_000)
        self.timer.timeout.connect(self._timed_reload)
        jobs.changed.connect(self._on_change)
        self.retranslate()

    # -- data ------------------------------------------------------------------------
    def _on_change(self, change) -> None:
        # New SLA terms or support days move every due time; a ticket or contract saved here
        # or at a colleague's desk moves the counts. Gathered for a second: a burst of saves
        # across the team rebuilds the dashboard once.
        if change.touches(PACKAGES, CALENDAR, TICKETS, CONTRACTS, OBLIGATIONS):
            self._load_wanted = True
            self.jobs.submit(dashboard.build, self.scope, owner=self, key="dashboard", on_done=self._got,
                             on_error=self.load_failed.emit, debounce_ms=1000)

    def reload(self, *_args) -> None:
        """The counts again (the view shown, Refresh, a scope chosen), then each operator's
        load: it follows the counts, so it never slows the first ones down."""
        self._load_wanted = True
        self.jobs.submit(dashboard.build, self.scope, owner=self, key="dashboard", on_done=self._got,
                         on_error=self.load_failed.emit)

    def _timed_reload(self) -> None:
        """The minute's refresh: the counts, and each operator's load only every LOAD_EVERY
        minutes. Only its breached column moves with time alone (a save anywhere reloads it
        at once), and it costs about a second at 1M tickets: read every minute it kept the
        desk at 2–3 % of a core while the dashboard was shown (issue #17)."""
        self._ticks += 1
        if self._ticks % self.LOAD_EVERY:
            self.jobs.submit(dashboard.build, self.scope, owner=self, key="dashboard", on_done=self._got,
                             on_error=self.load_failed.emit)
        else:
            self.reload()

    def _ask_load(self, debounce_ms: int = 0) -> None:
        """Each operator's load, on the long lane: ~1 s on 1M tickets must not hold up the
        lists and lookups; the table follows when it comes."""
        self.jobs.submit(dashboard.operator_load, owner=self, key="operator_load", on_done=self._got_load,
                         on_error=self.load_failed.emit, lane=LONG, debounce_ms=debounce_ms)

    def _got_load(self, rows) -> None:
        self.load_rows = tuple(rows)
        self._fill_scopes()
        self._render_load()

    def set_scope(self, scope: tuple | None) -> None:
        """Show the counts, lists and chart of `scope`'s tickets: None (everyone's),
        ("operator", id), ("team", name) or ("unassigned", None)."""
        scope = tuple(scope) if scope else None
        if scope != self.scope:
            self.scope = scope
            self._fill_scopes()
            self._render_load()  # the chosen row in bold
            self.jobs.submit(dashboard.build, self.scope, owner=self, key="dashboard", on_done=self._got,
                             on_error=self.load_failed.emit)

    def _got(self, data) -> None:
        if data.scope != self.scope:
            return  # asked before the scope changed
        self.data = data
        self._render()
        self.data_shown.emit()
        if self._load_wanted:
            self._load_wanted = False
            self._ask_load()

    def _fill_scopes(self) -> None:
        """The scope choices from the operators the load lists (their teams, then each one)."""
        combo = self.scope_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(_("Everyone"), scope_key(None))
        combo.addItem(_("Unassigned tickets"), scope_key(("unassigned", None)))
        load = self.load_rows
        for team in sorted({row.team for row in load if row.team}, key=fold):
            combo.addItem(_("Team: {team}").format(team=team), scope_key(("team", team)))
        for row in load:
            if row.operator_id is not None:
                combo.addItem(f"{row.full_name} ({row.code})", scope_key(("operator", row.operator_id)))
        index = combo.findData(scope_key(self.scope))
        if index < 0:  # not (or no longer) among them: say which it is anyway
            combo.addItem(str(self.scope[1]), scope_key(self.scope))
            index = combo.count() - 1
        combo.setCurrentIndex(index)
        combo.blockSignals(False)

    # -- fitting a narrow view -------------------------------------------------------------
    def _lay_cards(self, columns: int) -> None:
        """The cards in `columns` even columns (4, or 2 when four would cut their titles)."""
        if columns == self.card_columns:
            return
        grid = self.card_grid
        for button in self.cards.values():
            grid.removeWidget(button)
        for i, button in enumerate(self.cards.values()):
            grid.addWidget(button, i // columns, i % columns)
        for column in range(4):
            grid.setColumnStretch(column, 1 if column < columns else 0)
        self.card_columns = columns

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_width()

    def _fit_width(self) -> None:
        """A narrow view (the caller lookup open beside it, large text): the cards go to two
        columns rather than cut "Tạm dừng – chờ khách hàng" to "Tạm dừng …hách hàng", and
        the customer and due columns give the item room."""
        width = self.width() - 24
        needed = max(b.sizeHint().width() for b in self.cards.values()) + 8
        self._lay_cards(4 if width >= 4 * needed else 2)
        self._fit_tree()

    def _fit_tree(self) -> None:
        room = self.tree.viewport().width()
        self.tree.header().resizeSection(1, max(90, min(150, room // 4)))
        # Narrow: the due time gives way to the item (the time left says how far it is).
        self.tree.setColumnHidden(2, 0 < room < 640)

    def _render_load(self) -> None:
        self.load.clear()
        self.load.setHeaderLabels([_(title) for title in LOAD_COLUMNS])
        for c, tip in LOAD_TIPS.items():
            self.load.headerItem().setToolTip(c, _(tip))
        for row in self.load_rows:
            name = _("Unassigned") if row.operator_id is None else f"{row.full_name} ({row.code})"
            item = QTreeWidgetItem([name, row.team, format_number(row.open_tickets), format_number(row.breached_now),
                                    format_number(row.breached_recently)])
            item.setToolTip(0, name)
            for c in (2, 3, 4):
                item.setTextAlignment(c, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if row.breached_now:
                item.setForeground(3, QColor(marks.SECTION_COLOURS.get("breached", marks.OTHER_SECTION.colour)))
            scope = ("unassigned", None) if row.operator_id is None else ("operator", row.operator_id)
            item.setData(0, Qt.ItemDataRole.UserRole, scope_key(scope))
            if scope == self.scope:
                font = item.font(0)
                font.setBold(True)
                for c in range(len(LOAD_COLUMNS)):
                    item.setFont(c, font)
            self.load.addTopLevelItem(item)
        self._fit_load_columns()

    def _fit_load_columns(self) -> None:
        """Each column as wide as its contents; when they are wider than the pane, the
        names give way (elided, whole in their tooltips) so that the numbers and their
        headings ("Trễ hạn (30 ngày)") stay whole."""
        for c in range(len(LOAD_COLUMNS)):
            self.load.resizeColumnToContents(c)
        room = self.load.viewport().width()
        total = sum(self.load.columnWidth(c) for c in range(len(LOAD_COLUMNS)))
        if total > room > 0:
            self.load.setColumnWidth(0, max(90, self.load.columnWidth(0) - (total - room)))

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            if hasattr(self, "load") and watched is self.load.viewport():
                self._fit_load_columns()
            elif watched is self.tree.viewport():
                self._fit_tree()
        return super().eventFilter(watched, event)

    def _load_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        scope = scope_of(item.data(0, Qt.ItemDataRole.UserRole))
        self.set_scope(None if scope == self.scope else scope)  # again on the same row: everyone

    def _render(self) -> None:
        d = self.data
        for section, button in self.cards.items():
            count = d.counts.get(section, 0) if d else 0
            button.setText(f"{count}\n{_(SECTION_TITLES[section])}")
            if count and section in marks.SECTION_COLOURS:
                marks.set_style(button, lambda section=section:
                                f"QToolButton {{ color: {marks.SECTION_COLOURS[section]}; font-weight: bold; }}")
            else:
                marks.set_style(button, None)
        self._fit_width()  # the titles changed (counts, language): do four columns still fit?
        self.tree.clear()
        self._render_load()
        if d is None:
            return
        for section in SECTION_TITLES:
            rows = [i for i in d.items if i.section == section]
            top = QTreeWidgetItem([f"{_(SECTION_TITLES[section])} ({d.counts.get(section, 0)})"])
            top.setData(0, Qt.ItemDataRole.UserRole, section)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            mark = marks.SECTION_MARKS.get(section, marks.OTHER_SECTION.mark)
            today = desk_today(d.now)  # the desk's day in Hà Nội, not UTC's
            colour = QColor(marks.SECTION_COLOURS.get(section, marks.OTHER_SECTION.colour))
            for item in rows:
                if item.ticket_id is None:  # a contract's date, counted in days as in the other lists
                    due = format_date(item.due)
                    text = day_countdown_text(item.due, today) if item.due else ""
                    line_colour = day_countdown_colour(item.due, today) if item.due else colour
                else:
                    due = format_datetime(item.due)
                    if section == "paused":  # a paused clock does not count down: its due time moves on
                        when = _("paused – waiting on customer")
                    else:
                        when = format_time_left(item.due - d.now, short=True) if item.due else ""
                    text, line_colour = (f"{mark} {when}" if when else ""), colour
                child = QTreeWidgetItem([f"{item.code} — {item.title}".rstrip(" —"), item.customer_name, due, text])
                child.setForeground(3, line_colour)
                child.setData(0, Qt.ItemDataRole.UserRole, ("ticket", item.ticket_id) if item.ticket_id else ("contract", item.contract_id))
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setExpanded(bool(rows) and section in ("breached", "at_risk", "due_2h"))
        self._render_chart()
        self.updated.setText(_("Updated {time}").format(time=format_datetime(d.now)))

    def _render_chart(self) -> None:
        d = self.data
        self.chart.removeAllSeries()
        for axis in list(self.chart.axes()):
            self.chart.removeAxis(axis)
        met, breached = QBarSet(_("Met")), QBarSet(_("Breached"))
        met.setColor(QColor(marks.CHART_MET))  # read now: the colour scheme may have changed
        breached.setColor(QColor(marks.CHART_BREACHED))
        days = []
        for day, m, b in d.met_breached_by_day:
            met.append(m)
            breached.append(b)
            days.append(day.strftime("%d/%m"))
        series = QStackedBarSeries()
        series.append(met)
        series.append(breached)
        self.chart.addSeries(series)
        axis_x = QBarCategoryAxis()
        axis_x.append(days)
        axis_x.setLabelsAngle(-90)
        axis_y = QValueAxis()
        axis_y.setLabelFormat("%d")
        # Whole numbers only: a day's top of 1 gave the ticks 0, 0.5, 1 shown as "0 0 1".
        top = max((m + b for _day, m, b in d.met_breached_by_day), default=0)
        top = max(top, 1) if top <= 5 else -(-top // 5) * 5
        axis_y.setRange(0, top)
        axis_y.setTickCount(top + 1 if top <= 5 else 6)
        self.chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_x)
        series.attachAxis(axis_y)
        self.chart.setTitle(_("SLA clocks met and breached per day, last 30 days"))

    def focus_section(self, section: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top.data(0, Qt.ItemDataRole.UserRole) == section:
                top.setExpanded(True)
                self.tree.setCurrentItem(top)
                self.tree.scrollToItem(top, QTreeWidget.ScrollHint.PositionAtTop)

    def _open(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        target = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(target, tuple):
            kind, record_id = target
            (self.ticket_requested if kind == "ticket" else self.contract_requested).emit(record_id)

    # -- visibility and language -----------------------------------------------------
    def showEvent(self, event) -> None:
        self.reload()
        self.timer.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        self.timer.stop()
        super().hideEvent(event)

    def retranslate(self) -> None:
        self.tree.setHeaderLabels([_("Item"), _("Customer"), _("Due"), _("Time left")])
        self.scope_label.setText(_("&Show tickets of:"))
        self.load.setToolTip(_("Open tickets and SLA breaches by operator, for the whole desk. "
                               "Enter or double-click shows that operator's tickets above."))
        self._fill_scopes()
        self._render()
