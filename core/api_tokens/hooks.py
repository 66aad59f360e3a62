"""The customer's API access tokens. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from core.api_tokens import views
from core.framework.descriptions import NavigationItem
from core.hookspecs import hookimpl


@hookimpl
def portal_blueprints() -> list[Any]:
    return [views.bp]


@hookimpl
def portal_navigation(tenant: Any, user: Any) -> list[NavigationItem]:
    return [NavigationItem("api_tokens.index", _l("API access"), order=85)]

