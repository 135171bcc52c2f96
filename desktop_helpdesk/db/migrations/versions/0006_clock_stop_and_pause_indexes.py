"""Indexes on each SLA clock's stop and pause times, so the dashboard's chart (clocks
stopped in the last 30 days) and its paused count read a few rows instead of the whole
tickets table (1.9 s and 0.9 s at every start on 1,000,000 tickets)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

KINDS = ("proposal", "fix", "complaint")


def upgrade() -> None:
    for kind in KINDS:
        op.create_index(op.f(f"ix_tickets_{kind}_stopped_at"), "tickets", [f"{kind}_stopped_at"])
        op.create_index(op.f(f"ix_tickets_{kind}_paused_since"), "tickets", [f"{kind}_paused_since"])


def downgrade() -> None:
    for kind in KINDS:
        op.drop_index(op.f(f"ix_tickets_{kind}_paused_since"), table_name="tickets")
        op.drop_index(op.f(f"ix_tickets_{kind}_stopped_at"), table_name="tickets")
