"""The team server: what a desk is told when it cannot use it (each case against the session's
real PostgreSQL server), the rule that desks never upgrade it, and the administrator's
`desktop-helpdesk server upgrade|check` commands (on both engines)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from desktop_helpdesk.app import database_error_message
from desktop_helpdesk.db import engine as db_engine
from desktop_helpdesk.db import migrate
from desktop_helpdesk.db.engine import make_engine, open_database
from desktop_helpdesk.domain.errors import DatabaseOpenError as E

ROOT = Path(__file__).resolve().parents[2]

from desktop_helpdesk.db.migrate import SCHEMA_HEAD as HEAD


def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


def password_role(pg_server, password: str) -> str:
    """A login role that must give its password over TCP (the test cluster trusts everyone
    else): a line for it alone goes first in pg_hba.conf, and the server reloads it."""
    import psycopg

    name = pg_server.new_database_name("clerk")
    u = make_url(pg_server.admin_url)
    with psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database,
                         autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
        hba = Path(conn.execute("SHOW hba_file").fetchone()[0])
        hba.write_text(f"host all {name} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        conn.execute("SELECT pg_reload_conf()")
    deadline = time.monotonic() + 10
    while True:  # the reload is a signal: wait until the server asks this role for its password
        try:
            psycopg.connect(host=u.host, port=u.port, user=name, password="not-it", dbname=u.database,
                            connect_timeout=3).close()
        except psycopg.OperationalError:
            return name
        if time.monotonic() > deadline:
            raise AssertionError("the server never asked for the password")
        time.sleep(0.1)


def server_url(pg_server, **parts) -> str:
    return make_url(pg_server.admin_url).set(**parts).render_as_string(hide_password=False)


def refused(url: str) -> E:
    with pytest.raises(E) as info:
        open_database(url)
    return info.value


def message(reason: str, language: str, server: bool = True) -> str:
    from desktop_helpdesk.i18n import Translator, install
    from desktop_helpdesk.paths import translations_dir

    install(Translator(translations_dir(), language))
    try:
        return database_error_message(reason, server=server)
    finally:
        install(None)


# --- what a desk is told ---------------------------------------------------------------

def test_a_server_that_is_down_is_told_as_such(pg_server):
    err = refused(f"postgresql+psycopg://clerk:S3cret-pw@127.0.0.1:{closed_port()}/helpdesk")
    assert err.reason == E.SERVER_DOWN
    assert "S3cret-pw" not in str(err)
    assert "cannot be reached" in message(err.reason, "en")
    assert "Không kết nối được tới máy chủ" in message(err.reason, "vi")


def test_a_wrong_password_is_told_as_such_and_not_repeated(pg_server):
    role = password_role(pg_server, "Right-pw-1")
    err = refused(server_url(pg_server, username=role, password="S3cret-pw"))
    assert err.reason == E.BAD_LOGIN
    assert "S3cret-pw" not in str(err) and "Right-pw-1" not in str(err)
    assert "user name or password" in message(err.reason, "en")
    assert "mật khẩu" in message(err.reason, "vi")


def test_an_unknown_user_is_a_bad_login(pg_server):
    assert refused(server_url(pg_server, username="nobody_here")).reason == E.BAD_LOGIN


def test_a_missing_database_is_told_as_such_and_not_created(pg_server):
    name = pg_server.new_database_name("missing")
    assert refused(pg_server.url(name)).reason == E.NO_DATABASE
    probe = make_engine(pg_server.admin_url)
    try:
        with probe.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": name}).scalar() == 0
    finally:
        probe.dispose()
    assert "does not exist on the team server" in message(E.NO_DATABASE, "en")
    assert "không có trên máy chủ" in message(E.NO_DATABASE, "vi")


@pytest.mark.postgresql_only
def test_another_programs_database_on_the_server_is_refused_untouched(test_db, engine_kind):
    url = test_db.ensure_empty()
    probe = make_engine(url)
    try:
        with probe.begin() as conn:
            conn.execute(text("CREATE TABLE so_cai (id integer PRIMARY KEY, dien_giai text)"))
        assert refused(url).reason == E.CORRUPT
        with probe.connect() as conn:
            assert inspect(conn).get_table_names() == ["so_cai"]
    finally:
        probe.dispose()
    assert "belongs to another program" in message(E.CORRUPT, "en")
    assert "thuộc về một chương trình khác" in message(E.CORRUPT, "vi")


@pytest.mark.postgresql_only
def test_a_server_older_than_13_is_refused_before_anything_is_written(test_db, engine_kind, monkeypatch):
    """The real server's server_version_num, read after connecting, against a minimum
    set above it (the test cluster is newer than 13)."""
    url = test_db.ensure_empty()
    monkeypatch.setattr(db_engine, "MIN_SERVER_VERSION", 99_000_000)
    assert refused(url).reason == E.SERVER_TOO_OLD
    probe = make_engine(url)
    try:
        with probe.connect() as conn:
            assert inspect(conn).get_table_names() == []
    finally:
        probe.dispose()
    assert "older than 13" in message(E.SERVER_TOO_OLD, "en")
    assert "cũ hơn phiên bản 13" in message(E.SERVER_TOO_OLD, "vi")


def test_tls_required_against_a_server_without_tls_is_told_as_such(pg_server):
    err = refused(pg_server.url("postgres") + "?sslmode=require")
    assert err.reason == E.TLS_REFUSED
    assert "TLS" in message(err.reason, "en") and "mã hóa" in message(err.reason, "vi")


def test_a_newer_schema_on_the_server_says_to_update_the_program():
    assert "update Desktop Helpdesk on this computer" in message(E.NEWER, "en")
    assert "cập nhật Desktop Helpdesk" in message(E.NEWER, "vi")
    assert "Install the newer version" in message(E.NEWER, "en", server=False)  # a file: as before


def test_every_reason_has_its_own_message_in_both_languages():
    reasons = [v for k, v in vars(E).items() if k.isupper()]
    for language in ("en", "vi"):
        generic = message("no such reason", language)
        for reason in reasons:
            assert message(reason, language) != generic, (language, reason)
            assert message(reason, language, server=False) != generic, (language, reason)


# --- desks never upgrade a shared server ---------------------------------------------------

def _downgrade(url: str, revision: str) -> None:
    from alembic import command

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            command.downgrade(migrate._alembic_config(conn), revision)
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


def run_cli(*args, timeout=120, wait=True):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-m", "desktop_helpdesk", *args]
    if not wait:
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    return subprocess.run(argv, check=False, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.mark.postgresql_only
def test_a_desk_refuses_an_older_server_schema_and_the_administrator_upgrades_it(migrated_db_url, engine_kind):
    _downgrade(migrated_db_url, "0009")
    err = refused(migrated_db_url)
    assert err.reason == E.SCHEMA_OLDER
    assert _revision(migrated_db_url) == "0009"  # untouched
    assert "desktop-helpdesk server upgrade" in message(E.SCHEMA_OLDER, "en")
    assert "older than this program" in message(E.SCHEMA_OLDER, "en")
    assert "cũ hơn chương trình này" in message(E.SCHEMA_OLDER, "vi")

    check = run_cli("server", "check", "--lang", "en", "--database-url", migrated_db_url)
    assert check.returncode == 1, check.stderr
    assert f"schema version: 0009 (this program: {HEAD})" in check.stdout
    assert "schema: older than this program" in check.stdout

    done = run_cli("server", "upgrade", "--lang", "en", "--database-url", migrated_db_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"database schema upgraded to version {HEAD}"
    assert _revision(migrated_db_url) == migrate.SCHEMA_HEAD
    engine, outcome = open_database(migrated_db_url)
    engine.dispose()
    assert outcome == "current"


@pytest.mark.sqlite_only
def test_a_sqlite_file_is_still_copied_and_upgraded_by_the_desk(migrated_db_url, tmp_path, engine_kind):
    _downgrade(migrated_db_url, "0009")
    engine, outcome = open_database(migrated_db_url)
    engine.dispose()
    assert outcome == "upgraded"
    assert list(tmp_path.glob("helpdesk.before-0009-*.sqlite3"))


@pytest.mark.postgresql_only
def test_a_desk_may_give_an_empty_server_database_its_first_schema(db_url, engine_kind):
    engine, outcome = open_database(db_url)
    engine.dispose()
    assert outcome == "created"


@pytest.mark.postgresql_only
def test_two_upgrades_at_once_wait_for_each_other(migrated_db_url, engine_kind):
    """The administrator's upgrade waits for the advisory lock another one holds, then finds
    the schema current (read again under the lock) instead of migrating it a second time."""
    _downgrade(migrated_db_url, "0009")
    holder = make_engine(migrated_db_url)
    conn = holder.connect()
    try:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": migrate.ADVISORY_LOCK_KEY})
        conn.commit()  # a session lock: held past the transaction
        waiting = run_cli("server", "upgrade", "--lang", "en", "--database-url", migrated_db_url, wait=False)
        time.sleep(3)
        assert waiting.poll() is None, waiting.communicate()
        # Meanwhile "the other admin" finishes the upgrade, then lets go of the lock.
        from alembic import command

        with conn.begin():
            command.upgrade(migrate._alembic_config(conn), "head")
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": migrate.ADVISORY_LOCK_KEY})
        conn.commit()
        out, err = waiting.communicate(timeout=120)
    finally:
        conn.close()
        holder.dispose()
    assert waiting.returncode == 0, err
    assert out.strip() == f"database schema upgraded to version {HEAD}"
    assert _revision(migrated_db_url) == migrate.SCHEMA_HEAD


# --- server check ---------------------------------------------------------------------------

def test_check_on_a_current_protected_database_exits_zero_and_counts_rows(migrated_db_url, engine_kind):
    result = run_cli("server", "check", "--lang", "en", "--database-url", migrated_db_url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"schema version: {HEAD} (this program: {HEAD})"
    assert lines[1] == "schema: up to date"
    assert "rows in customers: 0" in lines and "rows in ticket_events: 0" in lines
    assert lines[-1] == "history protection: in place"
    assert not any("fts" in line or "alembic_version" in line for line in lines)

    vi = run_cli("server", "check", "--lang", "vi", "--database-url", migrated_db_url)
    assert vi.returncode == 0 and "bảo vệ lịch sử: đã có" in vi.stdout


def test_check_names_a_missing_history_protection_and_exits_non_zero(migrated_db_url, engine_kind):
    engine = make_engine(migrated_db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP TRIGGER ticket_events_append_only_delete" +
                              (" ON ticket_events" if engine_kind == "postgresql" else "")))
    finally:
        engine.dispose()
    result = run_cli("server", "check", "--lang", "en", "--database-url", migrated_db_url)
    assert result.returncode == 1
    assert "history protection: missing ticket_events_append_only_delete" in result.stdout


def test_check_on_an_empty_database_says_to_upgrade_and_upgrade_creates_it(db_url, engine_kind):
    if engine_kind == "postgresql":
        check = run_cli("server", "check", "--lang", "en", "--database-url", db_url)
        assert check.returncode == 1
        assert "schema: none (empty database); run `desktop-helpdesk server upgrade`" in check.stdout
    else:  # no file yet: check creates nothing
        check = run_cli("server", "check", "--lang", "en", "--database-url", db_url)
        assert check.returncode == 2 and "does not exist" in check.stderr
        assert not Path(make_url(db_url).database).exists()
    done = run_cli("server", "upgrade", "--lang", "en", "--database-url", db_url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"database schema created (version {HEAD})"
    again = run_cli("server", "upgrade", "--lang", "vi", "--database-url", db_url)
    assert again.stdout.strip() == f"lược đồ cơ sở dữ liệu đã là bản mới nhất (phiên bản {HEAD})"


def test_server_commands_on_an_unreachable_server_explain_and_exit_2(pg_server):
    url = f"postgresql+psycopg://admin:S3cret-pw@127.0.0.1:{closed_port()}/helpdesk"
    for command in ("check", "upgrade"):
        result = run_cli("server", command, "--lang", "vi", "--database-url", url)
        assert result.returncode == 2
        assert "Không kết nối được tới máy chủ của nhóm" in result.stderr
        assert "S3cret-pw" not in result.stdout + result.stderr and "Traceback" not in result.stderr


def test_server_help_names_both_commands():
    result = run_cli("server", "--help")
    assert result.returncode == 0 and "upgrade" in result.stdout and "check" in result.stdout
