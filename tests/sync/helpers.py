"""What the sync tests compare: every synced record of the laptop's customers as it travels."""

from __future__ import annotations

import json

from sqlalchemy import select

from desktop_helpdesk.db import sync


def snapshot(engine, scope: list[str]) -> dict:
    """table -> {uuid: record as it travels (no local ids, versions or derived text)}."""
    out = {}
    with engine.connect() as conn:
        sync._fresh(conn)  # noqa: SLF001
        c = sync.TABLES["customers"]
        ids = [i for (i,) in conn.execute(select(c.c.id).where(c.c.uuid.in_(scope)))]
        for table in sync.SYNCED:
            if table in sync.PULL_ONLY:
                continue
            t = sync.TABLES[table]
            stmt = select(t)
            cond = sync._scope_condition(table, ids)  # noqa: SLF001
            if cond is not None:
                stmt = stmt.where(cond)
            rows = {}
            for r in conn.execute(stmt).mappings():
                row = sync._travelling(conn, table, dict(r))  # noqa: SLF001
                for name in sync.DERIVED | {"created_at"}:
                    row.pop(name, None)
                rows[row["uuid"]] = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
            out[table] = rows
    return out


def uuid_of(engine, table: str, row_id: int) -> str:
    """A record's UUID, by its id in `engine`'s database."""
    from desktop_helpdesk.db import models as m

    t = m.Base.metadata.tables[table]
    with engine.connect() as c:
        return c.execute(select(t.c.uuid).where(t.c.id == row_id)).scalar()


def id_of(engine, table: str, uuid: str) -> int | None:
    """A record's id in `engine`'s database, by its UUID (None: not there)."""
    from desktop_helpdesk.db import models as m

    t = m.Base.metadata.tables[table]
    with engine.connect() as c:
        return c.execute(select(t.c.id).where(t.c.uuid == uuid)).scalar()


def edit_ticket(ctx, ticket_id: int, **changes) -> None:
    """Save a ticket with some fields changed, as its form does."""
    from dataclasses import replace

    from desktop_helpdesk.services import tickets

    t = tickets.get_ticket(ctx, ticket_id)
    tickets.update_ticket(ctx, ticket_id, t.version, replace(t.draft, **changes), None)
