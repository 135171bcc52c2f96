"""Who last changed each editable row: `updated_by`, so a save refused because a colleague
saved first can say who did it (and `updated_at` says when)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09

A short display text (the operator's alias and code, or the desk's name when no operator was
chosen), stamped by the unit of work next to `updated_at`. Rows written before stay NULL.
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

#: The tables of RowMixin (db/models.py): every editable record.
TABLES = ("operators", "customers", "contacts", "packages", "contracts", "tickets", "payments",
          "obligations", "verification_questions", "alerts", "calendar_exceptions")


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgresql:  # byte-order text, as every text column since 0010
            op.execute(f'ALTER TABLE {table} ADD COLUMN updated_by varchar(120) COLLATE "C"')
        else:
            op.add_column(table, sa.Column("updated_by", sa.String(length=120), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN on both engines (SQLite 3.35+): the column has no index or
    # constraint, and a batch rebuild would reflect (and lose) the expression indexes.
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN updated_by")
