"""The field laptop (issue #15): take an offline copy of some customers from the team server,
work on it, sync it, and let a person decide the conflicts.

The mechanics (capture, push, pull, conflicts) are the storage's (db/sync.py, db/offline.py),
reached through `ctx.offline` (ports.OfflineLink); here are the use cases, their rights and
their answers as plain data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..domain.errors import NotAllowed
from . import catalog
from .changes import CUSTOMERS, HISTORY, TICKETS, changes
from .context import Context


@dataclass(frozen=True)
class OfflineStatus:
    """What the status bar says of the copy: offline since, last synced, waiting changes."""

    on_copy: bool
    last_sync_at: str  # ISO, "" when never
    taken_at: str
    pending: int  # changes made here not yet on the server
    conflicts: int  # waiting for a person
    customers: int  # how many customers the copy holds


@dataclass(frozen=True)
class SyncReport:
    pushed: int
    applied: int
    pulled: int
    new_conflicts: int
    conflicts: int
    codes: dict  # provisional ticket/customer code -> final code
    bytes_sent: int
    bytes_received: int

    @property
    def in_sync(self) -> bool:
        return self.conflicts == 0


@dataclass(frozen=True)
class ConflictRow:
    """One decision waiting for a person: a field both sides changed (base, mine, theirs, as
    text to show), or a record gone or archived on the server (`kind` deleted / archived)."""

    uuid: str
    entity: str
    entity_uuid: str
    kind: str
    field: str
    base: str
    mine: str
    theirs: str
    created_at: str
    device: str
    label: str  # the record as a person names it (a ticket's code and subject...)


#: The choices a conflict takes.
KEEP_MINE, KEEP_THEIRS, EDIT, RESTORE = "mine", "theirs", "edit", "restore"


def _link(ctx: Context):
    if ctx.offline is None:
        raise NotAllowed("offline")
    return ctx.offline


def available(ctx: Context) -> bool:
    return ctx.offline is not None


def status(ctx: Context) -> OfflineStatus | None:
    if ctx.offline is None:
        return None
    s = ctx.offline.status()
    return OfflineStatus(on_copy=ctx.offline.on_copy, last_sync_at=s.get("last_sync_at", "") or "",
                         taken_at=s.get("taken_at", "") or "", pending=int(s.get("pending", 0) or 0),
                         conflicts=int(s.get("conflicts", 0) or 0), customers=int(s.get("customers", 0) or 0))


def provinces(ctx: Context) -> list[str]:
    return _link(ctx).provinces()


def scope(ctx: Context, *, mine: bool, province: str | None, picked: list[int]) -> list[str]:
    """The customers' UUIDs a copy would take: with open tickets assigned to me, of a
    province, picked by hand."""
    operator_id = ctx.session.operator_id if mine else None
    return _link(ctx).scope(operator_id if mine else None, province or None, list(picked))


def take(ctx: Context, path, password: str, customers: list[str], device_name: str) -> SyncReport:
    """Make the encrypted copy at `path` holding `customers` (and the firm's packages,
    calendar and details), unlocked by `password` (the operator's own on the server: checked
    first, SignInRefused when wrong, so the copy opens with what the server takes)."""
    op = ctx.session.operator
    if op is not None and getattr(op, "login", None):
        _link(ctx).check_password(op.login, password)
    outcome = _link(ctx).take(path, password, customers, device_name, ctx.session.operator_id,
                              _author(ctx), ctx.now())
    return _report(outcome)


@changes(CUSTOMERS, TICKETS, HISTORY)
def sync_now(ctx: Context) -> SyncReport:
    """Push this copy's changes, pull the server's; the server's clocks of tickets made here
    are recomputed on its calendar."""
    link = _link(ctx)
    outcome = link.sync(_author(ctx), ctx.session.operator_id, ctx.now())
    server_ctx = link.server_context() if getattr(outcome, "new_ticket_ids", None) else None
    if server_ctx is not None:
        catalog.recompute_tickets(server_ctx, list(outcome.new_ticket_ids))
        link.sync(_author(ctx), ctx.session.operator_id, ctx.now())  # bring the recomputed clocks back
    return _report(outcome)


def conflicts(ctx: Context) -> list[ConflictRow]:
    return [_row(c) for c in _link(ctx).conflicts()]


@changes(CUSTOMERS, TICKETS, HISTORY)
def resolve(ctx: Context, conflict_uuid: str, choice: str, value: str | None = None) -> None:
    """Decide a conflict: keep mine, keep theirs, a typed value, or restore what the server
    deleted or archived."""
    if choice not in (KEEP_MINE, KEEP_THEIRS, EDIT, RESTORE):
        raise ValueError(choice)
    _link(ctx).resolve(conflict_uuid, choice, value, _author(ctx), ctx.now())


def _author(ctx: Context) -> str:
    op = ctx.session.operator
    return f"{op.alias} ({op.code})" if op is not None else "sync"


def _report(outcome) -> SyncReport:
    return SyncReport(outcome.pushed, outcome.applied, outcome.pulled, outcome.new_conflicts, outcome.conflicts,
                      dict(outcome.codes), outcome.bytes_sent, outcome.bytes_received)


def _text(raw) -> str:
    if raw is None:
        return ""
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return str(raw)
    return "" if value is None else str(value)


def _row(c: dict) -> ConflictRow:
    return ConflictRow(uuid=c["uuid"], entity=c["entity"], entity_uuid=c["entity_uuid"], kind=c["kind"],
                       field=c.get("field") or "", base=_text(c.get("base")), mine=_text(c.get("mine")),
                       theirs=_text(c.get("theirs")), created_at=str(c.get("created_at") or ""),
                       device=c.get("device_name") or "", label=c.get("label") or c["entity_uuid"])
