"""Registration, activation, sign-in and passwords. Registered with the portal through the same hooks plugins use."""

from __future__ import annotations

from core.auth import views
from core.framework.feature_hooks import FeatureHooks

HOOKS = FeatureHooks(views.bp)
portal_blueprints = HOOKS.portal_blueprints
