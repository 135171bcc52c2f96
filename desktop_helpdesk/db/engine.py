"""Engine creation and the translation of driver failures into DatabaseOpenError."""

from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from ..domain.errors import ConnectionLost, DatabaseOpenError
from . import cipher
from .location import network_share_of
from .migrate import ensure_schema

BUSY_TIMEOUT_MS = 5000


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).as_posix()}"


def sqlite_path_of(url: str) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def _set_sqlite_pragmas(dbapi_conn, busy_timeout_ms: int) -> None:
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        # 32 MB of pages per connection instead of 2 MB: an import's 5,000-row chunks update
        # the word and trigram indexes of every row without re-reading their pages (an
        # import of 100,000 customers: about half the writing time; benchmarks/README.md).
        cur.execute("PRAGMA cache_size = -32768")
    finally:
        cur.close()


def make_engine(url: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    u = make_url(url)
    # A failed statement's text reaches the log with its traceback: never its parameters
    # (customers' names, phones, e-mails, notes).
    if u.get_backend_name() == "sqlite":
        key = cipher.key_for(sqlite_path_of(url))
        extra = {"module": cipher.module()} if key else {}
        engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000}, hide_parameters=True, **extra)
        if key:  # the offline copy: the key before anything else reads the file
            event.listen(engine, "connect", lambda conn, rec: cipher.apply_key(conn, key))
        event.listen(engine, "connect", lambda conn, rec: _set_sqlite_pragmas(conn, busy_timeout_ms))
        return engine
    engine = create_engine(url, pool_pre_ping=True, hide_parameters=True, connect_args=SERVER_CONNECT_ARGS)
    event.listen(engine, "handle_error", _without_values)
    return engine


#: A desk on the team server: give up connecting after 10 s, and notice a dead connection
#: (a dropped VPN, a server restarted) within about half a minute instead of hanging.
SERVER_CONNECT_ARGS = {
    "connect_timeout": 10,
    "application_name": "Desktop Helpdesk",
    "keepalives": 1,
    "keepalives_idle": 15,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}

_QUOTED_VALUE = re.compile(r':\s*".*"\s*$', re.S)


def _is_connection_failure(context, orig) -> bool:
    """The server is gone (refused, closed, timed out, shutting down), as opposed to a
    statement it refused: SQLSTATE class 08 (connection exception), 57P01-57P03 (admin
    shutdown, crash shutdown, cannot connect now), a connection the driver found broken."""
    if context.is_disconnect:
        return True
    state = getattr(getattr(orig, "diag", None), "sqlstate", None) or getattr(orig, "sqlstate", None) or ""
    if state.startswith("08") or state in ("57P01", "57P02", "57P03"):
        return True
    # Failing to connect at all has no SQLSTATE (refused, timed out, DNS).
    return not state and type(orig).__name__ == "OperationalError" and context.connection is None


#: What the app's own database functions raise (migration 0010): kept in error texts, no value in them.
_OWN_RAISES = frozenset({"ticket history is append-only"})


