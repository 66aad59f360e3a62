"""Invoices: the list, details, PDF and duplicates. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.framework.descriptions import NavigationItem
from core.framework.feature_hooks import FeatureHooks
from core.invoices import api, views

HOOKS = FeatureHooks(views.bp, NavigationItem("invoices.index", _l("Invoices"), order=30), api=api.endpoints)
portal_blueprints = HOOKS.portal_blueprints
portal_navigation = HOOKS.portal_navigation
portal_api_endpoints = HOOKS.portal_api_endpoints
