"""Use cases of the work log and of the service reports built from it.

Functions over a `Context` (its unit of work and clock), run on a database worker. The log is append-only: there is an `add_entry` and a `correct_entry`, and
nothing that changes or removes an entry.
"""

from __future__ import annotations

from dataclasses import replace

from ..domain import validation as v
from ..domain import worklog as wl
from ..domain.contracts import LifecycleError
from ..domain.text import normalize
from .catalog import vendor
from .changes import HISTORY, TICKETS, changes
from .context import Context
from .dto import AcceptanceReportFacts, VisitReportFacts
from .errors import ValidationFailed
from .once import client_uuid, create_once
from .tickets import resolve_by_visit

MSG_NOT_ACCEPTED = wl.N_("The contract has not been accepted yet: record its acceptance first.")


def _clean(draft: wl.WorkLogDraft) -> wl.WorkLogDraft:
    """The draft as stored: NFC; single-line details trimmed; the note and the work done keep
    their line breaks and tabs (the domain's clean_text). A control character is refused
    before cleaning, as typed: cleaning would turn some (U+001C-U+001F, U+0085) into spaces."""
    errors = [v.validate_text(name, value, v.LONG_TEXT, multiline=True)
              for name, value in (("body", draft.body), *draft.details.items()) if isinstance(value, str)]
    if any(e is not None and e.code == "control_character" for e in errors):
        raise ValidationFailed([e for e in errors if e is not None and e.code == "control_character"])
    details = {k: (normalize(value) if isinstance(value, str) else value) for k, value in draft.details.items()}
    if isinstance(details.get("work_done"), str):
        details["work_done"] = v.clean_text(draft.details["work_done"], multiline=True)
    return replace(draft, body=v.clean_text(draft.body, multiline=True), details=details)


@changes(HISTORY, TICKETS)
def add_entry(ctx: Context, ticket_id: int, operator_id: int | None, draft: wl.WorkLogDraft) -> int:
    """Append a work-log entry (or, with `corrects_id`, a correction) to a ticket's history.
    Raises ValidationFailed with per-field errors; returns the new entry's id. With the
    draft's `uuid` it is appended once: a retry answers with the entry the first attempt
    wrote (services.once)."""
    draft = _clean(draft)
    draft = replace(draft, uuid=client_uuid(draft.uuid))
    return create_once(ctx, draft.uuid, lambda uow: uow.tickets.entry_id_for_uuid(draft.uuid),
                       lambda: _add_entry(ctx, ticket_id, operator_id, draft))


def _add_entry(ctx: Context, ticket_id: int, operator_id: int | None, draft: wl.WorkLogDraft) -> int:
    now = ctx.now()
    with ctx.uow() as uow:
        received_at = uow.tickets.get(ticket_id).draft.received_at  # NotFoundError for a ticket that is gone
        if (found := uow.tickets.entry_id_for_uuid(draft.uuid)) is not None:
            return found  # an earlier attempt committed (validated then; "now" has moved since)
        original_kind = None
        if draft.corrects_id is not None:
            original_ticket, original_kind = uow.tickets.event_facts(draft.corrects_id)
            if original_ticket != ticket_id:
                raise ValidationFailed([wl.ValidationError("kind", "not_correctable", wl.MSG_NOT_CORRECTABLE)])
        errors = wl.validate_entry(draft, now=now, original_kind=original_kind, received_at=received_at)
        if errors:
            raise ValidationFailed(errors)
        occurred = draft.occurred_at or now
        if draft.kind == wl.TicketEventKind.VISIT and draft.occurred_at is None:
            # A visit sits in the history where it took place (or was planned to).
            occurred = draft.get("started_at") or draft.get("scheduled_at") or now
        entry_id = uow.tickets.append_worklog(ticket_id, operator_id, draft, occurred)
        if draft.kind == wl.TicketEventKind.VISIT and draft.corrects_id is None \
                and draft.get("outcome") == wl.VisitOutcome.RESOLVED.value:
            # Fixed on site: the ticket is resolved when the work ended, its clock stopped then.
            resolve_by_visit(ctx, uow, ticket_id, operator_id, draft.get("ended_at") or draft.get("started_at") or now)
        uow.commit()
        return entry_id


@changes(HISTORY)
def correct_entry(ctx: Context, ticket_id: int, operator_id: int | None, corrects_id: int,
                  draft: wl.WorkLogDraft, reason: str) -> int:
    """Append a correction of entry `corrects_id`: the corrected values and why."""
    details = dict(draft.details)
    details["reason"] = reason
    return add_entry(ctx, ticket_id, operator_id, replace(draft, corrects_id=corrects_id, details=details))


def visit_report(ctx: Context, event_id: int) -> tuple[VisitReportFacts, dict[str, str]]:
    """The facts of a visit's service report (its newest correction) and the vendor's header."""
    with ctx.uow() as uow:
        facts = uow.reports.visit(event_id)
    return facts, vendor(ctx)


def acceptance_report(ctx: Context, contract_id: int,
                      operator_id: int | None) -> tuple[AcceptanceReportFacts, dict[str, str]]:
    """The facts of a contract's acceptance minutes; `operator_id` signs for the vendor."""
    with ctx.uow() as uow:
        facts = uow.reports.acceptance(contract_id, operator_id)
    if facts.accepted_on is None:
        raise LifecycleError("not_accepted", MSG_NOT_ACCEPTED)
    return facts, vendor(ctx)

