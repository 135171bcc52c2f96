"""Tickets: opened with the entitlement decided from the stored facts, edited with every
change written to their history, and their SLA clocks started and moved by their status."""

from __future__ import annotations

from dataclasses import replace

from ..domain import validation as v
from ..domain import worklog as wl
from ..domain.change_requests import ChangeRequest, change_request_problems, work_refusal
from ..domain.entitlement import OverrideError, override, raised_priority
from ..domain.enums import (
    Channel,
    Coverage,
    Priority,
    RequestType,
    TicketEventKind,
    TicketStatus,
)
from ..domain.sla import ClockKind
from ..domain.text import fold, normalize, sort_key
from ..domain.vietnam import VIETNAM
from . import alerts, clocks
from .changes import CUSTOMERS, TICKETS, changes
from .context import Context
from .contracts import entitlement
from .customers import record_verification, refuse_archived
from .dto import ChangeRequestData, ListQuery, NewEvent, Page, TicketDraft
from .errors import ValidationFailed, check
from .once import client_uuid, create_once

# Ticket fields whose changes are recorded in the history, with how to show the values.
_TRACKED_FIELDS = ("subject", "request_type", "channel", "priority", "contact_id", "contract_id", "coverage", "description")


def clean_ticket(draft: TicketDraft) -> TicketDraft:
    check(
        [
            None if draft.customer_id else v.validate_required("customer_id", ""),
            v.validate_required("subject", draft.subject),
            None if draft.request_type in set(RequestType) else v.validate_required("request_type", ""),
            None if draft.channel in set(Channel) else v.validate_required("channel", ""),
            None if draft.priority in set(Priority) else v.validate_required("priority", ""),
            None if draft.status in set(TicketStatus) else v.validate_required("status", ""),
            v.validate_text("subject", draft.subject, v.TEXT_LIMITS["tickets.subject"]),
            v.validate_text("description", draft.description, v.LONG_TEXT, multiline=True),
        ]
    )
    return replace(draft, subject=normalize(draft.subject), description=v.clean_text(draft.description, multiline=True))


def list_tickets(ctx: Context, query: ListQuery) -> Page:
    with ctx.uow() as uow:
        return uow.tickets.list(replace(query, text=fold(query.text)))


def get_ticket(ctx: Context, ticket_id: int):
    with ctx.uow() as uow:
        return uow.tickets.get(ticket_id)


def queue_counts(ctx: Context, filters) -> dict[str, int]:
    """How many tickets each queue ("mine", "unassigned", "team", "all") holds under the
    list's filters (its state; "operator_id" and "team" say who "mine" and "team" are)."""
    with ctx.uow() as uow:
        return uow.tickets.queue_counts(dict(filters))


def assignable_operators(ctx: Context) -> list:
    """The active operators a ticket can be given to (OperatorData), in Vietnamese list order
    (by given name, then family and middle names)."""
    with ctx.uow() as uow:
        active = [o for o in uow.operators.all() if o.active]
    return sorted(active, key=lambda o: sort_key(o.full_name, by_given_name=True))


@changes(TICKETS)
def assign(ctx: Context, ticket_id: int, assignee_id: int | None, operator_id: int | None) -> bool:
    """Give a ticket to `assignee_id` (None: take it from whoever has it), as `operator_id`.
    The history gets one "assigned" row naming both: field "assignee_id", old_value and
    new_value the operators' ids as text ("" for nobody). Returns whether it changed
    (assigning to the one who has it writes nothing)."""
    with ctx.uow() as uow:
        if assignee_id is not None:
            _check_assignee(uow, assignee_id)
        old = uow.tickets.set_assignee(ticket_id, assignee_id)
        if old == assignee_id:
            return False
        uow.tickets.append_event(ticket_id, operator_id, _assigned(old, assignee_id))
        uow.commit()
        return True


def _check_assignee(uow, assignee_id: int) -> None:
    """A ticket goes to an operator who exists and is active (a disabled account may still be
    in a list read before it was disabled)."""
    if not any(o.id == assignee_id and o.active for o in uow.operators.all()):
        raise ValidationFailed([v.ValidationError("assignee_id", "inactive", MSG_NOT_ASSIGNABLE)])


MSG_NOT_ASSIGNABLE = v.N_("This operator can no longer be given tickets (the account is disabled or removed).")


def _assigned(old: int | None, new: int | None) -> NewEvent:
    """The history row of an assignment: the alert centre reads new_value to tell the assignee."""
    return NewEvent(TicketEventKind.ASSIGNED, field="assignee_id", old_value=_s(old), new_value=_s(new))


