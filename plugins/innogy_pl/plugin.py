"""Hook implementations of the innogy Polska supplier plugin (brand "Moje innogy")."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from core.plugin_api import IdentityMethod, ReadingRules, RequestType, SupplierInfo, hookimpl
from core.plugin_api.billing import BillingAdapter
from core.plugin_api.demo import reading_rules_for
from plugins.innogy_pl.adapter import TARIFFS, InnogyDemoBackend
from plugins.innogy_pl.i18n import GETTEXT_DOMAIN, TRANSLATIONS_DIR
from plugins.innogy_pl.identity import INVOICE_METHOD
from plugins.innogy_pl.request_types import REQUEST_TYPES

TEMPLATES_DIR = str(files(__package__) / "templates")

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
    gettext_domain=GETTEXT_DOMAIN,
    translations_dir=TRANSLATIONS_DIR,
    templates_dir=TEMPLATES_DIR,
    support_phone="+48 22 000 00 00",
    support_email="pomoc@innogy.example",
)

@hookimpl
def portal_supplier() -> SupplierInfo:
    return SUPPLIER


@hookimpl
def portal_demo_backend() -> BillingAdapter:
    """The demo back-end; the core keeps one per tenant."""
    return InnogyDemoBackend()


@hookimpl
def portal_identity_methods(tenant: Any) -> list[IdentityMethod]:
    return [INVOICE_METHOD]


@hookimpl
def portal_request_types(tenant: Any) -> list[RequestType]:
    return list(REQUEST_TYPES)


@hookimpl
def portal_reading_rules(tenant: Any, supply_point: Any) -> ReadingRules:
    """Readings are taken online only where the operator allows it (Stoen Operator)."""
    return reading_rules_for(supply_point, TARIFFS)
