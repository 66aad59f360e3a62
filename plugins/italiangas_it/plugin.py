"""Hook implementations of the Italiangas supplier plugin (brand "Area Clienti Italiangas")."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from core.plugin_api import NavigationItem, ReadingRules, SupplierHooks, hookimpl
from core.plugin_api.demo import reading_rules_for
from plugins.italiangas_it import condominiums
from plugins.italiangas_it.adapter import (
    HOLDER_MISMATCH,
    INVOICE_PAID,
    POWER_CHANGE_GAS,
    POWER_UNCHANGED,
    TARIFFS,
    ItaliangasDemoBackend,
)
from plugins.italiangas_it.i18n import _
from plugins.italiangas_it.identity import IDENTITY_METHODS
from plugins.italiangas_it.request_types import REQUEST_TYPES
from plugins.italiangas_it.supplier import SUPPLIER
from plugins.italiangas_it.views import condominiums as condominium_views
from plugins.italiangas_it.views import registration as registration_views

REJECTION_REASONS = {
    HOLDER_MISMATCH: _("The holder of the bank account must be the holder of the contract: "
                       "the name and the codice fiscale do not match."),
    INVOICE_PAID: _("This bill is already paid, so it cannot be paid in instalments."),
    POWER_CHANGE_GAS: _("A change of power applies to electricity supplies only."),
    POWER_UNCHANGED: _("The power requested is the power the contract already has."),
}
"""What the customer reads when the back-office refuses a request for one of its own reasons."""


# the PIN first (every customer has one), then the administrators' code
HOOKS = SupplierHooks(SUPPLIER, ItaliangasDemoBackend, identity_methods=IDENTITY_METHODS, request_types=REQUEST_TYPES)
portal_supplier = HOOKS.portal_supplier
portal_demo_backend = HOOKS.portal_demo_backend
portal_identity_methods = HOOKS.portal_identity_methods
portal_request_types = HOOKS.portal_request_types


@hookimpl
def portal_reading_rules(tenant: Any, supply_point: Any) -> ReadingRules:
    """Gas customers hand in their own readings (autolettura), in whole m³; electricity
    meters are read remotely by the distributor."""
    return reading_rules_for(supply_point, TARIFFS, default_registers=("volume",))


@hookimpl
def portal_rejection_reasons(tenant: Any) -> dict[str, Any]:
    return dict(REJECTION_REASONS)


@hookimpl
def portal_blueprints() -> list[Blueprint]:
    """Registration with the PIN Registrazione, and the condominium administrators' pages."""
    return [registration_views.bp, condominium_views.bp]


@hookimpl
def portal_navigation(tenant: Any, user: Any) -> list[NavigationItem]:
    """"Condominiums" for the administrators' logins."""
    if tenant.has(condominiums.CAPABILITY) and getattr(user, "is_authenticated", False) and condominiums.is_administrator(user):
        return [NavigationItem("condominiums.index", _("Condominiums"), order=25)]
    return []
