"""Hook implementations of the innogy Polska supplier plugin (brand "Moje innogy")."""

from __future__ import annotations

from typing import Any

from core.plugin_api import ReadingRules, SupplierHooks, SupplierInfo, hookimpl
from core.plugin_api.demo import reading_rules_for
from plugins.innogy_pl.adapter import TARIFFS, InnogyDemoBackend
from plugins.innogy_pl.identity import INVOICE_METHOD
from plugins.innogy_pl.request_types import REQUEST_TYPES

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


HOOKS = SupplierHooks(SUPPLIER, InnogyDemoBackend, identity_methods=[INVOICE_METHOD], request_types=REQUEST_TYPES)
portal_supplier = HOOKS.portal_supplier
portal_demo_backend = HOOKS.portal_demo_backend
portal_identity_methods = HOOKS.portal_identity_methods
portal_request_types = HOOKS.portal_request_types


@hookimpl
def portal_reading_rules(tenant: Any, supply_point: Any) -> ReadingRules:
    """Readings are taken online only where the operator allows it (Stoen Operator)."""
    return reading_rules_for(supply_point, TARIFFS)
