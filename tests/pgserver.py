"""A real PostgreSQL server for the test session, started and stopped by the tests themselves.

`initdb` a cluster in a temporary folder, start it on a free port listening on 127.0.0.1
only, and hand out one fresh database per test, copied from a template database (a file
copy on the server: much faster than running the migrations again).

The binaries are looked up on PATH, then in Debian's /usr/lib/postgresql/<version>/bin.
PostgreSQL refuses to run as root: when the tests run as root, the cluster is owned by and
runs as the `postgres` user. Set HELPDESK_TEST_PG_URL (a superuser URL, e.g.
`postgresql+psycopg://postgres@127.0.0.1:5433/postgres`) to use a server you started
yourself instead.

A missing server is an error, never a skip: the suite must run on both engines.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ENV_URL = "HELPDESK_TEST_PG_URL"


class ServerUnavailable(RuntimeError):
    pass


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if candidates:
        return candidates[-1]
    raise ServerUnavailable(
        f"PostgreSQL's {name} was not found (PATH, /usr/lib/postgresql/*/bin): install the "
        "server (Debian: apt-get install postgresql) or set " + ENV_URL)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """One PostgreSQL cluster for the whole test session."""

    def __init__(self):
        self._folder: Path | None = None
        self._run_as: list[str] = []
        self._serial = itertools.count(1)
        self.admin_url = os.environ.get(ENV_URL) or ""
        if not self.admin_url:
            self._start()
        self._admin = None

    # --- the cluster -------------------------------------------------------------------
    def _start(self) -> None:
        initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
        self._folder = Path(tempfile.mkdtemp(prefix="helpdesk-pg-"))
        data = self._folder / "data"
        if os.geteuid() == 0:
            import pwd  # POSIX only: on Windows the suite uses HELPDESK_TEST_PG_URL

            try:
                pw = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise ServerUnavailable("running as root, and there is no 'postgres' user to run the server") from exc
            os.chown(self._folder, pw.pw_uid, pw.pw_gid)
            self._run_as = ["runuser", "-u", "postgres", "--"]
        self._run([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                   "--locale=C.UTF-8",
                   # A Vietnamese default collation, as a server set up in Vietnam may have:
                   # an ORDER BY that leans on the server's collation instead of ours shows.
                   "--locale-provider=icu", "--icu-locale=vi-VN", "--no-sync"])
        # The superuser connects without a password (the fixtures' own connections); every
        # other role must give its password, as operators' login roles do on a real server.
        hba = data / "pg_hba.conf"
        hba.write_text("local all all trust\n"
                       "host all postgres 127.0.0.1/32 trust\n"
                       "host all all 127.0.0.1/32 scram-sha-256\n", encoding="utf-8")
        if os.geteuid() == 0:
            os.chown(hba, pw.pw_uid, pw.pw_gid)
        port = _free_port()
        options = " ".join([
            "-c listen_addresses=127.0.0.1", f"-p {port}", f"-k {self._folder}",
            # A throw-away cluster: durability costs time and buys nothing here.
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
            "-c max_connections=200", "-c shared_buffers=128MB",
            # A server set up in Vietnam: any time the app left to the server's zone shows.
            "-c timezone=Asia/Ho_Chi_Minh", "-c log_timezone=Asia/Ho_Chi_Minh",
        ])
        self._run([pg_ctl, "-D", str(data), "-o", options, "-l", str(self._folder / "server.log"),
                   "-w", "-t", "60", "start"])
        self.admin_url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, argv: list[str]) -> None:
        done = subprocess.run(self._run_as + argv, capture_output=True, text=True)
        if done.returncode != 0:
            log = ""
            if self._folder and (self._folder / "server.log").exists():
                log = (self._folder / "server.log").read_text(errors="replace")[-2000:]
            raise ServerUnavailable(f"{' '.join(argv[:2])} failed: {done.stderr.strip()} {log}")

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if self._folder is None:
            return
        try:
            self._run([_binary("pg_ctl"), "-D", str(self._folder / "data"), "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    # --- databases ---------------------------------------------------------------------
    def url(self, database: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        import psycopg

        if self._admin is None or self._admin.closed:
            from sqlalchemy.engine import make_url

            u = make_url(self.admin_url)
            self._admin = psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                                          dbname=u.database, autocommit=True)
        self._admin.execute(sql)

    def new_database_name(self, prefix: str = "t") -> str:
        return f"{prefix}_{os.getpid()}_{next(self._serial)}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of `template` if given); returns its URL."""
        clause = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        for attempt in range(50):
            try:
                self._execute(f"CREATE DATABASE {name}{clause}")
                break
            except Exception as exc:  # a template still in use by a closing connection
                if "being accessed by other users" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.05)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def mark_template(self, name: str) -> None:
        self._execute(f"ALTER DATABASE {name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
