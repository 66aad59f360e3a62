"""The supplier this plugin serves: its name, market, languages, theme and contacts,
declared once for the hooks, the demo data and the request types."""

from __future__ import annotations

from core.plugin_api import SupplierInfo
from plugins.cez_cz.i18n import _

ADVANCE = "advance"
SETTLEMENT = "settlement"
"""Invoice kinds: a monthly advance (předpis zálohy) and the yearly settlement (vyúčtování)."""

SUPPLIER = SupplierInfo(
    code="cez_cz",
    name="ČEZ Prodej",
    country="CZ",
    currency="CZK",
    timezone="Europe/Prague",
    default_locale="cs",
    supported_locales=("cs", "en", "pl", "uk", "it"),
    theme="cez",
    capabilities=frozenset({"meter_readings", "advance_payments", "planned_outages", "sms_notifications"}),
    package=__package__,
    support_phone="+420 800 000 000",
    support_email="zakaznicky.portal@cez.example",
    invoice_kinds={ADVANCE: _("Advance payment schedule"), SETTLEMENT: _("Settlement invoice")},
)
