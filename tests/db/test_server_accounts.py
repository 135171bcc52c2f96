"""The team server's accounts (issue #13), against the session's real PostgreSQL server:
each operator is a login role in a group whose rights the server enforces, whatever program
connects with their credentials; the history's author is the server's session user; signing
in at a desk connects as the operator, and the services and the server refuse alike."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.engine import make_url

from desktop_helpdesk.db.signin import ServerSignIn
from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.domain.errors import NotAllowed, SignInRefused
from desktop_helpdesk.services import accounts, catalog, customers, tickets
from desktop_helpdesk.services.context import Author, SignedIn, make_context
from desktop_helpdesk.services.dto import CustomerDraft, OperatorAccount, PackageData, TicketDraft

pytestmark = pytest.mark.postgresql_only


@pytest.fixture
def server(engine, migrated_db_url, pg_server):
    """The administrator's desk (connected as the server's owner) with its first
    administrator, and unique user names (login roles belong to the whole server)."""
    session, author = SignedIn(), Author(desk="admin desk")
    ctx = make_context(uow_factory(engine, who=author), session=session)
    tag = pg_server.new_database_name("op")
    admin = accounts.create_first_administrator(
        ctx, OperatorAccount(None, "Võ Thị Yến", "Yến", "admin", f"{tag}_admin"), "mật khẩu quản trị")
    session.operator = admin
    names = {role: f"{tag}_{role}" for role in ("hotline", "lead")}
    for role, login in names.items():
        accounts.save_account(ctx, OperatorAccount(None, f"Nhân viên {role}", role, role, login), f"mật khẩu {role}")
    return ctx, names, migrated_db_url


def _raw(url: str, login: str, password: str):
    u = make_url(url)
    return psycopg.connect(host=u.host, port=u.port, dbname=u.database, user=login, password=password, autocommit=True)


def _desk(url: str, engine_url_owner_engine):
    """A desk that signs in as an operator: its units of work run as the operator's role."""
    from desktop_helpdesk.db.engine import open_database

    engine, _ = open_database(url)
    session, author = SignedIn(), Author(desk="hotline desk")
    factory = uow_factory(engine, who=author)
    session.connect_as = ServerSignIn(url, factory)
    return make_context(factory, session=session), session, author, engine


