"""notifications"""
from alembic import op
import sqlalchemy as sa

from core.migrations.helpers import create_tenant_table, moment

revision = '0009'
down_revision = '0008'

OF_A_CUSTOMER = ('user_id', 'user_account', 'CASCADE')
OF_A_SUPPLY_POINT = ('supply_point_id', 'supply_point', 'CASCADE')


def _channel_columns():
    """Who is told what about which supply point, and how."""
    return [
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('supply_point_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('channel', sa.String(length=32), nullable=False),
    ]


def upgrade():
    create_tenant_table(
        'notification_preference',
        *_channel_columns(),
        moment('created_at'),
        foreign_keys=[OF_A_SUPPLY_POINT, OF_A_CUSTOMER],
        unique={'uq_notification_preference': ('tenant', 'user_id', 'supply_point_id', 'kind', 'channel')},
        indexes=('supply_point_id', 'tenant', 'user_id'),
    )
    create_tenant_table(
        'notification_contact',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=True),
        moment('updated_at'),
        foreign_keys=[OF_A_CUSTOMER],
        unique={'uq_notification_contact_user': ('tenant', 'user_id')},
        indexes=('tenant', 'user_id'),
    )
    create_tenant_table(
        'sent_notification',
        *_channel_columns(),
        sa.Column('event_key', sa.String(length=160), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        moment('sent_at'),
        foreign_keys=[OF_A_SUPPLY_POINT, OF_A_CUSTOMER],
        unique={
            'uq_sent_notification': ('tenant', 'user_id', 'supply_point_id', 'kind', 'channel', 'event_key')},
        indexes=('supply_point_id', 'tenant', 'user_id'),
    )
    create_tenant_table(
        'maintenance_window',
        moment('starts_at'),
        moment('ends_at'),
        moment('announce_from'),
        sa.Column('note', sa.Text(), nullable=True),
        moment('created_at'),
        indexes=('announce_from', 'ends_at', 'starts_at', 'tenant'),
    )


def downgrade():
    op.drop_table('maintenance_window')
    op.drop_table('sent_notification')
    op.drop_table('notification_contact')
    op.drop_table('notification_preference')
