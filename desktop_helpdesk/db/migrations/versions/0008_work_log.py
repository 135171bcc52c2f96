"""The work log: structured fields, durations and corrections of ticket history entries;
the history refuses updates and deletes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22

Plain ADD COLUMN (no table rebuild): SQLite allows a REFERENCES clause on an added column
whose default is NULL. The triggers make the history append-only in the database itself,
whatever program writes to the file; only `operator_id` may still change (an operator's
removal sets it NULL through its foreign key).
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_GUARDED = "ticket_id, occurred_at, kind, field, old_value, new_value, body, corrects_id, duration_minutes, details, uuid"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("ALTER TABLE ticket_events ADD COLUMN corrects_id INTEGER "
                   "CONSTRAINT fk_ticket_events_corrects_id_ticket_events "
                   "REFERENCES ticket_events (id)")
    else:
        op.add_column("ticket_events", sa.Column("corrects_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_ticket_events_corrects_id_ticket_events"), "ticket_events", "ticket_events",
                              ["corrects_id"], ["id"])
    op.add_column("ticket_events", sa.Column("duration_minutes", sa.Integer(), nullable=True))
    op.add_column("ticket_events", sa.Column("details", sa.Text(), nullable=True))
    op.create_index(op.f("ix_ticket_events_corrects_id"), "ticket_events", ["corrects_id"])
    if sqlite:
        op.execute(f"CREATE TRIGGER ticket_events_append_only_update BEFORE UPDATE OF {_GUARDED} ON ticket_events "
                   "BEGIN SELECT RAISE(ABORT, 'ticket history is append-only'); END")
        op.execute("CREATE TRIGGER ticket_events_append_only_delete BEFORE DELETE ON ticket_events "
                   "BEGIN SELECT RAISE(ABORT, 'ticket history is append-only'); END")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS ticket_events_append_only_update")
    op.execute("DROP TRIGGER IF EXISTS ticket_events_append_only_delete")
    op.drop_index(op.f("ix_ticket_events_corrects_id"), table_name="ticket_events")
    with op.batch_alter_table("ticket_events") as batch:
        batch.drop_column("details")
        batch.drop_column("duration_minutes")
        batch.drop_column("corrects_id")
