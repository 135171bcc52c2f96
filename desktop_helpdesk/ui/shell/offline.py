"""The field laptop (issue #15): File → Work offline… on the team server, the offline
indicator and automatic sync on the copy, Sync now (F9), Back to the team server, and the
Sync conflicts list with base / mine / theirs and keep mine / keep theirs / edit / restore.

The UI never opens databases: the app hands in an `OfflineAccess` (where copies go, how to
restart on one) and the services reach the copy and the server through `ctx.offline`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import SignInRefused, SyncBlocked
from ...i18n import N_, _
from ...i18n.formatting import format_datetime
from ...services import customers, sync
from ..kit import retranslate
from ..kit import marks
from ..kit.errors import failure_message
from ..kit.worker import LONG, Jobs

log = logging.getLogger(__name__)


@dataclass
class OfflineAccess:
    """What the app gives the offline actions."""

    #: Where a new copy is written (a file in the data folder).
    copy_path: Path
    #: Work on the copy from now on: remember it and restart on it.
    go_offline: Callable[[Path], None]
    #: Back to the team server: forget the copy as the database to open, restart.
    go_online: Callable[[], None]
    #: This computer's name, told to the server with each sync ("Laptop của Hùng").
    device_name: str


def blocked_message(exc: BaseException) -> str:
    """Why a sync did not run, in the user's language; the work stays on the laptop."""
    if isinstance(exc, SyncBlocked):
        if exc.reason == SyncBlocked.SCHEMA:
            return _("This laptop's Desktop Helpdesk and the team server are of different versions: update "
                     "the program here (or ask the administrator to upgrade the server) before syncing. "
                     "Your work stays on this laptop.")
        if exc.reason == SyncBlocked.UNREACHABLE:
            return _("The team server does not answer. Your work stays on this laptop and is sent when it does.")
        if exc.reason == SyncBlocked.PARENT_MISSING:
            return _("This record cannot be restored: what it belongs to is gone from the team server too.")
        return _("This database is not an offline copy.")
    if isinstance(exc, SignInRefused):
        return _("The team server did not take this password. Type the password you sign in with.")
    return failure_message(N_("The sync failed; nothing was lost: your work stays on this laptop."), exc, log)


def _when(iso: str) -> str:
    if not iso:
        return _("never")
    try:
        return format_datetime(datetime.fromisoformat(iso))
    except ValueError:
        return iso


#: What the conflicts list calls a record's field (the columns a person edits).
FIELD_LABELS = {
    "subject": N_("Subject"), "description": N_("Description"), "priority": N_("Priority"),
    "status": N_("Status"), "channel": N_("Channel"), "assignee_id": N_("Assigned to"),
    "contact_id": N_("Contact"), "name": N_("Name"), "address": N_("Address"), "notes": N_("Notes"),
    "phone": N_("Phone"), "email": N_("E-mail"), "full_name": N_("Name"), "province": N_("Province"),
}


def field_label(name: str) -> str:
    return _(FIELD_LABELS[name]) if name in FIELD_LABELS else name


