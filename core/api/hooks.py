"""The JSON API (``/api/v1``): its blueprint, built for each app from every feature's and
plugin's ``portal_api_endpoints``, with the OpenAPI document and its page."""

from __future__ import annotations

from typing import Any

from flask import Flask

from core.api import spec
from core.api.base import ApiEndpoints, build_blueprint
from core.hookspecs import hookimpl


@hookimpl
def portal_blueprints(app: Flask) -> list[Any]:
    pm = app.extensions["portal_plugins"]
    groups: list[tuple[ApiEndpoints, object | None]] = []
    for impl in pm.hook.portal_api_endpoints.get_hookimpls():  # in the order they were registered: the core first
        owner = impl.plugin if hasattr(impl.plugin, "portal_supplier") else None
        groups.extend((endpoints, owner) for endpoints in impl.function() or [])
    return [build_blueprint(app, groups, {"/openapi.json": spec.openapi, "/docs": spec.docs})]
