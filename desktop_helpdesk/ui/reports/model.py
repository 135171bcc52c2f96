"""The SLA report's table: one row per group and a total row, in plain data
(services.reports.ReportRow), with the texts shown and the values exported from one place."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFont

from ...i18n import N_, _
from ...i18n.formatting import format_duration, format_number

#: Column numbers (named constants, as on every model).
GROUP, RECEIVED, RESOLVED, MET, BREACHED, AT_RISK, COMPLIANCE, MEDIAN_PROPOSE, MEDIAN_FIX, \
    OBLIGATIONS_DUE, OBLIGATIONS_ON_TIME, OBLIGATIONS_LATE, OBLIGATIONS_MISSED = range(13)

GROUP_TITLES = {"month": N_("Month"), "customer": N_("Customer"), "package": N_("Package"),
                "operator": N_("Operator")}
#: (title, tip, export kind) per column after the group's.
COLUMNS = (
    (N_("Received tickets"), N_("Tickets received in the period (by its month in Vietnam time)"), "number"),
    (N_("Resolved tickets"), N_("Tickets resolved in the period, whenever they were received (workload)"), "number"),
    (N_("Met"), N_("SLA clocks of the tickets received that were met: stopped by their due time"), "number"),
    (N_("Breached"), N_("SLA clocks of the tickets received that are past their due time: stopped late, "
                        "still running, or paused after it"), "number"),
    (N_("At risk"), N_("Running clocks not yet due that have used three quarters (75 %) of their target, as on the dashboard"),
     "number"),
    (N_("Compliance"), N_("Met ÷ (met + breached)"), "percent"),
    (N_("Median to propose"), N_("Median time to propose a solution, in working hours of the package's support "
                                 "calendar, time waiting on the customer left out"), "hours"),
    (N_("Median to fix"), N_("Median time to fix an incident, in clock hours, time waiting on the customer "
                             "left out"), "hours"),
    (N_("Obligations due"), N_("Planned obligations (milestones, visits, trainings, updates) due in the period; "
                               "not by operator"), "number"),
    (N_("On time"), N_("Obligations done by their due date"), "number"),
    (N_("Late"), N_("Obligations done after their due date"), "number"),
    (N_("Missed"), N_("Obligations not done and past their due date"), "number"),
)


def month_label(key: str) -> str:
    """'2026-03' as the desk writes a month: 03/2026."""
    year, month = key.split("-")
    return f"{month}/{year}"


def group_label(dimension: str, row) -> str:
    if dimension == "month":
        return month_label(row.key)
    if row.key is None:
        return _("No contract") if dimension == "package" else _("Unassigned") if dimension == "operator" else "—"
    return f"{row.name} ({row.code})" if row.code else row.name


def hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 2)


def values_of(dimension: str, row, total: bool = False) -> list:
    """A row's values as exported: numbers stay numbers (percent as a share, hours as a float)."""
    obligations = row.obligations
    return [
        _("Total") if total else group_label(dimension, row),
        row.received, row.resolved, row.met_total, row.breached_total, row.at_risk, row.compliance,
        hours(row.median_propose), hours(row.median_fix),
        *(list(obligations) if obligations is not None else [None] * 4),
    ]


def display(kind: str, value) -> str:
    if value is None:
        return "—"
    if kind == "percent":
        return f"{format_number(round(value * 100, 1))} %"
    if kind == "hours":
        return format_duration(timedelta(hours=value), short=True) if value else format_duration(timedelta(0), short=True)
    if kind == "number":
        return format_number(value)
    return str(value)


class ReportModel(QAbstractTableModel):
    """The report's rows and its total row (last, in bold)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.report = None
        self._rows: list[list] = []

    def set_report(self, report) -> None:
        self.beginResetModel()
        self.report = report
        self._rows = [] if report is None else (
            [values_of(report.query.dimension, r) for r in report.rows]
            + [values_of(report.query.dimension, report.total, total=True)])
        self.endResetModel()

    def retranslate(self) -> None:
        self.set_report(self.report)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS))

    @staticmethod
    def kind(column: int) -> str:
        return "text" if column == GROUP else COLUMNS[column - 1][2]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS) + 1

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display(self.kind(index.column()), value)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() != GROUP:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and index.row() == len(self._rows) - 1:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section <= len(COLUMNS):
            return None
        dimension = self.report.query.dimension if self.report is not None else "month"
        if role == Qt.ItemDataRole.DisplayRole:
            return _(GROUP_TITLES[dimension]) if section == GROUP else _(COLUMNS[section - 1][0])
        if role == Qt.ItemDataRole.ToolTipRole and section != GROUP:
            return _(COLUMNS[section - 1][1])
        return None

    def headers(self) -> list[str]:
        return [self.headerData(c, Qt.Orientation.Horizontal) for c in range(self.columnCount())]

    def export_rows(self) -> tuple[list, list]:
        """(the group rows, the total row) as exported values."""
        return self._rows[:-1], self._rows[-1] if self._rows else []
