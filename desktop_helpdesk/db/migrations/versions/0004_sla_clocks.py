"""SLA clock columns on tickets

Each clock (solution proposal, fix, complaint) is stored as the five plain values of
domain.sla.SlaClock.to_columns; next_due_at (indexed) is the earliest due time of the
clocks still running or paused, so lists sort and filter by time left in SQL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CLOCKS = ("proposal", "fix", "complaint")


def upgrade() -> None:
    # Plain ADD COLUMNs (nullable): no batch rebuild of tickets under its foreign keys.
    for clock in CLOCKS:
        op.add_column("tickets", sa.Column(f"{clock}_started_at", sa.DateTime(), nullable=True))
        op.add_column("tickets", sa.Column(f"{clock}_paused_seconds", sa.Integer(), nullable=True))
        op.add_column("tickets", sa.Column(f"{clock}_paused_since", sa.DateTime(), nullable=True))
        op.add_column("tickets", sa.Column(f"{clock}_stopped_at", sa.DateTime(), nullable=True))
        op.add_column("tickets", sa.Column(f"{clock}_due_at", sa.DateTime(), nullable=True))
    op.add_column("tickets", sa.Column("next_due_at", sa.DateTime(), nullable=True))
    op.create_index("ix_tickets_next_due_at", "tickets", ["next_due_at"])
    # The list's "time left" sort key: tickets without a running clock sort last.
    op.create_index("ix_tickets_next_due_sort", "tickets", [
        sa.func.coalesce(sa.literal_column("next_due_at"), sa.literal_column("'9999-12-31 00:00:00.000000'"))])


def downgrade() -> None:
    op.drop_index("ix_tickets_next_due_sort", "tickets")
    op.drop_index("ix_tickets_next_due_at", "tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("next_due_at")
        for clock in CLOCKS:
            for suffix in ("started_at", "paused_seconds", "paused_since", "stopped_at", "due_at"):
                batch.drop_column(f"{clock}_{suffix}")
