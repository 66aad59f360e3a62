"""ČEZ's demo billing back-end: Czech customers, EAN/EIC codes, advances and settlements.

Czech households do not get a bill every month or two: they pay monthly advances
(zálohy) set from the expected consumption, the distributor reads the meter once a year,
and a settlement invoice (vyúčtování) bills the year's real consumption less the
advances: an overpayment (přeplatek) goes back to the customer, an underpayment
(nedoplatek) is paid. After each settlement the advance is set anew. Customers who read
their own meter hand in a self-reading (samoodečet) at the price change on 1 January,
otherwise the distributor estimates the state for that day; most of them also send one
through the portal every month, some every quarter, so their consumption shows month by
month and winter apart from summer.

Prices are net, close to Czech household price lists of 2025 (supplier's energy,
distribution per sazba and breaker, system services, renewables support, electricity
tax); VAT is 21 %. Distributors and their areas are real; the area digits inside EIC
codes and the serials of EAN codes are illustrative, the check digits are real.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from core.plugin_api.billing import (
    Address,
    Commodity,
    InvoiceLabels,
    InvoiceRecord,
    InvoiceStatus,
    Money,
    PaymentRecord,
    ReadingSource,
    SellerDetails,
    SupplyPointRecord,
)
from core.plugin_api.demo import (
    READINGS_CAPABILITY,
    Charge,
    ChargeBasis,
    DemoBackend,
    DemoGenerator,
    DemoProfile,
    DistributionOperator,
    InvoiceDraft,
    Locality,
    PaymentBehaviour,
    PricedCharge,
    Tariff,
    add_months,
    weighted_choice,
)
from plugins.cez_cz.codes import (
    AREA_DIGITS,
    CEZ_DISTRIBUCE,
    EGD,
    GASNET,
    PPD,
    PRE_DISTRIBUCE,
    breaker_for_power,
    make_ean,
    make_eic,
)
from plugins.cez_cz.supplier import ADVANCE, SETTLEMENT, SUPPLIER
from plugins.cez_cz.workdays import next_working_day

if TYPE_CHECKING:
    from core.plugin_api.demo import DemoCustomer, DemoSupplyPoint

D = Decimal
CENT = D("0.01")
VAT_RATE = D("0.21")


ADVANCE_DUE_DAY = 15
ADVANCE_ISSUE_DAY = 10
"""Advances fall due on the 15th; each is prescribed on the 10th of the month before."""
SETTLEMENT_TERMS_DAYS = 14
ADVANCE_STEP = D("10")
"""Advances are whole crowns, rounded up to tens."""

_KWH = "kWh"
_MONTH = "měs."


def _per_kwh(description: str, price: str, register: str | None = None) -> Charge:
    return Charge(description, ChargeBasis.ENERGY, D(price), _KWH, register)


def _per_month(description: str, price: str) -> Charge:
    return Charge(description, ChargeBasis.MONTH, D(price), _MONTH)


def _breakers(*labels: str) -> tuple[Decimal, ...]:
    """Contracted power (kW) of breakers written ``3x25``: phases x amperes x 230 V."""
    powers = []
    for label in labels:
        phases, amperes = (int(part) for part in label.split("x"))
        powers.append((D(phases * amperes * 230) / 1000).quantize(CENT))
    return tuple(powers)


_ELECTRICITY_COMMON = (
    _per_kwh("Systémové služby", "0.1710"),
    _per_kwh("Podpora elektřiny z podporovaných zdrojů (POZE)", "0.4950"),
    _per_kwh("Daň z elektřiny", "0.0283"),
    _per_month("Stálý měsíční plat za dodávku", "124.00"),
    _per_month("Činnost operátora trhu", "4.23"),
)
_SINGLE = ("1.8.0",)
_TWO = ("1.8.1", "1.8.2")
_HEATING_SEASONALITY = (1.80, 1.60, 1.30, 0.90, 0.55, 0.40, 0.35, 0.35, 0.50, 0.90, 1.40, 1.95)


def _electricity_tariff(
    code: str, registers: tuple[str, ...], energy: tuple[Charge, ...], *, consumption: tuple[int, int],
    breakers: tuple[str, ...], max_daily: str, **more: Any,
) -> Tariff:
    """A household sazba: its energy and distribution prices, then what every point pays."""
    return Tariff(
        code=code,
        commodity=Commodity.ELECTRICITY,
        registers=registers,
        charges=(*energy, *_ELECTRICITY_COMMON),
        annual_consumption_kwh=consumption,
        contracted_power_kw=_breakers(*breakers),
        max_daily_consumption=D(max_daily),
        **more,
    )


def _single_rate(code: str, energy: str, distribution: str, **tariff: Any) -> Tariff:
    """A single-rate sazba (D01d, D02d)."""
    charges = (_per_kwh("Silová elektřina", energy), _per_kwh("Distribuce elektřiny", distribution))
    return _electricity_tariff(code, _SINGLE, charges, **tariff)


def _two_rate(
    code: str, shares: tuple[str, str], energy: tuple[str, str], distribution: tuple[str, str], **tariff: Any
) -> Tariff:
    """A two-rate sazba: high (VT) and low (NT) tariff prices, ``shares`` of the use in each."""
    charges = (
        _per_kwh("Silová elektřina – vysoký tarif (VT)", energy[0], "1.8.1"),
        _per_kwh("Silová elektřina – nízký tarif (NT)", energy[1], "1.8.2"),
        _per_kwh("Distribuce elektřiny – VT", distribution[0], "1.8.1"),
        _per_kwh("Distribuce elektřiny – NT", distribution[1], "1.8.2"),
    )
    return _electricity_tariff(code, _TWO, charges, register_shares=(D(shares[0]), D(shares[1])), **tariff)


D01D = _single_rate(
    "D01d", "2.4500", "2.2000", consumption=(800, 1800), breakers=("1x25", "3x16", "3x20", "3x25"), max_daily="30",
    weight=2,
)
D02D = _single_rate(
    "D02d", "2.4500", "1.5500", consumption=(1800, 4500), breakers=("3x20", "3x25", "3x32"), max_daily="60", weight=4,
)
D25D = _two_rate(
    "D25d", ("0.60", "0.40"), energy=("2.6500", "2.2500"), distribution=("1.6400", "0.2450"),
    consumption=(3000, 6000), breakers=("3x25", "3x32"), max_daily="80", weight=2,
)
D45D = _two_rate(
    "D45d", ("0.15", "0.85"), energy=("2.8000", "2.4000"), distribution=("1.7000", "0.2350"),
    consumption=(8000, 16000), breakers=("3x25", "3x32", "3x40"), max_daily="250", seasonality=_HEATING_SEASONALITY,
)
D56D = _two_rate(
    "D56d", ("0.10", "0.90"), energy=("2.8500", "2.4000"), distribution=("1.7000", "0.2200"),
    consumption=(6000, 14000), breakers=("3x25", "3x32", "3x40"), max_daily="200", seasonality=_HEATING_SEASONALITY,
)

BREAKER_PRICE_PER_AMPERE: dict[str, Decimal] = {
    "D01d": D("2.60"),
    "D02d": D("2.60"),
    "D25d": D("3.10"),
    "D45d": D("5.20"),
    "D56d": D("5.60"),
}
"""Monthly distribution charge per ampere and phase of the main circuit breaker."""

_GAS_KWH_PER_M3 = D("10.6")
_GAS_SEASONALITY = (1.75, 1.55, 1.30, 0.90, 0.55, 0.40, 0.35, 0.35, 0.50, 0.95, 1.40, 2.00)
_COOKING_SEASONALITY = (1.10, 1.08, 1.04, 1.00, 0.95, 0.90, 0.88, 0.90, 0.95, 1.02, 1.06, 1.12)


def _gas_tariff(
    band: str, low: int, high: int, commodity: str, distribution: str, capacity: str,
    max_daily: str, seasonality: tuple[float, ...], weight: int = 1,
) -> Tariff:
    """A gas tariff of one annual consumption band (pásmo odběru)."""
    return Tariff(
        code=band,
        commodity=Commodity.GAS,
        registers=("volume",),
        charges=(
            _per_kwh("Zemní plyn – komodita", commodity),
            _per_kwh("Distribuce plynu", distribution),
            _per_month("Stálý měsíční plat za dodávku", "89.00"),
            _per_month("Stálý plat za distribuční kapacitu", capacity),
            _per_month("Činnost operátora trhu", "1.93"),
        ),
        annual_consumption_kwh=(low, high),
        meter_unit="m3",
        kwh_per_meter_unit=_GAS_KWH_PER_M3,
        seasonality=seasonality,
        max_daily_consumption=D(max_daily),
        weight=weight,
    )


GAS_UP_TO_1_89 = _gas_tariff("do 1,89 MWh", 700, 1850, "1.4500", "0.9500", "10.00", "3", _COOKING_SEASONALITY)
GAS_UP_TO_7_56 = _gas_tariff("1,89–7,56 MWh", 2500, 7400, "1.3000", "0.4500", "95.00", "8", _GAS_SEASONALITY, 2)
GAS_UP_TO_15 = _gas_tariff("7,56–15 MWh", 8000, 14800, "1.2500", "0.3500", "150.00", "15", _GAS_SEASONALITY, 2)
GAS_UP_TO_20 = _gas_tariff("15–20 MWh", 15200, 19800, "1.2500", "0.3300", "210.00", "20", _GAS_SEASONALITY)

ELECTRICITY_TARIFFS = (D01D, D02D, D25D, D45D, D56D)
GAS_TARIFFS = (GAS_UP_TO_1_89, GAS_UP_TO_7_56, GAS_UP_TO_15, GAS_UP_TO_20)
TARIFFS = ELECTRICITY_TARIFFS + GAS_TARIFFS
TARIFFS_BY_CODE = {tariff.code: tariff for tariff in TARIFFS}

_EVERYONE_READS = frozenset({READINGS_CAPABILITY})
OPERATORS = (
    DistributionOperator(CEZ_DISTRIBUCE, Commodity.ELECTRICITY, "".join(AREA_DIGITS[CEZ_DISTRIBUCE]), _EVERYONE_READS),
    DistributionOperator(EGD, Commodity.ELECTRICITY, "".join(AREA_DIGITS[EGD]), _EVERYONE_READS),
    DistributionOperator(PRE_DISTRIBUCE, Commodity.ELECTRICITY, "".join(AREA_DIGITS[PRE_DISTRIBUCE]), _EVERYONE_READS),
    DistributionOperator(GASNET, Commodity.GAS, "600", _EVERYONE_READS),
    DistributionOperator(PPD, Commodity.GAS, "100", _EVERYONE_READS),
)
"""Every Czech distributor takes self-readings; the prefix is the EAN area digits or EIC area."""

STREETS = (
    "Masarykova", "Husova", "Palackého", "Nádražní", "Komenského", "Smetanova", "Tyršova",
    "Jiráskova", "Havlíčkova", "Žižkova", "Nerudova", "Školní", "Zahradní", "Lipová",
    "Polní", "Sadová", "Družstevní", "Na Výsluní",
)
LOCALITIES = (
    Locality(
        "Praha",
        ("110 00", "120 00", "130 00", "140 00", "150 00", "160 00", "170 00", "180 00", "190 00"),
        PRE_DISTRIBUCE, PPD,
        ("Vinohradská", "Korunní", "Táborská", "Sokolovská", "Bělehradská", "Nuselská",
         "Milady Horákové", "Na Pankráci", "Štefánikova", "Kubelíkova", "Jugoslávských partyzánů"),
        weight=6,
    ),
    Locality(
        "Brno", ("602 00", "612 00", "615 00", "616 00", "625 00", "638 00"), EGD, GASNET,
        ("Kounicova", "Lidická", "Cejl", "Křenová", "Vídeňská", "Bayerova", "Slovákova"), weight=4,
    ),
    Locality(
        "Ostrava", ("700 30", "702 00", "708 00", "710 00"), CEZ_DISTRIBUCE, GASNET,
        ("Nádražní", "Českobratrská", "28. října", "Hlavní třída", "Výškovická", "Opavská"), weight=4,
    ),
    Locality(
        "Plzeň", ("301 00", "312 00", "323 00", "326 00"), CEZ_DISTRIBUCE, GASNET,
        ("Klatovská třída", "Americká", "Slovanská", "Karlovarská", "Lochotínská"), weight=3,
    ),
    Locality("Hradec Králové", ("500 02", "500 03", "500 09"), CEZ_DISTRIBUCE, GASNET, weight=2),
    Locality("Ústí nad Labem", ("400 01", "400 11"), CEZ_DISTRIBUCE, GASNET),
    Locality("Olomouc", ("779 00",), CEZ_DISTRIBUCE, GASNET, weight=2),
    Locality("Liberec", ("460 01", "460 07"), CEZ_DISTRIBUCE, GASNET),
    Locality("Kladno", ("272 01",), CEZ_DISTRIBUCE, GASNET),
    Locality("Pardubice", ("530 02", "530 03"), CEZ_DISTRIBUCE, GASNET),
    Locality("České Budějovice", ("370 01", "370 05"), EGD),
    Locality("Znojmo", ("669 02",), EGD, GASNET),
)

FEMALE_FIRST_NAMES = (
    "Jana", "Marie", "Eva", "Hana", "Anna", "Lenka", "Kateřina", "Lucie", "Věra", "Alena",
    "Petra", "Veronika", "Martina", "Tereza",
)
MALE_FIRST_NAMES = (
    "Jiří", "Jan", "Petr", "Josef", "Pavel", "Martin", "Tomáš", "Jaroslav", "Miroslav",
    "Zdeněk", "Václav", "Michal", "František", "Lukáš", "Jakub",
)
SURNAMES = (  # (his, hers): Czech surnames change with the holder's gender
    ("Novák", "Nováková"), ("Svoboda", "Svobodová"), ("Novotný", "Novotná"),
    ("Dvořák", "Dvořáková"), ("Černý", "Černá"), ("Procházka", "Procházková"),
    ("Kučera", "Kučerová"), ("Veselý", "Veselá"), ("Horák", "Horáková"), ("Němec", "Němcová"),
    ("Pokorný", "Pokorná"), ("Marek", "Marková"), ("Pospíšil", "Pospíšilová"),
    ("Hájek", "Hájková"), ("Král", "Králová"), ("Jelínek", "Jelínková"),
    ("Růžička", "Růžičková"), ("Beneš", "Benešová"), ("Fiala", "Fialová"),
    ("Sedláček", "Sedláčková"), ("Doležal", "Doležalová"), ("Zeman", "Zemanová"),
    ("Kolář", "Kolářová"), ("Navrátil", "Navrátilová"),
)

INVOICE_LABELS = InvoiceLabels.in_language(
    "cs", titles={ADVANCE: "Předpis zálohy", SETTLEMENT: "Vyúčtování – faktura", "regular": "Faktura"}
)

SELLER = SellerDetails(
    legal_name="ČEZ Prodej, a.s.",
    address=Address("Vinohradská 2828/151", "130 00", "Praha 3", "CZ"),
    vat_id="CZ46279610",
    company_id="46279610",
    bank_account="2800437197/0300",
)
"""The seller on the demo invoices: an invented IČO (DIČ) and account number whose check digits are right."""


def make_payment_reference(account_number: str, invoice: InvoiceRecord) -> str:
    """The variabilní symbol: the document's ten-digit number."""
    return invoice.number


