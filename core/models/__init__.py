"""The portal's own database: logins, and its copy of the supplier's billing data.

Every table that holds customer data carries its tenant (:class:`TenantScoped`).
Datetimes are stored in UTC and come back aware; money is ``Numeric`` plus a currency.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
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
from core.models.database import db
from core.models.tenant_scope import TenantScoped


def utcnow() -> dt.datetime:
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


class User(UserMixin, TenantScoped, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("tenant", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    terms_version: Mapped[str] = mapped_column(String(32))
    terms_accepted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    links: Mapped[list[AccountLink]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="AccountLink.id"
    )

    # Set at login / load: the server-side session this request belongs to.
    login_session_token = None

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot log in
        return self.activated_at is not None

    def get_id(self) -> str | None:
        return self.login_session_token


class TermsAcceptance(TenantScoped, db.Model):
    """Each acceptance of a terms version, kept as the consent history."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(32))
    accepted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginSession(TenantScoped, db.Model):
    """A signed-in browser. Deleting the row ends the session whatever the cookie says."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship()


class UsedToken(TenantScoped, db.Model):
    """Single-use links (activation, reset): a token's id is recorded when used."""

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32))
    used_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class VerificationAttempt(TenantScoped, db.Model):
    """An attempt to prove ownership of a billing account, for counting and lockout."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    account_key: Mapped[str] = mapped_column(String(64), index=True)
    method: Mapped[str] = mapped_column(String(32))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class BillingAccount(TenantScoped, db.Model):
    """The portal's copy of a customer account in the supplier's billing system."""

    __table_args__ = (UniqueConstraint("tenant", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(64))
    holder_name: Mapped[str] = mapped_column(String(255))
    street: Mapped[str] = mapped_column(String(255))
    postcode: Mapped[str] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(128))
    balance_amount: Mapped[Decimal] = mapped_column(AMOUNT)
    currency: Mapped[str] = mapped_column(String(3))
    data_as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    supply_points: Mapped[list[SupplyPoint]] = relationship(
        back_populates="account", order_by="SupplyPoint.identifier"
    )
    link: Mapped[AccountLink | None] = relationship(back_populates="account")

    @property
    def balance(self) -> Money:
        return Money(self.balance_amount, self.currency)


class AccountLink(TenantScoped, db.Model):
    """A billing account linked to a login after identity verification."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("billing_account.id"), unique=True)
    method: Mapped[str] = mapped_column(String(32))
    linked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="links")
    account: Mapped[BillingAccount] = relationship(back_populates="link")


class SupplyPoint(TenantScoped, db.Model):
    __table_args__ = (UniqueConstraint("tenant", "identifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("billing_account.id"), index=True)
    identifier: Mapped[str] = mapped_column(String(64))
    commodity: Mapped[str] = mapped_column(String(16))
    street: Mapped[str] = mapped_column(String(255))
    postcode: Mapped[str] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(128))
    tariff: Mapped[str] = mapped_column(String(32))
    contracted_power_kw: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    distribution_operator: Mapped[str | None] = mapped_column(String(128))
    capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)

    account: Mapped[BillingAccount] = relationship(back_populates="supply_points")
    meters: Mapped[list[Meter]] = relationship(
        back_populates="supply_point", order_by="Meter.serial_number", cascade="all, delete-orphan"
    )

    def has(self, capability: str) -> bool:
        return capability in (self.capabilities or [])


class Meter(TenantScoped, db.Model):
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


class Invoice(TenantScoped, db.Model):
    __table_args__ = (UniqueConstraint("tenant", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("billing_account.id"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[dt.date] = mapped_column(Date, index=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    gross_amount: Mapped[Decimal] = mapped_column(AMOUNT)
    paid_amount: Mapped[Decimal] = mapped_column(AMOUNT)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32), default="regular")
    supply_point_identifier: Mapped[str | None] = mapped_column(String(64))

    @property
    def gross(self) -> Money:
        return Money(self.gross_amount, self.currency)

    @property
    def outstanding(self) -> Money:
        return Money(self.gross_amount - self.paid_amount, self.currency)

    @property
    def is_open(self) -> bool:
        """Something is still to pay on it."""
        return self.status in OPEN_INVOICE_STATUSES and self.gross_amount > self.paid_amount


class Payment(TenantScoped, db.Model):
    __table_args__ = (UniqueConstraint("tenant", "reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("billing_account.id"), index=True)
    reference: Mapped[str] = mapped_column(String(64))
    booked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    currency: Mapped[str] = mapped_column(String(3))
    invoice_number: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(32), default="transfer")


class MailMessage(TenantScoped, db.Model):
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


class ServiceRequest(TenantScoped, db.Model):
    """A request a customer filed (change of advance payment, direct debit, ...).

    ``status`` is what the customer sees: received by the portal, accepted by the
    supplier (and worked on), completed, or rejected with a reason.
    """

    __table_args__ = (UniqueConstraint("tenant", "submission_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("billing_account.id"), index=True)
    request_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="received")
    supplier_reference: Mapped[str | None] = mapped_column(String(64))
    reject_reason: Mapped[str | None] = mapped_column(Text)
    submission_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    account: Mapped[BillingAccount] = relationship()
    events: Mapped[list[ServiceRequestEvent]] = relationship(
        back_populates="request", order_by="ServiceRequestEvent.id", cascade="all, delete-orphan"
    )


class ServiceRequestEvent(TenantScoped, db.Model):
    """One step in a request's history, shown to the customer."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[ServiceRequest] = relationship(back_populates="events")


COUNTS = text("status != 'rejected'")


class MeterReading(TenantScoped, db.Model):
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
    supply_point_id: Mapped[int] = mapped_column(ForeignKey("supply_point.id"), index=True)
    meter_serial: Mapped[str] = mapped_column(String(64))
    register: Mapped[str] = mapped_column(String(16))
    read_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 3, asdecimal=True))
    unit: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="recorded")
    reason: Mapped[str | None] = mapped_column(Text)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    submission_key: Mapped[str | None] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    supply_point: Mapped[SupplyPoint] = relationship()


class OutboxMessage(TenantScoped, db.Model):
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


class SyncState(TenantScoped, db.Model):
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
