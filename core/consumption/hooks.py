"""Consumption: monthly use and its export. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from core.consumption import api, views
from core.framework.descriptions import NavigationItem
from core.hookspecs import hookimpl


@hookimpl
def portal_blueprints() -> list[Any]:
    return [views.bp]


@hookimpl
def portal_navigation(tenant: Any, user: Any) -> list[NavigationItem]:
    return [NavigationItem("consumption.index", _l("Consumption"), order=45)]


@hookimpl
def portal_api_endpoints() -> list[Any]:
    return [api.endpoints]
