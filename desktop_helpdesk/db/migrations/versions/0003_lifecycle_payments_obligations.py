"""contracts lifecycle payments obligations verification

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('verification_questions',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=300), nullable=False),
    sa.Column('answer_hash', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_verification_questions_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_questions')),
    sa.UniqueConstraint('uuid', name=op.f('uq_verification_questions_uuid'))
    )
    with op.batch_alter_table('verification_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_questions_customer_id'), ['customer_id'], unique=False)

    op.create_table('contract_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=True),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_contract_events_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_contract_events_operator_id_operators'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_events')),
    sa.UniqueConstraint('uuid', name=op.f('uq_contract_events_uuid'))
    )
    with op.batch_alter_table('contract_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_events_contract_id'), ['contract_id'], unique=False)

    op.create_table('obligations',
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('derived', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_obligations_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_obligations_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obligations')),
    sa.UniqueConstraint('uuid', name=op.f('uq_obligations_uuid'))
    )
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_obligations_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_obligations_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_obligations_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_obligations_kind'), ['kind'], unique=False)

    op.create_table('payments',
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount_vnd', sa.BigInteger(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('invoice_number', sa.String(length=40), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_payments_contract_id_contracts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('uuid', name=op.f('uq_payments_uuid'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_contract_id'), ['contract_id'], unique=False)

    # Plain ADD COLUMNs: a batch rebuild of contracts would drop the table under the
    # foreign keys that point at it.
    op.add_column('contracts', sa.Column('agreed_on', sa.Date(), nullable=True))
    op.add_column('contracts', sa.Column('implementation_started_on', sa.Date(), nullable=True))
    op.add_column('contracts', sa.Column('completed_on', sa.Date(), nullable=True))
    op.add_column('contracts', sa.Column('ended_on', sa.Date(), nullable=True))
    op.add_column('contracts', sa.Column('renewal_notice_days', sa.Integer(), nullable=False, server_default='30'))
    _derive_obligations()



def _derive_obligations() -> None:
    """Existing contracts get their warranty/maintenance/renewal/grace obligations."""
    import uuid
    from datetime import date, datetime, timezone

    from desktop_helpdesk.domain.obligations import obligations_for_contract

    conn = op.get_bind()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = conn.execute(sa.text(
        "SELECT id, customer_id, number, warranty_end, maintenance_end FROM contracts")).all()
    table = sa.table(
        "obligations", sa.column("uuid"), sa.column("created_at", sa.DateTime), sa.column("updated_at", sa.DateTime),
        sa.column("version"), sa.column("contract_id"), sa.column("customer_id"), sa.column("kind"),
        sa.column("due_on", sa.Date), sa.column("derived", sa.Boolean))
    values = []
    for contract_id, customer_id, number, w_end, m_end in rows:
        w_end = date.fromisoformat(w_end) if isinstance(w_end, str) else w_end
        m_end = date.fromisoformat(m_end) if isinstance(m_end, str) else m_end
        for o in obligations_for_contract(number, warranty_end=w_end, maintenance_end=m_end,
                                          contract_id=contract_id, customer_id=customer_id):
            values.append({"uuid": str(uuid.uuid4()), "created_at": now, "updated_at": now, "version": 1,
                           "contract_id": contract_id, "customer_id": customer_id, "kind": o.kind.value,
                           "due_on": o.due_on, "derived": True})
    if values:
        conn.execute(table.insert(), values)


def downgrade() -> None:
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_column('renewal_notice_days')
        batch_op.drop_column('ended_on')
        batch_op.drop_column('completed_on')
        batch_op.drop_column('implementation_started_on')
        batch_op.drop_column('agreed_on')

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_contract_id'))

    op.drop_table('payments')
    with op.batch_alter_table('obligations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_obligations_kind'))
        batch_op.drop_index(batch_op.f('ix_obligations_due_on'))
        batch_op.drop_index(batch_op.f('ix_obligations_customer_id'))
        batch_op.drop_index(batch_op.f('ix_obligations_contract_id'))

    op.drop_table('obligations')
    with op.batch_alter_table('contract_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_events_contract_id'))

    op.drop_table('contract_events')
    with op.batch_alter_table('verification_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_questions_customer_id'))

    op.drop_table('verification_questions')
