"""Italiangas's demo billing back-end: Italian households and condominiums, POD and PDR.

Households in six cities buy electricity (monoraria or bioraria F1/F23) and often gas;
the condominiums of three administrators' studios buy electricity for the common parts
and gas for central heating. Prices are net and close to Italian offers of 2025 (energy,
transport and meter, system charges, excise). IVA is 10 % on domestic electricity, 22 %
on condominium electricity, and on gas 10 % for the first 480 Smc a year (80 Smc per
bimonthly bill) and 22 % beyond; fixed charges follow the reduced rate (a simplification
of the proportional split). Bills are bimonthly (bollette) and due after 20 days.

Payments reach the Area Clienti a few days after they are made, as Italiangas warns its
customers: each payment is booked 2 to 5 days after the day it was paid, and one paid in
the last days is not there yet, so the bill still shows as open.

Distributors are real; the three digits in a POD and the first four of a PDR that stand
for them here are illustrative. The PINs and administrator codes are Italiangas's own
format (see :mod:`plugins.italiangas_it.identifiers`).
"""

from __future__ import annotations

import abc
import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, cast

from core.plugin_api.billing import (
    AccountNotFound,
    AccountRecord,
    Address,
    BillingAdapter,
    Commodity,
    InvoiceLabels,
    InvoiceLine,
    InvoiceRecord,
    InvoiceStatus,
    PaymentRecord,
    RequestSubmission,
    SellerDetails,
    SubmissionResult,
)
from core.plugin_api.demo import (
    FORECAST,
    READINGS_CAPABILITY,
    REGULAR,
    Charge,
    ChargeBasis,
    DemoBackend,
    DemoGenerator,
    DemoProfile,
    DistributionOperator,
    Locality,
    PaymentBehaviour,
    PricedCharge,
    Tariff,
)
from plugins.italiangas_it.identifiers import (
    compact,
    make_admin_code,
    make_codice_fiscale,
    make_partita_iva,
    make_pin,
)
from plugins.italiangas_it.request_types import (
    DEACTIVATION,
    DIRECT_DEBIT,
    INSTALMENT_PLAN,
    INVOICE_CORRECTION,
    POWER_CHANGE,
    VOLTURA,
)
from plugins.italiangas_it.rules import holder_matches
from plugins.italiangas_it.supplier import SUPPLIER

if TYPE_CHECKING:
    from core.plugin_api.demo import DemoCustomer, DemoSupplyPoint, InvoiceDraft

D = Decimal
CENT = D("0.01")
REDUCED_IVA = D("0.10")
ORDINARY_IVA = D("0.22")
REGISTRATION_DELAY_DAYS = (2, 5)
"""A payment is booked in the Area Clienti this many days after it was made."""
PROMPT_PAYER_SHARE = 0.3
"""Customers who pay a new bill within three days of its issue (the others wait)."""

# Reason codes the back-office refuses a request with, besides the core's
# (core.framework.rejections.REASONS); the customer reads plugins.italiangas_it.plugin.REJECTION_REASONS.
HOLDER_MISMATCH = "bank_account_holder_mismatch"
INVOICE_PAID = "invoice_already_paid"
POWER_CHANGE_GAS = "power_change_electricity_only"
POWER_UNCHANGED = "power_unchanged"

_KWH = "kWh"
_SMC = "Smc"
_MONTH = "mese"
_MONTHS = "mesi"


# --- IVA ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IvaRule:
    """Which part of a bill takes the reduced IVA (10 %) and which the ordinary (22 %).

    ``reduced_per_year`` is the yearly volume billed at the reduced rate: ``None`` for all
    of it (domestic electricity), ``0`` for none (condominium electricity), 480 for gas.
    """

    reduced_per_year: Decimal | None

    def reduced_volume(self, volume: Decimal, months: int) -> Decimal:
        """The part of ``volume`` consumed over ``months`` that takes the reduced rate."""
        if self.reduced_per_year is None:
            return volume
        return min(volume, self.reduced_per_year * months / 12)

    @property
    def fixed_rate(self) -> Decimal:
        """The rate of fixed (monthly) charges: reduced whenever the tariff has one."""
        return ORDINARY_IVA if self.reduced_per_year == 0 else REDUCED_IVA


DOMESTIC_ELECTRICITY_IVA = IvaRule(None)
NON_DOMESTIC_IVA = IvaRule(D(0))
GAS_IVA = IvaRule(D(480))


@dataclass(frozen=True)
class ItaliangasCharge(Charge):
    """A priced line that knows its own IVA rate."""

    vat_rate: Decimal = REDUCED_IVA