OUTAGE_REASONS = (
    "Plánovaná oprava zařízení distribuční soustavy",
    "Údržba a revize zařízení distribuční soustavy",
    "Výměna podpěrných bodů a vodičů vedení nízkého napětí",
    "Připojení nového odběrného místa do distribuční soustavy",
    "Ořez stromoví v ochranném pásmu vedení",
)


def make_supply_point_id(rng: random.Random, operator: DistributionOperator) -> str:
    """An EAN in one of the operator's area digits, or a gas EIC in its area."""
    if operator.commodity is Commodity.GAS:
        return make_eic(operator.identifier_prefix, rng.randrange(10**7))
    return make_ean(rng.choice(operator.identifier_prefix), rng.randrange(10**7))


def make_customer_number(rng: random.Random) -> str:
    """A ten-digit customer number (zákaznické číslo)."""
    return str(rng.randint(10**9, 2 * 10**9 - 1))


def make_meter_serial(rng: random.Random, commodity: Commodity) -> str:
    """Factory numbers: eight digits on electricity meters, ten on gas meters."""
    if commodity is Commodity.GAS:
        return str(rng.randint(10**9, 10**10 - 1))
    return str(rng.randint(10**7, 10**8 - 1))


def make_invoice_number(kind: str, issued_on: dt.date, sequence: int) -> str:
    """Ten digits: 3 for an advance, 1 for a settlement, then the year, month and a sequence."""
    prefix = "3" if kind == ADVANCE else "1"
    return f"{prefix}{issued_on:%y%m}{sequence:05d}"


