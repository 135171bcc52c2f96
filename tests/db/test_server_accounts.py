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
