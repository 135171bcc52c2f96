"""File → Connect to team server…: test a server on a background thread, save the choice
(the password only in the credential store), open it at start, go back to the local file."""

from __future__ import annotations

import json

import keyring
import keyring.core
import pytest
import shiboken6
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from PySide6.QtCore import Qt
from sqlalchemy.engine import make_url

from desktop_helpdesk.app import (
    database_error_message,
    probe_server,
    restart_command,
    team_server_url,
)
from desktop_helpdesk.settings import KEYRING_SERVICE, Credentials, Settings, TeamServer
from desktop_helpdesk.ui.shell.connect import ServerAccess, TeamServerActions
from tests.pgserver import _free_port

PASSWORD = "p@ss:/%# wörd"  # every character a URL must escape


class MemoryKeyring(KeyringBackend):
    """A credential store that lives as long as the test."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class EnvKeyring(MemoryKeyring):
    """The credential store of a desk started as a subprocess: its passwords come from the
    HELPDESK_TEST_KEYRING environment variable (JSON: {username: password})."""

    def __init__(self):
        import os

        super().__init__()
        for username, password in json.loads(os.environ.get("HELPDESK_TEST_KEYRING", "{}")).items():
            self.store[(KEYRING_SERVICE, username)] = password


@pytest.fixture
def memory_keyring():
    previous = keyring.core._keyring_backend
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.core._keyring_backend = previous


@pytest.fixture
def no_keyring():
    from keyring.backends.fail import Keyring as Fail

    previous = keyring.core._keyring_backend
    keyring.set_keyring(Fail())
    yield
    keyring.core._keyring_backend = previous


class Connect:
    """The team server actions on a desk's window, with a restart that only counts."""

    def __init__(self, desk, tmp_path, server_label=None):
        self.desk = desk
        self.restarts = 0
        self.settings_file = tmp_path / "settings.json"

        def restart():
            self.restarts += 1

        self.access = ServerAccess(
            probe=probe_server, explain=lambda reason: database_error_message(reason, server=True),
            restart=restart, credentials=Credentials(), settings=desk.settings,
            save_settings=lambda: desk.settings.save(self.settings_file), server_label=server_label)
        self.actions = TeamServerActions(desk.window, self.access)

    def open(self, url: str, port: int | None = None, password: str = PASSWORD):
        u = make_url(url)
        dialog = self.actions.open_dialog()
        dialog.host.setText(u.host)
        dialog.port.setValue(port or u.port)
        dialog.database.setText(u.database)
        dialog.user.setText(u.username)
        dialog.password.setText(password)  # the test server trusts 127.0.0.1: any password works
        return dialog


@pytest.fixture
def connect(open_desk, tmp_path):
    def make(server_label=None):
        return Connect(open_desk(), tmp_path, server_label)

    return make


@pytest.mark.postgresql_only
def test_test_connection_runs_in_the_background_and_reports_version_and_schema(connect, test_db, qtbot,
                                                                                 memory_keyring):
    c = connect()
    dialog = c.open(test_db.url)
    assert "&Test connection" == dialog.test_button.text()
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert dialog.testing and dialog.result.text() == "Testing the connection…"  # the GUI thread did not wait
    qtbot.waitUntil(lambda: not dialog.testing, timeout=15_000)
    assert dialog.result.text().startswith("Connected: PostgreSQL ")
    from desktop_helpdesk.db.migrate import SCHEMA_HEAD

    assert dialog.result.text().endswith(f", schema {SCHEMA_HEAD}")
    assert c.restarts == 0 and c.desk.settings.team_server == {}  # a test saves nothing


@pytest.mark.postgresql_only
def test_a_wrong_port_says_the_server_cannot_be_reached_in_vietnamese(connect, test_db, qtbot, memory_keyring,
                                                                     vietnamese):
    c = connect()
    dialog = c.open(test_db.url, port=_free_port())
    assert dialog.test_button.text() == "&Kiểm tra kết nối"
    assert dialog.labels["host"].text() == "Đị&a chỉ máy chủ:"
    dialog.test_connection()
    qtbot.waitUntil(lambda: not dialog.testing, timeout=15_000)
    assert dialog.result.text().startswith("Không kết nối được tới máy chủ của nhóm.")
    dialog.connect_to_server()  # Connect tests first: a server that fails is never saved
    qtbot.waitUntil(lambda: not dialog.testing, timeout=15_000)
    assert c.desk.settings.team_server == {} and c.restarts == 0 and dialog.isVisible()


