"""File → Import from Excel/CSV… and Import history… (issue #14).

The import dialog reads the chosen file on the long lane (services.importing: the sheets,
what each holds, how its columns map, then every row checked against the file and the
database), shows what importing it would do before anything is written, and imports the
good rows as one batch, with progress and Cancel. A person corrects a file that does not
follow the template by choosing what each sheet holds and what each column is; each change
reads the file again. The rows with errors can be saved to a file to correct and import
again. The history lists the batches and undoes one while nothing refers to its records.

Row texts (statuses, errors) are translated when painted: the preview follows a language
switch without reading the file again. A preview of 100,000 rows is one list of the
service's results behind a table model (no widget per cell).
"""

from __future__ import annotations

import html
import logging
from collections import Counter
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QStandardPaths,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.importing import COLUMNS, KIND_LABELS, KIND_ORDER, RecordKind, column
from ...i18n import N_, _, language, ngettext
from ...i18n.formatting import format_datetime, format_number
from ...services import importing
from ...services.importing import (
    ERROR,
    EXISTS,
    NEW,
    ImportFileError,
    ImportPlan,
    RowResult,
    SheetInfo,
    UndoRefused,
)
from ...services.progress import Cancelled
from ..kit import marks, retranslate
from ..kit.errors import failure_message
from ..kit.progress import ProgressRelay, cancellable_progress, close_progress
from ..kit.worker import LONG, Jobs
from .export import describe_write_error

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex

#: A row the dialog has just imported (shown instead of "new" once it is in).
IMPORTED = "imported"

STATUS_LABELS = {
    NEW: N_("New"),
    EXISTS: N_("Already there"),
    ERROR: N_("Error"),
    IMPORTED: N_("Imported"),
}
#: Each status's colour, by its name in kit.marks (read when painted: the scheme may change).
STATUS_COLOURS = {NEW: "OK", EXISTS: "MUTED", ERROR: "ERROR", IMPORTED: "OK"}

#: The kind combo's "this sheet is not imported".
NOT_IMPORTED = N_("Not imported")
IGNORED = N_("(ignored)")


def error_texts(result: RowResult) -> list[str]:
    """A row's errors in the current language, each after its column's name."""
    return importing.error_list(result, _)


def file_message(exc: ImportFileError) -> str:
    message = importing.FILE_MESSAGES.get(exc.reason)
    log.info("import file refused: %s", exc)
    return _(message) if message else _("The file cannot be read.")


def explain(exc: BaseException) -> str:
    """A failure of reading or importing: a file the person can fix is said plainly, anything
    else is logged with its traceback and said briefly."""
    if isinstance(exc, ImportFileError):
        return file_message(exc)
    return failure_message(N_("The import failed."), exc, log)


def _documents() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)


class PreviewModel(QAbstractTableModel):
    """The plan's rows (all, or only those with errors), read-only."""

    SHEET, ROW, KIND, STATUS, LABEL, ERRORS = range(6)
    TITLES = (N_("Sheet"), N_("Row"), N_("Type"), N_("Status"), N_("Record"), N_("Errors"))

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._results: list[RowResult] = []
        self._shown: range | list[int] = range(0)
        self._only_errors = False
        self._imported = False

    # -- what is shown ---------------------------------------------------------------
    def set_results(self, results: list[RowResult]) -> None:
        self.beginResetModel()
        self._results = results
        self._imported = False
        self._shown = self._select()
        self.endResetModel()

    def set_only_errors(self, on: bool) -> None:
        if on == self._only_errors:
            return
        self.beginResetModel()
        self._only_errors = on
        self._shown = self._select()
        self.endResetModel()

    def mark_imported(self) -> None:
        """The new rows went in: shown as imported from now on."""
        self._imported = True
        if self._shown:
            self.dataChanged.emit(self.index(0, self.STATUS), self.index(len(self._shown) - 1, self.STATUS))

    def _select(self):
        if not self._only_errors:
            return range(len(self._results))  # no list of 100,000 numbers for "all"
        return [i for i, r in enumerate(self._results) if r.status == ERROR]

    def result_at(self, row: int) -> RowResult | None:
        return self._results[self._shown[row]] if 0 <= row < len(self._shown) else None

    def status_of(self, result: RowResult) -> str:
        return IMPORTED if self._imported and result.status == NEW else result.status

    # -- Qt --------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.TITLES)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.result_at(index.row())
        if r is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.ERRORS and r.errors:
                return "\n".join(error_texts(r))
            return self._text(r, col) or None
        if role == Qt.ItemDataRole.ForegroundRole and col in (self.STATUS, self.ERRORS):
            return QBrush(QColor(getattr(marks, STATUS_COLOURS[self.status_of(r)])))
        if role == Qt.ItemDataRole.TextAlignmentRole and col == self.ROW:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, r: RowResult, col: int) -> str:
        if col == self.SHEET:
            return r.sheet
        if col == self.ROW:
            return str(r.number)
        if col == self.KIND:
            return _(KIND_LABELS[r.kind])
        if col == self.STATUS:
            status = self.status_of(r)
            if status == EXISTS and r.existing:
                return _("Already there: {record}").format(record=r.existing)
            return _(STATUS_LABELS[status])
        if col == self.LABEL:
            return r.label
        if col == self.ERRORS:
            return "; ".join(error_texts(r))
        return ""

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.TITLES):
            return _(self.TITLES[section])
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.TITLES) - 1)
        if self._shown:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._shown) - 1, len(self.TITLES) - 1))