@dataclass(frozen=True)
class ItaliangasTariff(Tariff):
    """A tariff with the IVA rule of its use (domestic, condominium, gas)."""

    iva: IvaRule = DOMESTIC_ELECTRICITY_IVA


def _line(charge: Charge, quantity: Decimal, rate: Decimal, suffix: str = "") -> PricedCharge:
    net = (quantity * charge.unit_price).quantize(CENT, ROUND_HALF_UP)
    priced_charge = ItaliangasCharge(
        charge.description + suffix, charge.basis, charge.unit_price, charge.unit, charge.register, rate
    )
    return PricedCharge(priced_charge, quantity, net, (net * rate).quantize(CENT, ROUND_HALF_UP))


def _volume(items: Sequence[PricedCharge]) -> Decimal:
    """The volume a bill is for: the quantity of a charge on all registers, or their sum."""
    for item in items:
        if item.charge.basis is ChargeBasis.ENERGY and item.charge.register is None:
            return item.quantity
    per_register = {
        item.charge.register: item.quantity for item in items if item.charge.basis is ChargeBasis.ENERGY
    }
    return sum(per_register.values(), D(0))


def split_for_iva(items: Sequence[PricedCharge], rule: IvaRule, months: int) -> tuple[PricedCharge, ...]:
    """The bill's lines with their IVA; a volume charge straddling the 480 Smc a year
    becomes two lines, one at each rate, as on an Italian gas bill."""
    volume = _volume(items)
    reduced = rule.reduced_volume(volume, months)
    fraction = reduced / volume if volume else D(1)
    lines: list[PricedCharge] = []
    for item in items:
        charge = item.charge
        if charge.basis is ChargeBasis.MONTH:
            unit = _MONTH if item.quantity == 1 else _MONTHS  # "1 mese", "2 mesi"
            lines.append(_line(replace(charge, unit=unit), item.quantity, rule.fixed_rate))
            continue
        reduced_quantity = (item.quantity * fraction).quantize(D(1), ROUND_HALF_UP)
        ordinary_quantity = item.quantity - reduced_quantity
        if ordinary_quantity == 0:
            lines.append(_line(charge, item.quantity, REDUCED_IVA))
        elif reduced_quantity == 0:
            lines.append(_line(charge, item.quantity, ORDINARY_IVA))
        else:
            allowance = f"{rule.reduced_per_year:f} {charge.unit}/anno"
            lines.append(_line(charge, reduced_quantity, REDUCED_IVA, f" (entro {allowance})"))
            lines.append(_line(charge, ordinary_quantity, ORDINARY_IVA, f" (oltre {allowance})"))
    return tuple(lines)


# --- price lists --------------------------------------------------------------------------------


def _per_unit(description: str, price: str, unit: str, register: str | None = None) -> Charge:
    return Charge(description, ChargeBasis.ENERGY, D(price), unit, register)


def _per_month(description: str, price: str) -> Charge:
    return Charge(description, ChargeBasis.MONTH, D(price), _MONTH)


_ENERGY_FIXED = "Materia energia – quota fissa"
_TRANSPORT_KWH = "Trasporto e gestione contatore – quota energia"
_TRANSPORT_FIXED = "Trasporto e gestione contatore – quota fissa e potenza"
_GAS_ENERGY = "Materia gas naturale – quota energia"
_GAS_FIXED = "Materia gas naturale – quota fissa"
_GAS_TRANSPORT = "Trasporto e gestione contatore – quota energia"
_GAS_TRANSPORT_FIXED = "Trasporto e gestione contatore – quota fissa"
_SYSTEM = "Oneri di sistema"
_HOUSEHOLD_POWER = (D("3"), D("3"), D("3"), D("4.5"), D("6"))
_GAS_HEATING = (2.0, 1.8, 1.4, 0.8, 0.45, 0.3, 0.25, 0.25, 0.35, 0.8, 1.6, 2.0)
_CENTRAL_HEATING = (2.4, 2.1, 1.6, 0.7, 0.1, 0.05, 0.05, 0.05, 0.05, 0.7, 1.9, 2.3)
GAS_CONVERSION = D("1.0194")
"""Coefficient C: standard cubic metres (Smc) billed per m³ the meter counts."""


def _electricity_charges(
    energy: tuple[Charge, ...], *, fixed: str, transport: str, transport_fixed: str, system: str, excise: str
) -> tuple[Charge, ...]:
    """An electricity price list: the energy by time band, then what every supply pays."""
    return (
        *energy,
        _per_month(_ENERGY_FIXED, fixed),
        _per_unit(_TRANSPORT_KWH, transport, _KWH),
        _per_month(_TRANSPORT_FIXED, transport_fixed),
        _per_unit(_SYSTEM, system, _KWH),
        _per_unit("Accisa sull'energia elettrica", excise, _KWH),
    )