def _without_values(context):
    """PostgreSQL's error messages quote the values a statement carried ("DETAIL: Key
    (phone)=(0912 345 678) already exists", 'invalid input syntax for type integer: "abc"'):
    keep the primary message without any quoted value, so what the user typed never reaches
    an error text or the log (as hide_parameters keeps the parameters out)."""
    orig = context.original_exception
    err = context.sqlalchemy_exception
    if not isinstance(err, DBAPIError) or not isinstance(orig, context.dialect.loaded_dbapi.Error):
        return None
    if _is_connection_failure(context, orig):
        lost = ConnectionLost(type(orig).__name__)
        lost.__cause__ = None
        return lost
    diag = getattr(orig, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    if not primary:
        primary = str(orig).split("\n", 1)[0]
    if getattr(orig, "sqlstate", None) == "P0001" and primary not in _OWN_RAISES:
        # RAISE EXCEPTION in a function: its text is whatever the function put in (a trigger of
        # another program may quote the row), so only the app's own texts are kept.
        primary = "raised by a database function or trigger (P0001)"
    orig.args = (_QUOTED_VALUE.sub("", primary),)
    return DBAPIError.instance(context.statement, None, orig, context.dialect.loaded_dbapi.Error,
                              hide_parameters=True, connection_invalidated=context.is_disconnect,
                              dialect=context.dialect)


#: The oldest PostgreSQL the migrations and queries are written for (`server_version_num`).
MIN_SERVER_VERSION = 130000

# Errors PostgreSQL reports with an SQLSTATE (after connecting, or when the driver has one).
_SQLSTATES = {
    "28P01": DatabaseOpenError.BAD_LOGIN,  # invalid_password
    "28000": DatabaseOpenError.BAD_LOGIN,  # invalid_authorization_specification (no such role, pg_hba)
    "3D000": DatabaseOpenError.NO_DATABASE,  # invalid_catalog_name
    "57P03": DatabaseOpenError.SERVER_DOWN,  # cannot_connect_now (starting up, shutting down)
    "53300": DatabaseOpenError.SERVER_DOWN,  # too_many_connections
}
# libpq reports a failed connection without an SQLSTATE (psycopg's `sqlstate` is None):
# its message text is all there is. libpq's own texts are English; the server's FATAL ones
# follow the server's lc_messages (English on a default install). First match wins.
_SERVER_TEXTS = (
    (DatabaseOpenError.TLS_REFUSED, re.compile(r"server does not support ssl|ssl was required|ssl is not supported")),
    (DatabaseOpenError.BAD_LOGIN, re.compile(r"password authentication failed|no password supplied|"
                                             r"no pg_hba\.conf entry|authentication failed for user|"
                                             r'role "[^"]*" does not exist|is not permitted to log in')),
    (DatabaseOpenError.NO_DATABASE, re.compile(r'database "[^"]*" does not exist')),
    (DatabaseOpenError.SERVER_DOWN, re.compile(r"connection refused|could not connect|timeout expired|"
                                               r"could not translate host name|name or service not known|"
                                               r"no route to host|network is unreachable|connection timed out|"
                                               r"server closed the connection|could not receive data|"
                                               r"the database system is (starting up|shutting down)")),
)


def classify(exc: BaseException) -> DatabaseOpenError:
    """Turn a driver error raised while opening into a reason the user can act on."""
    if isinstance(exc, DatabaseOpenError):
        return exc
    if isinstance(exc, ConnectionLost) and exc.__cause__ is not None:
        exc = exc.__cause__  # what the driver said (see _without_values)
    orig = getattr(exc, "orig", None) or exc
    msg = str(orig or exc).lower()
    if isinstance(orig, sqlite3.Error):
        if "locked" in msg or "busy" in msg:
            return DatabaseOpenError(DatabaseOpenError.LOCKED, msg)
        if "readonly" in msg or "read-only" in msg or "read only" in msg or "unable to open" in msg:
            return DatabaseOpenError(DatabaseOpenError.READ_ONLY, msg)
        if "not a database" in msg or "malformed" in msg or "corrupt" in msg:
            return DatabaseOpenError(DatabaseOpenError.CORRUPT, msg)
        return DatabaseOpenError(DatabaseOpenError.UNREACHABLE, msg)
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _SQLSTATES:
        return DatabaseOpenError(_SQLSTATES[sqlstate], msg)
    if sqlstate and sqlstate.startswith("08"):  # connection_exception
        return DatabaseOpenError(DatabaseOpenError.SERVER_DOWN, msg)
    if sqlstate is None:
        for reason, pattern in _SERVER_TEXTS:
            if pattern.search(msg):
                return DatabaseOpenError(reason, msg)
    return DatabaseOpenError(DatabaseOpenError.UNREACHABLE, msg)


def _without_secret(err: DatabaseOpenError, url: str) -> DatabaseOpenError:
    """The detail goes to the log: never with the address's password in it."""
    password = password_of(url)
    if password and password in str(err):
        err.detail = err.detail.replace(password, "***")
        err.args = tuple(str(a).replace(password, "***") for a in err.args)
    return err


_URL_PASSWORD = re.compile(r"^[^:/]+://[^:/@?#]*:([^@]*)@")


def password_of(url: str) -> str | None:
    """The password in a database URL (also in one SQLAlchemy cannot parse), else None."""
    try:
        password = make_url(url).password
    except Exception:  # noqa: BLE001 - a malformed address: fall back to the pattern
        password = None
    if not password:
        found = _URL_PASSWORD.match(url or "")
        password = found.group(1) if found else None
    return str(password) if password else None


def redact_url(url: str) -> str:
    """The URL as the log and the window title may show it: the password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed address
        password = password_of(url)
        return url.replace(password, "***") if password else url


def connect_database(url: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS, *, must_exist: bool = False) -> Engine:
    """An engine on a database that answers and may be ours; nothing is written (SQLite:
    the write lock is taken and released). `must_exist`: a missing SQLite file is refused
    (NO_DATABASE) instead of created.

    Raises DatabaseOpenError with a reason code for anything that stops the app from using it.
    """
    path = sqlite_path_of(url)
    if path is not None:
        share = network_share_of(path)
        if share is not None:  # WAL does not work there: refused before anything touches the file
            raise DatabaseOpenError(DatabaseOpenError.NETWORK_SHARE, f"{path} ({share})")
        if must_exist and not path.exists():
            raise DatabaseOpenError(DatabaseOpenError.NO_DATABASE, str(path))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseOpenError(DatabaseOpenError.READ_ONLY, str(exc)) from exc
        if path.exists() and not _writable(path):
            raise DatabaseOpenError(DatabaseOpenError.READ_ONLY, str(path))
        try:
            _check_ours(path, busy_timeout_ms)
        except sqlite3.Error as exc:
            raise classify(exc) from exc
    engine = make_engine(url, busy_timeout_ms)
    with _explained(engine, url):
        with engine.connect() as conn:
            if path is not None:
                # Reads the header and schema: fails fast on a corrupt or foreign file. (A full
                # quick_check would read every page: ~5 s on a 1.5 GB database at each start.)
                conn.execute(text("PRAGMA schema_version")).scalar()
                conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar()
                _probe_write(path, busy_timeout_ms)
            elif engine.dialect.name == "postgresql":
                version = int(conn.execute(text("SELECT current_setting('server_version_num')")).scalar())
                if version < MIN_SERVER_VERSION:
                    raise DatabaseOpenError(DatabaseOpenError.SERVER_TOO_OLD,
                                            f"server_version_num {version} < {MIN_SERVER_VERSION}")
    return engine


@contextmanager
def _explained(engine: Engine, url: str):
    """Whatever stops the opening becomes a DatabaseOpenError the user can act on, without
    the address's password; the engine is let go."""
    try:
        yield
    except DatabaseOpenError as exc:
        engine.dispose()
        raise _without_secret(exc, url) from None
    except (OperationalError, DBAPIError, sqlite3.Error, ConnectionLost) as exc:
        engine.dispose()
        raise _without_secret(classify(exc), url) from exc


def open_database(url: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS, *,
                  may_upgrade: bool | None = None) -> tuple[Engine, str]:
    """Open, check and migrate the database. Returns the engine and what migration did.

    `may_upgrade` (default: only a SQLite file, after a backup copy): whether an existing
    older schema is upgraded. A desk never upgrades a team server, which every desk shares:
    it is refused (SCHEMA_OLDER) and the administrator runs `desktop-helpdesk server
    upgrade`. An empty server database is still given its schema (the first set-up).

    Raises DatabaseOpenError with a reason code for anything that stops the app from using it.
    """
    path = sqlite_path_of(url)
    if may_upgrade is None:
        may_upgrade = path is not None or make_url(url).get_backend_name() == "sqlite"
    engine = connect_database(url, busy_timeout_ms)
    with _explained(engine, url):
        outcome = ensure_schema(engine, path, may_upgrade=may_upgrade)
    return engine, outcome


def _check_ours(path: Path, busy_timeout_ms: int) -> None:
    """An existing file must be a SQLite database of ours (or empty) before the engine's
    first connection switches it to WAL: another program's file is refused untouched."""
    if not path.exists() or path.stat().st_size == 0:
        return
    key = cipher.key_for(path)
    if key is not None:  # the encrypted offline copy: the engine's first statement checks the key
        return
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout_ms / 1000)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()
    if tables and "alembic_version" not in tables:
        raise DatabaseOpenError(DatabaseOpenError.CORRUPT, "the database has tables but no schema version")


