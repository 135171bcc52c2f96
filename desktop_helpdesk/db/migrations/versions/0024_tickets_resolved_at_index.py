"""The tickets resolved in a period, from an index: `ix_tickets_resolved_at`

The SLA reports (issue #16) count each operator's (customer's, package's, month's) tickets
resolved in a period. Without an index on `resolved_at` that read every ticket: 7 s for one
month on the 1M-ticket benchmark database, against a 5 s target for the whole report
(benchmarks/README.md, "SLA reports"). A plain B-tree on both engines.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_resolved_at", "tickets", ["resolved_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_tickets_resolved_at", table_name="tickets")
