"""api idempotency keys; a rejected meter reading makes way for its correction"""
from alembic import op
import sqlalchemy as sa

from core.migrations.helpers import create_tenant_table, drop_tenant_table, moment

revision = '0011'
down_revision = '0010'

MOMENT = ['tenant', 'supply_point_id', 'meter_serial', 'register', 'read_at']
COUNTS = sa.text("status != 'rejected'")


def upgrade():
    create_tenant_table(
        'api_idempotency_key',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        moment('created_at'),
        foreign_keys=[('user_id', 'user_account', 'CASCADE')],
        unique={'uq_api_idempotency_key_hash': ('tenant', 'key_hash')},
        indexes=('tenant', 'user_id'),
    )
    with op.batch_alter_table('meter_reading', schema=None) as batch_op:
        batch_op.drop_constraint('uq_meter_reading_backend_key', type_='unique')
        batch_op.create_index('uq_meter_reading_moment', MOMENT, unique=True,
                              sqlite_where=COUNTS, postgresql_where=COUNTS)


def downgrade():
    with op.batch_alter_table('meter_reading', schema=None) as batch_op:
        batch_op.drop_index('uq_meter_reading_moment')
        batch_op.create_unique_constraint('uq_meter_reading_backend_key', MOMENT)

    drop_tenant_table('api_idempotency_key', 'user_id', 'tenant')
