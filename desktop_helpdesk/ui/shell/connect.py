"""File → Connect to team server…: choose the PostgreSQL server a desk works on, test it,
and go back to the local database file in one click.

The UI never touches the database layer: the app hands in a `ServerAccess` whose `probe(url)`
opens a connection (on a thread of this module, never the GUI thread), reads the server's
version and schema, and raises DatabaseOpenError with a reason that `explain(reason)` turns
into the user's message. The choice is saved in settings.json without the password; the
password goes to the OS credential store (`settings.Credentials`). The desk then reopens on
the new database by restarting (`restart`, injected: tests restart nothing).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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

from ...domain.errors import DatabaseOpenError
from ...i18n import N_, _
from ...settings import TLS_MODES, Credentials, Settings, TeamServer
from ..kit import retranslate
from ..kit import marks

log = logging.getLogger(__name__)

#: The encryption choices, as libpq's sslmode values, with what the user reads.
TLS_LABELS = {
    "disable": N_("No encryption (disable)"),
    "require": N_("Encrypted (require)"),
    "verify-full": N_("Encrypted, server certificate checked (verify-full)"),
}


@dataclass
class ServerAccess:
    """What the app gives the team server actions (the UI cannot open databases itself)."""

    #: Opens `url`, returns (PostgreSQL version, schema revision or None for an empty
    #: database); raises DatabaseOpenError. Called on a background thread.
    probe: Callable[[str], tuple[str, str | None]]
    #: DatabaseOpenError.reason -> the user's message (app.database_error_message).
    explain: Callable[[str], str]
    #: Reopen the app on the saved choice (quit and start again).
    restart: Callable[[], None]
    credentials: Credentials
    settings: Settings
    save_settings: Callable[[], None]
    #: What this run has open: "host/database" on a server, None for the local file.
    server_label: str | None = None


class _Relay(QObject):
    """Brings a background test's outcome back to the GUI thread (a queued signal)."""

    done = Signal(int, object, object)  # serial, result, error


