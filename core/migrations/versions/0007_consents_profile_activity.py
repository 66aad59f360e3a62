"""consents profile activity"""
import sqlalchemy as sa

from core.migrations.helpers import create_tenant_table, drop_tenant_table, moment, outbox_state_columns

revision = '0007'
down_revision = '0006'

WRITTEN_BY = ('user_id', 'user_account', 'SET NULL')


def upgrade():
    create_tenant_table(
        'customer_profile',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=True),
        sa.Column('street', sa.String(length=255), nullable=True),
        sa.Column('postcode', sa.String(length=16), nullable=True),
        sa.Column('city', sa.String(length=128), nullable=True),
        sa.Column('country', sa.String(length=2), nullable=True),
        moment('updated_at'),
        primary_key='user_id',
        foreign_keys=[('user_id', 'user_account', 'CASCADE')],
    )
    create_tenant_table(
        'consent_event',
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('account_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('granted', sa.Boolean(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        *outbox_state_columns(),
        moment('created_at'),
        foreign_keys=[('account_id', 'billing_account'), WRITTEN_BY],
        indexes=('account_id', 'created_at', 'tenant', 'user_id'),
    )
    create_tenant_table(
        'contact_update',
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        *outbox_state_columns(),
        moment('created_at'),
        foreign_keys=[('account_id', 'billing_account'), WRITTEN_BY],
        indexes=('account_id', 'tenant', 'user_id'),
    )
    create_tenant_table(
        'activity_event',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('ip_address', sa.String(length=45), nullable=True),
        sa.Column('user_agent', sa.String(length=255), nullable=True),
        moment('created_at'),
        foreign_keys=[('user_id', 'user_account', 'CASCADE')],
        indexes=('created_at', 'tenant', 'user_id'),
    )


def downgrade():
    drop_tenant_table('activity_event', 'user_id', 'tenant', 'created_at')
    drop_tenant_table('contact_update', 'user_id', 'tenant', 'account_id')
    drop_tenant_table('consent_event', 'user_id', 'tenant', 'created_at', 'account_id')
    drop_tenant_table('customer_profile', 'tenant')
