"""Live SLA countdowns in the ticket list: computed from the stored clocks at paint time.

One timer per visible view, aligned to the minute, repaints only the countdown cells of the
rows on screen: no timer per row, no query per tick, no model reset. A hidden view does not
tick.

A tick must cost little with a million tickets (target ≤ 2 ms, benchmarks/README.md
"Countdowns"): the model keeps each row's domain clocks until its rows are replaced, works
out a row's countdown (text, colour) once per tick however many roles Qt asks for, keeps
the other cells' texts until the rows or the language change, and answers the roles it
never serves before doing any work (Qt asks for about eight per painted cell)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView

from ...domain.obligations import days_left
from ...domain.sla import ClockKind, ClockState
from ...i18n import N_, _
from ...i18n.formatting import (
    format_date,
    format_datetime,
    format_time_left,
)
from .marks import DAY_COLOURS, DAY_MARKS, STATE_COLOURS, STATE_LABELS, STATE_MARKS

CLOCK_KIND_LABELS = {ClockKind.PROPOSAL: N_("Solution proposal"), ClockKind.FIX: N_("Fix"),
               ClockKind.COMPLAINT: N_("Complaint answer")}



_R = Qt.ItemDataRole
DISPLAY, FOREGROUND, TOOLTIP, ALIGN = int(_R.DisplayRole), int(_R.ForegroundRole), int(_R.ToolTipRole), int(
    _R.TextAlignmentRole)


def urgent_of(clocks, now: datetime):
    """(kind, clock, state) of the clock that matters most now among `clocks`, or None: the
    open one due first, else the one stopped last."""
    if not clocks:
        return None
    open_ = [(k, c) for k, c in clocks if c.stopped_at is None]
    if open_:
        kind, clock = min(open_, key=lambda kc: kc[1].due_at)
    else:
        kind, clock = max(clocks, key=lambda kc: kc[1].stopped_at)
    return kind, clock, clock.state(now)


def left_text(clock, state: ClockState, now: datetime, short: bool = True) -> str:
    """ "còn 1 giờ 20 phút", "quá hạn 35 phút", "tạm dừng – chờ khách hàng", "đã đạt"."""
    if state == ClockState.PAUSED:
        return _("paused – waiting on customer")
    if state == ClockState.MET:
        return _("met")
    return format_time_left(clock.remaining(now), short=short)


def countdown_of(clocks, now: datetime) -> tuple[str, QColor | None]:
    """The countdown cell of a row with these clocks: its text (a mark that reads without
    colour, then the time left) and its colour."""
    found = urgent_of(clocks, now)
    if found is None:
        return "", None
    _kind, clock, state = found
    return f"{STATE_MARKS[state]} {left_text(clock, state, now)}", STATE_COLOURS[state]


def clock_countdown_text(clocks, now: datetime) -> str:
    """The countdown of a row's clocks (Calendars.live_clocks) as text."""
    return countdown_of(clocks, now)[0]


def countdown_tooltip(clocks, now: datetime) -> str:
    lines = []
    for kind, clock in clocks:
        state = clock.state(now)
        lines.append(_("{clock}: due {due} ({state})").format(
            clock=_(CLOCK_KIND_LABELS[kind]), due=format_datetime(clock.due_at), state=_(STATE_LABELS[state])))
    return "\n".join(lines)


class CountdownTicker(QObject):
    """The one timer of a view. Fires on the next whole minute, then every minute; asks the
    model (when there is one) to repaint the countdown cells of the rows on screen only, and
    calls the parent's ``tick()`` (when it has one) for what else counts down on that view.

    Start it in the view's ``showEvent`` and stop it in ``hideEvent``: a hidden view does not tick.
    """

    def __init__(self, view: QAbstractItemView | None, model, now: Callable[[], datetime], parent=None):
        super().__init__(parent or view)
        self.view, self.model, self.now = view, model, now
        self.timer = QTimer(self, singleShot=True)
        # Precise: a coarse timer fires up to 5 % early, paints the old minute and ticks twice.
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._timeout)
        self.ticks = 0
        if view is not None:
            view.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        # The colour scheme switched: the countdowns worked out this minute hold the old
        # scheme's colours; they are worked out again, in the new one, as they are painted.
        if event.type() == QEvent.Type.PaletteChange and watched is self.view and self.model is not None:
            self.model.countdowns_changed(*self.visible_rows())
        return False

    def start(self) -> None:
        self._schedule()

    def stop(self) -> None:
        self.timer.stop()

    #: Fire this long after the minute turns, so that a timer a little early still paints the new minute.
    MARGIN_MS = 20

    def _schedule(self) -> None:
        now = self.now()
        into_minute = now.second + now.microsecond / 1e6
        self.timer.start(max(50, int((60 - into_minute) * 1000) + self.MARGIN_MS))

    def _timeout(self) -> None:
        now = self.now()
        if now.second + now.microsecond / 1e6 >= 59.5:  # fired before the minute turned: wait for it
            self._schedule()
            return
        self.tick()

    def visible_rows(self) -> tuple[int, int]:
        if self.view is None or self.model is None:
            return 0, -1
        top = self.view.rowAt(0)
        bottom = self.view.rowAt(self.view.viewport().height() - 1)
        if top < 0:
            return 0, -1
        return top, bottom if bottom >= 0 else self.model.rowCount() - 1

    def tick(self) -> None:
        self.ticks += 1
        if self.model is not None:
            first, last = self.visible_rows()
            self.model.countdowns_changed(first, last)
        on_tick = getattr(self.parent(), "tick", None)
        if callable(on_tick):
            on_tick()
        self._schedule()


#: An open obligation due within this many days is "soon".
SOON_DAYS = 7


def day_state(days: int | None) -> str:
    """The state of a countdown with `days` left (None: done)."""
    if days is None:
        return "done"
    return "overdue" if days < 0 else "soon" if days <= SOON_DAYS else "running"


def day_countdown_text(due_on: date, today: date, done_on: date | None = None) -> str:
    """ "● còn 143 ngày" / "● 143 days left", "✖ quá hạn 12 ngày" / "✖ 12 days overdue",
    "▲ Đến hạn hôm nay" / "▲ Due today", "✔ xong ngày …" / "✔ done on …"."""
    if done_on is not None:
        return f"{DAY_MARKS['done']} " + _("done on {date}").format(date=format_date(done_on))
    n = days_left(due_on, today)
    text = _("Due today") if n == 0 else format_time_left(timedelta(days=n))
    return f"{DAY_MARKS[day_state(n)]} {text}"


def day_countdown_colour(due_on: date, today: date, done_on: date | None = None) -> QColor:
    return DAY_COLOURS[day_state(None if done_on is not None else days_left(due_on, today))]


class DayWatch(CountdownTicker):
    """The view's one minute-aligned timer (a `CountdownTicker` without cells of its own):
    tells when the date changes, for views whose countdowns count days.

    Started when its view is shown and stopped when hidden, so a hidden view costs nothing.
    """

    day_changed = Signal(object)  # the new date

    def __init__(self, today: Callable[[], date], now: Callable[[], datetime], parent: QObject | None = None):
        super().__init__(None, None, now, parent)
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
