"""The core's own hook implementations, registered like any plugin's."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from core.framework.descriptions import NavigationItem, NotificationChannel, ScheduledJob
from core.framework.theming import BUNDLED_THEMES
from core.hookspecs import hookimpl


@hookimpl
def portal_themes() -> list[str]:
    return [str(BUNDLED_THEMES)]


@hookimpl
def portal_navigation(tenant: Any, user: Any) -> list[NavigationItem]:
    from flask import current_app

    items = [
        NavigationItem("dashboard.index", _l("Overview"), order=10),
        NavigationItem("accounts.index", _l("My accounts"), order=20),
        NavigationItem("invoices.index", _l("Invoices"), order=30),
        NavigationItem("payments.index", _l("Payments"), order=35),
        NavigationItem("readings.index", _l("Meter readings"), order=40),
        NavigationItem("consumption.index", _l("Consumption"), order=45),
        NavigationItem("notifications.index", _l("Notifications"), order=60),
        NavigationItem("consents.index", _l("Consents"), order=70),
        NavigationItem("profile.index", _l("Profile"), order=80),
        NavigationItem("api_tokens.index", _l("API access"), order=85),
        NavigationItem("help.index", _l("Help"), order=95),
    ]
    if tenant.request_types():
        items.append(NavigationItem("requests.index", _l("Requests"), order=50))
    # a feature's entry shows once its pages exist (a feature may be switched off)
    return [item for item in items if item.endpoint in current_app.view_functions]


@hookimpl
def portal_payment_provider(tenant: Any) -> Any:
    """The demo bank for tenants on a demo back-end (in process, or over HTTP when the tenant's
    ``settings.demo_bank`` says so) and in demo mode; none otherwise."""
    from flask import current_app

    from core.billing.demo import DemoBackend
    from core.payments.service import DemoPaymentProvider, demo_key

    demo = current_app.config["DEMO"] or isinstance(tenant.adapter, DemoBackend)
    if demo or tenant.settings.get("demo_bank") is True:
        return DemoPaymentProvider(demo_key(current_app.config["SECRET_KEY"], tenant.code))
    return None


@hookimpl
def portal_scheduled_jobs(tenant: Any) -> list[ScheduledJob]:
    """Planned outage alerts and reading reminders, for suppliers that offer them."""
    from core.notifications.service import scheduled_jobs

    return scheduled_jobs(tenant)


@hookimpl
def portal_notification_channels(tenant: Any) -> list[NotificationChannel]:
    from core.framework.mail import queue

    return [NotificationChannel("email", _l("E-mail"), "email", queue)]
