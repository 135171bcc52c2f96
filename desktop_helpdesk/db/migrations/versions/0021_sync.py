"""The field laptop's sync with the team server (issue #15)

- `sync_devices`: each laptop's last applied device sequence number (a batch sent again after
  a lost reply changes nothing).
- `sync_conflicts`: a laptop's change the server kept its own value against, for a person.
- `sync_log`: the server's last change of each synced record by the writing transaction's id,
  and deletions (tombstones). On PostgreSQL statement-level triggers on every synced table
  fill it, whatever wrote (a desk, an import, psql); on a SQLite file it stays empty (a local
  file is not a team server).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

#: The tables synced at this revision (later migrations add theirs: db/sync.SYNCED grows).
SYNCED_0021 = ("operators", "packages", "calendar_exceptions", "app_meta", "customers", "contacts",
               "verification_questions", "contracts", "payments", "obligations", "tickets",
               "ticket_events", "contract_events", "customer_events")


def upgrade() -> None:
    from desktop_helpdesk.db.models import UTCDateTime

    op.create_table(
        "sync_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_sync_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"], name=op.f("fk_sync_devices_operator_id_operators")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_devices")),
        sa.UniqueConstraint("device_id", name=op.f("uq_sync_devices_device_id")),
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_uuid", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=True),
        sa.Column("base", sa.Text(), nullable=True),
        sa.Column("mine", sa.Text(), nullable=True),
        sa.Column("theirs", sa.Text(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=120), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"], name=op.f("fk_sync_conflicts_operator_id_operators")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflicts")),
        sa.UniqueConstraint("uuid", name=op.f("uq_sync_conflicts_uuid")),
    )
    op.create_index(op.f("ix_sync_conflicts_device_id"), "sync_conflicts", ["device_id"])
    op.create_index(op.f("ix_sync_conflicts_entity_uuid"), "sync_conflicts", ["entity_uuid"])
    op.create_table(
        "sync_log",
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_uuid", sa.String(length=60), nullable=False),
        sa.Column("xid", sa.BigInteger(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("entity", "entity_uuid", name=op.f("pk_sync_log")),
    )
    op.create_index(op.f("ix_sync_log_xid"), "sync_log", ["xid"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from desktop_helpdesk.db import sync

        sync.install_server_log(bind, SYNCED_0021)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from desktop_helpdesk.db import sync

        sync.uninstall_server_log(bind, SYNCED_0021)
    op.drop_index(op.f("ix_sync_log_xid"), table_name="sync_log")
    op.drop_table("sync_log")
    op.drop_index(op.f("ix_sync_conflicts_entity_uuid"), table_name="sync_conflicts")
    op.drop_index(op.f("ix_sync_conflicts_device_id"), table_name="sync_conflicts")
    op.drop_table("sync_conflicts")
    op.drop_table("sync_devices")
