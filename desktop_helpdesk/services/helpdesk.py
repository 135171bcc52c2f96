"""Use cases of the desk: list, open, create and edit customers, contracts and tickets.

Every method runs on the database worker thread, opens one unit of work, and returns plain
data. Input is validated here as well as in the dialogs (the dialogs validate for quick
feedback; this is the guard that nothing invalid is ever written).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo
from typing import Callable

from ..domain import validation as v
from ..domain.contracts import (
    MSG_MAINTENANCE_NEEDS_ACCEPTANCE,
    LifecycleError,
    MaintenanceTerm,
    Payment,
    next_term,
    transition,
    warranty_end,
)
from ..domain.entitlement import Entitlement, EntitlementInput, OverrideError, check_entitlement, override
from ..domain.obligations import PlannedItem, obligations_for_contract
from ..domain.sla import ClockKind
from ..domain.verification import check_answer, hash_answer
from ..domain.enums import (
    Channel,
    ContractStage,
    Coverage,
    CustomerKind,
    ObligationKind,
    Priority,
    RequestType,
    TicketEventKind,
    TicketStatus,
)
from ..domain.errors import DuplicateError
from ..domain.phone import PhoneError, normalize_phone, phone_candidates
from ..domain.search import match_tier, parse_query
from ..domain.text import fold, normalize, sort_key
from .dto import (
    CallerLookup,
    CalendarDay,
    ContractDraft,
    CustomerDraft,
    ListQuery,
    NewEvent,
    OperatorDraft,
    PackageData,
    Page,
    PaymentData,
    SearchGroup,
    SearchHit,
    SearchResults,
    SlaTerms,
    TicketDraft,
)
from . import alerts, clocks
from .ports import UnitOfWorkFactory


VN_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
#: Global search: the groups in order, hits shown per group (and when one is expanded), and
#: how many of the newest rows containing the words are ranked (and counted: "200+").
SEARCH_KINDS = ("customer", "contact", "contract", "ticket")
SEARCH_SHOWN, SEARCH_EXPANDED = 5, 50
SEARCH_WINDOW = 200
SEARCH_MIN_CHARS = 2
MSG_NOT_POSITIVE = v.N_("Enter a number above zero.")
_TAX_CODE = re.compile(r"[0-9]{10}(-[0-9]{3})?|[0-9]{12}")


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
        self._raw_uow = uow_factory
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._calendar_loaded = False

    def _uow(self):
        """A unit of work; the first one also loads the firm's calendar days of this
        database into the office calendar (services.clocks.calendar_for)."""
        if not self._calendar_loaded:
            with self._raw_uow() as uow:
                clocks.set_office_days(uow.calendar.all())
            self._calendar_loaded = True
        return self._raw_uow()

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

    def update_package_terms(self, data: PackageData, progress=None, batch: int = 1000) -> int:
        """Save a package's warranty and SLA terms, then recompute the due times of every
        ticket clock still running on them, in batches (one transaction each), reporting
        `progress(done, total)`. Returns how many tickets were recomputed."""
        _check([None if isinstance(value, int) and value > 0 else v.ValidationError(name, "not_positive", MSG_NOT_POSITIVE)
                for name, value in (("warranty_months", data.warranty_months),
                                    ("proposal_target_minutes", data.proposal_target_minutes),
                                    ("fix_target_hours", data.fix_target_hours),
                                    ("fix_extended_hours", data.fix_extended_hours),
                                    ("complaint_target_hours", data.complaint_target_hours))])
        with self._uow() as uow:
            uow.packages.update_terms(data.id, data)
            ids = uow.packages.open_ticket_ids(data.id)
            uow.commit()
        terms = SlaTerms(data.support_hours, data.proposal_target_minutes, data.fix_target_hours,
                         data.fix_extended_hours, data.complaint_target_hours)
        policy, calendar = clocks.rules_for(terms)
        for start in range(0, len(ids), batch):
            with self._uow() as uow:
                earliest = None
                for ticket_id in ids[start:start + batch]:
                    stored, _terms = uow.tickets.clock_columns(ticket_id)
                    moved = {}
                    for k, cols in stored.items():
                        kind = ClockKind(k)
                        clock = clocks.clock_from_columns(kind, cols, policy, calendar)
                        # A clock already met or breached keeps its verdict (as a calendar edit does).
                        moved[kind] = (clock.recompute(policy.target(kind), calendar)
                                       if clock and clock.stopped_at is None else clock)
                    due = clocks.next_due(moved)
                    uow.tickets.set_clocks(ticket_id, {k.value: clocks.clock_to_columns(c) for k, c in moved.items()}, due)
                    earliest = due if earliest is None or (due is not None and due < earliest) else earliest
                alerts.recheck_from(uow, earliest)  # shorter targets may have made clocks overdue
                uow.commit()
            if progress is not None:
                progress(min(start + batch, len(ids)), len(ids))
        return len(ids)

    def packages(self):
        with self._uow() as uow:
            return uow.packages.all()

    # -- the firm's support calendar -------------------------------------------------
    def calendar_days(self) -> list[CalendarDay]:
        """The firm's own days off and working days, by date."""
        with self._uow() as uow:
            return uow.calendar.all()

    def save_calendar_days(self, put, remove, progress=None, batch: int = 2000) -> int:
        """Add or change the firm's days `put` (CalendarDay) and remove the dates `remove`,
        then recompute the due times of every clock still running or paused on the office
        calendar that a changed date can move (those due on or after the earliest changed
        date), in batches of one transaction each, reporting `progress(done, total)`.
        Stopped clocks keep their verdict. Returns how many tickets were recomputed."""
        put = [replace(d, name=normalize(d.name)) for d in put]
        _check([v.validate_required("name", d.name) for d in put]
               + [None if d.kind in (clocks.DAY_OFF, clocks.WORKING_DAY) else v.validate_required("kind", "")
                  for d in put])
        changed = {d.day for d in put} | set(remove)
        with self._uow() as uow:
            for day in remove:
                uow.calendar.remove(day)
            for day in put:
                uow.calendar.put(day)
            days = uow.calendar.all()
            uow.commit()
        clocks.set_office_days(days)
        if not changed:
            return 0
        first = datetime.combine(min(changed), datetime.min.time(), VN_ZONE)
        with self._uow() as uow:
            ids = uow.tickets.office_ticket_ids_due_from(first)
        if progress is not None:
            progress(0, len(ids))
        for start in range(0, len(ids), batch):
            with self._uow() as uow:
                updates, earliest = [], None
                for ticket_id, stored, terms in uow.tickets.clocks_of(ids[start:start + batch]):
                    policy, calendar = clocks.rules_for(terms)
                    moved = {}
                    for c in stored:
                        kind = ClockKind(c.kind)
                        clock = clocks.clock_from_columns(kind, {
                            "started_at": c.started_at, "paused_seconds": c.paused_seconds,
                            "paused_since": c.paused_since, "stopped_at": c.stopped_at, "due_at": c.due_at},
                            policy, calendar)
                        moved[kind] = clock if clock.stopped_at is not None else clock.recompute(calendar=calendar)
                    due = clocks.next_due(moved)
                    updates.append((ticket_id, {k.value: clocks.clock_to_columns(c) for k, c in moved.items()}, due))
                    if due is not None and (earliest is None or due < earliest):
                        earliest = due
                uow.tickets.write_clocks(updates)
                alerts.recheck_from(uow, earliest)  # an added working day brings due times forward
                uow.commit()
            if progress is not None:
                progress(min(start + batch, len(ids)), len(ids))
        return len(ids)

    # -- customers -------------------------------------------------------------------
    def list_customers(self, query: ListQuery) -> Page:
        with self._uow() as uow:
            return uow.customers.list(replace(query, text=fold(query.text)))

    def customer_choices(self, text: str, limit: int = 20):
        with self._uow() as uow:
            return uow.customers.choices(fold(text), limit)

    def lookup_caller(self, text: str, limit: int = 20, tickets_per_customer: int = 5) -> CallerLookup:
        """Who is calling: every reading of the number as typed (old plans included, most
        likely first), matched exactly against contacts' and customers' E.164 phones; a
        customer code or tax code typed in the same field matches too. Never raises for what
        the operator typed: an unreadable number comes back as `error` (a PhoneError code)."""
        text = normalize(text)
        if not text:
            return CallerLookup(text, (), ())
        try:
            candidates, error = tuple(phone_candidates(text)), ""
        except PhoneError as exc:
            candidates, error = (), exc.code
        code = text.upper() if len(text) <= 20 and " " not in text else ""
        tax_code = text if _TAX_CODE.fullmatch(text) else ""
        with self._uow() as uow:
            matches = tuple(uow.callers.find(candidates, code, tax_code, limit, tickets_per_customer))
        return CallerLookup(text, candidates, matches, "" if matches else error)

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

    def save_contract(self, draft: ContractDraft, contract_id: int | None = None, version: int | None = None,
                      operator_id: int | None = None) -> int:
        draft = clean_contract(draft)
        with self._uow() as uow:
            months = {p.id: p.warranty_months for p in uow.packages.all()}.get(draft.package_id, 12)
            if not draft.number:
                year = (draft.signed_on or draft.request_received_on or self._today_vn()).year
                draft = replace(draft, number=uow.contracts.next_number(year))
            elif uow.contracts.number_taken(draft.number, contract_id):
                raise DuplicateError("number", draft.number)
            end = warranty_end(draft.accepted_on, months)
            if contract_id is None:
                contract_id = uow.contracts.add(draft, end)
                uow.contracts.append_event(contract_id, operator_id, NewEvent("created", new_value=draft.stage))
            else:
                uow.contracts.update(contract_id, version, draft, end)
                uow.contracts.append_event(contract_id, operator_id, NewEvent("edited"))
            self._derive_obligations(uow, contract_id)
            uow.commit()
            return contract_id

    def contract_file(self, contract_id: int):
        with self._uow() as uow:
            return uow.contracts.file(contract_id)

    def move_contract(self, contract_id: int, version: int, target: str, on: date,
                      operator_id: int | None, maintenance_end: date | None = None) -> None:
        """Move a contract to another lifecycle stage on a date (domain.contracts.transition
        refuses impossible orders); the move and its date go into the contract's history."""
        with self._uow() as uow:
            stage, dates, _ = uow.contracts.dates(contract_id)
            f = uow.contracts.file(contract_id)
            new_dates = transition(ContractStage(stage), ContractStage(target), on, dates,
                                   warranty_months=f.warranty_months, maintenance_end=maintenance_end)
            uow.contracts.set_lifecycle(contract_id, version, target, new_dates)
            uow.contracts.append_event(contract_id, operator_id, NewEvent(
                "stage_changed", field="stage", old_value=stage, new_value=target, body=on.isoformat()))
            self._derive_obligations(uow, contract_id)
            uow.commit()

    def renew_maintenance(self, contract_id: int, version: int, operator_id: int | None) -> date:
        """One-step renewal: the next yearly term follows the current one (or the warranty)."""
        with self._uow() as uow:
            stage, dates, _ = uow.contracts.dates(contract_id)
            if dates.maintenance_end is not None:
                term = next_term(MaintenanceTerm(dates.maintenance_end - timedelta(days=1), dates.maintenance_end))
            elif dates.warranty_end is not None:
                term = MaintenanceTerm.after_warranty(dates.warranty_end)
            else:
                raise LifecycleError("maintenance_needs_acceptance", MSG_MAINTENANCE_NEEDS_ACCEPTANCE)
            new_stage = ContractStage.MAINTENANCE.value if ContractStage(stage).order >= ContractStage.ACCEPTED.order else stage
            uow.contracts.set_lifecycle(contract_id, version, new_stage, replace(dates, maintenance_end=term.end, ended_on=None))
            uow.contracts.append_event(contract_id, operator_id, NewEvent(
                "renewed", field="maintenance_end", old_value=_s(dates.maintenance_end), new_value=term.end.isoformat()))
            self._derive_obligations(uow, contract_id)
            uow.commit()
            return term.end

    def add_payment(self, contract_id: int, payment: PaymentData, operator_id: int | None) -> int:
        Payment(payment.paid_on, payment.amount_vnd, payment.method, payment.invoice_number or None)  # validates
        with self._uow() as uow:
            payment_id = uow.contracts.add_payment(contract_id, replace(payment, invoice_number=payment.invoice_number.strip()))
            uow.contracts.append_event(contract_id, operator_id, NewEvent(
                "payment", field="amount_vnd", new_value=str(payment.amount_vnd),
                body=" ".join(x for x in (payment.paid_on.isoformat(), payment.method, payment.invoice_number) if x)))
            uow.commit()
            return payment_id

    def save_planned(self, contract_id: int, planned, operator_id: int | None) -> None:
        """Replace the contract's planned items. A derived kind (a warranty end...) is refused:
        those come from the contract's dates (ValueError)."""
        planned = tuple(replace(p, title=normalize(p.title or "")) for p in planned)
        for p in planned:
            PlannedItem(p.kind, p.due_on, p.title, p.done_on)  # the domain's check
        with self._uow() as uow:
            self._derive_obligations(uow, contract_id, planned=tuple(planned))
            uow.contracts.append_event(contract_id, operator_id, NewEvent("planned_changed", body=str(len(planned))))
            uow.commit()

    def _derive_obligations(self, uow, contract_id: int, planned=None) -> None:
        f = uow.contracts.file(contract_id)
        derived = obligations_for_contract(f.number, warranty_end=f.warranty_end, maintenance_end=f.maintenance_end,
                                           contract_id=contract_id, customer_id=f.customer_id,
                                           renewal_notice_days=f.renewal_notice_days)
        # A warranty followed by maintenance ran its course: its end is no longer a promise
        # to watch. An ended contract's dates are history from its end on.
        derived = [
            replace(o, done_on=o.due_on) if (o.kind == ObligationKind.WARRANTY_END and f.maintenance_end
                                             and f.warranty_end and f.maintenance_end > f.warranty_end)
            else replace(o, done_on=f.ended_on) if (f.ended_on is not None and o.due_on <= f.ended_on)
            else o
            for o in derived
        ]
        uow.contracts.replace_obligations(contract_id, derived, planned)

    def list_obligations(self, query: ListQuery) -> Page:
        with self._uow() as uow:
            return uow.obligations.list(replace(query, text=fold(query.text)))

    # -- entitlement and verification ------------------------------------------------
    def entitlement(self, customer_id: int, contract_id: int | None, request_type: str, subject: str,
                    cooperating: bool = True, in_scope: bool = True, ticket_id: int | None = None) -> Entitlement:
        """What the customer is entitled to for this request, from the stored facts."""
        with self._uow() as uow:
            facts = uow.contracts.coverage_facts(customer_id, contract_id)
            how_to = uow.tickets.count_how_to(customer_id, fold(subject), ticket_id) if request_type == RequestType.HOW_TO else 0
        return check_entitlement(EntitlementInput(
            today=self._today_vn(), request_type=RequestType(request_type), warranty_end=facts.warranty_end,
            maintenance_end=facts.maintenance_end, outstanding_vnd=facts.outstanding_vnd,
            previous_same_topic_how_to=how_to, customer_cooperating=cooperating, in_support_scope=in_scope))

    def customer_coverage(self, customer_id: int):
        with self._uow() as uow:
            return uow.contracts.coverage_facts(customer_id, None)

    def verification_questions(self, customer_id: int):
        with self._uow() as uow:
            return uow.verification.questions(customer_id)

    def add_verification_question(self, customer_id: int, question: str, answer: str) -> int:
        _check([v.validate_required("question", question), v.validate_required("answer", answer)])
        with self._uow() as uow:
            new_id = uow.verification.add(customer_id, normalize(question), hash_answer(answer))
            uow.commit()
            return new_id

    def verify_answer(self, question_id: int, answer: str, ticket_id: int | None = None,
                      operator_id: int | None = None) -> bool:
        """Check the caller's answer; the outcome (never the answer) goes into the ticket history."""
        with self._uow() as uow:
            _customer, stored = uow.verification.answer_hash(question_id)
            ok = check_answer(answer, stored)
            if ticket_id is not None:
                _record_verification(uow, ticket_id, operator_id, question_id, ok)
                uow.commit()
            return ok

    def _today_vn(self) -> date:
        return self._now().astimezone(VN_ZONE).date()

    # -- tickets ---------------------------------------------------------------------
    def list_tickets(self, query: ListQuery) -> Page:
        with self._uow() as uow:
            return uow.tickets.list(replace(query, text=fold(query.text)))

    def get_ticket(self, ticket_id: int):
        with self._uow() as uow:
            return uow.tickets.get(ticket_id)

    def create_ticket(self, draft: TicketDraft, operator_id: int | None, override_reason: str = "",
                      cooperating: bool = True, in_scope: bool = True, verifications=()) -> int:
        """Open a ticket. Its entitlement is decided here from the stored facts; a refusal
        needs a typed override reason. The verdict and the override go into the history."""
        draft = clean_ticket(draft)
        now = self._now()
        draft = replace(draft, received_at=draft.received_at or now)
        verdict = self.entitlement(draft.customer_id, draft.contract_id, draft.request_type, draft.subject,
                                   cooperating, in_scope)
        if verdict.refused:
            try:
                verdict = override(verdict, override_reason)
            except OverrideError as exc:
                raise ValidationFailed([v.ValidationError("override_reason", exc.code, exc.message)]) from exc
        draft = replace(draft, coverage=verdict.coverage.value)
        with self._uow() as uow:
            code = uow.tickets.next_code(draft.received_at.astimezone(VN_ZONE).year)  # the desk's year, not UTC's
            ticket_id = uow.tickets.add(draft, code)
            uow.tickets.append_event(ticket_id, operator_id, NewEvent(TicketEventKind.CREATED, new_value=draft.status, body=draft.subject))
            uow.tickets.append_event(ticket_id, operator_id, NewEvent(
                "entitlement", field="coverage", new_value=verdict.base_coverage.value if verdict.overridden else verdict.coverage.value,
                body=" ".join(verdict.codes) if not verdict.overridden else " ".join(["refused", *verdict.codes])))
            if verdict.overridden:
                uow.tickets.append_event(ticket_id, operator_id, NewEvent(
                    "override", field="coverage", old_value=Coverage.REFUSED.value, new_value=verdict.coverage.value,
                    body=verdict.override_reason or ""))
            for question_id, ok in verifications:
                _record_verification(uow, ticket_id, operator_id, question_id, ok)
            terms = uow.tickets.terms_for_contract(draft.contract_id)
            policy, calendar = clocks.rules_for(terms)
            started = clocks.start_clocks(clocks.clocks_for(draft.request_type, draft.coverage), policy, calendar,
                                          draft.received_at, draft.status)
            uow.tickets.set_clocks(ticket_id, {k.value: clocks.clock_to_columns(c) for k, c in started.items()},
                                   clocks.next_due(started))
            alerts.recheck_from(uow, clocks.next_due(started))  # typed in with an earlier received time
            if draft.assignee_id:
                uow.tickets.append_event(ticket_id, operator_id, NewEvent(TicketEventKind.ASSIGNED, field="assignee_id", new_value=str(draft.assignee_id)))
            uow.commit()
            return ticket_id

    def update_ticket(self, ticket_id: int, version: int, draft: TicketDraft, operator_id: int | None, note: str = "") -> None:
        """Save changes; every changed field, the status and the assignment go to the history."""
        draft = clean_ticket(draft)
        with self._uow() as uow:
            old = uow.tickets.get(ticket_id).draft
            # The coverage is the entitlement's verdict (or a recorded override), never an edit.
            draft = replace(draft, received_at=old.received_at, coverage=old.coverage)
            uow.tickets.update(ticket_id, version, draft)
            if old.status != draft.status:
                self._move_clocks(uow, ticket_id, old.status, draft.status)
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

    def _move_clocks(self, uow, ticket_id: int, old_status: str, new_status: str) -> None:
        stored, terms = uow.tickets.clock_columns(ticket_id)
        policy, calendar = clocks.rules_for(terms)
        current = {ClockKind(k): clocks.clock_from_columns(ClockKind(k), cols, policy, calendar) for k, cols in stored.items()}
        moved = clocks.follow_status(current, old_status, new_status, self._now(), policy, calendar)
        uow.tickets.set_clocks(ticket_id, {k.value: clocks.clock_to_columns(c) for k, c in moved.items()},
                               clocks.next_due(moved))

    def add_note(self, ticket_id: int, operator_id: int | None, note: str) -> None:
        _check([v.validate_required("note", note)])
        with self._uow() as uow:
            uow.tickets.get(ticket_id)
            uow.tickets.append_event(ticket_id, operator_id, NewEvent(TicketEventKind.NOTE, body=normalize_multiline(note)))
            uow.commit()

    def check_alerts(self):
        return alerts.check(self, self._now())

    def recent_alerts(self, limit: int = 200):
        return alerts.recent(self, limit)

    def mark_alerts_read(self) -> None:
        alerts.mark_read(self, self._now())

    def dashboard(self):
        from . import dashboard

        return dashboard.build(self, self._now())

    # -- global search ---------------------------------------------------------------
    def global_search(self, text: str, limit: int = SEARCH_SHOWN, expand: str | None = None) -> SearchResults:
        """Customers, contacts, contracts and tickets matching `text`, grouped and ranked:
        exact code/number/tax code/phone first, then prefix, then word, then substring
        matches, the most recent first within each; `limit` per group (`SEARCH_EXPANDED`
        for the group `expand`)."""
        terms = parse_query(text)
        if len(terms.folded.replace(" ", "")) < SEARCH_MIN_CHARS:
            return SearchResults(terms.text, (), too_short=True)
        groups = []
        with self._uow() as uow:
            for kind in SEARCH_KINDS:
                found, capped = uow.search.find(kind, terms, SEARCH_WINDOW)
                ranked = sorted(
                    ((match_tier(terms, exact=c.exact, keys=c.keys, search_text=c.search_text), c) for c in found),
                    key=lambda tc: (tc[0], -(tc[1].recency.timestamp() if tc[1].recency else 0.0), -tc[1].id))
                shown = SEARCH_EXPANDED if kind == expand else limit
                hits = tuple(SearchHit(c.kind, c.id, c.code, c.title, c.detail, c.customer_id, tier, c.status)
                             for tier, c in ranked[:shown])
                groups.append(SearchGroup(kind, hits, len(found), capped))
        return SearchResults(terms.text, tuple(groups))

    # -- meta ------------------------------------------------------------------------
    def is_empty(self) -> bool:
        with self._uow() as uow:
            return uow.customers.count() == 0

    def today(self) -> date:
        """Today in Hà Nội: the support desk's calendar day."""
        return self._today_vn()


def _record_verification(uow, ticket_id: int, operator_id: int | None, question_id: int, ok: bool) -> None:
    uow.tickets.append_event(ticket_id, operator_id, NewEvent(
        "verification", field="question", new_value="match" if ok else "no_match", body=str(question_id)))


def _s(value) -> str:
    return "" if value is None else str(value)


def normalize_multiline(text: str) -> str:
    """NFC each line, keep the line breaks the operator typed."""
    return "\n".join(normalize(line) for line in text.strip().splitlines())
