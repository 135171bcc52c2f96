"""Customers and their contacts, and the questions that verify a caller is who they say."""

from __future__ import annotations

from dataclasses import replace

from ..domain import validation as v
from ..domain.enums import CustomerKind
from ..domain.errors import DuplicateError
from ..domain.phone import normalize_phone
from ..domain.text import fold, normalize
from ..domain.verification import check_answer, hash_answer
from .changes import CUSTOMERS, HISTORY, changes
from .context import Context
from .dto import CustomerDraft, ListQuery, NewEvent, Page
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
    with ctx.uow() as uow:
        return uow.customers.list(replace(query, text=fold(query.text)))


def customer_choices(ctx: Context, text: str, limit: int = 20):
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


@changes(HISTORY)
def verify_answer(ctx: Context, question_id: int, answer: str, ticket_id: int | None = None,
                  operator_id: int | None = None) -> bool:
    """Check the caller's answer; the outcome (never the answer) goes into the ticket history."""
    with ctx.uow() as uow:
        _customer, stored = uow.verification.answer_hash(question_id)
        ok = check_answer(answer, stored)
        if ticket_id is not None:
            record_verification(uow, ticket_id, operator_id, question_id, ok)
            uow.commit()
        return ok


def record_verification(uow, ticket_id: int, operator_id: int | None, question_id: int, ok: bool) -> None:
    uow.tickets.append_event(ticket_id, operator_id, NewEvent(
        "verification", field="question", new_value="match" if ok else "no_match", body=str(question_id)))
