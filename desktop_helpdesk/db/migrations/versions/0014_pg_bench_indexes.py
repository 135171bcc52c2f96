"""PostgreSQL: the list sort indexes end with the id, as SQLite's do by nature

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08

Every list is a keyset page ordered by (sort key, id). An SQLite index ends with the rowid,
so its index on the sort key is an index on (key, id) and a page is read in index order,
stopping after 201 rows. A PostgreSQL index on the key alone leaves equal keys unordered for
the planner: it sorts every matching row (the open tickets sorted by priority: 210 ms, by
status 450 ms; benchmarks/README.md, "Both engines"). PostgreSQL only: beside each sort index
of the models, one on (key, id) named `<index>_keyset` (not in the models, like the trigram
indexes of 0010: the models' indexes stay as they are on both engines). On SQLite nothing
changes.
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

#: (old index, new index, table, key expression): the sort keys of db/repositories (SORTS).
SORT_INDEXES = (
    ("ix_tickets_subject", "ix_tickets_subject_keyset", "tickets", "subject"),
    ("ix_tickets_request_type", "ix_tickets_request_type_keyset", "tickets", "request_type"),
    ("ix_tickets_channel", "ix_tickets_channel_keyset", "tickets", "channel"),
    ("ix_tickets_priority", "ix_tickets_priority_keyset", "tickets", "priority"),
    ("ix_tickets_status", "ix_tickets_status_keyset", "tickets", "status"),
    ("ix_tickets_coverage_sort", "ix_tickets_coverage_sort_keyset", "tickets", "(COALESCE(coverage, ''))"),
    ("ix_tickets_next_due_sort", "ix_tickets_next_due_sort_keyset", "tickets",
     "(COALESCE(next_due_at, '9999-12-31 00:00:00'::timestamp))"),
    ("ix_customers_kind", "ix_customers_kind_keyset", "customers", "kind"),
    ("ix_customers_sort_name", "ix_customers_sort_name_keyset", "customers", "sort_name"),
    ("ix_customers_tax_code_sort", "ix_customers_tax_code_sort_keyset", "customers", "(COALESCE(tax_code, ''))"),
    ("ix_customers_phone_sort", "ix_customers_phone_sort_keyset", "customers", "(COALESCE(phone, ''))"),
    ("ix_customers_province_sort", "ix_customers_province_sort_keyset", "customers", "(COALESCE(province, ''))"),
    ("ix_contracts_stage", "ix_contracts_stage_keyset", "contracts", "stage"),
    ("ix_contracts_package_id", "ix_contracts_package_id_keyset", "contracts", "package_id"),
    ("ix_contracts_value_vnd", "ix_contracts_value_vnd_keyset", "contracts", "value_vnd"),
    ("ix_contracts_signed_on_sort", "ix_contracts_signed_on_sort_keyset", "contracts",
     "(COALESCE(signed_on, '0001-01-01'::date))"),
    ("ix_contracts_accepted_on_sort", "ix_contracts_accepted_on_sort_keyset", "contracts",
     "(COALESCE(accepted_on, '0001-01-01'::date))"),
    ("ix_contracts_warranty_end_sort", "ix_contracts_warranty_end_sort_keyset", "contracts",
     "(COALESCE(warranty_end, '0001-01-01'::date))"),
    ("ix_contracts_maintenance_end_sort", "ix_contracts_maintenance_end_sort_keyset", "contracts",
     "(COALESCE(maintenance_end, '0001-01-01'::date))"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for old, new, table, key in SORT_INDEXES:
        op.execute(f"CREATE INDEX {new} ON {table} ({key}, id)")
    for table in ("tickets", "customers", "contracts"):
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for _old, new, _table, _key in SORT_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {new}")
