"""payments"""
import sqlalchemy as sa

from core.migrations.helpers import create_tenant_table, drop_tenant_table, moment, outbox_state_columns

revision = '0006'
down_revision = '0005'


def upgrade():
    create_tenant_table(
        'payment_intent',
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('invoice_number', sa.String(length=64), nullable=True),
        sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('provider', sa.String(length=32), nullable=False),
        sa.Column('transaction_id', sa.String(length=128), nullable=True),
        *outbox_state_columns(),
        moment('created_at'),
        moment('paid_at', nullable=True),
        foreign_keys=[('account_id', 'billing_account'), ('user_id', 'user_account', 'SET NULL')],
        unique={
            'uq_payment_intent_token': ('tenant', 'token'),
            'uq_payment_intent_transaction': ('tenant', 'provider', 'transaction_id'),
        },
        indexes=('account_id', 'tenant', 'user_id'),
    )


def downgrade():
    drop_tenant_table('payment_intent', 'user_id', 'tenant', 'account_id')
