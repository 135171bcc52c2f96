"""Shared test data: a clock the test moves by hand, and a customer under warranty on a
package with one ticket whose SLA clocks start at once."""

from __future__ import annotations

from desktop_helpdesk.services import contracts, customers, tickets

from datetime import date

from desktop_helpdesk.services.dto import ContractDraft, CustomerDraft, PackageData, PaymentData, TicketDraft


class Clock:
    """`now` for the ctx and the views; a test moves it (`clock.now += …`)."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def warranty_ticket(ctx, *, hours: str = "always", subject: str = "Cân điện tử không nhận",
                    request_type: str = "incident") -> int:
    """A paid-up customer in warranty on a package answered `hours` ("always": 24/7 with a
    2-hour proposal target; "office": office hours with 4 working hours), and one ticket."""
    if hours == "always":
        package = PackageData(0, "GOLD", "Quản lý tiệm vàng", 12, "always", 120, 24, 48, 72, True, 45_000_000)
        customer = CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household")
    else:
        package = PackageData(0, "BH", "Phần mềm bán hàng", 12, "office", 240, 24, 48, 72, False, 9_000_000)
        customer = CustomerDraft(name="Công ty TNHH Hoa Mai", kind="company")
    with ctx.uow() as uow:
        pid = uow.packages.add(package)
        uow.commit()
    cid = customers.save_customer(ctx, customer)
    kid = contracts.save_contract(ctx, ContractDraft(customer_id=cid, package_id=pid, stage="warranty",
                                              value_vnd=package.list_price_vnd,
                                              signed_on=date(2026, 9, 1), accepted_on=date(2026, 10, 1)))
    contracts.add_payment(ctx, kid, PaymentData(None, date(2026, 9, 1), package.list_price_vnd), None)
    return tickets.create_ticket(ctx, TicketDraft(customer_id=cid, contract_id=kid, subject=subject,
                                             request_type=request_type, channel="hotline"), None)


def more_tickets(ctx, ticket_id: int, count: int) -> list[int]:
    """`count` more tickets like `ticket_id` (same customer, contract and type), received now."""
    first = tickets.get_ticket(ctx, ticket_id).draft
    return [tickets.create_ticket(ctx, TicketDraft(customer_id=first.customer_id, contract_id=first.contract_id,
                                                   subject=f"{first.subject} ({n})", request_type=first.request_type,
                                                   channel="hotline"), None,
                                   # A how-to like the first is repeated guidance (seed 002 §6): served anyway.
                                   override_reason="Khách cần gấp")
            for n in range(2, count + 2)]
