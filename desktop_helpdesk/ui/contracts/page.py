"""The contracts list with a live coverage countdown column."""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QWidget,
)

from ...domain.coverage import CoverageBadge, coverage_badge
from ...domain.enums import (
    ContractStage,
)
from ...i18n import N_
from ...i18n.formatting import format_date, format_vnd
from ...services import contracts
from ...services.changes import CONTRACTS
from ..kit.countdown import CountdownTicker
from ..kit.endings import coverage_colour, coverage_text
from ..kit.list_page import ListPage
from ..kit.paged_model import Column, Index, PagedTableModel
from ..kit.widgets import enum_label
from ..kit.worker import Jobs


def contract_badge(today: date, warranty_end: date | None, maintenance_end: date | None,
                   ended_on: date | None) -> CoverageBadge:
    """One contract's coverage on `today`: its ends cut at its end day, "terminated" after a
    day that cut them (domain.coverage; the same facts the customer's badge is decided on).
    Money is left out: the payments tab says what is owed."""
    return coverage_badge(today, warranty_end, maintenance_end, 0, terminated_on=ended_on)


class ContractsModel(PagedTableModel):
    """Contracts with a live countdown to the end of their warranty or maintenance, worked
    out from the row's end dates when painted and moved on by the view's ticker."""

    COL_COUNTDOWN = 4

    def __init__(self, jobs: Jobs, parent: QObject | None = None):
        columns = [
            Column(N_("Number"), "number", lambda r: r.number, width=110),
            Column(N_("Customer"), "customer", lambda r: r.customer_name, width=220),
            Column(N_("Package"), "package", lambda r: r.package_name, width=170),
            Column(N_("Stage"), "stage", lambda r: enum_label(ContractStage, r.stage), width=175),
            Column(N_("Coverage"), "", lambda r: self.countdown(r)[0], width=240),
            Column(N_("Value"), "value_vnd", lambda r: format_vnd(r.value_vnd), align_right=True, width=110,
                   kind="money", value=lambda r: r.value_vnd),
            Column(N_("Signed on"), "signed_on", lambda r: format_date(r.signed_on), width=125,
                   kind="date", value=lambda r: r.signed_on),
            Column(N_("Accepted on"), "accepted_on", lambda r: format_date(r.accepted_on), width=125,
                   kind="date", value=lambda r: r.accepted_on),
            Column(N_("Warranty ends"), "warranty_end", lambda r: format_date(r.warranty_end), width=125,
                   kind="date", value=lambda r: r.warranty_end),
            Column(N_("Maintenance ends"), "maintenance_end", lambda r: format_date(r.maintenance_end), width=125,
                   kind="date", value=lambda r: r.maintenance_end),
        ]
        super().__init__(columns, contracts.list_contracts, jobs, default_sort="number", default_descending=True,
                         parent=parent)
        #: Today in Hà Nội by the service's clock: the countdowns count from it.
        self.today: Callable[[], date] = jobs.today
        self._painted_day: date | None = None

    def countdown(self, row) -> tuple[str, QColor | None]:
        """ "✔ Bảo hành còn 143 ngày" / "✔ Warranty: 143 days left" and its colour, "⊘ Đã chấm
        dứt ngày …" once a contract ended early; nothing before the contract is accepted."""
        self._painted_day = today = self.today()
        badge = contract_badge(today, row.warranty_end, row.maintenance_end, row.ended_on)
        if badge.state == "none":
            return "", None
        return coverage_text(badge), QColor(coverage_colour(badge))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid() and index.column() == self.COL_COUNTDOWN:
            row = self.row_at(index.row())
            return self.countdown(row)[1] if row is not None else None
        return super().data(index, role)

    def countdowns_changed(self, first: int, last: int) -> None:
        """A tick: repaint the visible countdown cells, only when the date moved on (they count days)."""
        if self._painted_day is None or self.today() == self._painted_day:
            return
        if 0 <= first <= last < self.rowCount():
            self.dataChanged.emit(self.index(first, self.COL_COUNTDOWN), self.index(last, self.COL_COUNTDOWN),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole])


def contracts_model(jobs: Jobs) -> ContractsModel:
    return ContractsModel(jobs)


class ContractsPage(ListPage):
    key = "contracts"  # also the kind of record it lists (services.changes)
    refreshed_by = (CONTRACTS,)
    title = N_("Contracts")
    new_label = N_("&New contract")

    columns_version = 2  # 2: the live coverage countdown

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(contracts_model(jobs), parent)
        self.ticker = CountdownTicker(self.table, self.model, jobs.now, self)
        self.build_layout()