class _FieldCombo(QComboBox):
    """A column's field: the mouse wheel scrolls the table it is in, and changes the field
    only once the combo was clicked or tabbed into (each change reads the file again)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class SheetPanel(QWidget):
    """One sheet of the file: what it holds (a combo) and what each of its columns is."""

    #: The person changed the sheet's kind or a column's field: (SheetInfo)
    sheet_changed = Signal(object)

    def __init__(self, sheet: SheetInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.sheet = sheet
        self.kind = QComboBox()
        self.kind.setObjectName("sheet_kind")
        for kind in KIND_ORDER:
            self.kind.addItem("", kind)
        self.kind.addItem("", None)
        self.kind.setCurrentIndex(self.kind.findData(sheet.kind) if sheet.kind else self.kind.count() - 1)
        self.kind.currentIndexChanged.connect(self._kind_chosen)
        self.kind_label = QLabel()
        self.kind_label.setBuddy(self.kind)
        self.rows_label = QLabel()
        self.warning = QLabel()
        self.warning.setObjectName("sheet_warning")
        self.warning.setWordWrap(True)
        marks.set_colour(self.warning, "ERROR")
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("mapping")
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.combos: list[QComboBox] = []
        form = QFormLayout()
        form.addRow(self.kind_label, self.kind)
        column_ = QVBoxLayout(self)
        column_.addLayout(form)
        column_.addWidget(self.rows_label)
        column_.addWidget(self.warning)
        column_.addWidget(self.table, 1)
        self._fill()
        self.retranslate()

    def _fill(self) -> None:
        """One row per column of the file: its header, and a combo of the kind's fields."""
        sheet = self.sheet
        self.combos = []
        self.table.setRowCount(len(sheet.headers))
        for row, header in enumerate(sheet.headers):
            item = QTableWidgetItem(header)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.table.setItem(row, 0, item)
            combo = _FieldCombo()
            combo.addItem("", None)
            for c in (COLUMNS[sheet.kind] if sheet.kind else ()):
                combo.addItem("", c.key)
            field_ = sheet.mapping[row] if row < len(sheet.mapping) else None
            combo.setCurrentIndex(max(combo.findData(field_), 0) if field_ else 0)
            combo.setEnabled(sheet.kind is not None)
            combo.currentIndexChanged.connect(lambda _i, r=row: self._field_chosen(r))
            self.table.setCellWidget(row, 1, combo)
            self.combos.append(combo)

    def _kind_chosen(self, _index: int) -> None:
        self.sheet = importing.with_mapping(self.sheet, self.kind.currentData())  # its columns guessed again
        self._fill()
        self.retranslate()
        self.sheet_changed.emit(self.sheet)

    def _field_chosen(self, row: int) -> None:
        mapping = [c.currentData() for c in self.combos]
        chosen = mapping[row]
        if chosen:  # a field is read from one column: another column that had it is ignored now
            for other, combo in enumerate(self.combos):
                if other != row and mapping[other] == chosen:
                    combo.blockSignals(True)
                    combo.setCurrentIndex(0)
                    combo.blockSignals(False)
                    mapping[other] = None
        self.sheet = importing.with_mapping(self.sheet, self.sheet.kind, tuple(mapping))
        self._show_warning()
        self.sheet_changed.emit(self.sheet)

    def set_field(self, header: str, key: str | None) -> None:
        """Choose the field of the column headed `header` (as the person would)."""
        row = self.sheet.headers.index(header)
        self.combos[row].setCurrentIndex(max(self.combos[row].findData(key), 0) if key else 0)

    def set_kind(self, kind: RecordKind | None) -> None:
        self.kind.setCurrentIndex(self.kind.findData(kind) if kind else self.kind.count() - 1)

    def _show_warning(self) -> None:
        sheet = self.sheet
        if sheet.kind is None:
            text = _("This sheet is not imported.")
        elif sheet.missing:
            text = _("Choose the column that holds: {fields}. Until then this sheet is not imported.").format(
                fields=", ".join(_(column(sheet.kind, key).label) for key in sheet.missing))
        else:
            text = ""
        self.warning.setText(text)
        self.warning.setVisible(bool(text))

    def retranslate(self) -> None:
        self.kind_label.setText(_("This sheet &holds:"))
        for i in range(self.kind.count()):
            kind = self.kind.itemData(i)
            self.kind.setItemText(i, _(KIND_LABELS[kind]) if kind else _(NOT_IMPORTED))
        self.rows_label.setText(_("Rows in the sheet: {count}").format(count=format_number(self.sheet.rows)))
        self.table.setHorizontalHeaderLabels([_("Column in the file"), _("Read as")])
        for combo in self.combos:
            for i in range(combo.count()):
                key = combo.itemData(i)
                if key is None:
                    combo.setItemText(i, _(IGNORED))
                else:
                    c = column(self.sheet.kind, key)
                    combo.setItemText(i, _(c.label) + (" *" if c.required else ""))
        self._show_warning()


