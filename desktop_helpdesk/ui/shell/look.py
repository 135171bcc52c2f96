"""The main window's look (issue #19): icons on every menu entry and view, the toolbar of the
day's main actions, counts in the navigation and its icons-only mode, the status bar's
connection state, and View → Colour scheme.

Kept apart from mainwindow.py, which builds it once (`WindowLook(window)`), so the window's
own code stays about what it does; this module only adds to it what it looks like.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QFont, QFontMetrics, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QStyle, QStyledItemDelegate, QToolBar

from ...domain.enums import TicketEventKind
from ...i18n import N_, _, ngettext
from ...services import tickets
from ...services.changes import TICKETS, Change
from ..kit import icons, marks, retranslate
from ..kit.theme import SCHEMES
from ..kit.worker import LONG
from .tour import Tour

#: View → Text size: the app's font in per cent of the system's.
TEXT_SIZES = (100, 125, 150)
TEXT_SIZE_LABELS = {100: N_("&Normal ({percent}%, the system's)"), 125: N_("&Large ({percent}%)"),
                    150: N_("La&rger ({percent}%)")}
#: The system's font (100 %), taken before the first change of size.
_base_font: QFont | None = None

#: The role of a navigation item that holds its counts ((open, mine) for tickets).
COUNT_ROLE = Qt.ItemDataRole.UserRole + 1
#: The navigation pane's width when it shows icons only.
COLLAPSED_WIDTH = 52
#: The pane's width with names and counts (Vietnamese names are the longer), and at most.
EXPANDED_WIDTH, EXPANDED_MAX_WIDTH = 236, 320
#: The log-a-call key (the tickets view's own work-log key, tickets/worklog.py KIND_KEYS).
LOG_CALL_KEY = "Ctrl+Alt+C"


def tooltip_with_key(text: str, action: QAction) -> str:
    """ "New ticket (Ctrl+N)": the action's name without its & and its first shortcut."""
    name = text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return f"{name} ({keys})" if keys else name


class NavDelegate(QStyledItemDelegate):
    """Draws a navigation item with its counts in pills at the right, or its icon alone
    when the pane is collapsed (the name is then the tooltip)."""

    def __init__(self, look: "WindowLook") -> None:
        super().__init__(look.window.nav)
        self.look = look

    def paint(self, painter, option, index) -> None:
        counts = index.data(COUNT_ROLE)
        if self.look.collapsed:
            self.initStyleOption(option, index)
            option.text = ""
            option.decorationPosition = option.Position.Top
            option.displayAlignment = Qt.AlignmentFlag.AlignCenter
            style = option.widget.style() if option.widget else None
            if style is not None:
                style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
            if counts:
                self._pill(painter, option, str(counts[0]), corner=True)
            return
        if not counts:
            super().paint(painter, option, index)
            return
        # The name elided before the pills (a narrow pane, a long Vietnamese name), never under them.
        self.initStyleOption(option, index)
        pills = self._pills(counts)
        metrics = QFontMetrics(option.font)
        room = option.rect.width() - option.decorationSize.width() - 16 - sum(
            metrics.horizontalAdvance(t) + 14 for t, _a in pills)
        option.text = metrics.elidedText(option.text, Qt.TextElideMode.ElideRight, max(room, 0))
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        if counts:
            right = option.rect.right() - 4
            for text, accent in pills:
                right = self._pill(painter, option, text, right=right, accent=accent) - 4

    @staticmethod
    def _pills(counts) -> list[tuple[str, bool]]:
        """Right to left: the open tickets, then (accented) the operator's own."""
        open_count, mine = counts
        pills = [(str(open_count), False)]
        if mine:
            pills.append((_("{count} mine").format(count=mine), True))
        return pills

    def _pill(self, painter, option, text: str, right: int | None = None, accent: bool = False,
              corner: bool = False) -> int:
        font = option.font
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        metrics = QFontMetrics(font)
        width, height = metrics.horizontalAdvance(text) + 10, metrics.height() + 2
        rect = option.rect
        if corner:  # below the icon, at the right: the icon stays whole
            box = QRect(rect.right() - width - 1, rect.bottom() - height - 1, width, height)
        else:
            box = QRect(right - width, rect.center().y() - height // 2, width, height)
        palette = option.palette
        if accent and option.state & QStyle.StateFlag.State_Selected:  # on the selection: inverted
            palette = QPalette(palette)
            highlight = palette.color(QPalette.ColorRole.Highlight)
            palette.setColor(QPalette.ColorRole.Highlight, palette.color(QPalette.ColorRole.HighlightedText))
            palette.setColor(QPalette.ColorRole.HighlightedText, highlight)
        painter.save()
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        # Accented: the selection's colours; plain: the text's colours inverted (readable in both schemes).
        painter.setBrush(palette.color(QPalette.ColorRole.Highlight) if accent else palette.color(QPalette.ColorRole.Text))
        painter.drawRoundedRect(box, height / 2, height / 2)
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.HighlightedText if accent else QPalette.ColorRole.Base))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
        return box.left()

    def sizeHint(self, option, index) -> QSize:
        size = super().sizeHint(option, index)
        if self.look.collapsed:
            return QSize(COLLAPSED_WIDTH - 8, max(size.height(), 44))
        counts = index.data(COUNT_ROLE)
        if counts:
            metrics = QFontMetrics(option.font)
            size.setWidth(size.width() + sum(metrics.horizontalAdvance(t) + 18 for t, _a in self._pills(counts)))
        return size


