"""The tickets list model: its rows carry their SLA clocks, whose countdowns are computed at paint time."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from ...domain.enums import Coverage, RequestType
from ...i18n import N_, _
from ..kit.countdown import (
    ALIGN,
    DISPLAY,
    FOREGROUND,
    TOOLTIP,
    countdown_of,
    countdown_tooltip,
)
from ..kit import marks
from ..kit.paged_model import PagedTableModel

#: What the clock cell says of a ticket with no SLA clock, by its coverage: never blank.
NO_CLOCK_TEXTS = {
    Coverage.REFUSED.value: N_("— refused (no SLA)"),
    Coverage.BILLABLE.value: N_("— billable (no SLA)"),
}
NO_CLOCK_TEXT = N_("— no SLA")
#: ... and why, in its tooltip and the clocks pane.
NO_CLOCK_REASONS = {
    Coverage.REFUSED.value: N_("Refused when it was taken (the ground and any override are in its history): "
                               "no SLA clock runs for it."),
    Coverage.BILLABLE.value: N_("Billable work, not covered by warranty or maintenance: no SLA clock runs for "
                                "it; the fix clock is for warranty and maintenance incidents only."),
}
NO_CLOCK_REASON = N_("No SLA clock applies to this ticket.")
#: A billable incident keeps its proposal clock but has no fix clock: said beside the countdown.
BILLABLE_NOTE = N_("billable")
BILLABLE_NOTE_REASON = N_("Billable: the fix clock is for warranty and maintenance incidents only.")


def no_clock_text(coverage: str) -> str:
    """The clock cell of a ticket without clocks, translated."""
    return _(NO_CLOCK_TEXTS.get(coverage, NO_CLOCK_TEXT))


def no_clock_reason(coverage: str) -> str:
    return _(NO_CLOCK_REASONS.get(coverage, NO_CLOCK_REASON))


def billable_note(coverage: str, request_type: str, clocks) -> bool:
    """Whether a ticket's clocks leave out the fix clock because it is billable."""
    return bool(clocks) and coverage == Coverage.BILLABLE.value and request_type == RequestType.INCIDENT.value


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
            clocks = self.clocks_of(r)
            row = self.row_at(r)
            if not clocks and row is not None:  # refused, or billable without a clock: say why
                found = (no_clock_text(row.coverage), QColor(marks.HINT))
            else:
                found = countdown_of(clocks, self.now())
                if row is not None and billable_note(row.coverage, row.request_type, clocks):
                    found = (f"{found[0]} · {_(BILLABLE_NOTE)}", found[1])
            self._countdowns[r] = found
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
                r = index.row()
                row = self.row_at(r)
                if row is None:
                    return None
                clocks = self.clocks_of(r)
                if not clocks:
                    return no_clock_reason(row.coverage)
                tip = countdown_tooltip(clocks, self.now())
                return tip + ("\n" + _(BILLABLE_NOTE_REASON) if billable_note(row.coverage, row.request_type, clocks)
                              else "")
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
