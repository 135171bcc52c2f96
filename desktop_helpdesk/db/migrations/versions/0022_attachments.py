"""Attachments on tickets, work-log entries, contracts and customers (issue #16)

- `attachment_contents`: the bytes of a file (BLOB / bytea), one row per distinct content
  (sha256 unique): a file attached twice is stored once.
- `attachments`: one row per file attached to a record (owner kind and id), naming its
  content, its file name, who added it and when; removing one marks it (`removed_at`,
  `removed_by_id`), never deletes it.

Both are append-only like the support history: triggers refuse a DELETE, and an UPDATE of
anything but an attachment's first removal mark, on both engines; on the team server staff
also have no DELETE right on either table and may UPDATE only the removal columns (the
default privileges of 0020 gave them all four rights on new tables). The history's author
trigger of 0020 sets `operator_id` from the server's session user.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

#: The columns of an attachment nobody changes once written.
GUARDED = ("id", "uuid", "owner_kind", "owner_id", "content_id", "file_name", "note", "operator_id", "added_at")
CONTENT_GUARDED = ("id", "uuid", "sha256", "size", "mime", "data", "created_at")
MESSAGE = "attachments are append-only"


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "attachment_contents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mime", sa.String(length=100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_attachment_contents"),
        sa.UniqueConstraint("uuid", name="uq_attachment_contents_uuid"),
        sa.UniqueConstraint("sha256", name="uq_attachment_contents_sha256"),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("owner_kind", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=260), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["content_id"], ["attachment_contents.id"],
                                name="fk_attachments_content_id_attachment_contents", ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"],
                                name="fk_attachments_operator_id_operators", ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["removed_by_id"], ["operators.id"],
                                name="fk_attachments_removed_by_id_operators", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
        sa.UniqueConstraint("uuid", name="uq_attachments_uuid"),
    )
    op.create_index("ix_attachments_owner", "attachments", ["owner_kind", "owner_id"])
    op.create_index("ix_attachments_content_id", "attachments", ["content_id"])
    if postgresql:
        _postgresql_guards()
    else:
        _sqlite_guards()


def _sqlite_guards() -> None:
    abort = f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    op.execute(f"CREATE TRIGGER attachments_append_only_update BEFORE UPDATE OF {', '.join(GUARDED)} "
               f"ON attachments {abort}")
    # The removal mark is set once: an attachment is never "un-removed" nor removed twice.
    op.execute("CREATE TRIGGER attachments_removed_once BEFORE UPDATE OF removed_at, removed_by_id ON attachments "
               f"WHEN OLD.removed_at IS NOT NULL {abort}")
    op.execute(f"CREATE TRIGGER attachments_append_only_delete BEFORE DELETE ON attachments {abort}")
    op.execute(f"CREATE TRIGGER attachment_contents_append_only_update BEFORE UPDATE OF {', '.join(CONTENT_GUARDED)} "
               f"ON attachment_contents {abort}")
    op.execute(f"CREATE TRIGGER attachment_contents_append_only_delete BEFORE DELETE ON attachment_contents {abort}")


def _postgresql_guards() -> None:
    for table in ("attachments", "attachment_contents"):  # byte-order text, as every text column since 0010
        op.execute(f'ALTER TABLE {table} ALTER COLUMN uuid TYPE varchar(36) COLLATE "C"')
    op.execute(f"""
        CREATE FUNCTION attachments_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
        END $$""")
    for table, guarded in (("attachments", GUARDED), ("attachment_contents", CONTENT_GUARDED)):
        old = ", ".join(f"OLD.{c}" for c in guarded)
        new = ", ".join(f"NEW.{c}" for c in guarded)
        when = f"(ROW({old})) IS DISTINCT FROM (ROW({new}))"
        if table == "attachments":
            when += " OR OLD.removed_at IS NOT NULL"
        op.execute(f"CREATE TRIGGER {table}_append_only_update BEFORE UPDATE ON {table} FOR EACH ROW "
                   f"WHEN ({when}) EXECUTE FUNCTION attachments_append_only()")
        op.execute(f"CREATE TRIGGER {table}_append_only_delete BEFORE DELETE ON {table} FOR EACH ROW "
                   "EXECUTE FUNCTION attachments_append_only()")
        op.execute(f"CREATE TRIGGER {table}_append_only_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION attachments_append_only()")
    from desktop_helpdesk.db import roles

    prefix = op.get_bind().execute(sa.text("SELECT value FROM app_meta WHERE key = :k"),
                                   {"k": roles.PREFIX_KEY}).scalar()
    if prefix:  # 0020 installed the group roles
        roles.install_attachments(op.get_bind(), prefix)
    # The field laptop's sync (0021) hears of every attachment written on the server.
    from desktop_helpdesk.db import sync

    sync.install_server_log(op.get_bind(), ("attachment_contents", "attachments"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from desktop_helpdesk.db import sync

        sync.uninstall_server_log(op.get_bind(), ("attachment_contents", "attachments"), drop_function=False)
        for table in ("attachments", "attachment_contents"):
            for suffix in ("update", "delete", "truncate"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_{suffix} ON {table}")
        op.execute("DROP TRIGGER IF EXISTS attachments_author ON attachments")
        op.execute("DROP FUNCTION IF EXISTS attachments_append_only()")
    else:
        for name in ("attachments_append_only_update", "attachments_removed_once", "attachments_append_only_delete",
                     "attachment_contents_append_only_update", "attachment_contents_append_only_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_attachments_content_id", table_name="attachments")
    op.drop_index("ix_attachments_owner", table_name="attachments")
    op.drop_table("attachments")
    op.drop_table("attachment_contents")
