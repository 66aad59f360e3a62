"""mail through the outbox

Mail is stored with the write that causes it and sent after commit by the outbox; the
demo mailbox reads the same table (captured_mail held only demo mail). The relay's
questions (which pending messages come first, which is the oldest waiting message of a
key) get partial indexes.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender', sa.String(length=254), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('mailbox', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_message'))
    )
    with op.batch_alter_table('mail_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_message_mailbox'), ['mailbox'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_message_recipient'), ['recipient'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_message_tenant'), ['tenant'], unique=False)
    with op.batch_alter_table('captured_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_captured_mail_tenant'))
        batch_op.drop_index(batch_op.f('ix_captured_mail_recipient'))
    op.drop_table('captured_mail')
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
    op.create_table('captured_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender', sa.String(length=254), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_captured_mail'))
    )
    with op.batch_alter_table('captured_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_captured_mail_recipient'), ['recipient'], unique=False)
        batch_op.create_index(batch_op.f('ix_captured_mail_tenant'), ['tenant'], unique=False)
    with op.batch_alter_table('mail_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_message_tenant'))
        batch_op.drop_index(batch_op.f('ix_mail_message_recipient'))
        batch_op.drop_index(batch_op.f('ix_mail_message_mailbox'))
    op.drop_table('mail_message')
