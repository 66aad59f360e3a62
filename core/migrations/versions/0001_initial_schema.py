"""initial schema"""
import sqlalchemy as sa

from core.migrations.helpers import create_tenant_table, drop_tenant_table, mail_columns, moment

revision = '0001'
down_revision = None

MONEY = sa.Numeric(precision=14, scale=2)


def _address_columns():
    return [
        sa.Column('street', sa.String(length=255), nullable=False),
        sa.Column('postcode', sa.String(length=16), nullable=False),
        sa.Column('city', sa.String(length=128), nullable=False),
    ]


def upgrade():
    create_tenant_table(
        'billing_account',
        sa.Column('number', sa.String(length=64), nullable=False),
        sa.Column('holder_name', sa.String(length=255), nullable=False),
        *_address_columns(),
        sa.Column('balance_amount', MONEY, nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        moment('data_as_of'),
        unique=[('tenant', 'number')],
    )
    create_tenant_table(
        'captured_mail',
        *mail_columns(),
        sa.Column('html_body', sa.Text(), nullable=True),
        moment('created_at'),
        indexes=('recipient', 'tenant'),
    )
    create_tenant_table(
        'used_token',
        sa.Column('jti', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=32), nullable=False),
        moment('used_at'),
        primary_key='jti',
    )
    create_tenant_table(
        'user_account',
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('locale', sa.String(length=10), nullable=True),
        moment('created_at'),
        moment('activated_at', nullable=True),
        moment('last_login_at', nullable=True),
        sa.Column('terms_version', sa.String(length=32), nullable=False),
        moment('terms_accepted_at'),
        moment('password_changed_at'),
        unique=[('tenant', 'email')],
    )
    create_tenant_table(
        'account_link',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=32), nullable=False),
        moment('linked_at'),
        foreign_keys=[('account_id', 'billing_account'), ('user_id', 'user_account', 'CASCADE')],
        unique=[('account_id',)],
        indexes=('tenant', 'user_id'),
    )
    create_tenant_table(
        'invoice',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=64), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('gross_amount', MONEY, nullable=False),
        sa.Column('paid_amount', MONEY, nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('supply_point_identifier', sa.String(length=64), nullable=True),
        foreign_keys=[('account_id', 'billing_account')],
        unique=[('tenant', 'number')],
        indexes=('account_id', 'due_on', 'issued_on', 'tenant'),
    )
    create_tenant_table(
        'login_session',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        moment('created_at'),
        moment('last_seen_at'),
        sa.Column('user_agent', sa.String(length=255), nullable=True),
        foreign_keys=[('user_id', 'user_account', 'CASCADE')],
        unique=[('token_hash',)],
        indexes=('tenant', 'user_id'),
    )
    create_tenant_table(
        'payment',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=64), nullable=False),
        moment('booked_at'),
        sa.Column('amount', MONEY, nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('invoice_number', sa.String(length=64), nullable=True),
        sa.Column('method', sa.String(length=32), nullable=False),
        foreign_keys=[('account_id', 'billing_account')],
        unique=[('tenant', 'reference')],
        indexes=('account_id', 'booked_at', 'tenant'),
    )
    create_tenant_table(
        'supply_point',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('identifier', sa.String(length=64), nullable=False),
        sa.Column('commodity', sa.String(length=16), nullable=False),
        *_address_columns(),
        sa.Column('tariff', sa.String(length=32), nullable=False),
        sa.Column('contracted_power_kw', sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column('distribution_operator', sa.String(length=128), nullable=True),
        sa.Column('capabilities', sa.JSON(), nullable=False),
        foreign_keys=[('account_id', 'billing_account')],
        unique=[('tenant', 'identifier')],
        indexes=('account_id', 'tenant'),
    )
    create_tenant_table(
        'terms_acceptance',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.String(length=32), nullable=False),
        moment('accepted_at'),
        foreign_keys=[('user_id', 'user_account', 'CASCADE')],
        indexes=('tenant', 'user_id'),
    )
    create_tenant_table(
        'verification_attempt',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('account_key', sa.String(length=64), nullable=False),
        sa.Column('method', sa.String(length=32), nullable=False),
        sa.Column('succeeded', sa.Boolean(), nullable=False),
        moment('created_at'),
        foreign_keys=[('user_id', 'user_account', 'CASCADE')],
        indexes=('account_key', 'created_at', 'tenant', 'user_id'),
    )
    create_tenant_table(
        'meter',
        sa.Column('supply_point_id', sa.Integer(), nullable=False),
        sa.Column('serial_number', sa.String(length=64), nullable=False),
        sa.Column('registers', sa.JSON(), nullable=False),
        sa.Column('installed_on', sa.Date(), nullable=True),
        sa.Column('seal_number', sa.String(length=64), nullable=True),
        foreign_keys=[('supply_point_id', 'supply_point')],
        unique=[('tenant', 'supply_point_id', 'serial_number')],
        indexes=('supply_point_id', 'tenant'),
    )


def downgrade():
    drop_tenant_table('meter', 'tenant', 'supply_point_id')
    drop_tenant_table('verification_attempt', 'user_id', 'tenant', 'created_at', 'account_key')
    drop_tenant_table('terms_acceptance', 'user_id', 'tenant')
    drop_tenant_table('supply_point', 'tenant', 'account_id')
    drop_tenant_table('payment', 'tenant', 'booked_at', 'account_id')
    drop_tenant_table('login_session', 'user_id', 'tenant')
    drop_tenant_table('invoice', 'tenant', 'issued_on', 'due_on', 'account_id')
    drop_tenant_table('account_link', 'user_id', 'tenant')
    drop_tenant_table('user_account', 'tenant')
    drop_tenant_table('used_token', 'tenant')
    drop_tenant_table('captured_mail', 'tenant', 'recipient')
    drop_tenant_table('billing_account', 'tenant')
