"""Shared fixtures: offscreen Qt, app folders in tmp_path, a real migrated SQLite file.

QT_QPA_PLATFORM is set before anything imports Qt. Tests pin the language and fail on an
unexpected logged warning or error, so a swallowed failure can't pass silently.

The migrated database (and the demo data set at a given clock) is built once per session by
the real code (`open_database`, `load_demo`) into a template file; each test gets its own
copy of that file in its tmp_path, then opens it with `open_database` as the app would.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from pathlib import Path

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
    config.addinivalue_line("markers", "sqlite_only: the test is about SQLite files (WAL, locks, corrupt files)")
    config.addinivalue_line("markers", "postgresql_only: the test is about the team server")


class Templates:
    """Database files built once per session, each by the real code, for tests to copy.

    Built on first use only: a run that never asks for the demo never loads it."""

    def __init__(self, folder: Path):
        self._folder = folder
        self._built: dict[object, Path] = {}

    def migrated(self) -> Path:
        """An empty database at the newest schema, built by the migrations (`open_database`)."""
        if "migrated" not in self._built:
            from desktop_helpdesk.db.engine import open_database, sqlite_url

            path = self._folder / "migrated.sqlite3"
            engine, outcome = open_database(sqlite_url(path))
            engine.dispose()
            assert outcome == "created"
            self._built["migrated"] = _settled(path)
        return self._built["migrated"]

    def demo(self, now) -> Path:
        """The migrated database with the demo loaded at the fixed time `now`, through a
        context whose one clock reads `now` throughout: the rows a test loading it itself
        would get, except what differs between any two loads anyway (random uuids and
        answer-hash salts, and the tickets' `updated_at`, which the model stamps from the
        wall clock when the demo sets their SLA clocks)."""
        key = ("demo", now)
        if key not in self._built:
            from desktop_helpdesk.db.engine import sqlite_url

            path = self._folder / f"demo-{now:%Y%m%dT%H%M%S%z}.sqlite3"
            self.copy(self.migrated(), path)
            _load_demo(sqlite_url(path), now)
            self._built[key] = _settled(path)
        return self._built[key]

    def pg_template(self, server, template: str, now=None) -> str:
        """The name of a template database on the PostgreSQL server, built like the files."""
        key = ("pg", template, now)
        if key not in self._built:
            from desktop_helpdesk.db.engine import open_database

            name = server.new_database_name(f"tmpl_{template}")
            if template == "migrated":
                url = server.create_database(name)
                engine, outcome = open_database(url)
                engine.dispose()
                assert outcome == "created"
            else:
                _load_demo(server.create_database(name, template=self.pg_template(server, "migrated")), now)
            server.mark_template(name)
            self._built[key] = name
        return self._built[key]

    @staticmethod
    def copy(template: Path, target: Path) -> Path:
        """A test's own copy of a template; the target must not exist (nor its WAL)."""
        for p in (target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
            assert not p.exists(), f"{p} already exists"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
        return target


def _load_demo(url: str, now) -> None:
    """Load the demo into the migrated database at `url` through a context whose one clock
    reads `now` throughout (see Templates.demo)."""
    from desktop_helpdesk.db.engine import open_database
    from desktop_helpdesk.db.uow import uow_factory
    from desktop_helpdesk.services.context import make_context
    from desktop_helpdesk.services.demo import load_demo

    engine, outcome = open_database(url)
    assert outcome == "current"
    try:
        clock = lambda: now  # noqa: E731
        load_demo(make_context(uow_factory(engine, clock), clock))
    finally:
        engine.dispose()


def _settled(path: Path) -> Path:
    """Fold the WAL into the main file, so that the main file alone is the whole database."""
    con = sqlite3.connect(str(path), isolation_level=None)
    try:
        busy, _, _ = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        con.close()  # the last connection: SQLite removes the -wal and -shm files
    assert busy == 0, f"{path} is still in use"
    for side in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        assert not side.exists() or side.stat().st_size == 0, f"{side} left behind"
    return path


@pytest.fixture(scope="session")
def templates(tmp_path_factory) -> Templates:
    return Templates(tmp_path_factory.mktemp("templates"))


ENGINES = ("sqlite", "postgresql")


def pytest_addoption(parser):
    parser.addoption("--engine", action="append", choices=ENGINES,
                     help="run the database tests on this engine only (repeatable; default: both)")


def pytest_generate_tests(metafunc):
    """Every test that uses a database runs on each engine, unless marked for one."""
    if "engine_kind" not in metafunc.fixturenames:
        return
    kinds = list(metafunc.config.getoption("engine") or ENGINES)
    if metafunc.definition.get_closest_marker("sqlite_only"):
        kinds = [k for k in kinds if k == "sqlite"]
    if metafunc.definition.get_closest_marker("postgresql_only"):
        kinds = [k for k in kinds if k == "postgresql"]
    metafunc.parametrize("engine_kind", kinds, scope="function")


def pytest_terminal_summary(terminalreporter):
    """How many tests ran on each engine: a run that silently skipped one would show 0."""
    counts = {kind: 0 for kind in ENGINES}
    for report in terminalreporter.stats.get("passed", []):
        if report.when != "call":
            continue
        params = report.nodeid.rpartition("[")[2]
        for kind in ENGINES:
            if kind in params.rstrip("]").split("-"):
                counts[kind] += 1
    terminalreporter.write_line(
        "database tests passed: " + ", ".join(f"{n} on {kind}" for kind, n in counts.items()))


@pytest.fixture(scope="session")
def pg_server():
    """The session's PostgreSQL server (started on first use; see tests/pgserver.py)."""
    from tests.pgserver import PostgresServer

    server = PostgresServer()
    yield server
    server.stop()


class TestDatabase:
    """The database a test uses, on its engine: a file in tmp_path, or a database of its own
    on the session's PostgreSQL server (dropped after the test)."""

    __test__ = False

    def __init__(self, kind: str, tmp_path: Path, templates: Templates, request):
        from desktop_helpdesk.db.engine import sqlite_url

        self.kind = kind
        self._templates = templates
        self._request = request
        self._pg_name = None
        if kind == "sqlite":
            self.path = tmp_path / "helpdesk.sqlite3"
            self.url = sqlite_url(self.path)
        else:
            self.path = None
            self._pg = request.getfixturevalue("pg_server")
            self._pg_name = self._pg.new_database_name()
            self.url = self._pg.url(self._pg_name)
        self._exists = False

    def exists(self) -> bool:
        return self.path.exists() if self.path is not None else self._exists

    def ensure_empty(self) -> str:
        """An empty database (no file yet on SQLite: opening creates it)."""
        if self.path is None and not self._exists:
            self._pg.create_database(self._pg_name)
            self._exists = True
        return self.url

    def install(self, template: str, now=None) -> str:
        """A copy of a session template ("migrated", or "demo" at `now`) in place."""
        assert not self.exists(), "the test's database is already in place"
        if self.path is not None:
            source = self._templates.migrated() if template == "migrated" else self._templates.demo(now)
            self._templates.copy(source, self.path)
        else:
            name = self._templates.pg_template(self._pg, template, now)
            self._pg.create_database(self._pg_name, template=name)
            self._exists = True
        return self.url

    def drop(self) -> None:
        if self._pg_name is not None and self._exists:
            self._pg.drop_database(self._pg_name)
            self._exists = False


@pytest.fixture
def engine_kind():
    """Overridden by parametrisation (see pytest_generate_tests)."""
    return "sqlite"


@pytest.fixture
def test_db(engine_kind, tmp_path, templates, request):
    db = TestDatabase(engine_kind, tmp_path, templates, request)
    yield db
    db.drop()


@pytest.fixture
def db_url(test_db):
    """Where the test's database goes: no file yet on SQLite, an empty database on
    PostgreSQL (see `migrated_db_url`, `engine`)."""
    return test_db.ensure_empty()


@pytest.fixture
def migrated_db_url(test_db, templates):
    """The test's database, migrated and empty, for a test that opens it itself."""
    return test_db.install("migrated")


@pytest.fixture
def engine(migrated_db_url):
    """A real database built by the migrations exactly as the app builds it (a copy of the
    session's migrated template), opened by `open_database` as the app opens it."""
    from desktop_helpdesk.db.engine import open_database

    engine, _ = open_database(migrated_db_url)
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
