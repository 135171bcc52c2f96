"""Failures the app explains to the user; each maps to a translated message in the UI."""


class DatabaseOpenError(Exception):
    """The database cannot be used. `reason` is one of the codes below."""

    LOCKED = "locked"
    READ_ONLY = "read_only"
    CORRUPT = "corrupt"
    NEWER = "newer"
    UNREACHABLE = "unreachable"
    # The team server (PostgreSQL):
    SERVER_DOWN = "server_down"  # refused, timed out, unknown host: nothing answers there
    BAD_LOGIN = "bad_login"  # wrong password, unknown user, no pg_hba entry for it
    NO_DATABASE = "no_database"  # the database named in the address does not exist
    SERVER_TOO_OLD = "server_too_old"  # PostgreSQL older than 13
    TLS_REFUSED = "tls_refused"  # the address requires TLS, the server has none
    SCHEMA_OLDER = "schema_older"  # a desk never upgrades a shared server: the admin does
    # Upgrading a local file (`path`: the copy taken before it, or where it was to be written):
    BACKUP_DISK_FULL = "backup_disk_full"  # the copy before upgrading did not fit: nothing changed
    BACKUP_FAILED = "backup_failed"  # the copy could not be written (a read-only folder...)
    UPGRADE_FAILED = "upgrade_failed"  # the migrations failed and were rolled back
    NETWORK_SHARE = "network_share"  # a SQLite file on a network share: WAL does not work there
    WRONG_KEY = "wrong_key"  # the offline copy does not open with this password

    def __init__(self, reason: str, detail: str = "", path: str | None = None):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.path = path


class DatabaseNewerError(DatabaseOpenError):
    def __init__(self, detail: str = ""):
        super().__init__(DatabaseOpenError.NEWER, detail)


class ConcurrentEditError(Exception):
    """Someone else saved this record since it was opened (optimistic locking).

    `who` (their display text: an operator's alias and code, or a desk's name) and `when` (an
    aware UTC datetime) describe the newer version when the storage could read them; either
    may be None (a row written before authors were recorded, or one that could not be read)."""

    def __init__(self, message: str = "", who: str | None = None, when=None):
        super().__init__(message)
        self.who = who
        self.when = when


class NotFoundError(Exception):
    """The record no longer exists."""


class DuplicateError(Exception):
    """A unique field (a code, a number, a tax code) is already used by another record."""

    def __init__(self, field: str, value: str):
        super().__init__(f"{field} {value!r} already exists")
        self.field = field
        self.value = value


class AlreadyCreated(DuplicateError):
    """The record a create was asked for already exists under the UUID its form chose: an
    earlier attempt of the same save committed (the connection dropped before the answer
    came back, or two retries ran at once). The services answer with that record instead."""

    def __init__(self, value: str):
        super().__init__("uuid", value)


class ConnectionLost(Exception):
    """The team server cannot be reached now (it is down, or the network is): nothing was
    written by the failed step; the app says so once and retries."""


class NotAllowed(Exception):
    """The signed-in operator's role does not allow this (the services refuse it on a local
    file, the team server refuses it by its GRANTs). `permission` names what was asked, a
    domain.accounts.Permission value, or "" when the server refused without saying which."""

    def __init__(self, permission: str = "", role: str = ""):
        super().__init__(f"not allowed: {permission or 'refused by the server'} ({role or 'unknown role'})")
        self.permission = permission
        self.role = role


class SignInRefused(Exception):
    """A sign-in failed. `reason`: WRONG (the user name or the password; never which),
    DISABLED (the account is disabled), WAIT (too many wrong passwords: `wait_until`, an aware
    UTC datetime, says when the next try is taken)."""

    WRONG = "wrong"
    DISABLED = "disabled"
    WAIT = "wait"

    def __init__(self, reason: str, wait_until=None):
        super().__init__(reason)
        self.reason = reason
        self.wait_until = wait_until


class SyncBlocked(Exception):
    """The field laptop's sync cannot run now (work on the copy can): `reason` is one of the
    class constants."""

    SCHEMA = "schema"  # the copy and the server are of different versions
    UNREACHABLE = "unreachable"  # the team server does not answer (or refused the password)
    NOT_A_COPY = "not_a_copy"  # this database is no offline copy
    PARENT_MISSING = "parent_missing"  # a restore needs a record the server no longer has

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
