"""Entitlement as the seeds say (issue #16): early termination, payment schedules, the
maintenance customers' queue rank, change requests

- `contracts.termination_reason`: why a contract ended before its term (its date is
  `ended_on`); coverage ends on that day.
- `contract_instalments`: a contract's payment schedule (due date, amount in whole VND); only
  instalments past their due date are debt. Rows travel by `uuid` (offline sync).
- `obligations.cancelled_on`: an obligation that stopped because its contract ended before
  it fell due (told apart from one carried out, whose `done_on` alone is set).
- `tickets.queue_rank`: the default order of the ticket lists, '1' (a maintenance customer
  whose package gives priority, seed 004) or '0', then the received time as sortable text;
  read descending: priority first, newest first. Existing tickets get '0' + received_at.
- `change_requests`: a change-request ticket's written request, quote (whole VND) and the
  customer's approval date (seed 001), one row per ticket, updated in place; its changes go
  to the ticket's history. On the team server staff may not delete one (nobody does).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def _row_columns():
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("contracts", sa.Column("termination_reason", sa.Text(), nullable=True))
    op.add_column("obligations", sa.Column("cancelled_on", sa.Date(), nullable=True))
    op.add_column("tickets", sa.Column("queue_rank", sa.String(length=40), nullable=True))
    if bind.dialect.name == "sqlite":
        # received_at is stored as 'YYYY-MM-DD HH:MM:SS.ffffff' text: it sorts as it is.
        op.execute("UPDATE tickets SET queue_rank = '0' || received_at")
    else:
        op.execute("UPDATE tickets SET queue_rank = '0' || to_char(received_at, 'YYYY-MM-DD HH24:MI:SS.US')")
    # As the other list sorts (0002): on coalesce(rank, ''). The rank ends with the received
    # time to the microsecond, nearly unique as received_at (no (key, id) index needed, 0014).
    op.create_index("ix_tickets_queue_rank_sort", "tickets",
                    [sa.func.coalesce(sa.literal_column("queue_rank"), sa.literal_column("''"))])

    op.create_table(
        "contract_instalments",
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        *_row_columns(),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"],
                                name=op.f("fk_contract_instalments_contract_id_contracts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_instalments")),
        sa.UniqueConstraint("uuid", name=op.f("uq_contract_instalments_uuid")),
    )
    op.create_index(op.f("ix_contract_instalments_contract_id"), "contract_instalments", ["contract_id"], unique=False)

    op.create_table(
        "change_requests",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("request_text", sa.Text(), nullable=False),
        sa.Column("quote_vnd", sa.BigInteger(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        *_row_columns(),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"],
                                name=op.f("fk_change_requests_ticket_id_tickets"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_requests")),
        sa.UniqueConstraint("uuid", name=op.f("uq_change_requests_uuid")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_change_requests_ticket_id")),
    )

    if bind.dialect.name == "postgresql":
        # Byte-order text, as every text column since 0010.
        for table, column, kind in (("contracts", "termination_reason", "text"), ("tickets", "queue_rank", "varchar(40)"),
                                    ("contract_instalments", "uuid", "varchar(36)"),
                                    ("contract_instalments", "updated_by", "varchar(120)"),
                                    ("change_requests", "uuid", "varchar(36)"),
                                    ("change_requests", "updated_by", "varchar(120)"),
                                    ("change_requests", "request_text", "text")):
            op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE {kind} COLLATE "C"')
        # The group roles got SELECT, INSERT, UPDATE, DELETE on these new tables through
        # ALTER DEFAULT PRIVILEGES (db/roles.py); a change request is evidence: no deletes.
        prefix = bind.execute(sa.text("SELECT value FROM app_meta WHERE key = 'server.roles'")).scalar()
        if prefix:
            staff = '"' + f"{prefix}_staff".replace('"', '""') + '"'
            op.execute(f"REVOKE DELETE, TRUNCATE ON change_requests FROM {staff}")
            op.execute(f"REVOKE TRUNCATE ON contract_instalments FROM {staff}")
        # The field laptop's sync (0021) hears of every instalment and change request written.
        from desktop_helpdesk.db import sync

        sync.install_server_log(bind, ("contract_instalments", "change_requests"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from desktop_helpdesk.db import sync

        sync.uninstall_server_log(op.get_bind(), ("contract_instalments", "change_requests"), drop_function=False)
    op.drop_table("change_requests")
    op.drop_index(op.f("ix_contract_instalments_contract_id"), table_name="contract_instalments")
    op.drop_table("contract_instalments")
    op.drop_index("ix_tickets_queue_rank_sort", table_name="tickets")
    op.execute("ALTER TABLE tickets DROP COLUMN queue_rank")
    op.execute("ALTER TABLE obligations DROP COLUMN cancelled_on")
    op.execute("ALTER TABLE contracts DROP COLUMN termination_reason")
