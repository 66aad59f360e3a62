"""Payments: history, balance and paying online. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from core.framework.descriptions import NavigationItem, OutboxHandler
from core.hookspecs import hookimpl
from core.payments import api, service, views


@hookimpl
def portal_blueprints() -> list[Any]:
    return [views.bp]


@hookimpl
def portal_navigation(tenant: Any, user: Any) -> list[NavigationItem]:
    return [NavigationItem("payments.index", _l("Payments"), order=35)]


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


@hookimpl
def portal_outbox_handlers() -> list[OutboxHandler]:
    return [OutboxHandler(service.KIND, service.deliver, service.apply_answer)]


@hookimpl
def portal_api_endpoints() -> list[Any]:
    return [api.endpoints]
