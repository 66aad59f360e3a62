"""The core's cross-cutting defaults: the bundled themes, the site's own pages and mail delivery.

Registered with the portal through the same hooks plugins use.
"""

from __future__ import annotations

from typing import Any

from core.framework import mail, site
from core.framework.descriptions import OutboxHandler
from core.framework.theming import BUNDLED_THEMES
from core.hookspecs import hookimpl


@hookimpl
def portal_themes() -> list[str]:
    return [str(BUNDLED_THEMES)]


@hookimpl
def portal_blueprints() -> list[Any]:
    return [site.bp]


@hookimpl
def portal_outbox_handlers() -> list[OutboxHandler]:
    return [OutboxHandler(mail.KIND, mail.deliver, mail.apply_answer)]
