"""The team server's accounts: group roles whose rights the server enforces, and the
history's author taken from the server's session user (PostgreSQL only)

Each operator signs in to the team server as their own login role (File → Operators creates
it), a member of `<prefix>_staff`, `<prefix>_leads` or `<prefix>_admins` (see db/roles.py for
what each may write). The migration creates the three groups (when missing: they belong to the
whole server) and grants them their rights on this database; it needs a role with CREATEROLE
(the server's administrator running `desktop-helpdesk server upgrade`). Nothing changes on a
local file, where the services enforce the same rights.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from desktop_helpdesk.db import roles

    roles.install(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from desktop_helpdesk.db import roles

    roles.uninstall(bind)
