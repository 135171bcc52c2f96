"""Shared fixtures: offscreen Qt, app folders in tmp_path, a real migrated SQLite file.

QT_QPA_PLATFORM is set before anything imports Qt. Tests pin the language and fail on an
unexpected logged warning or error, so a swallowed failure can't pass silently.
"""

from __future__ import annotations

import logging
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every app folder (appdirs, Qt settings) points into the test's own tmp_path."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))


@pytest.fixture(autouse=True)
def _fail_on_logged_errors(caplog, request):
    """A test that logs a warning or error it did not expect fails."""
    caplog.set_level(logging.WARNING)
    yield
    if request.node.get_closest_marker("allow_log_errors"):
        return
    bad = [r for r in caplog.get_records("call") if r.levelno >= logging.WARNING]
    if bad:
        pytest.fail("unexpected log records: " + "; ".join(f"{r.levelname} {r.name}: {r.getMessage()}" for r in bad))


def pytest_configure(config):
    config.addinivalue_line("markers", "allow_log_errors: the test expects warnings or errors in the log")


@pytest.fixture
def db_url(tmp_path):
    from desktop_helpdesk.db.engine import sqlite_url

    return sqlite_url(tmp_path / "helpdesk.sqlite3")


@pytest.fixture
def engine(db_url):
    """A real SQLite file, built by the migrations exactly as the app builds it."""
    from desktop_helpdesk.db.engine import open_database

    engine, _ = open_database(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def ctx(engine):
    from desktop_helpdesk.db.uow import uow_factory
    from desktop_helpdesk.services.context import make_context

    return make_context(uow_factory(engine))


@pytest.fixture
def translator():
    """English, pinned; tests that need Vietnamese switch explicitly."""
    from desktop_helpdesk.i18n import Translator, install
    from desktop_helpdesk.paths import translations_dir

    t = Translator(translations_dir(), "en")
    install(t)
    yield t
    install(None)
