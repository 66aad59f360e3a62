"""Profile, contact data, privacy and the activity log. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.framework.descriptions import NavigationItem, OutboxHandler
from core.framework.feature_hooks import FeatureHooks
from core.profile import api, service, views

HOOKS = FeatureHooks(
    views.bp,
    NavigationItem("profile.index", _l("Profile"), order=80, group="account"),
    outbox=OutboxHandler(service.KIND, service.deliver, service.apply_answer),
    api=api.endpoints,
)
portal_blueprints = HOOKS.portal_blueprints
portal_navigation = HOOKS.portal_navigation
portal_outbox_handlers = HOOKS.portal_outbox_handlers
portal_api_endpoints = HOOKS.portal_api_endpoints
