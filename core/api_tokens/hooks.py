"""The customer's API access tokens. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.api_tokens import views
from core.framework.descriptions import NavigationItem
from core.framework.feature_hooks import FeatureHooks

HOOKS = FeatureHooks(views.bp, NavigationItem("api_tokens.index", _l("API access"), order=85, group="account"))
portal_blueprints = HOOKS.portal_blueprints
portal_navigation = HOOKS.portal_navigation