class WindowLook(QObject):
    """What the main window looks like; built once by MainWindow after its actions."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.settings = window.settings
        self.theme = None  # a kit.theme.Theme, set by app.main (View → Colour scheme drives it)
        self.collapsed = bool(self.settings.nav_collapsed)
        self.counts: dict | None = None
        self._build_actions()
        self._build_toolbar()
        self._build_nav()
        self._build_status()
        window.installEventFilter(self)
        window.connection_banner.installEventFilter(self)
        window.jobs.changed.connect(self._on_change)
        window.operator_changed.connect(lambda _operator: self.refresh_counts())
        window.alerts.unread_changed.connect(lambda _count: self._show_alerts())
        for top in window.menuBar().actions():
            if top.menu() is not None:
                top.menu().aboutToShow.connect(self._icon_added_actions)
        self.apply_icons()
        self._style_chart()
        retranslate.register(self)
        self.retranslate()
        self.set_collapsed(self.collapsed, save=False)
        self.refresh_counts()

    # -- actions -------------------------------------------------------------------------
    def _build_actions(self) -> None:
        w = self.window
        self.act_log_call = QAction(w)
        self.act_log_call.setObjectName("act_log_call")
        self.act_log_call.setShortcut(QKeySequence(LOG_CALL_KEY))
        # The tickets list has this key already (the work log's): a window-wide shortcut would
        # make it ambiguous there, so the action answers it in the other views and the panes.
        self.act_log_call.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for name, view in w.views.items():
            if name != "tickets":
                view.addAction(self.act_log_call)
        for dock in (w.lookup_dock, w.alert_dock):
            dock.addAction(self.act_log_call)
        self.act_log_call.triggered.connect(self.log_call)
        w.menu_view.insertAction(w.act_alerts, self.act_log_call)

        self.act_collapse = QAction(w, checkable=True)
        self.act_collapse.setObjectName("act_collapse_navigation")
        self.act_collapse.setChecked(self.collapsed)
        self.act_collapse.toggled.connect(self.set_collapsed)
        w.menu_view.insertAction(w.act_views[0], self.act_collapse)
        w.menu_view.insertSeparator(w.act_views[0])

        self.act_tour = QAction(w)
        self.act_tour.setObjectName("act_tour")
        self.act_tour.triggered.connect(self.show_tour)
        w.menu_help.insertAction(w.act_about, self.act_tour)
        self.tour = None

        self.menu_scheme, self.scheme_actions = self._choice_menu(
            "colour_scheme", "scheme", SCHEMES, self.settings.color_scheme, self.set_scheme)
        # Larger text for those who need it, beyond the system's own setting (the app
        # follows that already): the whole app's font, live.
        self.menu_text_size, self.text_size_actions = self._choice_menu(
            "text_size", "text_size", TEXT_SIZES, self.settings.text_size, self.set_text_size)
        if self.settings.text_size in TEXT_SIZES and self.settings.text_size != 100:
            self.set_text_size(self.settings.text_size, save=False)

    def _choice_menu(self, menu_name: str, action_name: str, keys, current, pick) -> tuple:
        """A View submenu of exclusive choices (one checked: `current`); choosing one calls
        `pick(key)`. Returns the menu and its actions by key (titles set by retranslate)."""
        w = self.window
        menu = w.menu_view.addMenu("")
        menu.setObjectName(f"menu_{menu_name}")
        actions = {}
        group = QActionGroup(w)
        for key in keys:
            a = QAction(w, checkable=True)
            a.setObjectName(f"act_{action_name}_{key}")
            a.setChecked(current == key)
            a.triggered.connect(lambda _c=False, k=key: pick(k))
            group.addAction(a)
            menu.addAction(a)
            actions[key] = a
        return menu, actions
    def _build_toolbar(self) -> None:
        w = self.window
        self.toolbar = QToolBar(w)
        self.toolbar.setObjectName("main_toolbar")  # its place is remembered with the window's
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.setIconSize(QSize(20, 20))
        self.toolbar.addAction(self.act_collapse)
        self.toolbar.widgetForAction(self.act_collapse).setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.toolbar.addSeparator()
        self.toolbar_actions = [w.act_lookup, w.act_new_ticket, w.act_search, self.act_log_call, w.act_alerts]
        for a in self.toolbar_actions:
            self.toolbar.addAction(a)
        w.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

    #: Each of the window's actions → its icon (by meaning, kit.icons).
    def _action_icons(self) -> dict:
        w = self.window
        found = {w.act_new_ticket: "new_ticket", w.act_new_customer: "new_customer",
                 w.act_new_contract: "new_contract", w.act_quit: "quit", w.act_refresh: "refresh",
                 w.act_filter: "filter", w.act_search: "search", w.act_about: "about",
                 w.act_alerts: "alerts_unread" if w.alerts.unread else "alerts", w.act_packages: "packages",
                 w.act_export: "export", w.act_lookup: "lookup", w.act_calendar: "calendar",
                 w.act_vendor: "vendor", w.act_dnd: "do_not_disturb", w.act_sound: "sound",
                 w.act_vi: "language", w.act_en: "language", self.act_log_call: "log_call",
                 self.act_collapse: "expand" if self.collapsed else "collapse",
                 self.menu_scheme.menuAction(): "scheme_system", self.act_tour: "tour",
                 self.menu_text_size.menuAction(): "text_size"}
        for a in self.text_size_actions.values():
            found[a] = "text_size"
        for a, key in zip(w.act_views, w.views):
            found[a] = key if key in icons.GLYPHS else "dashboard"
        for key, a in self.scheme_actions.items():
            found[a] = f"scheme_{key}"
        return found

    #: Actions the other parts of the shell add to the menus after the window is built
    #: (connect.py, backup.py, importer.py, offline.py), by object name → icon.
    ADDED_ICONS = {"act_connect": "server", "act_local": "database", "act_backup": "backup",
                   "act_backup_settings": "backup_settings", "act_restore": "restore", "act_import": "import",
                   "act_import_history": "import_history", "act_take_offline": "take_offline",
                   "act_sync_now": "sync", "act_sync_conflicts": "conflicts", "act_back_online": "back_online"}

    def _added_action_icons(self) -> dict:
        w = self.window
        found = {a: self.ADDED_ICONS[a.objectName()] for a in w.findChildren(QAction)
                 if a.objectName() in self.ADDED_ICONS}
        accounts = getattr(w, "accounts", None)  # sign-in (accounts.py): no object names there
        if accounts is not None:
            found.update({accounts.act_operators: "operators", accounts.act_lock: "lock",
                          accounts.act_switch: "switch_operator", accounts.menu_idle.menuAction(): "lock_after"})
            found.update({a: "lock_after" for a in accounts.idle_actions})
        return found

    def _icon_added_actions(self) -> None:
        """Before a menu opens: icons for the entries other parts added since (once each)."""
        for action, name in self._added_action_icons().items():
            if action.icon().isNull():
                action.setIcon(icons.icon(name))

    def apply_icons(self) -> None:
        """Draw every icon again in the current scheme's colours (after a scheme switch)."""
        for action, name in {**self._action_icons(), **self._added_action_icons()}.items():
            action.setIcon(icons.icon(name))
        nav = self.window.nav
        for i in range(nav.count()):
            key = nav.item(i).data(Qt.ItemDataRole.UserRole)
            if key in icons.GLYPHS:
                nav.item(i).setIcon(icons.icon(key))

    # -- navigation ----------------------------------------------------------------------
    def _build_nav(self) -> None:
        nav = self.window.nav
        self.delegate = NavDelegate(self)
        nav.setItemDelegate(self.delegate)
        nav.setIconSize(QSize(20, 20))
        nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        nav.setTextElideMode(Qt.TextElideMode.ElideRight)

    def set_collapsed(self, collapsed: bool, save: bool = True) -> None:
        """The navigation pane with its names, or its icons only (the names in tooltips)."""
        self.collapsed = collapsed
        w, nav = self.window, self.window.nav
        if self.act_collapse.isChecked() != collapsed:
            self.act_collapse.setChecked(collapsed)
        nav.setMaximumWidth(COLLAPSED_WIDTH if collapsed else EXPANDED_MAX_WIDTH)
        nav.setMinimumWidth(COLLAPSED_WIDTH if collapsed else 0)
        sizes = w.splitter.sizes()
        if len(sizes) == 2:
            total = sum(sizes)
            left = COLLAPSED_WIDTH if collapsed else EXPANDED_WIDTH
            w.splitter.setSizes([left, max(total - left, 1)])
        nav.doItemsLayout()
        nav.viewport().update()
        self.fit_nav()
        self.act_collapse.setIcon(icons.icon("expand" if collapsed else "collapse"))
        self.retranslate()
        if save:
            self.settings.nav_collapsed = collapsed
            self.window._save_settings()

    def refresh_counts(self) -> None:
        """The open tickets and the operator's own, beside "Tickets" (on the long lane: on
        a big server the counts take a moment; the pane never waits for them)."""
        me = self.window.operator
        filters = {"state": "open", "queue": "all", "operator_id": me.id if me is not None else None,
                   "team": me.team if me is not None else ""}
        self.window.jobs.submit(tickets.queue_counts, filters, on_done=self._show_counts,
                                on_error=lambda exc: None, owner=self, key="nav_counts", lane=LONG,
                                debounce_ms=300)

    def _on_change(self, change: Change) -> None:
        if change.touches(TICKETS):
            self.refresh_counts()

    def _show_counts(self, counts: dict) -> None:
        self.counts = counts
        self._show_nav_counts()

    def _show_nav_counts(self) -> None:
        nav = self.window.nav
        for i in range(nav.count()):
            item = nav.item(i)
            key = item.data(Qt.ItemDataRole.UserRole)
            title = _(self.window.views[key].title)
            tip = title
            if key == "tickets" and self.counts is not None:
                open_count, mine = self.counts.get("all", 0), self.counts.get("mine", 0)
                item.setData(COUNT_ROLE, (open_count, mine))
                tip = title + " – " + ngettext("{count} open ticket", "{count} open tickets", open_count).format(
                    count=open_count) + ", " + _("{count} assigned to you").format(count=mine)
            item.setToolTip(tip)
            # What a screen reader says for the item: its name and its counts.
            item.setData(Qt.ItemDataRole.AccessibleTextRole, tip)
        nav.viewport().update()
        self.fit_nav()

    def fit_nav(self) -> None:
        """Widen the pane to its longest name with its counts ("Phiếu yêu cầu 26 của tôi 111"
        was elided to "Phiếu yêu c…" at the first width), up to EXPANDED_MAX_WIDTH; never
        narrower than the operator made it."""
        w, nav = self.window, self.window.nav
        if self.collapsed:
            return
        nav.doItemsLayout()
        needed = nav.sizeHintForColumn(0) + 2 * nav.frameWidth() + 2 * nav.spacing() + 6
        size = self.settings.text_size if self.settings.text_size in TEXT_SIZES else 100
        left = min(needed, EXPANDED_MAX_WIDTH * size // 100)
        # Kept when the caller lookup or the alert centre opens beside the view: the view
        # gives way, not the names (they were elided to "Bảng đi…" and the counts overlapped).
        nav.setMinimumWidth(left)
        sizes = w.splitter.sizes()
        if len(sizes) == 2 and sizes[0] < left:
            nav.setMaximumWidth(max(nav.maximumWidth(), left))
            w.splitter.setSizes([left, max(sum(sizes) - left, 1)])

    # -- status bar ----------------------------------------------------------------------
    def _build_status(self) -> None:
        #: On the field laptop's offline copy the window works on its own file: the team
        #: server's connection is told by the offline indicator (offline.py), not here.
        self.on_copy = False
        self.connection_label = QLabel()
        self.connection_label.setObjectName("connection_state")
        self.window.statusBar().addPermanentWidget(self.connection_label)

    def set_offline_copy(self, on_copy: bool) -> None:
        self.on_copy = on_copy
        self._show_connection()

    def _show_connection(self) -> None:
        self.connection_label.setVisible(not self.on_copy)
        if self.on_copy:
            self.connection_label.setText("")
            return
        lost = self.window.connection_lost
        look = marks.CLOCK_LOOKS[marks.ClockState.BREACHED if lost else marks.ClockState.RUNNING]
        text = _("Not connected – retrying") if lost else _("Connected")
        # A mark and a word, never the colour alone.
        self.connection_label.setText(f"{look.mark} {text}")
        marks.set_colour(self.connection_label, "ERROR" if lost else "OK")
        self.connection_label.setAccessibleName(_("Connection: {state}").format(state=text))

    def _show_alerts(self) -> None:
        w = self.window
        count = w.alerts.unread
        w.act_alerts.setIcon(icons.icon("alerts_unread" if count else "alerts"))
        w.act_alerts.setIconText(_("Alerts ({count})").format(count=count) if count else _("Alerts"))
        w.act_alerts.setToolTip(tooltip_with_key(_("&Alert centre"), w.act_alerts) + (
            " – " + ngettext("{count} unread alert", "{count} unread alerts", count).format(count=count)
            if count else ""))

    # -- scheme --------------------------------------------------------------------------
    def _style_chart(self) -> None:
        """The dashboard's chart draws its own background: dark with the dark scheme, and its
        bars again in the scheme's colours."""
        from PySide6.QtCharts import QChart

        chart = self.window.dashboard.chart
        theme = QChart.ChartTheme.ChartThemeDark if marks.dark else QChart.ChartTheme.ChartThemeLight
        if chart.theme() != theme:
            chart.setTheme(theme)
            chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
            self.window.dashboard.reload()

    def set_text_size(self, size: int, save: bool = True) -> None:
        """View → Text size: the app's font at `size` % of the system's, in every open window
        at once (Qt tells each widget its font changed; layouts grow to fit)."""
        global _base_font
        size = size if size in TEXT_SIZES else 100
        app = QApplication.instance()
        if _base_font is None:
            _base_font = QFont(app.font())
        font = QFont(_base_font)
        if font.pointSizeF() > 0:
            font.setPointSizeF(_base_font.pointSizeF() * size / 100)
        else:
            font.setPixelSize(round(_base_font.pixelSize() * size / 100))
        app.setFont(font)
        self.text_size_actions[size].setChecked(True)
        if save:
            self.settings.text_size = size
            self.window._save_settings()

    def set_scheme(self, key: str) -> None:
        """View → Colour scheme: follow the system, or always light or dark (remembered)."""
        self.settings.color_scheme = key
        self.window._save_settings()
        if self.theme is not None:
            self.theme.set_choice(key)

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if watched is self.window and kind == QEvent.Type.FontChange:
            self.fit_nav()  # a larger text size: the names and counts need more room
        if watched is self.window and kind in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.apply_icons()
            self._show_connection()
            self._style_chart()
            self.window.connection_banner.setStyleSheet(marks.banner_style())  # its colours are the scheme's
        elif watched is self.window.connection_banner and kind in (QEvent.Type.Show, QEvent.Type.Hide):
            self._show_connection()
        return False

    # -- actions' texts ------------------------------------------------------------------
    def retranslate(self) -> None:
        w = self.window
        self.act_log_call.setText(_("&Log a call"))
        self.act_tour.setText(_("Take the &tour"))
        self.act_collapse.setText(_("Show the navigation as &icons only") if not self.collapsed
                                  else _("Show the navigation with &names"))
        self.menu_scheme.setTitle(_("Colour &scheme"))
        self.menu_text_size.setTitle(_("Te&xt size"))
        for size, a in self.text_size_actions.items():
            a.setText(_(TEXT_SIZE_LABELS[size]).format(percent=size))
        for key, a in self.scheme_actions.items():
            a.setText(_(SCHEMES[key]))
        self.toolbar.setWindowTitle(_("Main actions"))
        # The toolbar's short names; each tooltip says the shortcut.
        short = {w.act_lookup: _("Caller lookup"), w.act_new_ticket: _("New ticket"),
                 w.act_search: _("Search"), self.act_log_call: _("Log a call")}
        for a, text in short.items():
            a.setIconText(text)
        for a in (*self.toolbar_actions, self.act_collapse):
            a.setToolTip(tooltip_with_key(a.text(), a))
        self._show_alerts()
        self._show_nav_counts()
        self._show_connection()

    # -- first-start tour ------------------------------------------------------------------
    def maybe_show_tour(self) -> None:
        """At the first start (app.main calls it once the window is up): the tour, once."""
        if not self.settings.tour_done:
            self.show_tour()

    def show_tour(self) -> None:
        self.tour = Tour(self.window)
        self.tour.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.tour.finished_tour.connect(self._tour_seen)
        self.tour.open()

    def _tour_seen(self) -> None:
        if not self.settings.tour_done:
            self.settings.tour_done = True
            self.window._save_settings()

    def log_call(self) -> None:
        """Ctrl+Alt+C or the toolbar: a call on the ticket shown in the tickets view; with no
        ticket chosen, the tickets view and a word on what to do."""
        w = self.window
        page = w.pages["tickets"]
        if w.current_page() is not page:
            w.show_view("tickets")
        if page.worklog.add_entry(TicketEventKind.CALL) is None:
            w.statusBar().showMessage(_("Choose the ticket the call is about, then log the call."), 8000)
            page.table.setFocus()
