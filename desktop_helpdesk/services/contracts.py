"""Contracts: their lifecycle, payments, planned milestones and the obligations derived from
their dates, and what a customer is entitled to from them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from ..domain import validation as v
from ..domain.contracts import (
    MSG_MAINTENANCE_NEEDS_ACCEPTANCE,
    Instalment,
    LifecycleError,
    MaintenanceTerm,
    MoneyError,
    Payment,
    next_term,
    schedule_problems,
    transition,
    warranty_end,
)
from ..domain.entitlement import (
    REPEAT_WINDOW_DAYS,
    Entitlement,
    EntitlementInput,
    check_entitlement,
    earlier_guidance,
)
from ..domain.enums import ContractStage, Coverage, ObligationKind, RequestType
from ..domain.errors import DuplicateError
from ..domain.obligations import PlannedItem, obligations_for_contract
from ..domain.text import fold, normalize
from .changes import CONTRACTS, CUSTOMERS, OBLIGATIONS, changes
from .context import Context
from .customers import refuse_archived
from .dto import ContractDraft, InstalmentData, ListQuery, NewEvent, Page, PaymentData
from .errors import MSG_PACKAGE_RETIRED, ValidationFailed, check
from .once import client_uuid, create_once


def clean_contract(draft: ContractDraft) -> ContractDraft:
    check(
        [
            None if draft.customer_id else v.validate_required("customer_id", ""),
            None if draft.package_id else v.validate_required("package_id", ""),
            None if draft.stage in set(ContractStage) else v.validate_required("stage", ""),
            v.validate_money_vnd("value_vnd", draft.value_vnd),
            v.validate_date_order("signed_on", draft.request_received_on, draft.signed_on),
            v.validate_date_order("accepted_on", draft.signed_on, draft.accepted_on),
            v.validate_date_order("maintenance_end", draft.accepted_on, draft.maintenance_end),
            v.validate_text("number", draft.number, v.TEXT_LIMITS["contracts.number"]),
            v.validate_text("notes", draft.notes, v.LONG_TEXT, multiline=True),
        ]
    )
    return replace(draft, number=normalize(draft.number).upper(), notes=v.clean_text(draft.notes, multiline=True))


def list_contracts(ctx: Context, query: ListQuery) -> Page:
    with ctx.uow() as uow:
        return uow.contracts.list(replace(query, text=fold(query.text)))


def get_contract(ctx: Context, contract_id: int):
    with ctx.uow() as uow:
        return uow.contracts.get(contract_id)


def contract_choices(ctx: Context, customer_id: int):
    with ctx.uow() as uow:
        return uow.contracts.choices_for_customer(customer_id)


@changes(CONTRACTS, OBLIGATIONS, CUSTOMERS)
def save_contract(ctx: Context, draft: ContractDraft, contract_id: int | None = None, version: int | None = None,
                  operator_id: int | None = None) -> int:
    """Create (no `contract_id`) or update a contract. A create with the draft's `uuid` is
    applied once: a retry answers with the contract the first attempt stored (services.once)."""
    draft = clean_contract(draft)
    if contract_id is not None:
        return _save_contract(ctx, draft, contract_id, version, operator_id)
    draft = replace(draft, uuid=client_uuid(draft.uuid))
    return create_once(ctx, draft.uuid, lambda uow: uow.contracts.id_for_uuid(draft.uuid),
                       lambda: _save_contract(ctx, draft, None, None, operator_id))


def _save_contract(ctx: Context, draft: ContractDraft, contract_id: int | None, version: int | None,
                   operator_id: int | None) -> int:
    with ctx.uow() as uow:
        if contract_id is None and (found := uow.contracts.id_for_uuid(draft.uuid)) is not None:
            return found  # an earlier attempt of this create committed (before the number check)
        if contract_id is None or uow.contracts.get(contract_id).draft.customer_id != draft.customer_id:
            refuse_archived(uow, draft.customer_id)
        package = uow.packages.get(draft.package_id)
        if package is None:
            check([v.validate_required("package_id", None)])
        if not package.active and (contract_id is None or uow.contracts.get(contract_id).draft.package_id != package.id):
            # A retired package stays on its contracts, but is not sold again.
            check([v.ValidationError("package_id", "retired", MSG_PACKAGE_RETIRED)])
        months = package.warranty_months  # retired or not: the contract keeps its terms
        if not draft.number:
            year = (draft.signed_on or draft.request_received_on or ctx.today()).year
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
        derive_obligations(uow, contract_id)
        uow.commit()
        return contract_id


def contract_file(ctx: Context, contract_id: int):
    with ctx.uow() as uow:
        return uow.contracts.file(contract_id)


@changes(CONTRACTS, OBLIGATIONS, CUSTOMERS)
def move_contract(ctx: Context, contract_id: int, version: int, target: str, on: date,
                  operator_id: int | None, maintenance_end: date | None = None, reason: str = "") -> None:
    """Move a contract to another lifecycle stage on a date (domain.contracts.transition
    refuses impossible orders); the move and its date go into the contract's history.
    Ending it before its term (a termination) needs `reason`; it goes into the history with
    the date, coverage ends on that day and the obligations after it are cancelled."""
    check([v.validate_text("termination_reason", reason, v.LONG_TEXT, multiline=True)])
    with ctx.uow() as uow:
        stage, dates, _ = uow.contracts.dates(contract_id)
        f = uow.contracts.file(contract_id)
        new_dates = transition(ContractStage(stage), ContractStage(target), on, dates,
                               warranty_months=f.warranty_months, maintenance_end=maintenance_end,
                               reason=v.clean_text(reason, multiline=True))
        uow.contracts.set_lifecycle(contract_id, version, target, new_dates)
        uow.contracts.append_event(contract_id, operator_id, NewEvent(
            "stage_changed", field="stage", old_value=stage, new_value=target, body=on.isoformat()))
        if new_dates.termination_reason:
            uow.contracts.append_event(contract_id, operator_id, NewEvent(
                "terminated", field="ended_on", new_value=on.isoformat(), body=new_dates.termination_reason))
        derive_obligations(uow, contract_id)
        uow.commit()


@changes(CONTRACTS, CUSTOMERS)
def save_schedule(ctx: Context, contract_id: int, version: int, instalments, operator_id: int | None) -> None:
    """Replace the contract's payment schedule (InstalmentData, any order) with the checked
    one: each amount positive whole đồng, the total equal to the contract's value (or no
    schedule at all: the whole value is due once signed). One history row says how many
    lines and their total."""
    items: list[Instalment] = []
    errors = []
    for i, line in enumerate(instalments):
        if line.due_on is None:
            errors.append(v.ValidationError(f"instalments[{i}].due_on", "required", v.MSG_REQUIRED))
            continue
        try:
            items.append(Instalment(line.due_on, line.amount_vnd))
        except MoneyError as exc:
            errors.append(v.ValidationError(f"instalments[{i}].amount_vnd", exc.code, exc.message))
    if errors:
        raise ValidationFailed(errors)
    items.sort()
    with ctx.uow() as uow:
        f = uow.contracts.file(contract_id)
        problems = schedule_problems(f.value_vnd, items)
        if problems:
            raise ValidationFailed([v.ValidationError("instalments", p.code, p.message) for p in problems])
        uow.contracts.replace_schedule(contract_id, version, [InstalmentData(i.due_on, i.amount_vnd) for i in items])
        uow.contracts.append_event(contract_id, operator_id, NewEvent(
            "schedule_changed", field="instalments", old_value=str(len(f.instalments)), new_value=str(len(items)),
            body=" ".join(f"{i.due_on.isoformat()}:{i.amount_vnd}" for i in items)))
        uow.commit()


@changes(CONTRACTS, OBLIGATIONS, CUSTOMERS)
def renew_maintenance(ctx: Context, contract_id: int, version: int, operator_id: int | None) -> date:
    """One-step renewal: the next yearly term follows the current one (or the warranty)."""
    with ctx.uow() as uow:
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
        derive_obligations(uow, contract_id)
        uow.commit()
        return term.end


@changes(CONTRACTS, CUSTOMERS)
def add_payment(ctx: Context, contract_id: int, payment: PaymentData, operator_id: int | None) -> int:
    check([v.validate_text("invoice_number", payment.invoice_number, v.TEXT_LIMITS["payments.invoice_number"])])
    Payment(payment.paid_on, payment.amount_vnd, payment.method, payment.invoice_number or None)  # validates
    payment = replace(payment, uuid=client_uuid(payment.uuid))
    return create_once(ctx, payment.uuid, lambda uow: uow.contracts.payment_id_for_uuid(payment.uuid),
                       lambda: _add_payment(ctx, contract_id, payment, operator_id))


def _add_payment(ctx: Context, contract_id: int, payment: PaymentData, operator_id: int | None) -> int:
    with ctx.uow() as uow:
        if (found := uow.contracts.payment_id_for_uuid(payment.uuid)) is not None:
            return found  # an earlier attempt of this payment committed: not counted twice
        payment_id = record_payment(uow, contract_id, replace(payment, invoice_number=v.clean_text(payment.invoice_number)),
                                    operator_id)
        uow.commit()
        return payment_id


def record_payment(uow, contract_id: int, payment: PaymentData, operator_id: int | None) -> int:
    """Add a checked payment and its line in the contract's history (the form's save and an
    import alike); the caller commits."""
    payment_id = uow.contracts.add_payment(contract_id, payment)
    uow.contracts.append_event(contract_id, operator_id, NewEvent(
        "payment", field="amount_vnd", new_value=str(payment.amount_vnd),
        body=" ".join(x for x in (payment.paid_on.isoformat(), payment.method, payment.invoice_number) if x)))
    return payment_id


@changes(CONTRACTS, OBLIGATIONS)
def save_planned(ctx: Context, contract_id: int, version: int, planned, operator_id: int | None) -> None:
    """Replace the contract's planned items with `planned`, the list as read with the contract
    at `version` plus the user's change: ConcurrentEditError when the contract changed since
    (another desk's list would be wiped). A derived kind (a warranty end...) is refused:
    those come from the contract's dates (ValueError)."""
    check([v.validate_text(f"planned[{i}].title", p.title, v.TEXT_LIMITS["obligations.title"])
           for i, p in enumerate(planned)])
    planned = tuple(replace(p, title=normalize(p.title or "")) for p in planned)
    for p in planned:
        PlannedItem(p.kind, p.due_on, p.title, p.done_on)  # the domain's check
    with ctx.uow() as uow:
        uow.contracts.touch(contract_id, version)
        derive_obligations(uow, contract_id, planned=tuple(planned))
        uow.contracts.append_event(contract_id, operator_id, NewEvent("planned_changed", body=str(len(planned))))
        uow.commit()


def derive_obligations(uow, contract_id: int, planned=None) -> None:
    """Store the obligations that follow from the contract's dates (and its planned items)."""
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
    uow.contracts.cancel_obligations_after(contract_id, f.ended_on)


def list_obligations(ctx: Context, query: ListQuery) -> Page:
    with ctx.uow() as uow:
        return uow.obligations.list(replace(query, text=fold(query.text)))


# -- entitlement -----------------------------------------------------------------------
def entitlement(ctx: Context, customer_id: int, contract_id: int | None, request_type: str, subject: str,
                cooperating: bool = True, in_scope: bool = True, ticket_id: int | None = None) -> Entitlement:
    """What the customer is entitled to for this request, from the stored facts: the
    coverage cut at an early termination, the debt by the payment schedule, and for a how-to
    the customer's similar how-tos of the last 90 days (seed 002 §6), the first of which the
    verdict names (`earlier_ticket`)."""
    today = ctx.today()
    with ctx.uow() as uow:
        facts = uow.contracts.coverage_facts(customer_id, contract_id, today)
        earlier = []
        if request_type == RequestType.HOW_TO:
            since = today - timedelta(days=REPEAT_WINDOW_DAYS)
            earlier = earlier_guidance(today, subject, uow.tickets.how_tos_since(customer_id, since, ticket_id))
    verdict = check_entitlement(EntitlementInput(
        today=today, request_type=RequestType(request_type), warranty_end=facts.warranty_end,
        maintenance_end=facts.maintenance_end, outstanding_vnd=facts.outstanding_vnd,
        previous_same_topic_how_to=len(earlier), customer_cooperating=cooperating, in_support_scope=in_scope,
        terminated_on=facts.terminated_on, earlier_ticket=earlier[0] if earlier else None))
    return replace(verdict, priority_first=facts.maintenance_priority and verdict.base_coverage is Coverage.MAINTENANCE)


def customer_coverage(ctx: Context, customer_id: int):
    with ctx.uow() as uow:
        return uow.contracts.coverage_facts(customer_id, None, ctx.today())


def _s(value) -> str:
    return "" if value is None else str(value)