def _bioraria(f1: str, f23: str, **charges: str) -> tuple[Charge, ...]:
    """The price list of a two-band (F1, F2 and F3) electricity offer."""
    return _electricity_charges(
        (
            _per_unit("Materia energia – fascia F1", f1, _KWH, "F1"),
            _per_unit("Materia energia – fasce F2 e F3", f23, _KWH, "F23"),
        ),
        **charges,
    )


def _gas_tariff(
    code: str, *, energy: str, fixed: str, transport: str, transport_fixed: str, system: str,
    smc_a_year: tuple[int, int], seasonality: tuple[float, ...], max_daily: str,
) -> ItaliangasTariff:
    """A gas offer, billed in standard cubic metres (Smc) with the excise and the regional surcharge."""
    return ItaliangasTariff(
        code=code,
        commodity=Commodity.GAS,
        registers=("volume",),
        charges=(
            _per_unit(_GAS_ENERGY, energy, _SMC),
            _per_month(_GAS_FIXED, fixed),
            _per_unit(_GAS_TRANSPORT, transport, _SMC),
            _per_month(_GAS_TRANSPORT_FIXED, transport_fixed),
            _per_unit(_SYSTEM, system, _SMC),
            _per_unit("Accisa sul gas naturale", "0.1700", _SMC),
            _per_unit("Addizionale regionale", "0.0250", _SMC),
        ),
        annual_consumption_kwh=smc_a_year,
        meter_unit="m3",
        kwh_per_meter_unit=GAS_CONVERSION,
        seasonality=seasonality,
        max_daily_consumption=D(max_daily),
        iva=GAS_IVA,
    )


LUCE_MONORARIA = ItaliangasTariff(
    code="Luce Casa Monoraria",
    commodity=Commodity.ELECTRICITY,
    registers=("F0",),
    charges=_electricity_charges(
        (_per_unit("Materia energia – quota energia", "0.1450", _KWH),),
        fixed="7.50", transport="0.0097", transport_fixed="7.45", system="0.0310", excise="0.0227",
    ),
    annual_consumption_kwh=(1500, 3200),
    contracted_power_kw=_HOUSEHOLD_POWER,
    max_daily_consumption=D("40"),
    weight=3,
)
LUCE_BIORARIA = ItaliangasTariff(
    code="Luce Casa Bioraria",
    commodity=Commodity.ELECTRICITY,
    registers=("F1", "F23"),
    register_shares=(D("0.35"), D("0.65")),
    charges=_bioraria("0.1560", "0.1390", fixed="7.50", transport="0.0097", transport_fixed="7.45",
                      system="0.0310", excise="0.0227"),
    annual_consumption_kwh=(1800, 3600),
    contracted_power_kw=_HOUSEHOLD_POWER,
    max_daily_consumption=D("45"),
    weight=2,
)
GAS_CASA = _gas_tariff(
    "Gas Casa", energy="0.5150", fixed="8.00", transport="0.1050", transport_fixed="5.40", system="0.0350",
    smc_a_year=(600, 1400), seasonality=_GAS_HEATING, max_daily="15",
)
LUCE_CONDOMINIO = ItaliangasTariff(
    code="Luce Condominio",
    commodity=Commodity.ELECTRICITY,
    registers=("F1", "F23"),
    register_shares=(D("0.45"), D("0.55")),
    charges=_bioraria("0.1580", "0.1420", fixed="12.00", transport="0.0095", transport_fixed="22.00",
                      system="0.0450", excise="0.0125"),
    annual_consumption_kwh=(3000, 12000),
    contracted_power_kw=(D("6"), D("10"), D("15")),
    max_daily_consumption=D("120"),
    iva=NON_DOMESTIC_IVA,
)
GAS_CONDOMINIO = _gas_tariff(
    "Gas Condominio", energy="0.4950", fixed="18.00", transport="0.0750", transport_fixed="45.00", system="0.0300",
    smc_a_year=(8000, 30000), seasonality=_CENTRAL_HEATING, max_daily="400",
)
HOUSEHOLD_TARIFFS = (LUCE_MONORARIA, LUCE_BIORARIA, GAS_CASA)
CONDOMINIUM_TARIFFS = (LUCE_CONDOMINIO, GAS_CONDOMINIO)
TARIFFS = HOUSEHOLD_TARIFFS + CONDOMINIUM_TARIFFS

# --- distributors and places ---------------------------------------------------------------------

E_DISTRIBUZIONE = "e-distribuzione"
ARETI = "Areti"
IRETI = "Ireti"
ITALGAS = "Italgas Reti"
DUE_I_RETE_GAS = "2i Rete Gas"
INRETE = "Inrete Distribuzione Energia"
TOSCANA_ENERGIA = "Toscana Energia"
ACEGASAPSAMGA = "AcegasApsAmga"
_SELF_READING = frozenset({READINGS_CAPABILITY})

