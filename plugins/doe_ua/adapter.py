"""Дніпрообленерго's demo billing back-end: households of the Dnipro region, EIC codes, bills.

Electricity only, billed every month in hryvnias. The household price is 4.32 UAH/kWh
with VAT (20 %) included; two-zone meters pay 1.0 by day and 0.5 at night, three-zone
meters 1.5 at peak, 1.0 at half-peak and 0.4 at night. Invoices carry the net price
(4.32 / 1.2 = 3.60) and the VAT, so the gross is what the customer knows.

When the distribution operator has no reading at the end of a month, the bill is made on
average consumption (kind ``estimated``). As in the real "Особистий кабінет", the customer
may then enter the actual readings and order a bill on them: the order is taken at once,
the bill is made by the overnight job (:meth:`DoeDemoBackend.generate_ordered_bills`), and
the estimated bills it replaces are marked ``superseded`` and leave the balance (сальдо).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from core.plugin_api.billing import (
    Address,
    Commodity,
    InvoiceLabels,
    InvoiceLine,
    InvoiceRecord,
    InvoiceStatus,
    Money,
    ReadingRecord,
    ReadingSource,
    RequestSubmission,
    SellerDetails,
    SubmissionResult,
    SubmissionStatus,
    require_aware,
)
from core.plugin_api.demo import (
    FORECAST,
    READINGS_CAPABILITY,
    REGULAR,
    Charge,
    ChargeBasis,
    DemoBackend,
    DemoProfile,
    DistributionOperator,
    Locality,
    PaymentBehaviour,
    Tariff,
)
from plugins.doe_ua.identifiers import EIC_PREFIX, make_point_eic
from plugins.doe_ua.supplier import SUPPLIER

if TYPE_CHECKING:
    from core.plugin_api.demo import DemoCustomer, DemoSupplyPoint

D = Decimal
CENT = D("0.01")
KWH = "кВт·год"

ESTIMATED = "estimated"
"""Invoice kind: billed on average consumption, without an actual reading."""
SUPERSEDED = "superseded"
"""Invoice kind: an estimated bill replaced by a bill on actual readings; not owed."""
ACTUAL_BILL = "actual_bill"
"""Request type (and idempotency namespace) of "order a bill on actual readings"."""
ZONE_FIELDS = {
    "reading_total": "1.8.0",
    "reading_day": "1.8.1",
    "reading_night": "1.8.2",
    "reading_half_peak": "1.8.3",
}
"""Fields of the ``actual_bill`` request -> registers: single zone, day (peak), night, half-peak."""

# Reason codes the back-end refuses an order with, besides the core's (core.framework.rejections.REASONS);
# the customer reads the sentences of plugins.doe_ua.plugin.REJECTION_REASONS.
ALREADY_ORDERED = "actual_bill_already_ordered"
ALREADY_BILLED = "already_billed_on_actual_readings"
NOT_WHOLE_KWH = "reading_not_whole_kwh"
DATE_IN_FUTURE = "reading_date_in_future"
IMPLAUSIBLE = "consumption_implausible"

VAT_RATE = D("0.20")
HOUSEHOLD_PRICE = D("4.32")
"""UAH per kWh for households, VAT included."""


def net_price(gross: Decimal) -> Decimal:
    """The net unit price inside a VAT-inclusive one; the zone prices divide exactly."""
    net = gross / (1 + VAT_RATE)
    if net.quantize(D("0.0001")) != net:
        raise ValueError(f"{gross} UAH/kWh has no exact net price")
    net = net.quantize(D("0.0001")).normalize()
    exponent = net.as_tuple().exponent
    return net if isinstance(exponent, int) and exponent <= -2 else net.quantize(CENT)


def _energy(description: str, zone_factor: str, register: str | None = None) -> Charge:
    gross = HOUSEHOLD_PRICE * D(zone_factor)
    return Charge(description, ChargeBasis.ENERGY, net_price(gross), KWH, register)


SINGLE_ZONE = Tariff(
    code="Однозонний",
    commodity=Commodity.ELECTRICITY,
    registers=("1.8.0",),
    charges=(_energy("Електрична енергія (однозонний облік)", "1"),),
    register_names=("Цілодобово",),
    annual_consumption_kwh=(1200, 3600),
    max_daily_consumption=D("60"),
    weight=6,
)
TWO_ZONE = Tariff(
    code="Двозонний",
    commodity=Commodity.ELECTRICITY,
    registers=("1.8.1", "1.8.2"),
    register_shares=(D("0.64"), D("0.36")),
    charges=(
        _energy("Електрична енергія, день (1.8.1)", "1", "1.8.1"),
        _energy("Електрична енергія, ніч (1.8.2)", "0.5", "1.8.2"),
    ),
    register_names=("День", "Ніч"),
    annual_consumption_kwh=(2400, 6000),
    max_daily_consumption=D("100"),
    weight=3,
)
THREE_ZONE = Tariff(
    code="Тризонний",
    commodity=Commodity.ELECTRICITY,
    registers=("1.8.1", "1.8.2", "1.8.3"),
    register_shares=(D("0.22"), D("0.38"), D("0.40")),
    charges=(
        _energy("Електрична енергія, пік (1.8.1)", "1.5", "1.8.1"),
        _energy("Електрична енергія, ніч (1.8.2)", "0.4", "1.8.2"),
        _energy("Електрична енергія, напівпік (1.8.3)", "1", "1.8.3"),
    ),
    register_names=("Пік", "Ніч", "Напівпік"),
    annual_consumption_kwh=(3000, 7200),
    max_daily_consumption=D("120"),
    weight=1,
)
TARIFFS = (SINGLE_ZONE, TWO_ZONE, THREE_ZONE)

OPERATOR = DistributionOperator(
    "ПАТ «Дніпрообленерго»", Commodity.ELECTRICITY, "", frozenset({READINGS_CAPABILITY})
)

DNIPRO_STREETS = (
    "просп. Дмитра Яворницького", "вул. Троїцька", "вул. Січеславська Набережна",
    "просп. Слобожанський", "вул. Робоча", "вул. Калинова", "просп. Олександра Поля",
    "вул. Старокозацька", "вул. Володимира Мономаха", "вул. Європейська",
    "просп. Богдана Хмельницького", "вул. Набережна Перемоги", "просп. Героїв", "вул. Гоголя",
)
STREETS = (
    "вул. Шевченка", "вул. Центральна", "вул. Соборна", "вул. Садова", "вул. Лесі Українки",
    "вул. Івана Франка", "вул. Гетьманська", "вул. Нова", "вул. Шкільна", "вул. Степова",
    "вул. Козацька", "вул. Паркова",
)
LOCALITIES = (
    Locality(
        "Дніпро",
        ("49000", "49005", "49006", "49008", "49010", "49018", "49027", "49038", "49044",
         "49051", "49064", "49069", "49083", "49089", "49101", "49127"),
        OPERATOR.name, None, DNIPRO_STREETS, weight=14,
    ),
    Locality("Кривий Ріг", ("50000", "50002", "50027", "50042", "50069", "50086"), OPERATOR.name, weight=4),
    Locality("Кам'янське", ("51900", "51925", "51931", "51935"), OPERATOR.name, weight=2),
    Locality("Нікополь", ("53200", "53213"), OPERATOR.name),
    Locality("Павлоград", ("51400", "51411"), OPERATOR.name),
    Locality("Самар", ("51200", "51217"), OPERATOR.name),
    Locality("Жовті Води", ("52200", "52210"), OPERATOR.name),
    Locality("Підгородне", ("52001",), OPERATOR.name),
)

FIRST_NAMES = (
    "Олена", "Наталія", "Тетяна", "Ірина", "Оксана", "Світлана", "Людмила", "Валентина",
    "Марія", "Галина", "Олександр", "Сергій", "Андрій", "Володимир", "Микола", "Віктор",
    "Юрій", "Дмитро", "Іван", "Василь", "Олег", "Петро",
)
SURNAMES = (  # forms that do not change with the holder's gender
    "Шевченко", "Бондаренко", "Коваленко", "Ткаченко", "Кравченко", "Олійник", "Мельник",
    "Ковальчук", "Поліщук", "Савчук", "Марченко", "Лисенко", "Руденко", "Петренко",
    "Гончаренко", "Кузьменко", "Мороз", "Литвиненко", "Павленко", "Харченко", "Сидоренко",
    "Левченко", "Ткачук", "Бойко", "Кравчук",
)

INVOICE_LABELS = InvoiceLabels.in_language(
    "uk",
    titles={
        REGULAR: "Рахунок за електричну енергію",
        ESTIMATED: "Рахунок за електричну енергію (за середнім споживанням)",
        SUPERSEDED: "Рахунок анульовано: замінено рахунком за фактичними показаннями",
    },
    supply_point="EIC-код точки обліку",
    tariff="Облік",
)


SELLER = SellerDetails(
    legal_name="ТОВ «Дніпрообленерго Постачання»",
    address=Address("вул. Січеславська Набережна, 17", "49000", "Дніпро", "UA"),
    vat_id="431052704658",
    company_id="43105276",
    bank_account="UA273052990000026009876543210",
)
"""The seller on the demo bills: an invented код ЄДРПОУ and IBAN whose check digits are right,
and an ІПН of the usual shape (the code's first seven digits, the region's 04, the office, a digit)."""


def make_payment_reference(account_number: str, invoice: InvoiceRecord) -> str:
    """Призначення платежу: what is paid for, and the personal account."""
    return f"Оплата за електричну енергію, о/р {account_number}"


def make_supply_point_id(rng: random.Random, operator: DistributionOperator) -> str:
    """``62Z``, the operator's prefix, a serial, the ENTSO-E check character."""
    while True:
        serial = "".join(rng.choice("0123456789") for _ in range(12 - len(operator.identifier_prefix)))
        code = make_point_eic(f"{EIC_PREFIX}{operator.identifier_prefix}{serial}")
        if code is not None:
            return code