class ImportDialog(QDialog):
    """Choose a file, check what each sheet and column is, see every row's fate, import."""

    #: A plan was made (the preview shows it): (ImportPlan)
    planned = Signal(object)
    #: An import ended, finished or cancelled: (services.importing.ImportDone)
    imported = Signal(object)
    #: Rows with errors were saved: (path)
    rejections_saved = Signal(object)

    def __init__(self, jobs: Jobs, parent: QWidget | None = None, operator_id: int | None = None,
                 settings=None, save_settings=None):
        super().__init__(parent)
        self.setObjectName("ImportDialog")
        self.setSizeGripEnabled(True)
        self.jobs = jobs
        self.operator_id = operator_id
        self.settings = settings
        self._save_settings = save_settings
        self.path: Path | None = None
        self.sheets: tuple[SheetInfo, ...] = ()
        self.plan: ImportPlan | None = None
        self._tally: Counter = Counter()  # (kind, status) -> rows of the plan
        self.outcome = None  # the last ImportDone of this plan
        self.running = False
        self.progress = None
        self.box: QMessageBox | None = None
        self.panels: list[SheetPanel] = []

        self.template_button = QPushButton()
        self.template_button.setObjectName("template_button")
        self.template_button.clicked.connect(lambda: self.save_template())
        self.choose_button = QPushButton()
        self.choose_button.setObjectName("choose_button")
        self.choose_button.clicked.connect(lambda: self.choose_file())
        self.file_label = QLabel()
        self.file_label.setObjectName("file_label")
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long path (a share, OneDrive) must not widen the dialog past the screen: the name
        # comes first, the folder after it is cut, the tooltip has it all.
        self.file_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.choose_button)
        top.addWidget(self.file_label, 1)
        top.addWidget(self.template_button)

        self.sheet_tabs = QTabWidget()
        self.sheet_tabs.setObjectName("sheet_tabs")
        self.sheets_title = QLabel()
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.sheets_title)
        left_column.addWidget(self.sheet_tabs, 1)

        self.counts = QLabel()
        self.counts.setObjectName("counts")
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        self.only_errors = QCheckBox()
        self.only_errors.setObjectName("only_errors")
        self.only_errors.toggled.connect(self._filter)
        self.model = PreviewModel(self)
        self.table = QTableView()
        self.table.setObjectName("preview")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for col, width in ((PreviewModel.SHEET, 100), (PreviewModel.ROW, 52), (PreviewModel.KIND, 100),
                           (PreviewModel.STATUS, 120), (PreviewModel.LABEL, 210)):
            header.resizeSection(col, width)
        # The selected row's errors in full (the column shows the start of a long list).
        self.detail = QLabel()
        self.detail.setObjectName("detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(3 * self.fontMetrics().height())
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._show_detail())
        self.model.modelReset.connect(self._show_detail)
        self.preview_title = QLabel()
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(self.preview_title)
        right_column.addWidget(self.counts)
        right_column.addWidget(self.only_errors)
        right_column.addWidget(self.table, 1)
        right_column.addWidget(self.detail)

        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([440, 760])

        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("import_button")
        self.import_button.setAutoDefault(False)
        self.import_button.clicked.connect(lambda: self.import_rows())
        self.rejections_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.rejections_button.setObjectName("rejections_button")
        self.rejections_button.setAutoDefault(False)
        self.rejections_button.clicked.connect(lambda: self.save_rejections())
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)

        column_ = QVBoxLayout(self)
        column_.addWidget(self.intro)
        column_.addLayout(top)
        column_.addWidget(self.splitter, 1)
        column_.addWidget(self.status)
        column_.addWidget(self.buttons)
        self.resize(1180, 660)  # within a 1366×768 laptop screen with Windows' task bar
        self._restore_size()
        retranslate.register(self)
        self.retranslate()

    # -- texts -----------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(_("Import from Excel/CSV"))
        self.intro.setText(_("Choose an Excel (.xlsx) or CSV file of customers, contacts, contracts or payments. "
                             "Nothing is written until you click Import: first check what each row will do."))
        self.choose_button.setText(_("&Choose a file…"))
        self.template_button.setText(_("Download the &template…"))
        self._show_file()
        self.sheets_title.setText("<b>" + _("Sheets and columns") + "</b>")
        self.preview_title.setText("<b>" + _("What the import will do") + "</b>")
        self.only_errors.setText(_("&Only rows with errors"))
        self.close_button.setText(_("Close"))
        self.rejections_button.setText(_("&Save the rows with errors…"))
        for panel in self.panels:
            panel.retranslate()
        self.model.retranslate()
        self._show_plan_texts()
        self._show_detail()

    def _show_plan_texts(self) -> None:
        plan = self.plan
        good = self.count(NEW)
        bad = self.count(ERROR)
        if plan is None:
            self.import_button.setText(_("&Import"))
        elif self.outcome is not None and not self.outcome.cancelled:
            self.import_button.setText(_("Imported"))
        else:
            self.import_button.setText(ngettext("&Import the {count} good row", "&Import the {count} good rows",
                                                good).format(count=format_number(good)))
        self.import_button.setEnabled(plan is not None and good > 0 and not self.running
                                      and (self.outcome is None or self.outcome.cancelled))
        self.rejections_button.setEnabled(bad > 0 and not self.running)
        self.counts.setText(self.counts_html())

    def count(self, status: str, kind: RecordKind | None = None) -> int:
        """The plan's rows of `status` (of `kind`), counted once per plan (100,000 rows)."""
        if kind is None:
            return sum(n for (_k, st), n in self._tally.items() if st == status)
        return self._tally.get((kind, status), 0)

    def counts_html(self) -> str:
        """New / already there / with errors, for each kind the file holds."""
        plan = self.plan
        if plan is None:
            return ""
        kinds = [k for k in KIND_ORDER if any(s.kind is k and s.usable for s in plan.sheets)]
        if not kinds:
            return f"<span style='color:{marks.ERROR}'>" + html.escape(_(
                "No sheet of the file can be imported as it is: choose what it holds and its columns.")) + "</span>"

        def cell(text: str, align: str = "right", tag: str = "td") -> str:
            return f"<{tag} style='padding: 1px 12px 1px 0' align='{align}'>{text}</{tag}>"

        rows = ["<tr>" + cell("", "left", "th") + "".join(cell(html.escape(_(t)), "right", "th") for t in (
            N_("New"), N_("Already there"), N_("With errors"))) + "</tr>"]
        for kind in kinds:
            new, there, bad = (self.count(status, kind) for status in (NEW, EXISTS, ERROR))
            bad_text = f"<span style='color:{marks.ERROR}'><b>{format_number(bad)}</b></span>" if bad else "0"
            rows.append("<tr>" + cell(html.escape(_(KIND_LABELS[kind])), "left") + cell(format_number(new))
                        + cell(format_number(there)) + cell(bad_text) + "</tr>")
        return "<table cellspacing='0'>" + "".join(rows) + "</table>"

    # -- the template ----------------------------------------------------------------
    def save_template(self) -> None:
        english = language() != "vi"
        folder = self._folder()
        path, _chosen = QFileDialog.getSaveFileName(
            self, _("Download the template"), str(Path(folder) / _("Import template.xlsx")),
            _("Excel workbook (*.xlsx)"))
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        self._remember_folder(target)

        def done(_none) -> None:
            self.status.setText(_("The template was saved: {path}").format(path=target))
            self._message(QMessageBox.Icon.Information, _(
                "The template was saved: {path}\n\nFill in one sheet per kind of record (the columns marked * are "
                "required), then choose the file here.").format(path=target))

        self.jobs.submit(lambda _ctx: importing.write_template(target, english=english), on_done=done,
                         on_error=lambda exc: self._message(QMessageBox.Icon.Warning, describe_write_error(exc, target)),
                         lane=LONG, owner=self)

    # -- reading the file ------------------------------------------------------------
    def choose_file(self) -> None:
        if self.running:
            return
        path, _chosen = QFileDialog.getOpenFileName(
            self, _("Choose the file to import"), str(self.path.parent if self.path else self._folder()),
            _("Excel or CSV files (*.xlsx *.csv *.txt);;All files (*)"))
        if path:
            self._remember_folder(Path(path))
            self.open_file(path)

    def open_file(self, path) -> None:
        """Read `path`: its sheets as guessed, then the preview (on the long lane)."""
        path = Path(path)

        def job(ctx, progress):
            sheets = importing.inspect_file(path)
            return sheets, importing.plan_import(ctx, path, sheets, progress)

        self._plan(job, path, fresh=True)

    def replan(self) -> None:
        """Read the file again with the sheets as the person mapped them."""
        if self.path is None:
            return
        path, sheets = self.path, self.sheets
        self._plan(lambda ctx, progress: (sheets, importing.plan_import(ctx, path, sheets, progress)), path,
                   fresh=False)

    def _plan(self, job, path: Path, fresh: bool) -> None:
        if self.running:
            return
        relay = ProgressRelay(self)
        progress = relay.start()
        self._running(True, relay, _("Reading {file}…").format(file=path.name), _("Import from Excel/CSV"))
        self.status.setText(_("Reading {file}…").format(file=path.name))

        def done(result) -> None:
            self._running(False)
            sheets, plan = result
            self.path, self.sheets, self.plan, self.outcome = path, tuple(sheets), plan, None
            self._tally = Counter((r.kind, r.status) for r in plan.results)
            if fresh:
                self._build_panels()
                # One sheet (a CSV file): its name on every row says nothing.
                self.table.setColumnHidden(PreviewModel.SHEET, len(self.sheets) < 2)
            self.model.set_results(plan.results)
            self._show_file()
            self.status.setText("")
            self._show_plan_texts()
            self.planned.emit(plan)

        def failed(exc: BaseException) -> None:
            if not fresh:  # the preview was of the columns as they were: importing it would not do what is shown
                self._forget_plan()
            self._running(False)
            if isinstance(exc, Cancelled):
                self.status.setText(_("Reading the file was stopped.") if fresh else _(
                    "Reading the file was stopped: nothing can be imported until it is read again "
                    "(change a column, or choose the file again)."))
                return
            self.status.setText("")
            self._message(QMessageBox.Icon.Warning, explain(exc))

        self.jobs.submit(lambda ctx: job(ctx, progress), on_done=done, on_error=failed, lane=LONG, owner=self)

    def _forget_plan(self) -> None:
        self.plan, self.outcome, self._tally = None, None, Counter()
        self.model.set_results([])

    def _build_panels(self) -> None:
        self.sheet_tabs.clear()
        for panel in self.panels:
            panel.deleteLater()
        self.panels = []
        for sheet in self.sheets:
            panel = SheetPanel(sheet)
            panel.sheet_changed.connect(self._sheet_changed)
            self.panels.append(panel)
            self.sheet_tabs.addTab(panel, sheet.name)

    def _sheet_changed(self, sheet: SheetInfo) -> None:
        self.sheets = tuple(sheet if s.name == sheet.name else s for s in self.sheets)
        self.replan()

    def _show_file(self) -> None:
        path = self.path
        if path is None:
            self.file_label.setText(_("No file chosen yet."))
            self.file_label.setToolTip("")
            return
        self.file_label.setText(f"<b>{html.escape(path.name)}</b> — {html.escape(str(path.parent))}")
        self.file_label.setToolTip(str(path))

    def _filter(self, on: bool) -> None:
        self.model.set_only_errors(on)

    def _show_detail(self) -> None:
        current = self.table.currentIndex()
        r = self.model.result_at(current.row()) if current.isValid() else None
        if r is None:
            self.detail.setText(_("Select a row to see all its errors.") if self.count(ERROR) else "")
            return
        where = _("Row {row} of the sheet “{sheet}”").format(row=r.number, sheet=r.sheet)
        if r.errors:
            text = f"<b>{html.escape(where)}</b><br>" + "<br>".join(
                f"• {html.escape(t)}" for t in error_texts(r))
            self.detail.setText(f"<span style='color:{marks.ERROR}'>{text}</span>")
        else:
            self.detail.setText(f"<b>{html.escape(where)}</b>: " + html.escape(self.model.index(
                current.row(), PreviewModel.STATUS).data() or ""))

    # -- importing -------------------------------------------------------------------
    def import_rows(self) -> None:
        """Import the plan's new rows (one batch, on the long lane, with progress and Cancel)."""
        plan = self.plan
        if plan is None or self.running or not self.count(NEW) or (self.outcome is not None and not self.outcome.cancelled):
            return
        relay = ProgressRelay(self)
        progress = relay.start()
        self._running(True, relay, _("Importing {file}…").format(file=plan.file_name), _("Import from Excel/CSV"))
        self.status.setText(_("Importing {file}…").format(file=plan.file_name))

        def done(result) -> None:
            self._running(False)
            self.outcome = result
            self.imported.emit(result)
            if result.cancelled:
                self.status.setText(_("The import was stopped."))
                self._message(QMessageBox.Icon.Information, self.cancelled_text(result))
                self.replan()  # what went in is "already there" now: importing again adds the rest
                return
            self.model.mark_imported()
            self.status.setText(_("The import is done."))
            self._show_plan_texts()
            self._summary(result)

        def failed(exc: BaseException) -> None:
            self._running(False)
            self.status.setText("")
            self._message(QMessageBox.Icon.Warning, explain(exc) + "\n\n" + _(
                "What was imported before the failure is one import, which File → Import history… can undo."))
            self.replan()

        self.jobs.submit(importing.apply_import, plan, progress, self.operator_id, on_done=done, on_error=failed,
                         lane=LONG, owner=self)

    def summary_text(self, done) -> str:
        lines = []
        for kind in KIND_ORDER:
            if done.added.get(kind):
                lines.append(_("{kind}: {count} added").format(kind=_(KIND_LABELS[kind]),
                                                               count=format_number(done.added[kind])))
        if not lines:
            lines.append(_("Nothing was added."))
        if done.skipped:
            lines.append(_("Already there, skipped: {count}").format(count=format_number(done.skipped)))
        if done.rejected:
            lines.append(_("With errors, not imported: {count}").format(count=format_number(done.rejected)))
        text = _("The import of {file} is done.").format(file=self.plan.file_name) + "\n\n" + "\n".join(lines)
        if sum(done.added.values()):
            text += "\n\n" + _("File → Import history… can undo this import while nothing refers to its records.")
        if done.rejected:
            text += "\n\n" + _("Save the rows with errors to a file, correct them there and import that file.")
        return text

    def cancelled_text(self, done) -> str:
        added = sum(done.added.values())
        return ngettext(
            "The import was stopped: {count} row went in before it stopped. It is one import, which "
            "File → Import history… can undo; or import the same file again to add the rest (nothing is "
            "added twice).",
            "The import was stopped: {count} rows went in before it stopped. They are one import, which "
            "File → Import history… can undo; or import the same file again to add the rest (nothing is "
            "added twice).", added).format(count=format_number(added))

    def _summary(self, done) -> None:
        """What went in; with rows rejected, the box offers to save them at once."""
        def offer_rejections(box: QMessageBox) -> None:
            save = box.addButton(_("&Save the rows with errors…"), QMessageBox.ButtonRole.AcceptRole)
            box.addButton(QMessageBox.StandardButton.Close)
            box.setDefaultButton(save)
            box.buttonClicked.connect(lambda button: self.save_rejections() if button is save else None)
            self.save_in_box = save

        self._message(QMessageBox.Icon.Information, self.summary_text(done),
                      offer_rejections if done.rejected else None)

    # -- the rows with errors ------------------------------------------------------------
    def save_rejections(self, path=None) -> None:
        """Write the rows with errors (and why, in the current language) to an .xlsx file."""
        plan = self.plan
        if plan is None or not self.count(ERROR) or self.running:
            return
        if path is None:
            start = (self.path.parent if self.path else Path(self._folder())) / _("{name} - rows with errors.xlsx").format(
                name=plan.path.stem)
            path, _chosen = QFileDialog.getSaveFileName(self, _("Save the rows with errors"), str(start),
                                                        _("Excel workbook (*.xlsx)"))
            if not path:
                return
        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        if target.resolve() == plan.path.resolve():  # never over the file being imported
            self._message(QMessageBox.Icon.Warning, _("Choose another name: this is the file being imported."))
            return
        self._remember_folder(target)

        def done(count: int) -> None:
            self.status.setText(ngettext("{count} row with errors was saved to {path}",
                                         "{count} rows with errors were saved to {path}", count).format(
                count=format_number(count), path=target))
            self.rejections_saved.emit(target)

        self.jobs.submit(lambda _ctx: importing.write_rejections(plan, target, _), on_done=done,
                         on_error=lambda exc: self._message(QMessageBox.Icon.Warning, describe_write_error(exc, target)),
                         lane=LONG, owner=self)

    # -- helpers ---------------------------------------------------------------------
    def _running(self, on: bool, relay: ProgressRelay | None = None, label: str = "", title: str = "") -> None:
        self.running = on
        for w in (self.choose_button, self.sheet_tabs, self.import_button, self.rejections_button):
            w.setEnabled(not on)
        if on:
            self.progress = cancellable_progress(relay, label, title, _("Stopping…"), self)
            relay.progressed.connect(self._progressed)
        elif self.progress is not None:
            close_progress(self.progress)
            self.progress = None
        if not on:
            self._show_plan_texts()

    def _progressed(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(min(done, total))

    def _message(self, icon, text: str, prepare=None) -> QMessageBox:
        """One box, not waited on (the event loop goes on; tests read `self.box`);
        `prepare(box)` adds its own buttons (else it has OK)."""
        box = QMessageBox(icon, _("Import from Excel/CSV"), text, QMessageBox.StandardButton.NoButton, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if prepare is not None:
            prepare(box)
        else:
            box.addButton(QMessageBox.StandardButton.Ok)
        box.open()
        self.box = box
        return box

    def _folder(self) -> str:
        chosen = getattr(self.settings, "import_dir", "") if self.settings is not None else ""
        return chosen or _documents()

    def _remember_folder(self, path: Path) -> None:
        if self.settings is not None and hasattr(self.settings, "import_dir"):
            self.settings.import_dir = str(path.parent)
            if self._save_settings is not None:
                self._save_settings()

    def _restore_size(self) -> None:
        sizes = getattr(self.settings, "dialog_sizes", None)
        size = sizes.get(self.objectName()) if isinstance(sizes, dict) else None
        if isinstance(size, (list, tuple)) and len(size) == 2:
            width, height = max(int(size[0]), 600), max(int(size[1]), 400)
            screen = self.screen().availableGeometry() if self.screen() is not None else None
            if screen is not None:  # remembered on a bigger screen than this one
                width, height = min(width, screen.width()), min(height, screen.height() - 40)
            self.resize(width, height)

    def done(self, result: int) -> None:
        sizes = getattr(self.settings, "dialog_sizes", None)
        if isinstance(sizes, dict):
            sizes[self.objectName()] = [self.width(), self.height()]
            if self._save_settings is not None:
                self._save_settings()
        super().done(result)


class ImportHistoryDialog(QDialog):
    """The imports, newest first, and "Undo this import…" for one nothing refers to yet."""

    WHEN, FILE, WHO, CUSTOMERS, CONTACTS, CONTRACTS, PAYMENTS, STATE = range(8)
    TITLES = (N_("Imported at"), N_("File"), N_("Imported by"), N_("Customers"), N_("Contacts"), N_("Contracts"),
              N_("Payments"), N_("State"))

    #: An import was undone: (batch id)
    undone = Signal(int)

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ImportHistoryDialog")
        self.setSizeGripEnabled(True)
        self.jobs = jobs
        self.batches: list = []
        self.loaded = False
        self.running = False
        self.box: QMessageBox | None = None
        self.confirm: QMessageBox | None = None
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, len(self.TITLES))
        self.table.setObjectName("batches")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.itemSelectionChanged.connect(self._selection)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.undo_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.undo_button.setObjectName("undo_button")
        self.undo_button.setAutoDefault(False)
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(lambda: self.ask_undo())
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        column_ = QVBoxLayout(self)
        column_.addWidget(self.intro)
        column_.addWidget(self.table, 1)
        column_.addWidget(self.status)
        column_.addWidget(self.buttons)
        self.resize(1200, 460)
        retranslate.register(self)
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Import history"))
        self.intro.setText(_("Each import is one batch. An import can be undone while nothing refers to its "
                             "records: no ticket logged on them, no contract or payment added to them since, "
                             "and none of them changed since."))
        self.table.setHorizontalHeaderLabels([_(t) for t in self.TITLES])
        self.undo_button.setText(_("&Undo this import…"))
        self.close_button.setText(_("Close"))
        self._render()

    # -- the list --------------------------------------------------------------------
    def refresh(self) -> None:
        def got(batches) -> None:
            self.batches = list(batches)
            self.loaded = True
            self._render()

        self.jobs.submit(importing.list_batches, on_done=got, owner=self, key="batches")

    def _render(self) -> None:
        selected = self.selected()
        self.table.setRowCount(len(self.batches))
        for row, b in enumerate(self.batches):
            state = _("Undone on {when}").format(when=format_datetime(b.undone_at)) if b.undone_at else ""
            texts = (format_datetime(b.created_at), b.file_name, b.created_by, format_number(b.customers),
                     format_number(b.contacts), format_number(b.contracts), format_number(b.payments), state)
            for col, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, b.id)
                if col in (self.CUSTOMERS, self.CONTACTS, self.CONTRACTS, self.PAYMENTS):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if b.undone_at:
                    item.setForeground(QBrush(QColor(marks.SUPERSEDED)))
                self.table.setItem(row, col, item)
        self._fit_columns()
        if selected is not None:
            for row, b in enumerate(self.batches):
                if b.id == selected.id:
                    self.table.selectRow(row)
        elif self.batches:
            self.table.selectRow(0)
        if self.loaded and not self.batches:
            self.status.setText(_("Nothing was imported yet."))
        self._selection()

    def _fit_columns(self) -> None:
        """Each column as wide as its header and cells (the header is bold: a margin more)."""
        header = self.table.horizontalHeader()
        bold = header.font()
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        for col in range(len(self.TITLES) - 1):  # the last one (the state) takes what is left
            wanted = max(self.table.sizeHintForColumn(col), metrics.horizontalAdvance(_(self.TITLES[col]))) + 24
            header.resizeSection(col, min(wanted, 320 if col == self.FILE else 240))

    def selected(self):
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.batches):
            return None
        return self.batches[rows[0].row()]

    def select_batch(self, batch_id: int) -> None:
        for row, b in enumerate(self.batches):
            if b.id == batch_id:
                self.table.selectRow(row)

    def _selection(self) -> None:
        b = self.selected()
        self.undo_button.setEnabled(b is not None and b.undone_at is None and not self.running)

    # -- undo ------------------------------------------------------------------------
    def counts_text(self, b) -> str:
        parts = [f"{_(KIND_LABELS[kind])}: {format_number(n)}" for kind, n in (
            (RecordKind.CUSTOMERS, b.customers), (RecordKind.CONTACTS, b.contacts),
            (RecordKind.CONTRACTS, b.contracts), (RecordKind.PAYMENTS, b.payments)) if n]
        return ", ".join(parts) if parts else _("no records")

    def ask_undo(self) -> QMessageBox | None:
        """Ask before undoing the selected import (No is the default)."""
        b = self.selected()
        if b is None or b.undone_at is not None or self.running:
            return None
        box = QMessageBox(QMessageBox.Icon.Question, _("Undo an import"), _(
            "Undo the import of {file} ({when})?\n\nThis removes what it added: {counts}.").format(
            file=b.file_name, when=format_datetime(b.created_at), counts=self.counts_text(b)), parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirm_undo_button = box.addButton(_("&Undo the import"), QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)  # Enter removes nothing
        box.buttonClicked.connect(lambda button: self.undo(b) if button is self.confirm_undo_button else None)
        box.open()
        self.confirm = box
        return box

    def undo(self, b) -> None:
        """Undo import `b` (already confirmed) on the long lane."""
        if self.running:
            return
        self.running = True
        self._selection()
        self.status.setText(_("Undoing the import of {file}…").format(file=b.file_name))

        def done(_none) -> None:
            self.running = False
            self.status.setText(_("The import of {file} was undone.").format(file=b.file_name))
            self.undone.emit(b.id)
            self.refresh()

        def failed(exc: BaseException) -> None:
            self.running = False
            self.status.setText("")
            self._selection()
            if isinstance(exc, UndoRefused):
                log.info("undo of import %s refused: %s", b.id, exc)
                text = _("The import of {file} cannot be undone:").format(file=b.file_name) + "\n\n" + "\n".join(
                    "• " + line for line in importing.undo_refusal_texts(exc, _)) + "\n\n" + _("Nothing was removed.")
            else:
                text = failure_message(N_("The import could not be undone; nothing was removed."), exc, log)
            self._message(QMessageBox.Icon.Warning, text)
            self.refresh()

        self.jobs.submit(importing.undo_import, b.id, on_done=done, on_error=failed, lane=LONG, owner=self)

    def _message(self, icon, text: str) -> QMessageBox:
        box = QMessageBox(icon, _("Import history"), text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.box = box
        return box


class ImportActions(QObject):
    """The File menu's "Import from Excel/CSV…" (Ctrl+Shift+I) and "Import history…", beside
    "Export the list…". The same on a local file and on the team server."""

    def __init__(self, window, jobs: Jobs, settings=None, save_settings=None):
        super().__init__(window)
        self.window, self.jobs = window, jobs
        self.settings, self.save_settings = settings, save_settings
        self.dialog: ImportDialog | None = None
        self.history: ImportHistoryDialog | None = None
        self.act_import = QAction(window)
        self.act_import.setObjectName("act_import")
        self.act_import.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.act_import.triggered.connect(lambda: self.open_import())
        self.act_history = QAction(window)
        self.act_history.setObjectName("act_import_history")
        self.act_history.triggered.connect(lambda: self.open_history())
        menu = window.menu_file
        actions = menu.actions()
        export = getattr(window, "act_export", None)
        # Right after "Export the list…" (else before the separator above Quit, else at the end).
        if export in actions:
            at = actions.index(export) + 1
        else:
            at = actions.index(window.act_quit) if window.act_quit in actions else len(actions)
            at -= 1 if at > 0 and actions[at - 1].isSeparator() else 0
        before = actions[at] if at < len(actions) else None
        for action in (self.act_import, self.act_history):
            menu.insertAction(before, action) if before is not None else menu.addAction(action)
        retranslate.register(self)
        self.retranslate()

    def retranslate(self) -> None:
        self.act_import.setText(_("&Import from Excel/CSV…"))
        self.act_history.setText(_("Import &history…"))

    def _operator_id(self) -> int | None:
        operator = getattr(self.window, "operator", None)
        return getattr(operator, "id", None)

    def open_import(self, path=None) -> ImportDialog:
        """The import dialog (the one already open, brought forward); with `path`, that file read."""
        dialog = self.dialog
        if dialog is None or not _alive(dialog) or not dialog.isVisible():  # closed: deleted later
            dialog = ImportDialog(self.jobs, self.window, self._operator_id(), self.settings, self.save_settings)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.imported.connect(self._imported)
            self.dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        if path is not None:
            dialog.open_file(path)
        return dialog

    def open_history(self) -> ImportHistoryDialog:
        dialog = self.history
        if dialog is None or not _alive(dialog) or not dialog.isVisible():  # closed: deleted later
            dialog = ImportHistoryDialog(self.jobs, self.window)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.undone.connect(self._undone)
            self.history = dialog
        else:
            dialog.refresh()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog


    def _imported(self, _done) -> None:
        """An import ended: an open history lists it."""
        if self.history is not None and _alive(self.history) and self.history.isVisible():
            self.history.refresh()

    def _undone(self, batch_id: int) -> None:
        """An import was undone: an open import dialog showing it as imported reads its file again."""
        dialog = self.dialog
        if dialog is not None and _alive(dialog) and dialog.isVisible() and dialog.outcome is not None \
                and dialog.outcome.batch_id == batch_id:
            dialog.replan()


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)