OPERATORS = (
    DistributionOperator(E_DISTRIBUZIONE, Commodity.ELECTRICITY, "001"),
    DistributionOperator(ARETI, Commodity.ELECTRICITY, "002"),
    DistributionOperator(IRETI, Commodity.ELECTRICITY, "020"),
    # Electricity meters are read remotely; gas customers hand in their own readings
    # (autolettura).
    DistributionOperator(ITALGAS, Commodity.GAS, "0088", _SELF_READING),
    DistributionOperator(DUE_I_RETE_GAS, Commodity.GAS, "1530", _SELF_READING),
    DistributionOperator(INRETE, Commodity.GAS, "0320", _SELF_READING),
    DistributionOperator(TOSCANA_ENERGIA, Commodity.GAS, "0103", _SELF_READING),
    DistributionOperator(ACEGASAPSAMGA, Commodity.GAS, "0147", _SELF_READING),
)

LOCALITIES = (
    Locality(
        "Roma",
        ("00136", "00146", "00153", "00162", "00175", "00179", "00182", "00185", "00192", "00199"),
        ARETI, ITALGAS,
        ("Via Tuscolana", "Via Appia Nuova", "Via Nomentana", "Via Cassia", "Viale Guglielmo Marconi",
         "Via Prenestina", "Via Ostiense", "Via Cola di Rienzo", "Via Tiburtina", "Viale Libia",
         "Via Merulana", "Via Casilina", "Via Gregorio VII", "Viale di Trastevere"),
        weight=5,
    ),
    Locality(
        "Torino",
        ("10121", "10126", "10128", "10138", "10143", "10152"),
        IRETI, ITALGAS,
        ("Via Nizza", "Corso Francia", "Via Po", "Corso Vittorio Emanuele II", "Via Madama Cristina",
         "Corso Regina Margherita", "Via Cibrario", "Corso Casale", "Via Roma", "Corso Peschiera"),
        weight=3,
    ),
    Locality(
        "Napoli",
        ("80121", "80127", "80128", "80134", "80141"),
        E_DISTRIBUZIONE, DUE_I_RETE_GAS,
        ("Via Toledo", "Via Alessandro Manzoni", "Corso Vittorio Emanuele", "Via Foria",
         "Via Posillipo", "Via Domenico Fontana", "Via Luca Giordano", "Via Alessandro Scarlatti"),
        weight=3,
    ),
    Locality(
        "Bologna",
        ("40121", "40125", "40133", "40137", "40138"),
        E_DISTRIBUZIONE, INRETE,
        ("Via Emilia Levante", "Via Saragozza", "Via Mazzini", "Via Augusto Murri",
         "Via dell'Indipendenza", "Via San Donato", "Via Massarenti", "Via Andrea Costa"),
        weight=2,
    ),
    Locality(
        "Firenze",
        ("50127", "50133", "50136", "50142"),
        E_DISTRIBUZIONE, TOSCANA_ENERGIA,
        ("Via Bolognese", "Viale dei Mille", "Via Pisana", "Via Vincenzo Gioberti", "Via di Novoli",
         "Via Senese", "Viale Europa"),
        weight=2,
    ),
    Locality(
        "Padova",
        ("35121", "35128", "35131", "35139"),
        E_DISTRIBUZIONE, ACEGASAPSAMGA,
        ("Via Belzoni", "Via Tiziano Aspetti", "Corso Milano", "Via Facciolati", "Via Chiesanuova"),
    ),
)
STREETS = ("Via Roma", "Via Garibaldi", "Via Giuseppe Mazzini", "Via Dante Alighieri", "Corso Italia")

BIRTHPLACES = {
    "Roma": "H501", "Torino": "L219", "Napoli": "F839", "Bologna": "A944", "Firenze": "D612",
    "Padova": "G224", "Milano": "F205", "Palermo": "G273", "Bari": "A662", "Genova": "D969",
}
"""Cadastral codes of places of birth, for the demo customers' codici fiscali."""

FEMALE_FIRST_NAMES = (
    "Giulia", "Francesca", "Chiara", "Sara", "Anna", "Maria", "Laura", "Valentina", "Elena",
    "Paola", "Federica", "Alessandra", "Rosa", "Giovanna",
)
MALE_FIRST_NAMES = (
    "Marco", "Giuseppe", "Luca", "Andrea", "Francesco", "Alessandro", "Giovanni", "Antonio",
    "Matteo", "Roberto", "Stefano", "Paolo", "Davide", "Salvatore",
)
SURNAMES = (
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
    "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
    "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso",
    "Ferrara", "Galli", "Martini", "Leone", "D'Angelo",
)


