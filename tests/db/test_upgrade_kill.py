"""An upgrade of an older database killed at random moments never leaves a file that
cannot be opened, and never loses a row.

The older database is a real file at revision 0001 (the first release) filled with rows by
plain SQL; each round starts the app's own open path (`open_database`, which copies the file
and upgrades it) in a real subprocess and kills it with SIGKILL at a random moment of the
upgrade. After every kill the file must open as the app opens it (`connect_database`) at
either the old revision with exactly the old schema (so the next start upgrades it) or the
newest with exactly the new one, with every row there. It takes about 25 s (one process
start per kill); no assertion depends on timing.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop_helpdesk.db import migrate
from desktop_helpdesk.db.engine import connect_database, make_engine, open_database, sqlite_url

OLD = "0001"
KILLS = 22

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

#: What the killed process runs: everything imported first (so the random moment falls in
#: the copy and the upgrade, not in Python's start-up), then the app's open path.
CHILD = r"""
import sys, time
from desktop_helpdesk.db.engine import open_database, sqlite_url
from desktop_helpdesk.db import migrate, models  # noqa: F401
import alembic.command, alembic.script, alembic.runtime.migration  # noqa: F401
from sqlalchemy import event
from sqlalchemy.engine import Engine

def tell(conn, cursor, statement, *args):  # where the kill fell: before or after this line
    if statement.startswith("BEGIN IMMEDIATE"):
        print("migrating", flush=True)

event.listen(Engine, "before_cursor_execute", tell)
print("ready", flush=True)
started = time.perf_counter()
engine, outcome = open_database(sqlite_url(sys.argv[1]))
engine.dispose()
print(outcome, time.perf_counter() - started, flush=True)
"""

ROWS = {"customers": 1500, "contacts": 1500, "packages": 5, "contracts": 1000, "tickets": 1500,
        "ticket_events": 3000}


def build_old_database(path: Path) -> dict[str, object]:
    """A database at revision 0001 with rows in every table; returns what must survive."""
    from alembic import command

    engine = make_engine(sqlite_url(path))
    stamp = "2026-01-01 00:00:00.000000"
    audit = {"created_at": stamp, "updated_at": stamp, "version": 1}
    try:
        with engine.begin() as conn:
            command.upgrade(migrate._alembic_config(conn), OLD)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO customers (id, code, name, kind, phone, search_text, uuid, created_at, updated_at, "
                "version) VALUES (:id, :code, :name, 'company', :phone, :name, :uuid, :created_at, :updated_at, "
                ":version)"),
                [{"id": i, "code": f"KH{i:05d}", "name": f"Công ty TNHH Đức Ỷ số {i}", "phone": f"09{i:08d}",
                  "uuid": f"c-{i}", **audit} for i in range(1, ROWS["customers"] + 1)])
            conn.execute(text(
                "INSERT INTO contacts (id, customer_id, full_name, is_primary, search_text, uuid, created_at, "
                "updated_at, version) VALUES (:id, :id, :name, 1, :name, :uuid, :created_at, :updated_at, "
                ":version)"),
                [{"id": i, "name": f"Nguyễn Văn Ân {i}", "uuid": f"p-{i}", **audit}
                 for i in range(1, ROWS["contacts"] + 1)])
            conn.execute(text(
                "INSERT INTO packages (id, code, name, warranty_months, support_hours, proposal_target_minutes, "
                "fix_target_hours, fix_extended_hours, complaint_target_hours, maintenance_priority, "
                "list_price_vnd, active, uuid, created_at, updated_at, version) VALUES (:id, :code, :name, 12, "
                "'office', 240, 24, 48, 72, 1, 15000000, 1, :uuid, :created_at, :updated_at, :version)"),
                [{"id": i, "code": f"G{i}", "name": f"Gói phần mềm bán hàng {i}", "uuid": f"g-{i}", **audit}
                 for i in range(1, ROWS["packages"] + 1)])
            conn.execute(text(
                "INSERT INTO contracts (id, number, customer_id, package_id, stage, value_vnd, signed_on, "
                "accepted_on, warranty_end, search_text, uuid, created_at, updated_at, version) VALUES (:id, "
                ":number, :id, :package, 'warranty', :value, '2025-01-02', '2025-02-01', '2026-02-01', :number, "
                ":uuid, :created_at, :updated_at, :version)"),
                [{"id": i, "number": f"HĐ-{i:05d}", "package": 1 + i % ROWS["packages"], "value": 1_000_000 * i,
                  "uuid": f"h-{i}", **audit} for i in range(1, ROWS["contracts"] + 1)])
            conn.execute(text(
                "INSERT INTO tickets (id, code, customer_id, contact_id, contract_id, subject, request_type, "
                "channel, priority, status, received_at, search_text, uuid, created_at, updated_at, version) "
                "VALUES (:id, :code, :id, :id, :contract, :subject, 'incident', 'hotline', 'normal', 'new', "
                ":created_at, :subject, :uuid, :created_at, :updated_at, :version)"),
                [{"id": i, "code": f"YC{i:06d}", "contract": i if i <= ROWS["contracts"] else None,
                  "subject": f"Lỗi in hoá đơn số {i}", "uuid": f"t-{i}", **audit}
                 for i in range(1, ROWS["tickets"] + 1)])
            conn.execute(text(
                "INSERT INTO ticket_events (id, uuid, ticket_id, occurred_at, kind, body, created_at, updated_at, "
                "version) VALUES (:id, :uuid, :ticket, :created_at, 'note', :body, :created_at, :updated_at, "
                ":version)"),
                [{"id": i, "uuid": f"e-{i}", "ticket": 1 + i % ROWS["tickets"], "body": f"Đã gọi lại lần {i}",
                  **audit} for i in range(1, ROWS["ticket_events"] + 1)])
    finally:
        engine.dispose()
    con = sqlite3.connect(str(path), isolation_level=None)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    return rows_of(path)


def rows_of(path: Path) -> dict[str, object]:
    """Every table's row count and a fingerprint of the rows' own values."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        found = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ROWS}
        found["names"] = con.execute("SELECT group_concat(name, '|') FROM (SELECT name FROM customers ORDER BY id)"
                                     ).fetchone()[0]
        found["bodies"] = con.execute(
            "SELECT group_concat(body, '|') FROM (SELECT body FROM ticket_events ORDER BY id)").fetchone()[0]
        found["values"] = con.execute("SELECT sum(value_vnd) FROM contracts").fetchone()[0]
    finally:
        con.close()
    return found


