"""For a plugin's own pages (``portal_blueprints``): forms, rate limits, paging, sign-in.

A plugin's view renders a form with :func:`render_form`, limits a POST with
``@limiter.limit(limit("VERIFY"), methods=["POST"])`` (the limits are settings an operator
can change), reads the page number with :func:`page_number`, and sends a visitor who is not
signed in to the sign-in page with :func:`sign_in_required`.

A plugin's endpoints of the JSON API (``portal_api_endpoints``) are declared on an
:class:`ApiEndpoints`; a view reads its body with :func:`json_body` and :func:`load`, its
query with :func:`query_args`, answers a list with :func:`paginated` and one row with
:func:`one`, and refuses with :class:`ApiError` or :func:`validation_failed`.
"""

from __future__ import annotations

from core.api.base import (
    ApiEndpoints,
    ApiError,
    json_body,
    load,
    one,
    paginated,
    query_args,
    validation_failed,
)
from core.framework.extensions import limiter, login_manager
from core.framework.web import limit, page_number, render_form


def sign_in_required():
    """The answer for a visitor who must sign in first: the sign-in page, then back here."""
    return login_manager.unauthorized()


__all__ = [
    "render_form", "limit", "limiter", "page_number", "sign_in_required",
    "ApiEndpoints", "ApiError", "json_body", "load", "one", "paginated", "query_args", "validation_failed",
]
