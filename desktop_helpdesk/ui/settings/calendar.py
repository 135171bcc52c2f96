"""The support calendar: Vietnam's public holidays of a year (named in the current language)
with the firm's own days off and working days, which the user adds and removes here. Saving
recomputes the due times of every clock still running on the office calendar, on the worker,
with progress and Cancel."""

from __future__ import annotations

import logging
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ...domain import validation as v
from ...domain.enums import WorkingWeek
from ...domain.errors import ConcurrentEditError
from ...domain.vietnam import vietnam_make_up_days
from ...i18n import N_, _, ngettext
from ...i18n.formatting import format_date, format_number, holiday_names
from ...services import catalog
from ...services.dto import CalendarDay
from ...services.errors import ValidationFailed
from ...services.progress import Cancelled
from ..kit import retranslate
from ..kit.errors import failure_message
from ..kit import marks
from ..kit.progress import ProgressRelay, cancellable_progress, close_progress
from ..kit.widgets import DateField, enum_label, select_data
from ..kit.worker import LONG, Jobs
from .packages import recomputed_text, stopping_text

log = logging.getLogger(__name__)
DAY_OFF, WORKING_DAY = "day_off", "working_day"
KIND_LABELS = {
    "public": N_("Public holiday"),
    "make_up": N_("Make-up working day"),
    DAY_OFF: N_("Firm's day off"),
    WORKING_DAY: N_("Firm's working day"),
}


WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))
COL_DATE, COL_WEEKDAY, COL_KIND, COL_NAME = range(4)