def make_customer_number(rng: random.Random) -> str:
    """The ten-digit personal account (особовий рахунок)."""
    return str(rng.randint(10**9, 10**10 - 1))


def make_meter_serial(rng: random.Random, commodity: Commodity) -> str:
    """Factory numbers of household meters: 8, 10 or 13 digits, leading zeros kept."""
    length = rng.choice((8, 10, 10, 13))
    return "".join(rng.choice("0123456789") for _ in range(length))


def make_invoice_number(kind: str, issued_on: dt.date, sequence: int) -> str:
    """``F-202603-000123`` on actual readings, ``E-...`` on average consumption."""
    prefix = "E" if kind in (FORECAST, ESTIMATED) else "F"
    return f"{prefix}-{issued_on:%Y%m}-{sequence:06d}"


def make_identity(backend: DemoBackend, account_number: str) -> dict[str, Any]:
    """The personal account and the meter number, as on the bill and the meter's plate."""
    meter = backend.supply_points(account_number)[0].meters[0]
    return {"account_number": account_number, "meter_serial": meter.serial_number}


DOE_PROFILE = DemoProfile(
    supplier=SUPPLIER,
    seed=20_110_808,
    first_names=FIRST_NAMES,
    surnames=SURNAMES,
    streets=STREETS,
    localities=LOCALITIES,
    operators=(OPERATOR,),
    tariffs=TARIFFS,
    vat_rate=VAT_RATE,
    make_supply_point_id=make_supply_point_id,
    make_customer_number=make_customer_number,
    make_invoice_number=make_invoice_number,
    make_identity=make_identity,
    make_meter_serial=make_meter_serial,
    billing_period_months=1,
    gas_share=0.0,
    estimate_share=0.2,
    payments=PaymentBehaviour(terms_days=15, methods=("card", "card", "transfer", "cash")),
    invoice_labels=INVOICE_LABELS,
    invoice_locale="uk_UA",
    invoice_date_format="dd.MM.yyyy",
    supplier_details=("Демонстраційні дані: документ не є рахунком до сплати.",),
    seller=SELLER,
    make_payment_reference=make_payment_reference,
    invoice_readings=True,
)