class TakeOfflineDialog(QDialog):
    """Choose which customers go on the laptop, and the password that unlocks the copy."""

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("TakeOfflineDialog")
        self.jobs = jobs
        self.scope: list[str] = []
        self.picked: dict[int, str] = {}
        layout = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.mine = QCheckBox()
        self.mine.setObjectName("take_mine")
        self.mine.setChecked(True)
        layout.addWidget(self.mine)
        row = QHBoxLayout()
        self.by_province = QCheckBox()
        self.by_province.setObjectName("take_by_province")
        self.province = QComboBox()
        self.province.setObjectName("take_province")
        self.province.setMinimumWidth(220)
        self.province.setEnabled(False)
        row.addWidget(self.by_province)
        row.addWidget(self.province, 1)
        layout.addLayout(row)
        self.picked_label = QLabel()
        layout.addWidget(self.picked_label)
        pick = QHBoxLayout()
        left = QVBoxLayout()
        self.find = QLineEdit()
        self.find.setObjectName("take_find")
        self.found = QListWidget()
        self.found.setObjectName("take_found")
        left.addWidget(self.find)
        left.addWidget(self.found)
        right = QVBoxLayout()
        self.chosen = QListWidget()
        self.chosen.setObjectName("take_chosen")
        self.remove = QPushButton()
        right.addWidget(self.chosen)
        right.addWidget(self.remove)
        pick.addLayout(left, 1)
        pick.addLayout(right, 1)
        layout.addLayout(pick, 1)
        self.count = QLabel()
        self.count.setObjectName("take_count")
        layout.addWidget(self.count)
        form = QFormLayout()
        self.password = QLineEdit()
        self.password.setObjectName("take_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_label = QLabel()
        self.password_label.setBuddy(self.password)
        form.addRow(self.password_label, self.password)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("take_error")
        self.error.setWordWrap(True)
        marks.set_colour(self.error, "ERROR")
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.mine.toggled.connect(self._count)
        self.by_province.toggled.connect(self.province.setEnabled)
        self.by_province.toggled.connect(self._count)
        self.province.currentIndexChanged.connect(self._count)
        self.find.textChanged.connect(self._search)
        self.find.returnPressed.connect(self._add_current)
        self.found.itemActivated.connect(lambda _item: self._add_current())
        self.remove.clicked.connect(self._remove_current)
        self.resize(760, 560)
        retranslate.register(self)
        self.retranslate()
        jobs.submit(sync.provinces, on_done=self._got_provinces, on_error=self._failed, owner=self)
        self._count()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Work offline"))
        self.intro.setText(_("Choose the customers to take on this laptop. Their contacts, contracts, obligations, "
                             "tickets and history go with them, and the packages, the support calendar and the "
                             "company details always do. The copy is encrypted: it opens only with your password."))
        self.mine.setText(_("Customers with open tickets assigned to &me"))
        self.by_province.setText(_("All customers of the &province:"))
        self.picked_label.setText(_("Customers picked by hand (type a name, code or phone; Enter adds it):"))
        self.find.setPlaceholderText(_("Find a customer…"))
        self.remove.setText(_("&Remove from the list"))
        self.password_label.setText(_("Your &password:"))
        self.password.setPlaceholderText(_("the password you sign in with"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("&Take offline"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self._show_count()

    def _got_provinces(self, names: list[str]) -> None:
        self.province.clear()
        self.province.addItems(names)

    def _search(self, text: str) -> None:
        if len(text.strip()) < 2:
            self.found.clear()
            return
        self.jobs.submit(customers.customer_choices, text, 20, on_done=self._got_found, on_error=self._failed,
                         owner=self, key="take-find", debounce_ms=200)

    def _got_found(self, choices) -> None:
        self.found.clear()
        for choice in choices:
            item = QListWidgetItem(f"{choice.code} · {choice.name}")
            item.setData(Qt.ItemDataRole.UserRole, choice.id)
            self.found.addItem(item)
        if self.found.count():
            self.found.setCurrentRow(0)

    def _add_current(self) -> None:
        item = self.found.currentItem()
        if item is None:
            return
        cid = item.data(Qt.ItemDataRole.UserRole)
        if cid not in self.picked:
            self.picked[cid] = item.text()
            added = QListWidgetItem(item.text())
            added.setData(Qt.ItemDataRole.UserRole, cid)
            self.chosen.addItem(added)
            self._count()

    def _remove_current(self) -> None:
        row = self.chosen.currentRow()
        if row < 0:
            return
        item = self.chosen.takeItem(row)
        self.picked.pop(item.data(Qt.ItemDataRole.UserRole), None)
        self._count()

    def _count(self) -> None:
        province = self.province.currentText() if self.by_province.isChecked() else None
        mine, picked = self.mine.isChecked(), list(self.picked)
        self.jobs.submit(lambda ctx: sync.scope(ctx, mine=mine, province=province, picked=picked),
                         on_done=self._got_scope, on_error=self._failed, owner=self, key="take-scope")

    def _got_scope(self, scope: list[str]) -> None:
        self.scope = scope
        self._show_count()

    def _show_count(self) -> None:
        self.count.setText(_("{count} customers will be taken.").format(count=len(self.scope)))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.scope))

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(blocked_message(exc))

    def _accept(self) -> None:
        if not self.password.text():
            self.error.setText(_("Type your password: it unlocks the copy on this laptop."))
            self.password.setFocus()
            return
        if not self.scope:
            return
        self.accept()


class ConflictsDialog(QDialog):
    """The changes the server did not apply, for a person: base, mine, theirs per field."""

    COLUMNS = (N_("Record"), N_("What"), N_("Before"), N_("Mine (laptop)"), N_("Theirs (server)"),
               N_("Device"), N_("When"))

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ConflictsDialog")
        self.jobs = jobs
        self.rows: list[sync.ConflictRow] = []
        layout = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("conflicts_table")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        layout.addWidget(self.table, 1)
        self.empty = QLabel()
        self.empty.setObjectName("conflicts_empty")
        layout.addWidget(self.empty)
        self.error = QLabel()
        self.error.setWordWrap(True)
        marks.set_colour(self.error, "ERROR")
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        self.keep_mine = QPushButton()
        self.keep_mine.setObjectName("keep_mine")
        self.keep_theirs = QPushButton()
        self.keep_theirs.setObjectName("keep_theirs")
        self.edit = QPushButton()
        self.edit.setObjectName("edit_value")
        self.restore = QPushButton()
        self.restore.setObjectName("restore")
        self.close_button = QPushButton()
        for b in (self.keep_mine, self.keep_theirs, self.edit, self.restore):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.keep_mine.clicked.connect(lambda: self._decide(sync.KEEP_MINE))
        self.keep_theirs.clicked.connect(lambda: self._decide(sync.KEEP_THEIRS))
        self.edit.clicked.connect(self._edit)
        self.restore.clicked.connect(lambda: self._decide(sync.RESTORE))
        self.close_button.clicked.connect(self.accept)
        self.table.itemSelectionChanged.connect(self._enable)
        self.resize(1000, 460)
        retranslate.register(self)
        self.retranslate()
        self.reload()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Sync conflicts"))
        self.intro.setText(_("A field changed both on a laptop and on the team server: the server kept its value "
                             "and the laptop's waits here. Keep one, or type the right one. A record deleted or "
                             "archived on the server while a laptop changed it can be restored."))
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.keep_mine.setText(_("Keep &mine"))
        self.keep_theirs.setText(_("Keep &theirs"))
        self.edit.setText(_("&Edit…"))
        self.restore.setText(_("&Restore"))
        self.close_button.setText(_("Close"))
        self.empty.setText(_("No conflicts wait for a decision.") if not self.rows else "")
        self._fill()

    def reload(self) -> None:
        self.jobs.submit(sync.conflicts, on_done=self._got, on_error=self._failed, owner=self, key="conflicts")

    def _got(self, rows) -> None:
        self.rows = list(rows)
        self.error.setText("")
        self._fill()

    def _what(self, row: sync.ConflictRow) -> str:
        if row.kind == "deleted":
            return _("deleted on the server")
        if row.kind == "archived":
            return _("archived or merged on the server")
        if row.kind == "refused":
            return _("refused by the server (e.g. a code already taken)")
        return field_label(row.field)

    def _fill(self) -> None:
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            cells = (row.label, self._what(row), row.base, row.mine, row.theirs, row.device, _when(row.created_at))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        for c in range(self.table.columnCount()):
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), 260))
        self.empty.setText(_("No conflicts wait for a decision.") if not self.rows else "")
        if self.rows and not self.table.selectedItems():
            self.table.selectRow(0)
        self._enable()

    def current(self) -> sync.ConflictRow | None:
        r = self.table.currentRow()
        return self.rows[r] if 0 <= r < len(self.rows) and self.table.selectedItems() else None

    def _enable(self) -> None:
        row = self.current()
        field_conflict = row is not None and row.kind == "field"
        for b in (self.keep_mine, self.keep_theirs, self.edit):
            b.setEnabled(field_conflict)
        self.restore.setEnabled(row is not None and row.kind in ("deleted", "archived"))
        if row is not None and not field_conflict:
            self.keep_theirs.setEnabled(True)  # leave it deleted / archived

    def _edit(self) -> None:
        row = self.current()
        if row is None:
            return
        text, ok = QInputDialog.getText(self, _("Sync conflicts"),
                                        _("The value to keep for {field}:").format(field=field_label(row.field)),
                                        QLineEdit.EchoMode.Normal, row.mine)
        if ok:
            self._decide(sync.EDIT, text)

    def _decide(self, choice: str, value: str | None = None) -> None:
        row = self.current()
        if row is None:
            return
        self.jobs.submit(sync.resolve, row.uuid, choice, value, on_done=lambda _r: self.reload(),
                         on_error=self._failed, owner=self, lane=LONG)

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(blocked_message(exc))


