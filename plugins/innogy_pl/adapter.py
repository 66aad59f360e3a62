"""innogy's demo billing back-end: Polish customers, supply point codes, tariffs and invoices.

Prices are net and close to Polish household price lists of 2025 (energy, distribution
and the regulated charges); VAT is 23 %. Readings can be handed in online only in the
Stoen Operator area (Warsaw), as in the real "Moje innogy". Supply points are numbered
with 18-digit GS1 codes, called PPE for electricity and PPG for gas (punkt poboru gazu) on
the invoices; the operators' GS1 prefixes in them are illustrative, the check digit is real.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from stdnum import iban

from core.plugin_api import make_ppe
from core.plugin_api.billing import Address, Commodity, InvoiceLabels, InvoiceRecord, SellerDetails
from core.plugin_api.demo import (
    FORECAST,
    READINGS_CAPABILITY,
    Charge,
    ChargeBasis,
    DemoBackend,
    DemoProfile,
    DistributionOperator,
    Locality,
    PaymentBehaviour,
    Tariff,
)
from plugins.innogy_pl.supplier import SUPPLIER, VAT_RATE

STOEN = "Stoen Operator"
ENEA = "Enea Operator"
PGE = "PGE Dystrybucja"
TAURON = "Tauron Dystrybucja"
ENERGA = "Energa-Operator"
PSG = "Polska Spółka Gazownictwa"

IDENTITY_INVOICES = 6
"""How many of the newest invoices the identity check accepts."""

_KWH = "kWh"
_MONTH = "mies."
D = Decimal


def _per_kwh(description: str, price: str, register: str | None = None) -> Charge:
    return Charge(description, ChargeBasis.ENERGY, D(price), _KWH, register)


def _per_month(description: str, price: str) -> Charge:
    return Charge(description, ChargeBasis.MONTH, D(price), _MONTH)


_REGULATED = (
    _per_kwh("Opłata jakościowa", "0.0314"),
    _per_kwh("Opłata OZE", "0.0035"),
    _per_kwh("Opłata kogeneracyjna", "0.0030"),
    _per_month("Opłata przejściowa", "0.33"),
    _per_month("Opłata mocowa", "10.46"),
    _per_month("Opłata abonamentowa", "1.08"),
)
_HOUSEHOLD_POWER = (D("4"), D("7"), D("11"), D("14"))

G11 = Tariff(
    code="G11",
    commodity=Commodity.ELECTRICITY,
    registers=("1.8.0",),
    charges=(
        _per_kwh("Energia elektryczna czynna – całodobowa", "0.4950"),
        _per_kwh("Opłata sieciowa zmienna", "0.2889"),
        _per_month("Opłata sieciowa stała", "10.06"),
        *_REGULATED,
    ),
    annual_consumption_kwh=(900, 2200),
    contracted_power_kw=_HOUSEHOLD_POWER,
    max_daily_consumption=D("80"),
    weight=3,
)
G12 = Tariff(
    code="G12",
    commodity=Commodity.ELECTRICITY,
    registers=("1.8.1", "1.8.2"),
    register_shares=(D("0.62"), D("0.38")),
    charges=(
        _per_kwh("Energia elektryczna czynna – strefa dzienna", "0.5650", "1.8.1"),
        _per_kwh("Energia elektryczna czynna – strefa nocna", "0.3650", "1.8.2"),
        _per_kwh("Opłata sieciowa zmienna – strefa dzienna", "0.3213", "1.8.1"),
        _per_kwh("Opłata sieciowa zmienna – strefa nocna", "0.0857", "1.8.2"),
        _per_month("Opłata sieciowa stała", "10.87"),
        *_REGULATED,
    ),
    annual_consumption_kwh=(1200, 2600),
    contracted_power_kw=_HOUSEHOLD_POWER,
    max_daily_consumption=D("100"),
)


def _gas_tariff(
    code: str, network: str, fixed: str, subscription: str, *, consumption: tuple[int, int],
    seasonality: tuple[float, ...], max_daily: str, weight: int = 1,
) -> Tariff:
    """A W-group gas tariff: the fuel at the one price, the network and subscription of the group."""
    return Tariff(
        code=code,
        commodity=Commodity.GAS,
        registers=("volume",),
        charges=(
            _per_kwh("Paliwo gazowe", "0.2074"),
            _per_kwh("Opłata sieciowa zmienna", network),
            _per_month("Opłata sieciowa stała", fixed),
            _per_month("Opłata abonamentowa", subscription),
        ),
        annual_consumption_kwh=consumption,
        meter_unit="m3",
        kwh_per_meter_unit=D("11.2"),
        seasonality=seasonality,
        max_daily_consumption=D(max_daily),
        weight=weight,
    )


W11 = _gas_tariff(
    "W-1.1", "0.1236", "5.55", "4.88", consumption=(900, 3000),
    seasonality=(1.10, 1.08, 1.04, 1.00, 0.95, 0.90, 0.88, 0.90, 0.95, 1.02, 1.06, 1.12), max_daily="5", weight=2,
)
W21 = _gas_tariff(
    "W-2.1", "0.0832", "13.26", "6.06", consumption=(4000, 12000),
    seasonality=(1.60, 1.50, 1.30, 0.95, 0.70, 0.55, 0.50, 0.50, 0.65, 1.00, 1.30, 1.45), max_daily="20",
)
TARIFFS = (G11, G12, W11, W21)

OPERATORS = (
    DistributionOperator(STOEN, Commodity.ELECTRICITY, "5430", frozenset({READINGS_CAPABILITY})),
    DistributionOperator(ENEA, Commodity.ELECTRICITY, "3100"),
    DistributionOperator(PGE, Commodity.ELECTRICITY, "2430"),
    DistributionOperator(TAURON, Commodity.ELECTRICITY, "3220"),
    DistributionOperator(ENERGA, Commodity.ELECTRICITY, "2120"),
    DistributionOperator(PSG, Commodity.GAS, "3655"),
)

WARSAW_STREETS = (
    "ul. Marszałkowska", "ul. Puławska", "al. Jana Pawła II", "ul. Grójecka",
    "ul. Wołoska", "ul. Targowa", "ul. Górczewska", "ul. Żelazna", "ul. Świętokrzyska",
    "ul. Chmielna", "ul. Ząbkowska", "ul. Kasprowicza", "ul. Sienna", "ul. Wilcza",
    "ul. Hoża", "ul. Mokotowska", "ul. Racławicka", "ul. Łucka", "ul. Dzika",
)
STREETS = (
    "ul. Mickiewicza", "ul. Słowackiego", "ul. Kościuszki", "ul. Długa", "ul. Polna",
    "ul. Leśna", "ul. Sienkiewicza", "ul. Żeromskiego", "ul. Ogrodowa", "ul. Lipowa",
    "ul. Kwiatowa", "ul. Szkolna",
)
LOCALITIES = (
    Locality(
        "Warszawa",
        ("00-024", "00-116", "00-693", "01-042", "01-493", "02-495", "02-672", "02-798",
         "03-301", "03-984", "04-175", "04-620"),
        STOEN, PSG, WARSAW_STREETS, weight=14,
    ),
    Locality("Piaseczno", ("05-500", "05-501"), PGE, PSG),
    Locality("Poznań", ("60-101", "60-693", "61-809"), ENEA, PSG, weight=2),
    Locality("Szczecin", ("70-415", "71-252"), ENEA, PSG),
    Locality("Łódź", ("90-142", "93-350"), PGE, PSG),
    Locality("Lublin", ("20-072", "20-601"), PGE, PSG),
    Locality("Kraków", ("30-059", "31-153"), TAURON, PSG),
    Locality("Gdańsk", ("80-288", "80-831"), ENERGA, PSG),
)

FIRST_NAMES = (
    "Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Krystyna",
    "Elżbieta", "Zofia", "Joanna", "Magdalena", "Piotr", "Krzysztof", "Andrzej",
    "Tomasz", "Paweł", "Michał", "Marcin", "Jakub", "Łukasz", "Grzegorz", "Jan",
    "Stanisław", "Wojciech",
)
SURNAMES = (  # forms that do not change with the holder's gender
    "Nowak", "Wójcik", "Kowalczyk", "Woźniak", "Mazur", "Krawczyk", "Kaczmarek",
    "Zając", "Król", "Wieczorek", "Wróbel", "Stępień", "Dudek", "Adamczyk", "Pawlak",
    "Walczak", "Sikora", "Baran", "Michalak", "Szewczyk", "Pietrzak", "Marciniak",
    "Kubiak", "Wilk", "Lis", "Kaźmierczak", "Cieślak", "Sobczak",
)

INVOICE_LABELS = InvoiceLabels.in_language("pl", supply_point_by_commodity={
    Commodity.ELECTRICITY: "Punkt poboru energii (PPE)",
    Commodity.GAS: "Punkt poboru gazu (PPG)",
})
"""The invoice's words: a gas supply point's code is its PPG, an electricity one's its PPE."""