def ukrainian_address(address: Address) -> Address:
    """``вул. Троїцька, 12, кв. 45`` rather than ``вул. Троїцька 12/45``."""
    street, _, house = address.street.rpartition(" ")
    if not street or not house[:1].isdigit():
        return address
    number, _, flat = house.partition("/")
    line = f"{street}, {number}" + (f", кв. {flat}" if flat else "")
    return replace(address, street=line)


@dataclass(frozen=True)
class ActualBillOrder:
    """An accepted order, waiting for the overnight job."""

    reference: str
    account_number: str
    supply_point: str
    read_on: dt.date
    values: dict[str, Decimal]
    ordered_at: dt.datetime


class DoeDemoBackend(DemoBackend):
    """Дніпрообленерго's billing system as the demo and the tests see it."""

    def __init__(self, anchor: dt.date | None = None) -> None:
        super().__init__(DOE_PROFILE, anchor)
        self._prepared = False
        self._orders: list[ActualBillOrder] = []
        self._ordered_lines: dict[str, tuple[InvoiceLine, ...]] = {}
        self._ordered_values: dict[str, dict[str, Decimal]] = {}
        self._ordered_sequence: dict[tuple[int, int], int] = {}
        self._order_counter = 0

    # --- the contract, with the actual-bill request -------------------------
    def submit_request(self, request: RequestSubmission, idempotency_key: str) -> SubmissionResult:
        """Every request is filed; an ``actual_bill`` request also orders the bill."""
        if request.request_type != ACTUAL_BILL:
            return super().submit_request(request, idempotency_key)
        data = request.data or {}
        readings = data.get("readings")
        if readings is None:
            readings = {register: data[name] for name, register in ZONE_FIELDS.items() if data.get(name) is not None}
        return self.order_actual_bill(
            request.account_number,
            readings,
            idempotency_key,
            supply_point=data.get("supply_point"),
            read_on=data.get("read_on"),
        )

    # --- "order a bill on actual readings" --------------------------------
    def order_actual_bill(
        self,
        account_number: str,
        readings: Mapping[str, Any] | None,
        idempotency_key: str,
        *,
        supply_point: str | None = None,
        read_on: dt.date | str | None = None,
        ordered_at: dt.datetime | None = None,
    ) -> SubmissionResult:
        """Take the actual readings and order a bill on them; the same key orders once.

        ``readings`` maps each register of the meter (``1.8.0``, or ``1.8.1``/``1.8.2``
        and ``1.8.3`` by zone) to a whole number of kWh; ``read_on`` is the day they were
        read (today when not given). The bill is made later by
        :meth:`generate_ordered_bills`.
        """
        customer = self._customer(account_number)
        ordered_at = require_aware(ordered_at) if ordered_at else dt.datetime.now(self.tz)
        with self._lock:
            known = self._results.get((ACTUAL_BILL, idempotency_key))
            if known is not None:
                return replace(known, duplicate=True)
            point = self._point_of(customer, supply_point)
            day = self._reading_day(read_on, ordered_at)
            values, refusal = self._whole_values(readings)
            if point is None:
                refusal = SubmissionResult.rejected(
                    "supply_point_unknown", "The supply point does not belong to this account.")
            elif day is None:
                refusal = SubmissionResult.rejected("reading_date_invalid", "The reading date is not a valid date.")
            elif refusal is None:
                refusal = self._order_problem(customer, point, day, values, ordered_at)
            if refusal is not None or point is None or day is None:
                self._results[(ACTUAL_BILL, idempotency_key)] = refusal
                return refusal
            self._order_counter += 1
            reference = f"ZR-{self._order_counter:06d}"
            identifier = point.record.identifier
            self._orders.append(ActualBillOrder(reference, customer.account.number, identifier, day, values, ordered_at))
            self._record_readings(point, day, values, ordered_at)
            request = RequestSubmission(
                customer.account.number,
                ACTUAL_BILL,
                {"supply_point": identifier, "read_on": day.isoformat(),
                 "readings": {register: int(value) for register, value in values.items()}},
            )
            customer.requests.append((reference, request))
            self._changes().append(customer.account.number)  # its readings changed
            result = SubmissionResult(SubmissionStatus.ACCEPTED, reference)
            self._results[(ACTUAL_BILL, idempotency_key)] = result
            return result

    def pending_orders(self) -> list[ActualBillOrder]:
        """Orders the overnight job has not billed yet, oldest first."""
        with self._lock:
            return list(self._orders)

    def generate_ordered_bills(self, now: dt.datetime) -> list[InvoiceRecord]:
        """Make the bills ordered up to ``now`` (the overnight job); each order once."""
        require_aware(now)
        made: list[InvoiceRecord] = []
        with self._lock:
            due = [order for order in self._orders if order.ordered_at <= now]
            self._orders = [order for order in self._orders if order.ordered_at > now]
            for order in due:
                made.append(self._bill(order, now))
        return made

    # --- helpers of the order -------------------------------------------------
    def _reading_day(self, read_on: dt.date | str | None, ordered_at: dt.datetime) -> dt.date | None:
        if read_on is None:
            return ordered_at.astimezone(self.tz).date()
        if isinstance(read_on, dt.datetime):
            return read_on.astimezone(self.tz).date()
        if isinstance(read_on, dt.date):
            return read_on
        try:
            return dt.date.fromisoformat(str(read_on))
        except ValueError:
            return None

    @staticmethod
    def _point_of(customer: DemoCustomer, identifier: str | None) -> DemoSupplyPoint | None:
        if identifier is None:
            points = list(customer.supply_points.values())
            return points[0] if len(points) == 1 else None
        return customer.supply_points.get(identifier.strip().upper())

    @staticmethod
    def _whole_values(readings: Mapping[str, Any] | None) -> tuple[dict[str, Decimal], SubmissionResult | None]:
        """The readings as whole kWh by register, or the refusal of the order."""
        if not isinstance(readings, Mapping):
            return {}, SubmissionResult.rejected("registers_incomplete", "The order carries no readings.")
        values: dict[str, Decimal] = {}
        for register, raw in readings.items():
            try:
                value: Decimal | None = Decimal(str(raw))
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite() or value < 0 or value != value.to_integral_value():
                return {}, SubmissionResult.rejected(
                    NOT_WHOLE_KWH, f"Register {register}: the value must be a whole number of kWh.")
            values[str(register)] = value.quantize(D(1))
        return values, None

    def _order_problem(
        self,
        customer: DemoCustomer,
        point: DemoSupplyPoint,
        day: dt.date,
        values: dict[str, Decimal],
        ordered_at: dt.datetime,
    ) -> SubmissionResult | None:
        """The refusal of this order (a reason code and the back-end's words), or ``None``
        when the back-end takes it."""
        refuse = SubmissionResult.rejected
        identifier = point.record.identifier
        if any(order.supply_point == identifier for order in self._orders):
            return refuse(ALREADY_ORDERED,
                          "A bill on actual readings is already ordered for this supply point; it is made overnight.")
        registers = point.record.meters[0].registers
        if set(values) != set(registers):
            return refuse("registers_incomplete", "A bill on actual readings needs a value for each zone of the "
                          f"meter: {', '.join(registers)}.")
        if day > ordered_at.astimezone(self.tz).date():
            return refuse(DATE_IN_FUTURE, "The reading date is in the future.")
        start, basis = self._basis(customer, point)
        if day < start:
            return refuse(ALREADY_BILLED, f"Consumption up to {(start - dt.timedelta(days=1)).isoformat()} "
                          "is already billed on actual readings.")
        for register in registers:
            if values[register] < basis[register]:
                return refuse("reading_lower_than_recorded", f"Register {register}: {values[register]} is lower "
                              f"than the reading {basis[register]} of {start.isoformat()} the last bill was based on.")
        limit = point.tariff.max_daily_consumption
        days = (day - start).days + 1
        if limit is not None and sum(values[r] - basis[r] for r in registers) > limit * days:
            return refuse(IMPLAUSIBLE, f"The consumption is implausibly high for {days} days; check the readings.")
        return None

    def _basis(self, customer: DemoCustomer, point: DemoSupplyPoint) -> tuple[dt.date, dict[str, Decimal]]:
        """Where billing on actual readings stopped: the day after, and the values then."""
        identifier = point.record.identifier
        registers = point.record.meters[0].registers
        for invoice in customer.invoices:  # newest first
            if invoice.supply_point != identifier or invoice.kind in (ESTIMATED, SUPERSEDED):
                continue
            start = invoice.period_end + dt.timedelta(days=1)
            if invoice.number in self._ordered_values:
                return start, dict(self._ordered_values[invoice.number])
            values = self._midnight_values(point, start)
            if set(values) == set(registers):
                return start, values
        first = min(r.read_at for r in point.readings if r.source is ReadingSource.OPERATOR)
        return first.date(), self._midnight_values(point, first.date())

    def _midnight_values(self, point: DemoSupplyPoint, day: dt.date) -> dict[str, Decimal]:
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=self.tz)
        return {
            r.register: r.value
            for r in point.readings
            if r.read_at == midnight and r.source is ReadingSource.OPERATOR
        }

    def _record_readings(
        self, point: DemoSupplyPoint, day: dt.date, values: dict[str, Decimal], ordered_at: dt.datetime
    ) -> None:
        """The customer's readings join the meter's history, in date order."""
        local = ordered_at.astimezone(self.tz)
        read_at = local if local.date() == day else dt.datetime.combine(day, dt.time(21, 0), tzinfo=self.tz)
        meter = point.record.meters[0]
        for register in meter.registers:
            record = ReadingRecord(
                supply_point=point.record.identifier,
                meter_serial=meter.serial_number,
                register=register,
                read_at=read_at,
                value=values[register],
                unit=point.tariff.meter_unit,
                source=ReadingSource.CUSTOMER,
            )
            bisect.insort(point.readings, record, key=lambda r: r.read_at)

    def _bill(self, order: ActualBillOrder, now: dt.datetime) -> InvoiceRecord:
        """The bill on actual readings; the estimated bills it replaces are superseded."""
        customer = self._customer(order.account_number)
        point = customer.supply_points[order.supply_point]
        start, basis = self._basis(customer, point)
        lines = self._price(point.tariff, {r: order.values[r] - basis[r] for r in order.values})
        gross = sum((line.gross.amount for line in lines), D(0))
        replaced = [
            invoice
            for invoice in customer.invoices
            if invoice.supply_point == order.supply_point
            and invoice.kind == ESTIMATED
            and start <= invoice.period_start <= order.read_on
        ]
        credit = sum((invoice.paid.amount for invoice in replaced), D(0))
        paid = min(gross, credit)
        issued = now.astimezone(self.tz).date()
        if paid >= gross:
            status = InvoiceStatus.PAID
        else:
            status = InvoiceStatus.PARTIALLY_PAID if paid > 0 else InvoiceStatus.UNPAID
        invoice = InvoiceRecord(
            number=self._ordered_number(issued),
            issued_on=issued,
            period_start=start,
            period_end=order.read_on,
            due_on=issued + dt.timedelta(days=self.profile.payments.terms_days),
            gross=Money(gross, self.currency),
            paid=Money(paid, self.currency),
            status=status,
            supply_point=order.supply_point,
            kind=REGULAR,
        )
        invoice = replace(invoice, payment_reference=make_payment_reference(order.account_number, invoice))
        self._ordered_lines[invoice.number] = lines
        self._ordered_values[invoice.number] = dict(order.values)
        numbers = {r.number for r in replaced}
        # A superseded bill is closed: nothing more is owed on it. The contract has no
        # "cancelled" status, so it is "paid"; the payments made on it count towards the
        # new bill through the balance.
        invoices = [
            replace(i, kind=SUPERSEDED, status=InvoiceStatus.CANCELLED) if i.number in numbers else i
            for i in customer.invoices
        ]
        invoices.append(invoice)
        customer.invoices = sorted(invoices, key=lambda i: (i.issued_on, i.number), reverse=True)
        self._drop_estimates(point, replaced)
        self._rebalance(customer, now)
        self._changes().append(customer.account.number)  # the sync picks the new bill up
        return invoice

    def _price(self, tariff: Tariff, kwh: dict[str, Decimal]) -> tuple[InvoiceLine, ...]:
        lines = []
        for charge in tariff.charges:
            if charge.basis is ChargeBasis.MONTH:
                continue  # household bills here carry no fixed monthly charge
            quantity = sum(kwh.values(), D(0)) if charge.register is None else kwh[charge.register]
            net = (quantity * charge.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
            vat = (net * VAT_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
            lines.append(
                InvoiceLine(
                    description=charge.description,
                    quantity=quantity,
                    unit=charge.unit,
                    unit_price=charge.unit_price,
                    net=Money(net, self.currency),
                    vat=Money(vat, self.currency),
                    gross=Money(net + vat, self.currency),
                    vat_rate=VAT_RATE,
                )
            )
        return tuple(lines)

    def _ordered_number(self, issued: dt.date) -> str:
        """``Z-202603-000001``: ordered bills have a sequence of their own per month."""
        month = (issued.year, issued.month)
        self._ordered_sequence[month] = self._ordered_sequence.get(month, 0) + 1
        return f"Z-{issued:%Y%m}-{self._ordered_sequence[month]:06d}"

    def _drop_estimates(self, point: DemoSupplyPoint, replaced: list[InvoiceRecord]) -> None:
        """The estimated readings behind superseded bills are no longer on record."""
        ends = {
            dt.datetime.combine(i.period_end + dt.timedelta(days=1), dt.time(), tzinfo=self.tz)
            for i in replaced
        }
        point.readings[:] = [
            r for r in point.readings if not (r.source is ReadingSource.ESTIMATE and r.read_at in ends)
        ]

    def _rebalance(self, customer: DemoCustomer, now: dt.datetime) -> None:
        """Сальдо: payments minus every bill still owed (superseded ones are not)."""
        paid = sum((p.amount.amount for p in customer.payments), D(0))
        billed = sum((i.gross.amount for i in customer.invoices if i.kind != SUPERSEDED), D(0))
        customer.account = replace(
            customer.account, balance=Money(paid - billed, self.currency), updated_at=now
        )

    # --- generated data, in this supplier's words ------------------------------
    def _lines(self, customer: DemoCustomer, invoice_number: str) -> tuple[InvoiceLine, ...]:
        if invoice_number in self._ordered_lines:
            return self._ordered_lines[invoice_number]
        return super()._lines(customer, invoice_number)

    def _data(self) -> dict[str, DemoCustomer]:
        """The generated customers, once relabelled: estimated kinds, Ukrainian addresses."""
        customers = super()._data()
        if not self._prepared:
            with self._lock:
                if not self._prepared:
                    for customer in customers.values():
                        self._prepare(customer)
                    self._prepared = True
        return customers

    @staticmethod
    def _prepare(customer: DemoCustomer) -> None:
        address = ukrainian_address(customer.account.address)
        customer.account = replace(customer.account, address=address)
        for point in customer.supply_points.values():
            point.record = replace(point.record, address=address)
        customer.invoices = [
            replace(invoice, kind=ESTIMATED) if invoice.kind == FORECAST else invoice
            for invoice in customer.invoices
        ]
