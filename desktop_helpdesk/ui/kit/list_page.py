"""The list views: customers, contracts and tickets, each a filter box, actions and a table;
and what the lists share to show coverage and countdowns in days."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...i18n import _, ngettext
from ...i18n.formatting import format_number
from ...services.changes import Change
from . import retranslate
from .paged_model import PagedTableModel

log = logging.getLogger(__name__)


class FollowTextSize(QObject):
    """Grows (or shrinks) a table's column widths and row height with its font: the widths
    are set in pixels for the system's text size, and View → Text size (or the system's
    larger text) changes the font of an open list."""

    def __init__(self, table) -> None:
        super().__init__(table)
        self.table = table
        self.pixels = table.fontInfo().pixelSize()
        table.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table and event.type() == QEvent.Type.FontChange:
            pixels = self.table.fontInfo().pixelSize()
            if pixels > 0 and self.pixels > 0 and pixels != self.pixels:
                ratio = pixels / self.pixels
                header = self.table.horizontalHeader()
                for i in range(header.count()):
                    header.resizeSection(i, round(header.sectionSize(i) * ratio))
                rows = self.table.verticalHeader()
                rows.setDefaultSectionSize(round(rows.defaultSectionSize() * ratio))
            self.pixels = pixels
        return False


class ListPage(QWidget):
    """A filter box, New/Edit buttons and a lazily paged table."""

    new_requested = Signal()
    edit_requested = Signal(int)
    export_requested = Signal()
    current_changed = Signal(object)  # the row dataclass, or None

    key = ""
    title = ""
    new_label = ""
    #: Bumped when the columns change, so that column widths and order saved for the old
    #: columns are not laid over the new ones.
    columns_version = 1
    #: The view's one countdown timer (a CountdownTicker or DayWatch), or None: it runs only
    #: while the page is shown, so a hidden view costs nothing.
    ticker = None

    @property
    def layout_key(self) -> str:
        """The key of this page's saved header layout."""
        return self.key if self.columns_version == 1 else f"{self.key}/{self.columns_version}"

    #: The kinds of records whose saves this list shows, so it reloads after them.
    refreshed_by: tuple[str, ...] = ()

    def __init__(self, model: PagedTableModel, parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.model = model
        model.jobs.changed.connect(self.on_change)
        self.filter = QLineEdit()
        self.filter.setClearButtonEnabled(True)
        self.new_button = QPushButton()
        self.edit_button = QPushButton()
        self.export_button = QPushButton()
        self.count_label = QLabel()
        self.table = QTableView()
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        for i, c in enumerate(model.columns):
            self.table.setColumnWidth(i, c.width)
        self.text_size = FollowTextSize(self.table)
        sort_col = model.sort_column()
        if sort_col >= 0:
            header.setSortIndicator(sort_col, Qt.SortOrder.DescendingOrder if model.descending else Qt.SortOrder.AscendingOrder)
        else:  # a default order no column shows (the tickets' queue rank): no indicator, kept
            header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)
        # Enabled after the indicator shows the model's own order, so no extra reload.
        self.table.setSortingEnabled(True)
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(lambda: self.model.set_filter_text(self.filter.text()))
        self.filter.textChanged.connect(lambda *_: self._debounce.start())
        self.new_button.clicked.connect(self.new_requested)
        self.edit_button.clicked.connect(self._edit_current)
        self.export_button.clicked.connect(self.export_requested)
        self.table.doubleClicked.connect(lambda *_: self._edit_current())
        self.table.activated.connect(lambda *_: self._edit_current())
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        model.page_loaded.connect(self._loaded)
        model.modelReset.connect(lambda: self._row_changed())
        self.toolbar = QHBoxLayout()
        self.toolbar.addWidget(self.filter, 1)
        self.toolbar.addWidget(self.new_button)
        self.toolbar.addWidget(self.edit_button)
        self.toolbar.addWidget(self.export_button)
        self.toolbar.addWidget(self.count_label)
        self.edit_button.setEnabled(False)
        self._select_after_load: int | None = None
        self.filter.installEventFilter(self)  # Down into the list, Enter opens, from the filter too

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        """In the filter box: Down moves into the list (its first row, or the one chosen
        before); Enter opens the chosen row (the first when none is). The filter typed last
        is applied first, so the row opened is one of what the operator sees filtered.
        A list's own shortcut (one that lives on the table, such as Ctrl+Alt+V "log a visit"
        on the tickets) works from the filter too: Qt would offer it only while the table
        has the focus, so the filter hands it on."""
        if obj is self.filter and event.type() == QEvent.Type.KeyPress and self._table_shortcut(event):
            return True
        if obj is self.filter and event.type() == QEvent.Type.KeyPress and not event.modifiers() & ~(
                Qt.KeyboardModifier.KeypadModifier):
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._debounce.isActive():  # typed faster than the list follows: filter now
                    self._debounce.stop()
                    self.model.set_filter_text(self.filter.text())
                    self._pending_key = key
                    return True
                self._key_from_filter(key)
                return True
        return super().eventFilter(obj, event)

    def _table_shortcut(self, event) -> bool:
        """Run the table's shortcut or action for this key press, if it has one; whether it did."""
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if not mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier) \
                and not Qt.Key.Key_F1 <= event.key() <= Qt.Key.Key_F35:
            return False  # plain typing (and Shift) belongs to the filter
        pressed = QKeySequence(event.keyCombination())
        for shortcut in self.table.findChildren(QShortcut):
            if shortcut.isEnabled() and any(k.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch
                                            for k in shortcut.keys() if not k.isEmpty()):
                shortcut.activated.emit()
                return True
        for action in self.table.actions():
            if action.isEnabled() and any(k.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch
                                          for k in action.shortcuts()):
                action.trigger()
                return True
        return False

    def _key_from_filter(self, key) -> None:
        if self.model.rowCount() == 0:
            return
        if not self.table.currentIndex().isValid():
            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        if key == Qt.Key.Key_Down:
            self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self._edit_current()

    def build_layout(self, body: QWidget | None = None) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(self.toolbar)
        layout.addWidget(body or self.table)
        self.retranslate()

    def current_row(self):
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _edit_current(self) -> None:
        row = self.current_row()
        if row is not None:
            self.edit_requested.emit(row.id)

    def _row_changed(self, *args) -> None:
        row = self.current_row()
        self.edit_button.setEnabled(row is not None)
        self.current_changed.emit(row)

    def _loaded(self, count: int) -> None:
        key, self._pending_key = getattr(self, "_pending_key", None), None
        if key is not None:  # Down or Enter pressed in the filter before its rows came
            QTimer.singleShot(0, lambda: self._key_from_filter(key))
        more = "+" if self.model.canFetchMore() else ""
        self.count_label.setText(ngettext("{count} row", "{count} rows", count).format(count=format_number(count) + more))
        if self._select_after_load is not None:
            r = self.model.row_of_id(self._select_after_load)
            if r >= 0:
                self._select_after_load = None
                self.table.selectionModel().setCurrentIndex(
                    self.model.index(r, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.table.scrollTo(self.model.index(r, 0))

    def on_change(self, change: Change) -> None:
        """A save somewhere: reload when it touched what this list shows (selecting the saved
        record when it is one of this list's)."""
        if change.touches(*self.refreshed_by):
            self.reload(change.record_id if change.primary == self.key else None)

    def reload(self, select_id: int | None = None) -> None:
        current = self.current_row()
        self._select_after_load = select_id if select_id is not None else (current.id if current else None)
        self.model.reload()

    def retranslate(self) -> None:
        self.filter.setPlaceholderText(_("Filter: name, code, phone, tax code… (diacritics optional)"))
        self.new_button.setText(_(self.new_label))
        self.edit_button.setText(_("&Edit"))
        self.export_button.setText(_("E&xport…"))
        self.export_button.setToolTip(_("Export this list, as filtered, to Excel or CSV (Ctrl+E)"))
        self.model.retranslate()
        self._loaded(self.model.rowCount())

    def showEvent(self, event) -> None:
        if self.ticker is not None:
            self.ticker.start()  # only a visible view ticks
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        if self.ticker is not None:
            self.ticker.stop()
        super().hideEvent(event)
