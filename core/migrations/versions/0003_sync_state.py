"""sync state"""
import sqlalchemy as sa

from core.migrations.helpers import create_tenant_table, drop_tenant_table, moment

revision = '0003'
down_revision = '0002'


def upgrade():
    create_tenant_table(
        'sync_state',
        sa.Column('cursor', sa.String(length=128), nullable=True),
        moment('last_attempt_at', nullable=True),
        moment('last_success_at', nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        unique=[('tenant',)],
    )


def downgrade():
    drop_tenant_table('sync_state', 'tenant')