def _probe_write(path: Path, busy_timeout_ms: int) -> None:
    """Take and release the write lock: fails on a locked file or a read-only medium."""
    con = cipher.connect_any(path, timeout=busy_timeout_ms / 1000, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
    finally:
        con.close()


def _writable(path: Path) -> bool:
    import os

    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def never_analysed(engine: Engine) -> bool:
    """A SQLite database the planner has no statistics for yet (a file just generated or
    restored): `optimize` would run a full ANALYZE on it."""
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is None


def optimize(engine: Engine) -> None:
    """Refresh the planner's statistics where they are stale (cheap when nothing changed).

    Without statistics SQLite misjudges joins sorted by a joined table's column (see
    benchmarks/README.md, "Lists"); run after migrations and imports and when closing.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        analysed = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first() is not None
        # PRAGMA optimize only analyses what this connection has queried (SQLite < 3.46), so
        # a database that was never analysed gets a full ANALYZE (about a second per GB; the
        # app runs it on its long lane after the first view: see `never_analysed`). Not on a
        # sample (analysis_limit): sampled, the sparse clock indexes looked ten times
        # emptier than they are, and the dashboard took 0.5 s instead of 0.2 at 1M tickets.
        conn.exec_driver_sql("PRAGMA optimize" if analysed else "ANALYZE")
        conn.commit()
