"""api idempotency keys; a rejected meter reading makes way for its correction

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

MOMENT = ['tenant', 'supply_point_id', 'meter_serial', 'register', 'read_at']
COUNTS = sa.text("status != 'rejected'")


def upgrade():
    op.create_table('api_idempotency_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_idempotency_key_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotency_key')),
    sa.UniqueConstraint('tenant', 'key_hash', name='uq_api_idempotency_key_hash')
    )
    with op.batch_alter_table('api_idempotency_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_idempotency_key_tenant'), ['tenant'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_idempotency_key_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('meter_reading', schema=None) as batch_op:
        batch_op.drop_constraint('uq_meter_reading_backend_key', type_='unique')
        batch_op.create_index('uq_meter_reading_moment', MOMENT, unique=True,
                              sqlite_where=COUNTS, postgresql_where=COUNTS)


def downgrade():
    with op.batch_alter_table('meter_reading', schema=None) as batch_op:
        batch_op.drop_index('uq_meter_reading_moment')
        batch_op.create_unique_constraint('uq_meter_reading_backend_key', MOMENT)

    with op.batch_alter_table('api_idempotency_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_idempotency_key_user_id'))
        batch_op.drop_index(batch_op.f('ix_api_idempotency_key_tenant'))

    op.drop_table('api_idempotency_key')
