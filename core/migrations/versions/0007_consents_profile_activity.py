"""consents profile activity

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('customer_profile',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('street', sa.String(length=255), nullable=True),
    sa.Column('postcode', sa.String(length=16), nullable=True),
    sa.Column('city', sa.String(length=128), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_customer_profile_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_customer_profile'))
    )
    with op.batch_alter_table('customer_profile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_profile_tenant'), ['tenant'], unique=False)

    op.create_table('consent_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('supplier_reference', sa.String(length=64), nullable=True),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['billing_account.id'], name=op.f('fk_consent_event_account_id_billing_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_consent_event_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_event'))
    )
    with op.batch_alter_table('consent_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_event_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_event_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_event_tenant'), ['tenant'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_event_user_id'), ['user_id'], unique=False)

    op.create_table('contact_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('supplier_reference', sa.String(length=64), nullable=True),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['billing_account.id'], name=op.f('fk_contact_update_account_id_billing_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_contact_update_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_update'))
    )
    with op.batch_alter_table('contact_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_update_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_update_tenant'), ['tenant'], unique=False)
        batch_op.create_index(batch_op.f('ix_contact_update_user_id'), ['user_id'], unique=False)

    op.create_table('activity_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_activity_event_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_event'))
    )
    with op.batch_alter_table('activity_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_event_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_event_tenant'), ['tenant'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_event_user_id'), ['user_id'], unique=False)


def downgrade():
    for table, indexes in (
        ('activity_event', ('user_id', 'tenant', 'created_at')),
        ('contact_update', ('user_id', 'tenant', 'account_id')),
        ('consent_event', ('user_id', 'tenant', 'created_at', 'account_id')),
        ('customer_profile', ('tenant',)),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in indexes:
                batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)
