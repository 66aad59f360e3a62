"""Notification settings, planned outage alerts and reading reminders. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from core.framework import mail
from core.framework.descriptions import NavigationItem, NotificationChannel, ScheduledJob
from core.framework.feature_hooks import FeatureHooks
from core.hookspecs import hookimpl
from core.notifications import api, service, views

HOOKS = FeatureHooks(
    views.bp, NavigationItem("notifications.index", _l("Notifications"), order=60, group="account"), api=api.endpoints
)
portal_blueprints = HOOKS.portal_blueprints
portal_navigation = HOOKS.portal_navigation
portal_api_endpoints = HOOKS.portal_api_endpoints


@hookimpl
def portal_scheduled_jobs(tenant: Any) -> list[ScheduledJob]:
    """Planned outage alerts and reading reminders, for suppliers that offer them."""
    return service.scheduled_jobs(tenant)


@hookimpl
def portal_notification_channels(tenant: Any) -> list[NotificationChannel]:
    return [NotificationChannel("email", _l("E-mail"), "email", mail.queue)]