@dataclass(frozen=True)
class AdministratorPlan:
    """A studio di amministrazione and how many condominiums of one city it manages."""

    studio: str
    city: str
    condominiums: int
    tax_office: str
    """The three digits of the tax office in the studio's partita IVA."""


ADMINISTRATORS = (
    AdministratorPlan("Studio Amministrazioni Condominiali Bianchi", "Roma", 5, "097"),
    AdministratorPlan("Greco & Colombo Studio Associato", "Torino", 4, "001"),
    AdministratorPlan("Amministrazioni Esposito S.r.l.", "Napoli", 3, "063"),
)


@dataclass(frozen=True)
class Administrator:
    """A condominium administrator with a Codice Amministratore."""

    code: str
    studio: str
    partita_iva: str
    city: str
    account_numbers: tuple[str, ...]


@dataclass(frozen=True)
class ItaliangasPayment(PaymentRecord):
    """A payment as booked in the Area Clienti, with the day the customer paid it."""

    paid_on: dt.date | None = None


# --- identifiers of the demo ------------------------------------------------------------------------


def make_supply_point_id(rng: random.Random, operator: DistributionOperator) -> str:
    """A POD (``IT001E12345678``) for electricity, a 14-digit PDR for gas."""
    if operator.commodity is Commodity.ELECTRICITY:
        return f"IT{operator.identifier_prefix}E{rng.randrange(10**8):08d}"
    return f"{operator.identifier_prefix}{rng.randrange(10**10):010d}"


def make_customer_number(rng: random.Random) -> str:
    """The codice cliente: nine digits."""
    return str(rng.randint(10**8, 10**9 - 1))


def make_invoice_number(kind: str, issued_on: dt.date, sequence: int) -> str:
    """Twelve digits: year, month of issue and a progressive number (``202603000456``)."""
    return f"{issued_on:%Y%m}{sequence:06d}"


def make_identity(backend: DemoBackend, account_number: str) -> dict[str, Any]:
    """What the customer types to register: the PIN from the welcome letter."""
    return {"pin": cast("ItaliangasDemoBackend", backend).pin(account_number)}


def admin_identities(backend: DemoBackend) -> list[dict[str, Any]]:
    """What each administrator types: the Codice Amministratore (see
    :meth:`ItaliangasDemoBackend.admin_identities`)."""
    return cast("ItaliangasDemoBackend", backend).admin_identities()


INVOICE_LABELS = InvoiceLabels.in_language(
    "it",
    # the title says what the bill is based on: the readings (effettive) or an estimate
    titles={REGULAR: "Bolletta – consumi effettivi", FORECAST: "Bolletta – consumi stimati"},
    supply_point="Punto di fornitura (POD/PDR)",
    total="Totale bolletta",
)

SELLER = SellerDetails(
    legal_name="Italiangas S.p.A.",
    address=Address("Via Tuscolana 1024", "00173", "Roma", "IT"),
    vat_id="07918430971",
    bank_account="IT81P0503403200000000047815",
)
"""The seller on the demo bills: an invented partita IVA (the Rome office's 097) and IBAN,
their check digits (and the IBAN's CIN) right."""


def make_payment_reference(account_number: str, invoice: InvoiceRecord) -> str:
    """The causale of a bank transfer: the customer code and the bill's number."""
    return f"Cod. cliente {account_number} – bolletta {invoice.number}"


ITALIANGAS_PROFILE = DemoProfile(
    supplier=SUPPLIER,
    seed=20_120_301,
    first_names=FEMALE_FIRST_NAMES + MALE_FIRST_NAMES,
    surnames=SURNAMES,
    streets=STREETS,
    localities=LOCALITIES,
    operators=OPERATORS,
    tariffs=HOUSEHOLD_TARIFFS,
    vat_rate=REDUCED_IVA,
    make_supply_point_id=make_supply_point_id,
    make_customer_number=make_customer_number,
    make_invoice_number=make_invoice_number,
    make_identity=make_identity,
    extra_identities={"admin_code": admin_identities},
    billing_period_months=2,
    gas_share=0.4,
    estimate_share=0.12,
    payments=PaymentBehaviour(
        terms_days=20,
        methods=("direct_debit", "direct_debit", "postal_slip", "transfer", "card"),
    ),
    invoice_labels=INVOICE_LABELS,
    invoice_locale="it_IT",
    invoice_date_format="dd/MM/yyyy",
    supplier_details=("Dati dimostrativi – il documento non è una fattura.",),
    invoice_vat_summary=True,
    seller=SELLER,
    make_payment_reference=make_payment_reference,
)


