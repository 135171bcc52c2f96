"""Checks of callers' verification answers (issue #13): counted, so wrong answers are limited

- `verification_attempts`: one row per answer checked — the customer, the question, the
  operator, when, and whether it matched (NULL: refused without comparing, the customer
  having had too many wrong answers in the last hour). The wrong answers of the last hour
  are counted here, so the limit holds on every desk and after a restart; the rows are
  evidence of who checked what, and when (never the answer).

Answers already stored as PBKDF2 hashes stay as they are: each is replaced by an argon2id
hash after the next good answer (the answer is only known then).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "verification_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.Column("matched", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name="fk_verification_attempts_customer_id_customers", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["question_id"], ["verification_questions.id"],
                                name="fk_verification_attempts_question_id_verification_questions",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"],
                                name="fk_verification_attempts_operator_id_operators", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_verification_attempts"),
        sa.UniqueConstraint("uuid", name="uq_verification_attempts_uuid"),
    )
    op.create_index("ix_verification_attempts_customer_time", "verification_attempts",
                    ["customer_id", "attempted_at"])
    op.create_index("ix_verification_attempts_question_id", "verification_attempts", ["question_id"])
    if postgresql:  # byte-order text, as every text column since 0010
        op.execute('ALTER TABLE verification_attempts ALTER COLUMN uuid TYPE varchar(36) COLLATE "C"')


def downgrade() -> None:
    op.drop_index("ix_verification_attempts_question_id", table_name="verification_attempts")
    op.drop_index("ix_verification_attempts_customer_time", table_name="verification_attempts")
    op.drop_table("verification_attempts")
