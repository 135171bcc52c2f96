"""The Reports view (issue #16), for support leads and administrators: SLA compliance by
month, customer, package or operator over a period of months, with a chart and a table, and
export to Excel or PDF in either language.

The report is computed on the long lane (services.reports.build_report) with progress and
Cancel; changing the period or the grouping asks again (the newest answer wins)."""

from __future__ import annotations

import logging
from datetime import date
from html import escape
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...domain.accounts import Permission
from ...i18n import N_, _, language, using
from ...i18n.formatting import format_datetime, format_number
from ...services import accounts, reports
from ...services.changes import CALENDAR, PACKAGES, TICKETS
from ...services.progress import Cancelled
from ..kit import marks, retranslate
from ..kit.documents import doc_document, doc_facts, doc_grid, doc_title, ensure_fonts
from ..kit.errors import failure_message
from ..kit.progress import ProgressRelay, cancellable_progress, close_progress
from ..kit.worker import LONG, Jobs
from . import model as cols
from .model import ReportModel, display, values_of

log = logging.getLogger(__name__)

DIMENSION_TITLES = {"month": N_("By month"), "customer": N_("By customer"), "package": N_("By package"),
                    "operator": N_("By operator")}
#: Groups drawn in the chart when grouped by customer, package or operator: those with the
#: most tickets (the table has them all).
CHART_GROUPS = 10
#: Rows in a PDF: a printed report of 50,000 customers helps nobody; the Excel file has them all.
PDF_ROWS = 300
DEFINITIONS = (
    N_("Received: tickets received in the period; a ticket's month is the month of its received time in "
       "Vietnam time. The clock figures are those of these tickets' SLA clocks (proposal, fix, complaint) now."),
    N_("Met: stopped by the due time. Breached: stopped late, running past the due time or paused after it. "
       "Compliance = met ÷ (met + breached). At risk: running clocks that have used three quarters (75 %) of their target."),
    N_("Median to propose: in working hours of the package's support calendar; median to fix: in clock hours; "
       "time waiting on the customer is left out of both."),
    N_("Resolved: tickets resolved in the period, whenever received. Obligations: planned milestones, visits, "
       "trainings and updates due in the period, not by operator."),
)


def write_landscape_pdf(html: str, path: str | Path, title: str = "") -> Path:
    """An A4 landscape PDF (13 columns need the width) with the bundled Vietnamese font
    embedded, as ui/kit/documents.write_pdf writes the service reports."""
    path = Path(path)
    part = path.with_name(path.name + ".part")
    writer = QPdfWriter(str(part))
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                     QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
    writer.setResolution(300)
    writer.setTitle(title)
    writer.setCreator("Desktop Helpdesk")
    doc = QTextDocument()
    doc.setDefaultFont(QFont(ensure_fonts(), 7))
    doc.setDocumentMargin(0)
    doc.documentLayout().setPaintDevice(writer)
    doc.setPageSize(writer.pageLayout().paintRectPixels(writer.resolution()).size().toSizeF())
    doc.setHtml(html)
    doc.print_(writer)
    del writer  # the file is complete once the writer is gone
    part.replace(path)
    return path


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), 1)