def condominium_plan(profile: DemoProfile = ITALIANGAS_PROFILE) -> dict[int, AdministratorPlan]:
    """Which of the demo customers are condominiums, and whose."""
    total = sum(plan.condominiums for plan in ADMINISTRATORS)
    indexes = iter(random.Random(f"{profile.seed}/condominiums").sample(range(profile.customers), total))
    return {next(indexes): plan for plan in ADMINISTRATORS for _ in range(plan.condominiums)}


# --- the generator, Italian style ----------------------------------------------------------------------


class _ItaliangasGenerator(DemoGenerator):
    """The core's generator with condominiums, IVA by use and late-registered payments."""

    def __init__(
        self, profile: DemoProfile, anchor: dt.date, tz: dt.tzinfo, plan: Mapping[int, AdministratorPlan]
    ) -> None:
        super().__init__(profile, anchor, tz)
        self.household = profile
        self.plan = plan
        self.pending: dict[str, list[ItaliangasPayment]] = {}
        """Per account: payments made but not yet registered in the Area Clienti."""

    def condominium_profile(self, administrator: AdministratorPlan) -> DemoProfile:
        """The profile a condominium of this administrator is made with: its city, the
        condominium tariffs, and central heating everywhere."""
        locality = next(loc for loc in self.household.localities if loc.city == administrator.city)
        return replace(
            self.household,
            localities=(replace(locality, weight=1),),
            tariffs=CONDOMINIUM_TARIFFS,
            gas_share=1.0,
        )

    def customer(self, index: int) -> DemoCustomer:
        administrator = self.plan.get(index)
        if administrator is None:
            return super().customer(index)
        self.p = self.condominium_profile(administrator)
        try:
            customer = super().customer(index)
        finally:
            self.p = self.household
        return self.as_condominium(customer)

    @staticmethod
    def as_condominium(customer: DemoCustomer) -> DemoCustomer:
        """The building is the holder: "Condominio Via Roma 12", at its own address."""
        building = customer.account.address.street.split("/", 1)[0]
        address = replace(customer.account.address, street=building)
        customer.account = replace(customer.account, holder_name=f"Condominio {building}", address=address)
        for point in customer.supply_points.values():
            point.record = replace(point.record, address=address)
        return customer

    def price(self, point: DemoSupplyPoint, first: int, last: int) -> tuple[PricedCharge, ...]:
        tariff = point.tariff
        rule = tariff.iva if isinstance(tariff, ItaliangasTariff) else DOMESTIC_ELECTRICITY_IVA
        return split_for_iva(super().price(point, first, last), rule, last - first)

    def settle(self, customer: DemoCustomer, drafts: list[InvoiceDraft], role: str) -> None:
        """Pay as the core's customers do (some also pay the newest bill at once), then
        book each payment a few days later; what is not booked yet waits in ``pending``."""
        super().settle(customer, drafts, role)
        made = list(customer.payments) + self.prompt_payments(customer, drafts, role)
        rng = self.rng("registration", customer.index, self.anchor.isoformat())
        low, high = REGISTRATION_DELAY_DAYS
        booked: list[ItaliangasPayment] = []
        waiting: list[ItaliangasPayment] = []
        for payment in sorted(made, key=lambda p: (p.booked_at, p.reference)):
            registered = payment.booked_at + dt.timedelta(days=rng.randint(low, high))
            record = ItaliangasPayment(
                reference=payment.reference,
                booked_at=registered,
                amount=payment.amount,
                invoice_number=payment.invoice_number,
                method=payment.method,
                paid_on=payment.booked_at.date(),
            )
            (waiting if registered.date() >= self.anchor else booked).append(record)
        paid: dict[str, Decimal] = {}
        for payment in booked:
            if payment.invoice_number is not None:
                paid[payment.invoice_number] = paid.get(payment.invoice_number, D(0)) + payment.amount.amount
        invoices = [self.invoice(draft, paid.get(draft.number, D("0.00"))) for draft in drafts]
        customer.invoices = sorted(invoices, key=lambda i: (i.issued_on, i.number), reverse=True)
        customer.payments = sorted(booked, key=lambda p: (p.booked_at, p.reference), reverse=True)
        balance = sum((p.amount.amount for p in booked), D(0)) - sum((i.gross.amount for i in invoices), D(0))
        customer.account = replace(customer.account, balance=self.money(balance))
        self.pending[customer.account.number] = waiting

    def prompt_payments(self, customer: DemoCustomer, drafts: list[InvoiceDraft], role: str) -> list[PaymentRecord]:
        """A share of customers pay a new bill within three days of its issue."""
        if role != "regular":
            return []
        rng = self.rng("prompt", customer.index, self.anchor.isoformat())
        if rng.random() >= PROMPT_PAYER_SHARE:
            return []
        payments = []
        for sequence, draft in enumerate(sorted((d for d in drafts if d.newest), key=lambda d: d.number)):
            day = draft.issued_on + dt.timedelta(days=rng.randint(1, 3))
            if day >= self.anchor:
                continue
            paid_at = dt.datetime.combine(day, dt.time(rng.randint(8, 20), rng.randint(0, 59)), tzinfo=self.tz)
            payments.append(
                PaymentRecord(
                    reference=f"{customer.account.number}-{day:%Y%m%d}-{900 + sequence:03d}",
                    booked_at=paid_at,
                    amount=self.money(draft.gross),
                    invoice_number=draft.number,
                    method=rng.choice(self.p.payments.methods),
                )
            )
        return payments


