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

__all__ = [
    "BillingAdapter",
    "BackendUnavailable",
    "AccountNotFound",
    "SubmissionRefused",
    "Money",
    "Commodity",
    "InvoiceStatus",
    "ReadingSource",
    "Address",
    "MeterRecord",
    "SupplyPointRecord",
    "AccountRecord",
    "InvoiceRecord",
    "PaymentRecord",
    "ReadingRecord",
    "AccountSnapshot",
    "ChangeBatch",
    "SubmissionStatus",
    "SubmissionResult",
    "ReadingSubmission",
    "RequestSubmission",
    "PaymentNotification",
    "PAYMENT_NOTIFICATION",
    "require_aware",
    "latest_values",
]
"""The contract as a plugin sees it (``core.plugin_api.billing``), in the order of its reference."""


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
        """The stable snake_case reason code (``"invoice_already_paid"``)."""
        self.detail = detail
        """The back-end's own words, or ``None``."""


@dataclass(frozen=True)
class Money:
    """An amount of money: a ``Decimal`` and its currency.

    Raises ``TypeError`` for an amount that is not a ``Decimal`` and ``ValueError`` for a
    currency that is not three capital letters. ``+`` and ``-`` work between amounts of
    the same currency (``ValueError`` otherwise).
    """

    amount: Decimal
    """The amount; it may be negative (a balance owed, a credit note)."""
    currency: str
    """ISO 4217 code (``"PLN"``)."""

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
    """``value`` itself if it is aware; raises ``ValueError`` for a naive datetime."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime where an aware one is required")
    return value


class Commodity(StrEnum):
    """What a supply point is supplied with."""

    ELECTRICITY = "electricity"
    """Electricity, metered in kWh."""
    GAS = "gas"
    """Natural gas, metered in m³ (billed in kWh)."""


class InvoiceStatus(StrEnum):
    """Where an invoice stands in the back-end."""

    PAID = "paid"
    """Paid in full."""
    UNPAID = "unpaid"
    """Nothing paid yet, not yet due."""
    PARTIALLY_PAID = "partially_paid"
    """Partly paid, not yet due."""
    OVERDUE = "overdue"
    """Past its due date and not paid in full."""
    CANCELLED = "cancelled"
    """Replaced (e.g. an estimated bill superseded by an actual one): nothing to pay."""


class ReadingSource(StrEnum):
    """Who took a meter reading."""

    CUSTOMER = "customer"
    """The customer (through the portal or otherwise)."""
    OPERATOR = "operator"
    """The distribution operator's meter reader or remote reading."""
    ESTIMATE = "estimate"
    """Not read: estimated by the supplier."""


@dataclass(frozen=True)
class Address:
    """A postal address."""

    street: str
    """Street and number (or the town's name and number where there are no streets)."""
    postcode: str
    """The postcode as written in the country."""
    city: str
    """The town."""
    country: str
    """ISO 3166-1 alpha-2 code (``"PL"``)."""

    def one_line(self) -> str:
        """``"street, postcode city"``."""
        return f"{self.street}, {self.postcode} {self.city}"


@dataclass(frozen=True)
class MeterRecord:
    """A meter installed at a supply point."""

    serial_number: str
    """The meter's (factory) number, as printed on it."""
    registers: tuple[str, ...]
    """OBIS codes of the registers it counts (``("1.8.1", "1.8.2")`` for day and night)."""
    installed_on: dt.date
    """When it was installed."""
    seal_number: str | None = None
    """The number of its seal, where the operator records one."""


@dataclass(frozen=True)
class SupplyPointRecord:
    """A place of consumption: a PPE / EAN / EIC / POD / PDR and what serves it."""

    identifier: str
    """The supply point's code (PPE, EAN, EIC, POD, PDR): unique within the supplier."""
    commodity: Commodity
    """Electricity or gas."""
    address: Address
    """Where the supply is."""
    tariff: str
    """The supplier's tariff code (``"G11"``)."""
    meters: tuple[MeterRecord, ...]
    """The meters installed; readings are taken from the first."""
    contracted_power_kw: Decimal | None = None
    """Contracted power in kW, where the supplier has one."""
    distribution_operator: str | None = None
    """The network operator's name."""
    capabilities: frozenset[str] = frozenset()
    """What this supply point allows: ``"meter_readings"`` when its operator takes
    readings from customers (see ``READINGS_CAPABILITY``), and the plugin's own."""


