"""Payments: history, balance and paying online. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from core.framework.descriptions import NavigationItem, OutboxHandler
from core.framework.feature_hooks import FeatureHooks
from core.hookspecs import hookimpl
from core.payments import api, service, views

HOOKS = FeatureHooks(
    views.bp,
    NavigationItem("payments.index", _l("Payments"), order=35),
    outbox=OutboxHandler(service.KIND, service.deliver, service.apply_answer),
    api=api.endpoints,
)
portal_blueprints = HOOKS.portal_blueprints
portal_navigation = HOOKS.portal_navigation
portal_outbox_handlers = HOOKS.portal_outbox_handlers
portal_api_endpoints = HOOKS.portal_api_endpoints


@hookimpl
def portal_payment_provider(tenant: Any) -> Any:
    """The demo bank for tenants on a demo back-end (in process, or over HTTP when the tenant's
    ``settings.demo_bank`` says so) and in demo mode; none otherwise."""
    from flask import current_app

    from core.demo.backend import DemoBackend

    demo = current_app.config["DEMO"] or isinstance(tenant.adapter, DemoBackend)
    if demo or tenant.settings.get("demo_bank") is True:
        return service.DemoPaymentProvider(service.demo_key(current_app.config["SECRET_KEY"], tenant.code), tenant)
    return None