# --- the back-end -----------------------------------------------------------------------------------------


class ItaliangasBackend(BillingAdapter):
    """What Italiangas's back-end answers beyond the common contract: who holds a
    registration PIN, and which supplies a Codice Amministratore covers."""

    @abc.abstractmethod
    def account_for_pin(self, pin: str) -> str | None:
        """The account number the registration PIN was issued for, or ``None``."""

    @abc.abstractmethod
    def accounts_for_admin_code(self, code: str) -> tuple[str, ...]:
        """The accounts of every condominium the administrator manages (none if unknown)."""


class ItaliangasDemoBackend(DemoBackend, ItaliangasBackend):
    """Italiangas's billing system as the demo and the tests see it."""

    def __init__(self, anchor: dt.date | None = None) -> None:
        super().__init__(ITALIANGAS_PROFILE, anchor)
        self._pins: dict[str, str] = {}
        self._pin_of: dict[str, str] = {}
        self._tax_codes: dict[str, str] = {}
        self._administrators: dict[str, Administrator] = {}
        self._pending: dict[str, list[ItaliangasPayment]] = {}

    # --- Italiangas's own questions ------------------------------------------------------
    def account_for_pin(self, pin: str) -> str | None:
        self._data()
        return self._pins.get(compact(pin))

    def accounts_for_admin_code(self, code: str) -> tuple[str, ...]:
        self._data()
        administrator = self._administrators.get(compact(code))
        return administrator.account_numbers if administrator else ()

    # --- demo helpers --------------------------------------------------------------------
    def pin(self, account_number: str) -> str:
        """The PIN Registrazione printed in the customer's welcome letter and bills."""
        self._customer(account_number)
        return self._pin_of[account_number.strip()]

    def tax_code(self, account_number: str) -> str:
        """The holder's codice fiscale: 16 characters for a person, 11 digits for a condominium."""
        self._customer(account_number)
        return self._tax_codes[account_number.strip()]

    def payments_in_transit(self, account_number: str) -> list[ItaliangasPayment]:
        """Payments the customer has made that the Area Clienti does not show yet, with
        the time each will be booked (newest first)."""
        self._customer(account_number)
        return sorted(self._pending[account_number.strip()], key=lambda p: (p.booked_at, p.reference), reverse=True)

    def administrators(self) -> list[Administrator]:
        self._data()
        return list(self._administrators.values())

    def admin_identities(self) -> list[dict[str, Any]]:
        """Per administrator: the Codice Amministratore, the accounts it links
        (``account_number`` is the first of them) and the studio."""
        return [
            {
                "account_number": administrator.account_numbers[0],
                "admin_code": administrator.code,
                "studio": administrator.studio,
                "partita_iva": administrator.partita_iva,
                "account_numbers": list(administrator.account_numbers),
            }
            for administrator in self.administrators()
        ]

    # --- the back-office's checks of requests ------------------------------------------------
    def submit_request(self, request: RequestSubmission, idempotency_key: str) -> SubmissionResult:
        with self._lock:
            known = self._results.get(("request", idempotency_key))
            if known is not None:
                return replace(known, duplicate=True)
            refusal = self.request_problem(request)
            if refusal is None:
                return super().submit_request(request, idempotency_key)
            self._results[("request", idempotency_key)] = refusal
            return refusal

    def request_problem(self, request: RequestSubmission) -> SubmissionResult | None:
        """The back-office's refusal of a request (a reason code, and its words in Italian
        as it answers), or ``None`` when it takes the request."""
        number = request.account_number
        account = self.find_account(number)
        if account is None:
            raise AccountNotFound(number)
        data = request.data
        kind = request.request_type
        if kind == DIRECT_DEBIT:
            tax_code = compact(data.get("tax_code", ""))
            if tax_code != self.tax_code(number) or not holder_matches(
                str(data.get("account_holder_name", "")), account.holder_name, tax_code
            ):
                return SubmissionResult.rejected(
                    HOLDER_MISMATCH,
                    "L'intestatario del conto corrente deve essere il titolare del contratto: "
                    "nome e codice fiscale non corrispondono.",
                )
        if kind in (POWER_CHANGE, DEACTIVATION, VOLTURA):
            return self._supply_point_problem(number, kind, data)
        if kind in (INSTALMENT_PLAN, INVOICE_CORRECTION):
            wanted = compact(data.get("invoice_number", ""))
            invoice = next((i for i in self.invoices(number) if i.number == wanted), None)
            if invoice is None:
                return SubmissionResult.rejected(
                    "invoice_unknown", "La bolletta indicata non risulta intestata a questo contratto.")
            if kind == INSTALMENT_PLAN and invoice.status is InvoiceStatus.PAID:
                return SubmissionResult.rejected(
                    INVOICE_PAID, "La bolletta risulta già pagata: non è possibile rateizzarla.")
        return None

    def _supply_point_problem(self, number: str, kind: str, data: Mapping[str, Any]) -> SubmissionResult | None:
        refuse = SubmissionResult.rejected
        wanted = compact(data.get("supply_point", ""))
        point = next((p for p in self.supply_points(number) if p.identifier == wanted), None)
        if point is None:
            return refuse("supply_point_unknown", "Il punto di fornitura indicato non appartiene a questo contratto.")
        if kind == POWER_CHANGE:
            if point.commodity is not Commodity.ELECTRICITY:
                return refuse(POWER_CHANGE_GAS, "La modifica di potenza riguarda solo le forniture di energia elettrica.")
            if D(str(data.get("power_kw", "0"))) == point.contracted_power_kw:
                return refuse(POWER_UNCHANGED, "La potenza richiesta è quella già impegnata dal contratto.")
        return None

    # --- generation -------------------------------------------------------------------------
    def _data(self) -> dict[str, DemoCustomer]:
        if self._customers is None:
            with self._lock:
                if self._customers is None:
                    plan = condominium_plan(self.profile)
                    generator = _ItaliangasGenerator(self.profile, self.anchor, self.tz, plan)
                    customers = generator.run()
                    self._index(customers, plan)
                    self._pending = generator.pending
                    self._customers = customers
        return self._customers

    def _index(self, customers: dict[str, DemoCustomer], plan: Mapping[int, AdministratorPlan]) -> None:
        """PINs, codici fiscali and administrators; they depend on the seed alone."""
        seed = self.profile.seed
        members: dict[AdministratorPlan, list[str]] = {administrator: [] for administrator in ADMINISTRATORS}
        for number, customer in customers.items():
            rng = random.Random(f"{seed}/pin/{number}")
            pin = make_pin(rng)
            while pin in self._pins:
                pin = make_pin(rng)
            self._pins[pin] = number
            self._pin_of[number] = pin
            administrator = plan.get(customer.index)
            if administrator is None:
                self._tax_codes[number] = _person_tax_code(seed, customer.account)
            else:
                members[administrator].append(number)
                body = f"9{random.Random(f'{seed}/cf/{number}').randrange(10**6):06d}{administrator.tax_office}"
                self._tax_codes[number] = make_partita_iva(body)
            customer.account = replace(customer.account, tax_id=self._tax_codes[number])
        for administrator, numbers in members.items():
            rng = random.Random(f"{seed}/admin/{administrator.studio}")
            code = make_admin_code(rng)
            body = f"{rng.randint(10**6, 10**7 - 1)}{administrator.tax_office}"
            self._administrators[code] = Administrator(
                code=code,
                studio=administrator.studio,
                partita_iva=make_partita_iva(body),
                city=administrator.city,
                account_numbers=tuple(numbers),
            )

    def _lines(self, customer: DemoCustomer, invoice_number: str) -> tuple[InvoiceLine, ...]:
        """The core's lines with each one's own IVA rate."""
        return tuple(
            replace(line, vat_rate=getattr(item.charge, "vat_rate", line.vat_rate))
            for line, item in zip(super()._lines(customer, invoice_number), customer.priced[invoice_number], strict=True)
        )


def _person_tax_code(seed: int, account: AccountRecord) -> str:
    """A codice fiscale that belongs to the holder's name: birth date and place invented."""
    rng = random.Random(f"{seed}/cf/{account.number}")
    first_name, surname = account.holder_name.split(" ", 1)
    born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 60 * 365))
    city = account.address.city if rng.random() < 0.7 else rng.choice(sorted(BIRTHPLACES))
    return make_codice_fiscale(surname, first_name, born, first_name in FEMALE_FIRST_NAMES, BIRTHPLACES[city])
