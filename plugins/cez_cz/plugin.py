"""Hook implementations of the ČEZ Prodej supplier plugin (brand "Zákaznický portál ČEZ")."""

from __future__ import annotations

from typing import Any

from core.plugin_api import (
    NotificationChannel,
    ReadingRules,
    SupplierHooks,
    SupplyPointFact,
    hookimpl,
)
from plugins.cez_cz.adapter import CezDemoBackend
from plugins.cez_cz.codes import breaker_for_power
from plugins.cez_cz.i18n import _
from plugins.cez_cz.identity import EAN_EIC_METHOD
from plugins.cez_cz.outages import planned_outages
from plugins.cez_cz.request_types import REQUEST_TYPES
from plugins.cez_cz.rules import price_change_reading_period, reading_rules_for
from plugins.cez_cz.sms import sms_channel
from plugins.cez_cz.supplier import SUPPLIER

HOOKS = SupplierHooks(SUPPLIER, CezDemoBackend, identity_methods=[EAN_EIC_METHOD], request_types=REQUEST_TYPES)
portal_supplier = HOOKS.portal_supplier
portal_demo_backend = HOOKS.portal_demo_backend
portal_identity_methods = HOOKS.portal_identity_methods
portal_request_types = HOOKS.portal_request_types


@hookimpl
def portal_reading_rules(tenant: Any, supply_point: Any) -> ReadingRules:
    """Self-readings everywhere: whole units, T1/T2 for two-rate sazby, the tariff's ceiling."""
    return reading_rules_for(supply_point)


@hookimpl
def portal_supply_point_facts(tenant: Any, supply_point: Any) -> list[SupplyPointFact]:
    """The main circuit breaker (jistič) an electricity point's contracted power stands for."""
    breaker = breaker_for_power(supply_point.contracted_power_kw) if supply_point.commodity == "electricity" else None
    return [SupplyPointFact(_("Main circuit breaker (jistič)"), breaker.label)] if breaker else []


@hookimpl
def portal_notification_channels(tenant: Any) -> list[NotificationChannel]:
    """SMS, for notices of planned power outages."""
    return [sms_channel(tenant)]


@hookimpl
def portal_planned_outages(tenant: Any, supply_points: list[Any]) -> list[Any]:
    """Planned power cuts announced by the distributors for the customers' supply points."""
    return planned_outages(tenant, supply_points)


@hookimpl
def portal_reading_period(tenant: Any, supply_point: Any, today: Any) -> Any:
    """Reminders to read the meter at the yearly price change, not every month."""
    return price_change_reading_period(today)
