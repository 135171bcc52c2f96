"""The selected ticket's SLA clocks as plain labels, re-rendered on each tick (and nothing else is)."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout

from ...domain.sla import ClockState
from ...i18n import _
from ...i18n.formatting import format_datetime
from ..kit.countdown import CLOCK_KIND_LABELS, left_text
from ..kit import marks
from ..kit.marks import STATE_LABELS, STATE_MARKS
from .model import BILLABLE_NOTE_REASON, billable_note, no_clock_reason, no_clock_text


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
        self._coverage, self._request_type = "", ""
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
        # Why a ticket has no clock (refused, billable), or no fix clock: never a blank pane.
        self.why = QLabel()
        self.why.setWordWrap(True)
        marks.set_colour(self.why, "HINT")
        self.why.hide()
        layout.addWidget(self.why)
        self._grid.setColumnStretch(2, 1)  # the cells keep their width, the rest is blank
        self.hide()

    def set_clocks(self, clocks: list, coverage: str | None = None, request_type: str = "") -> None:
        """Show these (kind, SlaClock) pairs of a ticket of this `coverage` and type. No
        clocks hide the pane, unless a ticket is given (`coverage` not None): then it says
        why it has none."""
        self._clocks = list(clocks)
        self._coverage, self._request_type = coverage, request_type
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
            marks.set_colour(cells[2], "MUTED")
            self._rows.append(cells)
        for r, cells in enumerate(self._rows):
            for cell in cells:
                cell.setVisible(r < len(self._clocks))
        self._states = [None] * len(self._clocks)
        self.refresh()

    def refresh(self) -> None:
        """Work the countdowns out again (a tick, a language change)."""
        self.title.setText(_("SLA clocks"))
        if not self._clocks:
            if self._coverage is None:
                self.hide()
                return
            self.why.setText(f"{no_clock_text(self._coverage)}\n{no_clock_reason(self._coverage)}")
            self.why.show()
            self.show()
            return
        note = billable_note(self._coverage, self._request_type, self._clocks)
        self.why.setText(_(BILLABLE_NOTE_REASON) if note else "")
        self.why.setVisible(note)
        now = self.now()
        for r, ((kind, clock), (name, left, due)) in enumerate(zip(self._clocks, self._rows)):
            state = clock.state(now)
            text = left_text(clock, state, now, short=False)
            if state not in (ClockState.PAUSED, ClockState.MET):  # those say their state already
                text = f"{text} ({_(STATE_LABELS[state])})"
            name.setText(_(CLOCK_KIND_LABELS[kind]))  # QLabel does nothing when the text is the same
            left.setText(f"{STATE_MARKS[state]} {text}")
            due.setText(_("due {when}").format(when=format_datetime(clock.due_at)))
            if self._states[r] != state:
                self._states[r] = state
                marks.set_style(left, lambda state=state: f"color: {marks.STATE_COLOURS[state].name()}")
        # Above the ticket's facts, one line a clock: a new text changes no height, so the
        # facts below are never laid out again by a tick.
        self.show()

    def text(self) -> str:
        """What the pane says, as plain text (one clock a line)."""
        lines = [self.title.text()]
        for cells in self._rows[:len(self._clocks)]:
            lines.append("\t".join(cell.text() for cell in cells))
        if self.why.isVisibleTo(self):
            lines.append(self.why.text())
        return "\n".join(lines) if self._clocks or self._coverage is not None else ""
