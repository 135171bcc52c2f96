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