def schema_of(path: Path) -> list[tuple]:
    """Every table, index and trigger as SQLite stores it: a half-applied upgrade shows here
    (a column added without its revision, the next start's "duplicate column name")."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    finally:
        con.close()


def opens_as_the_app_opens_it(path: Path) -> str:
    """The app's open path up to the migrations: the file is ours, readable and writable.
    Returns its schema revision."""
    engine = connect_database(sqlite_url(path))
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


def start_child(path: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(Path(__file__).resolve().parents[2]),
                                                                      os.environ.get("PYTHONPATH")) if p))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    return proc


def test_an_upgrade_killed_at_random_moments_always_leaves_a_file_that_opens(tmp_path):
    template = tmp_path / "old.sqlite3"
    expected = build_old_database(template)

    # How long one upgrade takes here (the kills fall within it, whatever the machine).
    calibration = tmp_path / "calibration" / "helpdesk.sqlite3"
    calibration.parent.mkdir()
    calibration.write_bytes(template.read_bytes())
    proc = start_child(calibration)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    outcome, seconds = out.splitlines()[-1].split()
    assert outcome == "upgraded"
    duration = float(seconds)
    assert opens_as_the_app_opens_it(calibration) == migrate.SCHEMA_HEAD
    assert rows_of(calibration) == expected
    schemas = {OLD: schema_of(template), migrate.SCHEMA_HEAD: schema_of(calibration)}

    seed = int(os.environ.get("UPGRADE_KILL_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    seen = Counter()
    lineage = 0

    def fresh_copy() -> Path:
        nonlocal lineage
        lineage += 1
        target = tmp_path / f"run{lineage}" / "helpdesk.sqlite3"
        target.parent.mkdir()
        target.write_bytes(template.read_bytes())
        return target

    path = fresh_copy()
    window = duration * 1.5
    kills = rounds = 0
    while kills < KILLS and rounds < 3 * KILLS:
        rounds += 1
        proc = start_child(path)
        time.sleep(rng.uniform(0, window))
        proc.send_signal(signal.SIGKILL)
        out, _err = proc.communicate(timeout=60)
        finished = proc.returncode == 0
        revision = opens_as_the_app_opens_it(path)
        context = f"round {rounds} (seed {seed}): revision {revision}"
        assert revision in (OLD, migrate.SCHEMA_HEAD), context
        assert schema_of(path) == schemas[revision], context  # all of the upgrade or none of it
        assert rows_of(path) == expected, context
        if finished:  # the upgrade was quicker than the window: aim earlier
            seen["finished before the kill"] += 1
            window *= 0.8
        else:
            kills += 1
            if revision == migrate.SCHEMA_HEAD:
                seen["killed after the commit"] += 1
            else:
                seen["killed in the migrations" if "migrating" in out else "killed in the copy"] += 1
        if revision == migrate.SCHEMA_HEAD:
            check_one_whole_backup(path)
            path = fresh_copy()
    print(f"{kills} kills in {rounds} rounds (seed {seed}, upgrade {duration:.2f} s): {dict(seen)}")
    assert kills == KILLS, seen
    assert seen["killed in the migrations"] > 0, seen  # kills fell inside the transaction, not only around it

    # The last file, killed once or many times over, upgrades at the next start.
    revision = opens_as_the_app_opens_it(path)
    engine, outcome = open_database(sqlite_url(path))
    engine.dispose()
    assert outcome == ("upgraded" if revision == OLD else "current")
    assert opens_as_the_app_opens_it(path) == migrate.SCHEMA_HEAD
    assert rows_of(path) == expected
    check_one_whole_backup(path)


def check_one_whole_backup(path: Path) -> None:
    """One copy per upgrade, however many attempts were killed, holding the old rows."""
    copies = sorted(p.name for p in path.parent.iterdir() if ".before-" in p.name)
    assert copies == [migrate.backup_path(path, OLD).name], copies
    con = sqlite3.connect(f"{migrate.backup_path(path, OLD).resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (OLD,)
        assert con.execute("SELECT count(*) FROM customers").fetchone() == (ROWS["customers"],)
    finally:
        con.close()
