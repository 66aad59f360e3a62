"""notifications

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('supply_point_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['supply_point_id'], ['supply_point.id'], name=op.f('fk_notification_preference_supply_point_id_supply_point'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_preference_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preference')),
    sa.UniqueConstraint('tenant', 'user_id', 'supply_point_id', 'kind', 'channel', name='uq_notification_preference')
    )
    with op.batch_alter_table('notification_preference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_preference_supply_point_id'), ['supply_point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_preference_tenant'), ['tenant'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_preference_user_id'), ['user_id'], unique=False)

    op.create_table('notification_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_contact_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_contact')),
    sa.UniqueConstraint('tenant', 'user_id', name='uq_notification_contact_user')
    )
    with op.batch_alter_table('notification_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_contact_tenant'), ['tenant'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_contact_user_id'), ['user_id'], unique=False)

    op.create_table('sent_notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('supply_point_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('event_key', sa.String(length=160), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['supply_point_id'], ['supply_point.id'], name=op.f('fk_sent_notification_supply_point_id_supply_point'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sent_notification_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_notification')),
    sa.UniqueConstraint('tenant', 'user_id', 'supply_point_id', 'kind', 'channel', 'event_key', name='uq_sent_notification')
    )
    with op.batch_alter_table('sent_notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sent_notification_supply_point_id'), ['supply_point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sent_notification_tenant'), ['tenant'], unique=False)
        batch_op.create_index(batch_op.f('ix_sent_notification_user_id'), ['user_id'], unique=False)

    op.create_table('maintenance_window',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('announce_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenance_window'))
    )
    with op.batch_alter_table('maintenance_window', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maintenance_window_announce_from'), ['announce_from'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenance_window_ends_at'), ['ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenance_window_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenance_window_tenant'), ['tenant'], unique=False)


def downgrade():
    op.drop_table('maintenance_window')
    op.drop_table('sent_notification')
    op.drop_table('notification_contact')
    op.drop_table('notification_preference')