@changes(TICKETS, CUSTOMERS)
def create_ticket(ctx: Context, draft: TicketDraft, operator_id: int | None, override_reason: str = "",
                  cooperating: bool = True, in_scope: bool = True, verifications=()) -> int:
    """Open a ticket. Its entitlement is decided here from the stored facts; a refusal
    needs a typed override reason. The verdict and the override go into the history.
    With the draft's `uuid` it is opened once: a retry answers with the ticket the first
    attempt opened (services.once), before the entitlement is decided again (which would
    count that ticket among the customer's earlier requests)."""
    draft = clean_ticket(draft)
    check([v.validate_text("override_reason", override_reason, v.LONG_TEXT),
           v.validate_not_future("received_at", draft.received_at, ctx.now())])
    draft = replace(draft, uuid=client_uuid(draft.uuid))
    if draft.uuid:
        with ctx.uow() as uow:
            if (found := uow.tickets.id_for_uuid(draft.uuid)) is not None:
                return found
    return create_once(ctx, draft.uuid, lambda uow: uow.tickets.id_for_uuid(draft.uuid),
                       lambda: _create_ticket(ctx, draft, operator_id, override_reason, cooperating, in_scope,
                                              verifications))


def _create_ticket(ctx: Context, draft: TicketDraft, operator_id: int | None, override_reason: str,
                   cooperating: bool, in_scope: bool, verifications) -> int:
    now = ctx.now()
    draft = replace(draft, received_at=draft.received_at or now)
    # A new ticket has no reply and no approved change yet (the rules of refuse_unready_status).
    check([wl.complaint_resolution_error(draft.request_type, draft.status, 0),
           work_refusal(draft.request_type, draft.status, None)])
    verdict = entitlement(ctx, draft.customer_id, draft.contract_id, draft.request_type, draft.subject,
                          cooperating, in_scope)
    if verdict.refused:
        try:
            verdict = override(verdict, override_reason)
        except OverrideError as exc:
            raise ValidationFailed([v.ValidationError("override_reason", exc.code, exc.message)]) from exc
    draft = replace(draft, coverage=verdict.coverage.value)
    with ctx.uow() as uow:
        if (found := uow.tickets.id_for_uuid(draft.uuid)) is not None:
            return found  # the first attempt committed while the entitlement was decided
        refuse_archived(uow, draft.customer_id)
        # Seed 004: maintenance customers get priority, where their package says so.
        priority_first = verdict.priority_first and verdict.coverage is Coverage.MAINTENANCE
        asked = draft.priority
        draft = replace(draft, priority=raised_priority(asked, verdict.coverage, priority_first).value)
        code = uow.tickets.next_code(draft.received_at.astimezone(VIETNAM).year)  # the desk's year, not UTC's
        ticket_id = uow.tickets.add(draft, code, priority_first=priority_first)
        uow.tickets.append_event(ticket_id, operator_id, NewEvent(TicketEventKind.CREATED, new_value=draft.status, body=draft.subject))
        if priority_first:
            uow.tickets.append_event(ticket_id, operator_id, NewEvent(
                TicketEventKind.PRIORITY_RAISED, field="priority", old_value=asked, new_value=draft.priority))
        uow.tickets.append_event(ticket_id, operator_id, NewEvent(
            "entitlement", field="coverage", new_value=verdict.base_coverage.value if verdict.overridden else verdict.coverage.value,
            body=" ".join(verdict.codes) if not verdict.overridden else " ".join(["refused", *verdict.codes])))
        if verdict.overridden:
            uow.tickets.append_event(ticket_id, operator_id, NewEvent(
                "override", field="coverage", old_value=Coverage.REFUSED.value, new_value=verdict.coverage.value,
                body=verdict.override_reason or ""))
        for question_id, ok in verifications:
            record_verification(uow, ticket_id, operator_id, question_id, ok)
        terms = uow.tickets.terms_for_contract(draft.contract_id)
        policy, calendar = ctx.calendars.rules_for(terms)
        started = clocks.start_clocks(clocks.clocks_for(draft.request_type, draft.coverage), policy, calendar,
                                      draft.received_at, draft.status)
        uow.tickets.set_clocks(ticket_id, {k.value: clocks.clock_to_columns(c) for k, c in started.items()},
                               clocks.next_due(started))
        alerts.recheck_from(uow, clocks.next_due(started))  # typed in with an earlier received time
        if draft.assignee_id:
            uow.tickets.append_event(ticket_id, operator_id, _assigned(None, draft.assignee_id))
        uow.commit()
        return ticket_id


@changes(TICKETS, CUSTOMERS)
def update_ticket(ctx: Context, ticket_id: int, version: int, draft: TicketDraft, operator_id: int | None,
                  note: str = "") -> None:
    """Save changes; every changed field, the status and the assignment go to the history."""
    draft = clean_ticket(draft)
    check([v.validate_text("note", note, v.LONG_TEXT, multiline=True)])
    with ctx.uow() as uow:
        old = uow.tickets.get(ticket_id).draft
        if old.customer_id != draft.customer_id:
            refuse_archived(uow, draft.customer_id)
        # The coverage is the entitlement's verdict (or a recorded override), never an edit.
        draft = replace(draft, received_at=old.received_at, coverage=old.coverage)
        if old.status != draft.status:
            refuse_unready_status(uow, ticket_id, draft.request_type, draft.status)
        uow.tickets.update(ticket_id, version, draft)
        if old.status != draft.status:
            _move_clocks(ctx, uow, ticket_id, old.status, draft.status)
            uow.tickets.append_event(
                ticket_id, operator_id, NewEvent(TicketEventKind.STATUS_CHANGED, field="status", old_value=old.status, new_value=draft.status)
            )
        if old.assignee_id != draft.assignee_id:
            uow.tickets.append_event(ticket_id, operator_id, _assigned(old.assignee_id, draft.assignee_id))
        for name in _TRACKED_FIELDS:
            before, after = getattr(old, name), getattr(draft, name)
            if (before or "") != (after or ""):
                uow.tickets.append_event(
                    ticket_id, operator_id, NewEvent(TicketEventKind.FIELD_CHANGED, field=name, old_value=_s(before), new_value=_s(after))
                )
        if note.strip():
            uow.tickets.append_event(ticket_id, operator_id, NewEvent(TicketEventKind.NOTE, body=v.clean_text(note, multiline=True)))
        uow.commit()