BANK_BRANCH = "10901014"
"""The bank and branch of the demo accounts (its last digit the branch code's check digit)."""
SELLER = SellerDetails(
    legal_name="innogy Polska S.A.",
    address=Address("ul. Puławska 145", "02-715", "Warszawa", "PL"),
    vat_id="5272618432",
    bank_account="PL30109010140000000147352190",
)
"""The seller on the demo invoices: an invented NIP and IBAN whose check digits are right."""


def make_bank_account(account_number: str) -> str:
    """The customer's own account number (indywidualny rachunek do wpłat): the seller's bank
    and branch, ``4735``, the customer number and ``01``, as an IBAN."""
    bban = f"{BANK_BRANCH}4735{int(account_number):010d}01"
    return f"PL{iban.calc_check_digits(f'PL00{bban}')}{bban}"


def make_payment_reference(account_number: str, invoice: InvoiceRecord) -> str:
    """The transfer's title: the invoice number."""
    return invoice.number


def make_supply_point_id(rng: random.Random, operator: DistributionOperator) -> str:
    """An 18-digit PPE (or PPG for gas): 590 (Poland), the operator's prefix, a serial, the check digit."""
    return make_ppe(f"590{operator.identifier_prefix}{rng.randrange(10**10):010d}")


def make_customer_number(rng: random.Random) -> str:
    return str(rng.randint(10**9, 10**10 - 1))


