"""Signing in (issue #13) with real widgets on both engines: the first administrator, the
sign-in box, Switch operator changing who the history records, Lock, and the menu entries a
role may not use."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from desktop_helpdesk.services import accounts, tickets
from desktop_helpdesk.services.dto import OperatorAccount
from tests.ui.conftest import type_text


def _accounts(desk):
    """The demo's staff get accounts: the first an administrator, another a hotline operator.
    On the team server signing in connects as the operator's login role, as the app does."""
    if desk.engine.dialect.name == "postgresql":
        from desktop_helpdesk.db.signin import ServerSignIn

        desk.ctx.session.connect_as = ServerSignIn(desk.engine.url.render_as_string(hide_password=False), desk.ctx.uow)
    staff = accounts.accounts(desk.ctx)
    first = accounts.create_first_administrator(
        desk.ctx, OperatorAccount(staff[0].id, staff[0].full_name, staff[0].alias, "admin", "admin1"), "mật khẩu quản trị")
    desk.ctx.session.operator = first
    other = next(x for x in accounts.accounts(desk.ctx) if x.id != first.id)
    accounts.save_account(desk.ctx, OperatorAccount(other.id, other.full_name, other.alias, "hotline", "hotline1",
                                                    version=other.version), "mật khẩu tổng đài")
    return first, other


def _actions(desk):
    from desktop_helpdesk.ui.shell.accounts import AccountActions

    return AccountActions(desk.window, desk.jobs, desk.ctx.session, desk.author, desk.settings, lambda: None)


def _answer(qtbot, fill):
    """Fill the sign-in box that the next action opens (it runs its own event loop)."""
    def later():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(50, later)
            return
        fill(dialog)
    QTimer.singleShot(50, later)


def test_first_start_on_an_empty_database_creates_its_administrator(qtbot, ctx, engine, translator):
    from desktop_helpdesk.ui.kit.worker import Jobs
    from desktop_helpdesk.ui.shell.accounts import FirstAdministratorDialog

    if engine.dialect.name == "postgresql":
        from desktop_helpdesk.db.signin import ServerSignIn

        ctx.session.connect_as = ServerSignIn(engine.url.render_as_string(hide_password=False), ctx.uow)
    jobs = Jobs(ctx)
    dialog = FirstAdministratorDialog(jobs, [])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.full_name.isVisible()  # no one on the staff list: a new person
    type_text(dialog.full_name, "Võ Thị Yến")
    type_text(dialog.alias, "Tổng đài 07")
    type_text(dialog.login, "yen")
    type_text(dialog.password, "mật khẩu dài")
    type_text(dialog.repeat, "mật khẩu khác")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.form.rows["repeat"].error.text() == "The two passwords differ."
    dialog.repeat.clear()
    type_text(dialog.repeat, "mật khẩu dài")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert (dialog.operator.full_name, dialog.operator.role, dialog.operator.login) == ("Võ Thị Yến", "admin", "yen")
    assert accounts.sign_in(ctx, "yen", "mật khẩu dài").id == dialog.operator.id
    jobs.shutdown()


def test_the_sign_in_box_says_a_wrong_password_without_saying_which_part(open_desk, qtbot):
    from desktop_helpdesk.ui.shell.accounts import SignInDialog

    desk = open_desk(demo=True)
    first, _other = _accounts(desk)
    dialog = SignInDialog(desk.jobs, "admin1")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.login.text() == "admin1"  # the user name is remembered: the password is typed next
    assert dialog.focusWidget() is dialog.password
    type_text(dialog.password, "sai rồi")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.message.isVisible, timeout=10_000)
    assert dialog.message.text() == "The user name or the password is wrong."
    assert dialog.password.text() == ""  # typed again from the start
    type_text(dialog.password, "mật khẩu quản trị")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.operator.id == first.id


def test_switch_operator_changes_who_the_history_records_and_what_the_menus_allow(open_desk, qtbot):
    desk = open_desk(demo=True)
    first, other = _accounts(desk)
    desk.author.set_operator(first)
    desk.window.set_operator(first)
    actions = _actions(desk)
    assert actions.act_operators.isEnabled() and desk.window.act_packages.isEnabled()
    changed = []
    desk.window.operator_changed.connect(changed.append)

    def fill(dialog):
        type_text(dialog.login, "hotline1")
        type_text(dialog.password, "mật khẩu tổng đài")
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    _answer(qtbot, fill)
    actions.act_switch.trigger()
    assert [o.id for o in changed] == [other.id]
    assert other.full_name in desk.window.operator_label.text()
    # The hotline operator's role: no packages, calendar, company details or operators.
    assert not any(a.isEnabled() for a in (actions.act_operators, desk.window.act_packages,
                                           desk.window.act_calendar, desk.window.act_vendor))
    # What they do now is theirs in the history, whatever operator the form passes.
    ticket_id = tickets.list_tickets(desk.ctx, _first_page()).rows[0].id
    from desktop_helpdesk.domain.worklog import WorkLogDraft
    from desktop_helpdesk.services import worklog

    worklog.add_entry(desk.ctx, ticket_id, first.id, WorkLogDraft(kind="note", body="Khách gọi lại hỏi tiến độ"))
    with desk.engine.connect() as con:
        author = con.exec_driver_sql(
            "SELECT operator_id FROM ticket_events WHERE ticket_id = %d ORDER BY id DESC LIMIT 1" % ticket_id).scalar()
    assert author == other.id
    assert desk.settings.last_login == "hotline1"


