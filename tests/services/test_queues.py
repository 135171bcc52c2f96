"""Ticket queues (My tickets, Unassigned, My team, All), assignment with a history that names
who had the ticket and who has it now, and the lead's per-operator load, on both engines."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from desktop_helpdesk.db.uow import uow_factory
from desktop_helpdesk.services import catalog, dashboard, tickets
from desktop_helpdesk.services.context import make_context
from desktop_helpdesk.services.dto import ListQuery, OperatorDraft
from desktop_helpdesk.services.errors import ValidationFailed
from tests.factories import Clock, more_tickets, warranty_ticket

NOW = datetime(2026, 11, 21, 3, 0, tzinfo=timezone.utc)


def add_operator(ctx, engine, code: str, name: str, team: str = "", active: bool = True) -> int:
    operator_id = catalog.add_operator(ctx, OperatorDraft(code, name, name.split()[-1], "operator"))
    with engine.begin() as conn:  # the team and the account's state are the lead's forms (#13)
        conn.execute(text("UPDATE operators SET team = :team, active = :active WHERE id = :id"),
                     {"team": team or None, "active": active, "id": operator_id})
    return operator_id


@pytest.fixture
def desk(engine):
    """Lan and Minh in team "Hà Nội", Tuấn in "Sài Gòn", Hoa in no team; seven tickets:
    2 Lan's, 1 Minh's, 1 Tuấn's, 3 nobody's (one of them closed)."""
    ctx = make_context(uow_factory(engine), Clock(NOW))
    people = {
        "lan": add_operator(ctx, engine, "NV002", "Nguyễn Thị Lan", "Hà Nội"),
        "minh": add_operator(ctx, engine, "NV003", "Trần Văn Minh", "Hà Nội"),
        "tuan": add_operator(ctx, engine, "NV004", "Lê Anh Tuấn", "Sài Gòn"),
        "hoa": add_operator(ctx, engine, "NV005", "Phạm Thị Hoa"),
    }
    first = warranty_ticket(ctx)
    ids = [first, *more_tickets(ctx, first, 6)]
    owners = [people["lan"], people["lan"], people["minh"], people["tuan"], None, None, None]
    for ticket_id, owner in zip(ids, owners):
        if owner is not None:
            tickets.assign(ctx, ticket_id, owner, people["lan"])
    details = tickets.get_ticket(ctx, ids[-1])
    from dataclasses import replace

    tickets.update_ticket(ctx, ids[-1], details.version, replace(details.draft, status="closed"), None)
    return ctx, people, ids


def codes(ctx, **filters):
    rows = tickets.list_tickets(ctx, ListQuery(limit=1000, filters={"state": "", **filters})).rows
    return {r.id for r in rows}


def test_each_queue_lists_exactly_its_tickets(desk):
    ctx, people, ids = desk
    lan, minh = people["lan"], people["minh"]
    assert codes(ctx, queue="mine", operator_id=lan, team="Hà Nội") == set(ids[:2])
    assert codes(ctx, queue="mine", operator_id=minh, team="Hà Nội") == {ids[2]}
    assert codes(ctx, queue="unassigned", operator_id=lan) == set(ids[4:])
    assert codes(ctx, queue="team", operator_id=lan, team="Hà Nội") == set(ids[:3])
    assert codes(ctx, queue="team", operator_id=people["tuan"], team="Sài Gòn") == {ids[3]}
    assert codes(ctx, queue="team", operator_id=people["hoa"], team="") == set()  # no team: nothing
    assert codes(ctx, queue="mine", operator_id=None) == set()  # nobody signed in: nothing
    assert codes(ctx, queue="all", operator_id=lan) == set(ids)
    # Combined with the state filter and the words of the filter box.
    open_unassigned = tickets.list_tickets(ctx, ListQuery(limit=1000, filters={"state": "open", "queue": "unassigned"}))
    assert {r.id for r in open_unassigned.rows} == set(ids[4:6])
    words = tickets.list_tickets(ctx, ListQuery(text="can dien tu (2)", limit=1000,
                                                filters={"queue": "mine", "operator_id": lan}))
    assert [r.id for r in words.rows] == [ids[1]]
    # The counts on the selector say the same.
    counts = tickets.queue_counts(ctx, {"state": "", "operator_id": lan, "team": "Hà Nội"})
    assert counts == {"mine": 2, "unassigned": 3, "team": 3, "all": 7}
    assert tickets.queue_counts(ctx, {"state": "open", "operator_id": people["hoa"], "team": ""}) == \
        {"mine": 0, "unassigned": 2, "team": 0, "all": 6}


def test_a_queue_pages_by_keyset(desk):
    ctx, people, ids = desk
    query = ListQuery(limit=1, filters={"state": "", "queue": "team", "operator_id": people["lan"], "team": "Hà Nội"})
    seen = []
    while True:
        page = tickets.list_tickets(ctx, query)
        seen += [r.id for r in page.rows]
        if page.next_cursor is None:
            break
        from dataclasses import replace

        query = replace(query, after=page.next_cursor)
    assert sorted(seen) == sorted(ids[:3]) and len(seen) == 3


def test_reassigning_writes_one_history_row_naming_both_operators(desk):
    ctx, people, ids = desk
    assert tickets.assign(ctx, ids[0], people["minh"], people["hoa"]) is True
    details = tickets.get_ticket(ctx, ids[0])
    rows = [e for e in details.history if e.kind == "assigned"]
    last = rows[-1]
    assert (last.field, last.old_value, last.new_value) == ("assignee_id", str(people["lan"]), str(people["minh"]))
    assert last.operator == "Phạm Thị Hoa"
    assert details.people[str(people["lan"])] == "Nguyễn Thị Lan (NV002)"
    assert details.people[str(people["minh"])] == "Trần Văn Minh (NV003)"
    assert details.draft.assignee_id == people["minh"]
    # Taken back from everyone, then given to the same person twice: one row each change only.
    assert tickets.assign(ctx, ids[0], None, people["hoa"]) is True
    assert tickets.assign(ctx, ids[0], None, people["hoa"]) is False
    after = [e for e in tickets.get_ticket(ctx, ids[0]).history if e.kind == "assigned"]
    assert len(after) == len(rows) + 1
    assert (after[-1].old_value, after[-1].new_value) == (str(people["minh"]), "")


def test_a_disabled_operator_is_not_offered_nor_given_tickets(desk, engine):
    ctx, people, ids = desk
    gone = add_operator(ctx, engine, "NV009", "Đỗ Văn Nam", "Hà Nội", active=False)
    assert gone not in {o.id for o in tickets.assignable_operators(ctx)}
    before = tickets.get_ticket(ctx, ids[4])
    with pytest.raises(ValidationFailed):
        tickets.assign(ctx, ids[4], gone, people["lan"])
    after = tickets.get_ticket(ctx, ids[4])
    assert after.draft.assignee_id is None and after.history == before.history


def test_the_dashboard_counts_each_operators_load_and_follows_its_scope(desk):
    ctx, people, ids = desk
    # Two hours on, the 24/7 package's 2-hour proposal clocks of the open tickets are breached.
    ctx.clock.now = NOW + timedelta(hours=3)
    data = dashboard.build(ctx)
    load = {row.operator_id: row for row in dashboard.operator_load(ctx)}
    assert (load[people["lan"]].open_tickets, load[people["lan"]].breached_now) == (2, 2)
    assert (load[people["minh"]].open_tickets, load[people["minh"]].breached_now) == (1, 1)
    assert (load[people["tuan"]].open_tickets, load[people["hoa"]].open_tickets) == (1, 0)
    assert (load[None].open_tickets, load[None].breached_now) == (2, 2)
    assert load[people["lan"]].team == "Hà Nội" and load[people["lan"]].code == "NV002"
    assert data.counts["breached"] == 6
    mine = dashboard.build(ctx, ("operator", people["lan"]))
    assert mine.counts["breached"] == 2
    assert {i.ticket_id for i in mine.items if i.section == "breached"} == set(ids[:2])
    team = dashboard.build(ctx, ("team", "Hà Nội"))
    assert {i.ticket_id for i in team.items if i.section == "breached"} == set(ids[:3])
    nobody = dashboard.build(ctx, ("unassigned", None))
    assert nobody.counts["breached"] == 2


def test_a_large_queue_walks_the_sort_index_and_lists_the_same_tickets(desk, monkeypatch):
    """Above QUEUE_WALK_THRESHOLD tickets SQLite reads a queue by walking the list's sort
    index (see SqlTicketRepository.list); the same tickets, in the same order, either way."""
    from desktop_helpdesk.db.repositories import tickets as repository

    ctx, people, ids = desk
    cases = [{"queue": "mine", "operator_id": people["lan"]}, {"queue": "unassigned"},
             {"queue": "team", "team": "Hà Nội"}]
    orders = [("received_at", True), ("next_due_at", False), ("customer", False), ("code", True)]

    def pages():
        out = []
        for filters in cases:
            for sort, descending in orders:
                query = ListQuery(sort=sort, descending=descending, limit=2, filters={"state": "", **filters})
                seen = []
                while True:
                    page = tickets.list_tickets(ctx, query)
                    seen += [r.id for r in page.rows]
                    if page.next_cursor is None:
                        break
                    query = replace(query, after=page.next_cursor)
                out.append(seen)
        return out

    from dataclasses import replace

    small = pages()
    monkeypatch.setattr(repository, "QUEUE_WALK_THRESHOLD", 0)
    assert pages() == small
    assert sorted(small[0]) == sorted(ids[:2]) and sorted(small[4]) == sorted(ids[4:])
