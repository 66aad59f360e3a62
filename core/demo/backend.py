"""A deterministic demo billing back-end that every demo supplier parametrizes.

A fresh machine has no supplier system to talk to, yet the portal must show a living
account: two years of invoices and payments, meters read every month, a payment due.
:class:`DemoBackend` invents all of that from a :class:`DemoProfile` (names, addresses,
tariffs, identifier formats of one supplier) and an anchor date. The same profile, seed
and anchor always give the same data; the anchor's month is the present, so the history
always looks recent. Customers (names, numbers, supply points) depend on the seed alone,
so a demo login keeps working from one day to the next.

Writes (readings, requests) are kept in memory, idempotent by key, for the life of the
instance.

A supplier's demo back-end usually only needs a :class:`DemoProfile`. One that invents
its customers differently (condominiums, settlement cycles) subclasses
:class:`DemoGenerator` and works on its building blocks: :class:`DemoCustomer`,
:class:`DemoSupplyPoint`, :class:`InvoiceDraft`, :class:`PricedCharge`, with
:func:`add_months` and :func:`weighted_choice`. These are the public extension points.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum, StrEnum
from functools import cache
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from core.billing.contract import (
    PAYMENT_NOTIFICATION,
    AccountNotFound,
    AccountRecord,
    Address,
    BillingAdapter,
    ChangeBatch,
    Commodity,
    InvoiceRecord,
    InvoiceStatus,
    MeterRecord,
    Money,
    PaymentNotification,
    PaymentRecord,
    ReadingRecord,
    ReadingSource,
    ReadingSubmission,
    RequestSubmission,
    SubmissionResult,
    SubmissionStatus,
    SupplyPointRecord,
)
from core.billing.pdf import InvoiceLabels, InvoiceLine, InvoiceReading, SellerDetails, render_invoice_pdf
from core.framework.descriptions import ReadingRules, SupplierInfo
from core.framework.identifiers import EIC_LENGTH, GSRN_LENGTH, make_eic, make_gsrn18
from core.framework.theming import BUNDLED_THEMES, Theme

READINGS_CAPABILITY = "meter_readings"
"""Supply-point capability: the distribution operator takes readings from customers."""

REGULAR = "regular"
"""Invoice kind: billed on a real reading."""
FORECAST = "forecast"
"""Invoice kind: billed on an estimated (forecast) reading."""

CENT = Decimal("0.01")
INSTALLATIONS_FROM = dt.date(2014, 1, 1)
SELF_READINGS_MISSED = 0.1
"""Share of the readings due on a self-reader's schedule that they forget to hand in."""

ELECTRICITY_SEASONALITY: tuple[float, ...] = (
    1.22, 1.12, 1.05, 0.95, 0.88, 0.84, 0.83, 0.85, 0.90, 1.02, 1.14, 1.20,
)
"""Share of a household's yearly electricity used per calendar month (x 12)."""


class ChargeBasis(StrEnum):
    """What a :class:`Charge` is priced by."""

    ENERGY = "energy"
    """Priced per kWh consumed (of one register, or of all)."""
    MONTH = "month"
    """A fixed charge per month of the billing period."""


@dataclass(frozen=True)
class Charge:
    """One line of the price list; ``description`` and ``unit`` print on the invoice."""

    description: str
    """What is charged, in the invoice's language."""
    basis: ChargeBasis
    """Per kWh consumed or per month."""
    unit_price: Decimal
    """Net price per unit (kWh or month), in the profile's currency."""
    unit: str
    """The unit as printed (``"kWh"``, ``"month"``)."""
    register: str | None = None
    """For an energy charge: the register it prices (a zone), or ``None`` for all."""


@dataclass(frozen=True)
class Tariff:
    """A tariff with its meter registers, net prices and typical consumption.

    Meters count ``meter_unit`` (kWh, or m³ for gas); invoices bill kWh, converted with
    ``kwh_per_meter_unit``. ``register_shares`` split consumption over the registers
    (day and night zones); ``seasonality`` gives twelve monthly factors averaging 1.
    """

    code: str
    """The tariff's code (``"G11"``), stored on the supply point."""
    commodity: Commodity
    """Electricity or gas: supply points of an operator of that commodity get it."""
    registers: tuple[str, ...]
    """OBIS codes of the meter's registers (one per zone)."""
    charges: tuple[Charge, ...]
    """The price list; a charge's ``register`` must be one of ``registers``."""
    annual_consumption_kwh: tuple[int, int]
    """The range a household's yearly consumption is drawn from, in kWh."""
    register_shares: tuple[Decimal, ...] = (Decimal(1),)
    """The share of consumption per register, adding up to 1."""
    meter_unit: str = "kWh"
    """What the meter counts (``"m³"`` for gas)."""
    kwh_per_meter_unit: Decimal = Decimal(1)
    """Conversion from the meter's unit to billed kWh."""
    seasonality: tuple[float, ...] = ELECTRICITY_SEASONALITY
    """Twelve monthly factors averaging 1 (January first); electricity's by default."""
    contracted_power_kw: tuple[Decimal, ...] = ()
    """Contracted powers a supply point may have (one is drawn); empty for none."""
    max_daily_consumption: Decimal | None = None
    """Highest plausible consumption per day, in the meter's unit (see :func:`reading_rules_for`)."""
    weight: int = 1
    """How often it is drawn, relative to the other tariffs of its commodity."""
    register_names: tuple[str, ...] = ()
    """The registers' names as invoices print them with their readings (``"День"``), in the
    order of ``registers``; empty: their codes alone."""

    def __post_init__(self) -> None:
        if len(self.registers) != len(self.register_shares):
            raise ValueError(f"tariff {self.code}: one share per register")
        if self.register_names and len(self.register_names) != len(self.registers):
            raise ValueError(f"tariff {self.code}: one name per register")
        if sum(self.register_shares) != 1:
            raise ValueError(f"tariff {self.code}: register shares must add up to 1")
        if len(self.seasonality) != 12:
            raise ValueError(f"tariff {self.code}: twelve seasonal factors")
        for charge in self.charges:
            if charge.register is not None and charge.register not in self.registers:
                raise ValueError(f"tariff {self.code}: no register {charge.register}")


@dataclass(frozen=True)
class DistributionOperator:
    """The network operator of an area; ``capabilities`` go to its supply points."""

    name: str
    """The operator's name, as localities refer to it and supply points show it."""
    commodity: Commodity
    """The network it runs: electricity or gas."""
    identifier_prefix: str = ""
    """Digits or letters the profile's ``make_supply_point_id`` puts in the identifiers
    of its supply points (an operator's code in PPE, EIC or PDR numbers)."""
    capabilities: frozenset[str] = frozenset()
    """Capabilities of its supply points (``READINGS_CAPABILITY``: it takes readings from customers)."""


@dataclass(frozen=True)
class Locality:
    """A town with its postcodes and the operators whose network serves it."""

    city: str
    """The town's name."""
    postcodes: tuple[str, ...]
    """Its postcodes (one is drawn per customer)."""
    electricity_operator: str
    """Name of the electricity :class:`DistributionOperator` serving it."""
    gas_operator: str | None = None
    """Name of the gas operator, or ``None`` where there is no gas network."""
    streets: tuple[str, ...] = ()
    """Its streets; empty: the profile's ``streets``."""
    weight: int = 1
    """How often customers live here, relative to the other localities."""


