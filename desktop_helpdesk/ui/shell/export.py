"""Export a list to Excel or CSV: the columns as shown (order and hidden ones respected),
the filter and order applied, every row, with progress and Cancel. A CSV file is written with
";" or "," as the user chooses in the save dialog: ";" is what Excel set to Vietnamese splits
on (its decimal mark is ","), so it is offered first, and chosen by default, in Vietnamese.

Each page is read and written by its own job on the database worker, so the window and the
other lists keep working during a long export; the file appears only when complete."""

from __future__ import annotations

import logging
from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from ...i18n import N_, _, language, ngettext
from ...i18n.formatting import format_number
from ...services.export import (
    SEPARATORS,
    ExportColumn,
    ExportFile,
    ExportResult,
    read_page,
)
from ..kit.errors import failure_message, log_failure
from ..kit.worker import LONG, Jobs

log = logging.getLogger(__name__)


def shown_columns(page) -> list[ExportColumn]:
    """The page's columns in the order the user sees them, hidden ones left out, with
    their titles in the current language."""
    header = page.table.horizontalHeader()
    columns = []
    for visual in range(header.count()):
        logical = header.logicalIndex(visual)
        if header.isSectionHidden(logical):
            continue
        c = page.model.columns[logical]
        columns.append(ExportColumn(_(c.title), c.kind, c.export_value))
    return columns


def preferred_separator(settings=None) -> str:
    """The CSV separator to offer first: the user's last choice, else ";" when the interface
    is in Vietnamese (Excel in Vietnamese splits on it) and "," otherwise."""
    chosen = getattr(settings, "csv_separator", "") if settings is not None else ""
    if chosen in SEPARATORS:
        return chosen
    return ";" if language() == "vi" else ","


def save_filters(settings=None) -> list[tuple[str, str | None]]:
    """The save dialog's file types, in the order offered: (filter text, CSV separator or
    None for Excel). The preferred CSV separator comes first of the two CSV kinds."""
    semicolon = (_("CSV with semicolons, for Excel in Vietnamese (*.csv)"), ";")
    comma = (_("CSV with commas, for Excel in English (*.csv)"), ",")
    csv_kinds = [semicolon, comma] if preferred_separator(settings) == ";" else [comma, semicolon]
    return [(_("Excel workbook (*.xlsx)"), None), *csv_kinds]


def default_file_name(page, today: date, suffix: str = ".xlsx") -> str:
    title = "".join(ch for ch in _(page.title) if ch not in '<>:"/\\|?*').strip() or "export"
    return f"{title} {today.isoformat()}{suffix}"


def describe_write_error(exc: BaseException, path: Path) -> str:
    if isinstance(exc, PermissionError):
        return _("Cannot write {file}: it is open in another program (Excel?) or the folder is read-only. "
                 "Close it or choose another name and try again.").format(file=path.name)
    if isinstance(exc, OSError):
        return _("Cannot write {file}: {reason}").format(file=path.name, reason=exc.strerror or str(exc))
    return failure_message(N_("The export failed. Nothing was written."), exc, log)


