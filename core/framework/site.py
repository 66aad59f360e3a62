"""Brand assets, the language switcher and the health check."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user

from core.framework.extensions import db
from core.framework.i18n import SESSION_KEY
from core.framework.web import safe_next

bp = Blueprint("site", __name__)


@bp.get("/theme.css")
def theme_css() -> Response:
    response = Response(g.tenant.theme.stylesheet(), mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/theme/<path:filename>")
def theme_static(filename: str) -> Response:
    response = send_from_directory(g.tenant.theme.static_dir, filename, max_age=3600)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.post("/language")
def set_language():
    """The language switcher: remembered in the session and, when signed in, on the user."""
    locale = request.form.get("locale", "")
    if locale not in g.tenant.locales:
        abort(400)
    session[SESSION_KEY] = locale
    if current_user.is_authenticated:
        current_user.locale = locale
        db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("dashboard.index")))


@bp.get("/healthz")
def health() -> dict:
    return {"status": "ok", "tenant": g.tenant.code, "version": current_app.config.get("VERSION", "")}
