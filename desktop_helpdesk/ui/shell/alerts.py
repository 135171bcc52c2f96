"""Alerts: a system-tray notification when a clock turns at risk or is breached (once per
clock per state, grouped when many fire at once) and before obligations fall due; clicking
one opens the item. A do-not-disturb switch, and an in-app list of recent alerts.

One timer checks once a minute on the worker; the database makes alerts idempotent, so
restarts never repeat one."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QSystemTrayIcon,
    QVBoxLayout,
)

from ...i18n import N_, _, ngettext
from ...i18n.formatting import format_datetime
from ...services import alerts
from ...services.changes import ALERTS
from ..kit import retranslate
from ..kit.marks import ACCENT
from ..kit.worker import LONG, Jobs

KIND_TITLES = {"clock_at_risk": N_("At risk"), "clock_breached": N_("Breached"), "obligation_due": N_("Obligation due soon")}
GROUP_ABOVE = 3  # more new alerts than this at once: one grouped notification


def _check_then_news(ctx, seen_id):
    """This desk's check, then every alert raised since `seen_id` (by any desk)."""
    new = alerts.check(ctx)
    latest, news = alerts.raised_after(ctx, seen_id)
    return new, latest, news


class AlertCenter(QObject):
    ticket_requested = Signal(int)
    contract_requested = Signal(int)
    alerts_raised = Signal(list)  # the new AlertData, for the in-app list and tests

    def __init__(self, jobs: Jobs, parent=None, interval_ms: int = 60_000):
        super().__init__(parent)
        self.jobs = jobs
        #: The newest alert this desk has shown or passed over (None before the first check).
        self.seen_id: int | None = None
        self._shown_ids: set[int] = set()
        jobs.changed.connect(self._on_change)
        self.do_not_disturb = False
        self.last_shown: list = []
        self.shown_messages: list[tuple[str, str]] = []
        self.tray = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            pixmap = QPixmap(32, 32)
            pixmap.fill(QColor(ACCENT))
            self.tray = QSystemTrayIcon(QIcon(pixmap), self)
            self.tray.messageClicked.connect(self.open_last)
            self.tray.show()
        self.timer = QTimer(self, interval=interval_ms)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        self.check()  # at start: what happened while the app was closed, once
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def check(self) -> None:
        self.jobs.submit(_check_then_news, self.seen_id, on_done=self._checked, lane=LONG)  # never ahead of a lookup

    def _checked(self, answer) -> None:
        new, latest, news = answer
        first = self.seen_id is None
        self.seen_id = latest if first else max(latest, self.seen_id)
        # The first check shows what it raised (what happened while the desk was closed,
        # once); later ones show what any desk raised since (on a team server one desk's
        # check raises an alert once for everyone).
        self._raised(new if first else news)

    def _on_change(self, change) -> None:
        if change.touches(ALERTS) and self.seen_id is not None:  # raised by a colleague's desk
            self.jobs.submit(alerts.raised_after, self.seen_id, on_done=self._news, owner=self, key="news")

    def _news(self, answer) -> None:
        latest, news = answer
        self.seen_id = max(latest, self.seen_id or 0)
        self._raised(news)

    def _raised(self, new: list) -> None:
        new = [a for a in new if a.id not in self._shown_ids]
        self._shown_ids.update(a.id for a in new)
        if not new:
            return
        self.last_shown = new
        self.alerts_raised.emit(new)
        if self.do_not_disturb:
            return
        if len(new) > GROUP_ABOVE:
            breached = sum(1 for a in new if a.kind == "clock_breached")
            title = ngettext("{count} new alert", "{count} new alerts", len(new)).format(count=len(new))
            body = _("{breached} breached, {others} more. Open the alert list to see them.").format(
                breached=breached, others=len(new) - breached)
        else:
            title = " · ".join(_(KIND_TITLES[a.kind]) for a in new)
            body = "\n".join(a.title for a in new)
        self.shown_messages.append((title, body))
        if self.tray is not None:
            icon = QSystemTrayIcon.MessageIcon.Warning if any(a.kind == "clock_breached" for a in new) \
                else QSystemTrayIcon.MessageIcon.Information
            self.tray.showMessage(title, body, icon, 10_000)

    def open_last(self) -> None:
        """A click on the notification opens its item (or the list, for a group)."""
        if len(self.last_shown) == 1:
            self.open_alert(self.last_shown[0])
        elif self.last_shown:
            self.show_list()

    def open_alert(self, alert) -> None:
        if alert.ticket_id:
            self.ticket_requested.emit(alert.ticket_id)
        elif alert.contract_id:
            self.contract_requested.emit(alert.contract_id)

    def show_list(self, parent=None) -> "AlertListDialog":
        dialog = AlertListDialog(self, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.list_dialog = dialog
        return dialog


class AlertListDialog(QDialog):
    """Recent alerts, newest first; Enter or a double-click opens the item."""

    def __init__(self, center: AlertCenter, parent=None):
        super().__init__(parent)
        retranslate.register(self)
        self.center = center
        self.list = QListWidget()
        self.list.itemActivated.connect(self._open)
        self.list.itemDoubleClicked.connect(self._open)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(640, 420)
        self.alerts: list = []
        center.jobs.submit(alerts.recent, owner=self, on_done=self._show)
        center.jobs.submit(alerts.mark_read)
        self.retranslate()

    def _show(self, alerts) -> None:
        self.alerts = list(alerts)
        self._render()

    def _render(self) -> None:
        self.list.clear()
        for a in self.alerts:
            mark = "✖" if a.kind == "clock_breached" else "▲" if a.kind == "clock_at_risk" else "◆"
            item = QListWidgetItem(f"{mark} {format_datetime(a.raised_at)} · {_(KIND_TITLES[a.kind])} · {a.title}")
            if not a.read:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            item.setData(Qt.ItemDataRole.UserRole, a)
            self.list.addItem(item)
        if not self.alerts:
            self.list.addItem(_("No alerts yet."))

    def _open(self, item) -> None:
        alert = item.data(Qt.ItemDataRole.UserRole)
        if alert is not None:
            self.center.open_alert(alert)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Recent alerts"))
        self._render()
