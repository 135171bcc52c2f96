"""A ticket made offline and synced in a year the server has handed out no code for yet
(found by benchmarks/bench_sync.py: the server's counter for the new prefix had to be
created inside the sync's transaction, and the sync stopped with an AttributeError)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from desktop_helpdesk.db import models as m
from desktop_helpdesk.services import tickets
from desktop_helpdesk.services.dto import TicketDraft

from tests.factories import warranty_ticket

pytestmark = pytest.mark.postgresql_only


def test_the_first_ticket_of_a_new_year_made_offline_gets_the_new_years_first_code(ctx, engine, laptop_factory):
    tid = warranty_ticket(ctx)
    t = m.Ticket.__table__
    with engine.connect() as c:
        uuid, customer_uuid = c.execute(select(t.c.uuid, m.Customer.__table__.c.uuid).join(
            m.Customer.__table__, m.Customer.__table__.c.id == t.c.customer_id).where(t.c.id == tid)).first()
    lap = laptop_factory([customer_uuid])
    with lap.engine.connect() as c:
        local = c.execute(select(t.c.id).where(t.c.uuid == uuid)).scalar()
    first = tickets.get_ticket(lap.ctx, local).draft
    new = tickets.create_ticket(lap.ctx, TicketDraft(customer_id=first.customer_id, contract_id=first.contract_id,
                                                     subject="Cập nhật mẫu hoá đơn đầu năm", request_type="incident",
                                                     channel="on_site"), None)
    provisional = tickets.get_ticket(lap.ctx, new).code
    out = lap.sync(now=datetime(2027, 1, 2, 2, 0, tzinfo=timezone.utc))
    assert out.codes == {provisional: "YC27-000001"}
    assert tickets.get_ticket(lap.ctx, new).code == "YC27-000001"
