"""Operators' accounts on a local file: signing in (argon2id), the first administrator,
File → Operators (create, disable, reset password, role, team), and the check of a role's
rights that every use case beyond the daily work makes (`require`).

On the team server each operator is a PostgreSQL login role and the server checks the
password and enforces the rights by its GRANTs (db/roles.py); these checks run there too, so
a menu entry is refused the same way on both."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..domain import accounts as a
from ..domain import validation as v
from ..domain.enums import OperatorRole
from ..domain.errors import DuplicateError, NotAllowed, SignInRefused
from ..domain.text import normalize
from .changes import OPERATORS, changes
from .context import Context
from .dto import OperatorAccount, OperatorData
from .errors import ValidationFailed, check

MSG_LOGIN_TAKEN = v.N_("Another operator already has this user name.")
MSG_LAST_ADMIN = v.N_("At least one active administrator must remain.")
MSG_ROLE = v.N_("Choose a role.")
MSG_OWN_LOGIN = v.N_("On the team server you cannot rename the account you are signed in with; "
                     "another administrator can.")


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    # argon2-cffi's defaults are RFC 9106's second recommendation: argon2id, 64 MiB, t=3, p=4.
    return PasswordHasher()


@lru_cache(maxsize=1)
def _decoy() -> str:
    """A hash to check an unknown user name against, so a wrong name takes as long as a wrong
    password (the time does not tell which part was wrong)."""
    return _hasher().hash("not a password of anyone")


def hash_password(password: str) -> str:
    return _hasher().hash(a.normal_password(password))


def _matches(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher().verify(password_hash or _decoy(), a.normal_password(password)) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def require(ctx: Context, permission: a.Permission) -> None:
    """Refuse (NotAllowed) unless the signed-in operator's role has `permission`. With nobody
    signed in (a command-line tool on the desk's own file, a test), nothing is refused: the
    team server refuses by its own GRANTs whoever connects."""
    role = ctx.session.role
    if ctx.session.operator is not None and not a.may(role, permission):
        raise NotAllowed(permission.value, role or "")


def allowed(ctx: Context, permission: a.Permission) -> bool:
    try:
        require(ctx, permission)
    except NotAllowed:
        return False
    return True


# -- signing in ---------------------------------------------------------------------------
def needs_first_administrator(ctx: Context) -> bool:
    """No one can sign in yet (a new database, or one from before accounts): the first
    person to start the program becomes its administrator."""
    with ctx.uow() as uow:
        return not _has_administrator(uow)


def _has_administrator(uow) -> bool:
    """Someone can sign in as an administrator: an active one with a password here, or on the
    team server with a login role (the server holds the password)."""
    on_server = uow.operators.on_server()
    return any(x.active and x.role == OperatorRole.ADMIN.value and (x.login if on_server else x.has_password)
               for x in uow.operators.accounts())


def sign_in(ctx: Context, login: str, password: str) -> OperatorData:
    """The operator whose user name and password these are; SignInRefused otherwise (WRONG
    without saying which part, DISABLED, or WAIT after too many wrong passwords). A wrong
    password is counted; a good one clears the count and the hash is renewed when argon2's
    recommended parameters have changed since it was made."""
    name = a.normal_login(login)
    now = ctx.now()
    if ctx.session.connect_as is not None:
        return _sign_in_to_server(ctx, name, password, now)
    with ctx.uow() as uow:
        found = uow.operators.credential(name) if name else None
        if found is None:
            _matches(None, password)  # as long as a real check
            raise SignInRefused(SignInRefused.WRONG)
        wait_until = a.next_try_at(found.failed_sign_ins, found.last_failed_at)
        if wait_until is not None and now < wait_until:
            raise SignInRefused(SignInRefused.WAIT, wait_until)
        if not _matches(found.password_hash, password):
            uow.operators.record_sign_in(found.operator_id, False, now)
            uow.commit()
            wait_until = a.next_try_at(found.failed_sign_ins + 1, now)
            if wait_until is not None:
                raise SignInRefused(SignInRefused.WAIT, wait_until)
            raise SignInRefused(SignInRefused.WRONG)
        if not found.active:
            raise SignInRefused(SignInRefused.DISABLED)
        if _hasher().check_needs_rehash(found.password_hash):
            uow.operators.set_password_hash(found.operator_id, hash_password(password))
        uow.operators.record_sign_in(found.operator_id, True, now)
        uow.commit()
        return next(o for o in uow.operators.all() if o.id == found.operator_id)


def _sign_in_to_server(ctx: Context, name: str, password: str, now) -> OperatorData:
    """On the team server the server checks the password: the desk connects as the operator's
    login role (from then on every unit of work runs as them, so the server's rights and its
    history trigger apply to them). Wrong passwords are counted on this desk to slow the next
    try (the server's own auth_delay, if its administrator enables it, slows every desk)."""
    failures, last = ctx.session.failures.get(name, (0, None))
    wait_until = a.next_try_at(failures, last)
    if wait_until is not None and now < wait_until:
        raise SignInRefused(SignInRefused.WAIT, wait_until)
    try:
        if not name:
            raise SignInRefused(SignInRefused.WRONG)
        ctx.session.connect_as(name, a.normal_password(password))
    except SignInRefused as refused:
        if refused.reason == SignInRefused.WRONG:
            ctx.session.failures[name] = (failures + 1, now)
            wait_until = a.next_try_at(failures + 1, now)
            if wait_until is not None:
                raise SignInRefused(SignInRefused.WAIT, wait_until) from None
        raise
    ctx.session.failures.pop(name, None)
    with ctx.uow() as uow:
        operator = uow.operators.server_operator()
    if operator is None:  # a role of the server that is no operator of this helpdesk
        raise SignInRefused(SignInRefused.WRONG)
    if not operator.active:
        raise SignInRefused(SignInRefused.DISABLED)
    return operator


# -- File → Operators -----------------------------------------------------------------------
def accounts(ctx: Context) -> list[OperatorAccount]:
    with ctx.uow() as uow:
        return uow.operators.accounts()


def _clean(account: OperatorAccount) -> OperatorAccount:
    account = replace(account, full_name=normalize(account.full_name), alias=normalize(account.alias),
                      team=normalize(account.team), login=a.normal_login(account.login))
    check([v.validate_required("full_name", account.full_name), v.validate_required("alias", account.alias),
           v.validate_text("full_name", account.full_name, v.TEXT_LIMITS["operators.full_name"]),
           v.validate_text("alias", account.alias, v.TEXT_LIMITS["operators.alias"]),
           v.validate_text("team", account.team, v.TEXT_LIMITS["operators.team"]),
           v.validate_required("login", account.login),
           a.validate_login("login", account.login) if account.login else None])
    if account.role not in {r.value for r in OperatorRole}:
        raise ValidationFailed([v.ValidationError("role", "role", MSG_ROLE)])
    return account


@changes(OPERATORS)
def save_account(ctx: Context, account: OperatorAccount, password: str | None = None) -> int:
    """Create or change an operator (and, with `password`, set it). Administrators only; an
    administrator cannot leave the database without an active administrator."""
    require(ctx, a.Permission.OPERATORS)
    account = _clean(account)
    if password is not None:
        check([a.validate_password("password", password)])
    with ctx.uow() as uow:
        uow.operators.lock_accounts()
        if uow.operators.login_taken(account.login, account.id):
            raise ValidationFailed([v.ValidationError("login", "taken", MSG_LOGIN_TAKEN)])
        everyone = uow.operators.accounts()
        others = [x for x in everyone if x.id != account.id]
        admin = account.active and account.role == OperatorRole.ADMIN.value
        if account.id is not None and not admin and not any(
                x.active and x.role == OperatorRole.ADMIN.value for x in others):
            raise ValidationFailed([v.ValidationError("role", "last_admin", MSG_LAST_ADMIN)])
        old_login = next((x.login for x in everyone if x.id == account.id), "")
        if old_login and old_login != account.login and uow.operators.on_server() \
                and old_login == uow.operators.session_login():
            raise ValidationFailed([v.ValidationError("login", "own_login", MSG_OWN_LOGIN)])
        operator_id = _save(uow, account, old_login, password)
        uow.commit()
        return operator_id


def _save(uow, account: OperatorAccount, old_login: str, password: str | None) -> int:
    try:
        operator_id = uow.operators.save_account(account)
        if uow.operators.on_server():
            if password is None and not old_login:  # a record without a login role yet: NOLOGIN until one is set
                uow.operators.save_server_login(operator_id, old_login, account.login, account.role, False, None)
            else:
                uow.operators.save_server_login(operator_id, old_login, account.login, account.role, account.active,
                                                None if password is None else a.normal_password(password))
        elif password is not None:
            uow.operators.set_password_hash(operator_id, hash_password(password))
    except DuplicateError as exc:
        if exc.field != "login":
            raise
        raise ValidationFailed([v.ValidationError("login", "taken", MSG_LOGIN_TAKEN)]) from None
    return operator_id


@changes(OPERATORS)
def set_password(ctx: Context, operator_id: int, password: str) -> None:
    """An administrator resets anyone's password; an operator changes their own."""
    if ctx.session.operator_id != operator_id:
        require(ctx, a.Permission.OPERATORS)
    check([a.validate_password("password", password)])
    with ctx.uow() as uow:
        x = next(x for x in uow.operators.accounts() if x.id == operator_id)
        if uow.operators.on_server():
            if x.login == uow.operators.session_login():  # one's own: any role may change its own
                uow.operators.set_server_password(x.login, a.normal_password(password))
            else:  # an administrator resets someone's: through the server's account function
                uow.operators.save_server_login(x.id, x.login, x.login, x.role, x.active, a.normal_password(password))
        else:
            uow.operators.set_password_hash(operator_id, hash_password(password))
        uow.commit()


@changes(OPERATORS)
def create_first_administrator(ctx: Context, account: OperatorAccount, password: str) -> OperatorData:
    """The first person on a database no one can sign in to: an administrator with this user
    name and password (an existing operator's record when `account.id` is given, e.g. a demo
    operator). Refused once someone can sign in (another desk was quicker)."""
    account = _clean(replace(account, role=OperatorRole.ADMIN.value, active=True))
    check([a.validate_password("password", password)])
    with ctx.uow() as uow:
        uow.operators.lock_accounts()
        if _has_administrator(uow):
            raise NotAllowed(a.Permission.OPERATORS.value, "")
        if uow.operators.login_taken(account.login, account.id):
            raise ValidationFailed([v.ValidationError("login", "taken", MSG_LOGIN_TAKEN)])
        old_login = ""
        if account.id is not None:
            current = next(x for x in uow.operators.accounts() if x.id == account.id)
            account = replace(account, version=current.version, code=current.code)
            old_login = current.login
        operator_id = _save(uow, account, old_login, password)
        if not uow.operators.on_server():
            uow.operators.record_sign_in(operator_id, True, ctx.now())
        uow.commit()
    if ctx.session.connect_as is not None:  # from now on the desk works as them on the server
        ctx.session.connect_as(account.login, a.normal_password(password))
    with ctx.uow() as uow:
        return next(o for o in uow.operators.all() if o.id == operator_id)