class SupportCalendarDialog(QDialog):
    """Lists a year's public holidays and the firm's own days; edits are kept until Save."""

    saved = Signal(int)  # tickets recomputed
    #: Cancel stopped the recompute; the days are saved: (tickets recomputed, tickets to recompute)
    stopped = Signal(int, int)

    def __init__(self, jobs: Jobs, year: int, parent=None):
        super().__init__(parent)
        retranslate.register(self)
        self.jobs = jobs
        self.saved_days: dict[date, CalendarDay] = {}
        self.pending: dict[date, CalendarDay | None] = {}  # None: remove the firm's day
        #: Saved dates whose recompute was stopped by Cancel: Save recomputes from them again.
        self.unfinished: set[date] = set()
        #: Tickets per committed batch of the recompute (None: the service's own).
        self.batch: int | None = None
        self.loaded = False

        self.year_label = QLabel()
        self.year = QSpinBox()
        self.year.setRange(2020, 2040)
        self.year.setValue(year)
        self.year.valueChanged.connect(self._render)
        self.year_label.setBuddy(self.year)
        self.week_label = QLabel()
        self.week = QComboBox()
        for w in WorkingWeek:
            self.week.addItem("", w.value)
        self.week_label.setBuddy(self.week)
        self.week_read = WorkingWeek.MON_FRI.value  # as stored when read: a change checks it
        self.week.setEnabled(False)  # until read
        self.week_button = QPushButton()
        self.week_button.setEnabled(False)
        self.week_button.clicked.connect(self.save_week)
        self.week_unfinished = False  # a recompute Cancel stopped: Apply finishes it
        self.week.currentIndexChanged.connect(lambda *_: self._week_buttons())
        top = QHBoxLayout()
        top.addWidget(self.year_label)
        top.addWidget(self.year)
        top.addStretch()
        top.addWidget(self.week_label)
        top.addWidget(self.week)
        top.addWidget(self.week_button)

        self.table = QTableWidget(0, 4)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        self.date_label, self.name_label = QLabel(), QLabel()
        self.date = DateField()
        self.name = QLineEdit()  # no maxLength: a long paste is said too long, not cut short
        self.date_label.setBuddy(self.date)
        self.name_label.setBuddy(self.name)
        self.add_off = QPushButton()
        self.add_off.clicked.connect(lambda: self.add_day(DAY_OFF))
        self.add_work = QPushButton()
        self.add_work.clicked.connect(lambda: self.add_day(WORKING_DAY))
        self.remove_button = QPushButton()
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self.remove_selected)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table, self.remove_selected)
        entry = QHBoxLayout()
        entry.addWidget(self.date_label)
        entry.addWidget(self.date)
        entry.addWidget(self.name_label)
        entry.addWidget(self.name, 1)
        entry.addWidget(self.add_off)
        entry.addWidget(self.add_work)
        entry.addWidget(self.remove_button)

        self.status = QLabel()  # always in the layout, empty until there is news
        self.status.setWordWrap(True)
        self.save_button = QPushButton()
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.save)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)

        self.note = QLabel()
        self.note.setWordWrap(True)
        marks.set_colour(self.note, "MUTED")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(entry)
        layout.addLayout(bottom)

        self.relay = ProgressRelay(self)
        self.relay.progressed.connect(self._progressed)
        self.progress: QProgressDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.resize(900, 560)
        self.retranslate()
        year = self.year.value()

        def load(ctx):  # on the worker: the first holiday names read the holidays package's
            holiday_names(year)  # catalogues (~0.5 s); later years take a few ms on the GUI thread
            return catalog.calendar_days(ctx), catalog.working_week(ctx)

        jobs.submit(load, on_done=self._loaded, on_error=self._load_failed, owner=self)

    # -- data ------------------------------------------------------------------------
    def _loaded(self, loaded) -> None:
        days, week = loaded
        self.saved_days = {d.day: d for d in days}
        self.week_read = week
        self.week.blockSignals(True)
        select_data(self.week, week)
        self.week.blockSignals(False)
        self.week.setEnabled(True)
        self.loaded = True
        self._render()

    def save_week(self) -> None:
        """The firm's working week for every office-hours clock, due times recomputed from
        today on the long lane, with progress and Cancel."""
        week = self.week.currentData()
        if (week == self.week_read and not self.week_unfinished) or self.progress is not None:
            return
        self.progress = cancellable_progress(self.relay, _("Recomputing the due times of open tickets…"),
                                             _("Support calendar"), stopping_text(), self)
        self.week_button.setEnabled(False)
        batch = () if self.batch is None else (self.batch,)

        def done(count: int) -> None:
            self.week_read, self.week_unfinished = week, False
            self._finish()
            self._week_buttons()
            self._say(recomputed_text(count))
            self.saved.emit(count)

        def failed(exc) -> None:
            if isinstance(exc, Cancelled):  # the week was saved first
                self.week_read = week
                self._finish()
                self._say(ngettext(
                    "Stopped: {done} of {total} open ticket recomputed. The working week is saved; the other "
                    "tickets keep their old due times until you apply it again.",
                    "Stopped: {done} of {total} open tickets recomputed. The working week is saved; the other "
                    "tickets keep their old due times until you apply it again.",
                    exc.total).format(done=format_number(exc.done), total=format_number(exc.total)))
                self.week_unfinished = True  # Apply again recomputes the rest
                self._week_buttons()
                return
            self._finish()
            self._week_buttons()
            if isinstance(exc, ConcurrentEditError):
                self._say(_("Another desk changed the working week after this window read it. Close this window "
                            "and open it again to see their change; nothing was saved."), error=True)
            else:
                self._say(failure_message(N_("The working week could not be saved."), exc, log), error=True)

        self.jobs.submit(catalog.set_working_week, self.week_read, week, self.relay.start(), *batch,
                         on_done=done, on_error=failed, lane=LONG, owner=self)

    def _week_buttons(self) -> None:
        self.week_button.setEnabled(self.loaded and self.progress is None
                                    and (self.week.currentData() != self.week_read or self.week_unfinished))

    def _load_failed(self, exc) -> None:
        self._say(failure_message(N_("The firm's calendar could not be read."), exc, log), error=True)

    def firm_days(self) -> dict[date, CalendarDay]:
        """The firm's days as they will be after saving."""
        days = dict(self.saved_days)
        for day, value in self.pending.items():
            if value is None:
                days.pop(day, None)
            else:
                days[day] = value
        return days

    def rows(self, year: int) -> list[tuple[date, str, str, bool]]:
        """(date, kind key, name, the firm's own) for the year, by date; the firm's own day
        replaces a public holiday or make-up day on the same date."""
        firm = {d: v for d, v in self.firm_days().items() if d.year == year}
        out = {day: (day, "public", name, False) for day, name in holiday_names(year).items()}
        for day in vietnam_make_up_days([year]):
            out[day] = (day, "make_up", _("Make-up day for a swapped day off"), False)
        for day, value in firm.items():
            out[day] = (day, value.kind, value.name, True)
        return [out[d] for d in sorted(out)]

    def _render(self) -> None:
        selected = self.selected_day()
        self.table.setRowCount(0)
        for day, kind, name, firm in self.rows(self.year.value()):
            row = self.table.rowCount()
            self.table.insertRow(row)
            mark = "✚ " if firm else ""
            pending = day in self.pending
            cells = (format_date(day), _(WEEKDAYS[day.weekday()]), mark + _(KIND_LABELS[kind]),
                     name + ("  " + _("(not saved)") if pending else ""))
            for col, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, (day, firm))
                if firm:
                    item.setForeground(QBrush(QColor(marks.FIRM_DAY)))
                if pending:
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, col, item)
            if day == selected:
                self.table.selectRow(row)
        # Removed days of this year stay visible until saved, struck through.
        for day, value in sorted(self.pending.items()):
            if value is None and day.year == self.year.value() and day in self.saved_days:
                old = self.saved_days[day]
                row = self.table.rowCount()
                self.table.insertRow(row)
                cells = (format_date(day), _(WEEKDAYS[day.weekday()]), _(KIND_LABELS[old.kind]),
                         old.name + "  " + _("(removed, not saved)"))
                for col, value_text in enumerate(cells):
                    item = QTableWidgetItem(value_text)
                    font = QFont(item.font())
                    font.setStrikeOut(True)
                    item.setFont(font)
                    item.setForeground(QBrush(QColor(marks.SUPERSEDED)))
                    item.setData(Qt.ItemDataRole.UserRole, (day, False))
                    self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        self.save_button.setEnabled(bool(self.pending or self.unfinished) and self.progress is None)
        self._selection_changed()

    def selected_day(self) -> date | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole)[0] if items else None

    def _selection_changed(self) -> None:
        items = self.table.selectedItems()
        self.remove_button.setEnabled(bool(items) and items[0].data(Qt.ItemDataRole.UserRole)[1])

    # -- editing ---------------------------------------------------------------------
    def add_day(self, kind: str) -> None:
        if self.progress is not None:
            return  # the days being saved are not edited meanwhile
        error = self.date.error()
        day = None if error else self.date.value()
        name = " ".join(self.name.text().split())
        text_error = v.validate_text("name", self.name.text(), v.TEXT_LIMITS["calendar_exceptions.name"])
        if error or day is None:
            self._say(error or _("Type the date of the day, e.g. 02/01/2027."), error=True)
            self.date.setFocus()
            return
        if not 2020 <= day.year <= 2040:
            self._say(_("The calendar covers the years 2020 to 2040."), error=True)
            self.date.setFocus()
            return
        if not name:
            self._say(_("Type a name for the day, e.g. \"Company trip\"."), error=True)
            self.name.setFocus()
            return
        if text_error is not None:
            self._say(text_error.text(_), error=True)
            self.name.setFocus()
            return
        public = day in holiday_names(day.year)
        working = (day.weekday() < 5 and not public) or day in vietnam_make_up_days([day.year])
        if kind == DAY_OFF and not working and day not in self.firm_days():
            self._say(_("{date} is already a day off.").format(date=format_date(day)), error=True)
            return
        if kind == WORKING_DAY and working and day not in self.firm_days():
            self._say(_("{date} is already a working day.").format(date=format_date(day)), error=True)
            return
        self.pending[day] = CalendarDay(day, kind, name)
        self.date.clear()
        self.name.clear()
        if self.year.value() != day.year:
            self.year.setValue(day.year)  # renders
        else:
            self._render()
        self._select(day)
        self.date.setFocus()  # ready for the next day
        self._say(_("Added {date}. Save to recompute the due times.").format(date=format_date(day)))

    def _select(self, day: date) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole)[0] == day:
                self.table.selectRow(row)
                return

    def remove_selected(self) -> None:
        if self.progress is not None:
            return
        items = self.table.selectedItems()
        if not items or not items[0].data(Qt.ItemDataRole.UserRole)[1]:
            return
        day = items[0].data(Qt.ItemDataRole.UserRole)[0]
        box = QMessageBox(QMessageBox.Icon.Question, _("Remove this day?"),
                          _("Remove {date} from the firm's calendar? The due times are recomputed when you save.")
                          .format(date=format_date(day)),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).clicked.connect(lambda: self._remove(day))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.confirm_box = box
        box.open()

    def _remove(self, day: date) -> None:
        if day in self.saved_days:
            self.pending[day] = None
        else:
            self.pending.pop(day, None)
        self._render()
        self._say(_("Removed {date}. Save to recompute the due times.").format(date=format_date(day)))

    # -- saving ----------------------------------------------------------------------
    def save(self) -> None:
        changed = set(self.pending) | self.unfinished
        if not changed or self.progress is not None:
            return
        # Each changed date as it will be: put again or removed again after a stopped save,
        # so that its recompute starts over and reaches every ticket it moves.
        firm = self.firm_days()
        put = [firm[day] for day in sorted(changed) if day in firm]
        remove = [day for day in sorted(changed) if day not in firm]
        self.progress = cancellable_progress(self.relay, _("Recomputing the due times of open tickets…"),
                                             _("Support calendar"), stopping_text(), self)
        self.save_button.setEnabled(False)
        batch = () if self.batch is None else (self.batch,)
        self.jobs.submit(catalog.save_calendar_days, put, remove, self.relay.start(), *batch,
                         on_done=self._saved, on_error=self._failed, lane=LONG, owner=self)

    def _saved(self, count: int) -> None:
        self.saved_days = self.firm_days()
        self.pending = {}
        self.unfinished = set()
        self._finish()
        self._render()
        self._say(recomputed_text(count))
        self.saved.emit(count)

    def _failed(self, exc) -> None:
        if isinstance(exc, Cancelled):  # the days were saved first; the rest keep their old due times
            self.unfinished |= set(self.pending)
            self.saved_days = self.firm_days()
            self.pending = {}
            self._finish()
            self._render()
            self._say(ngettext(
                "Stopped: {done} of {total} open ticket recomputed. The days are saved; the other tickets "
                "keep their old due times until you press Save again.",
                "Stopped: {done} of {total} open tickets recomputed. The days are saved; the other tickets "
                "keep their old due times until you press Save again.",
                exc.total).format(done=format_number(exc.done), total=format_number(exc.total)))
            self.stopped.emit(exc.done, exc.total)
            return
        self._finish()
        self._render()
        if isinstance(exc, ValidationFailed):
            self._say("; ".join(e.text(_) for e in exc.errors), error=True)
        else:
            self._say(failure_message(N_("The calendar could not be saved."), exc, log), error=True)

    def _progressed(self, done: int, total: int) -> None:
        if self.progress is not None and not self.relay.cancelling:
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(done if total else 1)

    def _finish(self) -> None:
        if self.progress is not None:
            close_progress(self.progress)
            self.progress = None

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        marks.set_colour(self.status, "ERROR" if error else "OK")

    def reject(self) -> None:
        """Closing with unsaved days asks first."""
        if self.pending and self.progress is None and self.confirm_box is None:
            box = QMessageBox(QMessageBox.Icon.Question, _("Discard changes?"),
                              _("The days you added or removed have not been saved. Close and discard them?"),
                              QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, self)
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            box.button(QMessageBox.StandardButton.Discard).clicked.connect(self._discard)
            box.finished.connect(lambda *_: setattr(self, "confirm_box", None))
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.confirm_box = box
            box.open()
            return
        if self.progress is not None:
            return  # the recomputation finishes (or stops, on Cancel) first
        super().reject()

    def _discard(self) -> None:
        self.pending = {}
        self.confirm_box = None
        self.reject()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Support calendar"))
        self.year_label.setText(_("&Year:"))
        self.week_label.setText(_("Wor&king week:"))
        for i in range(self.week.count()):
            self.week.setItemText(i, enum_label(WorkingWeek, self.week.itemData(i)))
        self.week_button.setText(_("&Apply and recompute"))
        self.note.setText(_("Office hours follow Vietnam's public holidays. Add the firm's own days off "
                            "(e.g. a longer Tết break) and working days (e.g. working on a holiday); "
                            "tickets on 24/7 packages are not affected."))
        self.table.setHorizontalHeaderLabels([_("Date"), _("Weekday"), _("Kind"), _("Name")])
        self.date_label.setText(_("&Date:"))
        self.name_label.setText(_("&Name:"))
        self.name.setPlaceholderText(_("e.g. Company trip"))
        self.add_off.setText(_("Add day &off"))
        self.add_work.setText(_("Add &working day"))
        self.remove_button.setText(_("&Remove"))
        self.remove_button.setToolTip(_("Remove the selected day of the firm (Delete)"))
        self.save_button.setText(_("&Save and recompute"))
        self.save_button.setToolTip(_("Save (Ctrl+Enter)"))
        self.close_button.setText(_("Close"))
        if self.loaded:
            self._render()
