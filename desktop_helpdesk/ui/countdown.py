"""Live SLA countdowns in the ticket list: computed from the stored clocks at paint time.

One timer per visible view, aligned to the minute, repaints only the countdown cells of the
rows on screen: no timer per row, no query per tick, no model reset. A hidden view does not
tick.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTableView

from ..domain.sla import ClockKind, ClockState
from ..i18n import N_, _
from ..i18n.formatting import format_datetime, format_time_left
from ..services import clocks as clock_rules
from .tablemodel import PagedTableModel

STATE_MARKS = {ClockState.RUNNING: "●", ClockState.AT_RISK: "▲", ClockState.BREACHED: "✖",
               ClockState.PAUSED: "‖", ClockState.MET: "✔"}
STATE_COLOURS = {ClockState.RUNNING: QColor("#1b5e20"), ClockState.AT_RISK: QColor("#a15c00"),
                 ClockState.BREACHED: QColor("#b00020"), ClockState.PAUSED: QColor("#555555"),
                 ClockState.MET: QColor("#607d8b")}
KIND_LABELS = {ClockKind.PROPOSAL: N_("Solution proposal"), ClockKind.FIX: N_("Fix"),
               ClockKind.COMPLAINT: N_("Complaint answer")}


live_clocks = clock_rules.live_clocks


def most_urgent(row, now: datetime):
    """(kind, clock, state) of the clock that matters most now, or None."""
    clocks = live_clocks(row)
    if not clocks:
        return None
    open_ = [(k, c) for k, c in clocks if c.stopped_at is None]
    if open_:
        kind, clock = min(open_, key=lambda kc: kc[1].due_at)
    else:
        kind, clock = max(clocks, key=lambda kc: kc[1].stopped_at)
    return kind, clock, clock.state(now)


def countdown_text(row, now: datetime) -> str:
    found = most_urgent(row, now)
    if found is None:
        return ""
    _kind, clock, state = found
    mark = STATE_MARKS[state]
    if state == ClockState.PAUSED:
        return f"{mark} " + _("paused – waiting on customer")
    if state == ClockState.MET:
        return f"{mark} " + _("met")
    return f"{mark} " + format_time_left(clock.remaining(now), short=True)


def countdown_tooltip(row, now: datetime) -> str:
    lines = []
    for kind, clock in live_clocks(row):
        state = clock.state(now)
        lines.append(_("{clock}: due {due} ({state})").format(
            clock=_(KIND_LABELS[kind]), due=format_datetime(clock.due_at), state=_(STATE_LABELS[state])))
    return "\n".join(lines)


STATE_LABELS = {ClockState.RUNNING: N_("running"), ClockState.AT_RISK: N_("at risk"), ClockState.BREACHED: N_("breached"),
                ClockState.PAUSED: N_("paused"), ClockState.MET: N_("met")}


class TicketsModel(PagedTableModel):
    """The ticket list with a live "Time left" column."""

    def __init__(self, columns, fetch, worker, now: Callable[[], datetime], countdown_column: int, **kw):
        super().__init__(columns, fetch, worker, **kw)
        self.now = now
        self.countdown_column = countdown_column

    def data(self, index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and index.column() == self.countdown_column:
            row = self.row_at(index.row())
            if row is None:
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return countdown_text(row, self.now())
            if role == Qt.ItemDataRole.ForegroundRole:
                found = most_urgent(row, self.now())
                return STATE_COLOURS[found[2]] if found else None
            if role == Qt.ItemDataRole.ToolTipRole:
                return countdown_tooltip(row, self.now()) or None
        return super().data(index, role)

    def countdowns_changed(self, first: int, last: int) -> None:
        if 0 <= first <= last < self.rowCount():
            self.dataChanged.emit(self.index(first, self.countdown_column), self.index(last, self.countdown_column),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole])


class CountdownTicker(QObject):
    """The one timer of a view. Fires on the next whole minute, then every minute, and asks
    the model to repaint the countdown cells of the rows on screen only."""

    def __init__(self, view: QTableView, model: TicketsModel, now: Callable[[], datetime], parent=None):
        super().__init__(parent or view)
        self.view, self.model, self.now = view, model, now
        self.timer = QTimer(self, singleShot=True)
        # Precise: a coarse timer fires up to 5 % early, paints the old minute and ticks twice.
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self.tick)
        self.ticks = 0

    def start(self) -> None:
        self._schedule()

    def stop(self) -> None:
        self.timer.stop()

    def _schedule(self) -> None:
        now = self.now()
        into_minute = now.second + now.microsecond / 1e6
        self.timer.start(max(50, int((60 - into_minute) * 1000)))

    def visible_rows(self) -> tuple[int, int]:
        top = self.view.rowAt(0)
        bottom = self.view.rowAt(self.view.viewport().height() - 1)
        if top < 0:
            return 0, -1
        return top, bottom if bottom >= 0 else self.model.rowCount() - 1

    def tick(self) -> None:
        self.ticks += 1
        first, last = self.visible_rows()
        self.model.countdowns_changed(first, last)
        on_tick = getattr(self.parent(), "tick", None)
        if callable(on_tick):
            on_tick()
        self._schedule()

