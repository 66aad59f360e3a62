"""Consumption: monthly use and its export. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.consumption import api, views
from core.framework.descriptions import NavigationItem
from core.framework.feature_hooks import FeatureHooks

HOOKS = FeatureHooks(
    views.bp, NavigationItem("consumption.index", _l("Consumption"), order=45), api=api.endpoints
)
portal_blueprints = HOOKS.portal_blueprints
portal_navigation = HOOKS.portal_navigation
portal_api_endpoints = HOOKS.portal_api_endpoints
