"""Trigram full-text indexes over the folded search_text of customers, contacts, contracts
and tickets, for the global search (Ctrl+F) and the list filters

`LIKE '%word%'` on search_text reads the whole table when few rows match (400–600 ms on a
million tickets, benchmarks/README.md "Lists"). An FTS5 table with the trigram tokenizer
answers the same `LIKE` from its index. It is external-content (it stores only the index,
the text stays in the base table) with `detail='none'` (no positions: about 150 MB for
1M tickets instead of several times that), kept in step by triggers, and filled here from
the existing rows. search_text is already folded in Python (SQLite cannot fold đ).

Contacts' search_text now also carries the phone written with a leading 0, as customers'
already does, so a phone fragment typed the way people say it ("0912") finds the contact.

SQLite only, and only if its FTS5 has the trigram tokenizer (SQLite >= 3.34); elsewhere the
repositories fall back to LIKE on search_text. A migration that batch-rebuilds one of these
tables must recreate its triggers (a rebuild drops them).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("customers", "contacts", "contracts", "tickets")


def upgrade() -> None:
    _refold_contacts()
    conn = op.get_bind()
    if conn.dialect.name != "sqlite" or not _has_trigram(conn):
        return
    for table in TABLES:
        fts = f"{table}_fts"
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', content_rowid='id', "
            f"tokenize='trigram', detail='none')")
        conn.exec_driver_sql(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")
        conn.exec_driver_sql(
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts} (rowid, search_text) VALUES (new.id, new.search_text); END")
        conn.exec_driver_sql(
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts} ({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END")
        conn.exec_driver_sql(
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF search_text ON {table} BEGIN "
            f"INSERT INTO {fts} ({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
            f"INSERT INTO {fts} (rowid, search_text) VALUES (new.id, new.search_text); END")


def _has_trigram(conn) -> bool:
    try:
        conn.exec_driver_sql("CREATE VIRTUAL TABLE temp._probe_trigram USING fts5(x, tokenize='trigram')")
    except sa.exc.DBAPIError:
        return False
    conn.exec_driver_sql("DROP TABLE temp._probe_trigram")
    return True


def _refold_contacts() -> None:
    from desktop_helpdesk.domain.text import fold

    conn = op.get_bind()
    contacts = sa.table("contacts", sa.column("id"), sa.column("full_name"), sa.column("phone"),
                        sa.column("email"), sa.column("search_text"))
    rows = conn.execute(sa.select(contacts.c.id, contacts.c.full_name, contacts.c.phone, contacts.c.email)).all()
    if rows:
        conn.execute(
            contacts.update().where(contacts.c.id == sa.bindparam("row_id")).values(search_text=sa.bindparam("text")),
            [{"row_id": r.id, "text": fold(" ".join(x for x in (r.full_name, r.phone, _local(r.phone), r.email) if x))}
             for r in rows],
        )


def _local(phone):
    return phone.replace("+84", "0", 1) if phone else None


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    for table in TABLES:
        for suffix in ("ai", "ad", "au"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}_fts")
