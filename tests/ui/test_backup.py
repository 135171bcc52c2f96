"""File → Back up now, Restore… and Backup settings…, and the daily backup (issue #14): on
the long lane, with progress; a restore shows the backup's date and counts and asks first
(Cancel is the default), keeps a safety copy and starts the app again; a failing daily
backup is said once."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop_helpdesk.db.backup import SqliteBackups
from desktop_helpdesk.services import backup, customers
from desktop_helpdesk.services.dto import CustomerDraft
from desktop_helpdesk.ui.shell.backup import (
    BackupAccess,
    BackupActions,
    RestoreConfirmDialog,
)

pytestmark = pytest.mark.sqlite_only


def make_actions(desk, tmp_path, store=True):
    restarts = []
    access = BackupAccess(SqliteBackups(Path(desk.engine.url.database)) if store else None, desk.settings,
                          lambda: None, tmp_path / "data", lambda: restarts.append(True))
    return BackupActions(desk.window, desk.jobs, access, start=False), restarts


def customer_count(ctx) -> int:
    with ctx.uow() as uow:
        return uow.customers.count()


def file_menu_texts(window) -> list[str]:
    return [a.text() for a in window.menu_file.actions()]


def test_the_file_menu_offers_backup_and_restore_in_both_languages(open_desk, tmp_path, vietnamese):
    desk = open_desk()
    actions, _ = make_actions(desk, tmp_path)
    texts = file_menu_texts(desk.window)
    assert "&Sao lưu ngay" in texts and "Khôi &phục từ bản sao lưu…" in texts
    vietnamese.set_language("en")
    texts = file_menu_texts(desk.window)
    assert texts.index("&Back up now") < texts.index("&Quit")
    assert "&Restore from a backup…" in texts and actions.act_backup.shortcut().toString() == "Ctrl+Shift+B"


def test_back_up_now_then_restore_brings_the_data_back_and_starts_again(open_desk, tmp_path, qtbot):
    desk = open_desk(demo=True)
    actions, restarts = make_actions(desk, tmp_path)
    folder = tmp_path / "usb"
    desk.settings.backup_folder = str(folder)
    before = customer_count(desk.ctx)

    actions.back_up_now()
    qtbot.waitUntil(lambda: not actions.running and getattr(actions, "box", None) is not None, timeout=20_000)
    [copy] = list(folder.iterdir())
    assert str(copy) in actions.box.text()
    actions.box.accept()

    customers.save_customer(desk.ctx, CustomerDraft(name="Khách mới sau sao lưu", kind="person"))
    actions.ask_restore(copy)
    qtbot.waitUntil(lambda: isinstance(actions.dialog, RestoreConfirmDialog) and actions.dialog.isVisible(),
                    timeout=20_000)
    dialog = actions.dialog
    contents = backup.describe(SqliteBackups(Path(desk.engine.url.database)), copy)
    assert dialog.summary.text() == backup.summary(contents)
    assert f"{contents.customers} customers" in dialog.summary.text() and contents.tickets > 0
    assert dialog.cancel_button.isDefault() and not dialog.restore_button.isDefault()
    dialog.restore_button.click()
    qtbot.waitUntil(lambda: not actions.running and "restored" in getattr(actions.box, "text", lambda: "")(),
                    timeout=20_000)
    assert "before-restore" in actions.box.text()
    assert restarts == []
    actions.box.accept()
    assert restarts == [True]
    assert customer_count(desk.ctx) == before == contents.customers  # the new customer is gone


@pytest.mark.allow_log_errors
def test_a_failing_daily_backup_is_said_once_and_a_success_clears_it(open_desk, tmp_path, qtbot):
    desk = open_desk()
    actions, _ = make_actions(desk, tmp_path)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    desk.settings.backup_folder = str(blocked)
    boxes = []
    actions._message = lambda icon, text, then=None: boxes.append((icon, text))
    for _ in range(3):
        actions.daily_backup()
        qtbot.waitUntil(lambda: not actions.running, timeout=20_000)
    assert len(boxes) == 1 and boxes[0][0] == QMessageBox.Icon.Warning
    assert backup.error_message(backup.BackupError.NO_FOLDER) in boxes[0][1]
    desk.settings.backup_folder = str(tmp_path / "ok")
    actions.daily_backup()
    qtbot.waitUntil(lambda: not actions.running, timeout=20_000)
    assert not actions.failure_told and len(list((tmp_path / "ok").iterdir())) == 1
    actions.daily_backup()  # not due again today
    qtbot.waitUntil(lambda: not actions.running, timeout=20_000)
    assert len(list((tmp_path / "ok").iterdir())) == 1 and len(boxes) == 1


def test_on_the_team_server_the_actions_explain_pg_dump(open_desk, tmp_path):
    desk = open_desk()
    actions, _ = make_actions(desk, tmp_path, store=False)
    shown = []
    actions._message = lambda icon, text, then=None: shown.append(text)
    actions.back_up_now()
    actions.ask_restore(tmp_path / "x.sqlite3")
    assert shown == [backup.error_message(backup.BackupError.NOT_LOCAL)] * 2


def test_backup_settings_are_saved(open_desk, tmp_path):
    desk = open_desk()
    actions, _ = make_actions(desk, tmp_path)
    dialog = actions.edit_settings()
    dialog.folder.setText(str(tmp_path / "share"))
    dialog.keep_days.setValue(30)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert (desk.settings.backup_folder, desk.settings.backup_keep_days) == (str(tmp_path / "share"), 30)
    policy = actions.policy()
    assert (policy.folder, policy.keep_days) == (tmp_path / "share", 30) and policy.desk


def test_the_daily_backup_starts_by_itself_a_little_after_start(open_desk, tmp_path, qtbot, monkeypatch):
    desk = open_desk()
    monkeypatch.setattr(BackupActions, "FIRST_CHECK_MS", 50)
    desk.settings.backup_folder = str(tmp_path / "daily")
    access = BackupAccess(SqliteBackups(Path(desk.engine.url.database)), desk.settings, lambda: None,
                          tmp_path / "data", lambda: None)
    actions = BackupActions(desk.window, desk.jobs, access)
    assert actions.timer.isActive() and actions.timer.interval() == 60 * 60 * 1000
    qtbot.waitUntil(lambda: (tmp_path / "daily").is_dir() and len(list((tmp_path / "daily").iterdir())) == 1,
                    timeout=20_000)
    qtbot.waitUntil(lambda: not actions.running, timeout=20_000)
    [done] = backup.list_backups(tmp_path / "daily")
    assert str(done.path) in desk.window.statusBar().currentMessage()


def test_the_hourly_check_while_the_restore_is_confirmed_never_swallows_the_restore(open_desk, tmp_path, qtbot):
    """The hourly daily-backup check fires while the restore's question is open (even with no
    backup due): clicking Restore still restores, and a restore that cannot start says why."""
    desk = open_desk(demo=True)
    actions, restarts = make_actions(desk, tmp_path)
    folder = tmp_path / "usb"
    desk.settings.backup_folder = str(folder)
    actions.back_up_now()
    qtbot.waitUntil(lambda: not actions.running and getattr(actions, "box", None) is not None, timeout=20_000)
    actions.box.accept()
    actions.box = None
    [copy] = list(folder.iterdir())  # today's backup: the daily one is not due

    actions.ask_restore(copy)
    qtbot.waitUntil(lambda: isinstance(actions.dialog, RestoreConfirmDialog) and actions.dialog.isVisible(),
                    timeout=20_000)
    actions.daily_backup()  # the hourly timer, while the user reads the question
    actions.dialog.restore_button.click()
    qtbot.waitUntil(lambda: not actions.running and "restored" in getattr(actions.box, "text", lambda: "")(),
                    timeout=20_000)
    actions.box.accept()
    assert restarts == [True]

    shown = []
    actions._message = lambda icon, text, then=None: shown.append(text)
    actions.running = True  # a backup being written (Back up now's job, the daily one)
    actions.restore(copy)
    assert len(shown) == 1 and "nothing was changed" in shown[0]


class SlowStore(SqliteBackups):
    """A daily backup that takes long: reports progress until told to stop (or 10 s)."""

    def __init__(self, database):
        super().__init__(database)
        import threading

        self.started, self.outcome = threading.Event(), None

    def copy_to(self, target, progress=None):
        import time

        from desktop_helpdesk.services.progress import Cancelled

        self.started.set()
        deadline = time.monotonic() + 10
        try:
            while time.monotonic() < deadline:
                if progress is not None:
                    progress(1, 100)
                time.sleep(0.01)
        except Cancelled:
            self.outcome = "cancelled"
            raise
        self.outcome = "finished"
        return super().copy_to(target, progress)


def test_closing_the_window_stops_a_daily_backup_being_written(open_desk, tmp_path, qtbot):
    desk = open_desk()
    store = SlowStore(Path(desk.engine.url.database))
    access = BackupAccess(store, desk.settings, lambda: None, tmp_path / "data", lambda: None)
    actions = BackupActions(desk.window, desk.jobs, access, start=False)
    desk.window.backups = actions
    desk.settings.backup_folder = str(tmp_path / "daily")
    shown = []
    actions._message = lambda icon, text, then=None: shown.append(text)
    actions.daily_backup()
    assert store.started.wait(10)
    desk.window.close()
    qtbot.waitUntil(lambda: not actions.running, timeout=5_000)
    assert store.outcome == "cancelled" and shown == []  # stopped, and no "the backup failed"
    assert not list((tmp_path / "daily").iterdir())
    actions.daily_backup()  # the hourly timer after close: nothing starts
    assert not actions.running
