"""Customers and their contacts, and the questions that verify a caller is who they say."""

from __future__ import annotations

from dataclasses import replace

from ..domain import validation as v
from ..domain.enums import CustomerKind, TicketEventKind
from ..domain.errors import DuplicateError
from ..domain.phone import normalize_phone
from ..domain.text import fold, normalize
from ..domain.verification import (
    ATTEMPT_WINDOW,
    attempts_left,
    check_answer,
    hash_answer,
    needs_rehash,
)
from .changes import CONTRACTS, CUSTOMERS, HISTORY, OBLIGATIONS, TICKETS, changes
from .context import Context
from .dto import (
    CallerQuestions,
    CustomerChoice,
    CustomerDetails,
    CustomerDraft,
    CustomerHistoryRow,
    ListQuery,
    MergePreview,
    NewEvent,
    Page,
    VerificationOutcome,
)
from .errors import check
from .once import client_uuid, create_once


def _phone(value: str) -> str:
    return normalize_phone(value) if value.strip() else ""


def clean_customer(draft: CustomerDraft) -> CustomerDraft:
    """Validate and normalise a customer draft: NFC text, E.164 phones, trimmed codes."""
    check(
        [
            v.validate_required("name", draft.name),
            None if draft.kind in set(CustomerKind) else v.validate_required("kind", ""),
            v.validate_tax_code("tax_code", draft.tax_code),
            v.validate_phone("phone", draft.phone),
            v.validate_email("email", draft.email),
            v.validate_text("code", draft.code, v.TEXT_LIMITS["customers.code"]),
            v.validate_text("name", draft.name, v.TEXT_LIMITS["customers.name"]),
            v.validate_text("address", draft.address, v.TEXT_LIMITS["customers.address"]),
            v.validate_text("province", draft.province, v.TEXT_LIMITS["customers.province"]),
            v.validate_text("notes", draft.notes, v.LONG_TEXT, multiline=True),
        ]
        + [
            err
            for i, c in enumerate(draft.contacts)
            for err in (
                v.validate_required(f"contacts[{i}].full_name", c.full_name),
                v.validate_phone(f"contacts[{i}].phone", c.phone),
                v.validate_email(f"contacts[{i}].email", c.email),
                v.validate_text(f"contacts[{i}].full_name", c.full_name, v.TEXT_LIMITS["contacts.full_name"]),
                v.validate_text(f"contacts[{i}].position", c.position, v.TEXT_LIMITS["contacts.position"]),
            )
        ]
    )
    contacts = tuple(
        replace(
            c,
            full_name=normalize(c.full_name),
            position=normalize(c.position),
            phone=_phone(c.phone),
            email=v.clean_text(c.email),
        )
        for c in draft.contacts
    )
    return replace(
        draft,
        code=normalize(draft.code).upper(),
        name=normalize(draft.name),
        tax_code=draft.tax_code.strip(),
        address=normalize(draft.address),
        province=normalize(draft.province),
        phone=_phone(draft.phone),
        email=v.clean_text(draft.email),
        notes=v.clean_text(draft.notes, multiline=True),
        contacts=contacts,
    )


def list_customers(ctx: Context, query: ListQuery) -> Page:
    """A page of the customers list; archived customers only with `filters={"archived": True}`."""
    with ctx.uow() as uow:
        return uow.customers.list(replace(query, text=fold(query.text)))


def customer_choices(ctx: Context, text: str, limit: int = 20):
    """Customers new work may be for (archived ones are left out)."""
    with ctx.uow() as uow:
        return uow.customers.choices(fold(text), limit)


def get_customer(ctx: Context, customer_id: int):
    with ctx.uow() as uow:
        return uow.customers.get(customer_id)


@changes(CUSTOMERS)
def save_customer(ctx: Context, draft: CustomerDraft, customer_id: int | None = None, version: int | None = None) -> int:
    """Create (no `customer_id`) or update a customer. A create with the draft's `uuid` is
    applied once: a retry answers with the customer the first attempt stored (services.once)."""
    draft = clean_customer(draft)
    if customer_id is not None:
        return _save_customer(ctx, draft, customer_id, version)
    draft = replace(draft, uuid=client_uuid(draft.uuid))
    return create_once(ctx, draft.uuid, lambda uow: uow.customers.id_for_uuid(draft.uuid),
                       lambda: _save_customer(ctx, draft, None, None))