def test_lock_hides_the_window_until_the_password_is_typed_again(open_desk, qtbot):
    desk = open_desk(demo=True)
    first, _other = _accounts(desk)
    desk.window.set_operator(first)
    actions = _actions(desk)
    seen = {}

    def fill(dialog):
        seen["hidden"] = not desk.window.isVisible()
        seen["login"] = (dialog.login.text(), dialog.login.isReadOnly())
        type_text(dialog.password, "mật khẩu quản trị")
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    _answer(qtbot, fill)
    qtbot.keyClick(desk.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert seen == {"hidden": True, "login": ("admin1", True)}
    assert desk.window.isVisible() and not actions.locked


def _first_page():
    from desktop_helpdesk.services.dto import ListQuery

    return ListQuery(limit=5)


def test_the_operators_window_creates_an_account_and_says_what_is_wrong_beside_each_field(open_desk, qtbot):
    from desktop_helpdesk.ui.shell.accounts import OperatorsDialog

    desk = open_desk(demo=True)
    first, _other = _accounts(desk)
    dialog = OperatorsDialog(desk.jobs, desk.window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == len(accounts.accounts(desk.ctx)), timeout=10_000)
    before = dialog.table.rowCount()
    qtbot.keyClick(dialog, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    type_text(dialog.full_name, "Nguyễn Thị Hoa")
    type_text(dialog.alias, "Hoa")
    type_text(dialog.login, "hoa nguyễn")
    type_text(dialog.team, "Hà Nội")
    type_text(dialog.password, "123")
    type_text(dialog.repeat, "123")
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.form.rows["login"].error.text() != "", timeout=10_000)
    assert "letters without accents" in dialog.form.rows["login"].error.text()
    dialog.login.clear()
    type_text(dialog.login, "hoa.nguyen")
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.form.rows["password"].error.text() != "", timeout=10_000)
    assert dialog.form.rows["password"].error.text() == "The password needs at least 8 characters."
    for field in (dialog.password, dialog.repeat):
        field.clear()
        type_text(field, "mật khẩu của hoa")
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == before + 1, timeout=10_000)
    hoa = accounts.sign_in(desk.ctx, "hoa.nguyen", "mật khẩu của hoa")
    assert (hoa.full_name, hoa.role, hoa.team) == ("Nguyễn Thị Hoa", "hotline", "Hà Nội")


def test_a_locked_desk_hides_every_window_and_its_notifications_tell_no_customer(open_desk, qtbot):
    from PySide6.QtWidgets import QDialog

    desk = open_desk(demo=True)
    first, _other = _accounts(desk)
    desk.window.set_operator(first)
    actions = _actions(desk)
    beside = QDialog(desk.window)  # e.g. the import window, open beside the main one
    beside.setWindowTitle("Nhập danh sách khách hàng")
    qtbot.addWidget(beside)
    beside.show()
    seen = {}

    def fill(dialog):
        seen["visible"] = [w.windowTitle() for w in QApplication.topLevelWidgets() if w.isVisible() and w is not dialog]
        alerts = desk.window.alerts
        from datetime import datetime, timezone

        from desktop_helpdesk.services.dto import AlertData

        news = [AlertData(987654, "clock_breached", 1, None, "YC26-000001 — Tiệm vàng Kim Hoa không in được hóa đơn",
                          None, datetime.now(timezone.utc))]
        alerts._raised(news)
        seen["message"] = alerts.shown_messages[-1]
        opened = []
        alerts.ticket_requested.connect(opened.append)
        alerts.open_last()
        seen["opened"] = opened
        type_text(dialog.password, "mật khẩu quản trị")
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    _answer(qtbot, fill)
    actions.lock()
    assert seen["visible"] == []
    assert seen["opened"] == []  # a click on the notification opens nothing
    assert seen["message"] == ("1 new alert", "Sign in to see them.")  # no customer's name on a locked screen
    assert desk.window.isVisible() and beside.isVisible()  # all back after the password


def test_only_an_administrator_may_restore_a_backup(open_desk, qtbot, tmp_path):
    from desktop_helpdesk.domain.errors import NotAllowed
    from desktop_helpdesk.services import backup

    desk = open_desk(demo=True)
    first, other = _accounts(desk)
    hotline = accounts.sign_in(desk.ctx, "hotline1", "mật khẩu tổng đài")
    desk.ctx.session.operator = hotline
    with pytest.raises(NotAllowed):  # refused before the store is touched
        backup.restore_as(desk.ctx, None, tmp_path / "helpdesk-2026-12-01-080000.sqlite3")


def test_the_wait_after_wrong_passwords_is_told_as_a_clock_time_in_both_languages(translator):
    from datetime import datetime, timezone

    from desktop_helpdesk.domain.errors import SignInRefused
    from desktop_helpdesk.ui.shell.accounts import refusal_text

    wait = SignInRefused(SignInRefused.WAIT, datetime(2026, 12, 7, 18, 9, 4, 500_000, tzinfo=timezone.utc))
    assert refusal_text(wait) == "Too many wrong passwords. Try again after 01:09:05."  # Hà Nội time, rounded up
    translator.set_language("vi")
    assert refusal_text(wait) == "Nhập sai mật khẩu quá nhiều lần. Hãy thử lại sau 01:09:05."
