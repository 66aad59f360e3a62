"""outbox ordering key"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ordering_key', sa.String(length=96), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_ordering_key'), ['ordering_key'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_ordering_key'))
        batch_op.drop_column('ordering_key')
