"""Requests to the supplier, filed and followed. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from core.framework.descriptions import NavigationItem, OutboxHandler
from core.framework.feature_hooks import FeatureHooks
from core.hookspecs import hookimpl
from core.service_requests import api, service, views

HOOKS = FeatureHooks(
    views.bp, outbox=OutboxHandler(service.KIND, service.deliver, service.apply_answer), api=api.endpoints
)
portal_blueprints = HOOKS.portal_blueprints
portal_outbox_handlers = HOOKS.portal_outbox_handlers
portal_api_endpoints = HOOKS.portal_api_endpoints


@hookimpl
def portal_navigation(tenant: Any, user: Any) -> list[NavigationItem]:
    """Shown where the supplier offers requests."""
    return [NavigationItem("requests.index", _l("Requests"), order=50)] if tenant.request_types() else []