@dataclass(frozen=True)
class AccountRecord:
    """A customer account of the back-end. Raises ``ValueError`` for a naive ``updated_at``."""

    number: str
    """The supplier's customer (account) number."""
    holder_name: str
    """The account holder's name."""
    address: Address
    """The holder's address."""
    balance: Money
    """Negative means the customer owes, positive is credit."""
    updated_at: dt.datetime
    """When the back-end last changed the account (aware)."""
    tax_id: str | None = None
    """The holder's tax identifier, where the invoice names one (an Italian codice fiscale,
    the NIP or DIČ of a business); ``None`` for none."""
    bank_account: str | None = None
    """The account this customer pays to (an IBAN, or the country's own form), where the
    supplier gives each customer their own (a Polish individual account number); ``None``:
    the supplier's (:attr:`SellerDetails.bank_account`)."""

    def __post_init__(self) -> None:
        require_aware(self.updated_at)


@dataclass(frozen=True)
class InvoiceRecord:
    """An invoice of the back-end."""

    number: str
    """The invoice number, unique within the supplier."""
    issued_on: dt.date
    """Date of issue."""
    period_start: dt.date
    """First day billed."""
    period_end: dt.date
    """Last day billed, inclusive."""
    due_on: dt.date
    """Payment due date."""
    gross: Money
    """Total with VAT (negative for a credit note)."""
    paid: Money
    """What has been paid of it."""
    status: InvoiceStatus
    """Paid, unpaid, partially paid, overdue or cancelled."""
    supply_point: str | None = None
    """Identifier of the supply point billed, when the invoice is for one."""
    kind: str = "regular"
    """The supplier's kind of invoice: ``"regular"``, ``"forecast"`` (on an estimated
    reading), or the plugin's own (advances, settlements, ...); it picks the PDF's title
    (:attr:`InvoiceLabels.titles`)."""
    payment_reference: str | None = None
    """What the customer quotes when paying it by transfer (the Czech variabilní symbol,
    a Polish tytuł przelewu); ``None`` where nothing particular is asked for."""
    taxable_supply_on: dt.date | None = None
    """The date of the taxable supply, where the invoice states one apart from the date of
    issue (the Czech DUZP of a settlement); ``None`` for none."""


@dataclass(frozen=True)
class PaymentRecord:
    """A payment booked by the back-end. Raises ``ValueError`` for a naive ``booked_at``."""

    reference: str
    """The back-end's reference of the payment, unique within the supplier."""
    booked_at: dt.datetime
    """When it was booked (aware)."""
    amount: Money
    """The amount paid."""
    invoice_number: str | None = None
    """The invoice it pays, if it was made for one."""
    method: str = "transfer"
    """How it was paid (``"transfer"``, ``"direct_debit"``, ``"online"``, ...)."""

    def __post_init__(self) -> None:
        require_aware(self.booked_at)


@dataclass(frozen=True)
class ReadingRecord:
    """A meter reading of one register. Raises ``ValueError`` for a naive ``read_at``."""

    supply_point: str
    """Identifier of the supply point."""
    meter_serial: str
    """Serial number of the meter read."""
    register: str
    """OBIS code of the register (``"1.8.0"``)."""
    read_at: dt.datetime
    """When it was read (aware)."""
    value: Decimal
    """The register's value, in ``unit``."""
    unit: str
    """``"kWh"``, ``"m³"``, ..."""
    source: ReadingSource
    """Customer, operator or estimate."""

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
    """The account."""
    supply_points: tuple[SupplyPointRecord, ...]
    """Its supply points, with their meters."""
    invoices: tuple[InvoiceRecord, ...]
    """Its invoices."""
    payments: tuple[PaymentRecord, ...]
    """Its payments."""
    readings: tuple[ReadingRecord, ...] = ()
    """The readings of its supply points (empty by default, so snapshots built without
    them keep working)."""


