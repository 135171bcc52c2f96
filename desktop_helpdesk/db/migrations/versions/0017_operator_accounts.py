"""Operators' accounts: a user name to sign in with, a password (on a local file), a team,
and the count of failed sign-ins

- `operators.login`: the user name typed at sign-in (unique; on the team server it is the
  operator's PostgreSQL login role, which holds the password).
- `operators.password_hash`: an argon2id hash (local file only; NULL on the team server,
  whose roles keep their own passwords, and for operators who have not had one set yet).
- `operators.team`: the group a lead sees as "My team".
- `operators.failed_sign_ins`, `operators.last_failed_at`: wrong passwords in a row, to slow
  the next attempt; `operators.signed_in_at`: the last good sign-in.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _text(postgresql: bool, length: int) -> str:
    return f'varchar({length}) COLLATE "C"' if postgresql else f"VARCHAR({length})"


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    stamp = "timestamp without time zone" if postgresql else "DATETIME"
    # Plain ADD COLUMN on both engines (no batch rebuild of the table).
    op.execute(f"ALTER TABLE operators ADD COLUMN login {_text(postgresql, 63)}")
    op.execute(f"ALTER TABLE operators ADD COLUMN password_hash {_text(postgresql, 200)}")
    op.execute(f"ALTER TABLE operators ADD COLUMN team {_text(postgresql, 60)}")
    op.execute("ALTER TABLE operators ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0")
    op.execute(f"ALTER TABLE operators ADD COLUMN last_failed_at {stamp}")
    op.execute(f"ALTER TABLE operators ADD COLUMN signed_in_at {stamp}")
    op.create_index("uq_operators_login", "operators", ["login"], unique=True)
    op.create_index("ix_operators_team", "operators", ["team"])


def downgrade() -> None:
    op.drop_index("ix_operators_team", table_name="operators")
    op.drop_index("uq_operators_login", table_name="operators")
    for column in ("signed_in_at", "last_failed_at", "failed_sign_ins", "team", "password_hash", "login"):
        op.execute(f"ALTER TABLE operators DROP COLUMN {column}")