class ReportsPage(QWidget):
    key = "reports"
    title = N_("Reports")

    #: A report arrived: (services.reports.SlaReport)
    report_ready = Signal(object)
    #: A file was written: (Path)
    exported = Signal(object)

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.jobs = jobs
        self.report = None
        self.progress = None
        self.relay = ProgressRelay(self)
        self.relay.progressed.connect(self._progressed)
        today = jobs.today()
        last = today.replace(day=1)
        year, month = divmod(last.year * 12 + last.month - 1 - 2, 12)
        first = date(year, month + 1, 1)  # the last three months, this one included
        self.from_label, self.to_label, self.group_label, self.lang_label = QLabel(), QLabel(), QLabel(), QLabel()
        self.first = QDateEdit(_qdate(first))
        self.last = QDateEdit(_qdate(last))
        for edit in (self.first, self.last):
            edit.setDisplayFormat("MM/yyyy")
            edit.setCalendarPopup(False)
            edit.setMaximumDate(_qdate(last))
            edit.setMinimumDate(QDate(2000, 1, 1))
            edit.dateChanged.connect(self._period_changed)
        self.from_label.setBuddy(self.first)
        self.to_label.setBuddy(self.last)
        self.dimension = QComboBox()
        for key in reports.DIMENSIONS:
            self.dimension.addItem("", key)
        self.dimension.currentIndexChanged.connect(lambda *_: self.reload())
        self.group_label.setBuddy(self.dimension)
        self.run_button = QPushButton()
        self.run_button.clicked.connect(self.reload)
        self.excel_button = QPushButton()
        self.excel_button.clicked.connect(lambda: self.ask_and_export("xlsx"))
        self.pdf_button = QPushButton()
        self.pdf_button.clicked.connect(lambda: self.ask_and_export("pdf"))
        self.file_language = QComboBox()
        self.file_language.addItem("Tiếng Việt", "vi")
        self.file_language.addItem("English", "en")
        self.file_language.setCurrentIndex(self.file_language.findData(language()))
        self._file_language_chosen = False  # until chosen, files are in the interface's language
        self.file_language.activated.connect(lambda *_: setattr(self, "_file_language_chosen", True))
        self.lang_label.setBuddy(self.file_language)
        top = QHBoxLayout()
        for w in (self.from_label, self.first, self.to_label, self.last, self.group_label, self.dimension,
                  self.run_button):
            top.addWidget(w)
        top.addStretch()
        for w in (self.lang_label, self.file_language, self.excel_button, self.pdf_button):
            top.addWidget(w)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setOpenExternalLinks(True)
        self.chart = QChart()
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(260)
        self.model = ReportModel(self)
        self.table = QTableView()
        self.table.setObjectName("SlaReportTable")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # A long customer name is cut short, not the figures: every column reads at 1366×768.
        header.setSectionResizeMode(cols.GROUP, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(cols.GROUP, 210)
        header.setStretchLastSection(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.chart_view)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        jobs.changed.connect(self._on_change)
        self._shown_once = False
        self.retranslate()

    # -- the query -----------------------------------------------------------------------
    def query(self) -> reports.ReportQuery:
        return reports.ReportQuery(_pydate(self.first.date()), _pydate(self.last.date()),
                                   self.dimension.currentData())

    def allowed(self) -> bool:
        return accounts.allowed(self.jobs.ctx, Permission.REPORTS)

    def _period_changed(self, *_args) -> None:
        if self.first.date() > self.last.date():  # the other end follows: never an empty period
            sender = self.sender()
            other = self.last if sender is self.first else self.first
            other.blockSignals(True)
            other.setDate(sender.date())
            other.blockSignals(False)
        self.reload()

    def reload(self, *_args) -> None:
        """Compute the report of the period and grouping shown, on the long lane, with progress
        and Cancel; an earlier report still running is stopped and forgotten."""
        if not self.allowed():
            self._refuse()
            return
        if self.progress is not None:
            self.relay.cancel()
            close_progress(self.progress)
            self.progress = None
        relay = ProgressRelay(self)  # its own Cancel: stopping an older report does not stop this one
        relay.progressed.connect(self._progressed)
        self.relay = relay
        self.progress = cancellable_progress(relay, _("Computing the SLA report…"), _("Reports"),
                                             _("Stopping…"), self)
        self.status.setText(_("Computing the SLA report…"))
        self.jobs.submit(reports.build_report, self.query(), relay.start(), on_done=self._got, on_error=self._failed,
                         lane=LONG, owner=self, key="sla_report")

    def _progressed(self, done: int, total: int) -> None:
        if self.progress is not None and self.sender() is self.relay and not self.relay.cancelling:
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(min(done, total) if total else 1)

    def _finish(self) -> None:
        if self.progress is not None:
            close_progress(self.progress)
            self.progress = None

    def _got(self, report) -> None:
        self._finish()
        self.report = report
        self.model.set_report(report)
        # A month is short; a customer's name gets the room that is left, cut if it must be.
        self.table.horizontalHeader().resizeSection(cols.GROUP, 90 if report.query.dimension == "month" else 210)
        self._render_chart()
        self._say_updated()
        self._enable(True)
        self.report_ready.emit(report)

    def _failed(self, exc) -> None:
        self._finish()
        if isinstance(exc, Cancelled):
            self.status.setText(_("Stopped. Change the period or press Show to compute the report again."))
            return
        self.status.setText(failure_message(N_("The SLA report could not be computed."), exc, log))

    def _refuse(self) -> None:
        self.status.setText(_("Reports are for support leads and administrators."))
        self._enable(False)
        self.model.set_report(None)
        self.report = None
        self.chart.removeAllSeries()

    def _enable(self, on: bool) -> None:
        allowed = self.allowed()
        for w in (self.first, self.last, self.dimension, self.run_button):
            w.setEnabled(allowed)
        for w in (self.excel_button, self.pdf_button, self.file_language):
            w.setEnabled(allowed and on and self.report is not None)

    def _say_updated(self) -> None:
        if self.report is not None:
            self.status.setText(_("{period}, computed {time}. Point at a column title for what it counts.").format(
                period=self._period_text(), time=format_datetime(self.report.now)))

    def _period_text(self) -> str:
        return _("Period {period}").format(period=self._period_value())

    def _period_value(self) -> str:
        q = self.report.query if self.report is not None else self.query()
        first, last = cols.month_label(q.months[0]), cols.month_label(q.months[-1])
        return f"{first}–{last}" if first != last else first

    def _on_change(self, change) -> None:
        # New SLA terms or days move due times; a ticket saved moves the counts. Recomputed
        # only while in view, and at most once for a burst of saves.
        if self.isVisible() and self.report is not None and change.touches(PACKAGES, CALENDAR, TICKETS):
            self.jobs.submit(reports.build_report, self.query(), None, on_done=self._got, on_error=self._failed,
                             lane=LONG, owner=self, key="sla_report", debounce_ms=2000)

    # -- the chart -----------------------------------------------------------------------
    def _render_chart(self) -> None:
        self.chart.removeAllSeries()
        for axis in list(self.chart.axes()):
            self.chart.removeAxis(axis)
        r = self.report
        if r is None:
            return
        dim = r.query.dimension
        rows = list(r.rows) if dim == "month" else [row for row in r.rows if row.received][:CHART_GROUPS]
        met, breached, at_risk = QBarSet(_("Met")), QBarSet(_("Breached")), QBarSet(_("At risk"))
        met.setColor(QColor(marks.CHART_MET))
        breached.setColor(QColor(marks.CHART_BREACHED))
        at_risk.setColor(QColor(marks.SECTION_COLOURS.get("at_risk", marks.CHART_BREACHED)))
        labels = []
        for row in (rows if dim == "month" else reversed(rows)):  # the biggest on top
            met.append(row.met_total)
            breached.append(row.breached_total)
            at_risk.append(row.at_risk)
            label = cols.group_label(dim, row)
            labels.append(label if len(label) <= 28 else label[:27] + "…")
        horizontal = dim != "month"
        series = QHorizontalStackedBarSeries() if horizontal else QStackedBarSeries()
        for s in (met, breached, at_risk):
            series.append(s)
        self.chart.addSeries(series)
        categories = QBarCategoryAxis()
        categories.append(labels)
        categories.setTruncateLabels(False)  # Qt cut every name to "…" with room to spare; they are short already
        values = QValueAxis()
        values.setLabelFormat("%d")
        top = max((row.met_total + row.breached_total + row.at_risk for row in rows), default=0)
        top = max(top, 1) if top <= 5 else -(-top // 5) * 5
        values.setRange(0, top)
        values.setTickCount(top + 1 if top <= 5 else 6)
        self.chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(values, Qt.AlignmentFlag.AlignBottom if horizontal else Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        series.attachAxis(values)
        if dim == "month":
            self.chart.setTitle(_("SLA clocks met, breached and at risk, by month received"))
        else:
            self.chart.setTitle(_("SLA clocks met, breached and at risk: the {n} with the most tickets").format(
                n=format_number(len(rows))))

    # -- export --------------------------------------------------------------------------
    def table_in(self, lang: str) -> reports.ReportTable:
        """The report as its reader sees it, in `lang`."""
        r = self.report
        dim = r.query.dimension
        with using(lang):
            headers = tuple([_(cols.GROUP_TITLES[dim])] + [_(c[0]) for c in cols.COLUMNS])
            kinds = tuple(["text"] + [c[2] for c in cols.COLUMNS])
            rows = tuple(tuple(values_of(dim, row)) for row in r.rows)
            total = tuple(values_of(dim, r.total, total=True))
            facts = ((_("Period"), self._period_value()),
                     (_("Grouped"), _(DIMENSION_TITLES[dim])),
                     (_("Computed"), format_datetime(r.now)),
                     (_("Tickets received"), format_number(r.total.received)))
            return reports.ReportTable(_("SLA report"), facts, headers, kinds, rows, total,
                                       tuple(_(d) for d in DEFINITIONS))

    def ask_and_export(self, kind: str) -> None:
        if self.report is None:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        lang = self.file_language.currentData()
        with using(lang):
            stem = f"{_('SLA report')} {self.report.query.months[0]}_{self.report.query.months[-1]}"
        kinds = {"xlsx": _("Excel workbook (*.xlsx)"), "pdf": _("PDF document (*.pdf)")}
        path, _chosen = QFileDialog.getSaveFileName(self, _("Export the report"), str(Path(folder) / f"{stem}.{kind}"),
                                                    kinds[kind])
        if path:
            target = Path(path)
            if target.suffix.lower() != f".{kind}":
                target = target.with_name(target.name + f".{kind}")
            self.export_to(target, lang)

    def export_to(self, path: Path, lang: str | None = None) -> None:
        """Write the report shown to `path` (.xlsx on the long lane, .pdf here) in `lang`."""
        path = Path(path)
        table = self.table_in(lang or language())
        if path.suffix.lower() == ".pdf":
            try:
                write_landscape_pdf(self._html(table, lang or language()), path, table.title)
            except Exception as exc:  # noqa: BLE001 - told to the user, logged with its traceback
                self.status.setText(failure_message(N_("The report could not be written."), exc, log))
                return
            self._written(path)
        else:
            self.jobs.submit(lambda _ctx: reports.write_xlsx(path, table), on_done=self._written, lane=LONG, owner=self,
                             on_error=lambda exc: self.status.setText(
                                 failure_message(N_("The report could not be written."), exc, log)))

    def _html(self, table: reports.ReportTable, lang: str) -> str:
        with using(lang):
            rows = [[escape(display(k, v)) for k, v in zip(table.kinds, values)] for values in table.rows[:PDF_ROWS]]
            rows.append([f"<b>{escape(display(k, v))}</b>" for k, v in zip(table.kinds, table.total)])
            more = ""
            if len(table.rows) > PDF_ROWS:
                more = "<p><i>" + escape(_("The {n} groups with the most tickets are shown; the Excel file has all {total}.")
                                         .format(n=format_number(PDF_ROWS), total=format_number(len(table.rows)))) + "</i></p>"
            facts = doc_facts([(label, escape(value)) for label, value in table.facts], 22)
            notes = "".join(f"<p style='margin-top:4px'>{escape(n)}</p>" for n in table.notes)
            body = doc_title(table.title) + facts + "<br>" + doc_grid(list(table.headers), rows) + more + notes
        return doc_document(f"<div style='font-size:7pt'>{body}</div>")

    def _written(self, path) -> None:
        url = QUrl.fromLocalFile(str(path)).toString()
        link = escape(_("Open the file"))
        self.status.setText(escape(_("Wrote {file}.").format(file=Path(path).name)) + f" <a href='{escape(url)}'>{link}</a>")
        self.exported.emit(Path(path))

    # -- visibility and language ---------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.allowed():
            self._refuse()
        elif self.report is None and self.progress is None:
            self.reload()

    def retranslate(self) -> None:
        self.from_label.setText(_("&From"))
        self.to_label.setText(_("&to"))
        self.group_label.setText(_("&Group"))
        self.lang_label.setText(_("File &language"))
        for i, key in enumerate(reports.DIMENSIONS):
            self.dimension.setItemText(i, _(DIMENSION_TITLES[key]))
        if not self._file_language_chosen:
            self.file_language.setCurrentIndex(max(self.file_language.findData(language()), 0))
        self.run_button.setText(_("&Show"))
        self.excel_button.setText(_("E&xcel…"))
        self.pdf_button.setText(_("&PDF…"))
        self.table.setToolTip(_("Point at a column title for what it counts."))
        self.model.retranslate()
        self._render_chart()
        self._say_updated()
        self._enable(self.report is not None)
