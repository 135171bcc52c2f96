"""Use cases of the desk: list, open, create and edit customers, contracts and tickets.

Every method runs on the database worker thread, opens one unit of work, and returns plain
data. Input is validated here as well as in the dialogs (the dialogs validate for quick
feedback; this is the guard that nothing invalid is ever written).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Callable

from ..domain import validation as v
from ..domain.contracts import warranty_end
from ..domain.enums import (
    Channel,
    ContractStage,
    CustomerKind,
    Priority,
    RequestType,
    TicketEventKind,
    TicketStatus,
)
from ..domain.errors import DuplicateError
from ..domain.phone import normalize_phone
from ..domain.text import fold, normalize, sort_key
from .dto import (
    ContactData,
    ContractDraft,
    CustomerDraft,
    ListQuery,
    NewEvent,
    OperatorDraft,
    Page,
    TicketDraft,
)
from .ports import UnitOfWorkFactory


class ValidationFailed(Exception):
    """The draft breaks a rule; `errors` are domain ValidationErrors (translated by the UI)."""

    def __init__(self, errors):
        super().__init__("; ".join(e.message for e in errors))
        self.errors = tuple(errors)


def _check(errors) -> None:
    found = [e for e in errors if e is not None]
    if found:
        raise ValidationFailed(found)


def _phone(value: str) -> str:
    return normalize_phone(value) if value.strip() else ""


def clean_customer(draft: CustomerDraft) -> CustomerDraft:
    """Validate and normalise a customer draft: NFC text, E.164 phones, trimmed codes."""
    _check(
        [
            v.validate_required("name", draft.name),
            None if draft.kind in set(CustomerKind) else v.validate_required("kind", ""),
            v.validate_tax_code("tax_code", draft.tax_code),
            v.validate_phone("phone", draft.phone),
            v.validate_email("email", draft.email),
        ]
        + [
            err
            for i, c in enumerate(draft.contacts)
            for err in (
                v.validate_required(f"contacts[{i}].full_name", c.full_name),
                v.validate_phone(f"contacts[{i}].phone", c.phone),
                v.validate_email(f"contacts[{i}].email", c.email),
            )
        ]
    )
    contacts = tuple(
        replace(
            c,
            full_name=normalize(c.full_name),
            position=normalize(c.position),
            phone=_phone(c.phone),
            email=c.email.strip(),
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
        email=draft.email.strip(),
        notes=draft.notes.strip(),
        contacts=contacts,
    )


def clean_contract(draft: ContractDraft) -> ContractDraft:
    _check(
        [
            None if draft.customer_id else v.validate_required("customer_id", ""),
            None if draft.package_id else v.validate_required("package_id", ""),
            None if draft.stage in set(ContractStage) else v.validate_required("stage", ""),
            v.validate_money_vnd("value_vnd", draft.value_vnd),
            v.validate_date_order("signed_on", draft.request_received_on, draft.signed_on),
            v.validate_date_order("accepted_on", draft.signed_on, draft.accepted_on),
            v.validate_date_order("maintenance_end", draft.accepted_on, draft.maintenance_end),
        ]
    )
    return replace(draft, number=normalize(draft.number).upper(), notes=draft.notes.strip())


def clean_ticket(draft: TicketDraft) -> TicketDraft:
    _check(
        [
            None if draft.customer_id else v.validate_required("customer_id", ""),
            v.validate_required("subject", draft.subject),
            None if draft.request_type in set(RequestType) else v.validate_required("request_type", ""),
            None if draft.channel in set(Channel) else v.validate_required("channel", ""),
            None if draft.priority in set(Priority) else v.validate_required("priority", ""),
            None if draft.status in set(TicketStatus) else v.validate_required("status", ""),
        ]
    )
    return replace(draft, subject=normalize(draft.subject), description=draft.description.strip())


# Ticket fields whose changes are recorded in the history, with how to show the values.
_TRACKED_FIELDS = ("subject", "request_type", "channel", "priority", "contact_id", "contract_id", "coverage", "description")


class HelpdeskService:
    """The desk's use cases over a unit-of-work factory. Thread-confined to the DB worker."""

    def __init__(self, uow_factory: UnitOfWorkFactory, now: Callable[[], datetime] | None = None):
        self._uow = uow_factory
        self._now = now or (lambda: datetime.now(timezone.utc))

    @property
    def uow_factory(self) -> UnitOfWorkFactory:
        return self._uow

    def now(self) -> datetime:
        return self._now()

    # -- operators and packages ------------------------------------------------------
    def operators(self):
        """Staff in Vietnamese list order: by given name, then family and middle names."""
        with self._uow() as uow:
            return sorted(uow.operators.all(), key=lambda o: sort_key(o.full_name, by_given_name=True))

    def add_operator(self, draft: OperatorDraft) -> int:
        _check([v.validate_required("full_name", draft.full_name), v.validate_required("alias", draft.alias)])
        with self._uow() as uow:
            new_id = uow.operators.add(
                replace(draft, full_name=normalize(draft.full_name), alias=normalize(draft.alias), code=normalize(draft.code).upper())
            )
            uow.commit()
            return new_id

    def packages(self):
        with self._uow() as uow:
            return uow.packages.all()

    # -- customers -------------------------------------------------------------------
    def list_customers(self, query: ListQuery) -> Page:
        with self._uow() as uow:
            return uow.customers.list(replace(query, text=fold(query.text)))

    def customer_choices(self, text: str, limit: int = 20):
        with self._uow() as uow:
            return uow.customers.choices(fold(text), limit)

    def get_customer(self, customer_id: int):
        with self._uow() as uow:
            return uow.customers.get(customer_id)

    def save_customer(self, draft: CustomerDraft, customer_id: int | None = None, version: int | None = None) -> int:
        draft = clean_customer(draft)
        with self._uow() as uow:
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

    # -- contracts -------------------------------------------------------------------
    def list_contracts(self, query: ListQuery) -> Page:
        with self._uow() as uow:
            return uow.contracts.list(replace(query, text=fold(query.text)))

    def get_contract(self, contract_id: int):
        with self._uow() as uow:
            return uow.contracts.get(contract_id)

    def contract_choices(self, customer_id: int):
        with self._uow() as uow:
            return uow.contracts.choices_for_customer(customer_id)

    def save_contract(self, draft: ContractDraft, contract_id: int | None = None, version: int | None = None) -> int:
        draft = clean_contract(draft)
        with self._uow() as uow:
            months = {p.id: p.warranty_months for p in uow.packages.all()}.get(draft.package_id, 12)
            if not draft.number:
                year = (draft.signed_on or draft.request_received_on or self._now().date()).year
                draft = replace(draft, number=uow.contracts.next_number(year))
            elif uow.contracts.number_taken(draft.number, contract_id):
                raise DuplicateError("number", draft.number)
            end = warranty_end(draft.accepted_on, months)
            if contract_id is None:
                contract_id = uow.contracts.add(draft, end)
            else:
                uow.contracts.update(contract_id, version, draft, end)
            uow.commit()
            return contract_id

    # -- tickets ---------------------------------------------------------------------
    def list_tickets(self, query: ListQuery) -> Page:
        with self._uow() as uow:
            return uow.tickets.list(replace(query, text=fold(query.text)))

    def get_ticket(self, ticket_id: int):
        with self._uow() as uow:
            return uow.tickets.get(ticket_id)

    def create_ticket(self, draft: TicketDraft, operator_id: int | None) -> int:
        draft = clean_ticket(draft)
        now = self._now()
        draft = replace(draft, received_at=draft.received_at or now)
        with self._uow() as uow:
            code = uow.tickets.next_code(draft.received_at.year)
            ticket_id = uow.tickets.add(draft, code)
            uow.tickets.append_event(ticket_id, operator_id, NewEvent(TicketEventKind.CREATED, new_value=draft.status, body=draft.subject))
            if draft.assignee_id:
                uow.tickets.append_event(ticket_id, operator_id, NewEvent(TicketEventKind.ASSIGNED, field="assignee_id", new_value=str(draft.assignee_id)))
            uow.commit()
            return ticket_id

    def update_ticket(self, ticket_id: int, version: int, draft: TicketDraft, operator_id: int | None, note: str = "") -> None:
        """Save changes; every changed field, the status and the assignment go to the history."""
        draft = clean_ticket(draft)
        with self._uow() as uow:
            old = uow.tickets.get(ticket_id).draft
            draft = replace(draft, received_at=old.received_at)
            uow.tickets.update(ticket_id, version, draft)
            if old.status != draft.status:
                uow.tickets.append_event(
                    ticket_id, operator_id, NewEvent(TicketEventKind.STATUS_CHANGED, field="status", old_value=old.status, new_value=draft.status)
                )
            if old.assignee_id != draft.assignee_id:
                uow.tickets.append_event(
                    ticket_id,
                    operator_id,
                    NewEvent(TicketEventKind.ASSIGNED, field="assignee_id", old_value=_s(old.assignee_id), new_value=_s(draft.assignee_id)),
                )
            for name in _TRACKED_FIELDS:
                before, after = getattr(old, name), getattr(draft, name)
                if (before or "") != (after or ""):
                    uow.tickets.append_event(
                        ticket_id, operator_id, NewEvent(TicketEventKind.FIELD_CHANGED, field=name, old_value=_s(before), new_value=_s(after))
                    )
            if note.strip():
                uow.tickets.append_event(ticket_id, operator_id, NewEvent(TicketEventKind.NOTE, body=normalize_multiline(note)))
            uow.commit()

    def add_note(self, ticket_id: int, operator_id: int | None, note: str) -> None:
        _check([v.validate_required("note", note)])
        with self._uow() as uow:
            uow.tickets.get(ticket_id)
            uow.tickets.append_event(ticket_id, operator_id, NewEvent(TicketEventKind.NOTE, body=normalize_multiline(note)))
            uow.commit()

    # -- meta ------------------------------------------------------------------------
    def is_empty(self) -> bool:
        with self._uow() as uow:
            return uow.customers.count() == 0

    def today(self) -> date:
        return self._now().date()


def _s(value) -> str:
    return "" if value is None else str(value)


def normalize_multiline(text: str) -> str:
    """NFC each line, keep the line breaks the operator typed."""
    return "\n".join(normalize(line) for line in text.strip().splitlines())
