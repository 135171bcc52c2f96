"""The change feed: one row per committed unit of work that wrote, so every desk on a
shared database sees a colleague's save within seconds

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=36), nullable=False),
        sa.Column("tables", sa.String(length=400), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_feed")),
    )
    op.create_index(op.f("ix_change_feed_at"), "change_feed", ["at"])
    if op.get_bind().dialect.name == "postgresql":
        # The column collation of 0010 (byte order, as on SQLite) for the new text columns too.
        for column, length in (("origin", 36), ("tables", 400)):
            op.execute(f'ALTER TABLE change_feed ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"')


def downgrade() -> None:
    op.drop_index(op.f("ix_change_feed_at"), table_name="change_feed")
    op.drop_table("change_feed")
