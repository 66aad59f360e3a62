"""The JSON API (``/api/v1``). Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from typing import Any

from core.api import spec, views  # noqa: F401 - importing them declares the endpoints and the document
from core.api.base import bp
from core.hookspecs import hookimpl


@hookimpl
def portal_blueprints() -> list[Any]:
    return [bp]
