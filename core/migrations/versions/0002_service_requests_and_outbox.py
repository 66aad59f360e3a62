"""service requests and outbox"""
import sqlalchemy as sa

from core.migrations.helpers import create_tenant_table, drop_tenant_table, moment, outbox_state_columns

revision = '0002'
down_revision = '0001'


def upgrade():
    create_tenant_table(
        'outbox_message',
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=96), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        moment('next_attempt_at'),
        sa.Column('last_error', sa.Text(), nullable=True),
        moment('created_at'),
        moment('delivered_at', nullable=True),
        unique=[('idempotency_key',)],
        indexes=('next_attempt_at', 'status', 'tenant'),
    )
    create_tenant_table(
        'service_request',
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('request_type', sa.String(length=64), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        *outbox_state_columns(),
        sa.Column('submission_key', sa.String(length=64), nullable=False),
        moment('created_at'),
        foreign_keys=[('account_id', 'billing_account'), ('user_id', 'user_account', 'SET NULL')],
        unique=[('tenant', 'submission_key')],
        indexes=('account_id', 'tenant', 'user_id'),
    )
    create_tenant_table(
        'service_request_event',
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        moment('created_at'),
        foreign_keys=[('request_id', 'service_request', 'CASCADE')],
        indexes=('request_id', 'tenant'),
    )


def downgrade():
    drop_tenant_table('service_request_event', 'tenant', 'request_id')
    drop_tenant_table('service_request', 'user_id', 'tenant', 'account_id')
    drop_tenant_table('outbox_message', 'tenant', 'status', 'next_attempt_at')