class ConnectDialog(QDialog):
    """Host, port, database, user, password, TLS mode and CA file; Test connection; Connect."""

    def __init__(self, access: ServerAccess, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ConnectDialog")
        self.access = access
        self._serial = 0
        self._connecting = False
        self._relay = _Relay(self)
        self._relay.done.connect(self._delivered)

        self.host = QLineEdit()
        self.host.setObjectName("host")
        self.port = QSpinBox()
        self.port.setObjectName("port")
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit()
        self.database.setObjectName("database")
        self.user = QLineEdit()
        self.user.setObjectName("user")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox()
        self.remember.setChecked(True)
        self.tls = QComboBox()
        self.tls.setObjectName("tls")
        for mode in TLS_MODES:
            self.tls.addItem("", mode)
        self.ca_file = QLineEdit()
        self.ca_file.setObjectName("ca_file")
        self.ca_browse = QPushButton()
        ca_row = QHBoxLayout()
        ca_row.setContentsMargins(0, 0, 0, 0)
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.ca_browse)
        self.ca_box = QWidget()
        self.ca_box.setLayout(ca_row)
        self.result = QLabel()
        self.result.setObjectName("result")
        self.result.setWordWrap(True)
        self.result.setMinimumHeight(48)

        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.labels = {}
        for key, widget in (("host", self.host), ("port", self.port), ("database", self.database),
                            ("user", self.user), ("password", self.password), ("remember", self.remember),
                            ("tls", self.tls), ("ca", self.ca_box)):
            label = QLabel()
            label.setBuddy(widget if widget is not self.ca_box else self.ca_file)
            self.labels[key] = label
            self.form.addRow(label, widget)

        self.buttons = QDialogButtonBox()
        self.test_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.connect_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.connect_button.setDefault(True)
        self.test_button.clicked.connect(self.test_connection)
        self.connect_button.clicked.connect(self.connect_to_server)
        self.buttons.rejected.connect(self.reject)
        self.ca_browse.clicked.connect(self.choose_ca_file)
        self.tls.currentIndexChanged.connect(self._tls_changed)

        column = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        column.addWidget(self.intro)
        column.addLayout(self.form)
        column.addWidget(self.result)
        column.addWidget(self.buttons)

        self._fill(TeamServer.from_dict(access.settings.team_server))
        self._tls_changed()
        retranslate.register(self)
        self.retranslate()
        self.setMinimumWidth(520)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Connect to the team server"))
        self.intro.setText(_("The team server keeps one database every desk shares. Ask your administrator "
                             "for these details."))
        for key, text in (("host", _("Server &address:")), ("port", _("&Port:")), ("database", _("&Database:")),
                          ("user", _("&User name:")), ("password", _("Pass&word:")), ("remember", ""),
                          ("tls", _("&Encryption (TLS):")), ("ca", _("&CA certificate:"))):
            self.labels[key].setText(text)
        self.remember.setText(_("&Remember the password on this computer"))
        for i in range(self.tls.count()):
            self.tls.setItemText(i, _(TLS_LABELS[self.tls.itemData(i)]))
        self.ca_browse.setText(_("&Browse…"))
        self.host.setPlaceholderText(_("e.g. helpdesk-server or 192.168.1.10"))
        self.test_button.setText(_("&Test connection"))
        self.connect_button.setText(_("C&onnect"))
        self.cancel_button.setText(_("Cancel"))
        if self._result_text is not None:
            self._show_result(*self._result_text)

    _result_text: tuple | None = None

    # -- the fields ------------------------------------------------------------------
    def _fill(self, server: TeamServer | None) -> None:
        if server is None:
            return
        self.host.setText(server.host)
        self.port.setValue(server.port)
        self.database.setText(server.database)
        self.user.setText(server.user)
        self.tls.setCurrentIndex(max(0, self.tls.findData(server.tls_mode)))
        self.ca_file.setText(server.ca_file)
        self.remember.setChecked(server.remember_password)

    def _tls_changed(self) -> None:
        verify = self.tls.currentData() == "verify-full"
        self.ca_box.setEnabled(verify)
        self.labels["ca"].setEnabled(verify)

    def choose_ca_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("The CA certificate"), self.ca_file.text(),
            _("Certificates (*.crt *.pem *.cer);;All files (*)"))
        if path:
            self.ca_file.setText(path)

    def server(self) -> TeamServer | None:
        """The server the fields describe, or None (and the reason shown) when incomplete."""
        for widget, message in ((self.host, N_("Enter the server's address.")),
                                (self.database, N_("Enter the database name.")),
                                (self.user, N_("Enter the user name."))):
            if not widget.text().strip():
                self._show_result(message, "error")
                widget.setFocus()
                return None
        mode = self.tls.currentData()
        ca_file = self.ca_file.text().strip() if mode == "verify-full" else ""
        if mode == "verify-full" and not ca_file:
            self._show_result(N_("Choose the CA certificate file: verify-full checks the server's certificate "
                                 "against it."), "error")
            self.ca_file.setFocus()
            return None
        if ca_file and not Path(ca_file).is_file():
            self._show_result(N_("The CA certificate file does not exist."), "error")
            self.ca_file.setFocus()
            return None
        return TeamServer(host=self.host.text().strip(), database=self.database.text().strip(),
                          user=self.user.text().strip(), port=self.port.value(), tls_mode=mode,
                          ca_file=ca_file, remember_password=self.remember.isChecked())

    # -- test and connect ------------------------------------------------------------
    def test_connection(self) -> None:
        self._connecting = False
        self._start()

    def connect_to_server(self) -> None:
        """Test first: a choice that does not work is never saved."""
        self._connecting = True
        self._start()

    def _start(self) -> None:
        server = self.server()
        if server is None:
            return
        self._server = server
        typed = self.password.text()
        credentials, probe = self.access.credentials, self.access.probe

        def work():
            # The saved password (read here: a credential store may be slow to answer).
            password = typed if typed or not server.remember_password else credentials.get(server.credential_name)
            return probe(server.url(password)), password

        self._serial += 1
        serial, relay = self._serial, self._relay
        self._busy(True)
        self._show_result(N_("Testing the connection…"), "busy")

        def run():
            try:
                result, error = work(), None
            except Exception as exc:  # noqa: BLE001 - delivered and explained below
                result, error = None, exc
            try:
                relay.done.emit(serial, result, error)
            except RuntimeError:  # the dialog was closed meanwhile
                pass

        threading.Thread(target=run, name="server-test", daemon=True).start()

    @property
    def testing(self) -> bool:
        return not self.test_button.isEnabled()

    def _busy(self, busy: bool) -> None:
        for button in (self.test_button, self.connect_button):
            button.setEnabled(not busy)

    def _delivered(self, serial: int, result, error) -> None:
        if serial != self._serial or not shiboken6.isValid(self):
            return
        self._busy(False)
        if error is not None:
            reason = getattr(error, "reason", DatabaseOpenError.UNREACHABLE)
            if not isinstance(error, DatabaseOpenError):
                log.warning("testing the team server failed unexpectedly (%s)", type(error).__name__)
            log.info("testing the team server %s: %s", self._server.label, reason)
            self._show_result(reason, "failed")
            return
        (version, schema), password = result
        self._show_result((version, schema), "ok")
        if self._connecting:
            self._save(self._server, password)

    def _show_result(self, what, kind: str) -> None:
        self._result_text = (what, kind)
        if kind == "ok":
            version, schema = what
            text = (_("Connected: PostgreSQL {version}, schema {schema}").format(version=version, schema=schema)
                    if schema else
                    _("Connected: PostgreSQL {version}, empty database (Desktop Helpdesk creates its tables "
                      "when it first opens it)").format(version=version))
        elif kind == "failed":
            text = self.access.explain(what)
        else:
            text = _(what)
        self.result.setText(text)
        colour = "ERROR" if kind in ("failed", "error") else "OK" if kind == "ok" else None
        marks.set_colour(self.result, colour) if colour else marks.set_style(self.result, None)

    def _save(self, server: TeamServer, password: str | None) -> None:
        """Save the choice (never the password) and the password (in the credential store),
        then reopen the app on the server."""
        credentials = self.access.credentials
        remembered = True
        if server.remember_password and password:
            remembered = credentials.set(server.credential_name, password)
        elif not server.remember_password:
            credentials.delete(server.credential_name)
        settings = self.access.settings
        settings.team_server = server.to_dict()
        self.access.save_settings()
        log.info("the desk will open the team server %s", server.label)
        if not remembered:
            self.inform(_("This computer has no credential store Desktop Helpdesk can use: the password "
                          "will not be remembered, and Desktop Helpdesk will ask for it at each start."))
        self.accept()
        self.access.restart()

    def inform(self, message: str) -> None:
        QMessageBox.information(self, _("Desktop Helpdesk"), message)


