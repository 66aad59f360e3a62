"""meter readings"""
import sqlalchemy as sa

from core.migrations.helpers import create_tenant_table, drop_tenant_table, moment

revision = '0004'
down_revision = '0003'


def upgrade():
    create_tenant_table(
        'meter_reading',
        sa.Column('supply_point_id', sa.Integer(), nullable=False),
        sa.Column('meter_serial', sa.String(length=64), nullable=False),
        sa.Column('register', sa.String(length=16), nullable=False),
        moment('read_at'),
        sa.Column('value', sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('reject_reason', sa.Text(), nullable=True),
        sa.Column('submission_key', sa.String(length=64), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        moment('created_at'),
        foreign_keys=[('supply_point_id', 'supply_point'), ('user_id', 'user_account', 'SET NULL')],
        unique={
            'uq_meter_reading_submission': ('tenant', 'submission_key', 'register'),
            'uq_meter_reading_backend_key': (
                'tenant', 'supply_point_id', 'meter_serial', 'register', 'read_at'),
        },
        indexes=('read_at', 'supply_point_id', 'tenant', 'user_id'),
    )


def downgrade():
    drop_tenant_table('meter_reading', 'user_id', 'tenant', 'supply_point_id', 'read_at')
