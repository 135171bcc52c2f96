"""File → Back up now, Restore… and Backup settings…, and the daily backup while the app runs.

The UI never touches the database: the app hands in a `BackupAccess` whose `store` (a
services.backup.BackupStore, None on the team server) does the copying, always on the long
lane (never the GUI thread, never the interactive lane a lookup waits on). A daily backup
that fails (a full disk, the USB drive unplugged) is said once, in one box and the status
bar, not once per attempt; the next success clears it. A restore shows the backup's date
and counts, asks, takes a safety copy, replaces the data in one transaction and reopens the
app on it (`restart`, injected: tests restart nothing).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...i18n import N_, _
from ...services import backup
from ...services.backup import BackupContents, BackupError, BackupStore
from ...services.progress import Cancelled
from ...settings import Settings
from ..kit import retranslate
from ..kit.errors import failure_message
from ..kit.progress import ProgressRelay, cancellable_progress, close_progress
from ..kit.worker import LONG, Jobs

log = logging.getLogger(__name__)


@dataclass
class BackupAccess:
    """What the app gives the backup actions (the UI cannot open databases itself)."""

    #: Copies of the local database file; None when the data is on the team server.
    store: BackupStore | None
    settings: Settings
    save_settings: Callable[[], None]
    #: The data folder: the default backup folder is "backups" in it.
    data_dir: Path
    #: Reopen the app on the restored data (quit and start again).
    restart: Callable[[], None]


def explain(exc: BaseException) -> str:
    """The message for a failed backup or restore: a BackupError the user can act on is
    said plainly; anything else is logged with its traceback and said briefly."""
    if isinstance(exc, BackupError) and exc.reason != BackupError.FAILED:
        log.info("backup or restore refused: %s", exc)
        return backup.error_message(exc.reason)
    return failure_message(N_("The backup or restore failed; nothing was changed."), exc, log)


class BackupSettingsDialog(QDialog):
    """The backup folder (a USB drive, a share) and how many days backups are kept."""

    def __init__(self, access: BackupAccess, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("BackupSettingsDialog")
        self.setMinimumWidth(620)  # a network share's path is long
        self.access = access
        self.folder = QLineEdit(access.settings.backup_folder)
        self.folder.setObjectName("backup_folder")
        self.browse = QPushButton()
        self.browse.clicked.connect(self.choose_folder)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.folder, 1)
        row.addWidget(self.browse)
        self.keep_days = QSpinBox()
        self.keep_days.setObjectName("keep_days")
        self.keep_days.setRange(1, 3650)
        self.keep_days.setValue(max(1, access.settings.backup_keep_days))
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.form = QFormLayout()
        self.folder_label, self.keep_label = QLabel(), QLabel()
        self.folder_label.setBuddy(self.folder)
        self.keep_label.setBuddy(self.keep_days)
        self.form.addRow(self.folder_label, row)
        self.form.addRow(self.keep_label, self.keep_days)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addLayout(self.form)
        column.addWidget(self.note)
        column.addWidget(self.buttons)
        retranslate.register(self)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Backups"))
        self.folder_label.setText(_("Backup &folder:"))
        self.keep_label.setText(_("&Keep backups for (days):"))
        self.browse.setText(_("Choose a &folder…"))
        self.folder.setPlaceholderText(str(Path(self.access.data_dir) / "backups"))
        self.note.setText(_("A backup of the database file is taken every day while Desktop Helpdesk is open. "
                            "A folder on another drive (a USB drive, a network share) keeps the data safe when "
                            "this computer's disk fails."))

    def choose_folder(self) -> None:
        start = self.folder.text().strip() or str(Path(self.access.data_dir) / "backups")
        folder = QFileDialog.getExistingDirectory(self, _("Backup folder"), start)
        if folder:
            self.folder.setText(folder)

    def save(self) -> None:
        self.access.settings.backup_folder = self.folder.text().strip()
        self.access.settings.backup_keep_days = self.keep_days.value()
        self.access.save_settings()
        self.accept()


class RestoreConfirmDialog(QDialog):
    """Before a restore: which backup (its date and counts), what happens, and a No default."""

    def __init__(self, contents: BackupContents, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("RestoreConfirmDialog")
        self.contents = contents
        self.setWindowTitle(_("Restore from a backup"))
        self.setMinimumWidth(520)
        self.summary = QLabel(backup.summary(contents))
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-weight: bold")
        self.file = QLabel(str(contents.path))
        self.file.setWordWrap(True)
        self.file.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning = QLabel(_(
            "Every change made since this backup will be replaced by the backup's data. A safety copy "
            "of the current data is taken first, next to the database file. Desktop Helpdesk then "
            "starts again on the restored data."))
        self.warning.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.restore_button = self.buttons.addButton(_("&Restore"), QDialogButtonBox.ButtonRole.DestructiveRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button.setAutoDefault(False)  # Enter never destroys data: Cancel is the default
        self.restore_button.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(self.summary)
        column.addWidget(self.file)
        column.addWidget(self.warning)
        column.addWidget(self.buttons)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.cancel_button.setDefault(True)
        self.cancel_button.setFocus()


class BackupActions(QObject):
    """The File menu's "Back up now", "Restore…" and "Backup settings…", and the daily
    backup: checked a little after start and then every hour, taken when the folder holds
    none from the last 24 hours."""

    #: A backup was written: (services.backup.BackupDone)
    backed_up = Signal(object)
    #: The data was restored: (services.backup.RestoreDone)
    restored = Signal(object)

    FIRST_CHECK_MS = 2 * 60 * 1000
    CHECK_INTERVAL_MS = 60 * 60 * 1000

    def __init__(self, window, jobs: Jobs, access: BackupAccess, start: bool = True):
        super().__init__(window)
        self.window, self.jobs, self.access = window, jobs, access
        self.running = False
        #: The restore's confirmation is open: the daily check waits, so that clicking
        #: Restore never finds a daily backup (even one not due) holding `running`.
        self.confirming = False
        #: Set when the window closes: the daily backup stops at its next step (its partial
        #: file is deleted) instead of holding up the quit until it is written.
        self.stopping = threading.Event()
        #: The daily backup's failure was said; not again until a backup succeeds.
        self.failure_told = False
        self.progress = None
        self.dialog: QDialog | None = None
        self.act_backup = QAction(window)
        self.act_backup.setObjectName("act_backup")
        self.act_backup.setShortcut(QKeySequence("Ctrl+Shift+B"))
        self.act_backup.triggered.connect(lambda: self.back_up_now())
        self.act_restore = QAction(window)
        self.act_restore.setObjectName("act_restore")
        self.act_restore.triggered.connect(lambda: self.ask_restore())
        self.act_settings = QAction(window)
        self.act_settings.setObjectName("act_backup_settings")
        self.act_settings.triggered.connect(self.edit_settings)
        menu = window.menu_file
        actions = menu.actions()
        # Before the separator above Quit (the end of the menu when there is none).
        quit_at = actions.index(window.act_quit) if window.act_quit in actions else len(actions)
        before = actions[quit_at - 1] if quit_at > 0 and actions[quit_at - 1].isSeparator() else \
            (actions[quit_at] if quit_at < len(actions) else None)
        for action in (self.act_backup, self.act_restore, self.act_settings):
            menu.insertAction(before, action) if before is not None else menu.addAction(action)
        menu.insertSeparator(before) if before is not None else menu.addSeparator()
        self.timer = QTimer(self)
        self.timer.setInterval(self.CHECK_INTERVAL_MS)
        self.timer.timeout.connect(self.daily_backup)
        if start and access.store is not None:
            QTimer.singleShot(self.FIRST_CHECK_MS, self, self.daily_backup)
            self.timer.start()
        retranslate.register(self)
        self.retranslate()

    def retranslate(self) -> None:
        self.act_backup.setText(_("&Back up now"))
        self.act_restore.setText(_("&Restore from a backup…"))
        self.act_settings.setText(_("Backup &settings…"))

    def policy(self) -> backup.BackupPolicy:
        s = self.access.settings
        return backup.policy_of(s.backup_folder, s.backup_keep_days, self.access.data_dir)

    # -- the daily backup -------------------------------------------------------------
    def daily_backup(self) -> None:
        """Take the day's backup if none is less than a day old (on the long lane)."""
        store = self.access.store
        if store is None or self.running or self.confirming or self.stopping.is_set() or self.jobs.is_shut_down:
            return
        policy = self.policy()
        data_dir = self.access.data_dir
        stopping = self.stopping
        self.running = True

        def until_stopped(done: int, total: int) -> None:
            if stopping.is_set():
                raise Cancelled(done, total)

        def job(ctx):
            now = ctx.now()
            if not backup.is_due(policy, now):
                return None
            return backup.back_up(store, policy, now, until_stopped, data_dir=data_dir)

        self.jobs.submit(job, on_done=self._daily_done, on_error=self._daily_failed, lane=LONG, owner=self)

    def _daily_done(self, done) -> None:
        self.running = False
        if done is None:
            return
        self.failure_told = False
        self.window.statusBar().showMessage(_("Backup written: {path} ({size})").format(
            path=done.file.path, size=backup.size_text(done.file.size)), 10000)
        self.backed_up.emit(done)

    def _daily_failed(self, exc: BaseException) -> None:
        self.running = False
        if isinstance(exc, Cancelled):
            log.info("the daily backup was stopped: the window closed")
            return
        if self.failure_told:  # said once; the next hourly attempt may succeed
            log.info("the daily backup failed again (%s)", exc)
            return
        self.failure_told = True
        message = _("The daily backup failed.") + " " + explain(exc)
        self.window.statusBar().showMessage(message, 30000)
        self._message(QMessageBox.Icon.Warning, message)

    def _free_store(self) -> BackupStore | None:
        """The local file's store when no backup is being written; else None, said why."""
        if self.access.store is None:
            self._message(QMessageBox.Icon.Information, backup.error_message(BackupError.NOT_LOCAL))
            return None
        if self.running:
            self.window.statusBar().showMessage(_("A backup is already being written."), 5000)
            return None
        return self.access.store

    # -- Back up now ------------------------------------------------------------------
    def back_up_now(self) -> None:
        store = self._free_store()
        if store is None:
            return
        policy = self.policy()
        self.running = True
        relay = ProgressRelay(self)
        progress = relay.start()
        self.progress = cancellable_progress(relay, _("Writing a backup to {folder}…").format(folder=policy.folder),
                                             _("Back up now"), _("Stopping…"), self.window)
        relay.progressed.connect(self._progressed)

        def done(result) -> None:
            self._finish()
            self.failure_told = False
            self.backed_up.emit(result)
            self._message(QMessageBox.Icon.Information, _("Backup written: {path} ({size})").format(
                path=result.file.path, size=backup.size_text(result.file.size)))

        def failed(exc: BaseException) -> None:
            self._finish()
            if isinstance(exc, Cancelled):
                self.window.statusBar().showMessage(_("The backup was cancelled; nothing was written."), 10000)
                return
            self._message(QMessageBox.Icon.Warning, explain(exc))

        data_dir = self.access.data_dir  # leftovers of a stopped backup there are cleaned, as by the daily one
        self.jobs.submit(lambda ctx: backup.back_up(store, policy, ctx.now(), progress, data_dir=data_dir),
                         on_done=done, on_error=failed, lane=LONG, owner=self)

    # -- Restore… ---------------------------------------------------------------------
    def ask_restore(self, path: str | Path | None = None) -> None:
        """Choose a backup (the backup folder first), read its date and counts on the long
        lane, then ask (RestoreConfirmDialog)."""
        store = self._free_store()
        if store is None:
            return
        if path is None:
            folder = self.policy().folder
            path, _chosen = QFileDialog.getOpenFileName(
                self.window, _("Restore from a backup"), str(folder if folder.is_dir() else self.access.data_dir),
                _("Desktop Helpdesk backups (*.sqlite3);;All files (*)"))
            if not path:
                return
        self.running = True
        self.window.statusBar().showMessage(_("Checking the backup…"))

        def read(contents: BackupContents) -> None:
            self.running = False
            self.window.statusBar().clearMessage()
            self.dialog = RestoreConfirmDialog(contents, self.window)
            self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.confirming = True
            self.dialog.finished.connect(self._confirm_closed)
            self.dialog.accepted.connect(lambda: self.restore(contents.path))
            self.dialog.open()

        def failed(exc: BaseException) -> None:
            self.running = False
            self.window.statusBar().clearMessage()
            self._message(QMessageBox.Icon.Warning, explain(exc))

        self.jobs.submit(lambda ctx: backup.describe(store, Path(path)), on_done=read, on_error=failed,
                         lane=LONG, owner=self)

    def restore(self, path: Path) -> None:
        """Restore `path` (already confirmed): safety copy, replace, then start again."""
        store = self.access.store
        self.confirming = False
        if store is None:
            self._message(QMessageBox.Icon.Information, backup.error_message(BackupError.NOT_LOCAL))
            return
        if self.running:
            self._message(QMessageBox.Icon.Information, _(
                "A backup is being written just now. Choose Restore again when it is done; nothing was changed."))
            return
        self.running = True
        relay = ProgressRelay(self)
        progress = relay.start()
        self.progress = cancellable_progress(relay, _("Restoring {file}…").format(file=Path(path).name),
                                             _("Restore from a backup"), _("Stopping…"), self.window)
        relay.progressed.connect(self._progressed)

        def done(result) -> None:
            self._finish()
            self.restored.emit(result)
            text = _("The data was restored from the backup.")
            if result.safety_copy is not None:
                text += " " + _("The data as it was is kept in {path}").format(path=result.safety_copy)
            self._message(QMessageBox.Icon.Information, text + "\n\n" + _("Desktop Helpdesk starts again now."),
                          then=self.access.restart)

        def failed(exc: BaseException) -> None:
            self._finish()
            if isinstance(exc, Cancelled):
                self.window.statusBar().showMessage(_("The restore was cancelled; nothing was changed."), 10000)
                return
            self._message(QMessageBox.Icon.Warning, explain(exc))

        self.jobs.submit(lambda ctx: backup.restore_as(ctx, store, Path(path), progress),
                         on_done=done, on_error=failed, lane=LONG, owner=self)

    def stop(self) -> None:
        """The window is closing: no more daily checks, and a daily backup being written
        stops at its next step (nothing of it is left)."""
        self.stopping.set()
        self.timer.stop()

    def _confirm_closed(self, *_args) -> None:
        self.confirming = False

    # -- settings ---------------------------------------------------------------------
    def edit_settings(self) -> BackupSettingsDialog:
        dialog = BackupSettingsDialog(self.access, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog
        return dialog

    # -- helpers ----------------------------------------------------------------------
    def _progressed(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(min(done, total))

    def _finish(self) -> None:
        self.running = False
        if self.progress is not None:
            close_progress(self.progress)
            self.progress = None

    def _message(self, icon, text: str, then: Callable[[], None] | None = None) -> QMessageBox:
        """One box, not waited on (the event loop goes on; tests read `self.box`)."""
        box = QMessageBox(icon, _("Desktop Helpdesk"), text, QMessageBox.StandardButton.Ok, self.window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if then is not None:
            box.finished.connect(lambda *_: then())
        box.open()
        self.box = box
        return box

