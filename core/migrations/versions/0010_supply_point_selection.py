"""supply point selection

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supply_point_selection',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('supply_point_id', sa.Integer(), nullable=False),
    sa.Column('chosen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['supply_point_id'], ['supply_point.id'], name=op.f('fk_supply_point_selection_supply_point_id_supply_point'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_supply_point_selection_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_supply_point_selection'))
    )
    with op.batch_alter_table('supply_point_selection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supply_point_selection_supply_point_id'), ['supply_point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supply_point_selection_tenant'), ['tenant'], unique=False)


def downgrade():
    with op.batch_alter_table('supply_point_selection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supply_point_selection_tenant'))
        batch_op.drop_index(batch_op.f('ix_supply_point_selection_supply_point_id'))

    op.drop_table('supply_point_selection')
