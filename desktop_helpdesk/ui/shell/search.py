"""The global search box (Ctrl+F): customers, contacts, contracts and tickets at once.

Typing is debounced; each search runs on the database worker and a result that arrives
after the text changed again is dropped. Up/Down move through the hits while the cursor stays
in the box, Enter opens the chosen one (the best match when nothing is chosen), Esc closes."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.enums import ContractStage, TicketStatus
from ...domain.text import fold
from ...i18n import N_, _
from ...i18n.formatting import format_number
from ...services import search
from ...services.search import SEARCH_MIN_CHARS, SEARCH_SHOWN
from ..kit import retranslate
from ..kit.errors import failure_message
from ..kit import marks
from ..kit.worker import Jobs

log = logging.getLogger(__name__)
GROUP_TITLES = {"customer": N_("Customers"), "contact": N_("Contacts"), "contract": N_("Contracts"),
                "ticket": N_("Tickets")}


#: What a hit matched (domain.search.match_field), shown beside it.
MATCHED_LABELS = {
    "phone": N_("phone"), "code": N_("code"), "tax_code": N_("tax code"), "number": N_("number"),
    "name": N_("name"), "contact": N_("contact"), "subject": N_("subject"), "customer": N_("customer"),
    "package": N_("package"), "email": N_("e-mail"), "address": N_("address"), "notes": N_("notes"),
    "description": N_("description"), "text": N_("text"),
}
#: The tree's columns: code, title, what matched, details.
COL_CODE, COL_TITLE, COL_MATCHED, COL_DETAIL = range(4)


def matched_text(matched: str) -> str:
    label = MATCHED_LABELS.get(matched)
    return _(label) if label else ""


#: Groups with a list view of their own, where "see all" can show every match.
LIST_VIEWS = {"customer": "customers", "contract": "contracts", "ticket": "tickets"}
DEBOUNCE_MS = 200
ROLE = Qt.ItemDataRole.UserRole  # ("hit", SearchHit) / ("more", kind) / ("list", kind) / None for a heading


def archived_text(status: str) -> str:
    """A customer's standing as the search and the caller lookup give it ("" in use,
    "archived", "merged:KH…"), in words."""
    if status.startswith("merged:"):
        return _("Merged into {code}").format(code=status.split(":", 1)[1])
    return _("Archived") if status == "archived" else ""


class SearchPopup(QDialog):
    """Search everything; `open_requested(kind, id)` for the chosen record (a contact opens its
    customer), `list_requested(view, text)` to see every match in a list view."""

    open_requested = Signal(str, int)
    list_requested = Signal(str, str)
    #: A search's results were shown (the number of hits): for tests and the status line.
    results_shown = Signal(int)

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.setObjectName("GlobalSearch")
        self.jobs = jobs
        self.box = QLineEdit()
        self.box.setObjectName("globalSearchBox")
        self.box.setClearButtonEnabled(True)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(0)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAllColumnsShowFocus(True)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(1, 380)
        header.setSectionResizeMode(COL_MATCHED, QHeaderView.ResizeMode.ResizeToContents)
        #: Below the list: what is going on ("Searching…", "Nothing found…"), else the keys.
        self.hint = QLabel()
        self.hint.setObjectName("globalSearchStatus")
        self._message = ""
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.hint)
        self.resize(860, 520)

        self.results = None
        self._open_when_answered = False  # Enter pressed before the answer of the text typed
        self._expanded: str | None = None
        self._debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self._search)
        self.box.textChanged.connect(self._text_changed)
        self.box.installEventFilter(self)
        self.tree.itemActivated.connect(self._activate)
        self.tree.itemClicked.connect(self._activate)
        self.retranslate()

    # -- showing ---------------------------------------------------------------------
    def show_over(self, window: QWidget) -> None:
        """Open (or bring back) the box over `window`, the last text selected for retyping."""
        geo = window.geometry()
        self.resize(max(640, min(1040, geo.width() - 80)), max(360, min(560, geo.height() - 120)))
        self.move(geo.x() + max(0, (geo.width() - self.width()) // 2), geo.y() + 60)
        self.show()
        self.raise_()
        self.activateWindow()
        self.box.setFocus()
        self.box.selectAll()

    # -- searching -------------------------------------------------------------------
    def _say(self, message: str) -> None:
        self._message = message
        self.hint.setText(message or _("↑ ↓ choose · Enter opens · Esc closes · diacritics optional"))

    def _text_changed(self, _text: str) -> None:
        self._expanded = None
        self.jobs.forget("search", self)  # whatever is on its way is stale now
        self._open_when_answered = False
        self._debounce.start()

    def _search(self) -> bool:
        """Search for the text in the box; False when it is too short to search."""
        text = self.box.text()
        self.jobs.forget("search", self)
        if len(fold(text).replace(" ", "")) < SEARCH_MIN_CHARS:
            self.results = None
            self.tree.clear()
            self._say(_("Type at least two letters or digits.") if text.strip() else "")
            return False
        self._say(_("Searching…"))
        self.jobs.submit(search.global_search, text, SEARCH_SHOWN, self._expanded,
                         owner=self, key="search", on_done=self._show, on_error=self._failed)
        return True

    def _show(self, results) -> None:
        self.results = results
        self._render()
        self.results_shown.emit(sum(len(g.hits) for g in results.groups))
        if self._open_when_answered and self.isVisible():
            self._open_when_answered = False
            self.open_current()

    def _failed(self, exc: BaseException) -> None:
        self._open_when_answered = False
        self._say(failure_message(N_("The search failed."), exc, log))

    # -- the list --------------------------------------------------------------------
    def _render(self) -> None:
        self.tree.clear()
        results = self.results
        if results is None:
            return
        found = sum(len(g.hits) for g in results.groups)
        if not found:
            self._say(_("Nothing found for “{text}”.").format(text=results.text))
            return
        self._say("")
        bold = QFont(self.tree.font())
        bold.setBold(True)
        grey = QColor(marks.MUTED)
        first = None
        for group in results.groups:
            if not group.hits:
                continue
            total = format_number(group.total) + ("+" if group.capped else "")
            heading = QTreeWidgetItem([_("{group} · {count}").format(group=_(GROUP_TITLES[group.kind]), count=total)])
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
            heading.setFont(0, bold)
            heading.setBackground(0, QColor(marks.HEADING_BACKGROUND))
            self.tree.addTopLevelItem(heading)
            heading.setFirstColumnSpanned(True)
            for i, hit in enumerate(group.hits):
                item = QTreeWidgetItem(["  " + hit.code if hit.code else "", hit.title, matched_text(hit.matched),
                                        self._detail(hit)])
                item.setData(0, ROLE, ("hit", hit))
                item.setForeground(COL_MATCHED, QColor(marks.ACCENT))
                item.setToolTip(COL_MATCHED, _("Found by its {field}").format(field=matched_text(hit.matched)))
                item.setForeground(COL_DETAIL, grey)
                item.setToolTip(1, hit.title)
                self.tree.addTopLevelItem(item)
                if first is None:
                    first = item
                if group.kind == self._expanded and i == SEARCH_SHOWN:
                    first = item  # after "show more": the first of the new ones
            more = self._more_item(group)
            if more is not None:
                self.tree.addTopLevelItem(more)
                more.setFirstColumnSpanned(True)
        if first is not None:
            self.tree.setCurrentItem(first)

    def _more_item(self, group) -> QTreeWidgetItem | None:
        shown = len(group.hits)
        if group.total <= shown and not group.capped:
            return None
        title = _(GROUP_TITLES[group.kind]).lower()
        if group.kind != self._expanded:
            text = _("  ▸ Show more {group} ({count} found)…").format(
                group=title, count=format_number(group.total) + ("+" if group.capped else ""))
            data = ("more", group.kind)
        elif group.kind in LIST_VIEWS:
            text = _("  ▸ See all in the {group} list…").format(group=title)
            data = ("list", group.kind)
        else:
            return None
        item = QTreeWidgetItem([text])
        item.setData(0, ROLE, data)
        item.setForeground(0, QColor(marks.ACCENT))
        return item

    @staticmethod
    def _detail(hit) -> str:
        status = ""
        if hit.kind == "ticket" and hit.status in set(TicketStatus):
            status = _(TicketStatus(hit.status).label)
        elif hit.kind == "contract" and hit.status in set(ContractStage):
            status = _(ContractStage(hit.status).label)
        elif hit.kind == "customer":
            status = archived_text(hit.status)
        return " · ".join(p for p in (status, hit.detail) if p)  # the status first: it is short

    def _selectable(self) -> list[QTreeWidgetItem]:
        items = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        return [it for it in items if it.data(0, ROLE)]

    def _move(self, step: int) -> None:
        items = self._selectable()
        if not items:
            return
        current = self.tree.currentItem()
        at = items.index(current) if current in items else (-1 if step > 0 else len(items))
        target = items[max(0, min(len(items) - 1, at + step))]
        self.tree.setCurrentItem(target)
        self.tree.scrollToItem(target)

    def _activate(self, item: QTreeWidgetItem | None, _column: int = 0) -> None:
        data = item.data(0, ROLE) if item is not None else None
        if not data:
            return
        what, value = data
        if what == "more":
            self._expanded = value
            self._search()
        elif what == "list":
            self.list_requested.emit(LIST_VIEWS[value], self.box.text())
            self.hide()
        else:
            hit = value
            self.hide()
            if hit.kind == "contact":
                self.open_requested.emit("customer", hit.customer_id)
            else:
                self.open_requested.emit(hit.kind, hit.id)

    def open_current(self) -> None:
        """Enter in the box: open the chosen hit, or the best one when the list is still coming."""
        if self._debounce.isActive():  # typed faster than the debounce: search now, open after
            self._debounce.stop()
            asked = self._search()
            # Only that search's answer opens; a newer text, a too-short one or a failure never does.
            self._open_when_answered = asked
            return
        self._activate(self.tree.currentItem() or next(iter(self._selectable()), None))

    # -- keys ------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.box and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key == Qt.Key.Key_Down:
                self._move(1)
                return True
            if key == Qt.Key.Key_Up:
                self._move(-1)
                return True
            if key == Qt.Key.Key_PageDown:
                self._move(10)
                return True
            if key == Qt.Key.Key_PageUp:
                self._move(-10)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_current()
                return True
        return super().eventFilter(watched, event)

    def hideEvent(self, event) -> None:
        self._debounce.stop()
        super().hideEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Search everything"))
        self.box.setPlaceholderText(
            _("Customer, contact, contract or ticket: name, code, number, phone, tax code, ticket text…"))
        if self.results is None:
            self._say("")
        self._render()
