"""The core's own hook implementations, registered like any plugin's."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from core.hookspecs import hookimpl
from core.supplier import NavigationItem, NotificationChannel
from core.theming import BUNDLED_THEMES


@hookimpl
def portal_themes() -> list[str]:
    return [str(BUNDLED_THEMES)]


@hookimpl
def portal_navigation(tenant: Any, user: Any) -> list[NavigationItem]:
    items = [
        NavigationItem("dashboard.index", _l("Overview"), order=10),
        NavigationItem("accounts.index", _l("My accounts"), order=20),
        NavigationItem("readings.index", _l("Meter readings"), order=40),
        NavigationItem("auth.change_password", _l("Password"), order=90),
    ]
    if tenant.request_types():
        items.append(NavigationItem("requests.index", _l("Requests"), order=50))
    return items


@hookimpl
def portal_notification_channels(tenant: Any) -> list[NotificationChannel]:
    from core.mail import deliver

    return [NotificationChannel("email", _l("E-mail"), "email", deliver)]