def test_an_operator_cannot_change_packages_calendar_company_operators_or_history_through_raw_sql(server):
    ctx, names, url = server
    package_id = catalog.add_package(ctx, PackageData(0, "SPOS", "SmartPOS", 12, "office", 240, 24, 48, 72, True, 1))
    catalog.set_working_week(ctx, catalog.working_week(ctx), "mon_fri_sat_morning")  # the administrator may
    with pytest.raises(psycopg.OperationalError):  # the server asks for the password
        _raw(url, names["hotline"], "không phải mật khẩu")
    with _raw(url, names["hotline"], "mật khẩu hotline") as con:
        for sql in (f"UPDATE packages SET fix_target_hours = 999 WHERE id = {package_id}",
                    "INSERT INTO calendar_exceptions (uuid, day, kind, name, created_at, updated_at, version) "
                    "VALUES ('x', '2026-12-24', 'day_off', 'x', now(), now(), 1)",
                    "UPDATE operators SET role = 'admin'",
                    "INSERT INTO app_meta (key, value) VALUES ('vendor.name', 'Công ty giả') "
                    "ON CONFLICT (key) DO UPDATE SET value = 'Công ty giả'",
                    "UPDATE app_meta SET value = 'mon_fri' WHERE key = 'calendar.week'",
                    "UPDATE ticket_events SET body = 'sửa lịch sử'",
                    "DELETE FROM ticket_events"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                con.execute(sql)
        # The daily work is theirs: a customer, and the alert check's own mark in app_meta.
        con.execute("UPDATE customers SET notes = 'gọi lại' WHERE false")
        con.execute("INSERT INTO app_meta (key, value) VALUES ('alerts.checked_until', 'x') "
                    "ON CONFLICT (key) DO UPDATE SET value = 'x'")
    assert catalog.packages(ctx)[0].fix_target_hours == 24
    assert catalog.working_week(ctx) == "mon_fri_sat_morning"
    with _raw(url, names["lead"], "mật khẩu lead") as con:  # a lead runs the desk's reference data
        con.execute(f"UPDATE packages SET fix_target_hours = 36 WHERE id = {package_id}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            con.execute("UPDATE operators SET role = 'admin'")
    assert catalog.packages(ctx)[0].fix_target_hours == 36


def test_a_desk_signs_in_as_the_operator_and_the_server_records_them_as_the_author(server):
    ctx, names, url = server
    desk, session, author, engine = _desk(url, None)
    try:
        with pytest.raises(SignInRefused) as wrong:
            accounts.sign_in(desk, names["hotline"], "sai mật khẩu")
        assert wrong.value.reason == SignInRefused.WRONG
        me = accounts.sign_in(desk, names["hotline"].upper(), "mật khẩu hotline")
        assert (me.login, me.role) == (names["hotline"], "hotline")
        session.operator = me  # as the app does after sign-in
        # A form passes someone else as the operator: the history says who was signed in.
        customer_id = customers.save_customer(desk, CustomerDraft(name="Cửa hàng Hoa Mai", kind="company"))
        someone_else = next(x.id for x in accounts.accounts(desk) if x.login != me.login)
        ticket_id = tickets.create_ticket(desk, TicketDraft(customer_id=customer_id, subject="Máy in không in được",
                                                            request_type="incident", channel="hotline"), someone_else)
        with engine.connect() as con:
            authors = {r[0] for r in con.exec_driver_sql(
                f"SELECT operator_id FROM ticket_events WHERE ticket_id = {ticket_id}")}
        assert authors == {me.id}
        # The services refuse first; with no one signed in the server refuses all the same.
        package = PackageData(0, "KT", "Kế toán", 12, "office", 240, 24, 48, 72, True, 1)
        with pytest.raises(NotAllowed):
            catalog.add_package(desk, package)
        session.operator = None
        with pytest.raises(NotAllowed):
            catalog.add_package(desk, package)
        assert [p.code for p in catalog.packages(ctx, True)] == []
    finally:
        session.connect_as.dispose()
        engine.dispose()


def test_a_disabled_operator_cannot_sign_in_and_a_reset_password_takes_effect(server):
    ctx, names, url = server
    hotline = next(x for x in accounts.accounts(ctx) if x.login == names["hotline"])
    accounts.save_account(ctx, OperatorAccount(hotline.id, hotline.full_name, hotline.alias, "hotline", hotline.login,
                                               active=False, version=hotline.version))
    desk, session, _author, engine = _desk(url, None)
    try:
        with pytest.raises(SignInRefused) as disabled:
            accounts.sign_in(desk, names["hotline"], "mật khẩu hotline")
        assert disabled.value.reason == SignInRefused.DISABLED
        hotline = next(x for x in accounts.accounts(ctx) if x.login == names["hotline"])
        accounts.save_account(ctx, OperatorAccount(hotline.id, hotline.full_name, hotline.alias, "hotline",
                                                   hotline.login, active=True, version=hotline.version))
        accounts.set_password(ctx, hotline.id, "mật khẩu mới tinh")
        with pytest.raises(SignInRefused):
            accounts.sign_in(desk, names["hotline"], "mật khẩu hotline")
        assert accounts.sign_in(desk, names["hotline"], "mật khẩu mới tinh").id == hotline.id
    finally:
        session.connect_as.dispose()
        engine.dispose()


def test_a_server_role_that_is_not_an_operator_is_never_taken_over(server):
    ctx, _names, _url = server
    from desktop_helpdesk.services.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as taken:
        accounts.save_account(ctx, OperatorAccount(None, "Kẻ Lạ", "Lạ", "hotline", "postgres"), "mật khẩu dài dài")
    assert [e.code for e in taken.value.errors] == ["taken"]


def _try(con, sql) -> bool:
    """Whether the server ran `sql` (False: it refused it for the role's rights)."""
    try:
        con.execute(sql)
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.DuplicateObject,
            psycopg.errors.InvalidParameterValue):
        return False
    return True


def test_the_servers_rules_hold_against_an_operator_who_knows_sql(server):
    """What a review found an operator could do with their own credentials, refused."""
    ctx, names, url = server
    catalog.set_vendor(ctx, catalog.vendor(ctx), name="Công ty Phần mềm Sao Việt")
    catalog.set_working_week(ctx, catalog.working_week(ctx), "mon_fri_sat_morning")
    admin_id = next(x.id for x in accounts.accounts(ctx) if x.role == "admin")
    customer_id = customers.save_customer(ctx, CustomerDraft(name="Cửa hàng Hoa Mai", kind="company"))
    with _raw(url, names["hotline"], "mật khẩu hotline") as con:
        me = con.execute("SELECT id FROM operators WHERE login = session_user").fetchone()[0]
        # Temporary tables that would stand in for ours (PostgreSQL searches them first).
        if _try(con, "CREATE TEMP TABLE operators (id int, login text)"):
            con.execute(f"INSERT INTO pg_temp.operators VALUES ({admin_id}, session_user)")
            con.execute("CREATE TEMP TABLE pg_roles (rolname name, rolsuper bool)")
            con.execute("INSERT INTO pg_temp.pg_roles VALUES (session_user, true)")
        con.execute("INSERT INTO customer_events (customer_id, uuid, operator_id, occurred_at, kind, created_at, "
                    f"updated_at, version) VALUES ({customer_id}, 'e1', {admin_id}, now(), 'note', now(), now(), 1)")
        assert con.execute("SELECT operator_id FROM public.customer_events WHERE uuid = 'e1'").fetchone()[0] == me
        assert not _try(con, "UPDATE app_meta SET value = 'Công ty giả' WHERE key = 'vendor.name'")
        # Renaming a managed key away (and so deleting it) is changing it.
        assert not _try(con, "UPDATE app_meta SET key = 'x.vendor.name' WHERE key = 'vendor.name'")
        assert not _try(con, "UPDATE app_meta SET key = 'x.week' WHERE key = 'calendar.week'")
        assert not _try(con, "DELETE FROM app_meta WHERE key = 'vendor.name'")
        # Deleting a customer would take its history with it; counters and attempts stay.
        assert not _try(con, f"DELETE FROM customers WHERE id = {customer_id}")
        assert not _try(con, "DELETE FROM verification_attempts")
        assert not _try(con, "SELECT setval(pg_get_serial_sequence('customers', 'id'), 1)")
        assert not _try(con, "SELECT public.helpdesk_save_login(session_user, 'x', true, NULL, false)")
    with _raw(url, names["lead"], "mật khẩu lead") as con:
        prefix = con.execute("SELECT value FROM app_meta WHERE key = 'server.roles'").fetchone()[0]
        assert not _try(con, f'GRANT "{prefix}_admins" TO "{names["lead"]}"')  # no climbing into the admins
        assert not _try(con, "UPDATE operators SET role = 'admin'")
    admin_login = next(x.login for x in accounts.accounts(ctx) if x.role == "admin")
    with _raw(url, admin_login, "mật khẩu quản trị") as con:
        # No login role may create roles: not even an administrator's (PostgreSQL 15 would let
        # it grant itself pg_execute_server_program, a shell on the server).
        assert not _try(con, f'GRANT pg_execute_server_program TO "{admin_login}"')
        assert not _try(con, "DELETE FROM operators")  # disabled, never deleted: the history names them
        # Through the account function only this helpdesk's operators: never the superuser.
        assert not _try(con, "SELECT public.helpdesk_save_login('postgres', (SELECT value FROM app_meta "
                             "WHERE key = 'server.roles') || '_staff', true, NULL, false)")
    assert catalog.vendor(ctx)["name"] == "Công ty Phần mềm Sao Việt"
    assert catalog.working_week(ctx) == "mon_fri_sat_morning"


def test_a_disabled_operators_open_session_ends_and_a_password_is_never_sent_as_text(server, engine):
    from sqlalchemy import event

    ctx, names, url = server
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append(str(args[2])))
    con = _raw(url, names["hotline"], "mật khẩu hotline")
    hotline = next(x for x in accounts.accounts(ctx) if x.login == names["hotline"])
    accounts.set_password(ctx, hotline.id, "một mật khẩu mới")
    accounts.save_account(ctx, OperatorAccount(hotline.id, hotline.full_name, hotline.alias, "hotline",
                                               hotline.login, active=False,
                                               version=next(x for x in accounts.accounts(ctx) if x.id == hotline.id).version))
    with pytest.raises(psycopg.OperationalError):  # its session was ended by the server
        con.execute("SELECT 1")
    con.close()
    assert sent and not any("một mật khẩu mới" in s or "mật khẩu hotline" in s for s in sent)


def test_signing_in_as_a_server_role_that_is_no_operator_leaves_the_desk_as_it_was(server, pg_server):
    ctx, names, url = server
    desk, session, _author, engine = _desk(url, None)
    stranger = pg_server.new_database_name("reader")
    with engine.connect() as con:
        con.exec_driver_sql(f"CREATE ROLE {stranger} LOGIN PASSWORD 'mật khẩu người lạ'")
        con.commit()
    try:
        before = desk.uow.engine
        with pytest.raises(SignInRefused) as refused:
            accounts.sign_in(desk, stranger, "mật khẩu người lạ")
        assert refused.value.reason == SignInRefused.WRONG
        assert desk.uow.engine is before  # the next unit of work still runs as before
    finally:
        session.connect_as.dispose()
        engine.dispose()
