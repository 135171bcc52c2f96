"""Operators' accounts (issue #13), on both engines: the first administrator, sign-in with
argon2id, slowing down after wrong passwords, disabled accounts, and the rights of each role
checked by the services (File → Operators, packages, calendar, company details)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.domain.errors import NotAllowed, SignInRefused
from desktop_helpdesk.services import accounts, catalog
from desktop_helpdesk.services.context import Author, SignedIn, make_context
from desktop_helpdesk.services.dto import OperatorAccount, PackageData
from desktop_helpdesk.services.errors import ValidationFailed
from tests.factories import Clock


@pytest.fixture
def desk(engine, migrated_db_url):
    """A context whose signed-in operator the test sets, with a clock it moves. On the team
    server signing in connects as the operator's login role, as the app does."""
    clock = Clock(datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc))
    session = SignedIn()
    author = Author(desk="desk")
    units = uow_factory(engine, clock, who=author)
    ctx = make_context(units, clock, session)
    if engine.dialect.name == "postgresql":
        from desktop_helpdesk.db.signin import ServerSignIn

        session.connect_as = ServerSignIn(migrated_db_url, units)

    def sign_in(login, password):
        op = accounts.sign_in(ctx, login, password)
        session.operator = op
        author.set_operator(op)
        return op

    object.__setattr__(ctx, "sign_in", sign_in)  # a frozen dataclass
    yield ctx, clock, session
    if session.connect_as is not None:
        session.connect_as.dispose()


def _admin(ctx, session):
    op = accounts.create_first_administrator(ctx, OperatorAccount(None, "Võ Thị Yến", "Yến", "admin", "Yen.Vo"),
                                             "mật khẩu đủ dài")
    session.operator = op
    return op


def _package():
    return PackageData(0, "SPOS", "SmartPOS", 12, "office", 240, 24, 48, 72, True, 15_000_000)


def test_the_first_administrator_is_created_once_and_signs_in_with_an_argon2id_hash(desk, engine):
    ctx, _clock, session = desk
    assert accounts.needs_first_administrator(ctx)
    admin = _admin(ctx, session)
    assert (admin.login, admin.role) == ("yen.vo", "admin")
    assert not accounts.needs_first_administrator(ctx)
    with engine.connect() as con:
        stored = con.exec_driver_sql("SELECT password_hash FROM operators WHERE login = 'yen.vo'").scalar()
        if engine.dialect.name == "postgresql":  # the server holds the password, as a SCRAM verifier
            assert stored is None
            stored = con.exec_driver_sql("SELECT rolpassword FROM pg_authid WHERE rolname = 'yen.vo'").scalar()
            assert stored.startswith("SCRAM-SHA-256$")
        else:
            assert stored.startswith("$argon2id$")
    assert "mật khẩu" not in stored
    # A second desk that saw the empty database too is refused: it signs in instead.
    with pytest.raises(NotAllowed):
        accounts.create_first_administrator(ctx, OperatorAccount(None, "Kẻ Lạ", "Lạ", "admin", "la"), "12345678x")
    # The user name ignores case; the password is compared in its NFC form.
    assert accounts.sign_in(ctx, " YEN.VO ", "mật khẩu đủ dài").id == admin.id
    decomposed = "mật khẩu đủ dài".replace("ậ", "a\u0323\u0302")
    assert accounts.sign_in(ctx, "yen.vo", decomposed).id == admin.id


def test_a_wrong_password_does_not_say_which_part_was_wrong_and_repeated_ones_slow_the_next_try(desk):
    ctx, clock, session = desk
    _admin(ctx, session)
    accounts.save_account(ctx, OperatorAccount(None, "Trần Minh", "Minh", "hotline", "minh"), "mật khẩu của minh")
    with pytest.raises(SignInRefused) as unknown:
        accounts.sign_in(ctx, "nobody", "mật khẩu của minh")
    with pytest.raises(SignInRefused) as wrong:
        accounts.sign_in(ctx, "minh", "sai mật khẩu")
    assert unknown.value.reason == wrong.value.reason == SignInRefused.WRONG
    with pytest.raises(SignInRefused):
        accounts.sign_in(ctx, "minh", "sai nữa")
    with pytest.raises(SignInRefused) as third:
        accounts.sign_in(ctx, "minh", "sai lần ba")
    assert third.value.reason == SignInRefused.WAIT and third.value.wait_until == clock.now + timedelta(seconds=5)
    # Even the right password waits until then, without being checked.
    with pytest.raises(SignInRefused) as waiting:
        accounts.sign_in(ctx, "minh", "mật khẩu của minh")
    assert waiting.value.reason == SignInRefused.WAIT
    clock.now += timedelta(seconds=6)
    assert accounts.sign_in(ctx, "minh", "mật khẩu của minh").full_name == "Trần Minh"
    # A good sign-in clears the count: one wrong password is free again.
    with pytest.raises(SignInRefused) as again:
        accounts.sign_in(ctx, "minh", "sai")
    assert again.value.reason == SignInRefused.WRONG


