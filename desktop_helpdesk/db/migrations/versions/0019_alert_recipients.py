"""Alerts addressed to the operator they concern, acknowledged by each operator

- `alerts.recipient_id`: the one operator an alert concerns (a ticket assigned to them, their
  ticket at risk or breached); NULL for an alert for everyone who sees the team's alerts
  (an unassigned ticket at risk or breached, an obligation falling due). Indexed with
  `raised_at`, the order the alert centre reads them in.
- `alert_reads`: who acknowledged which alert, when (one row per alert and operator), so a
  shared alert one operator acknowledged stays unread for the others. `alerts.read_at` is
  kept for the alerts acknowledged before this revision (by the desk, for everyone).
- `ix_ticket_events_assigned`: the history's assignment rows by id, so the alert check reads
  the assignments made since its watermark and nothing else of a history that grows by
  millions of rows.

Plain ADD COLUMN and CREATE TABLE on both engines (SQLite allows a REFERENCES clause on an
added column whose default is NULL; without ON DELETE, which SQLAlchemy cannot read back
from such a clause: operators are disabled, never deleted).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("ALTER TABLE alerts ADD COLUMN recipient_id INTEGER "
                   "CONSTRAINT fk_alerts_recipient_id_operators "
                   "REFERENCES operators (id)")
    else:
        op.add_column("alerts", sa.Column("recipient_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_alerts_recipient_id_operators"), "alerts", "operators",
                              ["recipient_id"], ["id"])
    op.create_index("ix_alerts_recipient_id_raised_at", "alerts", ["recipient_id", "raised_at"])
    op.create_table(
        "alert_reads",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], name=op.f("fk_alert_reads_alert_id_alerts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"], name=op.f("fk_alert_reads_operator_id_operators"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("alert_id", "operator_id", name=op.f("pk_alert_reads")),
    )
    op.create_index("ix_alert_reads_operator_id", "alert_reads", ["operator_id"])
    op.create_index("ix_ticket_events_assigned", "ticket_events", ["id"],
                    sqlite_where=sa.text("kind = 'assigned'"), postgresql_where=sa.text("kind = 'assigned'"))


def downgrade() -> None:
    op.drop_index("ix_ticket_events_assigned", table_name="ticket_events")
    op.drop_index("ix_alert_reads_operator_id", table_name="alert_reads")
    op.drop_table("alert_reads")
    op.drop_index("ix_alerts_recipient_id_raised_at", table_name="alerts")
    # A plain DROP COLUMN on both engines (as 0016): SQLite drops a column whose own
    # REFERENCES is its only constraint; PostgreSQL drops the foreign key with it.
    op.execute("ALTER TABLE alerts DROP COLUMN recipient_id")