@dataclass(frozen=True)
class PaymentBehaviour:
    """How the demo customers pay.

    Most pay on time; ``late_share`` of invoices are paid after the due date and
    ``instalment_share`` in two parts. ``credit_customers`` have overpaid and
    ``overdue_customers`` owe for past periods. Everyone else has the newest invoice
    still open, so the portal has a payment due to show.
    """

    terms_days: int = 14
    """Days from issue to due date."""
    late_share: float = 0.12
    """Share of invoices paid after the due date."""
    instalment_share: float = 0.05
    """Share of invoices paid in two parts."""
    credit_customers: int = 2
    """How many customers have overpaid (a credit balance)."""
    overdue_customers: int = 2
    """How many customers owe for past periods."""
    methods: tuple[str, ...] = ("transfer",)
    """Payment methods (:attr:`PaymentRecord.method`), one drawn per payment: repeat one
    to make it more frequent."""


def _serial(rng: random.Random, digits: int) -> str:
    return f"{rng.randrange(10**digits):0{digits}d}" if digits > 0 else ""


def gsrn18_supply_point_id(rng: random.Random, operator: DistributionOperator) -> str:
    """An 18-digit GSRN (a Polish PPE, a Czech EAN): the operator's prefix (the country's
    GS1 prefix and the operator's digits), a serial and the GS1 check digit."""
    prefix = operator.identifier_prefix
    return make_gsrn18(prefix + _serial(rng, GSRN_LENGTH - 1 - len(prefix)))


def eic_supply_point_id(rng: random.Random, operator: DistributionOperator) -> str:
    """A 16-character EIC (a Ukrainian metering point): the operator's prefix (``62Z`` and
    its own characters), a serial and the check character."""
    prefix = operator.identifier_prefix
    while True:  # a body whose check character would be "-" is never issued
        code = make_eic(prefix + _serial(rng, EIC_LENGTH - 1 - len(prefix)))
        if code is not None:
            return code


def pod_pdr_supply_point_id(rng: random.Random, operator: DistributionOperator) -> str:
    """An Italian supply point: a POD for electricity (``IT``, the distributor's three
    digits, ``E``, eight digits: the prefix is ``IT123E``), a PDR of 14 digits for gas."""
    prefix = operator.identifier_prefix
    return prefix + _serial(rng, 14 - len(prefix))


def default_meter_serial(rng: random.Random, commodity: Commodity) -> str:
    """An eight-digit factory number, the most common shape on household meters."""
    return str(rng.randint(10_000_000, 99_999_999))


@dataclass(frozen=True)
class DemoProfile:
    """Everything that makes one supplier's demo data look like that supplier's.

    Raises ``ValueError`` for a billing period other than 1 or 2 months, a history that
    is not a whole number of periods, a locality naming an unknown operator, or no
    electricity tariff.
    """

    supplier: SupplierInfo
    """The supplier the data is of (the plugin's ``SUPPLIER``): its name is printed on the
    invoices, its country is the customers' addresses', every amount is in its currency,
    and readings, payments and "today" are on its time zone's clock."""
    seed: int
    """Seeds every random draw: the same seed makes the same customers."""
    first_names: tuple[str, ...]
    """First names of account holders."""
    surnames: tuple[str, ...]
    """Surnames of account holders."""
    streets: tuple[str, ...]
    """Street names for localities that list none of their own."""
    localities: tuple[Locality, ...]
    """Where customers live."""
    operators: tuple[DistributionOperator, ...]
    """The network operators the localities name."""
    tariffs: tuple[Tariff, ...]
    """The price lists; at least one for electricity."""
    vat_rate: Decimal
    """VAT as a fraction (``Decimal("0.23")``)."""
    make_supply_point_id: Callable[[random.Random, DistributionOperator], str]
    """``make_supply_point_id(rng, operator)``: a new supply point identifier in the market's format."""
    make_customer_number: Callable[[random.Random], str]
    """``make_customer_number(rng)``: a new customer number."""
    make_invoice_number: Callable[[str, dt.date, int], str]
    """``make_invoice_number(kind, issued_on, sequence)``: the number of an invoice
    (``sequence`` grows within the month of issue)."""
    make_identity: Callable[[DemoBackend, str], dict[str, Any]] | None = None
    """``make_identity(backend, account_number)``: what that customer types into the form
    of the supplier's first identity method (field name to value)."""
    make_holder_name: Callable[[random.Random], str] | None = None
    """``make_holder_name(rng)``: a customer's name; by default a first name and a surname of
    the lists, which suits languages whose surnames do not change with the holder's gender."""
    extra_identities: Mapping[str, Callable[[DemoBackend], list[dict[str, Any]]]] = field(
        default_factory=dict
    )
    """By identity method code: a function listing the demo identities of that further
    method (see :meth:`DemoBackend.demo_identities`)."""
    make_meter_serial: Callable[[random.Random, Commodity], str] = default_meter_serial
    """``make_meter_serial(rng, commodity)``: a meter's serial number (eight digits by default)."""
    customers: int = 50
    """How many customer accounts there are."""
    history_months: int = 24
    """Months of invoices, payments and readings before the anchor's month (a whole
    number of billing periods)."""
    billing_period_months: int = 2
    """Months per invoice: 1 or 2."""
    gas_share: float = 0.25
    """Share of customers in a locality with gas who also buy gas."""
    estimate_share: float = 0.15
    """Share of billing readings that are estimates (their invoices are ``FORECAST``)."""
    self_reader_share: float = 0.5
    """Share of customers who read their meters themselves between billing readings."""
    self_reading_intervals: tuple[int, ...] = ()
    """Where self-readers hand in readings on a schedule of their own (through the portal,
    say), the months from one to the next: one is drawn per customer (``(1, 1, 3)``: monthly,
    a third of them quarterly), and the first customer, whom the demo login links, reads
    every ``self_reading_intervals[0]`` months. They read at the month boundaries without a
    billing reading, now and then missing one (see :meth:`DemoGenerator.self_reading_boundaries`).
    Empty: at each boundary between two billing readings, most of the time."""
    payments: PaymentBehaviour = field(default_factory=PaymentBehaviour)
    """How the customers pay."""
    invoice_labels: InvoiceLabels = field(default_factory=InvoiceLabels)
    """The words on the invoice PDFs, in ``invoice_locale``'s language."""
    invoice_locale: str = "en"
    """Babel locale of amounts and dates on the PDFs (``"pl_PL"``)."""
    invoice_date_format: str = "medium"
    """Babel date format name or pattern on the PDFs (``"dd.MM.yyyy"``)."""
    supplier_details: tuple[str, ...] = ()
    """Lines under the supplier's name on the PDFs (address, tax number, a demo notice)."""
    invoice_vat_summary: bool | None = None
    """Whether the PDFs print the amounts per VAT rate: ``True`` on every invoice (where the
    law asks for it), ``None`` when the lines have more than one rate, ``False`` never."""
    seller: SellerDetails | None = None
    """The company the PDFs name as the seller: its address, tax identities, bank account."""
    make_payment_reference: Callable[[str, InvoiceRecord], str | None] | None = None
    """``make_payment_reference(account_number, invoice)``: what the customer quotes when
    paying the invoice (:attr:`InvoiceRecord.payment_reference`); none by default."""
    invoice_readings: bool = False
    """Whether the PDFs show each register's readings at the start and the end of the period
    billed, their difference and its price with VAT (:meth:`DemoBackend.invoice_readings`)."""
    make_bank_account: Callable[[str], str] | None = None
    """``make_bank_account(account_number)``: the customer's own account to pay to
    (:attr:`AccountRecord.bank_account`), where the supplier gives each customer one;
    by default they pay to the seller's."""
    invoice_logo: Path | None = None
    """The logo on the PDFs (SVG or PNG); by default the logo of the supplier's theme, where
    the theme is one of the portal's own."""
    invoice_colour: str | None = None
    """The colour of the PDFs' title and rules (``"#c53d00"``); by default the theme's primary."""

    def __post_init__(self) -> None:
        if self.billing_period_months not in (1, 2):
            raise ValueError("billing period is one or two months")
        if self.history_months % self.billing_period_months:
            raise ValueError("history must be a whole number of billing periods")
        if any(months < 1 for months in self.self_reading_intervals):
            raise ValueError("self-readings are at least a month apart")
        names = {operator.name for operator in self.operators}
        for locality in self.localities:
            for operator in (locality.electricity_operator, locality.gas_operator):
                if operator is not None and operator not in names:
                    raise ValueError(f"{locality.city}: unknown operator {operator!r}")
        if not any(t.commodity is Commodity.ELECTRICITY for t in self.tariffs):
            raise ValueError("an electricity tariff is needed")

    def operator(self, name: str) -> DistributionOperator:
        """The operator called ``name`` (``StopIteration`` if there is none)."""
        return next(operator for operator in self.operators if operator.name == name)


