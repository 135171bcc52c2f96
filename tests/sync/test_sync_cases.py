"""The field laptop's hard cases (issue #15): offline tickets, a ticket deleted on the server,
a sync killed after the server committed, a week offline, a laptop clock days off."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import delete, text

from desktop_helpdesk.db import models as m
from desktop_helpdesk.db import offline
from desktop_helpdesk.domain.worklog import WorkLogDraft
from desktop_helpdesk.services import tickets, worklog
from desktop_helpdesk.services.dto import TicketDraft

from tests.factories import Clock, more_tickets, warranty_ticket
from tests.sync.conftest import NOW
from tests.sync.helpers import edit_ticket, id_of, snapshot, uuid_of

pytestmark = pytest.mark.postgresql_only


def _scope(engine, ctx, tid):
    return [uuid_of(engine, "customers", tickets.get_ticket(ctx, tid).draft.customer_id)]


def test_a_ticket_made_offline_gets_its_final_code_at_sync_and_keeps_the_provisional_one_in_its_history(
        ctx, engine, laptop_factory):
    tid = warranty_ticket(ctx)
    lap = laptop_factory(_scope(engine, ctx, tid))
    first = tickets.get_ticket(lap.ctx, id_of(lap.engine, "tickets", uuid_of(engine, "tickets", tid))).draft
    new = tickets.create_ticket(lap.ctx, TicketDraft(customer_id=first.customer_id, contract_id=first.contract_id,
                                                     subject="Máy in hoá đơn kẹt giấy", request_type="incident",
                                                     channel="hotline"), None)
    provisional = tickets.get_ticket(lap.ctx, new).code
    assert provisional.startswith("~")
    out = lap.sync()
    final = out.codes[provisional]
    assert not final.startswith("~")
    uuid = uuid_of(lap.engine, "tickets", new)
    assert tickets.get_ticket(ctx, id_of(engine, "tickets", uuid)).code == final
    assert tickets.get_ticket(lap.ctx, new).code == final  # the laptop learns it at the same sync
    with engine.connect() as c:
        mapping = c.execute(text("SELECT old_value, new_value FROM ticket_events WHERE kind = 'code_assigned'")).all()
    assert mapping == [(provisional, final)]


def test_a_ticket_deleted_on_the_server_while_a_laptop_edits_it_and_logs_work_becomes_a_conflict_to_restore(
        ctx, engine, laptop_factory):
    tid = warranty_ticket(ctx)
    lap = laptop_factory(_scope(engine, ctx, tid))
    uuid = uuid_of(engine, "tickets", tid)
    local = id_of(lap.engine, "tickets", uuid)
    edit_ticket(lap.ctx, local, subject="Đã thay cáp nguồn")
    entry = worklog.add_entry(lap.ctx, local, None, WorkLogDraft("note", body="Khách xác nhận đã in được"))
    entry_uuid = uuid_of(lap.engine, "ticket_events", entry)
    with engine.begin() as c:  # an administrator removing a ticket logged by mistake, history and all
        c.execute(text("ALTER TABLE ticket_events DISABLE TRIGGER ticket_events_append_only_delete"))
        c.execute(delete(m.TicketEvent.__table__).where(m.TicketEvent.__table__.c.ticket_id == tid))
        c.execute(text("ALTER TABLE ticket_events ENABLE TRIGGER ticket_events_append_only_delete"))
        c.execute(delete(m.Ticket.__table__).where(m.Ticket.__table__.c.uuid == uuid))
    out = lap.sync()
    assert out.new_conflicts >= 2
    waiting = offline.server_conflicts(engine)
    kinds = {(c["entity"], c["kind"]) for c in waiting}
    assert ("tickets", "deleted") in kinds and ("ticket_events", "deleted") in kinds
    assert any(entry_uuid == c["entity_uuid"] for c in waiting)  # the work-log entry is kept
    assert id_of(lap.engine, "tickets", uuid) is None  # the laptop follows the server meanwhile
    ticket_conflict = next(c for c in waiting if c["entity"] == "tickets")
    offline.resolve_on_server(engine, ticket_conflict["uuid"], "restore", author="lead", now=NOW)
    restored = id_of(engine, "tickets", uuid)
    assert tickets.get_ticket(ctx, restored).draft.subject == "Đã thay cáp nguồn"
    assert id_of(engine, "ticket_events", entry_uuid) is not None  # its entries came back with it
    assert offline.server_conflicts(engine) == []
    lap.sync()
    assert tickets.get_ticket(lap.ctx, id_of(lap.engine, "tickets", uuid)).draft.subject == "Đã thay cáp nguồn"


def test_a_sync_killed_after_the_server_committed_sends_nothing_twice(ctx, engine, laptop_factory):
    tid = warranty_ticket(ctx)
    lap = laptop_factory(_scope(engine, ctx, tid))
    local = id_of(lap.engine, "tickets", uuid_of(engine, "tickets", tid))
    first = tickets.get_ticket(lap.ctx, local).draft
    new = tickets.create_ticket(lap.ctx, replace(first, subject="Mới tạo ngoài hiện trường"), None)
    worklog.add_entry(lap.ctx, new, None, WorkLogDraft("note", body="Ghi chú"))

    class Killed(Exception):
        pass

    def kill():
        raise Killed

    with pytest.raises(Killed):
        lap.sync(after_push=kill)
    with engine.connect() as c:
        before = c.execute(text("SELECT count(*) FROM tickets")).scalar(), \
            c.execute(text("SELECT count(*) FROM ticket_events")).scalar()
    edit_ticket(lap.ctx, local, description="Sửa sau khi mất kết nối")  # newer work rides with the resend
    out = lap.sync()
    with engine.connect() as c:
        after = c.execute(text("SELECT count(*) FROM tickets")).scalar(), \
            c.execute(text("SELECT count(*) FROM ticket_events")).scalar()
    assert after[0] == before[0]
    assert after[1] == before[1] + 1  # only the newer edit's history row
    assert out.new_conflicts == 0
    assert tickets.get_ticket(ctx, tid).draft.description == "Sửa sau khi mất kết nối"


def _week_offline(ctx, engine, laptop_factory, skew: timedelta, seed: int = 7):
    """500 edits on a laptop over a week while the server changes 20% of the same tickets."""
    rnd = random.Random(seed)
    tid = warranty_ticket(ctx)
    ids = [tid] + more_tickets(ctx, tid, 49)
    scope = _scope(engine, ctx, tid)
    lap = laptop_factory(scope, f"week{skew.days}")
    lap.ctx = replace(lap.ctx, clock=Clock(NOW + skew))
    uuids = [uuid_of(engine, "tickets", i) for i in ids]
    local = {u: id_of(lap.engine, "tickets", u) for u in uuids}
    edits = {}
    for n in range(500):
        u = rnd.choice(uuids)
        name = rnd.choice(("subject", "description"))
        value = f"{name} {n} của laptop"
        edit_ticket(lap.ctx, local[u], **{name: value})
        edits[(u, name)] = value
    server_changed = rnd.sample(uuids, len(uuids) // 5)
    for u in server_changed:
        edit_ticket(ctx, id_of(engine, "tickets", u), subject=f"Máy chủ sửa {u[:4]}")
    out = lap.sync(now=NOW + timedelta(days=7))
    conflicts = {(c["entity_uuid"], c["field"]): c for c in offline.server_conflicts(engine) if c["kind"] == "field"}
    for (u, name), value in edits.items():
        got = getattr(tickets.get_ticket(ctx, id_of(engine, "tickets", u)).draft, name)
        assert got == value or conflicts[(u, name)]["mine"] == f'"{value}"', (u, name)
    assert snapshot(lap.engine, scope) == snapshot(engine, scope)
    # A conflict exactly where both sides changed a ticket's subject: decided by the data, never
    # by whose clock says what.
    both = {u for u in server_changed if (u, "subject") in edits}
    assert {u for (u, name) in conflicts if name == "subject"} == both
    assert out.new_conflicts == len(both) > 0


@pytest.mark.parametrize("days", [-3, 0, 3])
def test_a_week_offline_with_500_edits_while_the_server_changes_a_fifth_of_the_rows(
        ctx, engine, laptop_factory, days):
    """The laptop's clock 3 days behind or ahead gives the same outcome."""
    _week_offline(ctx, engine, laptop_factory, timedelta(days=days))