def _save_customer(ctx: Context, draft: CustomerDraft, customer_id: int | None, version: int | None) -> int:
    with ctx.uow() as uow:
        if customer_id is None and (found := uow.customers.id_for_uuid(draft.uuid)) is not None:
            return found  # an earlier attempt of this create committed (before the code check)
        if not draft.code:
            draft = replace(draft, code=uow.customers.next_code())
        elif uow.customers.code_taken(draft.code, customer_id):
            raise DuplicateError("code", draft.code)
        if customer_id is None:
            customer_id = uow.customers.add(draft)
        else:
            uow.customers.update(customer_id, version, draft)
        uow.commit()
        return customer_id


def is_empty(ctx: Context) -> bool:
    """No customer yet: a new database (the demo may fill it)."""
    with ctx.uow() as uow:
        return uow.customers.count() == 0


# -- caller verification -------------------------------------------------------------
def verification_questions(ctx: Context, customer_id: int):
    with ctx.uow() as uow:
        return uow.verification.questions(customer_id)


@changes(CUSTOMERS)
def add_verification_question(ctx: Context, customer_id: int, question: str, answer: str) -> int:
    check([v.validate_required("question", question), v.validate_required("answer", answer),
           v.validate_text("question", question, v.TEXT_LIMITS["verification_questions.question"]),
           v.validate_text("answer", answer, v.LONG_TEXT)])
    with ctx.uow() as uow:
        new_id = uow.verification.add(customer_id, normalize(question), hash_answer(answer))
        uow.commit()
        return new_id


def questions_to_ask(ctx: Context, customer_id: int) -> CallerQuestions:
    """The customer's questions for the verification window, and whether answers may be
    checked now or were refused for too many wrong ones in the last hour."""
    with ctx.uow() as uow:
        questions = tuple(uow.verification.questions(customer_id))
        now = ctx.now()
        left = attempts_left(uow.verification.failed_attempts_since(customer_id, now - ATTEMPT_WINDOW), now)
        return CallerQuestions(questions, left.tries_left, left.locked_until)


@changes(HISTORY)
def verify_answer(ctx: Context, question_id: int, answer: str, ticket_id: int | None = None,
                  operator_id: int | None = None) -> VerificationOutcome:
    """Check the caller's answer; the outcome (never the answer) goes into the ticket history.

    Every check is recorded (verification_attempts). After MAX_FAILED_ATTEMPTS wrong answers
    for the customer in the last hour, on any desk, the answer is not compared at all: the
    outcome is refused (`matched` None) until the oldest of them is an hour old; the refusal
    is recorded too, not in the ticket's history (nothing was verified). A good answer
    whose stored hash is PBKDF2, or argon2 with outdated parameters, is stored again as a
    fresh argon2id hash in the same transaction."""
    with ctx.uow() as uow:
        customer_id, stored = uow.verification.answer_hash(question_id)
        now = ctx.now()
        attempt = uow.verification.start_attempt(customer_id, question_id, operator_id, now)
        failed = uow.verification.failed_attempts_since(customer_id, now - ATTEMPT_WINDOW)
        before = attempts_left(failed, now)
        if before.refused:
            uow.commit()  # the refused try is kept as evidence
            return VerificationOutcome(None, 0, before.locked_until)
        ok = check_answer(answer, stored)
        uow.verification.settle_attempt(attempt, ok)
        if ok and needs_rehash(stored):
            uow.verification.replace_answer_hash(question_id, stored, hash_answer(answer))
        if ticket_id is not None:
            record_verification(uow, ticket_id, operator_id, question_id, ok)
        uow.commit()
        after = before if ok else attempts_left([*failed, now], now)
        return VerificationOutcome(ok, after.tries_left, after.locked_until)


