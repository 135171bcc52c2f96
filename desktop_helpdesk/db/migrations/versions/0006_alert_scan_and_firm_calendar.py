"""Alert checks read only the clocks that can have changed; the firm's own calendar days

- One partial index per clock kind on its due time, over the clocks still running or paused
  (`{kind}_stopped_at IS NULL AND {kind}_due_at IS NOT NULL`): the alert check reads the
  clocks that fell due since the last check, or are about to, as an index range instead of
  scanning the tickets table once per kind; editing the calendar finds the clocks due after a
  changed day the same way. About a fifth of the tickets have a running clock, so each index
  holds a fifth of the rows.
- `calendar_exceptions`: the firm's own days off and working days on top of Vietnam's public
  holidays (one row per date).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CLOCKS = ("proposal", "fix", "complaint")


def upgrade() -> None:
    for clock in CLOCKS:
        op.create_index(f"ix_tickets_{clock}_due_running", "tickets", [f"{clock}_due_at"],
                        sqlite_where=sa.text(f"{clock}_stopped_at IS NULL AND {clock}_due_at IS NOT NULL"),
                        postgresql_where=sa.text(f"{clock}_stopped_at IS NULL AND {clock}_due_at IS NOT NULL"))
    op.create_table(
        "calendar_exceptions",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_exceptions")),
        sa.UniqueConstraint("day", name=op.f("uq_calendar_exceptions_day")),
        sa.UniqueConstraint("uuid", name=op.f("uq_calendar_exceptions_uuid")),
    )


def downgrade() -> None:
    op.drop_table("calendar_exceptions")
    for clock in CLOCKS:
        op.drop_index(f"ix_tickets_{clock}_due_running", "tickets")