def reading_rules_for(
    supply_point: Any, tariffs: Iterable[Tariff], *, everywhere: bool = False, decimals: int = 0,
    default_registers: tuple[str, ...] = ("1.8.0",),
) -> ReadingRules:
    """Reading rules from a demo tariff and the installed meter.

    Readings are taken where the supply point has :data:`READINGS_CAPABILITY` (or
    ``everywhere``), in whole units by default, for the meter's registers, up to the
    tariff's highest plausible daily consumption. Works with the portal's
    ``SupplyPoint`` rows and with the contract's ``SupplyPointRecord`` alike.
    """
    tariff = next((t for t in tariffs if t.code == getattr(supply_point, "tariff", None)), None)
    registers: tuple[str, ...] = ()
    for meter in getattr(supply_point, "meters", None) or ():
        if getattr(meter, "registers", None):
            registers = tuple(meter.registers)
            break
    capabilities = frozenset(getattr(supply_point, "capabilities", None) or ())
    return ReadingRules(
        accepts_readings=everywhere or READINGS_CAPABILITY in capabilities,
        decimals=decimals,
        max_daily_consumption=tariff.max_daily_consumption if tariff else None,
        registers=registers or (tariff.registers if tariff else default_registers),
    )


# -------------------------------------------------------------------------
# Generated data
# -------------------------------------------------------------------------


class PricedCharge(NamedTuple):
    """A charge applied to a period; money objects are made only when shown."""

    charge: Charge
    """The price list's line."""
    quantity: Decimal
    """kWh or months charged."""
    net: Decimal
    """Net amount, rounded to cents."""
    vat: Decimal
    """VAT on it, rounded to cents."""


@dataclass
class DemoSupplyPoint:
    """A supply point as the demo back-end keeps it: its record, tariff and readings."""

    record: SupplyPointRecord
    """The supply point as the contract returns it."""
    tariff: Tariff
    """Its tariff."""
    readings: list[ReadingRecord]
    """Its readings, oldest first; grows with customer submissions."""
    cumulative: dict[str, list[int]]
    """By register: the meter's value at each month boundary of the history."""


@dataclass
class DemoCustomer:
    """Everything the demo back-end holds about one customer account."""

    index: int
    """Position among the profile's customers (0, 1, ...): seeds their random draws."""
    account: AccountRecord
    """The account, with its current balance."""
    supply_points: dict[str, DemoSupplyPoint]
    """The account's supply points by identifier."""
    self_reader: bool
    """Whether the customer reads their meters between billing readings."""
    invoices: list[InvoiceRecord] = field(default_factory=list)
    """Invoices, newest first."""
    priced: dict[str, tuple[PricedCharge, ...]] = field(default_factory=dict)
    """By invoice number: the priced charges printed on it."""
    payments: list[PaymentRecord] = field(default_factory=list)
    """Payments, newest first."""
    requests: list[tuple[str, RequestSubmission]] = field(default_factory=list)
    """Requests accepted, as ``(reference, request)``, oldest first."""


@dataclass
class InvoiceDraft:
    """An invoice before it has a number: numbers follow the order of issue."""

    customer: DemoCustomer
    """The customer invoiced."""
    supply_point: DemoSupplyPoint
    """The supply point billed."""
    kind: str
    """``REGULAR``, ``FORECAST`` or the plugin's own kind."""
    issued_on: dt.date
    """Date of issue."""
    period_start: dt.date
    """First day billed."""
    period_end: dt.date
    """Last day billed, inclusive."""
    due_on: dt.date
    """Payment due date."""
    priced: tuple[PricedCharge, ...]
    """The charges of the period."""
    gross: Decimal
    """Total of the charges with VAT."""
    newest: bool
    """Whether it is the supply point's latest invoice (the one still open for most customers)."""
    number: str = ""
    """Set by :meth:`DemoGenerator.number` in order of issue."""


def _invoice_brand(profile: DemoProfile) -> dict[str, Any]:
    """The logo and colour of ``profile``'s PDFs: its own, else its supplier's bundled theme's."""
    theme = _bundled_theme(profile.supplier.theme)
    return {
        "logo": profile.invoice_logo or (theme.static_dir / theme.logo if theme else None),
        "colour": profile.invoice_colour or (theme.colours["primary"] if theme else None),
    }


@cache
def _bundled_theme(name: str) -> Theme | None:
    """One of the portal's own themes, read once; ``None`` for a theme it does not bundle."""
    return Theme.load(BUNDLED_THEMES / name) if (BUNDLED_THEMES / name / "theme.json").is_file() else None


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def weighted_choice(rng: random.Random, items: Sequence[Any]) -> Any:
    """One of ``items``, drawn by their ``weight``."""
    return rng.choices(items, weights=[item.weight for item in items])[0]


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def invoice_status(gross: Decimal, paid: Decimal, due_on: dt.date, today: dt.date) -> InvoiceStatus:
    """Paid in full, past its due date, started, or not paid at all."""
    if paid >= gross:
        return InvoiceStatus.PAID
    if due_on < today:
        return InvoiceStatus.OVERDUE
    if paid > 0:
        return InvoiceStatus.PARTIALLY_PAID
    return InvoiceStatus.UNPAID


