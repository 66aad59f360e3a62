"""The contract between the portal and a supplier's billing back-end.

The billing system is the source of truth; the portal keeps a copy for its pages and
hands customer writes to the adapter with an idempotency key. Every amount is a
:class:`Money` (``Decimal`` plus an ISO 4217 currency) and every datetime is aware.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any


class BackendUnavailable(Exception):
    """The back-end could not be reached or did not answer in time."""


class AccountNotFound(LookupError):
    """No billing account with that number exists."""


class SubmissionRefused(Exception):
    """The back-end turned a submission down for good: sending it again cannot help.

    ``code`` is a stable reason code the portal translates for the customer (see
    :mod:`core.framework.rejections`); ``detail`` is the back-end's own wording, kept for staff.
    An adapter may raise this or return a :class:`SubmissionResult` that is rejected:
    both end the same way.
    """

    def __init__(self, code: str, detail: str | None = None) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"not an ISO 4217 currency code: {self.currency!r}")

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError("cannot add amounts in different currencies")
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError("cannot subtract amounts in different currencies")
        return Money(self.amount - other.amount, self.currency)


def require_aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime where an aware one is required")
    return value


class Commodity(StrEnum):
    ELECTRICITY = "electricity"
    GAS = "gas"


class InvoiceStatus(StrEnum):
    PAID = "paid"
    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially_paid"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"  # replaced (e.g. an estimated bill superseded by an actual one)


class ReadingSource(StrEnum):
    CUSTOMER = "customer"
    OPERATOR = "operator"
    ESTIMATE = "estimate"


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str
    city: str
    country: str

    def one_line(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}"


@dataclass(frozen=True)
class MeterRecord:
    serial_number: str
    registers: tuple[str, ...]
    installed_on: dt.date
    seal_number: str | None = None


@dataclass(frozen=True)
class SupplyPointRecord:
    """A place of consumption: a PPE / EAN / EIC / POD / PDR and what serves it."""

    identifier: str
    commodity: Commodity
    address: Address
    tariff: str
    meters: tuple[MeterRecord, ...]
    contracted_power_kw: Decimal | None = None
    distribution_operator: str | None = None
    capabilities: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AccountRecord:
    number: str
    holder_name: str
    address: Address
    balance: Money
    updated_at: dt.datetime

    def __post_init__(self) -> None:
        require_aware(self.updated_at)


@dataclass(frozen=True)
class InvoiceRecord:
    number: str
    issued_on: dt.date
    period_start: dt.date
    period_end: dt.date
    due_on: dt.date
    gross: Money
    paid: Money
    status: InvoiceStatus
    supply_point: str | None = None
    kind: str = "regular"


@dataclass(frozen=True)
class PaymentRecord:
    reference: str
    booked_at: dt.datetime
    amount: Money
    invoice_number: str | None = None
    method: str = "transfer"

    def __post_init__(self) -> None:
        require_aware(self.booked_at)


@dataclass(frozen=True)
class ReadingRecord:
    supply_point: str
    meter_serial: str
    register: str
    read_at: dt.datetime
    value: Decimal
    unit: str
    source: ReadingSource

    def __post_init__(self) -> None:
        require_aware(self.read_at)


def latest_values(readings: Iterable[ReadingRecord], meter_serial: str | None = None) -> dict[str, Decimal]:
    """The newest value of each register in ``readings`` (of one meter, when given)."""
    newest: dict[str, ReadingRecord] = {}
    for reading in readings:
        if meter_serial is None or reading.meter_serial == meter_serial:
            known = newest.get(reading.register)
            if known is None or reading.read_at > known.read_at:
                newest[reading.register] = reading
    return {register: reading.value for register, reading in newest.items()}


@dataclass(frozen=True)
class AccountSnapshot:
    """Everything the portal copies about one account."""

    account: AccountRecord
    supply_points: tuple[SupplyPointRecord, ...]
    invoices: tuple[InvoiceRecord, ...]
    payments: tuple[PaymentRecord, ...]
    # empty by default: plugins that build snapshots themselves keep working
    readings: tuple[ReadingRecord, ...] = ()


@dataclass(frozen=True)
class ChangeBatch:
    """Accounts changed since a cursor, in the order the back-end changed them.

    ``cursor`` is where the next call continues (an opaque string: a sequence number, a
    timestamp, ...); ``more`` says whether further changes are waiting.
    """

    snapshots: tuple[AccountSnapshot, ...]
    cursor: str
    more: bool


class SubmissionStatus(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass(frozen=True)
class SubmissionResult:
    """The back-end's answer to a reading or request: accepted, or rejected with why.

    A rejection names its ``reason_code`` (a stable code the portal shows the customer in
    their language, see :mod:`core.framework.rejections`) and may add ``reason``, the back-end's
    own words, which only staff see. ``duplicate`` is true when the idempotency key had
    been seen before; the result is then that of the first submission.
    """

    status: SubmissionStatus
    reference: str | None = None
    reason: str | None = None
    duplicate: bool = False
    reason_code: str | None = None

    @classmethod
    def rejected(cls, code: str, reason: str | None = None) -> SubmissionResult:
        return cls(SubmissionStatus.REJECTED, reason=reason, reason_code=code)


@dataclass(frozen=True)
class ReadingSubmission:
    account_number: str
    supply_point: str
    meter_serial: str
    values: dict[str, Decimal]
    read_at: dt.datetime

    def __post_init__(self) -> None:
        require_aware(self.read_at)


@dataclass(frozen=True)
class RequestSubmission:
    account_number: str
    request_type: str
    data: dict[str, Any] = field(default_factory=dict)


PAYMENT_NOTIFICATION = "payment_notification"
"""The request type under which :meth:`BillingAdapter.submit_payment` hands a payment over
by default, for back-ends that take it as a request."""


@dataclass(frozen=True)
class PaymentNotification:
    """A payment the customer made online through the portal's payment provider."""

    account_number: str
    transaction_id: str
    amount: Money
    paid_at: dt.datetime
    invoice_number: str | None = None
    method: str = "online"

    def __post_init__(self) -> None:
        require_aware(self.paid_at)

    def as_request(self) -> RequestSubmission:
        return RequestSubmission(self.account_number, PAYMENT_NOTIFICATION, {
            "transaction_id": self.transaction_id,
            "amount": str(self.amount.amount),
            "currency": self.amount.currency,
            "paid_at": self.paid_at.isoformat(),
            "invoice_number": self.invoice_number,
            "method": self.method,
        })

    @classmethod
    def from_request(cls, request: RequestSubmission) -> PaymentNotification:
        data = request.data
        return cls(
            account_number=request.account_number,
            transaction_id=str(data["transaction_id"]),
            amount=Money(Decimal(str(data["amount"])), str(data["currency"])),
            paid_at=dt.datetime.fromisoformat(str(data["paid_at"])),
            invoice_number=data.get("invoice_number") or None,
            method=str(data.get("method") or "online"),
        )


