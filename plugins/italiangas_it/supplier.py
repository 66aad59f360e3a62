"""The supplier this plugin serves: its name, market, languages, theme and contacts,
declared once for the hooks, the demo data and the request types."""

from __future__ import annotations

from core.plugin_api import SupplierInfo
from plugins.italiangas_it.i18n import _

PAYMENT_REGISTRATION_NOTE = _("Payments are registered in the Area Clienti within a few days.")
"""For the payments page: a payment made today shows after a few days (seed 004)."""

SUPPLIER = SupplierInfo(
    code="italiangas_it",
    name="Italiangas",
    country="IT",
    currency="EUR",
    timezone="Europe/Rome",
    default_locale="it",
    supported_locales=("it", "en", "pl", "cs", "uk"),
    theme="italiangas",
    capabilities=frozenset(
        {"e_invoice", "meter_readings", "direct_debit", "condominium_administrators"}
    ),
    package=__package__,
    support_phone="+39 800 000 000",
    support_email="servizioclienti@italiangas.example",
    payment_note=PAYMENT_REGISTRATION_NOTE,
)