@dataclass(frozen=True)
class ChangeBatch:
    """Accounts changed since a cursor, in the order the back-end changed them."""

    snapshots: tuple[AccountSnapshot, ...]
    """The accounts changed, each whole."""
    cursor: str
    """Where the next call continues: an opaque string (a sequence number, a timestamp,
    ...) the portal stores and hands back to ``changes_since``."""
    more: bool
    """Whether further changes are waiting (the portal asks again at once)."""


class SubmissionStatus(StrEnum):
    """The back-end's verdict on a submission."""

    ACCEPTED = "accepted"
    """Taken: the customer sees it accepted."""
    REJECTED = "rejected"
    """Turned down for good, with a reason code."""


@dataclass(frozen=True)
class SubmissionResult:
    """The back-end's answer to a reading or request: accepted, or rejected with why.

    A rejection names its ``reason_code`` (a stable code the portal shows the customer in
    their language, see :mod:`core.framework.rejections`) and may add ``reason``, the back-end's
    own words, which only staff see.
    """

    status: SubmissionStatus
    """Accepted or rejected."""
    reference: str | None = None
    """The back-end's reference of what it accepted (a request's is shown to the customer)."""
    reason: str | None = None
    """The back-end's own words on a rejection, kept for staff only."""
    duplicate: bool = False
    """True when the idempotency key had been seen before; the result is then that of the
    first submission."""
    reason_code: str | None = None
    """The stable reason code of a rejection (``core.framework.rejections.REASONS`` and the plugin's
    ``portal_rejection_reasons`` word it for the customer)."""

    @classmethod
    def rejected(cls, code: str, reason: str | None = None) -> SubmissionResult:
        """A rejection with reason ``code`` and, optionally, the back-end's words."""
        return cls(SubmissionStatus.REJECTED, reason=reason, reason_code=code)


@dataclass(frozen=True)
class ReadingSubmission:
    """A meter reading a customer submitted. Raises ``ValueError`` for a naive ``read_at``."""

    account_number: str
    """The customer account."""
    supply_point: str
    """Identifier of the supply point read."""
    meter_serial: str
    """Serial number of the meter read."""
    values: dict[str, Decimal]
    """The value of every register of the meter, by OBIS code."""
    read_at: dt.datetime
    """When it was read (aware): now for today's reading, the end of the day for an earlier one."""

    def __post_init__(self) -> None:
        require_aware(self.read_at)


@dataclass(frozen=True)
class RequestSubmission:
    """A service request a customer filed (or, by default, an online payment)."""

    account_number: str
    """The customer account it is about."""
    request_type: str
    """The request type's ``code`` (or ``PAYMENT_NOTIFICATION``)."""
    data: dict[str, Any] = field(default_factory=dict)
    """What the request type's schema loaded, JSON-safe: dates, datetimes and decimals
    as strings."""


PAYMENT_NOTIFICATION = "payment_notification"
"""The request type under which :meth:`BillingAdapter.submit_payment` hands a payment over
by default, for back-ends that take it as a request."""


@dataclass(frozen=True)
class PaymentNotification:
    """A payment the customer made online through the portal's payment provider.

    Raises ``ValueError`` for a naive ``paid_at``.
    """

    account_number: str
    """The customer account paid to."""
    transaction_id: str
    """The payment provider's identifier of the payment."""
    amount: Money
    """The amount paid."""
    paid_at: dt.datetime
    """When the provider reported it paid (aware)."""
    invoice_number: str | None = None
    """The invoice the customer paid, or ``None`` for a payment on the account."""
    method: str = "online"
    """The payment provider's code."""

    def __post_init__(self) -> None:
        require_aware(self.paid_at)

    def as_request(self) -> RequestSubmission:
        """The payment as a :data:`PAYMENT_NOTIFICATION` request (amounts and times as strings)."""
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
        """The payment a :data:`PAYMENT_NOTIFICATION` request carries (the inverse of :meth:`as_request`)."""
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
    """ISO 4217 code of every amount the back-end returns (the supplier's currency)."""

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