def record_verification(uow, ticket_id: int, operator_id: int | None, question_id: int, ok: bool) -> None:
    uow.tickets.append_event(ticket_id, operator_id, NewEvent(
        "verification", field="question", new_value="match" if ok else "no_match", body=str(question_id)))


# -- merge and archive (issue #14) ------------------------------------------------------
MSG_MERGE_ITSELF = v.N_("A customer cannot be merged into itself: choose the other customer to keep.")
MSG_MERGE_INTO_ARCHIVED = v.N_("{code} is archived: restore it first, or keep another customer.")
MSG_ALREADY_MERGED = v.N_("{code} was already merged into {into}.")
MSG_ARCHIVE_OPEN_TICKETS = v.N_("{code} still has open tickets ({count}): close or move them before archiving.")
MSG_ALREADY_ARCHIVED = v.N_("{code} is archived already.")
MSG_NOT_ARCHIVED = v.N_("{code} is not archived.")
MSG_RESTORE_MERGED = v.N_("{code} was merged into {into}: its contacts, contracts and tickets are there now. "
                          "Open {into} instead.")

MSG_NEW_WORK_ARCHIVED = v.N_("{code} is archived: restore it first to open new work for it.")
MSG_NEW_WORK_MERGED = v.N_("{code} was merged into {into}: choose {into} instead.")

#: The fields a merge fills on the customer kept, from the duplicate, where the kept one has none.
MERGE_FILLS = ("tax_code", "phone", "email", "address", "province")


def _refused(field: str, reason: str, message: str, **params) -> None:
    check([v.ValidationError(field, reason, message, tuple(params.items()))])


def refuse_archived(uow, customer_id: int) -> None:
    """New work (a ticket, a contract, or one moved to another customer) is not for an
    archived customer: the pickers do not offer one, and this refuses it on every other path
    (a customer selected under "Show archived", the caller lookup, which still finds them)."""
    details = uow.customers.get(customer_id)
    if details.merged_into is not None:
        _refused("customer_id", "merged", MSG_NEW_WORK_MERGED, code=details.draft.code,
                 into=details.merged_into.code)
    if details.archived_at is not None:
        _refused("customer_id", "archived", MSG_NEW_WORK_ARCHIVED, code=details.draft.code)


def merged_fields(keep: CustomerDraft, duplicate: CustomerDraft) -> CustomerDraft:
    """The kept customer's fields after a merge: each of MERGE_FILLS it has empty is taken
    from the duplicate; what it has stays. The duplicate's notes are added under its own,
    headed by its code, so nothing typed about either customer is lost."""
    filled = {name: getattr(duplicate, name) for name in MERGE_FILLS
              if not getattr(keep, name).strip() and getattr(duplicate, name).strip()}
    notes = keep.notes
    if duplicate.notes.strip() and duplicate.notes.strip() not in keep.notes:
        notes = f"{keep.notes}\n\n[{duplicate.code}] {duplicate.notes}" if keep.notes.strip() \
            else f"[{duplicate.code}] {duplicate.notes}"
    return replace(keep, notes=notes, **filled)


def merge_preview(ctx: Context, keep_id: int, duplicate_id: int) -> MergePreview:
    """Both customers as read now, and what merging the duplicate would move (for the
    confirmation; its versions go back with `merge_customers`)."""
    with ctx.uow() as uow:
        keep, duplicate = uow.customers.get(keep_id), uow.customers.get(duplicate_id)
        return MergePreview(_choice(keep), keep.version, _choice(duplicate), duplicate.version,
                            uow.customers.holdings(duplicate_id))


def _choice(details: CustomerDetails) -> CustomerChoice:
    return CustomerChoice(details.id, details.draft.code, details.draft.name)