@pytest.mark.postgresql_only
def test_connect_saves_the_choice_without_the_password_and_the_password_in_the_keyring(connect, test_db, qtbot,
                                                                                      memory_keyring):
    c = connect()
    dialog = c.open(test_db.url)
    dialog.tls.setCurrentIndex(dialog.tls.findData("require"))
    dialog.connect_to_server()
    # The test server has no TLS: "require" is refused with its own reason, nothing saved.
    qtbot.waitUntil(lambda: not dialog.testing, timeout=15_000)
    assert "does not accept encrypted" in dialog.result.text() and c.desk.settings.team_server == {}

    dialog.tls.setCurrentIndex(dialog.tls.findData("disable"))
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: c.restarts == 1, timeout=15_000)
    u = make_url(test_db.url)
    saved = json.loads(c.settings_file.read_text(encoding="utf-8"))["team_server"]
    assert saved == {"host": u.host, "port": u.port, "database": u.database, "user": u.username,
                     "tls_mode": "disable", "ca_file": "", "remember_password": True}
    assert PASSWORD not in c.settings_file.read_text(encoding="utf-8")
    name = f"{u.username}@{u.host}:{u.port}/{u.database}"
    assert memory_keyring.store == {(KEYRING_SERVICE, name): PASSWORD}
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()  # closed
    assert c.actions.act_local.isVisible()


@pytest.mark.postgresql_only
def test_without_a_credential_store_connect_still_works_and_says_the_password_is_not_remembered(
        connect, test_db, qtbot, no_keyring):
    c = connect()
    dialog = c.open(test_db.url)
    told = []
    dialog.inform = told.append
    dialog.connect_to_server()
    qtbot.waitUntil(lambda: c.restarts == 1, timeout=15_000)
    assert c.desk.settings.team_server["host"] == make_url(test_db.url).host
    assert told and "will not be remembered" in told[0]


@pytest.mark.sqlite_only
def test_verify_full_needs_a_ca_file_and_nothing_is_tested_without_one(connect, qtbot, tmp_path, memory_keyring):
    c = connect()
    dialog = c.open("postgresql+psycopg://nhanvien@helpdesk-server:5432/helpdesk")
    assert not dialog.ca_box.isEnabled()
    dialog.tls.setCurrentIndex(dialog.tls.findData("verify-full"))
    assert dialog.ca_box.isEnabled()
    dialog.test_connection()
    assert not dialog.testing and "Choose the CA certificate file" in dialog.result.text()
    dialog.ca_file.setText(str(tmp_path / "missing.crt"))
    dialog.test_connection()
    assert dialog.result.text() == "The CA certificate file does not exist."
    dialog.host.clear()
    dialog.test_connection()
    assert dialog.result.text() == "Enter the server's address."


@pytest.mark.sqlite_only
def test_the_status_bar_shows_local_file_or_host_and_database_never_a_path(connect, vietnamese):
    local = connect()
    label = local.desk.window.database_label
    assert label.text() == "Máy này" and "/" not in label.text()
    vietnamese.set_language("en")
    assert label.text() == "This computer"
    TeamServerActions(local.desk.window, ServerAccess(
        probe=probe_server, explain=str, restart=lambda: None, credentials=Credentials(),
        settings=Settings(), save_settings=lambda: None, server_label="helpdesk-server/helpdesk"))
    assert label.text() == "helpdesk-server/helpdesk"


@pytest.mark.sqlite_only
def test_use_the_local_file_forgets_the_server_in_one_click_and_keeps_a_remembered_password(connect,
                                                                                           memory_keyring):
    server = TeamServer(host="helpdesk-server", database="helpdesk", user="nhanvien")
    Credentials().set(server.credential_name, PASSWORD)
    c = connect(server_label=server.label)
    c.desk.settings.team_server = server.to_dict()
    c.actions._update()
    assert c.actions.act_local.isVisible() and c.actions.act_local.text() == "Use the &local database file"
    c.actions.act_local.trigger()
    assert c.desk.settings.team_server == {} and c.restarts == 1
    assert json.loads(c.settings_file.read_text(encoding="utf-8"))["team_server"] == {}
    assert not c.actions.act_local.isVisible()
    assert memory_keyring.store == {(KEYRING_SERVICE, server.credential_name): PASSWORD}

    # Not to be remembered: the password goes too.
    forgetful = TeamServer(host="helpdesk-server", database="helpdesk", user="nhanvien", remember_password=False)
    c.desk.settings.team_server = forgetful.to_dict()
    c.actions.use_local_file()
    assert memory_keyring.store == {}


