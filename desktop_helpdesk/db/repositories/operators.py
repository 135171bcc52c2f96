"""Staff: the operators who log tickets and calls, and their accounts (migration 0017)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, text

from ...domain.errors import DuplicateError
from .. import roles

from ...services.dto import Credential, OperatorAccount, OperatorData, OperatorDraft
from .. import models as m
from ._sql import Repo, flush, take_code


class SqlOperatorRepository(Repo):
    def all(self) -> list[OperatorData]:
        rows = self.s.scalars(select(m.Operator).order_by(m.Operator.full_name)).all()
        return [OperatorData(o.id, o.code, o.full_name, o.alias, o.role, o.active, o.login or "", o.team or "")
                for o in rows]

    def add(self, draft: OperatorDraft) -> int:
        # From the code counter (the next free number): two desks adding at once get different codes.
        code = draft.code or take_code(self.s, m.Operator.code, "NV", 3)
        op = self._stamped(m.Operator(code=code, full_name=draft.full_name, alias=draft.alias, role=draft.role))
        self.s.add(op)
        flush(self.s, "code", code)
        return op.id

    # -- accounts ----------------------------------------------------------------------
    def lock_accounts(self) -> None:
        """Hold the accounts until this unit of work ends, so two administrators' changes
        are checked one after the other (the first administrator, the last one)."""
        if self.on_server():
            self.s.execute(text("LOCK TABLE operators IN SHARE ROW EXCLUSIVE MODE"))
        else:  # a write statement takes SQLite's write lock, even one that changes no row
            self.s.execute(text("UPDATE operators SET id = id WHERE 0 = 1"))

    def accounts(self) -> list[OperatorAccount]:
        rows = self.s.scalars(select(m.Operator).order_by(m.Operator.full_name)).all()
        on_server = self.on_server()  # there the login role holds the password
        return [OperatorAccount(o.id, o.full_name, o.alias, o.role, o.login or "", o.team or "", o.active, o.code,
                                bool(o.password_hash or (on_server and o.login)), o.signed_in_at, o.version)
                for o in rows]

    def credential(self, login: str) -> Credential | None:
        o = self.s.scalars(select(m.Operator).where(m.Operator.login == login)).first()
        if o is None:
            return None
        return Credential(o.id, o.password_hash, o.active, o.failed_sign_ins or 0, o.last_failed_at)

    def login_taken(self, login: str, other_than: int | None) -> bool:
        q = select(func.count()).select_from(m.Operator).where(m.Operator.login == login)
        if other_than is not None:
            q = q.where(m.Operator.id != other_than)
        return bool(self.s.scalar(q))

    def save_account(self, account: OperatorAccount) -> int:
        """Create (id None) or update an operator's record and account fields; the password
        is set apart (set_password_hash)."""
        if account.id is None:
            code = account.code or take_code(self.s, m.Operator.code, "NV", 3)
            op = self._stamped(m.Operator(code=code))
            self.s.add(op)
        else:
            op = self._load(m.Operator, account.id, account.version)
            code = op.code
        op.full_name, op.alias, op.role = account.full_name, account.alias, account.role
        op.login, op.team, op.active = account.login or None, account.team or None, account.active
        flush(self.s, "login" if account.login else "code", account.login or code)
        return op.id

    def set_password_hash(self, operator_id: int, password_hash: str | None) -> None:
        op = self._load(m.Operator, operator_id)
        op.password_hash = password_hash
        op.failed_sign_ins, op.last_failed_at = 0, None
        self.s.flush()

    def record_sign_in(self, operator_id: int, ok: bool, at: datetime) -> None:
        op = self._load(m.Operator, operator_id)
        if ok:
            op.failed_sign_ins, op.last_failed_at, op.signed_in_at = 0, None, at
        else:
            op.failed_sign_ins, op.last_failed_at = (op.failed_sign_ins or 0) + 1, at
        self.s.flush()

    # -- the team server: each operator is a PostgreSQL login role --------------------------
    def on_server(self) -> bool:
        """Whether the accounts are the server's login roles (PostgreSQL), not hashes here."""
        return self.s.get_bind().dialect.name == "postgresql"

    def save_server_login(self, operator_id: int, old_login: str, login: str, role: str, active: bool,
                          password: str | None) -> None:
        """The operator's login role follows their record: renamed with it, LOGIN while the
        account is active, in the group of their role, with the password when one is given."""
        connection = self.s.connection()
        if old_login and old_login != login:
            exists = connection.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(r)s", {"r": old_login}).first()
            if exists:
                roles.rename_login(connection, old_login, login)
        try:
            roles.save_login(connection, login, role, active, password, new=not old_login)
        except roles.LoginTaken:
            raise DuplicateError("login", login) from None
        self.s.flush()

    def set_server_password(self, login: str, password: str) -> None:
        """The signed-in operator's own password (others' go through save_server_login)."""
        roles.set_password(self.s.connection(), login, password)

    def session_login(self) -> str:
        return self.s.execute(select(func.session_user())).scalar() or ""

    def server_operator(self) -> OperatorData | None:
        """The operator whose login role this connection signed in as (None: the server's
        administrator or another role that is no operator)."""
        user = self.s.execute(select(func.session_user())).scalar()
        return next((o for o in self.all() if o.login == user), None)
