"""supply point selection"""
import sqlalchemy as sa

from core.migrations.helpers import create_tenant_table, drop_tenant_table, moment

revision = '0010'
down_revision = '0009'


def upgrade():
    create_tenant_table(
        'supply_point_selection',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('supply_point_id', sa.Integer(), nullable=False),
        moment('chosen_at'),
        primary_key='user_id',
        foreign_keys=[('supply_point_id', 'supply_point', 'CASCADE'), ('user_id', 'user_account', 'CASCADE')],
        indexes=('supply_point_id', 'tenant'),
    )


def downgrade():
    drop_tenant_table('supply_point_selection', 'tenant', 'supply_point_id')
