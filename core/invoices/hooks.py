"""Invoices: the list, details, PDF and duplicates. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from core.framework.descriptions import NavigationItem
from core.hookspecs import hookimpl
from core.invoices import api, views


@hookimpl
def portal_blueprints() -> list[Any]:
    return [views.bp]


@hookimpl
def portal_navigation(tenant: Any, user: Any) -> list[NavigationItem]:
    return [NavigationItem("invoices.index", _l("Invoices"), order=30)]


@hookimpl
def portal_api_endpoints() -> list[Any]:
    return [api.endpoints]
