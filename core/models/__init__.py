"""The portal's own database: logins, and its copy of the supplier's billing data.

Every table that holds customer data carries its tenant (:class:`TenantScoped`).
Datetimes are stored in UTC and come back aware; money is ``Numeric`` plus a currency.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.billing.contract import Money
from core.models.database import Model
from core.models.tenant_scope import TenantScoped


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC: what every datetime column stores."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


AMOUNT = Numeric(14, 2, asdecimal=True)


class User(UserMixin, TenantScoped, Model):
    """A login of one tenant's portal: a customer, identified by e-mail address.

    A login reaches billing accounts only through its :attr:`links`.
    """

    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("tenant", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """Primary key."""
    email: Mapped[str] = mapped_column(String(254))
    """The login's e-mail address, lower case; unique per tenant."""
    password_hash: Mapped[str] = mapped_column(String(255))
    """The password's argon2 hash (check a password with ``check_password``)."""
    locale: Mapped[str | None] = mapped_column(String(10))
    """The language the customer chose (pages and mails), or ``None`` for the tenant's default."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    """When the login was registered."""
    activated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    """When the activation link was followed; ``None``: the login cannot sign in yet."""
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    """When the customer last signed in."""
    terms_version: Mapped[str] = mapped_column(String(32))
    """The version of the terms of service last accepted (``TERMS_VERSION``)."""
    terms_accepted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    """When that version was accepted."""
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    """When the password was last set (registration, reset or change)."""

    links: Mapped[list[AccountLink]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="AccountLink.id"
    )
    """The login's linked billing accounts, in the order they were linked."""

    if TYPE_CHECKING:  # apart from the value: the ORM would take an annotated attribute for a column
        login_session_token: str | None
    login_session_token = None
    """Set at sign-in and when a request loads the login: the server-side session this
    request belongs to (not stored on the row)."""

    @property
    def is_active(self) -> bool:
        """Flask-Login: only an activated login can sign in."""
        return self.activated_at is not None

    def get_id(self) -> str | None:
        """Flask-Login: the session token, so ending the session signs the browser out."""
        return self.login_session_token


class TermsAcceptance(TenantScoped, Model):
    """Each acceptance of a terms version, kept as the consent history."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(32))
    accepted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginSession(TenantScoped, Model):
    """A signed-in browser. Deleting the row ends the session whatever the cookie says."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship()