def make_invoice_number(kind: str, issued_on: dt.date, sequence: int) -> str:
    """``F/2026/10/000123`` for an invoice, ``P/...`` for a forecast (prognoza)."""
    prefix = "P" if kind == FORECAST else "F"
    return f"{prefix}/{issued_on:%Y}/{issued_on:%m}/{sequence:06d}"


def format_amount(amount: Decimal) -> str:
    """An amount the way a Polish customer types it: ``123,45``."""
    return f"{amount:.2f}".replace(".", ",")


def make_identity(backend: DemoBackend, account_number: str) -> dict[str, Any]:
    """What the customer copies from their newest invoice into the identity form."""
    invoice = backend.recent_invoices(account_number, 1)[0]
    return {
        "customer_number": account_number,
        "invoice_number": invoice.number,
        "gross_amount": format_amount(invoice.gross.amount),
    }


INNOGY_PROFILE = DemoProfile(
    supplier=SUPPLIER,
    seed=20_180_601,
    first_names=FIRST_NAMES,
    surnames=SURNAMES,
    streets=STREETS,
    localities=LOCALITIES,
    operators=OPERATORS,
    tariffs=TARIFFS,
    vat_rate=VAT_RATE,
    make_supply_point_id=make_supply_point_id,
    make_customer_number=make_customer_number,
    make_invoice_number=make_invoice_number,
    make_identity=make_identity,
    billing_period_months=2,
    payments=PaymentBehaviour(terms_days=14, methods=("transfer", "transfer", "transfer", "card")),
    invoice_labels=INVOICE_LABELS,
    invoice_locale="pl_PL",
    invoice_date_format="dd.MM.yyyy",
    supplier_details=("Dane demonstracyjne – dokument nie jest fakturą.",),
    invoice_vat_summary=True,
    seller=SELLER,
    make_bank_account=make_bank_account,
    make_payment_reference=make_payment_reference,
)


class InnogyDemoBackend(DemoBackend):
    """innogy's billing system as the demo and the tests see it."""

    def __init__(self, anchor: dt.date | None = None) -> None:
        super().__init__(INNOGY_PROFILE, anchor)
