"""The team server: PostgreSQL's trigram search indexes, the append-only history and
byte-order text on PostgreSQL

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

On PostgreSQL only (SQLite has had each since 0007/0008, or by nature):
- pg_trgm GIN indexes over each searched table's folded `search_text`, so a filter or a
  global search for a rare word reads the index instead of every row (the FTS5 trigram
  tables play this part on SQLite);
- triggers that refuse to change or delete the support history (seed 002 §4), whatever
  program connects, as SQLite's triggers do; only `operator_id` may still change (an
  operator's removal sets it NULL through its foreign key). TRUNCATE is refused too;
- every text column collates "C" (code point order), as SQLite's BINARY does: lists sort by
  keys the app computes (`sort_name` holds the Vietnamese dictionary order as a plain string),
  so the server's own collation (e.g. ICU vi-VN, which ignores punctuation and case) must not
  reorder them, and keyset pages must compare exactly as they sort.
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SEARCHED = ("customers", "contacts", "contracts", "tickets")
GUARDED = ("ticket_id", "occurred_at", "kind", "field", "old_value", "new_value", "body", "corrects_id",
           "duration_minutes", "details", "uuid")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    columns = bind.execute(sa.text(
        "SELECT table_name, column_name, data_type, character_maximum_length FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND data_type IN ('character varying', 'text') "
        "AND table_name <> 'alembic_version' ORDER BY table_name, ordinal_position")).all()
    for table, column, data_type, length in columns:
        kind = f"varchar({length})" if data_type == "character varying" and length else data_type
        op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE {kind} COLLATE "C"')

    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in SEARCHED:
        op.execute(f"CREATE INDEX ix_{table}_search_trgm ON {table} USING gin (search_text gin_trgm_ops)")

    op.execute("""
        CREATE FUNCTION ticket_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'ticket history is append-only' USING ERRCODE = 'restrict_violation';
        END $$""")
    old = ", ".join(f"OLD.{c}" for c in GUARDED)
    new = ", ".join(f"NEW.{c}" for c in GUARDED)
    op.execute(f"CREATE TRIGGER ticket_events_append_only_update BEFORE UPDATE ON ticket_events FOR EACH ROW "
               f"WHEN ((ROW({old})) IS DISTINCT FROM (ROW({new}))) EXECUTE FUNCTION ticket_events_append_only()")
    op.execute("CREATE TRIGGER ticket_events_append_only_delete BEFORE DELETE ON ticket_events FOR EACH ROW "
               "EXECUTE FUNCTION ticket_events_append_only()")
    op.execute("CREATE TRIGGER ticket_events_append_only_truncate BEFORE TRUNCATE ON ticket_events "
               "FOR EACH STATEMENT EXECUTE FUNCTION ticket_events_append_only()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for suffix in ("update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS ticket_events_append_only_{suffix} ON ticket_events")
    op.execute("DROP FUNCTION IF EXISTS ticket_events_append_only()")
    for table in SEARCHED:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_trgm")
