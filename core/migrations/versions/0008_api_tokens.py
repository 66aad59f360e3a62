"""api tokens"""
import sqlalchemy as sa

from core.migrations.helpers import create_tenant_table, drop_tenant_table, moment

revision = '0008'
down_revision = '0007'


def upgrade():
    create_tenant_table(
        'api_token',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('hint', sa.String(length=16), nullable=False),
        moment('created_at'),
        moment('last_used_at', nullable=True),
        moment('revoked_at', nullable=True),
        foreign_keys=[('user_id', 'user_account', 'CASCADE')],
        unique=[('token_hash',)],
        indexes=('tenant', 'user_id'),
    )


def downgrade():
    drop_tenant_table('api_token', 'user_id', 'tenant')