@changes(CUSTOMERS, CONTRACTS, TICKETS, OBLIGATIONS, HISTORY)
def merge_customers(ctx: Context, keep_id: int, keep_version: int, duplicate_id: int, duplicate_version: int,
                    operator_id: int | None = None) -> int:
    """Merge a duplicate into the customer kept, in one transaction: the duplicate's
    contacts, contracts (with their obligations), tickets and verification questions move to
    the kept customer; the kept one's empty fields are filled from the duplicate
    (`merged_fields`); the duplicate stays, archived, pointing at the kept one, so its old
    code still leads somewhere. Both customers' histories say so, and each moved ticket and
    contract's history says from which customer it came. Refused: a customer into itself,
    into an archived customer, a duplicate already merged, and (ConcurrentEditError) either
    customer changed since its version was read. Returns the kept customer's id."""
    if keep_id == duplicate_id:
        _refused("customer_id", "merge_itself", MSG_MERGE_ITSELF)
    with ctx.uow() as uow:
        keep, duplicate = uow.customers.get(keep_id), uow.customers.get(duplicate_id)
        if keep.archived_at is not None:
            _refused("customer_id", "archived", MSG_MERGE_INTO_ARCHIVED, code=keep.draft.code)
        if duplicate.merged_into is not None:
            _refused("customer_id", "merged", MSG_ALREADY_MERGED, code=duplicate.draft.code,
                     into=duplicate.merged_into.code)
        moved = uow.customers.merge(keep_id, keep_version, duplicate_id, duplicate_version,
                                    merged_fields(keep.draft, duplicate.draft), ctx.now())
        kept, gone = keep.draft, duplicate.draft
        uow.customers.append_event(keep_id, operator_id, NewEvent(
            "merged", field="merged_from", new_value=gone.code, body=gone.name))
        uow.customers.append_event(duplicate_id, operator_id, NewEvent(
            "merged", field="merged_into", new_value=kept.code, body=kept.name))
        for ticket_id in moved.ticket_ids:
            uow.tickets.append_event(ticket_id, operator_id, NewEvent(
                TicketEventKind.FIELD_CHANGED, field="customer", old_value=gone.code, new_value=kept.code))
        for contract_id in moved.contract_ids:
            uow.contracts.append_event(contract_id, operator_id, NewEvent(
                "customer_changed", field="customer", old_value=gone.code, new_value=kept.code))
        uow.commit()
        return keep_id


@changes(CUSTOMERS)
def archive_customer(ctx: Context, customer_id: int, version: int, operator_id: int | None = None) -> int:
    """Archive a customer: out of the customers list and of the choices for new tickets and
    contracts; still opened by its id, found by the search and the caller lookup, its
    history kept. Refused while it has open tickets (someone is still working for it: they
    are closed, or moved by a merge, first). Contracts do not hold it back: a customer who
    left keeps its ended contracts."""
    with ctx.uow() as uow:
        details = uow.customers.get(customer_id)
        code = details.draft.code
        if details.archived_at is not None:
            _refused("customer_id", "archived", MSG_ALREADY_ARCHIVED, code=code)
        open_tickets = uow.customers.holdings(customer_id).open_tickets
        if open_tickets:
            _refused("customer_id", "open_tickets", MSG_ARCHIVE_OPEN_TICKETS, code=code, count=open_tickets)
        uow.customers.set_archived(customer_id, version, ctx.now())
        uow.customers.append_event(customer_id, operator_id, NewEvent("archived"))
        uow.commit()
        return customer_id


@changes(CUSTOMERS)
def restore_customer(ctx: Context, customer_id: int, version: int, operator_id: int | None = None) -> int:
    """Bring an archived customer back to the lists and choices. A duplicate that was
    merged stays archived: its records are with the customer it was merged into."""
    with ctx.uow() as uow:
        details = uow.customers.get(customer_id)
        code = details.draft.code
        if details.merged_into is not None:
            _refused("customer_id", "merged", MSG_RESTORE_MERGED, code=code, into=details.merged_into.code)
        if details.archived_at is None:
            _refused("customer_id", "not_archived", MSG_NOT_ARCHIVED, code=code)
        uow.customers.set_archived(customer_id, version, None)
        uow.customers.append_event(customer_id, operator_id, NewEvent("restored"))
        uow.commit()
        return customer_id


def customer_history(ctx: Context, customer_id: int) -> list[CustomerHistoryRow]:
    """The customer's own history (merged, archived, restored), oldest first."""
    with ctx.uow() as uow:
        return uow.customers.history(customer_id)
