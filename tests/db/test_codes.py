"""Codes from the counters of migration 0011: two writers never take the same code, a code
typed by hand is skipped and never blocks or moves the numbering, a stale row met by an
automatic flush is a ConcurrentEditError. On SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import text

from desktop_helpdesk.db import migrate
from desktop_helpdesk.db import models as m
from desktop_helpdesk.domain.errors import ConcurrentEditError, DuplicateError
from desktop_helpdesk.services import catalog, customers
from desktop_helpdesk.services.dto import CustomerDraft, OperatorDraft


def _customer(ctx, code: str = "", name: str = "Công ty TNHH Hoa Mai") -> str:
    cid = customers.save_customer(ctx, CustomerDraft(name=name, kind="company", code=code))
    return customers.get_customer(ctx, cid).draft.code


def test_two_interleaved_units_of_work_take_different_codes(ctx):
    """The first holds its code uncommitted while the second asks: the second waits for the
    first's commit (its row lock on PostgreSQL, its write lock on SQLite), then gets the next."""
    first = ctx.uow()
    first.__enter__()
    got_first = first.customers.next_code()
    got_second, errors = [], []
    started = threading.Event()

    def second():
        try:
            with ctx.uow() as uow:
                started.set()
                got_second.append(uow.customers.next_code())
                uow.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    worker = threading.Thread(target=second)
    worker.start()
    started.wait(5)
    worker.join(0.3)
    assert worker.is_alive(), "the second writer must wait for the first's transaction"
    first.commit()
    first.__exit__(None, None, None)
    worker.join(10)
    assert not errors and got_first == "KH00001" and got_second == ["KH00002"]


def test_codes_rolled_back_are_not_lost_to_the_next_save(ctx):
    with ctx.uow() as uow:
        assert uow.customers.next_code() == "KH00001"  # no commit: the counter goes back
    assert _customer(ctx) == "KH00001"


def test_a_code_typed_far_ahead_neither_blocks_nor_moves_the_numbering(ctx):
    assert _customer(ctx, "KH99999", "Tiệm vàng Kim Hoa") == "KH99999"  # before any automatic code
    assert _customer(ctx) == "KH00001"
    assert _customer(ctx, name="Nhà sách Bình Minh") == "KH00002"


def test_a_typed_code_the_counter_reaches_is_skipped(ctx):
    assert _customer(ctx) == "KH00001"
    _customer(ctx, "KH00002", "Tiệm vàng Kim Hoa")
    _customer(ctx, "KH00003", "Nhà sách Bình Minh")
    assert _customer(ctx, name="Quán cà phê Gió") == "KH00004"
    assert _customer(ctx, name="Quán cà phê Mây") == "KH00005"


def test_a_typed_code_in_use_is_still_refused_by_name(ctx):
    code = _customer(ctx)
    with pytest.raises(DuplicateError) as caught:
        _customer(ctx, code, "Tiệm vàng Kim Hoa")
    assert caught.value.field == "code"


def test_operator_codes_come_from_their_counter(ctx):
    catalog.add_operator(ctx, OperatorDraft("NV002", "Trần Văn Bình", "Bình", "agent"))
    new_id = catalog.add_operator(ctx, OperatorDraft("", "Lê Thị Cúc", "Cúc", "agent"))
    assert {o.id: o.code for o in catalog.operators(ctx)}[new_id] == "NV001"
    third = catalog.add_operator(ctx, OperatorDraft("", "Phạm Văn Dũng", "Dũng", "agent"))
    assert {o.id: o.code for o in catalog.operators(ctx)}[third] == "NV003"


def test_contract_and_ticket_codes_keep_their_formats(ctx):
    from desktop_helpdesk.services import contracts, tickets
    from tests.factories import warranty_ticket

    ticket_id = warranty_ticket(ctx)
    t = tickets.get_ticket(ctx, ticket_id)
    assert t.code.startswith("YC") and t.code.endswith("-000001") and len(t.code) == len("YC26-000001")
    k = contracts.contract_file(ctx, t.draft.contract_id)
    assert k.number == "HD2026-0001"


def test_migration_seeds_each_counter_from_the_highest_code_in_use(db_url):
    from alembic import command

    from desktop_helpdesk.db.engine import make_engine, open_database

    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(migrate._alembic_config(conn), "0010")
        for code in ("KH00007", "KH00012", "KHX", "KH123456"):
            conn.execute(text(
                "INSERT INTO customers (code, name, sort_name, kind, search_text, uuid, created_at, updated_at, version) "
                "VALUES (:c, 'A', 'a', 'person', 'a', :c, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"),
                {"c": code})
        conn.execute(text(
            "INSERT INTO operators (code, full_name, alias, role, active, uuid, created_at, updated_at, version) "
            "VALUES ('NV004', 'A', 'A', 'agent', true, 'o', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"))
    engine.dispose()
    engine, _ = open_database(db_url, may_upgrade=True)  # the administrator's upgrade
    try:
        with engine.connect() as conn:
            seeded = dict(conn.execute(text("SELECT prefix, last_number FROM code_counters")).all())
        assert seeded == {"KH": 12, "NV": 4}
        from desktop_helpdesk.db.uow import uow_factory
        from desktop_helpdesk.services.context import make_context

        assert _customer(make_context(uow_factory(engine))) == "KH00013"
    finally:
        engine.dispose()


def test_stale_data_met_by_an_automatic_flush_is_a_concurrent_edit(ctx, engine):
    """A change waiting in the session is flushed before the next query (autoflush): if
    someone else changed the row meanwhile, the query raises, not commit()."""
    cid = customers.save_customer(ctx, CustomerDraft(name="Công ty TNHH Hoa Mai", kind="company"))
    with pytest.raises(ConcurrentEditError):
        with ctx.uow() as uow:
            c = uow.session.get(m.Customer, cid)
            with engine.begin() as conn:  # another desk saves the customer
                conn.execute(text("UPDATE customers SET version = version + 1, name = 'Khác' WHERE id = :i"),
                             {"i": cid})
            c.notes = "ghi chú"
            uow.customers.count()  # autoflush: the UPDATE finds the version changed
    assert customers.get_customer(ctx, cid).draft.name == "Khác"


def test_contract_numbers_per_year(ctx):
    from desktop_helpdesk.services import contracts
    from desktop_helpdesk.services.dto import ContractDraft
    from tests.factories import warranty_ticket

    warranty_ticket(ctx)
    pid = catalog.packages(ctx)[0].id
    cid = customers.save_customer(ctx, CustomerDraft(name="Tiệm vàng Kim Hoa", kind="household"))
    numbers = [contracts.contract_file(ctx, contracts.save_contract(ctx, ContractDraft(
        customer_id=cid, package_id=pid, stage="request_received", request_received_on=date(y, 3, 1)))).number
        for y in (2025, 2026)]
    assert numbers == ["HD2025-0001", "HD2026-0002"]
