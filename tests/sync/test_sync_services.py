"""The sync's use cases as the app calls them (services.sync through ctx.offline), on a laptop
copy and on the team server (issue #15)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from desktop_helpdesk.db import models as m
from desktop_helpdesk.db.offline import LaptopLink, TeamServerLink
from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.services import catalog, sync, tickets
from desktop_helpdesk.services.context import make_context
from desktop_helpdesk.services.dto import CalendarDay

from tests.factories import Clock, warranty_ticket
from tests.sync.conftest import NOW

from tests.sync.helpers import id_of, uuid_of

pytestmark = pytest.mark.postgresql_only


def _due(engine, uuid):
    t = m.Ticket.__table__
    with engine.connect() as c:
        return c.execute(select(t.c.next_due_at).where(t.c.uuid == uuid)).scalar()


def test_a_ticket_made_offline_falls_due_by_the_servers_calendar(ctx, engine, laptop_factory):
    """The laptop did not know of the day off the lead added meanwhile: the server recomputes
    the new ticket's clocks on its calendar, from the received time the technician gave."""
    tid = warranty_ticket(ctx, hours="office")
    scope = [uuid_of(engine, "customers", tickets.get_ticket(ctx, tid).draft.customer_id)]
    lap = laptop_factory(scope)
    clock = Clock(NOW)
    laptop_ctx = make_context(uow_factory(lap.engine), clock=clock, offline=LaptopLink(
        lap.engine, lambda: engine, lambda server: make_context(uow_factory(server), clock=clock)))
    catalog.save_calendar_days(replace(ctx, clock=clock), [CalendarDay(date(2026, 12, 7), "day_off", "Nghỉ bù")], [])
    first = tickets.get_ticket(laptop_ctx, id_of(lap.engine, "tickets", uuid_of(engine, "tickets", tid))).draft
    new = tickets.create_ticket(laptop_ctx, replace(first, subject="Phiếu làm ở hiện trường", received_at=NOW), None)
    uuid = uuid_of(lap.engine, "tickets", new)
    due_on_laptop = _due(lap.engine, uuid)
    report = sync.sync_now(laptop_ctx)
    assert report.pushed >= 1 and report.in_sync
    due_on_server = _due(engine, uuid)
    assert due_on_laptop.date() == date(2026, 12, 7)
    assert due_on_server.date() == date(2026, 12, 8)
    assert _due(lap.engine, uuid) == due_on_server
    status = sync.status(laptop_ctx)
    assert status.on_copy and status.pending == 0 and status.last_sync_at


def test_a_lead_sees_and_decides_every_devices_conflicts_on_the_server(ctx, engine, laptop_factory):
    tid = warranty_ticket(ctx)
    scope = [uuid_of(engine, "customers", tickets.get_ticket(ctx, tid).draft.customer_id)]
    lap = laptop_factory(scope, "Laptop của Hùng")
    local = id_of(lap.engine, "tickets", uuid_of(engine, "tickets", tid))
    t = tickets.get_ticket(lap.ctx, local)
    tickets.update_ticket(lap.ctx, local, t.version, replace(t.draft, subject="Của laptop"), None)
    t = tickets.get_ticket(ctx, tid)
    tickets.update_ticket(ctx, tid, t.version, replace(t.draft, subject="Của văn phòng"), None)
    lap.sync()
    lead = replace(ctx, offline=TeamServerLink(engine))
    [row] = sync.conflicts(lead)
    assert (row.field, row.base, row.mine, row.theirs) == ("subject", "Cân điện tử không nhận", "Của laptop",
                                                           "Của văn phòng")
    assert row.device == "Laptop của Hùng" and row.label.endswith("Của văn phòng")
    sync.resolve(lead, row.uuid, sync.EDIT, "Cả hai: văn phòng và laptop")
    assert sync.conflicts(lead) == []
    assert tickets.get_ticket(ctx, tid).draft.subject == "Cả hai: văn phòng và laptop"
    lap.sync()
    assert tickets.get_ticket(lap.ctx, local).draft.subject == "Cả hai: văn phòng và laptop"