def make_identity(backend: DemoBackend, account_number: str) -> dict[str, Any]:
    """The customer number and the EAN of the first supply point, both from the invoice."""
    point = backend.supply_points(account_number)[0]
    return {"customer_number": account_number, "supply_point_code": point.identifier}


CEZ_PROFILE = DemoProfile(
    supplier=SUPPLIER,
    seed=20_050_101,
    first_names=FEMALE_FIRST_NAMES + MALE_FIRST_NAMES,
    surnames=tuple(his for his, _hers in SURNAMES),
    streets=STREETS,
    localities=LOCALITIES,
    operators=OPERATORS,
    tariffs=TARIFFS,
    vat_rate=VAT_RATE,
    make_supply_point_id=make_supply_point_id,
    make_customer_number=make_customer_number,
    make_invoice_number=make_invoice_number,
    make_identity=make_identity,
    make_meter_serial=make_meter_serial,
    billing_period_months=1,
    gas_share=0.3,
    self_reader_share=0.6,
    self_reading_intervals=(1, 1, 3),
    payments=PaymentBehaviour(
        terms_days=SETTLEMENT_TERMS_DAYS,
        late_share=0.06,
        methods=("transfer", "transfer", "direct_debit", "direct_debit", "sipo", "postal_order"),
    ),
    invoice_labels=INVOICE_LABELS,
    invoice_locale="cs_CZ",
    invoice_date_format="d. M. yyyy",
    supplier_details=("Demonstrační data – doklad není daňovým dokladem.",),
    invoice_vat_summary=True,
    seller=SELLER,
    make_payment_reference=make_payment_reference,
)

