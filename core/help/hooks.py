"""Help, contact and accessibility pages. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.framework.descriptions import NavigationItem
from core.framework.feature_hooks import FeatureHooks
from core.help import views

HOOKS = FeatureHooks(views.bp, NavigationItem("help.index", _l("Help"), order=95))
portal_blueprints = HOOKS.portal_blueprints
portal_navigation = HOOKS.portal_navigation
