"""Live SLA countdowns in the ticket list: computed from the stored clocks at paint time.

One timer per visible view, aligned to the minute, repaints only the countdown cells of the
rows on screen: no timer per row, no query per tick, no model reset. A hidden view does not
tick.

A tick must cost little with a million tickets (target ≤ 2 ms, benchmarks/README.md
"Countdowns"): the model keeps each row's domain clocks until its rows are replaced, works
out a row's countdown (text, colour) once per tick however many roles Qt asks for, keeps
the other cells' texts until the rows or the language change, and answers the roles it
never serves before doing any work (Qt asks for about eight per painted cell).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QFrame, QGridLayout, QLabel, QVBoxLayout

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
STATE_LABELS = {ClockState.RUNNING: N_("running"), ClockState.AT_RISK: N_("at risk"), ClockState.BREACHED: N_("breached"),
                ClockState.PAUSED: N_("paused"), ClockState.MET: N_("met")}

live_clocks = clock_rules.live_clocks

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


def most_urgent(row, now: datetime):
    """(kind, clock, state) of the row's clock that matters most now, or None."""
    return urgent_of(live_clocks(row), now)


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


def countdown_text(row, now: datetime) -> str:
    return countdown_of(live_clocks(row), now)[0]


def countdown_tooltip(row, now: datetime) -> str:
    lines = []
    for kind, clock in live_clocks(row):
        state = clock.state(now)
        lines.append(_("{clock}: due {due} ({state})").format(
            clock=_(KIND_LABELS[kind]), due=format_datetime(clock.due_at), state=_(STATE_LABELS[state])))
    return "\n".join(lines)


class TicketsModel(PagedTableModel):
    """The ticket list with a live "Time left" column."""

    def __init__(self, columns, fetch, worker, now: Callable[[], datetime], countdown_column: int, **kw):
        super().__init__(columns, fetch, worker, **kw)
        self.now = now
        self.countdown_column = countdown_column
        self._served = frozenset({DISPLAY, FOREGROUND, TOOLTIP, ALIGN, int(self.ROW_ROLE), int(self.ID_ROLE)})
        right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._aligns = [right if column.align_right else None for column in columns]
        self._texts: dict[tuple[int, int], str] = {}  # (row, column) -> text; until rows or language change
        self._clocks: dict[int, list] = {}  # row -> [(kind, SlaClock)]; until the rows change
        self._countdowns: dict[int, tuple] = {}  # row -> (text, colour); until the next tick
        for signal in (self.modelReset, self.rowsInserted, self.rowsRemoved, self.layoutChanged):
            signal.connect(self.forget)

    def forget(self, *_args) -> None:
        """Drop what was worked out from the rows (they were replaced, or the language changed)."""
        self._texts.clear()
        self._clocks.clear()
        self._countdowns.clear()

    def clocks_of(self, r: int) -> list:
        """Row `r`'s clocks as domain clocks, built once per row."""
        clocks = self._clocks.get(r)
        if clocks is None:
            row = self.row_at(r)
            if row is None:
                return []
            clocks = self._clocks[r] = live_clocks(row)
        return clocks

    def countdown(self, r: int) -> tuple[str, QColor | None]:
        """Row `r`'s countdown (text, colour), worked out once per row per tick."""
        found = self._countdowns.get(r)
        if found is None:
            found = self._countdowns[r] = countdown_of(self.clocks_of(r), self.now())
        return found

    def data(self, index, role: int = DISPLAY) -> Any:
        if role not in self._served:  # Qt asks for ~8 roles per painted cell; most are never served
            return None
        c = index.column()
        if role == DISPLAY:
            r = index.row()
            if c == self.countdown_column:
                return self.countdown(r)[0]
            text = self._texts.get((r, c))
            if text is None:
                text = super().data(index, role)
                if text is not None:
                    self._texts[(r, c)] = text
            return text
        if role == ALIGN:
            return self._aligns[c] if 0 <= c < len(self._aligns) else None
        if c == self.countdown_column:
            if role == FOREGROUND:
                return self.countdown(index.row())[1]
            if role == TOOLTIP:
                row = self.row_at(index.row())
                return (countdown_tooltip(row, self.now()) or None) if row is not None else None
        elif role == FOREGROUND or role == TOOLTIP:
            return None
        return super().data(index, role)

    def retranslate(self) -> None:
        self.forget()
        super().retranslate()

    def countdowns_changed(self, first: int, last: int) -> None:
        self._countdowns.clear()  # every countdown moves on: worked out again when painted
        if 0 <= first <= last < self.rowCount():
            self.dataChanged.emit(self.index(first, self.countdown_column), self.index(last, self.countdown_column),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole])


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