class DemoBackend(BillingAdapter):
    """A supplier's billing system, invented from a profile and kept in memory.

    Data is generated on first use and cached on the instance; every method is safe to
    call from several threads.
    """

    def __init__(self, profile: DemoProfile, anchor: dt.date | None = None) -> None:
        self.profile = profile
        """The profile the data is invented from."""
        self.currency = profile.supplier.currency
        self.tz = ZoneInfo(profile.supplier.timezone)
        """The profile's time zone."""
        self._lock = threading.RLock()
        self._customers: dict[str, DemoCustomer] | None = None
        self.set_anchor(anchor or dt.datetime.now(self.tz).date())
        self._results: dict[tuple[str, str], SubmissionResult] = {}
        self._counters = {"reading": 0, "request": 0}
        self._change_log: list[str] | None = None  # account numbers; position + 1 = sequence

    # --- the contract -------------------------------------------------------
    def find_account(self, number: str) -> AccountRecord | None:
        customer = self._data().get(number.strip())
        return customer.account if customer else None

    def supply_points(self, account_number: str) -> list[SupplyPointRecord]:
        return [sp.record for sp in self._customer(account_number).supply_points.values()]

    def invoices(self, account_number: str) -> list[InvoiceRecord]:
        return list(self._customer(account_number).invoices)

    def invoice_pdf(self, account_number: str, invoice_number: str, duplicate: bool = False) -> bytes:
        customer = self._customer(account_number)
        invoice = self._invoice(customer, invoice_number)
        supply_point = customer.supply_points.get(invoice.supply_point or "")
        return render_invoice_pdf(
            supplier_name=self.profile.supplier.name,
            account=customer.account,
            invoice=invoice,
            lines=self._lines(customer, invoice.number),
            labels=self.profile.invoice_labels,
            locale=self.profile.invoice_locale,
            date_format=self.profile.invoice_date_format,
            supply_point=supply_point.record if supply_point else None,
            supplier_details=self.profile.supplier_details,
            duplicate=duplicate,
            vat_summary=self.profile.invoice_vat_summary,
            seller=self.profile.seller,
            readings=self.invoice_readings(account_number, invoice.number) if self.profile.invoice_readings else (),
            **_invoice_brand(self.profile),
        )

    def payments(self, account_number: str) -> list[PaymentRecord]:
        return list(self._customer(account_number).payments)

    def balance(self, account_number: str) -> Money:
        return self._customer(account_number).account.balance

    def changes_since(self, cursor: str | None, limit: int = 100) -> ChangeBatch:
        """Every account once at first (sequence 1..n), then each account a write changed."""
        start = int(cursor) if cursor else 0
        with self._lock:
            log = self._changes()
            window = log[start:start + limit]
            end = start + len(window)
            more = end < len(log)
        numbers = list(dict.fromkeys(window))
        return ChangeBatch(tuple(self.snapshot(n) for n in numbers), str(end), more)

    def _changes(self) -> list[str]:
        if self._change_log is None:
            self._change_log = list(self._data())
        return self._change_log

    def readings(self, account_number: str, supply_point: str) -> list[ReadingRecord]:
        point = self._supply_point(self._customer(account_number), supply_point)
        with self._lock:
            return sorted(point.readings, key=lambda r: (r.read_at, r.register), reverse=True)

    def submit_reading(self, reading: ReadingSubmission, idempotency_key: str) -> SubmissionResult:
        customer = self._customer(reading.account_number)
        with self._lock:
            known = self._results.get(("reading", idempotency_key))
            if known is not None:
                return replace(known, duplicate=True)
            result = self._reading_problem(customer, reading)
            if result is None:
                point = customer.supply_points[reading.supply_point]
                for register, value in sorted(reading.values.items()):
                    point.readings.append(
                        ReadingRecord(
                            supply_point=reading.supply_point,
                            meter_serial=reading.meter_serial,
                            register=register,
                            read_at=reading.read_at,
                            value=Decimal(str(value)),
                            unit=point.tariff.meter_unit,
                            source=ReadingSource.CUSTOMER,
                        )
                    )
                result = SubmissionResult(SubmissionStatus.ACCEPTED, self._reference("reading"))
                self._changes().append(reading.account_number)
            self._results[("reading", idempotency_key)] = result
            return result

    def submit_request(self, request: RequestSubmission, idempotency_key: str) -> SubmissionResult:
        customer = self._customer(request.account_number)
        with self._lock:
            known = self._results.get(("request", idempotency_key))
            if known is not None:
                return replace(known, duplicate=True)
            if request.request_type == PAYMENT_NOTIFICATION:
                result = self._book_payment(customer, PaymentNotification.from_request(request))
            elif not request.request_type.strip():
                result = SubmissionResult.rejected("request_type_unknown", "No request type given.")
            else:
                result = SubmissionResult(SubmissionStatus.ACCEPTED, self._reference("request"))
                customer.requests.append((result.reference or "", request))
            self._results[("request", idempotency_key)] = result
            return result

    def _book_payment(self, customer: DemoCustomer, payment: PaymentNotification) -> SubmissionResult:
        """Book an online payment: on the invoice it names, else on the oldest open ones;
        what is left over is credit. The next sync shows the new balance."""
        if payment.amount.currency != self.currency or payment.amount.amount <= 0:
            return SubmissionResult.rejected("payment_invalid", "The amount or currency is not valid.")
        named = [i for i in customer.invoices if i.number == payment.invoice_number]
        if payment.invoice_number and not named:
            return SubmissionResult.rejected("invoice_unknown", "No such invoice on this account.")
        open_ = named or sorted(
            (i for i in customer.invoices if i.status not in (InvoiceStatus.PAID, InvoiceStatus.CANCELLED)),
            key=lambda i: (i.due_on, i.number),
        )
        left = payment.amount.amount
        settled: dict[str, InvoiceRecord] = {}
        for invoice in open_:
            share = min(left, invoice.gross.amount - invoice.paid.amount)
            if share <= 0:
                continue
            paid = invoice.paid.amount + share
            status = invoice_status(invoice.gross.amount, paid, invoice.due_on, self.anchor)
            settled[invoice.number] = replace(invoice, paid=Money(paid, self.currency), status=status)
            left -= share
        customer.invoices = [settled.get(i.number, i) for i in customer.invoices]
        reference = payment.transaction_id[:64]
        record = PaymentRecord(reference, payment.paid_at, payment.amount, payment.invoice_number, payment.method)
        customer.payments.insert(0, record)
        customer.account = replace(customer.account, balance=customer.account.balance + payment.amount)
        self._changes().append(customer.account.number)
        return SubmissionResult(SubmissionStatus.ACCEPTED, reference)

    def demo_identities(self, method: str | None = None) -> list[dict[str, Any]]:
        """Per customer, in order: the account number and the identity form's data."""
        if method is not None and method in self.profile.extra_identities:
            return self.profile.extra_identities[method](self)
        make = self.profile.make_identity
        if make is None:
            return []
        return [{"account_number": number, **make(self, number)} for number in self._data()]

    # --- demo helpers ---------------------------------------------------------
    def account_numbers(self) -> list[str]:
        """Every demo account, in the order the customers were invented."""
        return list(self._data())

    def recent_invoices(self, account_number: str, n: int) -> list[InvoiceRecord]:
        """The ``n`` newest invoices of the account."""
        return self.invoices(account_number)[:n]

    def invoice_lines(self, account_number: str, invoice_number: str) -> tuple[InvoiceLine, ...]:
        """The priced items of an invoice, as printed on it."""
        customer = self._customer(account_number)
        return self._lines(customer, self._invoice(customer, invoice_number).number)

    def invoice_readings(self, account_number: str, invoice_number: str) -> tuple[InvoiceReading, ...]:
        """The readings an invoice is based on: each register's newest reading at the start of
        the period billed and at its end, with the price per unit with VAT of the register's
        energy. None for a cancelled invoice (its readings were replaced), nor for a register
        without a reading at both ends."""
        customer = self._customer(account_number)
        invoice = self._invoice(customer, invoice_number)
        point = customer.supply_points.get(invoice.supply_point or "")
        if point is None or invoice.status is InvoiceStatus.CANCELLED:
            return ()
        start = dt.datetime.combine(invoice.period_start, dt.time(), tzinfo=self.tz)
        end = dt.datetime.combine(invoice.period_end + dt.timedelta(days=1), dt.time(), tzinfo=self.tz)
        tariff = point.tariff
        meter = point.record.meters[0]
        names = dict(zip(tariff.registers, tariff.register_names, strict=True)) if tariff.register_names else {}
        readings = []
        with self._lock:
            history = [r for r in point.readings if r.meter_serial == meter.serial_number]
        for register in meter.registers:
            own = [r for r in history if r.register == register]
            previous = max((r for r in own if r.read_at <= start), key=lambda r: r.read_at, default=None)
            current = max((r for r in own if r.read_at <= end), key=lambda r: r.read_at, default=None)
            if previous is None or current is None or current.read_at <= start:
                continue
            energy = [c for c in tariff.charges if c.basis is ChargeBasis.ENERGY and c.register in (register, None)]
            in_kwh = tariff.kwh_per_meter_unit == 1 and energy
            price = sum((c.unit_price for c in energy), Decimal(0)) * (1 + self.profile.vat_rate)
            readings.append(
                InvoiceReading(
                    register=f"{names[register]} ({register})" if register in names else register,
                    previous=previous.value,
                    current=current.value,
                    unit=energy[0].unit if in_kwh else tariff.meter_unit,
                    meter_serial=meter.serial_number,
                    price=price.normalize() if in_kwh else None,
                )
            )
        return tuple(readings)

    def submitted_requests(self, account_number: str) -> list[tuple[str, RequestSubmission]]:
        """Requests accepted so far, as ``(reference, request)``, oldest first."""
        customer = self._customer(account_number)
        with self._lock:
            return list(customer.requests)

    # --- lookups ----------------------------------------------------------------
    def _customer(self, account_number: str) -> DemoCustomer:
        customer = self._data().get(account_number.strip())
        if customer is None:
            raise AccountNotFound(account_number)
        return customer

    @staticmethod
    def _supply_point(customer: DemoCustomer, identifier: str) -> DemoSupplyPoint:
        try:
            return customer.supply_points[identifier]
        except KeyError:
            raise LookupError(
                f"supply point {identifier} is not on account {customer.account.number}"
            ) from None

    @staticmethod
    def _invoice(customer: DemoCustomer, number: str) -> InvoiceRecord:
        for invoice in customer.invoices:
            if invoice.number == number:
                return invoice
        raise LookupError(f"invoice {number} is not on account {customer.account.number}")

    def _lines(self, customer: DemoCustomer, invoice_number: str) -> tuple[InvoiceLine, ...]:
        rate, currency = self.profile.vat_rate, self.currency
        return tuple(
            InvoiceLine(
                description=item.charge.description,
                quantity=item.quantity,
                unit=item.charge.unit,
                unit_price=item.charge.unit_price,
                net=Money(item.net, currency),
                vat=Money(item.vat, currency),
                gross=Money(item.net + item.vat, currency),
                vat_rate=rate,
            )
            for item in customer.priced[invoice_number]
        )

    def _reference(self, kind: str) -> str:
        self._counters[kind] += 1
        prefix = "RD" if kind == "reading" else "RQ"
        return f"{prefix}-{self._counters[kind]:06d}"

    def _reading_problem(self, customer: DemoCustomer, reading: ReadingSubmission) -> SubmissionResult | None:
        """The refusal of this reading (a reason code and the back-end's words), or ``None``
        when the back-end takes it."""
        refuse = SubmissionResult.rejected
        point = customer.supply_points.get(reading.supply_point)
        if point is None:
            return refuse("supply_point_unknown", "The supply point does not belong to this account.")
        if READINGS_CAPABILITY not in point.record.capabilities:
            return refuse("readings_not_accepted",
                          "The distribution operator of this supply point does not take readings from customers.")
        meter = next((m for m in point.record.meters if m.serial_number == reading.meter_serial), None)
        if meter is None:
            return refuse("meter_unknown", "No meter with this number is installed at the supply point.")
        if set(reading.values) != set(meter.registers):
            return refuse("registers_incomplete", f"A reading needs a value for each register: {', '.join(meter.registers)}.")
        for register in meter.registers:
            value = Decimal(str(reading.values[register]))
            if not value.is_finite() or value < 0:
                return refuse("value_invalid", f"Register {register}: the value must be a number of zero or more.")
            last = next(
                (r for r in reversed(point.readings)
                 if r.register == register and r.meter_serial == meter.serial_number),
                None,
            )
            if last is None:
                continue
            if reading.read_at < last.read_at:
                return refuse("reading_older_than_recorded",
                              f"A reading of {last.read_at.date().isoformat()} is already on record; this one is older.")
            if value < last.value:
                return refuse("reading_lower_than_recorded", f"Register {register}: {value} is lower than the "
                              f"previous reading {last.value} of {last.read_at.date().isoformat()}.")
        return None

    def set_anchor(self, anchor: dt.date) -> None:
        """Describe the supplier as it stood on ``anchor`` (before any data is read)."""
        with self._lock:
            if self._customers is not None:
                raise RuntimeError("the demo data has already been generated")
            self.anchor = anchor
            """The present of the data: its month is the current one (today by default)."""
            self.as_of = dt.datetime.combine(anchor, dt.time(), tzinfo=self.tz)
            """The moment the data describes: the start of the anchor day."""

    # --- generation -----------------------------------------------------------------
    def _data(self) -> dict[str, DemoCustomer]:
        if self._customers is None:
            with self._lock:
                if self._customers is None:
                    self._customers = DemoGenerator(self.profile, self.anchor, self.tz).run()
        return self._customers


