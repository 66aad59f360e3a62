"""innogy's offers a supply point can be moved to, and their prices: the one table behind
the change-of-offer form (its choices, the prices it shows, the energies each offer is
sold for).

Prices are net, per kWh of energy (gas is billed in kWh too) and per month (the opłata
handlowa); the distribution charges are the operator's and do not change with the offer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.numbers import format_currency
from flask_babel import get_locale

from core.plugin_api import SupplyPointFact, money
from core.plugin_api.billing import Commodity
from plugins.innogy_pl.i18n import _
from plugins.innogy_pl.supplier import SUPPLIER, VAT_RATE

D = Decimal
ELECTRICITY, GAS = Commodity.ELECTRICITY, Commodity.GAS
ENERGY_LABELS = {ELECTRICITY: _("electricity"), GAS: _("gas")}


@dataclass(frozen=True)
class Price:
    """What an offer costs for one energy, without VAT."""

    energy: Decimal
    """Per kWh."""
    monthly_fee: Decimal
    """Per month, whatever the consumption."""

    def with_vat(self) -> Price:
        """The same price with VAT, per kWh to a hundredth of a grosz, per month to the grosz."""
        return Price(_gross(self.energy, "0.0001"), _gross(self.monthly_fee, "0.01"))


def _gross(net: Decimal, places: str) -> Decimal:
    return (net * (1 + VAT_RATE)).quantize(D(places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Offer:
    """An offer a customer can choose for a supply point."""

    code: str
    """Stable: what the request carries to the back-end."""
    label: Any
    """Its name (a lazy string)."""
    prices: Mapping[Commodity, Price]
    """Its prices by energy: the energies it is sold for."""


OFFERS = (
    Offer("fixed_price_2y", _("Fixed price for 2 years"),
          {ELECTRICITY: Price(D("0.5390"), D("9.99")), GAS: Price(D("0.2290"), D("8.99"))}),
    Offer("fixed_price_3y", _("Fixed price for 3 years"),
          {ELECTRICITY: Price(D("0.5590"), D("7.99")), GAS: Price(D("0.2390"), D("6.99"))}),
    Offer("green_energy", _("Energy from renewable sources"),
          {ELECTRICITY: Price(D("0.5790"), D("12.99"))}),
    Offer("standard", _("Standard price list"),
          {ELECTRICITY: Price(D("0.4950"), D("11.49")), GAS: Price(D("0.2074"), D("10.49"))}),
)
"""In the order the form offers them."""
OFFER_BY_CODE = {offer.code: offer for offer in OFFERS}


def offered_for(commodity: str) -> list[Offer]:
    """The offers sold for supply points of ``commodity``."""
    return [offer for offer in OFFERS if commodity in offer.prices]


def price_facts(points: Iterable[Any]) -> list[SupplyPointFact]:
    """Each offer's price for each energy of ``points``, in the customer's language, so the
    offers can be compared before one is chosen (the energy is named where there are two)."""
    points = list(points)
    energies = [energy for energy in Commodity if any(point.commodity == energy for point in points)]
    facts = []
    for offer in OFFERS:
        for energy in energies:
            if energy not in offer.prices:
                continue
            label = (_("%(offer)s (%(energy)s)", offer=offer.label, energy=ENERGY_LABELS[energy])
                     if len(energies) > 1 else offer.label)
            facts.append(SupplyPointFact(label, _price_in_words(offer.prices[energy])))
    return facts


def _price_in_words(price: Price) -> str:
    gross = price.with_vat()
    return str(_("%(energy_gross)s/kWh and %(fee_gross)s a month with VAT (%(energy)s/kWh and %(fee)s a month "
                 "without VAT)", energy_gross=_per_kwh(gross.energy), fee_gross=money(gross.monthly_fee),
                 energy=_per_kwh(price.energy), fee=money(price.monthly_fee)))


def _per_kwh(value: Decimal) -> str:
    """A price per kWh in the customer's format, to four decimals as price lists state it
    (``0,6630 zł``): the locale's currency format with four decimals for its two."""
    pattern = get_locale().currency_formats["standard"].pattern.replace("0.00", "0.0000")
    return format_currency(value, SUPPLIER.currency, format=pattern, currency_digits=False, locale=get_locale())