class ListExporter(QObject):
    """Runs one export at a time for the main window."""

    #: The export finished: (ExportResult)
    finished = Signal(object)
    #: The export failed: (message for the user)
    failed = Signal(str)

    def __init__(self, jobs: Jobs, parent: QWidget, settings=None, save_settings=None):
        super().__init__(parent)
        self.jobs = jobs
        self.window = parent
        self.settings = settings
        self._save_settings = save_settings
        self.progress: QProgressDialog | None = None
        self.running = False
        self._cancelled = False

    # -- asking where ----------------------------------------------------------------
    def ask_and_export(self, page, today: date) -> None:
        if self.running:
            return
        folder = (self.settings.export_dir if self.settings is not None and self.settings.export_dir else
                  QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation))
        filters = save_filters(self.settings)
        path, chosen = QFileDialog.getSaveFileName(self.window, _("Export the list"),
                                                   str(Path(folder) / default_file_name(page, today)),
                                                   ";;".join(text for text, _sep in filters))
        if not path:
            return
        separator = dict(filters).get(chosen)
        target = Path(path)
        if target.suffix.lower() not in (".xlsx", ".csv"):
            target = target.with_name(target.name + (".csv" if separator else ".xlsx"))
        if target.suffix.lower() == ".csv" and not separator:  # "x.csv" typed with Excel chosen
            separator = preferred_separator(self.settings)
        if self.settings is not None:
            self.settings.export_dir = str(target.parent)
            if separator and hasattr(self.settings, "csv_separator"):
                self.settings.csv_separator = separator
            if self._save_settings is not None:
                self._save_settings()
        self.export(page, target, separator or preferred_separator(self.settings))

    # -- the export ------------------------------------------------------------------
    def export(self, page, path: Path, separator: str | None = None) -> None:
        """Export `page` to `path` (.xlsx or .csv, the latter with `separator`, by default
        the preferred one) on the worker, a page per job."""
        if self.running:
            return
        self.running, self._cancelled = True, False
        columns = shown_columns(page)
        query, fetch, title = page.model.current_query(), page.model.fetch, _(page.title)
        path = Path(path)
        self.progress = QProgressDialog(_("Exporting {file}…").format(file=path.name), _("Cancel"), 0, 0, self.window)
        self.progress.setWindowTitle(_("Export the list"))
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(400)
        self.progress.canceled.connect(self.cancel)
        state = {"file": None}

        def failed(exc: BaseException) -> None:
            log_failure(f"export to {path} failed", exc, log)
            if state["file"] is not None:
                self.jobs.submit(lambda _ctx: state["file"].abort(), lane=LONG)
            self._done()
            message = describe_write_error(exc, path)
            self.failed.emit(message)
            self._message(QMessageBox.Icon.Warning, message)

        def opened(out: ExportFile) -> None:
            state["file"] = out
            step(None)

        def step(cursor) -> None:
            out = state["file"]
            if self._cancelled:
                self.jobs.submit(lambda _ctx: out.abort(), lane=LONG)
                self._done()
                return

            def job(ctx):
                page_ = read_page(partial(fetch, ctx), query, cursor)
                out.write(page_.rows)
                return page_.next_cursor

            self.jobs.submit(job, on_done=stepped, on_error=failed, lane=LONG, owner=self)

        def stepped(cursor) -> None:
            out = state["file"]
            if self.progress is not None:
                self.progress.setLabelText(ngettext("Exporting {file}… {n} row", "Exporting {file}… {n} rows", out.rows)
                                           .format(file=path.name, n=format_number(out.rows)))
            if self._cancelled:
                self.jobs.submit(lambda _ctx: out.abort(), lane=LONG)
                self._done()
            elif cursor is None or out.full:
                self.jobs.submit(lambda _ctx: out.commit(), on_done=committed, on_error=failed, lane=LONG, owner=self)
            else:
                step(cursor)

        def committed(result: ExportResult) -> None:
            self._done()
            self.finished.emit(result)
            self._tell(result)

        separator = separator or preferred_separator(self.settings)
        self.jobs.submit(lambda _ctx: ExportFile(path, columns, title, separator), on_done=opened, on_error=failed,
                         lane=LONG, owner=self)

    def cancel(self) -> None:
        self._cancelled = True

    def _done(self) -> None:
        self.running = False
        if self.progress is not None:
            self.progress.canceled.disconnect(self.cancel)  # closing it emits canceled
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _tell(self, result: ExportResult) -> None:
        text = ngettext("Exported {n} row to {file}.", "Exported {n} rows to {file}.", result.rows).format(
            n=format_number(result.rows), file=result.path.name)
        if result.truncated:
            text += " " + _("Excel holds no more rows; export to CSV to get them all.")
        status = getattr(self.window, "statusBar", None)
        if status is not None:
            status().showMessage(text, 15000)
        box = self._message(QMessageBox.Icon.Information, text)
        open_button = box.addButton(_("&Open the file"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(open_button)
        box.buttonClicked.connect(
            lambda b: QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path))) if b is open_button else None)

    def _message(self, icon: QMessageBox.Icon, text: str) -> QMessageBox:
        """A window-modal message that does not block the event loop."""
        box = QMessageBox(icon, _("Export the list"), text, QMessageBox.StandardButton.Close, self.window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_message = box
        box.open()
        return box
