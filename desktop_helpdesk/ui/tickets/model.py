"""The tickets list model: its rows carry their SLA clocks, whose countdowns are computed at paint time."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from ..kit.countdown import (
    ALIGN,
    DISPLAY,
    FOREGROUND,
    TOOLTIP,
    countdown_of,
    countdown_tooltip,
)
from ..kit.paged_model import PagedTableModel


class TicketsModel(PagedTableModel):
    """The ticket list with a live "Time left" column."""

    def __init__(self, columns, fetch, jobs, countdown_column: int, **kw):
        super().__init__(columns, fetch, jobs, **kw)
        self.now = jobs.now
        self._live_clocks = jobs.calendars.live_clocks
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
            clocks = self._clocks[r] = self._live_clocks(row)
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
                return (countdown_tooltip(self.clocks_of(r), self.now()) or None) if row is not None else None
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
