"""Demo-only pages: the mailbox of captured messages, and the shared demo logins kept
usable for every visitor. Registered only in demo mode."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import or_, select

from core.framework.extensions import db
from core.framework.mail import MAILBOX_KEY, demo_login
from core.models import MailMessage

bp = Blueprint("demo", __name__, url_prefix="/demo")
_URL = re.compile(r"https?://\S+")


def linkify(text: str) -> Markup:
    parts, last = [], 0
    for match in _URL.finditer(text):
        parts.append(escape(text[last:match.start()]))
        parts.append(Markup('<a href="{0}">{0}</a>').format(match.group(0)))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


SHARED_LOGIN_KEPT = {"auth.change_password": "auth.change_password", "profile.email": "profile.index",
                     "profile.delete": "profile.privacy"}
"""What a visitor signed in as a brand's published demo login may not do to it, and the page to go back to."""


@bp.before_app_request
def keep_the_demo_login_shared():
    """Every visitor signs in with the published demo login: nobody may take it over by
    changing its password or address, deleting it, or asking for its password reset."""
    if request.method != "POST" or g.get("tenant") is None:
        return None
    login = demo_login(g.tenant.code)
    signed_in_as_it = current_user.is_authenticated and current_user.email == login
    if (request.endpoint in SHARED_LOGIN_KEPT and signed_in_as_it) or (
        request.endpoint == "auth.forgot_password" and request.form.get("email", "").strip().lower() == login
    ):
        flash(_("The demo login is shared by every visitor: its password, e-mail address and data stay as "
                "they are. Register a login of your own to try this."), "warning")
        return redirect(url_for(SHARED_LOGIN_KEPT.get(request.endpoint, "auth.forgot_password")))
    return None


@bp.get("/mailbox")
def mailbox():
    """The mail this browser session caused, and the mail of the customer signed in here."""
    mine = [MailMessage.mailbox == session[MAILBOX_KEY]] if MAILBOX_KEY in session else []
    if current_user.is_authenticated:
        mine.append(MailMessage.recipient == current_user.email)
    messages = db.session.execute(
        select(MailMessage).where(or_(*mine)).order_by(MailMessage.id.desc()).limit(200)
    ).scalars().all() if mine else []
    return render_template("demo/mailbox.html", messages=messages, linkify=linkify)


@bp.get("/brands")
def brands():
    """The demo's entry page: every brand served by this process, each on its own host."""
    if g.get("tenant") is not None:
        abort(404)
    port = request.host.rsplit(":", 1)[1] if ":" in request.host.rsplit("]", 1)[-1] else None
    links = [
        (tenant, f"{request.scheme}://{tenant.hosts[0]}{':' + port if port else ''}/")
        for tenant in current_app.extensions["portal_tenants"]
        if tenant.hosts
    ]
    return render_template("demo/brands.html", links=links)


@bp.get("/brands/<code>/logo")
def brand_logo(code: str):
    tenant = current_app.extensions["portal_tenants"].by_code.get(code)
    if tenant is None:
        abort(404)
    return send_from_directory(tenant.theme.static_dir, tenant.theme.logo, max_age=3600)