def test_attachments_travel_by_uuid_and_one_file_attached_on_both_sides_is_stored_once(ctx, engine, laptop_factory):
    from desktop_helpdesk.services import attachments
    from desktop_helpdesk.services.dto import NewAttachment

    tid = warranty_ticket(ctx)
    lap = laptop_factory(_scope(engine, ctx, tid))
    local = id_of(lap.engine, "tickets", uuid_of(engine, "tickets", tid))
    photo = b"\x89PNG\r\n\x1a\n" + b"bien ban nghiem thu" * 50
    attachments.add_attachment(lap.ctx, "ticket", local, NewAttachment("biên bản.png", photo))
    attachments.add_attachment(ctx, "ticket", tid, NewAttachment("bien-ban-van-phong.png", photo))
    attachments.add_attachment(lap.ctx, "ticket", local, NewAttachment("nhật ký.txt", b"log " * 100))
    out = lap.sync()
    assert out.new_conflicts == 0
    on_server = {a.file_name for a in attachments.attachments_of(ctx, "ticket", tid)}
    on_laptop = {a.file_name for a in attachments.attachments_of(lap.ctx, "ticket", local)}
    assert on_server == on_laptop == {"biên bản.png", "bien-ban-van-phong.png", "nhật ký.txt"}
    assert attachments.stored_contents(ctx) == attachments.stored_contents(lap.ctx) == 2
    first = next(a for a in attachments.attachments_of(ctx, "ticket", tid) if a.file_name == "biên bản.png")
    assert attachments.content(ctx, first.id)[1] == photo


