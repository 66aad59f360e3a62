"""Linking billing accounts and the supply point pages. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.accounts import api, views
from core.framework.descriptions import NavigationItem
from core.framework.feature_hooks import FeatureHooks

HOOKS = FeatureHooks(
    views.bp, NavigationItem("accounts.index", _l("My accounts"), order=20), api=api.endpoints
)
portal_blueprints = HOOKS.portal_blueprints
portal_navigation = HOOKS.portal_navigation
portal_api_endpoints = HOOKS.portal_api_endpoints