_IMMUTABLE = (str, bytes, int, float, complex, bool, type(None), Decimal, dt.date, dt.time, dt.timedelta,
              dt.tzinfo, Enum, type, FunctionType, BuiltinFunctionType, MethodType)


_SHARED, _DICT, _LIST, _SET, _TUPLE, _MUTABLE, _OTHER = range(7)
_KINDS: dict[type, int] = {}
"""How :func:`_fork` copies a value, by the value's type (learnt on first sight)."""


def _kind_of(kind: type) -> int:
    if issubclass(kind, _IMMUTABLE):
        return _SHARED
    if kind is dict:
        return _DICT
    if kind is list:
        return _LIST
    if kind in (set, frozenset):
        return _SET
    if issubclass(kind, tuple):
        return _TUPLE
    if is_dataclass(kind):
        # a frozen record is never changed, only replaced
        return _SHARED if kind.__dataclass_params__.frozen else _MUTABLE  # type: ignore[attr-defined]
    return _OTHER


def _fork(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """A copy of generated data that can be changed without touching ``value``: lists, dicts,
    sets and mutable dataclasses (:class:`DemoCustomer`, :class:`DemoSupplyPoint`) are copied,
    immutable values and frozen records are shared, anything else is deep-copied. Objects
    reached twice stay one object in the copy. Takes time in proportion to what it copies."""
    kinds = _KINDS
    kind = kinds.get(type(value))
    if kind is None:
        kind = kinds.setdefault(type(value), _kind_of(type(value)))
    if kind == _SHARED:
        return value
    memo = {} if memo is None else memo
    if id(value) in memo:
        return memo[id(value)]
    copy_: Any
    if kind == _DICT:
        copy_ = memo.setdefault(id(value), {})
        copy_.update((key, _fork(item, memo)) for key, item in value.items())
    elif kind == _LIST:
        copy_ = memo.setdefault(id(value), [])
        copy_.extend(_fork(item, memo) for item in value)
    elif kind == _SET:
        copy_ = type(value)(value)  # of identifiers, numbers
    elif kind == _TUPLE:
        if all(kinds.get(type(item)) == _SHARED for item in value):
            copy_ = value  # of records and plain values (priced charges)
        else:
            items = [_fork(item, memo) for item in value]
            if all(a is b for a, b in zip(items, value, strict=True)):
                copy_ = value
            else:
                copy_ = type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    elif kind == _MUTABLE:
        copy_ = memo.setdefault(id(value), copy.copy(value))
        for item in fields(value):
            setattr(copy_, item.name, _fork(getattr(value, item.name), memo))
    else:
        copy_ = copy.deepcopy(value, memo)
    memo[id(value)] = copy_
    return copy_


class _Generated:
    """What generators made, by their class and starting state (a few, most recent last)."""

    LIMIT = 16

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: list[tuple[type, dict[str, Any], Any]] = []

    def made(self, kind: type, before: dict[str, Any]) -> Any:
        with self._lock:
            for known_kind, known_before, made in reversed(self._made):
                if known_kind is kind and _same_state(known_before, before):
                    return made
        return None

    def keep(self, kind: type, before: dict[str, Any], made: Any) -> None:
        with self._lock:
            self._made = [*self._made[-(self.LIMIT - 1):], (kind, before, made)]


def _same_state(first: dict[str, Any], second: dict[str, Any]) -> bool:
    return first.keys() == second.keys() and all(
        first[name] is second[name] or first[name] == second[name] for name in first
    )


_GENERATED = _Generated()


def forget_generated() -> None:
    """Forget the customers made so far: the next back-end generates its own anew (a test of
    determinism compares two generations, not a generation and its copy)."""
    with _GENERATED._lock:
        _GENERATED._made.clear()


class DemoGenerator:
    """Invents the customers of one profile as they stand on one anchor date.

    :meth:`run` calls :meth:`customer` for each index (which calls :meth:`supply_point` and
    :meth:`readings`), :meth:`drafts` per customer, :meth:`number` over all drafts,
    :meth:`roles`, then :meth:`settle` per customer (which calls :meth:`invoice`). A
    subclass overrides the steps its market does differently.
    """

    def __init__(self, profile: DemoProfile, anchor: dt.date, tz: dt.tzinfo) -> None:
        self.p = profile
        """The profile."""
        self.anchor = anchor
        """The present of the data."""
        self.tz = tz
        """The profile's time zone."""
        self.month0 = add_months(anchor, -profile.history_months)
        """The first month of the history."""
        self.boundaries = [add_months(self.month0, k) for k in range(profile.history_months + 1)]
        """The first day of every month from ``month0`` to the anchor's month, both included."""
        self.taken: set[str] = set()
        """Identifiers and numbers handed out so far (see :meth:`unique`)."""

    def rng(self, *parts: object) -> random.Random:
        """A random generator seeded by the profile's seed and ``parts``: the same parts, the same draws."""
        return random.Random("/".join(str(part) for part in (self.p.seed, *parts)))

    def money(self, amount: Decimal) -> Money:
        """``amount`` in the profile's currency."""
        return Money(amount, self.p.supplier.currency)

    def unique(self, make: Callable[[], str]) -> str:
        """A value of ``make()`` not handed out before (``RuntimeError`` after 1000 repeats)."""
        for _ in range(1000):
            value = make()
            if value not in self.taken:
                self.taken.add(value)
                return value
        raise RuntimeError("the profile's identifier maker keeps repeating itself")

    def run(self) -> dict[str, DemoCustomer]:
        """Every customer, by account number, in the order invented.

        Generation is deterministic and made once per process for each generator class and
        starting state (profile, anchor, time zone); a later run gets its own copy of the
        customers and of what the generator recorded on itself while making them (a subclass's
        plans or pending payments), free to change.
        """
        before = _fork(dict(vars(self)))  # the containers a run fills, still empty
        made = _GENERATED.made(type(self), before)
        if made is not None:
            after, customers = _fork(made)
            vars(self).update(after)
            return customers
        customers = self._generate()
        _GENERATED.keep(type(self), before, _fork((dict(vars(self)), customers)))
        return customers

    def _generate(self) -> dict[str, DemoCustomer]:
        """Invent the customers (what :meth:`run` does when it has no copy)."""
        customers = [self.customer(index) for index in range(self.p.customers)]
        drafts = [draft for customer in customers for draft in self.drafts(customer)]
        self.number(drafts)
        roles = self.roles()
        own: dict[int, list[InvoiceDraft]] = {id(customer): [] for customer in customers}
        for draft in drafts:  # each customer's drafts, in the order numbered
            own.get(id(draft.customer), []).append(draft)
        for customer in customers:
            self.settle(customer, own[id(customer)], roles.get(customer.index, "regular"))
        return {customer.account.number: customer for customer in customers}

    # --- who the customers are -------------------------------------------------
    def customer(self, index: int) -> DemoCustomer:
        """Customer ``index``: number, holder, address, supply points and their readings."""
        rng = self.rng("customer", index)
        p = self.p
        number = self.unique(lambda: p.make_customer_number(rng))
        locality: Locality = weighted_choice(rng, p.localities)
        street = rng.choice(locality.streets or p.streets)
        house = f"{street} {rng.randint(1, 180)}"
        if rng.random() < 0.65:
            house += f"/{rng.randint(1, 120)}"
        address = Address(house, rng.choice(locality.postcodes), locality.city, p.supplier.country)
        holder = p.make_holder_name(rng) if p.make_holder_name else f"{rng.choice(p.first_names)} {rng.choice(p.surnames)}"
        points = [self.supply_point(rng, address, p.operator(locality.electricity_operator))]
        sells_gas = any(t.commodity is Commodity.GAS for t in p.tariffs)
        if locality.gas_operator and sells_gas and rng.random() < p.gas_share:
            points.append(self.supply_point(rng, address, p.operator(locality.gas_operator)))
        account = AccountRecord(
            number=number,
            holder_name=holder,
            address=address,
            balance=self.money(Decimal("0.00")),
            updated_at=dt.datetime.combine(self.anchor, dt.time(), tzinfo=self.tz),
            bank_account=p.make_bank_account(number) if p.make_bank_account else None,
        )
        self_reader = rng.random() < p.self_reader_share or (index == 0 and bool(p.self_reading_intervals))
        customer = DemoCustomer(index, account, {sp.record.identifier: sp for sp in points}, self_reader)
        for point in points:
            self.readings(customer, point)
        return customer

    def supply_point(
        self, rng: random.Random, address: Address, operator: DistributionOperator
    ) -> DemoSupplyPoint:
        """A supply point at ``address`` on ``operator``'s network: tariff, meter, consumption."""
        tariffs = [t for t in self.p.tariffs if t.commodity is operator.commodity]
        tariff: Tariff = weighted_choice(rng, tariffs)
        identifier = self.unique(lambda: self.p.make_supply_point_id(rng, operator))
        meter = MeterRecord(
            serial_number=self.unique(lambda: self.p.make_meter_serial(rng, operator.commodity)),
            registers=tariff.registers,
            installed_on=self.installed_on(rng),
            seal_number=str(rng.randint(100_000, 999_999)),
        )
        record = SupplyPointRecord(
            identifier=identifier,
            commodity=operator.commodity,
            address=address,
            tariff=tariff.code,
            meters=(meter,),
            contracted_power_kw=rng.choice(tariff.contracted_power_kw) if tariff.contracted_power_kw else None,
            distribution_operator=operator.name,
            capabilities=operator.capabilities,
        )
        low, high = tariff.annual_consumption_kwh
        annual = rng.randint(low, high)
        cumulative: dict[str, list[int]] = {}
        history = self.rng("consumption", identifier, self.month0.isoformat())
        start = rng.randint(1_000, 40_000)
        for register, share in zip(tariff.registers, tariff.register_shares, strict=True):
            values = [start if register == tariff.registers[0] else rng.randint(1_000, 20_000)]
            for boundary in self.boundaries[:-1]:
                kwh = annual * tariff.seasonality[boundary.month - 1] / 12 * float(share)
                kwh *= history.uniform(0.85, 1.15)
                values.append(values[-1] + max(1, round(kwh / float(tariff.kwh_per_meter_unit))))
            cumulative[register] = values
        return DemoSupplyPoint(record, tariff, [], cumulative)

    def installed_on(self, rng: random.Random) -> dt.date:
        """A date in 2014-2022, so it does not move with the anchor, and before the history."""
        installed = INSTALLATIONS_FROM + dt.timedelta(days=rng.randint(0, 3286))
        return min(installed, self.month0 - dt.timedelta(days=30))

    def readings(self, customer: DemoCustomer, point: DemoSupplyPoint) -> None:
        """One reading per register at every month boundary, from the right source."""
        rng = self.rng("readings", point.record.identifier, self.anchor.strftime("%Y-%m"))
        period = self.p.billing_period_months
        can_self_read = customer.self_reader and READINGS_CAPABILITY in point.record.capabilities
        scheduled = self.self_reading_boundaries(customer, point) if self.p.self_reading_intervals else None
        for k in range(len(self.boundaries)):
            if k == 0 or (k % period == 0 and rng.random() >= self.p.estimate_share):
                self.read_meter(point, k, ReadingSource.OPERATOR, rng)
            elif k % period and (can_self_read and rng.random() < 0.8 if scheduled is None else k in scheduled):
                self.read_meter(point, k, ReadingSource.CUSTOMER, rng)
            else:
                self.read_meter(point, k, ReadingSource.ESTIMATE, rng)

    def self_reading_boundaries(self, customer: DemoCustomer, point: DemoSupplyPoint) -> frozenset[int]:
        """The month boundaries (indexes into ``boundaries``, never the first) at which
        ``customer`` reads ``point``'s meter on a schedule of their own
        (:attr:`DemoProfile.self_reading_intervals`): every few months, the interval drawn per
        customer (the first customer's is the profile's first) and the months it falls on per
        point, so that a quarterly reader keeps to the same months of the year; now and then
        one is missed. Empty for a customer who does not read their meters, at a point whose
        operator takes no readings from customers, and without a schedule. :meth:`readings`
        reads at those where no billing reading is due."""
        intervals = self.p.self_reading_intervals
        if not (intervals and customer.self_reader and READINGS_CAPABILITY in point.record.capabilities):
            return frozenset()
        identifier = point.record.identifier
        every = intervals[0] if customer.index == 0 else self.rng("self-reading-interval", customer.index).choice(intervals)
        phase = self.rng("self-reading-phase", identifier).randrange(every)
        missed = self.rng("self-readings-missed", identifier, self.anchor.strftime("%Y-%m"))
        return frozenset(
            k for k, boundary in enumerate(self.boundaries)
            if k and (boundary.year * 12 + boundary.month - phase) % every == 0
            and missed.random() >= SELF_READINGS_MISSED
        )

    def read_meter(self, point: DemoSupplyPoint, k: int, source: ReadingSource, rng: random.Random) -> None:
        """Record a reading of every register of the point's meter at boundary ``k``.

        The operator and an estimate read at midnight; a customer reads on the evening
        before (the time drawn from ``rng``), a little less than the midnight state.
        """
        meter = point.record.meters[0]
        boundary = self.boundaries[k]
        read_at = dt.datetime.combine(boundary, dt.time(), tzinfo=self.tz)
        if source is ReadingSource.CUSTOMER:
            evening = dt.time(rng.randint(17, 21), rng.randint(0, 59))
            read_at = dt.datetime.combine(boundary - dt.timedelta(days=1), evening, tzinfo=self.tz)
        for register in point.tariff.registers:
            values = point.cumulative[register]
            value = values[k]
            if source is ReadingSource.CUSTOMER:
                daily = (values[k] - values[k - 1]) / 30
                value = max(values[k - 1], value - round(daily * (24 - read_at.hour) / 24))
            point.readings.append(
                ReadingRecord(
                    supply_point=point.record.identifier,
                    meter_serial=meter.serial_number,
                    register=register,
                    read_at=read_at,
                    value=Decimal(value),
                    unit=point.tariff.meter_unit,
                    source=source,
                )
            )

    # --- what they were billed ----------------------------------------------------
    def drafts(self, customer: DemoCustomer) -> list[InvoiceDraft]:
        """One invoice per billing period and supply point of the history, not yet numbered."""
        rng = self.rng("invoices", customer.index, self.anchor.isoformat())
        period = self.p.billing_period_months
        terms = dt.timedelta(days=self.p.payments.terms_days)
        drafts: list[InvoiceDraft] = []
        for point in customer.supply_points.values():
            end_readings = {
                r.read_at.date(): r.source for r in point.readings if r.read_at.time() == dt.time()
            }
            for first in range(0, self.p.history_months, period):
                start, after = self.boundaries[first], self.boundaries[first + period]
                newest = after == self.boundaries[-1]
                issued = after + dt.timedelta(days=rng.randint(2, 7))
                if newest:
                    issued = min(max(issued, self.anchor - dt.timedelta(days=5)), self.anchor)
                kind = FORECAST if end_readings.get(after) is ReadingSource.ESTIMATE else REGULAR
                drafts.append(
                    InvoiceDraft(
                        customer=customer,
                        supply_point=point,
                        kind=kind,
                        issued_on=issued,
                        period_start=start,
                        period_end=after - dt.timedelta(days=1),
                        due_on=issued + terms,
                        priced=(priced := self.price(point, first, first + period)),
                        gross=sum((item.net + item.vat for item in priced), Decimal(0)),
                        newest=newest,
                    )
                )
        return drafts

    def price(self, point: DemoSupplyPoint, first: int, last: int) -> tuple[PricedCharge, ...]:
        """The charges of the months between boundaries ``first`` and ``last``."""
        tariff = point.tariff
        kwh = {
            register: (
                Decimal(values[last] - values[first]) * tariff.kwh_per_meter_unit
            ).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            for register, values in point.cumulative.items()
        }
        total = sum(kwh.values(), Decimal(0))
        months = Decimal(last - first)
        items = []
        for charge in tariff.charges:
            if charge.basis is ChargeBasis.MONTH:
                quantity = months
            else:
                quantity = total if charge.register is None else kwh[charge.register]
            net = _cents(quantity * charge.unit_price)
            items.append(PricedCharge(charge, quantity, net, _cents(net * self.p.vat_rate)))
        return tuple(items)

    def number(self, drafts: list[InvoiceDraft]) -> None:
        """Number the invoices in order of issue, one sequence per month of issue."""
        drafts.sort(key=lambda d: (d.issued_on, d.customer.index, d.supply_point.record.identifier))
        sequences: dict[tuple[int, int], tuple[random.Random, int]] = {}
        for draft in drafts:
            month = (draft.issued_on.year, draft.issued_on.month)
            if month not in sequences:
                rng = self.rng("invoice-numbers", *month)
                sequences[month] = (rng, rng.randint(100, 900))
            rng, sequence = sequences[month]
            sequence += rng.randint(1, 40)
            sequences[month] = (rng, sequence)
            draft.number = self.p.make_invoice_number(draft.kind, draft.issued_on, sequence)
            if draft.number in self.taken:
                raise ValueError(f"the profile made invoice number {draft.number} twice")
            self.taken.add(draft.number)

    def roles(self) -> dict[int, str]:
        """Which customers are in credit, overdue, or have started paying the newest bill."""
        behaviour = self.p.payments
        wanted = ["credit"] * behaviour.credit_customers + ["overdue"] * behaviour.overdue_customers
        wanted.append("partial")
        chosen = self.rng("roles").sample(range(self.p.customers), min(len(wanted), self.p.customers))
        return dict(zip(chosen, wanted, strict=False))

    # --- how they paid ---------------------------------------------------------------
    def settle(self, customer: DemoCustomer, drafts: list[InvoiceDraft], role: str) -> None:
        """The customer's payments, invoices and balance, as their ``role`` (:meth:`roles`) pays."""
        rng = self.rng("payments", customer.index, self.anchor.isoformat())
        behaviour = self.p.payments
        ordered = sorted(drafts, key=lambda d: d.issued_on)
        periods = sorted({d.issued_on.replace(day=1) for d in ordered})
        open_periods = set(periods[-2:]) if role == "overdue" else set()
        planned: list[tuple[dt.date, Decimal, str | None]] = []
        for draft in ordered:
            gross = draft.gross
            month = draft.issued_on.replace(day=1)
            if role == "overdue" and month in open_periods:
                if month == min(open_periods):
                    planned.append((draft.due_on - dt.timedelta(days=2), _cents(gross * Decimal("0.4")), draft.number))
                continue
            if draft.newest and role not in ("credit", "partial"):
                continue
            if draft.newest and role == "partial":
                planned.append((draft.issued_on + dt.timedelta(days=1), _cents(gross / 2), draft.number))
                continue
            if draft.newest:
                planned.append((draft.issued_on + dt.timedelta(days=1), gross, draft.number))
                continue
            chance = rng.random()
            if chance < behaviour.instalment_share:
                first = _cents(gross / 2)
                planned.append((draft.due_on - dt.timedelta(days=rng.randint(0, 5)), first, draft.number))
                planned.append((draft.due_on + dt.timedelta(days=rng.randint(5, 20)), gross - first, draft.number))
            elif chance < behaviour.instalment_share + behaviour.late_share:
                planned.append((draft.due_on + dt.timedelta(days=rng.randint(2, 30)), gross, draft.number))
            else:
                planned.append((draft.issued_on + dt.timedelta(days=rng.randint(2, behaviour.terms_days)), gross, draft.number))
        if role == "credit":
            # More than the newest bills, so the account stays in credit even before
            # they are settled from it.
            newest = sum((d.gross for d in ordered if d.newest), Decimal(0))
            extra = Decimal(rng.randint(2, 6) * 50)
            day = self.anchor - dt.timedelta(days=rng.randint(20, 120))
            planned.append((day, newest + extra, None))

        payments: list[PaymentRecord] = []
        paid: dict[str, Decimal] = {}
        for sequence, (day, amount, invoice_number) in enumerate(sorted(planned, key=lambda p: p[0])):
            if day >= self.anchor or amount <= 0:
                continue
            booked = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=self.tz)
            payments.append(
                PaymentRecord(
                    reference=f"{customer.account.number}-{booked:%Y%m%d}-{sequence:03d}",
                    booked_at=booked,
                    amount=self.money(amount),
                    invoice_number=invoice_number,
                    method=rng.choice(behaviour.methods),
                )
            )
            if invoice_number is not None:
                paid[invoice_number] = paid.get(invoice_number, Decimal(0)) + amount

        invoices = [self.invoice(draft, paid.get(draft.number, Decimal("0.00"))) for draft in ordered]
        customer.invoices = sorted(invoices, key=lambda i: (i.issued_on, i.number), reverse=True)
        customer.priced = {draft.number: draft.priced for draft in ordered}
        customer.payments = sorted(payments, key=lambda p: (p.booked_at, p.reference), reverse=True)
        balance = sum((p.amount.amount for p in payments), Decimal(0)) - sum(
            (i.gross.amount for i in invoices), Decimal(0)
        )
        customer.account = replace(customer.account, balance=self.money(balance))

    def invoice(self, draft: InvoiceDraft, paid: Decimal) -> InvoiceRecord:
        """The invoice record of a numbered draft of which ``paid`` has been paid."""
        gross = draft.gross
        status = invoice_status(gross, paid, draft.due_on, self.anchor)
        record = InvoiceRecord(
            number=draft.number,
            issued_on=draft.issued_on,
            period_start=draft.period_start,
            period_end=draft.period_end,
            due_on=draft.due_on,
            gross=self.money(gross),
            paid=self.money(_cents(paid)),
            status=status,
            supply_point=draft.supply_point.record.identifier,
            kind=draft.kind,
        )
        if self.p.make_payment_reference is None:
            return record
        return replace(record, payment_reference=self.p.make_payment_reference(draft.customer.account.number, record))
