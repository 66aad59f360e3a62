"""The core's cross-cutting defaults: the bundled themes, the site's own pages and mail delivery.

Registered with the portal through the same hooks plugins use.
"""

from __future__ import annotations

from core.framework import mail, site
from core.framework.descriptions import OutboxHandler
from core.framework.feature_hooks import FeatureHooks
from core.framework.theming import BUNDLED_THEMES
from core.hookspecs import hookimpl

HOOKS = FeatureHooks(site.bp, outbox=OutboxHandler(mail.KIND, mail.deliver, mail.apply_answer))
portal_blueprints = HOOKS.portal_blueprints
portal_outbox_handlers = HOOKS.portal_outbox_handlers


@hookimpl
def portal_themes() -> list[str]:
    return [str(BUNDLED_THEMES)]
