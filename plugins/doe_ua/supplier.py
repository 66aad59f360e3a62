"""The supplier this plugin serves: its name, market, languages, theme and contacts,
declared once for the hooks, the demo data and the request types."""

from __future__ import annotations

from core.plugin_api import SupplierInfo

SUPPLIER = SupplierInfo(
    code="doe_ua",
    name="Дніпрообленерго",
    country="UA",
    currency="UAH",
    timezone="Europe/Kyiv",
    default_locale="uk",
    supported_locales=("uk", "en", "pl", "cs", "it"),
    theme="doe",
    capabilities=frozenset({"meter_readings", "e_invoice", "actual_bill"}),
    package=__package__,
    support_phone="+380 56 000 00 00",
    support_email="kabinet@doe.example",
)