EXTRA_PLACES_SHARE = 0.3
"""Customers with a second place of consumption (a cottage, a flat they let)."""
MAX_PLACES = 3


@dataclass(frozen=True)
class PlannedOutage:
    """A planned power cut (plánované bezproudí) in a distribution area."""

    distribution_operator: str
    city: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    streets: tuple[str, ...]
    reason: str

    def __post_init__(self) -> None:
        if self.starts_at.utcoffset() is None or self.ends_at.utcoffset() is None:
            raise ValueError("outage windows are aware datetimes")
        if self.ends_at <= self.starts_at:
            raise ValueError("an outage ends after it starts")


@dataclass
class AdvancePlan:
    """A supply point's monthly advances and the cost of its last settled year."""

    amounts: dict[dt.date, Decimal] = field(default_factory=dict)  # month -> advance
    expected_yearly_cost: Decimal = Decimal(0)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round_advance(monthly: Decimal) -> Decimal:
    """An advance in whole crowns, rounded up to tens."""
    return (monthly / ADVANCE_STEP).to_integral_value(rounding=ROUND_CEILING) * ADVANCE_STEP


def split_gross(gross: Decimal) -> tuple[Decimal, Decimal]:
    """Net and VAT parts of an amount that includes 21 % VAT."""
    net = _cents(gross / (1 + VAT_RATE))
    return net, gross - net


