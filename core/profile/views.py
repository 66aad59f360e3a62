"""Profile and privacy pages: contact details, e-mail address, language, activity log,
download of one's data and deletion of the login."""

from __future__ import annotations

from types import SimpleNamespace

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from core.framework.extensions import db, limiter
from core.framework.fields import phone_in_words
from core.framework.forms import load_form
from core.framework.i18n import SESSION_KEY
from core.framework.mail import send_mail
from core.framework.security import TokenInvalid, check_password, consume_token, make_token, read_token
from core.framework.web import limit, page_number
from core.models import User, utcnow
from core.profile.service import (
    ACTIVITY_LABELS,
    CONTACT_FIELDS,
    DeleteAccountSchema,
    EmailChangeSchema,
    EmailTaken,
    activity_page,
    browser_in_words,
    change_email,
    contact_schema,
    contact_updates,
    delete_login,
    email_in_use,
    export_files,
    language_schema,
    profile_of,
    record_activity,
    save_contact,
    set_language,
    zip_stream,
)

bp = Blueprint("profile", __name__, url_prefix="/profile")
bp.add_app_template_filter(browser_in_words, "browser_in_words")
ACTIVITY_PAGE_SIZE = 25


def _posted() -> dict:
    return {k: v for k, v in request.form.items() if k not in ("csrf_token", "current_password", "password")}


def _index(status: int = 200, **posted):
    """The profile page; ``posted`` holds ``(values, errors)`` of a form sent back with errors."""
    user = current_user._get_current_object()
    profile = profile_of(user)
    saved = {name: getattr(profile, name) or "" for name in CONTACT_FIELDS}
    saved["country"] = saved["country"] or g.tenant.supplier.country
    saved["phone"] = phone_in_words(profile.phone, g.tenant.supplier.country)
    forms = {
        "contact": (contact_schema(g.tenant.supplier.country), saved),
        "email": (EmailChangeSchema(), {}),
        "language": (language_schema(g.tenant.locales), {"locale": user.locale or g.tenant.default_locale}),
    }
    context = {
        name: SimpleNamespace(schema=schema, values=posted.get(name, (values, {}))[0], errors=posted.get(name, (values, {}))[1])
        for name, (schema, values) in forms.items()
    }
    return render_template("profile/index.html", updates=contact_updates(user), **context), status


@bp.get("/")
@login_required
def index():
    return _index()


@bp.post("/contact")
@login_required
def contact():
    data, errors = load_form(contact_schema(g.tenant.supplier.country), request.form)
    if errors:
        return _index(400, contact=(_posted(), errors))
    if save_contact(current_user._get_current_object(), data):
        flash(_("Your contact details have been saved and passed on to the supplier."), "success")
    else:
        flash(_("Nothing to change: your contact details are as they were."), "info")
    return redirect(url_for("profile.index"))


@bp.post("/language")
@login_required
def language():
    data, errors = load_form(language_schema(g.tenant.locales), request.form)
    if errors:
        return _index(400, language=(_posted(), errors))
    set_language(current_user._get_current_object(), data["locale"])
    session[SESSION_KEY] = data["locale"]
    flash(_("Your language has been saved."), "success")
    return redirect(url_for("profile.index"))


@bp.post("/email")
@login_required
@limiter.limit(limit("EMAIL_CHANGE"))
def email():
    """A confirmation link goes to the new address; taken or not, the answer is the same."""
    data, errors = load_form(EmailChangeSchema(), request.form)
    user = current_user._get_current_object()
    if not errors and not check_password(user, data["current_password"]):
        errors = {"current_password": [_("The current password is not correct.")]}
    if not errors and data["email"].lower() == user.email:
        errors = {"email": [_("This is already your e-mail address.")]}
    if errors:
        return _index(400, email=(_posted(), errors))
    new = data["email"].lower()
    if email_in_use(new):
        send_mail(new, "profile/mail/email_taken.txt", locale=user.locale,
                      login_link=url_for("auth.login", _external=True),
                      reset_link=url_for("auth.forgot_password", _external=True))
    else:
        token = make_token("email_change", uid=user.id, old=user.email, new=new)
        send_mail(new, "profile/mail/confirm_email.txt", locale=user.locale,
                      link=url_for("profile.confirm_email", token=token, _external=True))
    record_activity(user, "email_change_requested")
    db.session.commit()
    flash(_("We have sent a confirmation link to %(email)s. Your address changes when you open it.", email=new), "info")
    return redirect(url_for("profile.index"))


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """GET shows a button; only the POST changes the address (mail scanners follow links)."""
    try:
        claims = read_token("email_change", token, current_app.config["EMAIL_CHANGE_MAX_AGE"])
        user = db.session.get(User, claims["uid"])
        if user is None or user.tenant != g.tenant.code or user.email != claims["old"]:
            raise TokenInvalid("no such user, or the address has changed since")
    except TokenInvalid:
        return render_template("auth/link_invalid.html"), 400
    if request.method == "GET":
        return render_template("profile/confirm_email.html", token=token, new_email=claims["new"])
    try:
        consume_token("email_change", claims)
        old = change_email(user, claims["new"])
    except (TokenInvalid, EmailTaken):
        db.session.rollback()
        return render_template("auth/link_invalid.html"), 400
    send_mail(old, "profile/mail/email_changed.txt", locale=user.locale, new_email=user.email)
    db.session.commit()
    flash(_("Your e-mail address has been changed to %(email)s.", email=user.email), "success")
    return redirect(url_for("profile.index"))


@bp.get("/activity")
@login_required
def activity():
    page = page_number()
    events, has_next = activity_page(current_user, page, ACTIVITY_PAGE_SIZE)
    return render_template("profile/activity.html", events=events, page=page, has_next=has_next,
                           labels=ACTIVITY_LABELS)


def _privacy(errors: dict | None = None, status: int = 200):
    return render_template("profile/privacy.html", schema=DeleteAccountSchema(), values={},
                           errors=errors or {}), status


@bp.get("/privacy")
@login_required
def privacy():
    return _privacy()


def _per_login() -> str:
    return f"{g.tenant.code}:login:{getattr(current_user, 'id', '-')}"


@bp.post("/privacy/export")
@login_required
@limiter.limit(limit("EXPORT"), key_func=_per_login)
def export():
    user_id = current_user.id
    record_activity(current_user, "data_exported", commit=True)

    def files():  # runs after this view returns, in a fresh database session
        yield from export_files(db.session.get(User, user_id))

    response = Response(stream_with_context(zip_stream(files())), mimetype="application/zip")
    filename = f"{g.tenant.code}-my-data-{utcnow():%Y-%m-%d}.zip"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/privacy/delete")
@login_required
@limiter.limit(limit("LOGIN"))
def delete():
    data, errors = load_form(DeleteAccountSchema(), request.form)
    user = current_user._get_current_object()
    if not errors and not check_password(user, data["password"]):
        errors = {"password": [_("The password is not correct.")]}
    if errors:
        db.session.rollback()
        return _privacy(errors, 400)
    delete_login(user)
    locale = session.get(SESSION_KEY)
    logout_user()
    session.clear()
    if locale:
        session[SESSION_KEY] = locale
    flash(_("Your login and its data have been deleted. Thank you for using the portal."), "success")
    return redirect(url_for("auth.login"))
