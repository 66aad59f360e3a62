"""Small helpers shared by the web views."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import abort, current_app, render_template, request
from werkzeug.routing import IntegerConverter, PathConverter
from werkzeug.urls import iri_to_uri

MAX_ID = 2**31 - 1  # ids are 32-bit integers on every database
MAX_PAGE = 100_000  # no list of a customer's has more pages


def render_form(template: str, schema, errors: dict | None = None, status: int = 200, **context):
    """Render a page with a schema-driven form, keeping what the user typed (not passwords)."""
    values = {k: v for k, v in request.form.items() if k != "csrf_token"} if request.method == "POST" else {}
    return (
        render_template(template, schema=schema, values=values, errors=errors or {}, **context),
        400 if errors else status,
    )


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` if it is a path of this site, else ``fallback``: every ``next`` goes through here.

    Browsers drop tabs and line breaks from addresses and read a backslash as a slash, so
    ``/<tab>/evil.example`` would lead to another site: targets with a backslash or a control
    character (which cannot go in a header either) are refused rather than cleaned. What is
    left is sent percent-encoded (spaces, letters beyond ASCII).
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    if any(unicodedata.category(char) == "Cc" for char in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return iri_to_uri(target)


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in every route: a number beyond the database's ids matches no route (404),
    instead of reaching a query the database refuses."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class AnyPathConverter(PathConverter):
    """``<anypath:...>``: like ``path``, but a line break in the address matches too (catch-alls)."""

    regex = "(?s:[^/].*?)"


def page_number(args=None) -> int:
    """The ``page`` query argument of a list: 1 when missing or nonsense, 404 past any list's end."""
    page = max((request.args if args is None else args).get("page", 1, type=int), 1)
    if page > MAX_PAGE:
        abort(404)
    return page


def limit(name: str):
    """The configured rate limit ``RATELIMIT_<name>``, read per request."""
    return lambda: current_app.config[f"RATELIMIT_{name}"]


def navigation() -> list:
    """Navigation entries from the core and the tenant's plugin, in their order."""
    from flask import g
    from flask_login import current_user

    items = [i for group in g.tenant.hook.portal_navigation(tenant=g.tenant, user=current_user) for i in group]
    # an entry shows once its page exists (a feature may be switched off)
    items = [item for item in items if item.endpoint in current_app.view_functions]
    return sorted(items, key=lambda item: (item.order, str(item.label)))


def _error_page(title: str, message: str, status: int):
    from flask import g
    from markupsafe import escape

    if g.get("tenant") is None:  # no brand to dress the page in (unknown host)
        return f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>", status
    return render_template("errors/error.html", title=title, message=message), status


def init_app(app) -> None:
    from flask_babel import gettext as _
    from flask_wtf.csrf import CSRFError

    from core.framework.fields import phone_in_words
    from core.framework.forms import field_max_length, widget_for
    from core.framework.labels import commodity_label, register_label
    from core.framework.rejections import rejection_message

    app.add_template_global(navigation)
    app.add_template_global(commodity_label)
    app.add_template_global(register_label)
    app.add_template_global(phone_in_words)
    app.add_template_filter(rejection_message, "rejection")
    app.add_template_global(widget_for, "form_widget")
    app.add_template_global(field_max_length, "form_max_length")

    @app.errorhandler(404)
    def not_found(error):
        for prefix, handler in app.extensions.get("portal_unmatched_path_errors", {}).items():
            if request.path.startswith(prefix + "/"):  # e.g. an id beyond the database's under /api/v1
                return handler(error)
        return _error_page(_("Page not found"), _("The page you asked for does not exist or is not available to you."), 404)

    @app.before_request
    def refuse_large_bodies():
        """Above MAX_CONTENT_LENGTH nothing is read, whether or not the view would read it."""
        if request.content_length is not None and request.content_length > (request.max_content_length or float("inf")):
            abort(413)

    @app.errorhandler(413)
    def too_large(error):
        return _error_page(_("The request is too large"), _("What was sent is larger than the portal accepts. Nothing has been changed."), 413)

    @app.errorhandler(429)
    def too_many(error):
        return _error_page(_("Too many attempts"), _("You have tried too many times. Wait a few minutes and try again."), 429)

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return _error_page(_("The form has expired"), _("For your security the form could not be accepted. Go back, reload the page and try again."), 400)

    @app.errorhandler(500)
    def server_error(error):
        return _error_page(_("Something went wrong"), _("We could not complete your request. Nothing has been changed. Please try again later."), 500)
