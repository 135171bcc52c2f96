"""The alert centre in the window: the unread count in the status bar and the panel that
lists the operator's alerts (theirs and the team's), newest first, to open and acknowledge.

Keyboard: Ctrl+Shift+A (the window's action) opens the panel with the list focused; Enter
or a double-click opens the ticket or contract; Space or Delete acknowledges the selected
alerts; Ctrl+Shift+Space (or the button) acknowledges every alert shown; Esc goes back to
the page. The count is said in words beside the bell, never by colour alone."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...i18n import _, ngettext
from ...domain.vietnam import VIETNAM
from ...i18n.formatting import format_date, format_datetime
from ...services import alerts
from ..kit import retranslate
from .alerts import KIND_MARKS, KIND_TITLES, AlertCenter


def _due(alert) -> str:
    """When it falls due: an obligation on a day, a clock at a minute."""
    if alert.due_at is None:
        return ""
    if alert.kind == "obligation_due":
        return format_date(alert.due_at.astimezone(VIETNAM).date())
    return format_datetime(alert.due_at)


class AlertCountButton(QToolButton):
    """"3 unread alerts" in the status bar (in bold while there are any); a click opens the
    alert centre."""

    def __init__(self, center: AlertCenter, parent=None):
        super().__init__(parent)
        self.setObjectName("alert_count")
        self.setAutoRaise(True)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Ctrl+Shift+A is the keyboard's way in
        self.count = center.unread
        center.unread_changed.connect(self._show)
        retranslate.register(self)
        self.retranslate()

    def _show(self, count: int) -> None:
        self.count = count
        self.retranslate()

    def retranslate(self) -> None:
        # Words, not a bell glyph: the fonts of many desks (and the test machines') have none.
        if self.count:
            self.setText(ngettext("{count} unread alert", "{count} unread alerts", self.count).format(count=self.count))
        else:
            self.setText(_("No new alerts"))
        font = self.font()
        font.setBold(bool(self.count))
        self.setFont(font)
        self.setToolTip(_("Open the alert centre (Ctrl+Shift+A)"))
        self.setAccessibleName(self.text())


class AlertPanel(QWidget):
    """The operator's alerts, newest first: unread ones (or, ticked, the acknowledged ones
    of the last days too, in plain type). Reloads when the centre says they changed and the
    panel is visible."""

    # One column of two lines: what and when it falls due, then the ticket or contract (the
    # dock beside a page is narrow; columns cut the subject to a code). Raised: the tooltip.
    close_requested = Signal()

    def __init__(self, center: AlertCenter, parent=None):
        super().__init__(parent)
        self.setObjectName("alert_centre")
        self.center = center
        self.jobs = center.jobs
        self.alerts: list = []
        self.loaded = False
        self._focus_wanted = False
        self.heading = QLabel()
        self.show_read = QCheckBox()
        self.show_read.toggled.connect(self.reload)
        self.list = QTreeWidget()
        self.list.setObjectName("alert_list")
        self.list.setRootIsDecorated(False)
        self.list.setHeaderHidden(True)
        self.list.setAlternatingRowColors(True)  # where one alert ends and the next begins
        self.list.setColumnCount(1)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the subject is elided
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.itemActivated.connect(self._open)  # Enter, and a double-click
        self.list.itemSelectionChanged.connect(self._enable)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self.open_current)
        self.ack_button = QPushButton()
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.ack_all_button = QPushButton()
        self.ack_all_button.clicked.connect(self.acknowledge_all)
        for keys in ("Space", "Delete"):
            QShortcut(QKeySequence(keys), self.list, self.acknowledge_selected,
                      context=Qt.ShortcutContext.WidgetShortcut)
        QShortcut(QKeySequence("Ctrl+Shift+Space"), self, self.acknowledge_all,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("Esc"), self, self.close_requested.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.show_read)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.ack_button)
        buttons.addStretch(1)
        buttons.addWidget(self.ack_all_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(buttons)
        center.inbox_changed.connect(self._changed)
        retranslate.register(self)
        self.retranslate()

    # -- loading -----------------------------------------------------------------------
    def _changed(self) -> None:
        if self.isVisible():
            self.reload()
        else:
            self.loaded = False  # read when next shown

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.loaded:
            self.reload()

    def reload(self) -> None:
        self.jobs.submit(alerts.inbox, self.center.operator_id, not self.show_read.isChecked(),
                         on_done=self._show, owner=self, key="inbox")

    def _show(self, rows) -> None:
        self.loaded = True
        current = self._current_alert()
        self.alerts = list(rows)
        self._render(current.id if current is not None else None)

    def _render(self, keep_id=None) -> None:
        self.list.clear()
        items = []
        for a in self.alerts:
            what = f"{KIND_MARKS.get(a.kind, '•')} {_(KIND_TITLES.get(a.kind, a.kind))}"
            if a.due_at is not None:
                what += " · " + _("due {when}").format(when=_due(a))
            item = QTreeWidgetItem([f"{what}\n{a.title}"])
            tip = _("Raised {when}").format(when=format_datetime(a.raised_at))
            if a.read:
                tip += "\n" + _("Acknowledged")
            item.setData(0, Qt.ItemDataRole.UserRole, a)
            if not a.read:
                font = item.font(0)
                font.setBold(True)
                item.setFont(0, font)
            item.setToolTip(0, f"{a.title}\n{tip}")
            items.append(item)
        self.list.addTopLevelItems(items)
        unread = sum(1 for a in self.alerts if not a.read)
        self.heading.setText(ngettext("{count} unread alert", "{count} unread alerts", unread).format(count=unread)
                             if unread else _("No unread alerts"))
        self.empty.setText(_("Nothing to see: new alerts for you and your team appear here.")
                           if self.loaded else _("Loading…"))
        had_focus = self.list.hasFocus()
        self.list.setVisible(bool(items))
        self.empty.setVisible(not items)
        if items:
            row = next((i for i, a in enumerate(self.alerts) if a.id == keep_id), 0)
            self.list.setCurrentItem(items[min(row, len(items) - 1)])
            if self._focus_wanted and self.loaded:
                self.list.setFocus()
        elif had_focus:
            self.show_read.setFocus()  # the keyboard stays in the panel
        if self.loaded:
            self._focus_wanted = False
        self._enable()

    # -- acting ------------------------------------------------------------------------
    def _current_alert(self):
        item = self.list.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def _selected(self) -> list:
        return [i.data(0, Qt.ItemDataRole.UserRole) for i in self.list.selectedItems()]

    def _enable(self) -> None:
        signed_in = self.center.operator_id is not None
        selected = self._selected()
        self.open_button.setEnabled(bool(selected))
        self.ack_button.setEnabled(signed_in and any(not a.read for a in selected))
        self.ack_all_button.setEnabled(signed_in and any(not a.read for a in self.alerts))

    def _open(self, item) -> None:
        alert = item.data(0, Qt.ItemDataRole.UserRole)
        if alert is not None:
            self.center.open_alert(alert)

    def open_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._open(item)

    def acknowledge_selected(self) -> None:
        self._acknowledge([a for a in self._selected() if not a.read])

    def acknowledge_all(self) -> None:
        """Every alert shown (not those raised since the list was read)."""
        self._acknowledge([a for a in self.alerts if not a.read])

    def _acknowledge(self, chosen: list) -> None:
        if not chosen or self.center.operator_id is None:
            return
        ids = {a.id for a in chosen}
        # At once on screen (the database follows): gone from the unread list, or plain type.
        keep = None
        if not self.show_read.isChecked():
            after = [a for a in self.alerts if a.id not in ids]
            current = self._current_alert()
            index = self.alerts.index(current) if current in self.alerts else 0
            rest = [a for a in self.alerts[index:] if a.id not in ids] or after[-1:]
            keep = rest[0].id if rest else None
            self.alerts = after
        else:
            self.alerts = [replace(a, read=True) if a.id in ids else a for a in self.alerts]
            current = self._current_alert()
            keep = current.id if current is not None else None
        self._render(keep)
        self.center.acknowledge(ids)

    def focus_list(self) -> None:
        """The list, once it is read (the check box until then)."""
        self._focus_wanted = not self.loaded
        (self.list if self.list.isVisible() else self.show_read).setFocus()

    def retranslate(self) -> None:
        self.show_read.setText(_("Show &acknowledged"))
        self.open_button.setText(_("&Open"))
        self.open_button.setToolTip(_("Open the ticket or contract (Enter)"))
        self.ack_button.setText(_("A&cknowledge"))
        self.ack_button.setToolTip(_("Mark the selected alerts as seen (Space)"))
        self.ack_all_button.setText(_("Acknowledge all &shown"))
        self.ack_all_button.setToolTip(_("Mark every alert in the list as seen (Ctrl+Shift+Space)"))
        self._render(self._current_alert().id if self._current_alert() is not None else None)
