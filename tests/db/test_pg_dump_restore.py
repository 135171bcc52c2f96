"""The team server's backup (issue #14): what README tells the administrator to run —
`pg_dump -Fc` of a database with the demo, `pg_restore` into a new database — gives a
database the app opens as it is (no upgrade), with the same rows, and whose search and
lists work (the pg_trgm indexes, the history triggers and the sequences came along)."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy.engine import make_url

from desktop_helpdesk.db.engine import open_database
from desktop_helpdesk.db.migrate import schema_status
from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.services import customers, search, tickets
from desktop_helpdesk.services.context import make_context
from desktop_helpdesk.services.dto import CustomerDraft, ListQuery
from tests.pgserver import _binary
from tests.ui.conftest import FIXED_NOW

pytestmark = pytest.mark.postgresql_only


def counts(url: str) -> dict:
    engine, outcome = open_database(url)
    try:
        status = schema_status(engine)
    finally:
        engine.dispose()
    assert outcome == "current"
    return status


def libpq_args(url: str) -> list[str]:
    u = make_url(url)
    return ["-h", u.host, "-p", str(u.port), "-U", u.username]


def test_a_pg_dump_restores_into_a_working_app(test_db, pg_server, tmp_path):
    source = test_db.install("demo", FIXED_NOW)
    before = counts(source)
    assert before.rows["customers"] > 0 and before.rows["tickets"] > 0
    dump = tmp_path / "helpdesk.dump"
    subprocess.run([_binary("pg_dump"), *libpq_args(source), "-Fc", "-f", str(dump), make_url(source).database],
                   check=True, capture_output=True, timeout=120)

    name = pg_server.new_database_name("restored")
    target = pg_server.create_database(name)
    try:
        subprocess.run([_binary("pg_restore"), *libpq_args(target), "--no-owner", "--exit-on-error",
                        "-d", name, str(dump)], check=True, capture_output=True, timeout=120)
        after = counts(target)
        assert after.rows == before.rows and after.healthy  # same rows, schema current, history protected

        engine, _ = open_database(target)
        try:
            ctx = make_context(uow_factory(engine))
            page = customers.list_customers(ctx, ListQuery(text="", limit=50))
            assert len(page.rows) == min(50, before.rows["customers"])
            first = page.rows[0]
            found = search.global_search(ctx, first.name)
            assert any(hit for group in found.groups for hit in group.hits)
            ticket = tickets.get_ticket(ctx, tickets.list_tickets(ctx, ListQuery(limit=1)).rows[0].id)
            assert ticket.draft.subject
            # The sequences came along: a new customer gets a new id and code, no clash.
            new_id = customers.save_customer(ctx, CustomerDraft(name="Khách sau khi khôi phục", kind="person"))
            assert customers.get_customer(ctx, new_id).draft.name == "Khách sau khi khôi phục"
        finally:
            engine.dispose()
    finally:
        pg_server.drop_database(name)