def resolve_by_visit(ctx: Context, uow, ticket_id: int, operator_id: int | None, fixed_at) -> bool:
    """A visit logged as resolved resolves its ticket (issue #16: it stayed New with its clock
    running): status Resolved, the clocks stopped when the work ended, one history row. In
    the caller's unit of work. False when the ticket was resolved or closed already."""
    details = uow.tickets.get(ticket_id)
    old = details.draft.status
    if old in (TicketStatus.RESOLVED.value, TicketStatus.CLOSED.value):
        return False
    try:
        refuse_unready_status(uow, ticket_id, details.draft.request_type, TicketStatus.RESOLVED.value)
    except ValidationFailed as exc:
        # Said on the visit's outcome: that is what would resolve the ticket.
        raise ValidationFailed([replace(e, field="outcome") for e in exc.errors]) from exc
    uow.tickets.update(ticket_id, details.version, replace(details.draft, status=TicketStatus.RESOLVED.value))
    _move_clocks(ctx, uow, ticket_id, old, TicketStatus.RESOLVED.value, at=min(fixed_at, ctx.now()))
    uow.tickets.append_event(ticket_id, operator_id, NewEvent(
        TicketEventKind.STATUS_CHANGED, field="status", old_value=old, new_value=TicketStatus.RESOLVED.value))
    return True


def refuse_unready_status(uow, ticket_id: int, request_type: str, new_status: str) -> None:
    """The rules every path that moves a ticket's status obeys (the ticket form, a status
    change, a visit logged as resolved): a complaint is resolved only with a reply logged
    (seed 000 §2.7), a change request is worked on only once approved (seed 001).
    Raises ValidationFailed on "status"."""
    error = wl.complaint_resolution_error(request_type, new_status, uow.tickets.count_replies(ticket_id)) \
        if request_type == RequestType.COMPLAINT.value else None
    if error is None and request_type == RequestType.CHANGE_REQUEST.value:
        data = uow.tickets.change_request(ticket_id)
        cr = None if data is None else ChangeRequest(data.request_text, data.quote_vnd, data.approved_on)
        error = work_refusal(request_type, new_status, cr)
    if error is not None:
        raise ValidationFailed([error])


def get_change_request(ctx: Context, ticket_id: int) -> ChangeRequestData | None:
    with ctx.uow() as uow:
        return uow.tickets.change_request(ticket_id)


@changes(TICKETS)
def save_change_request(ctx: Context, ticket_id: int, data: ChangeRequestData, operator_id: int | None) -> None:
    """Store a change-request ticket's written request, quote and the customer's approval
    date (domain.change_requests checks them); each save adds one history row with what
    changed, so the request as first written stays in the history (seed 002 §4)."""
    cr = ChangeRequest(data.request_text or "", data.quote_vnd, data.approved_on)
    with ctx.uow() as uow:
        details = uow.tickets.get(ticket_id)
        received_on = details.draft.received_at.astimezone(VIETNAM).date() if details.draft.received_at else None
        errors = change_request_problems(cr, ctx.today(), received_on)
        if errors:
            raise ValidationFailed(errors)
        clean = ChangeRequestData(v.clean_text(data.request_text, multiline=True), data.quote_vnd, data.approved_on)
        before = uow.tickets.save_change_request(ticket_id, clean)
        for name in ("request_text", "quote_vnd", "approved_on"):
            old_value = "" if before is None else _s(getattr(before, name))
            new_value = _s(getattr(clean, name))
            if old_value != new_value:
                uow.tickets.append_event(ticket_id, operator_id, NewEvent(
                    TicketEventKind.CHANGE_REQUEST, field=name, old_value=old_value, new_value=new_value))
        uow.commit()


def _move_clocks(ctx: Context, uow, ticket_id: int, old_status: str, new_status: str, at=None) -> None:
    stored, terms = uow.tickets.clock_columns(ticket_id)
    policy, calendar = ctx.calendars.rules_for(terms)
    current = {ClockKind(k): clocks.clock_from_columns(ClockKind(k), cols, policy, calendar) for k, cols in stored.items()}
    moved = clocks.follow_status(current, old_status, new_status, at or ctx.now(), policy, calendar)
    uow.tickets.set_clocks(ticket_id, {k.value: clocks.clock_to_columns(c) for k, c in moved.items()},
                           clocks.next_due(moved))


def _s(value) -> str:
    return "" if value is None else str(value)
