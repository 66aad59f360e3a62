"""payments

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payment_intent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('invoice_number', sa.String(length=64), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('transaction_id', sa.String(length=128), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('supplier_reference', sa.String(length=64), nullable=True),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['billing_account.id'], name=op.f('fk_payment_intent_account_id_billing_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_payment_intent_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_intent')),
    sa.UniqueConstraint('tenant', 'token', name='uq_payment_intent_token'),
    sa.UniqueConstraint('tenant', 'provider', 'transaction_id', name='uq_payment_intent_transaction')
    )
    with op.batch_alter_table('payment_intent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_intent_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_intent_tenant'), ['tenant'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_intent_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('payment_intent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_intent_user_id'))
        batch_op.drop_index(batch_op.f('ix_payment_intent_tenant'))
        batch_op.drop_index(batch_op.f('ix_payment_intent_account_id'))

    op.drop_table('payment_intent')