class ClocksPane(QFrame):
    """A ticket's SLA clocks, each with its live countdown, state and due time; its own
    widget so that a tick re-renders these few lines, not the whole ticket. Plain-text
    labels, one per cell: a tick sets the text of the countdowns that changed and nothing
    is laid out as rich text again."""

    def __init__(self, now: Callable[[], datetime], parent=None):
        super().__init__(parent)
        self.now = now
        self._clocks: list = []
        self._rows: list[tuple[QLabel, QLabel, QLabel]] = []
        self._states: list = []
        # Framed on the base colour like the ticket's facts below it: one pane.
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(10)
        self._grid.setVerticalSpacing(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addLayout(self._grid)
        self._grid.setColumnStretch(2, 1)  # the cells keep their width, the rest is blank
        self.hide()

    def set_clocks(self, clocks: list) -> None:
        """Show these (kind, SlaClock) pairs; none hides the pane."""
        self._clocks = list(clocks)
        while len(self._rows) < len(self._clocks):
            r = len(self._rows)
            cells = tuple(QLabel() for _i in range(3))
            # Two lines a clock, so that it fits beside the work log: its name and countdown,
            # then its due time under the countdown.
            for cell, (row, col) in zip(cells, ((2 * r, 0), (2 * r, 1), (2 * r + 1, 1))):
                cell.setTextFormat(Qt.TextFormat.PlainText)
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                # Shown whole when there is room; never the reason the window cannot shrink.
                cell.setMinimumWidth(40)
                self._grid.addWidget(cell, row, col, Qt.AlignmentFlag.AlignTop)
            cells[2].setStyleSheet("color: #555555")
            self._rows.append(cells)
        for r, cells in enumerate(self._rows):
            for cell in cells:
                cell.setVisible(r < len(self._clocks))
        self._states = [None] * len(self._clocks)
        self.refresh()

    def refresh(self) -> None:
        """Work the countdowns out again (a tick, a language change)."""
        if not self._clocks:
            self.hide()
            return
        now = self.now()
        self.title.setText(_("SLA clocks"))
        for r, ((kind, clock), (name, left, due)) in enumerate(zip(self._clocks, self._rows)):
            state = clock.state(now)
            text = left_text(clock, state, now, short=False)
            if state not in (ClockState.PAUSED, ClockState.MET):  # those say their state already
                text = f"{text} ({_(STATE_LABELS[state])})"
            name.setText(_(KIND_LABELS[kind]))  # QLabel does nothing when the text is the same
            left.setText(f"{STATE_MARKS[state]} {text}")
            due.setText(_("due {when}").format(when=format_datetime(clock.due_at)))
            if self._states[r] != state:
                self._states[r] = state
                left.setStyleSheet(f"color: {STATE_COLOURS[state].name()}")
        # Above the ticket's facts, one line a clock: a new text changes no height, so the
        # facts below are never laid out again by a tick.
        self.show()

    def text(self) -> str:
        """What the pane says, as plain text (one clock a line)."""
        lines = [self.title.text()]
        for cells in self._rows[:len(self._clocks)]:
            lines.append("\t".join(cell.text() for cell in cells))
        return "\n".join(lines) if self._clocks else ""

