"""Going live: import batches (so an import can be undone), archived and merged customers,
and a customer's own history

- `import_batches`: one row per import (the file's name, who and when, how many records of
  each kind it added, when it was undone). `customers`, `contacts`, `contracts` and
  `payments` carry the `import_batch_id` that added them, so a batch can be undone while
  nothing else refers to its records, and re-importing can tell its own rows apart.
- `customers.archived_at`: an archived customer leaves the lists and the choices of new
  tickets and contracts, and keeps its history. `customers.merged_into_id`: a duplicate
  merged into another customer is kept, archived, pointing at the one that stays, so its old
  code still leads somewhere.
- `customer_events`: the append-only history of a customer (merged, archived, restored,
  imported), like `contract_events`.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

#: The tables an import writes to.
IMPORTED = ("customers", "contacts", "contracts", "payments")


def _text(postgresql: bool, length: int | None) -> str:
    kind = f"varchar({length})" if length else "text"
    if not postgresql:
        return f"VARCHAR({length})" if length else "TEXT"
    return f'{kind} COLLATE "C"'  # byte-order text, as every text column since 0010


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    stamp = "timestamp without time zone" if postgresql else "DATETIME"
    op.execute(
        "CREATE TABLE import_batches ("
        f"id {'SERIAL' if postgresql else 'INTEGER'} NOT NULL, "
        f"uuid {_text(postgresql, 36)} NOT NULL, "
        f"file_name {_text(postgresql, 260)} NOT NULL, "
        "customers INTEGER NOT NULL, contacts INTEGER NOT NULL, "
        "contracts INTEGER NOT NULL, payments INTEGER NOT NULL, "
        f"created_at {stamp} NOT NULL, "
        f"created_by {_text(postgresql, 120)}, "
        f"undone_at {stamp}, "
        f"undone_by {_text(postgresql, 120)}, "
        "CONSTRAINT pk_import_batches PRIMARY KEY (id), "
        "CONSTRAINT uq_import_batches_uuid UNIQUE (uuid))")
    # A column with a foreign key added in place on both engines (SQLite allows it when the
    # default is NULL): no table rebuild, which would lose the expression indexes.
    # SQLite's column constraints stay unnamed and plain (no ON DELETE): its reflection reads
    # neither from a column's own REFERENCES. Nothing deletes a batch (an undone one is
    # marked so) nor, today, a customer, so NO ACTION is all they need.
    named = lambda name: f"CONSTRAINT {name} " if postgresql else ""  # noqa: E731
    for table in IMPORTED:
        op.execute(f"ALTER TABLE {table} ADD COLUMN import_batch_id INTEGER "
                   f"{named(f'fk_{table}_import_batch_id_import_batches')}"
                   "REFERENCES import_batches (id)")
        op.create_index(f"ix_{table}_import_batch_id", table, ["import_batch_id"])
    op.execute(f"ALTER TABLE customers ADD COLUMN archived_at {stamp}")
    op.execute("ALTER TABLE customers ADD COLUMN merged_into_id INTEGER "
               f"{named('fk_customers_merged_into_id_customers')}"
               "REFERENCES customers (id)")
    op.create_index("ix_customers_archived_at", "customers", ["archived_at"])
    op.create_index("ix_customers_merged_into_id", "customers", ["merged_into_id"])
    op.create_table(
        "customer_events",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name="fk_customer_events_customer_id_customers",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"], name="fk_customer_events_operator_id_operators",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_customer_events"),
        sa.UniqueConstraint("uuid", name="uq_customer_events_uuid"),
    )
    op.create_index("ix_customer_events_customer_id", "customer_events", ["customer_id"])
    if postgresql:
        for column, length in (("uuid", 36), ("kind", 30), ("field", 40), ("old_value", None),
                               ("new_value", None), ("body", None)):
            op.execute(f"ALTER TABLE customer_events ALTER COLUMN {column} TYPE {_text(True, length)}")


def downgrade() -> None:
    op.drop_index("ix_customer_events_customer_id", table_name="customer_events")
    op.drop_table("customer_events")
    for name in ("ix_customers_archived_at", "ix_customers_merged_into_id"):
        op.drop_index(name, table_name="customers")
    for table in IMPORTED:
        op.drop_index(f"ix_{table}_import_batch_id", table_name=table)
    # A plain DROP COLUMN on both engines: SQLite drops a column whose own REFERENCES is its
    # only constraint, and a batch rebuild would lose the expression indexes.
    for column in ("archived_at", "merged_into_id"):
        op.execute(f"ALTER TABLE customers DROP COLUMN {column}")
    for table in IMPORTED:
        op.execute(f"ALTER TABLE {table} DROP COLUMN import_batch_id")
    op.drop_table("import_batches")
