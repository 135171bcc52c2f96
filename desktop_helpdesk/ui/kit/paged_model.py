"""A lazily paged, server-sorted, server-filtered table model over plain row dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from ...i18n import _
from ...services.dto import ListQuery, Page
from .worker import Jobs

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    """One column: its English title (translated when shown), the SQL sort key ("" = not
    sortable), and how to show a row's value; for an export, the value with its type
    (`kind`: text, number, money, date, datetime; `value` None = the shown text)."""

    title: str
    sort_key: str
    display: Callable[[Any], str]
    align_right: bool = False
    width: int = 120
    kind: str = "text"
    value: Callable[[Any], Any] | None = None

    def export_value(self, row: Any) -> Any:
        return self.value(row) if self.value is not None else self.display(row)


class PagedTableModel(QAbstractTableModel):
    """Rows arrive a page at a time from the worker (keyset cursor, never OFFSET).

    Changing the sort or the filter starts over; a page asked before that arrives late is
    dropped by the job runner (every page is the model's job of key PAGE: newest wins).
    """

    ROW_ROLE = Qt.ItemDataRole.UserRole + 1
    ID_ROLE = Qt.ItemDataRole.UserRole + 2

    #: The job key of a page read: one page is asked at a time, and a reload forgets it.
    PAGE = "page"

    page_loaded = Signal(int)  # rows now held
    load_failed = Signal(object)

    def __init__(self, columns: list[Column], fetch: Callable[[ListQuery], Page], jobs: Jobs,
                 page_size: int = 200, default_sort: str = "", default_descending: bool = False,
                 filters: dict | None = None, parent=None):
        super().__init__(parent)
        self.columns = columns
        self._fetch = fetch
        self._jobs = jobs
        self._page_size = page_size
        self._rows: list = []
        self._text = ""
        self._filters: dict = dict(filters or {})
        self._sort = default_sort
        self._descending = default_descending
        self._cursor: tuple | None = None
        self._has_more = True
        self._loading = False
        self._started = False

    # -- Qt model API ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == self.ROW_ROLE:
            return row
        if role == self.ID_ROLE:
            return row.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.columns):
            return _(self.columns[section].title)
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:
        return not parent.isValid() and self._has_more and not self._loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:
        if parent.isValid() or not self._has_more or self._loading:
            return
        self._started = True
        self._loading = True
        query = ListQuery(text=self._text, sort=self._sort, descending=self._descending, after=self._cursor,
                          limit=self._page_size, filters=dict(self._filters))
        self._jobs.submit(self._fetch, query, on_done=self._on_page, on_error=self._on_error,
                          owner=self, key=self.PAGE)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not (0 <= column < len(self.columns)) or not self.columns[column].sort_key:
            return
        key, descending = self.columns[column].sort_key, order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self._sort, self._descending) and (self._rows or self._loading):
            return
        self._sort, self._descending = key, descending
        if self._started:
            self.reload()
        # else: nothing asked yet (a view being set up); the first fetch uses this order.

    # -- our API ---------------------------------------------------------------------
    @property
    def descending(self) -> bool:
        return self._descending

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def jobs(self) -> Jobs:
        return self._jobs

    @property
    def fetch(self) -> Callable[[ListQuery], Page]:
        """The service call that reads a page (an export reads every page with it)."""
        return self._fetch

    def current_query(self) -> ListQuery:
        """The list as it is shown now: its filter text, filters and order (no cursor)."""
        return ListQuery(text=self._text, sort=self._sort, descending=self._descending, filters=dict(self._filters))

    def sort_column(self) -> int:
        for i, c in enumerate(self.columns):
            if c.sort_key and c.sort_key == self._sort:
                return i
        return -1

    def set_filter_text(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.reload()

    def set_filters(self, **filters) -> None:
        if filters != self._filters:
            self._filters = filters
            self.reload()

    def preset_filters(self, **filters) -> None:
        """Set the filters before anything was fetched (no reload)."""
        self._filters = filters

    def row_at(self, row: int):
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of_id(self, row_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r.id == row_id:
                return i
        return -1

    def reload(self) -> None:
        """Start over from the first page (new sort, filter, or saved changes)."""
        self._jobs.forget(self.PAGE, self)  # the page on its way is of the old list
        self.beginResetModel()
        self._rows = []
        self._cursor = None
        self._has_more = True
        self._loading = False
        self.endResetModel()
        self.fetchMore()

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.columns) - 1))

    def _on_page(self, page: Page) -> None:
        self._loading = False
        if page.rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self.endInsertRows()
        self._cursor = page.next_cursor
        self._has_more = page.next_cursor is not None
        self.page_loaded.emit(len(self._rows))

    def _on_error(self, exc: BaseException) -> None:
        self._loading = False
        self._has_more = False
        self.load_failed.emit(exc)