# -- start-up: the address of the saved team server -----------------------------------------
def test_the_start_up_url_comes_from_the_saved_choice_and_the_keyring(memory_keyring):
    settings = Settings(team_server=TeamServer(host="10.0.0.5", database="hỗ trợ", user="nguyễn", port=5433,
                                               tls_mode="verify-full", ca_file="/etc/ca dir/root.crt").to_dict())
    server = TeamServer.from_dict(settings.team_server)
    Credentials().set("nguyễn@10.0.0.5:5433/hỗ trợ", PASSWORD)
    url = team_server_url(server, Credentials(), ask_password=lambda s: pytest.fail("asked"))
    u = make_url(url)
    assert (u.drivername, u.host, u.port, u.database, u.username, u.password) == (
        "postgresql+psycopg", "10.0.0.5", 5433, "hỗ trợ", "nguyễn", PASSWORD)
    assert dict(u.query) == {"sslmode": "verify-full", "sslrootcert": "/etc/ca dir/root.crt"}
    assert PASSWORD not in url  # escaped


def test_without_a_saved_password_the_start_up_asks_for_it_or_gives_up(memory_keyring):
    server = TeamServer(host="helpdesk-server", database="helpdesk", user="nhanvien")
    asked = []
    url = team_server_url(server, Credentials(), lambda s: asked.append(s) or "typed")
    assert asked == [server] and make_url(url).password == "typed"
    assert make_url(url).query == {"sslmode": "disable"}
    assert team_server_url(server, Credentials(), lambda s: None) is None  # cancelled


def test_no_credential_store_means_asking_not_a_crash(no_keyring, caplog):
    server = TeamServer(host="helpdesk-server", database="helpdesk", user="nhanvien")
    assert Credentials().set(server.credential_name, PASSWORD) is False
    assert make_url(team_server_url(server, Credentials(), lambda s: "typed")).password == "typed"
    assert PASSWORD not in caplog.text


def test_an_unusable_saved_choice_is_the_local_file(caplog):
    assert TeamServer.from_dict({}) is None
    assert TeamServer.from_dict({"host": "x", "database": "y", "user": "z", "tls_mode": "sometimes"}) is None
    assert TeamServer.from_dict({"host": "x"}) is None
    caplog.clear()  # both were logged as warnings, as they should


def test_restart_keeps_the_arguments_but_not_the_database_url_or_the_demo():
    _program, arguments = restart_command(["--data-dir", "/tmp/d", "--database-url", "sqlite:///x", "--demo",
                                          "--lang=vi"])
    assert arguments[-3:] == ["--data-dir", "/tmp/d", "--lang=vi"]
    assert "--demo" not in arguments and "sqlite:///x" not in arguments


def test_the_restart_after_a_restore_reopens_the_restored_file_not_the_saved_server():
    """A desk that fell back to its local file (the team server was down), or was started on
    another file with --database-url, restores a backup: it must reopen that file."""
    _program, arguments = restart_command(["--data-dir", "/tmp/d", "--database-url", "postgresql+psycopg://h/db"],
                                          "sqlite:////tmp/d/helpdesk.sqlite3")
    assert arguments[-4:] == ["--data-dir", "/tmp/d", "--database-url", "sqlite:////tmp/d/helpdesk.sqlite3"]
    assert "postgresql+psycopg://h/db" not in arguments


def _run_app(*args, env_extra):
    import os
    import subprocess
    import sys

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **env_extra)
    return subprocess.run([sys.executable, "-m", "desktop_helpdesk", *args], check=False,
                          capture_output=True, text=True, timeout=120, env=env)


def _save_choice(data_dir, server: TeamServer) -> None:
    Settings(language="en", team_server=server.to_dict()).save(data_dir / "config" / "settings.json")


def test_at_start_a_saved_server_without_a_password_is_explained_not_a_traceback(tmp_path):
    server = TeamServer(host="127.0.0.1", database="helpdesk", user="nhanvien", port=_free_port())
    _save_choice(tmp_path, server)
    result = _run_app("--self-test", "--data-dir", str(tmp_path),
                      env_extra={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert result.returncode == 2
    assert "No password for the team server 127.0.0.1/helpdesk." in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "helpdesk.sqlite3").exists()  # the local file was not opened instead


@pytest.mark.postgresql_only
def test_at_start_the_saved_server_opens_with_the_password_from_the_keyring(test_db, tmp_path):
    u = make_url(test_db.install("migrated"))
    server = TeamServer(host=u.host, database=u.database, user=u.username, port=u.port)
    _save_choice(tmp_path, server)
    result = _run_app("--self-test", "--data-dir", str(tmp_path), env_extra={
        "PYTHON_KEYRING_BACKEND": "tests.ui.test_connect.EnvKeyring",
        "HELPDESK_TEST_KEYRING": json.dumps({server.credential_name: PASSWORD})})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("self-test OK")
    assert not (tmp_path / "helpdesk.sqlite3").exists()  # the server, not the local file
    log = (tmp_path / "logs" / "desktop-helpdesk.log").read_text(encoding="utf-8")
    assert f"{u.host}:{u.port}/{u.database}" in log and PASSWORD not in log