class _CezGenerator(DemoGenerator):
    """The core generator with Czech billing: monthly advances and yearly settlements."""

    def __init__(self, profile: DemoProfile, anchor: dt.date, tz: dt.tzinfo) -> None:
        super().__init__(profile, anchor, tz)
        self.plans: dict[str, AdvancePlan] = {}

    # --- who the customers are -------------------------------------------------
    def customer(self, index: int) -> DemoCustomer:
        customer = super().customer(index)
        rng = self.rng("cez-customer", index)
        customer.account = replace(customer.account, holder_name=self.holder_name(rng))
        if rng.random() < EXTRA_PLACES_SHARE:
            self.add_places(rng, customer)
        return customer

    @staticmethod
    def holder_name(rng: random.Random) -> str:
        his, hers = rng.choice(SURNAMES)
        if rng.random() < 0.5:
            return f"{rng.choice(FEMALE_FIRST_NAMES)} {hers}"
        return f"{rng.choice(MALE_FIRST_NAMES)} {his}"

    def add_places(self, rng: random.Random, customer: DemoCustomer) -> None:
        """One or two more places of consumption, electricity, gas or both, elsewhere."""
        while len(customer.supply_points) < MAX_PLACES:
            locality: Locality = weighted_choice(rng, self.p.localities)
            street = rng.choice(locality.streets or self.p.streets)
            address = Address(
                f"{street} {rng.randint(1, 2400)}", rng.choice(locality.postcodes), locality.city, self.p.supplier.country
            )
            operators = [self.p.operator(locality.electricity_operator)]
            if locality.gas_operator:
                roll = rng.random()
                if roll < 0.2:
                    operators = [self.p.operator(locality.gas_operator)]
                elif roll < 0.45:
                    operators.append(self.p.operator(locality.gas_operator))
            for operator in operators[: MAX_PLACES - len(customer.supply_points)]:
                point = self.supply_point(rng, address, operator)
                customer.supply_points[point.record.identifier] = point
                self.readings(customer, point)
            if rng.random() < 0.6:
                break

    # --- meter readings -----------------------------------------------------------
    def yearly_reads(self, point: DemoSupplyPoint) -> list[int]:
        """The month boundaries where the distributor reads the meter, once a year."""
        month = self.rng("settlement-month", point.record.identifier).randint(1, 12)
        return [k for k in range(1, len(self.boundaries)) if self.boundaries[k].month == month]

    def settlement_boundaries(self, point: DemoSupplyPoint) -> list[int]:
        """The yearly reads with a whole year of history before them: settled in the demo."""
        return [k for k in self.yearly_reads(point) if k >= 12]

    def readings(self, customer: DemoCustomer, point: DemoSupplyPoint) -> None:
        """The distributor reads once a year; at the 1 January price change the customer
        reads (samoodečet) or the distributor estimates; self-readers also read on their
        schedule (monthly or quarterly) in between."""
        rng = self.rng("readings", point.record.identifier, self.anchor.strftime("%Y-%m"))
        yearly = set(self.yearly_reads(point))
        can_self_read = customer.self_reader and READINGS_CAPABILITY in point.record.capabilities
        scheduled = self.self_reading_boundaries(customer, point)
        for k, boundary in enumerate(self.boundaries):
            if k == 0 or k in yearly:
                self.read_meter(point, k, ReadingSource.OPERATOR, rng)
            elif can_self_read and (boundary.month == 1 or k in scheduled):
                self.read_meter(point, k, ReadingSource.CUSTOMER, rng)
            elif boundary.month == 1:
                self.read_meter(point, k, ReadingSource.ESTIMATE, rng)

    # --- what they were billed ------------------------------------------------------
    def drafts(self, customer: DemoCustomer) -> list[InvoiceDraft]:
        drafts: list[InvoiceDraft] = []
        for point in customer.supply_points.values():
            drafts.extend(self.point_drafts(customer, point))
        return drafts

    def year_items(self, point: DemoSupplyPoint, first: int, last: int) -> tuple[PricedCharge, ...]:
        """The real charges between two boundaries, with the breaker charge for electricity."""
        items = list(self.price(point, first, last))
        breaker = breaker_for_power(point.record.contracted_power_kw)
        per_ampere = BREAKER_PRICE_PER_AMPERE.get(point.tariff.code)
        if breaker is not None and per_ampere is not None:
            monthly = _cents(per_ampere * breaker.phases * breaker.amperes)
            charge = Charge(
                f"Měsíční plat za příkon podle jističe {breaker.label}", ChargeBasis.MONTH, monthly, _MONTH
            )
            months = Decimal(last - first)
            net = _cents(months * monthly)
            items.append(PricedCharge(charge, months, net, _cents(net * self.p.vat_rate)))
        return tuple(items)

    @staticmethod
    def gross_of(items: tuple[PricedCharge, ...]) -> Decimal:
        return sum((item.net + item.vat for item in items), Decimal(0))

    def point_drafts(self, customer: DemoCustomer, point: DemoSupplyPoint) -> list[InvoiceDraft]:
        identifier = point.record.identifier
        rng = self.rng("billing", identifier, self.month0.isoformat())
        settlements = self.settlement_boundaries(point)
        first_year = self.gross_of(self.year_items(point, settlements[0] - 12, settlements[0]))
        # The first advances were set from an estimate: some too high, some too low.
        amount = round_advance(first_year * Decimal(str(rng.uniform(0.85, 1.18))) / 12)
        settled: dict[int, tuple[dt.date, tuple[PricedCharge, ...]]] = {}
        new_amounts: dict[int, Decimal] = {}
        for s in settlements:
            items = self.year_items(point, s - 12, s)
            issued = self.boundaries[s] + dt.timedelta(days=rng.randint(3, 9))
            settled[s] = (issued, items)
            new_amounts[s + 1] = round_advance(self.gross_of(items) * Decimal(str(rng.uniform(0.95, 1.10))) / 12)

        plan = AdvancePlan()
        drafts: list[InvoiceDraft] = []
        for k in range(len(self.boundaries) + 1):
            amount = new_amounts.get(k, amount)
            month = add_months(self.month0, k)
            issued = add_months(self.month0, k - 1).replace(day=ADVANCE_ISSUE_DAY)
            if issued > self.anchor:
                break
            plan.amounts[month] = amount
            drafts.append(self.advance_draft(customer, point, month, issued, amount))
        plan.expected_yearly_cost = self.gross_of(settled[settlements[0]][1])
        for s, (issued, items) in settled.items():
            if issued > self.anchor:
                continue
            plan.expected_yearly_cost = self.gross_of(items)
            months = [add_months(self.month0, k) for k in range(s - 12, s)]
            deducted = Counter(plan.amounts[m] for m in months)
            for advance, count in sorted(deducted.items()):
                net, vat = split_gross(advance)
                charge = Charge("Předepsané zálohy za zúčtovací období", ChargeBasis.MONTH, -net, _MONTH)
                items += (PricedCharge(charge, Decimal(count), -net * count, -vat * count),)
            due = issued + dt.timedelta(days=SETTLEMENT_TERMS_DAYS)
            drafts.append(
                InvoiceDraft(
                    customer=customer,
                    supply_point=point,
                    kind=SETTLEMENT,
                    issued_on=issued,
                    period_start=self.boundaries[s - 12],
                    period_end=self.boundaries[s] - dt.timedelta(days=1),
                    due_on=due,
                    priced=items,
                    gross=self.gross_of(items),
                    newest=due > self.anchor,
                )
            )
        self.plans[identifier] = plan
        return drafts

    def advance_draft(
        self, customer: DemoCustomer, point: DemoSupplyPoint, month: dt.date, issued: dt.date, amount: Decimal
    ) -> InvoiceDraft:
        net, vat = split_gross(amount)
        what = "elektřinu" if point.record.commodity is Commodity.ELECTRICITY else "zemní plyn"
        charge = Charge(f"Záloha na {what} {month:%m/%Y}", ChargeBasis.MONTH, net, _MONTH)
        due = month.replace(day=ADVANCE_DUE_DAY)
        return InvoiceDraft(
            customer=customer,
            supply_point=point,
            kind=ADVANCE,
            issued_on=issued,
            period_start=month,
            period_end=add_months(month, 1) - dt.timedelta(days=1),
            due_on=due,
            priced=(PricedCharge(charge, Decimal(1), net, vat),),
            gross=amount,
            newest=due > self.anchor,
        )

    def invoice(self, draft: InvoiceDraft, paid: Decimal) -> InvoiceRecord:
        """A settlement is a tax document: its date of taxable supply (DUZP) is the last day
        settled. An advance is not one, so it has none."""
        record = super().invoice(draft, paid)
        return replace(record, taxable_supply_on=draft.period_end) if draft.kind == SETTLEMENT else record

    # --- how they paid ----------------------------------------------------------------
    def settle(self, customer: DemoCustomer, drafts: list[InvoiceDraft], role: str) -> None:
        """The core's payments, then overpayments (přeplatky) sent back to the customer."""
        super().settle(customer, drafts, role)
        rng = self.rng("refunds", customer.index, self.anchor.isoformat())
        invoices = list(customer.invoices)
        payments = list(customer.payments)
        for position, invoice in enumerate(invoices):
            if invoice.kind != SETTLEMENT or invoice.gross.amount >= 0:
                continue
            day = invoice.issued_on + dt.timedelta(days=rng.randint(8, 16))
            if day >= self.anchor:
                continue  # the overpayment waits on the account as credit
            booked = dt.datetime.combine(day, dt.time(rng.randint(8, 11), rng.randint(0, 59)), tzinfo=self.tz)
            payments.append(
                PaymentRecord(
                    reference=f"{customer.account.number}-{booked:%Y%m%d}-V{position:02d}",
                    booked_at=booked,
                    amount=invoice.gross,
                    invoice_number=invoice.number,
                    method="refund",
                )
            )
            invoices[position] = replace(invoice, paid=invoice.gross, status=InvoiceStatus.PAID)
        customer.invoices = invoices
        customer.payments = sorted(payments, key=lambda p: (p.booked_at, p.reference), reverse=True)
        balance = sum((p.amount.amount for p in payments), Decimal(0)) - sum(
            (i.gross.amount for i in invoices), Decimal(0)
        )
        customer.account = replace(customer.account, balance=self.money(balance))