class BillingAdapter(abc.ABC):
    """What the portal asks of a supplier's billing back-end.

    Implementations raise :class:`BackendUnavailable` when the back-end cannot be
    reached (the write is tried again later), :class:`AccountNotFound` for an unknown
    account number, and :class:`SubmissionRefused` (or return a rejected
    :class:`SubmissionResult`) when a write is turned down for good. Any other exception
    is taken as a fault of the moment: counted as an attempt and tried again.
    """

    currency: str

    # --- identity verification -------------------------------------------
    @abc.abstractmethod
    def find_account(self, number: str) -> AccountRecord | None:
        """The account with this number, or ``None`` (used to verify identity)."""

    # --- reading ----------------------------------------------------------
    @abc.abstractmethod
    def supply_points(self, account_number: str) -> list[SupplyPointRecord]:
        """Supply points of the account, with their meters."""

    @abc.abstractmethod
    def invoices(self, account_number: str) -> list[InvoiceRecord]:
        """Invoices of the account, newest first."""

    @abc.abstractmethod
    def invoice_pdf(self, account_number: str, invoice_number: str, duplicate: bool = False) -> bytes:
        """The invoice as a PDF document; ``duplicate`` marks it as a duplicate copy."""

    @abc.abstractmethod
    def payments(self, account_number: str) -> list[PaymentRecord]:
        """Payments booked on the account, newest first."""

    @abc.abstractmethod
    def balance(self, account_number: str) -> Money:
        """Current balance: negative means the customer owes, positive is credit."""

    @abc.abstractmethod
    def readings(self, account_number: str, supply_point: str) -> list[ReadingRecord]:
        """Meter readings of a supply point, newest first."""

    @abc.abstractmethod
    def changes_since(self, cursor: str | None, limit: int = 100) -> ChangeBatch:
        """Up to ``limit`` accounts changed after ``cursor`` (``None``: from the start).

        The portal calls this again with the returned cursor until ``more`` is false; a
        batch fetched twice must be safe to store twice.
        """

    # --- writing ----------------------------------------------------------
    @abc.abstractmethod
    def submit_reading(
        self, reading: ReadingSubmission, idempotency_key: str
    ) -> SubmissionResult:
        """Hand over a meter reading; the same key submitted twice is applied once."""

    @abc.abstractmethod
    def submit_request(
        self, request: RequestSubmission, idempotency_key: str
    ) -> SubmissionResult:
        """Hand over a service request; the same key submitted twice is applied once."""

    def submit_payment(
        self, payment: PaymentNotification, idempotency_key: str
    ) -> SubmissionResult:
        """Hand over a payment made online; the same key submitted twice is booked once.

        By default it goes as a :data:`PAYMENT_NOTIFICATION` request; override it when
        the back-end books payments another way.
        """
        return self.submit_request(payment.as_request(), idempotency_key)

    # --- convenience --------------------------------------------------------
    def snapshot(self, account_number: str) -> AccountSnapshot:
        """Everything the portal copies about an account, in one call."""
        account = self.find_account(account_number)
        if account is None:
            raise AccountNotFound(account_number)
        supply_points = tuple(self.supply_points(account_number))
        return AccountSnapshot(
            account=account,
            supply_points=supply_points,
            invoices=tuple(self.invoices(account_number)),
            payments=tuple(self.payments(account_number)),
            readings=tuple(r for sp in supply_points for r in self.readings(account_number, sp.identifier)),
        )

    def demo_identities(self, method: str | None = None) -> list[dict[str, Any]]:
        """For demo back-ends: what demo customers type to prove their identity.

        Each dict holds the ``account_number`` it proves and one key per form field of the
        identity method ``method`` (by code; ``None`` means the supplier's first method).
        """
        return []
