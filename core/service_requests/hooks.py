"""Requests to the supplier, filed and followed. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from core.framework.descriptions import NavigationItem, OutboxHandler
from core.hookspecs import hookimpl
from core.service_requests import api, service, views


@hookimpl
def portal_blueprints() -> list[Any]:
    return [views.bp]


@hookimpl
def portal_navigation(tenant: Any, user: Any) -> list[NavigationItem]:
    """Shown where the supplier offers requests."""
    return [NavigationItem("requests.index", _l("Requests"), order=50)] if tenant.request_types() else []


@hookimpl
def portal_outbox_handlers() -> list[OutboxHandler]:
    return [OutboxHandler(service.KIND, service.deliver, service.apply_answer)]


@hookimpl
def portal_api_endpoints() -> list[Any]:
    return [api.endpoints]