class UsedToken(TenantScoped, Model):
    """Single-use links (activation, reset): a token's id is recorded when used."""

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32))
    used_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class BillingAccount(TenantScoped, Model):
    """The portal's copy of a customer account in the supplier's billing system.

    Written by the sync from :class:`~core.billing.contract.AccountRecord`; the back-end
    stays the source of truth.
    """

    __table_args__ = (UniqueConstraint("tenant", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """Primary key (what ``owned`` and the ``account_id`` columns refer to)."""
    number: Mapped[str] = mapped_column(String(64))
    """The supplier's customer (account) number; unique per tenant."""
    holder_name: Mapped[str] = mapped_column(String(255))
    """The account holder's name."""
    street: Mapped[str] = mapped_column(String(255))
    """The holder's street and number."""
    postcode: Mapped[str] = mapped_column(String(16))
    """The holder's postcode."""
    city: Mapped[str] = mapped_column(String(128))
    """The holder's town."""
    balance_amount: Mapped[Decimal] = mapped_column(AMOUNT)
    """The balance: negative means the customer owes, positive is credit."""
    currency: Mapped[str] = mapped_column(String(3))
    """ISO 4217 currency of the balance."""
    data_as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    """When the copy was last brought up to date."""

    supply_points: Mapped[list[SupplyPoint]] = relationship(
        back_populates="account", order_by="SupplyPoint.identifier"
    )
    """The account's supply points, by identifier."""
    link: Mapped[AccountLink | None] = relationship(back_populates="account")
    """The link to the login that owns the account, or ``None``."""

    @property
    def balance(self) -> Money:
        """The balance as :class:`~core.billing.contract.Money`."""
        return Money(self.balance_amount, self.currency)


class AccountLink(TenantScoped, Model):
    """A billing account linked to a login after identity verification."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """Primary key; its order is the order in which the customer linked their accounts."""
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    """The login (:class:`User`)."""
    account_id: Mapped[int] = mapped_column(ForeignKey("billing_account.id"), unique=True)
    """The billing account; an account is linked to one login at most."""
    method: Mapped[str] = mapped_column(String(32))
    """The code of the identity method that proved it."""
    linked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    """When it was linked."""

    user: Mapped[User] = relationship(back_populates="links")
    """The login."""
    account: Mapped[BillingAccount] = relationship(back_populates="link")
    """The billing account."""


class SupplyPoint(TenantScoped, Model):
    """The portal's copy of a supply point (:class:`~core.billing.contract.SupplyPointRecord`).

    What hooks called for a supply point (``portal_reading_rules``,
    ``portal_supply_point_facts``, ...) receive.
    """

    __table_args__ = (UniqueConstraint("tenant", "identifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """Primary key."""
    account_id: Mapped[int] = mapped_column(ForeignKey("billing_account.id"), index=True)
    """The billing account it belongs to."""
    identifier: Mapped[str] = mapped_column(String(64))
    """The supply point's code (PPE, EAN, EIC, POD, PDR); unique per tenant."""
    commodity: Mapped[str] = mapped_column(String(16))
    """``"electricity"`` or ``"gas"`` (a :class:`~core.billing.contract.Commodity` value)."""
    street: Mapped[str] = mapped_column(String(255))
    """Street and number of the place supplied."""
    postcode: Mapped[str] = mapped_column(String(16))
    """Its postcode."""
    city: Mapped[str] = mapped_column(String(128))
    """Its town."""
    tariff: Mapped[str] = mapped_column(String(32))
    """The supplier's tariff code."""
    contracted_power_kw: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    """Contracted power in kW, where the supplier has one."""
    distribution_operator: Mapped[str | None] = mapped_column(String(128))
    """The network operator's name."""
    capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    """What this supply point allows (``"meter_readings"``: its operator takes readings
    from customers), as the back-end says."""

    account: Mapped[BillingAccount] = relationship(back_populates="supply_points")
    """The billing account."""
    meters: Mapped[list[Meter]] = relationship(
        back_populates="supply_point", order_by="Meter.serial_number", cascade="all, delete-orphan"
    )
    """The meters installed (``serial_number``, ``registers``, ``installed_on``,
    ``seal_number``), by serial number."""

    def has(self, capability: str) -> bool:
        """Whether the supply point has ``capability``."""
        return capability in (self.capabilities or [])


class Meter(TenantScoped, Model):
    __table_args__ = (UniqueConstraint("tenant", "supply_point_id", "serial_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supply_point_id: Mapped[int] = mapped_column(ForeignKey("supply_point.id"), index=True)
    serial_number: Mapped[str] = mapped_column(String(64))
    registers: Mapped[list[str]] = mapped_column(JSON, default=list)
    installed_on: Mapped[dt.date | None] = mapped_column(Date)
    seal_number: Mapped[str | None] = mapped_column(String(64))

    supply_point: Mapped[SupplyPoint] = relationship(back_populates="meters")


OPEN_INVOICE_STATUSES = ("unpaid", "overdue", "partially_paid")
"""Statuses of an invoice that still has something to pay."""


class Invoice(TenantScoped, Model):
    """The portal's copy of an invoice (:class:`~core.billing.contract.InvoiceRecord`)."""

    __table_args__ = (UniqueConstraint("tenant", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """Primary key."""
    account_id: Mapped[int] = mapped_column(ForeignKey("billing_account.id"), index=True)
    """The billing account invoiced."""
    number: Mapped[str] = mapped_column(String(64))
    """The supplier's invoice number; unique per tenant."""
    issued_on: Mapped[dt.date] = mapped_column(Date, index=True)
    """Date of issue."""
    period_start: Mapped[dt.date] = mapped_column(Date)
    """First day billed."""
    period_end: Mapped[dt.date] = mapped_column(Date)
    """Last day billed, inclusive."""
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    """Payment due date."""
    gross_amount: Mapped[Decimal] = mapped_column(AMOUNT)
    """Total with VAT."""
    paid_amount: Mapped[Decimal] = mapped_column(AMOUNT)
    """What has been paid of it."""
    currency: Mapped[str] = mapped_column(String(3))
    """ISO 4217 currency of both amounts."""
    status: Mapped[str] = mapped_column(String(16))
    """An :class:`~core.billing.contract.InvoiceStatus` value (``"unpaid"``, ``"paid"``, ...)."""
    kind: Mapped[str] = mapped_column(String(32), default="regular")
    """The supplier's kind of invoice (``"regular"``, ``"forecast"``, an advance, a
    settlement, ...), as the back-end names it."""
    supply_point_identifier: Mapped[str | None] = mapped_column(String(64))
    """The supply point billed, when the invoice is for one."""

    @property
    def gross(self) -> Money:
        """The total as :class:`~core.billing.contract.Money`."""
        return Money(self.gross_amount, self.currency)

    @property
    def outstanding(self) -> Money:
        """What is left to pay."""
        return Money(self.gross_amount - self.paid_amount, self.currency)

    @property
    def is_open(self) -> bool:
        """Something is still to pay on it."""
        return self.status in OPEN_INVOICE_STATUSES and self.gross_amount > self.paid_amount


class Payment(TenantScoped, Model):
    """The portal's copy of a payment booked by the back-end (:class:`~core.billing.contract.PaymentRecord`)."""

    __table_args__ = (UniqueConstraint("tenant", "reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """Primary key."""
    account_id: Mapped[int] = mapped_column(ForeignKey("billing_account.id"), index=True)
    """The billing account paid to."""
    reference: Mapped[str] = mapped_column(String(64))
    """The back-end's reference of the payment; unique per tenant."""
    booked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    """When it was booked."""
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    """The amount paid."""
    currency: Mapped[str] = mapped_column(String(3))
    """Its ISO 4217 currency."""
    invoice_number: Mapped[str | None] = mapped_column(String(64))
    """The invoice it pays, when the back-end says."""
    method: Mapped[str] = mapped_column(String(32), default="transfer")
    """How it was paid (``"transfer"``, ``"online"``, a provider's code, ...)."""


class MailMessage(TenantScoped, Model):
    """A mail on its way out, stored in the transaction of the write that causes it.

    The outbox sends it after commit (kind ``mail``) and retries it while SMTP is down;
    once sent it is erased (its links are secrets). In demo mode it is kept instead and
    shown on the demo mailbox page to the browser session that caused it (``mailbox``)
    and to the signed-in recipient.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender: Mapped[str] = mapped_column(String(254))
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    text_body: Mapped[str] = mapped_column(Text)
    mailbox: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


COUNTS = text("status != 'rejected'")


class MeterReading(TenantScoped, Model):
    """A meter reading: copied from the back-end (``recorded``) or submitted by a customer.

    A customer's submission is one row per register, all sharing its ``submission_key``;
    ``status`` follows it: received, accepted or rejected by the supplier, or ``review``
    when the portal flagged it (implausible value, replaced meter).
    """

    __table_args__ = (
        # One reading that counts per meter, register and moment (a rejected one makes way
        # for its correction). Named: the generated names exceed PostgreSQL's 63 characters.
        Index("uq_meter_reading_moment", "tenant", "supply_point_id", "meter_serial", "register", "read_at",
              unique=True, sqlite_where=COUNTS, postgresql_where=COUNTS),
        UniqueConstraint("tenant", "submission_key", "register", name="uq_meter_reading_submission"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """Primary key."""
    supply_point_id: Mapped[int] = mapped_column(ForeignKey("supply_point.id"), index=True)
    """The supply point read."""
    meter_serial: Mapped[str] = mapped_column(String(64))
    """The meter's serial number."""
    register: Mapped[str] = mapped_column(String(16))
    """The register's OBIS code (``"1.8.0"``)."""
    read_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    """When the meter was read."""
    value: Mapped[Decimal] = mapped_column(Numeric(14, 3, asdecimal=True))
    """The register's value, in ``unit``."""
    unit: Mapped[str] = mapped_column(String(16))
    """``"kWh"``, ``"m³"``, ..."""
    source: Mapped[str] = mapped_column(String(16))
    """A :class:`~core.billing.contract.ReadingSource` value: ``"customer"``,
    ``"operator"`` or ``"estimate"``."""
    status: Mapped[str] = mapped_column(String(16), default="recorded")
    """``"recorded"`` (copied from the back-end), ``"received"``, ``"accepted"``,
    ``"rejected"`` or ``"review"``."""
    reason: Mapped[str | None] = mapped_column(Text)
    """The customer's explanation of an unusually high consumption."""
    reject_reason: Mapped[str | None] = mapped_column(Text)
    """The reason code of a rejection (``portal_rejection_reasons`` words it)."""
    submission_key: Mapped[str | None] = mapped_column(String(64))
    """The key shared by the rows of one customer submission; ``None`` for a copied reading."""
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    """The login that submitted it, if a customer did."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    """When the row was written."""

    supply_point: Mapped[SupplyPoint] = relationship()
    """The supply point."""


class OutboxMessage(TenantScoped, Model):
    """A customer write (or a mail) on its way out: see :mod:`core.framework.outbox` for its states.

    Stored in the same transaction as the business row, delivered by the relay with
    ``idempotency_key``, retried with backoff, parked (never deleted) when it keeps
    failing. A message waits while an older one with its ``ordering_key`` is pending or parked.
    """

    __table_args__ = (
        # the relay's questions, cheap with a large backlog: which pending messages come
        # first, and which is the oldest waiting message of a key
        Index("ix_outbox_message_due", "tenant", "id",
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
        Index("ix_outbox_message_waiting", "tenant", "ordering_key", "id",
              postgresql_where=text("status IN ('pending', 'parked')"),
              sqlite_where=text("status IN ('pending', 'parked')")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(96), unique=True)
    # Messages with the same key reach the back-end in the order they were stored
    # (the readings of one meter, the requests of one account).
    ordering_key: Mapped[str | None] = mapped_column(String(96), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class SyncState(TenantScoped, Model):
    """How far the portal's copy of a tenant's billing data has been brought."""

    __table_args__ = (UniqueConstraint("tenant"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cursor: Mapped[str | None] = mapped_column(String(128))
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    @property
    def failing(self) -> bool:
        """The last attempt failed (the back-end could not be reached)."""
        return self.last_error is not None


class SupplyPointSelection(TenantScoped, Model):
    """The supply point a login chose in the header's selector, kept across sign-ins.

    One row per login. The pages check that the point is still one of the login's own
    (an account can be unlinked) before they show it.
    """

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    supply_point_id: Mapped[int] = mapped_column(ForeignKey("supply_point.id", ondelete="CASCADE"), index=True)
    chosen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
