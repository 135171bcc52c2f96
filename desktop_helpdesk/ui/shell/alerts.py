"""Alerts: the alert centre's engine. One timer checks once a minute on the worker (the
database makes alerts idempotent, so restarts never repeat one); what is new for the
operator at this desk (theirs and the team's, never a colleague's) is announced by a
system-tray notification where the system shows one (grouped when many come at once), an
optional short sound, and the unread count in the status bar; the alert centre panel
(alert_centre.py) lists them to open and acknowledge. A do-not-disturb switch keeps the tray
and the sound quiet; the count still shows. Everything follows `set_operator` (Switch
operator)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from ...i18n import N_, _, ngettext
from ...services import alerts
from ...services.changes import ALERTS
from ..kit import marks
from ..kit.worker import LONG, Jobs

KIND_TITLES = {"assigned": N_("Assigned to you"), "clock_at_risk": N_("At risk"), "clock_breached": N_("Breached"),
               "obligation_due": N_("Obligation due soon")}
#: A mark beside each kind, so the list is read without colour.
KIND_MARKS = {"assigned": "●", "clock_at_risk": "▲", "clock_breached": "✖", "obligation_due": "◆"}
GROUP_ABOVE = 3  # more new alerts than this at once: one grouped notification


def _check_then_news(ctx, seen_id, operator_id):
    """This desk's check, then every alert for `operator_id` raised since `seen_id` (by any desk)."""
    new = alerts.check(ctx)
    latest, news = alerts.raised_after(ctx, seen_id, operator_id, everyone=False)
    return new, latest, news


class AlertCenter(QObject):
    """What this desk knows of its operator's alerts: the unread count, and the news."""

    ticket_requested = Signal(int)
    contract_requested = Signal(int)
    #: The alert centre should be shown (a click on a grouped notification).
    centre_requested = Signal()
    alerts_raised = Signal(list)  # the new AlertData for this operator, for the panel and tests
    #: How many alerts the operator at this desk has not acknowledged (theirs and the team's).
    unread_changed = Signal(int)
    #: What the operator sees changed (new alerts, an acknowledgement, another operator).
    inbox_changed = Signal()

    def __init__(self, jobs: Jobs, parent=None, interval_ms: int = 60_000):
        super().__init__(parent)
        self.jobs = jobs
        #: The newest alert this desk has shown or passed over (None before the first check).
        self.seen_id: int | None = None
        self._shown_ids: set[int] = set()
        jobs.changed.connect(self._on_change)
        self.do_not_disturb = False
        #: A short sound when alerts come in (a setting, off by default); quiet in do-not-disturb.
        self.sound = False
        self.sounds_played = 0
        #: The desk is locked (ui.shell.accounts): notifications say how many, clicks open nothing.
        self.locked = False
        #: Whose alerts: the signed-in operator's id (None: only the team's).
        self.operator_id: int | None = None
        self._operator_set = False
        self.unread = 0
        self.last_shown: list = []
        self.shown_messages: list[tuple[str, str]] = []
        self.tray = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            pixmap = QPixmap(32, 32)
            pixmap.fill(QColor(marks.ACCENT))
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

    def set_operator(self, operator) -> None:
        """Someone else works at this desk (or the first sign-in): their alerts from now on.
        What was announced to the previous operator is not announced again to this one; the
        count and the panel are theirs at once."""
        operator_id = operator.id if operator is not None else None
        if operator_id == self.operator_id and self._operator_set:
            return
        self.operator_id = operator_id
        self._operator_set = True
        self.last_shown = []
        self.refresh()

    def refresh(self) -> None:
        """Read the unread count again; the panel reloads too."""
        self.jobs.submit(alerts.unread_count, self.operator_id, on_done=self._got_count, owner=self, key="unread")
        self.inbox_changed.emit()

    def _got_count(self, count: int) -> None:
        self.unread = count
        self.unread_changed.emit(count)

    def check(self) -> None:
        self.jobs.submit(_check_then_news, self.seen_id, self.operator_id, on_done=self._checked,
                         lane=LONG)  # never ahead of a lookup

    def _checked(self, answer) -> None:
        new, latest, news = answer
        first = self.seen_id is None
        self.seen_id = latest if first else max(latest, self.seen_id)
        # The first check shows what it raised (what happened while the desk was closed,
        # once); later ones show what any desk raised since (on a team server one desk's
        # check raises an alert once for everyone).
        self._raised(new if first else news)
        self.refresh()  # also what colleagues acknowledged or raised meanwhile

    def _on_change(self, change) -> None:
        if change.touches(ALERTS) and self.seen_id is not None:  # raised by a colleague's desk
            self.jobs.submit(alerts.raised_after, self.seen_id, self.operator_id, False, on_done=self._news,
                             owner=self, key="news")

    def _news(self, answer) -> None:
        latest, news = answer
        self.seen_id = max(latest, self.seen_id or 0)
        self._raised(news)
        if news:
            self.refresh()

    def _mine(self, alert) -> bool:
        return alert.recipient_id is None or alert.recipient_id == self.operator_id

    def _raised(self, new: list) -> None:
        new = [a for a in new if a.id not in self._shown_ids and self._mine(a)]
        self._shown_ids.update(a.id for a in new)
        if not new:
            return
        self.last_shown = new
        self.alerts_raised.emit(new)
        if self.do_not_disturb:
            return
        if self.sound:
            QApplication.beep()
            self.sounds_played += 1
        if self.locked:  # the desk is locked: how many, never what (the next person may be anyone)
            title = ngettext("{count} new alert", "{count} new alerts", len(new)).format(count=len(new))
            body = _("Sign in to see them.")
        elif len(new) > GROUP_ABOVE:
            breached = sum(1 for a in new if a.kind == "clock_breached")
            title = ngettext("{count} new alert", "{count} new alerts", len(new)).format(count=len(new))
            body = _("{breached} breached, {others} more. Open the alert centre (Ctrl+Shift+A) to see them.").format(
                breached=breached, others=len(new) - breached)
        else:
            title = " · ".join(_(KIND_TITLES[a.kind]) for a in new)
            body = "\n".join(a.title for a in new)
        self.shown_messages.append((title, body))
        if self.tray is not None:
            icon = QSystemTrayIcon.MessageIcon.Warning if any(a.kind == "clock_breached" for a in new) \
                else QSystemTrayIcon.MessageIcon.Information
            self.tray.showMessage(title, body, icon, 10_000)

    def acknowledge(self, alert_ids) -> None:
        """The operator at this desk has seen `alert_ids` (the team's stay unread for the rest)."""
        ids = list(alert_ids)
        if not ids or self.operator_id is None:
            return
        self.jobs.submit(alerts.acknowledge, self.operator_id, ids, on_done=lambda _n: self.refresh(), owner=self)

    def open_last(self) -> None:
        """A click on the notification opens its item (or the alert centre, for a group);
        nothing while the desk is locked."""
        if self.locked:
            return
        if len(self.last_shown) == 1:
            self.open_alert(self.last_shown[0])
        elif self.last_shown:
            self.centre_requested.emit()

    def open_alert(self, alert) -> None:
        if self.locked:
            return
        if alert.ticket_id:
            self.ticket_requested.emit(alert.ticket_id)
        elif alert.contract_id:
            self.contract_requested.emit(alert.contract_id)
