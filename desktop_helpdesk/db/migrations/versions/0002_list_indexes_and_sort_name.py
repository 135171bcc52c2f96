"""Indexes that keep every list page fast at a million tickets; Vietnamese sort order for names

Measured in benchmarks/README.md ("Lists"): sorts on unindexed keys and per-customer counts
read whole tables. Each sort key gets an index in keyset order (an SQLite index ends with the
row id), expression indexes match the lists' coalesce() sort keys, and (customer_id, status)
makes the open-ticket count index-only. customers.sort_name holds domain.text.sort_text(name).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_CONTRACT_DATES = ("signed_on", "accepted_on", "warranty_end", "maintenance_end")


def _coalesce(column: str, default: str):
    return sa.func.coalesce(sa.literal_column(column), sa.literal_column(default))


def upgrade() -> None:
    # A plain ADD COLUMN: a batch rebuild of customers would drop the table under its
    # contacts' ON DELETE CASCADE foreign key.
    op.add_column("customers", sa.Column("sort_name", sa.Text(), nullable=False, server_default=""))
    _fill_sort_names()
    op.create_index("ix_customers_sort_name", "customers", ["sort_name"])
    op.create_index("ix_customers_kind", "customers", ["kind"])
    for column in ("tax_code", "phone", "province"):
        op.create_index(f"ix_customers_{column}_sort", "customers", [_coalesce(column, "''")])
    op.create_index("ix_packages_name", "packages", ["name"])
    op.create_index("ix_contracts_value_vnd", "contracts", ["value_vnd"])
    for column in _CONTRACT_DATES:
        op.create_index(f"ix_contracts_{column}_sort", "contracts", [_coalesce(column, "'0001-01-01'")])
    op.create_index("ix_tickets_customer_id_status", "tickets", ["customer_id", "status"])
    op.drop_index("ix_tickets_customer_id", "tickets")
    for column in ("subject", "request_type", "channel", "priority"):
        op.create_index(f"ix_tickets_{column}", "tickets", [column])
    op.create_index("ix_tickets_coverage_sort", "tickets", [_coalesce("coverage", "''")])


def _fill_sort_names() -> None:
    from desktop_helpdesk.domain.text import sort_text

    conn = op.get_bind()
    customers = sa.table("customers", sa.column("id"), sa.column("name"), sa.column("sort_name"))
    rows = conn.execute(sa.select(customers.c.id, customers.c.name)).all()
    if rows:
        conn.execute(
            customers.update().where(customers.c.id == sa.bindparam("row_id")).values(sort_name=sa.bindparam("key")),
            [{"row_id": r.id, "key": sort_text(r.name)} for r in rows],
        )


def downgrade() -> None:
    op.drop_index("ix_tickets_coverage_sort", "tickets")
    for column in ("subject", "request_type", "channel", "priority"):
        op.drop_index(f"ix_tickets_{column}", "tickets")
    op.create_index("ix_tickets_customer_id", "tickets", ["customer_id"])
    op.drop_index("ix_tickets_customer_id_status", "tickets")
    for column in _CONTRACT_DATES:
        op.drop_index(f"ix_contracts_{column}_sort", "contracts")
    op.drop_index("ix_contracts_value_vnd", "contracts")
    op.drop_index("ix_packages_name", "packages")
    for column in ("tax_code", "phone", "province"):
        op.drop_index(f"ix_customers_{column}_sort", "customers")
    op.drop_index("ix_customers_kind", "customers")
    op.drop_index("ix_customers_sort_name", "customers")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("sort_name")
