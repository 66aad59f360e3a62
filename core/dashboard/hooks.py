"""The customer's overview. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.dashboard import views
from core.framework.descriptions import NavigationItem
from core.framework.feature_hooks import FeatureHooks

HOOKS = FeatureHooks(views.bp, NavigationItem("dashboard.index", _l("Overview"), order=10))
portal_blueprints = HOOKS.portal_blueprints
portal_navigation = HOOKS.portal_navigation
