"""Linking billing accounts and the supply point pages. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from core.accounts import api, views
from core.framework.descriptions import NavigationItem
from core.hookspecs import hookimpl


@hookimpl
def portal_blueprints() -> list[Any]:
    return [views.bp]


@hookimpl
def portal_navigation(tenant: Any, user: Any) -> list[NavigationItem]:
    return [NavigationItem("accounts.index", _l("My accounts"), order=20)]


@hookimpl
def portal_api_endpoints() -> list[Any]:
    return [api.endpoints]
