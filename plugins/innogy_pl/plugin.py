"""Hook implementations of the innogy Polska supplier plugin (brand "Moje innogy")."""

from __future__ import annotations

from typing import Any

from core.plugin_api import ReadingRules, SupplierHooks, hookimpl
from core.plugin_api.demo import reading_rules_for
from plugins.innogy_pl.adapter import TARIFFS, InnogyDemoBackend
from plugins.innogy_pl.identity import INVOICE_METHOD
from plugins.innogy_pl.request_types import REQUEST_TYPES
from plugins.innogy_pl.supplier import SUPPLIER

HOOKS = SupplierHooks(SUPPLIER, InnogyDemoBackend, identity_methods=[INVOICE_METHOD], request_types=REQUEST_TYPES)
portal_supplier = HOOKS.portal_supplier
portal_demo_backend = HOOKS.portal_demo_backend
portal_identity_methods = HOOKS.portal_identity_methods
portal_request_types = HOOKS.portal_request_types


@hookimpl
def portal_reading_rules(tenant: Any, supply_point: Any) -> ReadingRules:
    """Readings are taken online only where the operator allows it (Stoen Operator)."""
    return reading_rules_for(supply_point, TARIFFS)
