"""A technician's laptop syncs as the technician's own login role, with the rights the server
gives staff, and `desktop-helpdesk sync` says by its exit code whether conflicts wait
(issue #15)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from desktop_helpdesk.admin import EXIT_CONFLICTS, EXIT_DATABASE, EXIT_OK, sync_main
from desktop_helpdesk.db import models as m
from desktop_helpdesk.db import offline
from desktop_helpdesk.db.engine import open_database
from desktop_helpdesk.db.signin import operator_url
from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.services import accounts, tickets
from desktop_helpdesk.services.context import Author, SignedIn, make_context
from desktop_helpdesk.services.dto import OperatorAccount
from desktop_helpdesk.domain.errors import SignInRefused

from tests.factories import warranty_ticket
from tests.sync.conftest import NOW

from tests.sync.helpers import edit_ticket, id_of, uuid_of

pytestmark = pytest.mark.postgresql_only

PASSWORD = "mật khẩu kỹ thuật"


@pytest.fixture
def technician(engine, migrated_db_url, pg_server):
    session = SignedIn()
    ctx = make_context(uow_factory(engine, who=Author(desk="admin desk")), session=session)
    tag = pg_server.new_database_name("op")
    session.operator = accounts.create_first_administrator(
        ctx, OperatorAccount(None, "Võ Thị Yến", "Yến", "admin", f"{tag}_admin"), "mật khẩu quản trị")
    login = f"{tag}_tech"
    accounts.save_account(ctx, OperatorAccount(None, "Trần Văn Hùng", "Hùng", "technician", login), PASSWORD)
    tid = warranty_ticket(ctx)
    server, _ = open_database(operator_url(migrated_db_url, login, PASSWORD))
    yield ctx, login, server, tid
    server.dispose()


def test_a_technician_takes_works_and_syncs_with_staff_rights_and_the_command_tells_conflicts(
        technician, engine, migrated_db_url, tmp_path, monkeypatch, capsys):
    ctx, login, server, tid = technician
    operator_id = next(o.id for o in accounts.accounts(ctx) if o.login == login)
    scope = [uuid_of(engine, "customers", tickets.get_ticket(ctx, tid).draft.customer_id)]
    path = tmp_path / "data" / "offline" / "helpdesk-offline.sqlite3"
    copy, _ = offline.take(server, path, PASSWORD, scope, device_name="Laptop Hùng", operator_id=operator_id,
                           author="Hùng", now=NOW)
    lap = make_context(uow_factory(copy))
    # Lock and Switch operator work offline: the copy knows its operator's password (argon2id).
    assert accounts.sign_in(lap, login, PASSWORD).id is not None
    with pytest.raises(SignInRefused):
        accounts.sign_in(lap, login, "không phải mật khẩu")
    local = id_of(copy, "tickets", uuid_of(engine, "tickets", tid))
    edit_ticket(lap, local, subject="Ở hiện trường: thay cáp")
    copy.dispose()
    u = make_url(migrated_db_url)
    (tmp_path / "data" / "config").mkdir(parents=True, exist_ok=True)
    settings = {"team_server": {"host": u.host, "port": u.port, "database": u.database, "user": login},
                "offline": {"copy": str(path), "login": login, "active": True}, "language": "en"}
    (tmp_path / "data" / "config" / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    monkeypatch.setenv("DESKTOP_HELPDESK_PASSWORD", PASSWORD)
    assert sync_main(["--data-dir", str(tmp_path / "data"), "--lang", "en"]) == EXIT_OK
    assert "In sync with the team server." in capsys.readouterr().out
    assert tickets.get_ticket(ctx, tid).draft.subject == "Ở hiện trường: thay cáp"
    # The history's author on the server is the technician's role.
    with engine.connect() as c:
        authors = {r for (r,) in c.execute(select(m.TicketEvent.operator_id).where(
            m.TicketEvent.ticket_id == tid, m.TicketEvent.field == "subject"))}
    assert authors == {operator_id}
    # Both change the subject again: the command says a conflict waits (exit 3).
    copy = offline.open_copy(path, PASSWORD)
    edit_ticket(make_context(uow_factory(copy)), local, subject="Laptop: thay nguồn")
    copy.dispose()
    edit_ticket(ctx, tid, subject="Văn phòng: đổi máy")
    assert sync_main(["--data-dir", str(tmp_path / "data"), "--lang", "en"]) == EXIT_CONFLICTS
    assert "1 conflicts wait" in capsys.readouterr().out
    monkeypatch.setenv("DESKTOP_HELPDESK_PASSWORD", "không đúng")
    assert sync_main(["--data-dir", str(tmp_path / "data"), "--lang", "en"]) == EXIT_DATABASE
    assert "does not open the copy" in capsys.readouterr().err


def test_a_schema_difference_blocks_the_sync_not_the_work(technician, engine, tmp_path):
    ctx, login, server, tid = technician
    scope = [uuid_of(engine, "customers", tickets.get_ticket(ctx, tid).draft.customer_id)]
    copy, _ = offline.take(server, tmp_path / "c.db", PASSWORD, scope, device_name="x", operator_id=None,
                           author="x", now=NOW)
    with copy.begin() as c:
        c.exec_driver_sql("UPDATE alembic_version SET version_num = '0020'")
    from desktop_helpdesk.domain.errors import SyncBlocked

    with pytest.raises(SyncBlocked) as info:
        offline.sync_now(copy, server, author="x", operator_id=None, now=NOW)
    assert info.value.reason == SyncBlocked.SCHEMA
    lap = make_context(uow_factory(copy))
    local = id_of(copy, "tickets", uuid_of(engine, "tickets", tid))
    edit_ticket(lap, local, subject="Vẫn làm việc được")  # work goes on
    assert tickets.get_ticket(lap, local).draft.subject == "Vẫn làm việc được"
    copy.dispose()
