"""Registration, activation, sign-in and passwords. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from typing import Any

from core.auth import views
from core.hookspecs import hookimpl


@hookimpl
def portal_blueprints() -> list[Any]:
    return [views.bp]