def test_a_disabled_account_cannot_sign_in_and_the_last_administrator_stays(desk):
    ctx, _clock, session = desk
    admin = _admin(ctx, session)
    minh = accounts.save_account(ctx, OperatorAccount(None, "Trần Minh", "Minh", "hotline", "minh"), "mật khẩu của minh")
    row = next(x for x in accounts.accounts(ctx) if x.id == minh)
    accounts.save_account(ctx, OperatorAccount(minh, "Trần Minh", "Minh", "hotline", "minh", active=False,
                                               version=row.version))
    with pytest.raises(SignInRefused) as refused:
        accounts.sign_in(ctx, "minh", "mật khẩu của minh")
    assert refused.value.reason == SignInRefused.DISABLED
    me = next(x for x in accounts.accounts(ctx) if x.id == admin.id)
    with pytest.raises(ValidationFailed) as last:
        accounts.save_account(ctx, OperatorAccount(admin.id, me.full_name, me.alias, "lead", me.login, version=me.version))
    assert [e.code for e in last.value.errors] == ["last_admin"]


def test_bad_user_names_and_short_passwords_are_refused_beside_their_fields(desk):
    ctx, _clock, session = desk
    _admin(ctx, session)
    with pytest.raises(ValidationFailed) as bad:
        accounts.save_account(ctx, OperatorAccount(None, "Lê Hà", "Hà", "hotline", "lê hà"), "1234567")
    assert {e.field for e in bad.value.errors} == {"login"}
    with pytest.raises(ValidationFailed) as short:
        accounts.save_account(ctx, OperatorAccount(None, "Lê Hà", "Hà", "hotline", "ha.le"), "1234567")
    assert [(e.field, e.code) for e in short.value.errors] == [("password", "too_short")]
    with pytest.raises(ValidationFailed) as taken:
        accounts.save_account(ctx, OperatorAccount(None, "Lê Hà", "Hà", "hotline", "YEN.VO"), "12345678")
    assert [e.code for e in taken.value.errors] == ["taken"]


def test_an_operator_cannot_change_packages_calendar_company_or_operators_and_a_lead_can(desk):
    ctx, _clock, session = desk
    _admin(ctx, session)
    package_id = catalog.add_package(ctx, _package())
    accounts.save_account(ctx, OperatorAccount(None, "Trần Minh", "Minh", "hotline", "minh"), "mật khẩu của minh")
    accounts.save_account(ctx, OperatorAccount(None, "Đỗ Lan", "Lan", "lead", "lan"), "mật khẩu của lan")
    ctx.sign_in("minh", "mật khẩu của minh")
    [p] = catalog.packages(ctx)
    refused = [
        lambda: catalog.add_package(ctx, PackageData(0, "KT", "Kế toán", 12, "office", 240, 24, 48, 72, True, 1)),
        lambda: catalog.rename_package(ctx, package_id, p.version, "SPOS", "Tên mới"),
        lambda: catalog.set_package_retired(ctx, package_id, p.version, True),
        lambda: catalog.set_working_week(ctx, catalog.working_week(ctx), "mon_fri_sat_morning"),
        lambda: catalog.set_vendor(ctx, catalog.vendor(ctx), name="Công ty khác"),
        lambda: accounts.save_account(ctx, OperatorAccount(None, "Kẻ Lạ", "Lạ", "admin", "la"), "12345678"),
    ]
    for attempt in refused:
        with pytest.raises(NotAllowed):
            attempt()
    assert [(x.code, x.name, x.active) for x in catalog.packages(ctx, True)] == [("SPOS", "SmartPOS", True)]
    assert "Công ty khác" not in catalog.vendor(ctx).values()
    # The daily work goes on: a hotline operator changes their own password.
    accounts.set_password(ctx, session.operator.id, "mật khẩu mới của minh")
    ctx.sign_in("lan", "mật khẩu của lan")
    catalog.rename_package(ctx, package_id, p.version, "SPOS", "SmartPOS Plus")
    assert catalog.packages(ctx)[0].name == "SmartPOS Plus"
    with pytest.raises(NotAllowed):  # a lead runs the desk but does not manage accounts
        accounts.set_password(ctx, next(x.id for x in accounts.accounts(ctx) if x.login == "minh"), "12345678")
