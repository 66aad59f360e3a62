"""What the migrations in versions/ share: the columns and indexes of a tenant's table.

Every table the portal keeps for a tenant has an integer key `id` (unless it names
another), a `tenant` column after its own columns, and an index on `tenant`; constraint
and index names follow the naming convention of `core.models.database`. A migration that
has run must create the same schema for ever: change nothing here that a migration uses
(add a new helper instead), and check with `portal db check` that autogenerate finds no
difference.
"""
from alembic import op
import sqlalchemy as sa


def id_column():
    """The integer primary key column `id`."""
    return sa.Column('id', sa.Integer(), nullable=False)


def tenant_column():
    """The column naming the tenant a row belongs to."""
    return sa.Column('tenant', sa.String(length=64), nullable=False)


def moment(name, nullable=False):
    """A timestamp column with its time zone."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def outbox_state_columns():
    """What a write that reaches the back-end through the outbox keeps of its fate."""
    return [
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('supplier_reference', sa.String(length=64), nullable=True),
        sa.Column('reject_reason', sa.Text(), nullable=True),
    ]


def mail_columns():
    """The envelope and text of a mail message, as the mail tables keep them."""
    return [
        sa.Column('sender', sa.String(length=254), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('text_body', sa.Text(), nullable=False),
    ]


def references(table, column, target, ondelete=None):
    """A foreign key from `table.column` to `target.id`, named by the convention."""
    return sa.ForeignKeyConstraint(
        [column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'), ondelete=ondelete)


def create_tenant_table(name, *columns, primary_key='id', foreign_keys=(), unique=(), indexes=('tenant',)):
    """Create a tenant's table and its indexes, in the order autogenerate writes them.

    `columns` come after `id` (when it is the primary key) and before `tenant`;
    `foreign_keys` are `(column, target)` or `(column, target, ondelete)`; `unique` holds
    tuples of column names (named by the convention) or maps a constraint's own name to
    its columns; `indexes` are the columns indexed one by one, in the order given.
    """
    key_columns = [id_column()] if primary_key == 'id' else []
    constraints = [references(name, *foreign_key) for foreign_key in foreign_keys]
    constraints.append(sa.PrimaryKeyConstraint(primary_key, name=op.f(f'pk_{name}')))
    if isinstance(unique, dict):
        constraints += [sa.UniqueConstraint(*columns, name=key) for key, columns in unique.items()]
    else:
        constraints += [sa.UniqueConstraint(*columns, name=op.f(f"uq_{name}_{'_'.join(columns)}"))
                        for columns in unique]
    op.create_table(name, *key_columns, *columns, tenant_column(), *constraints)
    create_indexes(name, *indexes)


def create_indexes(table, *columns):
    """Index each of `columns` of `table` on its own, named by the convention."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def drop_indexes(table, *columns):
    """Drop the indexes `create_indexes` made on `columns`, in the order given."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))


def drop_tenant_table(name, *indexed_columns):
    """Drop the indexes on `indexed_columns` in the order given, then the table."""
    drop_indexes(name, *indexed_columns)
    op.drop_table(name)