def test_an_edit_of_a_customer_merged_away_on_the_server_waits_for_a_person_and_can_be_restored(
        ctx, engine, laptop_factory):
    """A lead merged the laptop's customer into another meanwhile: the laptop's edit is not
    written into an archived duplicate silently; it waits as a conflict offering a restore, and
    the laptop's ticket moves with the merge."""
    from desktop_helpdesk.services import customers
    from desktop_helpdesk.services.dto import CustomerDraft

    tid = warranty_ticket(ctx)
    duplicate = tickets.get_ticket(ctx, tid).draft.customer_id
    keep = customers.save_customer(ctx, CustomerDraft(name="Tiệm vàng Kim Hoa (chi nhánh 2)", kind="household"))
    scope = _scope(engine, ctx, tid)
    lap = laptop_factory(scope)
    dup_uuid = scope[0]
    local_customer = id_of(lap.engine, "customers", dup_uuid)
    c = customers.get_customer(lap.ctx, local_customer)
    customers.save_customer(lap.ctx, replace(c.draft, notes="Khách hẹn bảo trì thứ Bảy"), local_customer, c.version)
    k, d = customers.get_customer(ctx, keep), customers.get_customer(ctx, duplicate)
    customers.merge_customers(ctx, keep, k.version, duplicate, d.version)
    out = lap.sync()
    assert out.new_conflicts == 1
    [conflict] = offline.server_conflicts(engine)
    assert (conflict["entity"], conflict["kind"], conflict["entity_uuid"]) == ("customers", "archived", dup_uuid)
    assert "Khách hẹn bảo trì thứ Bảy" not in (customers.get_customer(ctx, duplicate).draft.notes or "")
    # The merge brought the kept customer onto the laptop, with the ticket that moved to it.
    keep_uuid = uuid_of(engine, "customers", keep)
    assert id_of(lap.engine, "customers", keep_uuid) is not None
    moved = tickets.get_ticket(lap.ctx, id_of(lap.engine, "tickets", uuid_of(engine, "tickets", tid)))
    assert moved.draft.customer_id == id_of(lap.engine, "customers", keep_uuid)
    offline.resolve_on_server(engine, conflict["uuid"], "restore", author="lead", now=NOW)
    restored = customers.get_customer(ctx, duplicate)
    assert restored.draft.notes == "Khách hẹn bảo trì thứ Bảy"


def test_a_change_the_server_refuses_waits_for_a_person_and_the_rest_of_the_work_goes_through(
        ctx, engine, laptop_factory):
    """A customer made offline with a code typed by hand that the office gave someone else
    meanwhile: that one change is refused (kept, for a person), the ticket edit beside it lands."""
    from desktop_helpdesk.services import customers
    from desktop_helpdesk.services.dto import CustomerDraft

    tid = warranty_ticket(ctx)
    lap = laptop_factory(_scope(engine, ctx, tid))
    customers.save_customer(lap.ctx, CustomerDraft(name="Nhà hàng Sen Vàng", kind="company", code="KH09999"))
    customers.save_customer(ctx, CustomerDraft(name="Công ty Bình Minh", kind="company", code="KH09999"))
    edit_ticket(lap.ctx, id_of(lap.engine, "tickets", uuid_of(engine, "tickets", tid)), subject="Đã sửa tại chỗ")
    out = lap.sync()
    assert out.new_conflicts == 1
    [refused] = offline.server_conflicts(engine)
    assert (refused["entity"], refused["kind"]) == ("customers", "refused")
    assert "Nhà hàng Sen Vàng" in refused["payload"]
    assert tickets.get_ticket(ctx, tid).draft.subject == "Đã sửa tại chỗ"
    assert lap.sync().new_conflicts == 0  # sent once: not refused again at every sync


def test_an_edit_made_on_the_laptop_while_it_syncs_is_rebased_on_the_servers_value_and_sent_next_time(
        ctx, engine, laptop_factory):
    tid = warranty_ticket(ctx)
    lap = laptop_factory(_scope(engine, ctx, tid))
    local = id_of(lap.engine, "tickets", uuid_of(engine, "tickets", tid))
    edit_ticket(ctx, tid, description="Văn phòng ghi: khách gọi lại lúc 9 giờ")
    edit_ticket(lap.ctx, local, subject="Laptop sửa tiêu đề")
    lap.sync(after_push=lambda: edit_ticket(lap.ctx, local, description="Laptop ghi trong lúc đồng bộ"))
    # The pull kept the laptop's newer value and did not undo it; its base is now the server's.
    assert tickets.get_ticket(lap.ctx, local).draft.description == "Laptop ghi trong lúc đồng bộ"
    assert lap.state()["pending"] >= 1
    out = lap.sync()
    assert out.new_conflicts == 0
    server = tickets.get_ticket(ctx, tid).draft
    assert (server.subject, server.description) == ("Laptop sửa tiêu đề", "Laptop ghi trong lúc đồng bộ")
