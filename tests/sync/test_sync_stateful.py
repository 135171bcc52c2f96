"""Three laptops and the server edit the same tickets at random, syncing at random
(issue #15): after every sync each edit the laptop made since its last one is on the server or
waits in a conflict with its value, and once everyone has synced every copy equals the server."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from desktop_helpdesk.db import offline
from desktop_helpdesk.services import customers, tickets
from desktop_helpdesk.services.dto import CustomerDraft, TicketDraft

from tests.sync.helpers import id_of, snapshot, uuid_of

pytestmark = pytest.mark.postgresql_only

FIELDS = ("subject", "description", "priority")
PRIORITIES = ("low", "normal", "high", "urgent")
_counter = itertools.count()


def _value(field, n):
    return PRIORITIES[n % 4] if field == "priority" else f"{field} {n}"


def test_three_laptops_and_the_server_converge_with_no_lost_edit(ctx, engine, laptop_factory):
    class Sync(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            n = next(_counter)
            cid = customers.save_customer(ctx, CustomerDraft(name=f"Khách hàng thử {n}", kind="company"))
            self.scope = [uuid_of(engine, "customers", cid)]
            ids = [tickets.create_ticket(ctx, TicketDraft(customer_id=cid, subject=f"Phiếu {k}",
                                                          request_type="incident", channel="hotline"), None,
                                         override_reason="thử nghiệm")
                   for k in range(3)]
            self.uuids = [uuid_of(engine, "tickets", i) for i in ids]
            self.laptops = [laptop_factory(self.scope, f"l{n}x{k}") for k in range(3)]
            self.unsynced = [{} for _ in self.laptops]  # (uuid, field) -> value written since last sync
            self.values = itertools.count()

        def _edit(self, context, eng, uuid, field):
            """Set `field` to a new value; returns (value before, value after)."""
            tid = id_of(eng, "tickets", uuid)
            t = tickets.get_ticket(context, tid)
            value = _value(field, next(self.values))
            tickets.update_ticket(context, tid, t.version, replace(t.draft, **{field: value}), None)
            return getattr(t.draft, field), value

        @rule(device=st.integers(0, 2), ticket=st.integers(0, 2), field=st.sampled_from(FIELDS))
        def laptop_edits(self, device, ticket, field):
            lap = self.laptops[device]
            before, value = self._edit(lap.ctx, lap.engine, self.uuids[ticket], field)
            key = (self.uuids[ticket], field)
            # (the value the laptop had at its last sync, the value it has now)
            base = self.unsynced[device][key][0] if key in self.unsynced[device] else before
            self.unsynced[device][key] = (base, value)

        @rule(ticket=st.integers(0, 2), field=st.sampled_from(FIELDS))
        def server_edits(self, ticket, field):
            self._edit(ctx, engine, self.uuids[ticket], field)

        @rule(device=st.integers(0, 2))
        def laptop_syncs(self, device):
            lap = self.laptops[device]
            lap.sync()
            waiting = offline.server_conflicts(engine, device_id=lap.state()["device_id"])
            for (uuid, field), (base, value) in self.unsynced[device].items():
                if value == base:
                    continue  # set back to what it was (or to the same value): no edit to keep
                server = getattr(tickets.get_ticket(ctx, id_of(engine, "tickets", uuid)).draft, field)
                kept = any(c["entity_uuid"] == uuid and c["field"] == field and c["mine"] == json.dumps(value)
                           for c in waiting)
                assert server == value or kept, (uuid, field, value, server)
            self.unsynced[device] = {}

        def teardown(self):
            for lap in self.laptops:
                lap.sync()
            for lap in self.laptops:  # a second round: everyone has seen everyone's pushes
                lap.sync()
                assert snapshot(lap.engine, self.scope) == snapshot(engine, self.scope)
                lap.engine.dispose()

    run_state_machine_as_test(Sync, settings=settings(
        max_examples=8, stateful_step_count=20, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
        suppress_health_check=list(HealthCheck)))