class TeamServerActions(QObject):
    """The File menu's "Connect to team server…" and "Use the local database file", and
    the status bar's database label ("host/database" or "This computer", never a path)."""

    def __init__(self, window, access: ServerAccess):
        super().__init__(window)
        self.window = window
        self.access = access
        self.dialog: ConnectDialog | None = None
        self.act_connect = QAction(window)
        self.act_connect.setObjectName("act_connect")
        self.act_connect.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.act_connect.triggered.connect(self.open_dialog)
        self.act_local = QAction(window)
        self.act_local.setObjectName("act_local")
        self.act_local.triggered.connect(self.use_local_file)
        menu = window.menu_file
        actions = menu.actions()
        # Before the separator above Quit (the end of the menu when there is none).
        quit_at = actions.index(window.act_quit) if window.act_quit in actions else len(actions)
        before = actions[quit_at - 1] if quit_at > 0 and actions[quit_at - 1].isSeparator() else \
            (actions[quit_at] if quit_at < len(actions) else None)
        for action in (self.act_connect, self.act_local):
            menu.insertAction(before, action) if before is not None else menu.addAction(action)
        menu.insertSeparator(before) if before is not None else menu.addSeparator()
        self._update()
        retranslate.register(self)
        self.retranslate()

    def retranslate(self) -> None:
        self.act_connect.setText(_("Connect to &team server…"))
        self.act_local.setText(_("Use the &local database file"))
        label = self.access.server_label
        self.window.database_label.setText(label if label else _("This computer"))
        self.window.database_label.setToolTip(_("The team server {server}").format(server=label) if label
                                              else _("The database file on this computer"))

    def _update(self) -> None:
        self.act_local.setVisible(bool(self.access.settings.team_server))

    def open_dialog(self) -> ConnectDialog:
        self.dialog = ConnectDialog(self.access, self.window)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.accepted.connect(self._update)  # a server is chosen now
        self.dialog.open()
        return self.dialog

    def use_local_file(self) -> None:
        """One click: forget the saved server (its password too unless it was to be
        remembered) and reopen on the local file."""
        server = TeamServer.from_dict(self.access.settings.team_server)
        if server is not None and not server.remember_password:
            self.access.credentials.delete(server.credential_name)
        self.access.settings.team_server = {}
        self.access.save_settings()
        self._update()
        log.info("the desk will open the local database file")
        if self.access.server_label is not None:
            self.access.restart()
