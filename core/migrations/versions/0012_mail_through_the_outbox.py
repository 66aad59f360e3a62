"""mail through the outbox

Mail is stored with the write that causes it and sent after commit by the outbox; the
demo mailbox reads the same table (captured_mail held only demo mail). The relay's
questions (which pending messages come first, which is the oldest waiting message of a
key) get partial indexes.
"""
from alembic import op
import sqlalchemy as sa

from core.migrations.helpers import create_tenant_table, drop_tenant_table, mail_columns, moment

revision = '0012'
down_revision = '0011'


def upgrade():
    create_tenant_table(
        'mail_message',
        *mail_columns(),
        sa.Column('mailbox', sa.String(length=64), nullable=True),
        moment('created_at'),
        moment('sent_at', nullable=True),
        indexes=('mailbox', 'recipient', 'tenant'),
    )
    drop_tenant_table('captured_mail', 'tenant', 'recipient')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_due', ['tenant', 'id'], unique=False,
                              postgresql_where=sa.text("status = 'pending'"),
                              sqlite_where=sa.text("status = 'pending'"))
        batch_op.create_index('ix_outbox_message_waiting', ['tenant', 'ordering_key', 'id'], unique=False,
                              postgresql_where=sa.text("status IN ('pending', 'parked')"),
                              sqlite_where=sa.text("status IN ('pending', 'parked')"))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_waiting')
        batch_op.drop_index('ix_outbox_message_due')
    create_tenant_table(
        'captured_mail',
        *mail_columns(),
        sa.Column('html_body', sa.Text(), nullable=True),
        moment('created_at'),
        indexes=('recipient', 'tenant'),
    )
    drop_tenant_table('mail_message', 'tenant', 'recipient', 'mailbox')
