"""The supplier this plugin serves: its name, market, languages, theme and contacts,
declared once for the hooks, the demo data and the request types."""

from __future__ import annotations

from decimal import Decimal

from core.plugin_api import SupplierInfo

SUPPLIER = SupplierInfo(
    code="innogy_pl",
    name="innogy Polska",
    country="PL",
    currency="PLN",
    timezone="Europe/Warsaw",
    default_locale="pl",
    supported_locales=("pl", "en", "cs", "uk", "it"),
    theme="innogy",
    capabilities=frozenset({"e_invoice", "meter_readings", "maintenance_banner"}),
    package=__package__,
    support_phone="+48 22 000 00 00",
    support_email="pomoc@innogy.example",
)

VAT_RATE = Decimal("0.23")
"""VAT on electricity and gas in Poland: the invoices and the offers' prices with VAT."""
