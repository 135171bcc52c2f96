"""Signing in: the sign-in box at start, the first administrator of a new database, Lock
and Switch operator for a shared hotline PC (and the lock after an idle time), and
File → Operators for administrators (issue #13)."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.accounts import Permission, may, normal_login
from ...domain.enums import OperatorRole
from ...domain.errors import NotAllowed, SignInRefused
from ...i18n import N_, _
from ...i18n.formatting import format_clock_time, format_datetime
from ...services import accounts
from ...services.dto import OperatorAccount
from ...services.errors import ValidationFailed
from ..kit import marks, retranslate
from ..kit.errors import failure_message
from ..kit.widgets import Form, enum_combo, enum_label, retranslate_enum_combo
from ..kit.worker import Jobs

log = logging.getLogger(__name__)

#: The idle times offered for the automatic lock (minutes; 0 = never).
LOCK_CHOICES = (0, 5, 10, 15, 30, 60)


def refusal_text(exc: SignInRefused) -> str:
    if exc.reason == SignInRefused.DISABLED:
        return _("This account is disabled. Ask an administrator.")
    if exc.reason == SignInRefused.WAIT and exc.wait_until is not None:
        return _("Too many wrong passwords. Try again after {time}.").format(
            time=format_clock_time(exc.wait_until, seconds=True))  # the waits are seconds long
    return _("The user name or the password is wrong.")


def _password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class SignInDialog(QDialog):
    """The user name (remembered) and the password; `operator` after a good sign-in.
    `locked`: the desk was locked by `locked.full_name`; Switch operator offers someone else."""

    def __init__(self, jobs: Jobs, login: str = "", database: str = "", locked=None, switching: bool = False,
                 parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.setObjectName("SignInDialog")
        self.jobs = jobs
        self.database = database
        self.locked = locked
        self.switching = switching
        self.operator = None
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.form = Form()
        self.login = self.form.add("login", N_("User name"), QLineEdit())
        self.password = self.form.add("password", N_("Password"), _password_field())
        self.login.setText(login)
        self.message = QLabel()
        self.message.setObjectName("signInMessage")
        self.message.setWordWrap(True)
        marks.set_colour(self.message, "ERROR", "font-weight: bold;")
        self.message.hide()
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.switch_button = None
        if locked is not None:
            self.switch_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
            self.switch_button.clicked.connect(self._switch)
            self.login.setText(locked.login)
            self.login.setReadOnly(True)
        self.cancel_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._wait = QTimer(self, singleShot=True)
        self._wait.timeout.connect(self._waited)
        self.login.textChanged.connect(self._update)
        self.password.textChanged.connect(self._update)
        self.retranslate()
        self._update()
        (self.password if self.login.text() else self.login).setFocus()

    def _update(self) -> None:
        self.ok_button.setEnabled(bool(self.login.text().strip() and self.password.text())
                                  and not self._wait.isActive())

    def _accept(self) -> None:
        if not self.ok_button.isEnabled():
            return
        self.ok_button.setEnabled(False)
        self.jobs.submit(accounts.sign_in, self.login.text(), self.password.text(),
                         on_done=self._signed_in, on_error=self._refused, owner=self)

    def _signed_in(self, operator) -> None:
        if self.locked is not None and operator.id != self.locked.id:  # cannot happen: the name is read-only
            return
        self.operator = operator
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self.password.clear()
        self.password.setFocus()
        if isinstance(exc, SignInRefused):
            self.message.setText(refusal_text(exc))
            if exc.reason == SignInRefused.WAIT and exc.wait_until is not None:
                left = (exc.wait_until - self.jobs.ctx.now()).total_seconds()  # the services' clock
                self._wait.start(max(0, int(left * 1000)) + 200)
        else:
            self.message.setText(failure_message(N_("Signing in failed."), exc, log))
        self.message.show()
        self._update()

    def _waited(self) -> None:
        self.message.hide()
        self._update()

    def _switch(self) -> None:
        """Someone else takes the locked desk: the user name becomes editable."""
        self.locked = None
        self.switching = True
        self.login.setReadOnly(False)
        self.login.clear()
        self.password.clear()
        self.switch_button.hide()
        self.retranslate()
        self.login.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Sign in – Desktop Helpdesk"))
        if self.locked is not None:
            self.intro.setText(_("This desk is locked. {name}, enter your password to go on; "
                                 "someone else can sign in with Switch operator.").format(name=self.locked.full_name))
        elif self.switching:
            self.intro.setText(_("Sign in as the operator who works at this desk now. "
                                 "Their name is recorded in the history of everything they change."))
        else:
            self.intro.setText(_("Sign in with your user name and password. Your name is recorded in the "
                                 "history of everything you change."))
        if self.database:
            self.intro.setText(self.intro.text() + "\n" + _("Database: {name}").format(name=self.database))
        self.form.retranslate()
        self.ok_button.setText(_("Sign in") if self.locked is None else _("Unlock"))
        if self.switch_button is not None:
            self.switch_button.setText(_("Switch operator…"))
        self.cancel_button.setText(_("Cancel") if self.switching and self.parent() is not None else _("Quit"))


class FirstAdministratorDialog(QDialog):
    """No one can sign in to this database yet: the person at the desk becomes its first
    administrator (someone already on the staff list, e.g. from the demo, or a new person)."""

    def __init__(self, jobs: Jobs, staff: list[OperatorAccount], parent: QWidget | None = None):
        super().__init__(parent)
        retranslate.register(self)
        self.setObjectName("FirstAdministratorDialog")
        self.jobs = jobs
        self.operator = None
        self._staff = [x for x in staff if x.active]
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.form = Form()
        self.who = self.form.add("who", N_("Who are you"), QComboBox())
        for x in self._staff:
            self.who.addItem(x.full_name, x.id)
        self.who.addItem("", None)
        self.who.setCurrentIndex(self.who.count() - 1 if not self._staff else 0)
        self.full_name = self.form.add("full_name", N_("Full name"), QLineEdit(), required=True)
        self.alias = self.form.add("alias", N_("Alias shown to customers"), QLineEdit(), required=True)
        self.login = self.form.add("login", N_("User name"), QLineEdit(), required=True)
        self.password = self.form.add("password", N_("Password"), _password_field(), required=True)
        self.repeat = self.form.add("repeat", N_("Password again"), _password_field(), required=True)
        self.buttons = QDialogButtonBox()
        self.ok_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)
        self.who.currentIndexChanged.connect(self._chosen)
        self.retranslate()
        self._chosen()

    def _chosen(self) -> None:
        new = self.who.currentData() is None
        for name in ("full_name", "alias"):
            row = self.form.rows[name]
            row.setVisible(new)
            self.form.labels[name][0].setVisible(new)
        self.form.clear_errors()

    def _account(self) -> OperatorAccount:
        chosen = next((x for x in self._staff if x.id == self.who.currentData()), None)
        if chosen is not None:
            return OperatorAccount(chosen.id, chosen.full_name, chosen.alias, OperatorRole.ADMIN.value,
                                   self.login.text(), chosen.team, True, chosen.code)
        return OperatorAccount(None, self.full_name.text(), self.alias.text(), OperatorRole.ADMIN.value,
                               self.login.text())

    def _accept(self) -> None:
        self.form.clear_errors()
        if self.password.text() != self.repeat.text():
            self.form.set_error("repeat", _("The two passwords differ."))
            return
        self.ok_button.setEnabled(False)
        self.jobs.submit(accounts.create_first_administrator, self._account(), self.password.text(),
                         on_done=self._created, on_error=self._failed, owner=self)

    def _created(self, operator) -> None:
        self.operator = operator
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(exc, ValidationFailed) and self.form.place_errors(exc):
            return
        if isinstance(exc, NotAllowed) and not exc.permission:  # the team server refused to create a login role
            QMessageBox.warning(self, _("Sign in"), _(
                "The team server did not let this connection create accounts. Connect once as the server's "
                "administrator (a role that may create roles), or ask them to run `desktop-helpdesk server upgrade`."))
            return
        if isinstance(exc, NotAllowed):  # another desk created the first administrator meanwhile
            QMessageBox.information(self, _("Sign in"), _(
                "Someone has already set up the first administrator of this database. Sign in with your account."))
            self.reject()
            return
        QMessageBox.warning(self, _("Sign in"), failure_message(N_("The administrator could not be saved; nothing was written."), exc, log))

    def retranslate(self) -> None:
        self.setWindowTitle(_("The first administrator"))
        self.intro.setText(_("No one can sign in to this database yet. Choose a user name and a password for "
                             "yourself: you become its administrator, and you create your colleagues' accounts "
                             "in File → Operators."))
        self.form.retranslate()
        self.who.setItemText(self.who.count() - 1, _("A new person…"))
        self.ok_button.setText(_("Create and sign in"))
        self.quit_button.setText(_("Quit"))


class OperatorsDialog(QDialog):
    """File → Operators: the staff list with their accounts; create, change role or team,
    disable, reset a password. Administrators only (the services refuse anyone else)."""

    COLUMNS = (N_("Name"), N_("User name"), N_("Role"), N_("Team"), N_("Status"), N_("Last signed in"))

    def __init__(self, jobs: Jobs, parent: QWidget | None = None, on_saved=None):
        super().__init__(parent)
        retranslate.register(self)
        self.setObjectName("OperatorsDialog")
        self.jobs = jobs
        self.on_saved = on_saved
        self.rows: list[OperatorAccount] = []
        self.current: OperatorAccount | None = None
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.form = Form()
        self.full_name = self.form.add("full_name", N_("Full name"), QLineEdit(), required=True)
        self.alias = self.form.add("alias", N_("Alias shown to customers"), QLineEdit(), required=True)
        self.login = self.form.add("login", N_("User name"), QLineEdit(), required=True)
        self.role = self.form.add("role", N_("Role"), enum_combo(OperatorRole))
        self.team = self.form.add("team", N_("Team"), QLineEdit())
        self.active = self.form.add("active", N_("Account"), QCheckBox())
        self.password = self.form.add("password", N_("New password"), _password_field())
        self.repeat = self.form.add("repeat", N_("Password again"), _password_field())
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.new_button = QPushButton()
        self.save_button = QPushButton()
        self.close_button = QPushButton()
        self.new_button.clicked.connect(self._new)
        self.save_button.clicked.connect(self._save)
        self.close_button.clicked.connect(self.accept)
        self.save_button.setDefault(True)
        # QShortcuts, not the buttons' own: a button's text with "&" replaces its shortcut.
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self._new)
        QShortcut(QKeySequence("Ctrl+S"), self, activated=self._save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        right = QVBoxLayout()
        right.addLayout(self.form)
        right.addWidget(self.hint)
        body = QVBoxLayout()  # the list on top, the chosen operator below: every column readable
        body.addWidget(self.table, 1)
        body.addLayout(right)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addLayout(buttons)
        self.resize(960, 660)  # fits a 1366×768 screen
        self.table.itemSelectionChanged.connect(self._selected)
        self.retranslate()
        self._new()
        self.reload()

    def reload(self, select_id: int | None = None) -> None:
        self.jobs.submit(accounts.accounts, on_done=lambda rows: self._show(rows, select_id), owner=self,
                         on_error=self._failed)

    def _show(self, rows: list[OperatorAccount], select_id: int | None) -> None:
        self.rows = rows
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for i, x in enumerate(rows):
            values = (x.full_name, x.login, enum_label(OperatorRole, x.role), x.team,
                      (_("Active") if x.active else _("Disabled")) + ("" if x.has_password or not x.active
                                                                       else " – " + _("no password yet")),
                      format_datetime(x.signed_in_at) if x.signed_in_at else "")
            for j, text in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.blockSignals(False)
        if select_id is not None:
            row = next((i for i, x in enumerate(rows) if x.id == select_id), -1)
            if row >= 0:
                self.table.selectRow(row)

    def _selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.rows):
            self._fill(self.rows[row])

    def _fill(self, x: OperatorAccount | None) -> None:
        self.current = x
        self.form.clear_errors()
        self.full_name.setText(x.full_name if x else "")
        self.alias.setText(x.alias if x else "")
        self.login.setText(x.login if x else "")
        self.role.setCurrentIndex(max(0, self.role.findData(x.role if x else OperatorRole.HOTLINE.value)))
        self.team.setText(x.team if x else "")
        self.active.setChecked(x.active if x else True)
        self.password.clear()
        self.repeat.clear()
        self.retranslate()

    def _new(self) -> None:
        self.table.clearSelection()
        self._fill(None)
        self.full_name.setFocus()

    def _save(self) -> None:
        self.form.clear_errors()
        if self.password.text() != self.repeat.text():
            self.form.set_error("repeat", _("The two passwords differ."))
            return
        if self.current is None and not self.password.text():
            self.form.set_error("password", _("A new operator needs a password to sign in."))
            return
        x = self.current
        account = OperatorAccount(x.id if x else None, self.full_name.text(), self.alias.text(),
                                  self.role.currentData(), self.login.text(), self.team.text(),
                                  self.active.isChecked(), x.code if x else "", version=x.version if x else None)
        self.save_button.setEnabled(False)
        self.jobs.submit(accounts.save_account, account, self.password.text() or None,
                         on_done=self._saved, on_error=self._failed, owner=self)

    def _saved(self, operator_id: int) -> None:
        self.save_button.setEnabled(True)
        self.password.clear()
        self.repeat.clear()
        self.reload(operator_id)
        if self.on_saved is not None:
            self.on_saved()

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationFailed) and self.form.place_errors(exc):
            return
        QMessageBox.warning(self, _("Operators"), failure_message(N_("The operator could not be saved; nothing was written."), exc, log))

    def retranslate(self) -> None:
        self.setWindowTitle(_("Operators"))
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.form.retranslate()
        retranslate_enum_combo(self.role, OperatorRole)
        self.active.setText(_("Can sign in (uncheck to disable)"))
        self.hint.setText(_("Leave the password empty to keep it. A new password needs at least 8 characters; "
                            "give it to the person, who can change it later.")
                          if self.current is not None else _("A new operator needs a user name and a password."))
        self.new_button.setText(_("&New operator"))
        self.save_button.setText(_("&Save"))
        self.close_button.setText(_("Close"))


class _IdleWatch(QObject):
    """Notes the last key press or mouse use anywhere in the program."""

    INPUT = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel}

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.last = time.monotonic()  # not the wall clock: a clock set back must not lock, nor forward unlock

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() in self.INPUT:
            self.last = time.monotonic()
        return False


class AccountActions(QObject):
    """File → Operators…, Lock and Switch operator (with their shortcuts), the automatic lock
    after an idle time, and which menu entries the signed-in role may use."""

    def __init__(self, window, jobs: Jobs, session, author, settings, save_settings, database: str = ""):
        super().__init__(window)
        retranslate.register(self)
        self.window = window
        self.jobs = jobs
        self.session = session
        self.author = author
        self.settings = settings
        self.save_settings = save_settings
        self.database = database
        self.locked = False
        self.act_operators = QAction(window)
        self.act_operators.triggered.connect(self.edit_operators)
        self.act_lock = QAction(window)
        self.act_lock.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.act_lock.triggered.connect(self.lock)
        self.act_switch = QAction(window)
        self.act_switch.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.act_switch.triggered.connect(self.switch)
        self.menu_idle = QMenu(window)
        self.idle_group = QActionGroup(self)
        self.idle_actions: list[QAction] = []
        for minutes in LOCK_CHOICES:
            a = QAction(window, checkable=True)
            a.setData(minutes)
            a.setChecked(minutes == settings.lock_after_minutes)
            a.triggered.connect(lambda _c=False, m=minutes: self.set_idle_minutes(m))
            self.idle_group.addAction(a)
            self.menu_idle.addAction(a)
            self.idle_actions.append(a)
        menu = window.menu_file
        before = window.act_quit
        for a in (self.act_switch, self.act_lock):
            menu.insertAction(before, a)
        menu.insertMenu(before, self.menu_idle)
        menu.insertSeparator(before)
        menu.insertAction(window.act_packages, self.act_operators)
        for a in (self.act_operators, self.act_lock, self.act_switch):
            window.addAction(a)  # the shortcuts work wherever the focus is in the window
        self.idle = _IdleWatch(self)
        QApplication.instance().installEventFilter(self.idle)
        self.idle_timer = QTimer(self, interval=15_000)
        self.idle_timer.timeout.connect(self._check_idle)
        self.idle_timer.start()
        window.operator_changed.connect(lambda _o: self.apply_rights())
        self.retranslate()
        self.apply_rights()

    # -- rights ------------------------------------------------------------------------
    def apply_rights(self) -> None:
        """Menu entries the role may not use are disabled (the services refuse them too)."""
        role = self.session.role
        self.act_operators.setEnabled(may(role, Permission.OPERATORS))
        rights = [(self.window.act_packages, Permission.PACKAGES), (self.window.act_calendar, Permission.CALENDAR),
                  (self.window.act_vendor, Permission.COMPANY)]
        backups = getattr(self.window, "backups", None)
        if backups is not None:
            rights.append((backups.act_restore, Permission.RESTORE))
        for action, permission in rights:
            action.setEnabled(may(role, permission))

    def edit_operators(self) -> None:
        dialog = OperatorsDialog(self.jobs, self.window, on_saved=self.window.refresh_reference_data)
        dialog.exec()

    # -- lock and switch ----------------------------------------------------------------
    def set_idle_minutes(self, minutes: int) -> None:
        self.settings.lock_after_minutes = minutes
        self.save_settings()

    def _check_idle(self) -> None:
        minutes = self.settings.lock_after_minutes
        # Not while a form is open (its unsaved work would be lost): the lock waits for it.
        if minutes and not self.locked and self.session.operator is not None and QApplication.activeModalWidget() is None:
            if time.monotonic() - self.idle.last >= minutes * 60:
                self.lock()

    def lock(self) -> None:
        """Hide the window (customers' data off the screen, its shortcuts dead) until the
        operator's password is typed again, or someone else signs in."""
        if self.locked or self.session.operator is None:
            return
        self.locked = True
        alerts = getattr(self.window, "alerts", None)
        if alerts is not None:
            alerts.locked = True  # no alert text in a notification, no click opening a ticket
        was_maximized = self.window.isMaximized()
        # Every window of the program goes: the main one and any other open beside it.
        shown = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not self.window]
        self.window.hide()
        for w in shown:
            w.hide()
        try:
            dialog = SignInDialog(self.jobs, database=self.database, locked=self.session.operator)
            if dialog.exec() == QDialog.DialogCode.Accepted and dialog.operator is not None:
                self._signed_in(dialog.operator)
            else:
                self.window.close()
                return
        finally:
            self.locked = False
            if alerts is not None:
                alerts.locked = False
            self.idle.last = time.monotonic()
        self.window.showMaximized() if was_maximized else self.window.show()
        for w in shown:
            w.show()
        self.window.activateWindow()

    def switch(self) -> None:
        dialog = SignInDialog(self.jobs, database=self.database, switching=True, parent=self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.operator is not None:
            self._signed_in(dialog.operator)

    def _signed_in(self, operator) -> None:
        if self.session.operator is None or operator.id != self.session.operator.id or operator != self.session.operator:
            self.session.operator = operator
            self.author.set_operator(operator)
            self.settings.last_login = normal_login(operator.login)
            self.save_settings()
            self.window.set_operator(operator)

    def retranslate(self) -> None:
        self.act_operators.setText(_("&Operators…"))
        self.act_lock.setText(_("&Lock"))
        self.act_switch.setText(_("S&witch operator…"))
        self.menu_idle.setTitle(_("Lock when &idle"))
        for a in self.idle_actions:
            minutes = a.data()
            a.setText(_("Never") if not minutes else _("After {n} minutes").format(n=minutes))
