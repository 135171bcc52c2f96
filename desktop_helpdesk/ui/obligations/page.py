"""The obligations list: every dated promise across customers, counted down in days.

Rows are the services' `ObligationRow`s, paged by the worker like every list. The countdown
is not stored: it is computed from the due date and today (Hà Nội) when a cell is painted,
and one `DayWatch` per visible view repaints the countdown cells when the date changes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox, QWidget

from ...domain.enums import ObligationKind
from ...i18n import N_, _, ngettext
from ...i18n.formatting import format_date
from ...services import contracts
from ...services.changes import OBLIGATIONS
from ..kit.countdown import (
    DayWatch,
    day_countdown_colour,
    day_countdown_text,
)
from ..kit.endings import cancelled_colour, cancelled_text
from ..kit.list_page import ListPage
from ..kit.paged_model import Column, Index, PagedTableModel
from ..kit.widgets import enum_label
from ..kit.worker import Jobs


class ObligationsModel(PagedTableModel):
    """Obligations, sorted and filtered in SQL; the countdown is worked out when painted."""

    COL_DUE, COL_COUNTDOWN, COL_KIND, COL_CUSTOMER, COL_CONTRACT, COL_TITLE = range(6)

    def __init__(self, jobs: Jobs, parent: QObject | None = None):
        columns = [
            Column(N_("Due"), "due_on", lambda r: format_date(r.due_on), width=95, kind="date", value=lambda r: r.due_on),
            Column(N_("Countdown"), "due_on", self.countdown_text, width=135),
            Column(N_("Type"), "kind", lambda r: enum_label(ObligationKind, r.kind), width=200),
            Column(N_("Customer"), "customer", lambda r: r.customer_name, width=320),
            Column(N_("Contract"), "", lambda r: r.contract_number, width=110),
            Column(N_("Title"), "", lambda r: r.title, width=200),
        ]
        super().__init__(columns, contracts.list_obligations, jobs, default_sort="due_on", parent=parent)
        #: Today in Hà Nội by the service's clock: the countdowns count from it.
        self.today: Callable[[], date] = jobs.today

    def countdown_text(self, row) -> str:
        """Days left or overdue; "⊘ Đã hủy" for one its contract's early end cancelled (never
        overdue, whatever its date)."""
        if row.cancelled_on is not None:
            return cancelled_text(row.cancelled_on, short=True)
        return day_countdown_text(row.due_on, self.today(), row.done_on)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid() and index.column() == self.COL_COUNTDOWN:
            row = self.row_at(index.row())
            if row is None:
                return None
            if row.cancelled_on is not None:
                return cancelled_colour()
            return day_countdown_colour(row.due_on, self.today(), row.done_on)
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid() and index.column() in (self.COL_DUE,
                                                                                         self.COL_COUNTDOWN):
            row = self.row_at(index.row())
            if row is not None and row.cancelled_on is not None:
                return cancelled_text(row.cancelled_on)
            if row is not None and index.column() == self.COL_DUE:
                return day_countdown_text(row.due_on, self.today(), row.done_on)
        return super().data(index, role)

    def refresh_countdowns(self) -> None:
        """Repaint the countdown cells (the date changed); the rows stay as they are."""
        if self.rowCount():
            self.dataChanged.emit(self.index(0, self.COL_COUNTDOWN), self.index(self.rowCount() - 1, self.COL_COUNTDOWN),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole])


def obligations_model(jobs: Jobs) -> ObligationsModel:
    return ObligationsModel(jobs)


class DaysSpinBox(QSpinBox):
    """A number of days shown as "30 ngày" / "30 days"; the minimum shows its special text."""

    def textFromValue(self, value: int) -> str:
        return ngettext("{n} day", "{n} days", value).format(n=value)

    def valueFromText(self, text: str) -> int:
        digits = "".join(ch for ch in text if ch.isdigit())
        return int(digits) if digits else self.minimum()

    def validate(self, text: str, pos: int):
        digits = "".join(ch for ch in text if ch.isdigit())
        if text == self.specialValueText():
            return QValidator.State.Acceptable
        if not digits:
            return QValidator.State.Intermediate
        value = int(digits)
        return QValidator.State.Acceptable if self.minimum() <= value <= self.maximum() else QValidator.State.Invalid


class ObligationsPage(ListPage):
    """Every open obligation across customers, and those an early end cancelled (as
    cancelled, until a month past their date); Enter or a double-click opens its contract."""

    key = "obligations"
    refreshed_by = (OBLIGATIONS,)
    title = N_("Obligations")
    new_label = ""

    #: The user asked to open the contract an obligation belongs to: (contract id)
    contract_requested = Signal(int)

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(obligations_model(jobs), parent)
        self.new_button.hide()  # obligations are planned in the contract window
        self.kind = QComboBox()
        self.kind.addItem("", "")
        for kind in ObligationKind:
            self.kind.addItem("", kind.value)
        self.kind.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.due_label = QLabel()
        self.due_within = DaysSpinBox()
        self.due_within.setRange(0, 3650)
        self.due_within.setSingleStep(7)
        self.due_within.setAccelerated(True)
        self.due_label.setBuddy(self.due_within)
        self.toolbar.insertWidget(1, self.kind)
        self.toolbar.insertWidget(2, self.due_label)
        self.toolbar.insertWidget(3, self.due_within)
        self._applied: dict = {}
        self._filter_timer = QTimer(self, singleShot=True, interval=250)
        self._filter_timer.timeout.connect(self.apply_filters)
        self.kind.currentIndexChanged.connect(lambda *_: self.apply_filters())
        self.due_within.valueChanged.connect(lambda *_: self._filter_timer.start())
        self.ticker = self.watch = DayWatch(self.model.today, jobs.now, self)
        self.watch.day_changed.connect(self._day_changed)
        self._applied = self.filters()
        self.model.preset_filters(**self._applied)
        self.build_layout()

    def filters(self) -> dict:
        """What the page's controls ask of the repository (empty values left out)."""
        filters: dict = {}
        if self.kind.currentData():
            filters["kind"] = self.kind.currentData()
        if self.due_within.value():
            filters["until"] = self.model.today() + timedelta(days=self.due_within.value())
        # Derived dates more than a month past are history, not work (planned items stay).
        filters["derived_since"] = self.model.today() - timedelta(days=31)
        # What an early end cancelled stays listed as cancelled for as long (then it is history).
        filters["cancelled_since"] = filters["derived_since"]
        return filters

    def apply_filters(self) -> None:
        self._filter_timer.stop()
        filters = self.filters()
        if filters != self._applied:
            self._applied = filters
            self.model.set_filters(**filters)

    def reload(self, select_id: int | None = None) -> None:
        current = self.current_row()
        self._select_after_load = select_id if select_id is not None else (current.id if current else None)
        filters = self.filters()
        if filters != self._applied:  # "due within" moved on with the date
            self._applied = filters
            self.model.set_filters(**filters)
        else:
            self.model.reload()

    def _day_changed(self, _day) -> None:
        if self.due_within.value():
            self.reload()
        else:
            self.model.refresh_countdowns()

    def _edit_current(self) -> None:
        row = self.current_row()
        if row is not None:
            self.contract_requested.emit(row.contract_id)

    def retranslate(self) -> None:
        super().retranslate()
        self.edit_button.setText(_("Open &contract"))
        self.kind.setItemText(0, _("All types"))
        for i, kind in enumerate(ObligationKind, start=1):
            self.kind.setItemText(i, _(kind.label))
        self.due_label.setText(_("Due within:"))
        # Setting the special text also redraws "30 ngày" / "30 days" in the new language.
        self.due_within.setSpecialValueText(_("no limit"))
        self.due_within.setToolTip(_("Show only obligations due within this many days from today, overdue ones included."))