class OfflineActions(QObject):
    """The menu entries, the status bar's offline indicator and the automatic sync."""

    SYNC_INTERVAL_MS = 2 * 60 * 1000
    FIRST_SYNC_MS = 3000

    def __init__(self, window, jobs: Jobs, access: OfflineAccess, on_copy: bool, start: bool = True):
        super().__init__(window)
        self.window, self.jobs, self.access, self.on_copy = window, jobs, access, on_copy
        self.status: sync.OfflineStatus | None = None
        self.reachable: bool | None = None
        self.syncing = False
        self.dialog: QDialog | None = None
        self.act_take = QAction(window)
        self.act_take.setObjectName("act_take_offline")
        self.act_take.triggered.connect(self.take_offline)
        self.act_sync = QAction(window)
        self.act_sync.setObjectName("act_sync_now")
        self.act_sync.setShortcut(QKeySequence("F9"))
        self.act_sync.triggered.connect(lambda: self.sync_now(quiet=False))
        self.act_conflicts = QAction(window)
        self.act_conflicts.setObjectName("act_sync_conflicts")
        self.act_conflicts.setShortcut(QKeySequence("Ctrl+Shift+Y"))
        self.act_conflicts.triggered.connect(self.show_conflicts)
        self.act_back = QAction(window)
        self.act_back.setObjectName("act_back_online")
        self.act_back.triggered.connect(self.back_online)
        menu = window.menu_file
        actions = menu.actions()
        before = window.act_quit if window.act_quit in actions else None
        wanted = (self.act_sync, self.act_conflicts, self.act_back) if on_copy else (self.act_take, self.act_conflicts)
        for action in wanted:
            menu.insertAction(before, action) if before is not None else menu.addAction(action)
            window.addAction(action)
        menu.insertSeparator(before) if before is not None else menu.addSeparator()
        self.label = QLabel()
        self.label.setObjectName("offline_indicator")
        window.statusBar().addPermanentWidget(self.label)
        look = getattr(window, "look", None)
        if on_copy and look is not None:
            look.set_offline_copy(True)  # "Offline copy · …" says it; never "● Connected" beside it
        self.timer = QTimer(self)
        self.timer.setInterval(self.SYNC_INTERVAL_MS)
        self.timer.timeout.connect(lambda: self.sync_now(quiet=True))
        retranslate.register(self)
        self.retranslate()
        if on_copy and start:
            QTimer.singleShot(self.FIRST_SYNC_MS, self, lambda: self.sync_now(quiet=True))
            self.timer.start()
        self.refresh()

    def retranslate(self) -> None:
        self.act_take.setText(_("Work &offline…"))
        self.act_sync.setText(_("S&ync now"))
        self.act_conflicts.setText(_("Sync &conflicts…"))
        self.act_back.setText(_("Back to the &team server"))
        self._show()

    # -- the indicator ----------------------------------------------------------------
    def refresh(self) -> None:
        self.jobs.submit(sync.status, on_done=self._got_status, on_error=lambda exc: log.info("no sync status: %s", exc),
                         owner=self, key="offline-status")

    def _got_status(self, status) -> None:
        self.status = status
        self._show()

    def _show(self) -> None:
        s = self.status
        if s is None:
            self.label.setText("")
            return
        if not s.on_copy:
            self.label.setText(_("Sync conflicts: {count}").format(count=s.conflicts) if s.conflicts else "")
            return
        parts = [_("Offline copy"), _("last synced {when}").format(when=_when(s.last_sync_at))]
        if self.syncing:
            parts.append(_("syncing…"))
        elif self.reachable is False:
            parts.append(_("server not reachable"))
        if s.pending:
            parts.append(_("{count} changes to send").format(count=s.pending))
        if s.conflicts:
            parts.append(_("{count} conflicts").format(count=s.conflicts))
        self.label.setText(" · ".join(parts))
        self.label.setToolTip(_("This laptop works on its own encrypted copy of {count} customers; it syncs with "
                                "the team server whenever it answers (F9: now).").format(count=s.customers))

    # -- sync -------------------------------------------------------------------------
    def sync_now(self, quiet: bool = True) -> None:
        if not self.on_copy or self.syncing or self.jobs.is_shut_down:
            return
        self.syncing = True
        self._show()

        def done(report) -> None:
            self.syncing = False
            self.reachable = True
            self.refresh()
            if report.new_conflicts:
                self.window.statusBar().showMessage(
                    _("Synced: {count} of your changes wait for a decision in Sync conflicts.").format(
                        count=report.new_conflicts), 15000)
            elif not quiet:
                self.window.statusBar().showMessage(_("Synced with the team server."), 8000)

        def failed(exc) -> None:
            self.syncing = False
            if isinstance(exc, SyncBlocked) and exc.reason == SyncBlocked.UNREACHABLE:
                self.reachable = False
                log.info("sync: the team server does not answer")
            else:
                log.info("sync failed: %s", exc)
            self.refresh()
            if not quiet:
                QMessageBox.warning(self.window, _("Desktop Helpdesk"), blocked_message(exc))

        self.jobs.submit(sync.sync_now, on_done=done, on_error=failed, lane=LONG, owner=self)

    def show_conflicts(self) -> None:
        dialog = ConflictsDialog(self.jobs, self.window)
        dialog.finished.connect(lambda _r: self.refresh())
        self.dialog = dialog
        dialog.open()

    # -- take and give back -------------------------------------------------------------
    def take_offline(self) -> None:
        dialog = TakeOfflineDialog(self.jobs, self.window)
        self.dialog = dialog
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        path, password, scope = self.access.copy_path, dialog.password.text(), list(dialog.scope)
        progress = QProgressDialog(_("Taking {count} customers onto this laptop…").format(count=len(scope)),
                                   "", 0, 0, self.window)
        progress.setObjectName("take_progress")
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.show()

        def done(report) -> None:
            progress.close()
            answer = QMessageBox.question(
                self.window, _("Work offline"),
                _("The encrypted copy holds {count} customers. Desktop Helpdesk now starts again on it; it syncs "
                  "with the team server whenever the server answers.").format(count=len(scope)),
                QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Ok)
            if answer == QMessageBox.StandardButton.Ok:
                self.access.go_offline(path)

        def failed(exc) -> None:
            progress.close()
            QMessageBox.warning(self.window, _("Work offline"), blocked_message(exc))

        self.jobs.submit(sync.take, path, password, scope, self.access.device_name, on_done=done, on_error=failed,
                         lane=LONG, owner=self)

    def back_online(self) -> None:
        """Send everything, then work on the team server again (the copy stays on disk)."""
        def done(report) -> None:
            self.syncing = False
            self.access.go_online()

        def failed(exc) -> None:
            self.syncing = False
            QMessageBox.warning(self.window, _("Back to the team server"), blocked_message(exc) + "\n\n" + _(
                "Desktop Helpdesk stays on the offline copy until your changes reach the server."))

        self.syncing = True
        self.jobs.submit(sync.sync_now, on_done=done, on_error=failed, lane=LONG, owner=self)
