"""Failures the app explains to the user; each maps to a translated message in the UI."""


class DatabaseOpenError(Exception):
    """The database cannot be used. `reason` is one of the codes below."""

    LOCKED = "locked"
    READ_ONLY = "read_only"
    CORRUPT = "corrupt"
    NEWER = "newer"
    UNREACHABLE = "unreachable"

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class DatabaseNewerError(DatabaseOpenError):
    def __init__(self, detail: str = ""):
        super().__init__(DatabaseOpenError.NEWER, detail)


class ConcurrentEditError(Exception):
    """Someone else saved this record since it was opened (optimistic locking)."""


class NotFoundError(Exception):
    """The record no longer exists."""


class DuplicateError(Exception):
    """A unique field (a code, a number, a tax code) is already used by another record."""

    def __init__(self, field: str, value: str):
        super().__init__(f"{field} {value!r} already exists")
        self.field = field
        self.value = value


class ConnectionLost(Exception):
    """The team server cannot be reached now (it is down, or the network is): nothing was
    written by the failed step; the app says so once and retries."""
