"""A believable Vietnamese data set so a new user sees a living desk on first start.

Deterministic (a fixed seed) apart from dates, which are placed around today so that the
warranties, renewals and tickets look current whenever the demo is loaded.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

from ..domain import validation as v
from ..domain.contracts import add_months, warranty_end
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
from ..domain.text import fold
from ..domain.verification import hash_answer
from ..domain.vietnam import VIETNAM as VN
from . import clocks
from .context import Context
from .contracts import derive_obligations
from .customers import clean_customer
from .dto import (
    ContactData,
    ContractDraft,
    CustomerDraft,
    NewEvent,
    OperatorDraft,
    PackageData,
    PaymentData,
    PlannedData,
    TicketDraft,
)

DEMO_FILE = "demo_vi.json"


def _data() -> dict:
    from ..paths import resources_dir

    return json.loads((resources_dir() / "demo" / DEMO_FILE).read_text(encoding="utf-8"))


MOBILE_PREFIXES = ("090", "091", "093", "094", "096", "097", "098", "086", "088", "089", "032", "033",
                   "035", "037", "038", "039", "070", "076", "077", "078", "079", "081", "083", "084", "085")


def _mobile(rng: random.Random) -> str:
    p = rng.choice(MOBILE_PREFIXES)
    n = f"{rng.randrange(10**7):07d}"
    return f"{p}{n[0]} {n[1:4]} {n[4:]}"


def _landline(rng: random.Random, data: dict, province: str) -> str:
    area = data["area_codes"].get(province, "028")
    # Hà Nội and Hồ Chí Minh City (3-digit codes) have 8-digit numbers; the rest have 7.
    if len(area) == 3:
        return f"{area} 3{rng.randrange(100, 1000)} {rng.randrange(1000, 10000)}"
    return f"{area} 3{rng.randrange(100, 1000)} {rng.randrange(100, 1000)}"


def _tax_code(rng: random.Random, branch: bool = False) -> str:
    for _ in range(1000):
        code = f"0{rng.randrange(10**9):09d}"
        if branch:
            code += f"-{rng.randrange(1, 20):03d}"
        if v.validate_tax_code("tax_code", code) is None:
            return code
    raise RuntimeError("no valid tax code generated")


def _person(rng: random.Random, data: dict) -> str:
    family = rng.choice(data["family_names"])
    if rng.random() < 0.5:
        return f"{family} {rng.choice(data['middle_male'])} {rng.choice(data['given_male'])}"
    return f"{family} {rng.choice(data['middle_female'])} {rng.choice(data['given_female'])}"


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), VN).astimezone(timezone.utc)


def load_demo(ctx: Context, seed: int = 2026, customers: int = 48) -> dict:
    """Fill an empty database. Returns counts of what was created."""
    rng = random.Random(seed)
    data = _data()
    today = ctx.today()
    counts = {"operators": 0, "packages": 0, "customers": 0, "contracts": 0, "tickets": 0}
    with ctx.uow() as uow:
        operator_ids = []
        for code, name, alias, role in data["operators"]:
            operator_ids.append(uow.operators.add(OperatorDraft(code, name, alias, role)))
        counts["operators"] = len(operator_ids)
        packages = []
        for p in data["packages"]:
            pid = uow.packages.add(PackageData(0, p["code"], p["name"], p["warranty_months"], p["support_hours"],
                                               p["proposal_minutes"], 24, 48, 72, True, p["price"]))
            packages.append((pid, p))
        counts["packages"] = len(packages)

        kinds = [CustomerKind.COMPANY] * 6 + [CustomerKind.HOUSEHOLD] * 3 + [CustomerKind.PERSON]
        customer_rows = []
        contact_of: dict[int, int | None] = {}
        for i in range(customers):
            kind = kinds[i % len(kinds)]
            province, districts = rng.choice(list(data["provinces"].items()))
            street = rng.choice(data["streets"])
            address = f"{rng.randrange(1, 400)} {street}, {rng.choice(districts)}, {province}"
            owner = _person(rng, data)
            if kind == CustomerKind.COMPANY:
                name = f"{rng.choice(data['company_forms'])} {rng.choice(data['company_words'])} {rng.choice(data['company_fields'])}"
                tax = _tax_code(rng, branch=rng.random() < 0.15)
            elif kind == CustomerKind.HOUSEHOLD:
                name = f"{rng.choice(data['shop_kinds'])} {owner.split()[-1]} {rng.choice(data['shop_suffixes'])}".strip()
                tax = _tax_code(rng)
            else:
                name, tax = owner, ""
            contacts = (ContactData(None, owner, rng.choice(data["positions"]) if kind != CustomerKind.PERSON else "",
                                    _mobile(rng), "", True),)
            if kind == CustomerKind.COMPANY:
                contacts += (ContactData(None, _person(rng, data), rng.choice(data["positions"]), _mobile(rng), "", False),)
            slug = "".join(ch for ch in fold(name.split()[-1]) if ch.isalnum())
            draft = CustomerDraft(
                name=name, kind=kind.value, code=f"KH{i + 1:05d}", tax_code=tax, address=address, province=province,
                phone=_landline(rng, data, province) if kind == CustomerKind.COMPANY else _mobile(rng),
                email=f"lienhe@{slug or 'khachhang'}{i + 1}.vn" if kind == CustomerKind.COMPANY else "",
                contacts=contacts,
            )
            new_id = uow.customers.add(clean_customer(draft))
            if i % 4 == 0:
                uow.verification.add(new_id, "Tên người đại diện ký hợp đồng?", hash_answer(owner))
            customer_rows.append((new_id, name))
            contact_of[new_id] = uow.customers.get(new_id).draft.contacts[0].id
        counts["customers"] = len(customer_rows)

        # Contracts: every lifecycle stage, dates consistent with the stage.
        stages = list(ContractStage)
        ended_count = 0
        contract_rows = []
        n = 0
        for idx, (cid, _name) in enumerate(customer_rows):
            for _k in range(1 if idx % 3 else 2):
                n += 1
                stage = stages[n % len(stages)]
                pid, pk = packages[(idx + n) % len(packages)]
                received = today - timedelta(days=rng.randrange(30, 900))
                signed = accepted = maint_end = None
                order = stage.order
                if order >= ContractStage.SIGNED.order:
                    signed = received + timedelta(days=rng.randrange(5, 25))
                if order >= ContractStage.ACCEPTED.order:
                    accepted = signed + timedelta(days=rng.randrange(20, 60))
                    if stage == ContractStage.WARRANTY:
                        # Keep the warranty running: accepted within the warranty length.
                        accepted = today - timedelta(days=rng.randrange(10, pk["warranty_months"] * 30 - 5))
                        signed = accepted - timedelta(days=30)
                        received = signed - timedelta(days=10)
                if stage == ContractStage.MAINTENANCE:
                    # Maintenance follows a warranty that has run out.
                    accepted = today - timedelta(days=pk["warranty_months"] * 31 + rng.randrange(10, 500))
                    signed = accepted - timedelta(days=rng.randrange(20, 60))
                    received = signed - timedelta(days=rng.randrange(5, 25))
                    w_end = warranty_end(accepted, pk["warranty_months"])
                    maint_end = add_months(w_end, 12) if w_end else None
                    while maint_end and maint_end < today:
                        maint_end = add_months(maint_end, 12)
                if stage == ContractStage.ENDED and accepted:
                    # Half in the 10-day grace (served with a warning), half beyond it (refused).
                    ended_count += 1
                    maint_end = today - timedelta(days=rng.randrange(2, 9) if ended_count % 2 else rng.randrange(15, 60))
                    accepted = min(accepted, maint_end - timedelta(days=400))
                    signed = accepted - timedelta(days=30)
                    received = signed - timedelta(days=10)
                draft = ContractDraft(
                    customer_id=cid, package_id=pid, number=f"HD{(signed or received).year}-{n:04d}", stage=stage.value,
                    value_vnd=pk["price"] + rng.randrange(0, 20) * 500_000, request_received_on=received,
                    signed_on=signed, accepted_on=accepted, maintenance_end=maint_end,
                )
                kid = uow.contracts.add(draft, warranty_end(accepted, pk["warranty_months"]))
                uow.contracts.append_event(kid, None, NewEvent("created", new_value=stage.value,
                                                               occurred_at=_at(received, 9, 0)))
                if signed is not None:
                    # Most customers paid in full; every fifth signed contract still owes part.
                    paid = draft.value_vnd if n % 5 else draft.value_vnd // 2
                    uow.contracts.add_payment(kid, PaymentData(None, signed, paid, "bank_transfer", f"{n:07d}"))
                if stage == ContractStage.IMPLEMENTATION:
                    planned = [PlannedData(None, kind.value, today + timedelta(days=days), title)
                               for kind, days, title in ((ObligationKind.MILESTONE_INSTALLATION, -5, ""),
                                                         (ObligationKind.MILESTONE_TRAINING, 3, "Đào tạo thu ngân"),
                                                         (ObligationKind.MILESTONE_PILOT, 12, ""),
                                                         (ObligationKind.MILESTONE_ACCEPTANCE, 30, ""))]
                    planned[0] = replace(planned[0], done_on=today - timedelta(days=5))
                else:
                    planned = None
                derive_obligations(uow, kid, planned=planned)
                contract_rows.append((kid, cid, stage))
        counts["contracts"] = len(contract_rows)

        # Tickets: every type and status, a history that tells what happened.
        types, statuses, channels, priorities = list(RequestType), list(TicketStatus), list(Channel), list(Priority)
        subjects = data["ticket_subjects"]
        now = ctx.now()
        for t in range(160):
            kid, cid, stage = contract_rows[(t * 7) % len(contract_rows)]
            rtype = types[t % len(types)]
            status = statuses[(t // len(types)) % len(statuses)] if t >= 8 else statuses[t % len(statuses)]
            coverage = {ContractStage.WARRANTY: Coverage.WARRANTY, ContractStage.MAINTENANCE: Coverage.MAINTENANCE,
                        ContractStage.ENDED: Coverage.BILLABLE}.get(stage, Coverage.BILLABLE)
            if rtype == RequestType.SOURCE_CODE_REVIEW:
                coverage = Coverage.REFUSED
            day = today - timedelta(days=rng.randrange(0, 45) if status.is_open else rng.randrange(5, 120))
            received = min(_at(day, rng.randrange(7, 18), rng.randrange(0, 60)), now - timedelta(minutes=5))
            assignee = rng.choice(operator_ids) if status != TicketStatus.NEW else None
            draft = TicketDraft(
                customer_id=cid, subject=rng.choice(subjects[rtype.value]), request_type=rtype.value,
                channel=channels[t % len(channels)].value, priority=priorities[(t * 3) % len(priorities)].value,
                status=status.value, contract_id=kid, contact_id=contact_of.get(cid), assignee_id=assignee,
                coverage=coverage.value,
                description=rng.choice(data["descriptions"]), received_at=received,
            )
            year = received.astimezone(VN).year
            ticket_id = uow.tickets.add(draft, f"YC{year % 100:02d}-{t + 1:06d}")
            by = rng.choice(operator_ids)
            uow.tickets.append_event(ticket_id, by, NewEvent(TicketEventKind.CREATED, new_value=TicketStatus.NEW.value,
                                                             body=draft.subject, occurred_at=received))
            when = received
            path = _status_path(status)
            if assignee:
                when = min(when + timedelta(minutes=rng.randrange(3, 40)), now)
                uow.tickets.append_event(ticket_id, by, NewEvent(TicketEventKind.ASSIGNED, field="assignee_id",
                                                                 new_value=str(assignee), occurred_at=when))
            previous = TicketStatus.NEW
            terms = uow.tickets.terms_for_contract(kid)
            policy, calendar = ctx.calendars.rules_for(terms)
            running = clocks.start_clocks(clocks.clocks_for(rtype.value, coverage.value), policy, calendar,
                                          received, TicketStatus.NEW.value)
            for step in path:
                when = min(when + timedelta(minutes=rng.randrange(20, 600)), now)
                running = clocks.follow_status(running, previous.value, step.value, when, policy, calendar)
                uow.tickets.append_event(ticket_id, assignee or by, NewEvent(
                    TicketEventKind.STATUS_CHANGED, field="status", old_value=previous.value, new_value=step.value,
                    occurred_at=when))
                if step == TicketStatus.WAITING_CUSTOMER:
                    uow.tickets.append_event(ticket_id, assignee or by, NewEvent(
                        TicketEventKind.NOTE, body=rng.choice(data["waiting_notes"]), occurred_at=when))
                previous = step
            uow.tickets.set_clocks(ticket_id, {k.value: clocks.clock_to_columns(c) for k, c in running.items()},
                                   clocks.next_due(running))
        counts["tickets"] = 160 + _add_at_risk_ticket(ctx, uow, contract_rows, contact_of, data, now, operator_ids[0])
        uow.set_meta("demo_loaded_at", now.isoformat())
        # The vendor printed at the head of service reports (a fictitious company).
        for key, value in DEMO_VENDOR.items():
            uow.set_meta(f"vendor.{key}", value)
        uow.commit()
    return counts


DEMO_VENDOR = {
    "name": "Công ty Cổ phần Phần mềm Sao Việt",
    "address": "Tầng 5, 68 Nguyễn Huệ, phường Sài Gòn, TP. Hồ Chí Minh",
    "tax_code": "0312345673",
    "hotline": "1900 6868",
    "email": "hotro@saoviet.example",
    "website": "saoviet.example",
}


def _add_at_risk_ticket(ctx: Context, uow, contract_rows, contact_of, data, now: datetime, operator_id: int) -> int:
    """A fresh incident on a 24/7 package under warranty whose proposal clock is 85 % used:
    the demo shows an at-risk countdown (▲) whatever the hour it is loaded at (office-hours
    clocks do not move at night or on a weekend). Returns how many tickets it added."""
    for kid, cid, stage in contract_rows:
        terms = uow.tickets.terms_for_contract(kid)
        if stage != ContractStage.WARRANTY or terms.support_hours != "always":
            continue
        received = now - timedelta(minutes=terms.proposal_minutes * 0.85)
        draft = TicketDraft(customer_id=cid, subject=data["ticket_subjects"][RequestType.INCIDENT.value][0],
                            request_type=RequestType.INCIDENT.value, channel=Channel.HOTLINE.value,
                            priority=Priority.HIGH.value, status=TicketStatus.NEW.value, contract_id=kid,
                            contact_id=contact_of.get(cid), coverage=Coverage.WARRANTY.value, received_at=received)
        ticket_id = uow.tickets.add(draft, f"YC{received.astimezone(VN).year % 100:02d}-{161:06d}")
        uow.tickets.append_event(ticket_id, operator_id, NewEvent(TicketEventKind.CREATED, new_value=TicketStatus.NEW.value,
                                                                  body=draft.subject, occurred_at=received))
        running = clocks.start_clocks(clocks.clocks_for(draft.request_type, draft.coverage), *ctx.calendars.rules_for(terms),
                                      received, draft.status)
        uow.tickets.set_clocks(ticket_id, {k.value: clocks.clock_to_columns(c) for k, c in running.items()},
                               clocks.next_due(running))
        return 1
    return 0


def _status_path(status: TicketStatus) -> list[TicketStatus]:
    S = TicketStatus
    return {
        S.NEW: [],
        S.IN_PROGRESS: [S.IN_PROGRESS],
        S.WAITING_CUSTOMER: [S.IN_PROGRESS, S.WAITING_CUSTOMER],
        S.SOLUTION_PROPOSED: [S.IN_PROGRESS, S.SOLUTION_PROPOSED],
        S.RESOLVED: [S.IN_PROGRESS, S.SOLUTION_PROPOSED, S.RESOLVED],
        S.CLOSED: [S.IN_PROGRESS, S.WAITING_CUSTOMER, S.IN_PROGRESS, S.RESOLVED, S.CLOSED],
    }[status]