class CezDemoBackend(DemoBackend):
    """ČEZ's billing system as the demo and the tests see it."""

    def __init__(self, anchor: dt.date | None = None) -> None:
        super().__init__(CEZ_PROFILE, anchor)
        self._plans: dict[str, AdvancePlan] = {}
        self._points: dict[str, SupplyPointRecord] = {}

    def _data(self) -> dict[str, DemoCustomer]:
        if self._customers is None:
            with self._lock:
                if self._customers is None:
                    generator = _CezGenerator(self.profile, self.anchor, self.tz)
                    customers = generator.run()
                    self._plans = generator.plans
                    self._points = {
                        identifier: point.record
                        for customer in customers.values()
                        for identifier, point in customer.supply_points.items()
                    }
                    self._customers = customers
        return self._customers

    # --- ČEZ specifics ---------------------------------------------------------------
    def _point(self, account_number: str, supply_point: str) -> SupplyPointRecord:
        customer = self._customer(account_number)
        return self._supply_point(customer, supply_point).record

    def advance_payment(self, account_number: str, supply_point: str) -> Money:
        """The monthly advance now prescribed for the supply point."""
        self._point(account_number, supply_point)
        amounts = self._plans[supply_point].amounts
        return Money(amounts[max(amounts)], self.currency)

    def expected_yearly_cost(self, account_number: str, supply_point: str) -> Money:
        """What a year at the supply point is expected to cost, from its last settled year."""
        self._point(account_number, supply_point)
        return Money(self._plans[supply_point].expected_yearly_cost, self.currency)

    def circuit_breaker(self, account_number: str, supply_point: str) -> str | None:
        """The main circuit breaker (``3x25 A``) of an electricity supply point."""
        breaker = breaker_for_power(self._point(account_number, supply_point).contracted_power_kw)
        return breaker.label if breaker else None

    def planned_outages(self, supply_point: SupplyPointRecord | Any) -> tuple[PlannedOutage, ...]:
        """Planned power cuts in the distribution area of an electricity supply point.

        ``supply_point`` is a record, the portal's copy, or the EAN itself. Gas points
        have none (gas outages are not planned this way).
        """
        identifier = getattr(supply_point, "identifier", supply_point)
        self._data()
        record = self._points.get(str(identifier))
        if record is None:
            raise LookupError(f"no supply point {identifier}")
        if record.commodity is not Commodity.ELECTRICITY or record.distribution_operator is None:
            return ()
        return self.area_outages(record.distribution_operator, record.address.city)

    def area_outages(self, operator: str, city: str) -> tuple[PlannedOutage, ...]:
        """One to three announced windows in the next two months, on working days."""
        locality = next(
            (loc for loc in self.profile.localities if loc.city == city and loc.electricity_operator == operator),
            None,
        )
        if locality is None:
            return ()
        rng = random.Random(f"{self.profile.seed}/outages/{operator}/{city}/{self.anchor.isoformat()}")
        offsets = rng.sample(range(3, 61), rng.randint(1, 3))
        days = sorted({next_working_day(self.anchor + dt.timedelta(days=d)) for d in offsets})
        streets = locality.streets or self.profile.streets
        outages = []
        for day in days:
            start = dt.datetime.combine(day, rng.choice((dt.time(7, 30), dt.time(8, 0))), tzinfo=self.tz)
            outages.append(
                PlannedOutage(
                    distribution_operator=operator,
                    city=city,
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=rng.randint(3, 8)),
                    streets=tuple(sorted(rng.sample(streets, min(3, len(streets))))),
                    reason=rng.choice(OUTAGE_REASONS),
                )
            )
        return tuple(outages)
