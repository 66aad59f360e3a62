"""The demo: the list of brands and the mailbox. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from typing import Any

from core.demo import views
from core.hookspecs import hookimpl


@hookimpl
def portal_blueprints(app: Any) -> list[Any]:
    """Only a demo instance has the demo's pages."""
    return [views.bp] if app.config["DEMO"] else []
