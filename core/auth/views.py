"""Registration, activation, sign-in and out, password reset and change.

Known and unknown e-mail addresses get the same answer everywhere, so the pages cannot
be used to find out who has an account.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import delete, select

from core.auth.schemas import (
    ChangePasswordSchema,
    ForgotPasswordSchema,
    LoginSchema,
    RegistrationSchema,
    ResetPasswordSchema,
)
from core.framework.extensions import db, limiter
from core.framework.forms import load_form
from core.framework.i18n import SESSION_KEY, select_locale
from core.framework.mail import send_mail
from core.framework.security import (
    SignInThrottle,
    TokenInvalid,
    check_password,
    consume_token,
    end_other_sessions,
    end_session,
    hash_password,
    make_token,
    read_token,
    remember_device,
    start_session,
)
from core.framework.web import limit, render_form, safe_next
from core.models import LoginSession, TermsAcceptance, User, utcnow
from core.profile.service import record_activity

bp = Blueprint("auth", __name__)


def _user_by_email(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == email.lower())).scalar_one_or_none()


def _activation_link(user: User) -> str:
    token = make_token("activate", uid=user.id)
    return url_for("auth.activate", token=token, _external=True)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(limit("REGISTER"), methods=["POST"])
def register():
    schema = RegistrationSchema()
    if request.method == "GET":
        return render_form("auth/register.html", schema)
    data, errors = load_form(schema, request.form)
    if errors:
        return render_form("auth/register.html", schema, errors)
    register_login(data, lambda user: send_mail(
        user.email, "activate", locale=user.locale, link=_activation_link(user)))
    return redirect(url_for("auth.check_inbox"))


def register_login(data: dict, send_activation: Callable[[User], None]) -> None:
    """Create an inactive login from a registration form and send its activation; commits.

    Plugins with their own registration steps (a PIN first, say) call this with their own
    activation mail. Known and unknown addresses get the same answer and the same work: a
    login not yet activated takes the new password and gets the link again; the owner of
    an active one is told how to sign in or reset the password.
    """
    email = data["email"].lower()
    password_hash = hash_password(data["password"])  # always, so timing tells nothing
    user = _user_by_email(email)
    if user is None:
        now, version = utcnow(), current_app.config["TERMS_VERSION"]
        user = User(email=email, password_hash=password_hash, locale=select_locale(),
                    terms_version=version, terms_accepted_at=now)
        db.session.add(user)
        db.session.flush()
        db.session.add(TermsAcceptance(user_id=user.id, version=version, accepted_at=now))
    elif user.activated_at is None:
        user.password_hash = password_hash
    if user.activated_at is None:
        send_activation(user)
    else:
        send_mail(
            email, "already_registered", locale=user.locale,
            login_link=url_for("auth.login", _external=True),
            reset_link=url_for("auth.forgot_password", _external=True),
        )
    db.session.commit()


@bp.get("/register/check-inbox")
def check_inbox():
    return render_template("auth/check_inbox.html")


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate(token: str):
    """GET shows a button; only the POST activates (mail scanners follow links)."""
    try:
        claims = read_token("activate", token, current_app.config["ACTIVATION_MAX_AGE"])
        user = db.session.get(User, claims["uid"])
        if user is None or user.tenant != g.tenant.code or user.activated_at is not None:
            raise TokenInvalid("no such inactive user")
    except TokenInvalid:
        return render_template("auth/link_invalid.html"), 400
    if request.method == "GET":
        return render_template("auth/activate.html", token=token)
    try:
        consume_token("activate", claims)
    except TokenInvalid:
        return render_template("auth/link_invalid.html"), 400
    user.activated_at = utcnow()
    db.session.commit()
    flash(_("Your account is active. You can sign in now."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limit("LOGIN"), methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    schema = LoginSchema()
    if request.method == "GET":
        return render_form("auth/login.html", schema)
    data, errors = load_form(schema, request.form)
    if errors:
        return render_form("auth/login.html", schema, errors)
    user = _user_by_email(data["email"])
    throttle = SignInThrottle(data["email"], user)
    if throttle.paused:  # not even the right password signs in now
        page, _status = render_form("auth/login.html", schema, {"_schema": [_(
            "Too many unsuccessful sign-ins with this e-mail address: for your security, signing in "
            "is paused for a while. If this address has a login, we have sent it an e-mail with a link "
            "that lets you sign in again from this browser.")]})
        return page, 429
    if not check_password(user, data["password"]):
        db.session.rollback()
        throttle.failed()
        record_activity(user, "login_failed", commit=True)
        if throttle.paused and user is not None and user.activated_at is not None:
            send_mail(user.email, "login_unlock", locale=user.locale, link=url_for(
                "auth.unlock", token=make_token("unlock", uid=user.id), _external=True))
            db.session.commit()
        return render_form(
            "auth/login.html", schema, {"_schema": [_("Incorrect e-mail address or password.")]}
        )
    if user.activated_at is None:
        send_mail(user.email, "activate", locale=user.locale, link=_activation_link(user))
        db.session.commit()
        return render_form(
            "auth/login.html", schema,
            {"_schema": [_("Your account is not active yet. We have sent you a new activation link.")]},
        )
    locale = session.get(SESSION_KEY)
    session.clear()  # a fresh session at sign-in: nothing carried over from before
    if locale:
        session[SESSION_KEY] = locale
    start_session(user)
    record_activity(user, "login")
    db.session.commit()
    throttle.succeeded()
    if not user.links:
        return remember_device(redirect(url_for("accounts.link")), user)
    return remember_device(redirect(safe_next(request.args.get("next"), url_for("dashboard.index"))), user)


@bp.route("/login/unlock/<token>", methods=["GET", "POST"])
def unlock(token: str):
    """The e-mailed link after too many failed sign-ins: lets this browser sign in again.

    GET shows a button; only the POST counts (mail scanners follow links).
    """
    try:
        claims = read_token("unlock", token, current_app.config["LOGIN_UNLOCK_MAX_AGE"])
        user = db.session.get(User, claims["uid"])
        if user is None or user.tenant != g.tenant.code or user.activated_at is None:
            raise TokenInvalid("no such active user")
    except TokenInvalid:
        return render_template("auth/link_invalid.html"), 400
    if request.method == "GET":
        return render_template("auth/unlock.html")
    try:
        consume_token("unlock", claims)
    except TokenInvalid:
        return render_template("auth/link_invalid.html"), 400
    db.session.commit()
    flash(_("You can sign in from this browser again."), "success")
    return remember_device(redirect(url_for("auth.login")), user)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        record_activity(current_user, "logout")
        end_session(current_user._get_current_object())
        db.session.commit()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(limit("RESET"), methods=["POST"])
def forgot_password():
    schema = ForgotPasswordSchema()
    if request.method == "GET":
        return render_form("auth/forgot_password.html", schema)
    data, errors = load_form(schema, request.form)
    if errors:
        return render_form("auth/forgot_password.html", schema, errors)
    user = _user_by_email(data["email"])
    if user is not None and user.activated_at is not None:
        token = make_token("reset", uid=user.id, pwd=user.password_hash[-16:])
        send_mail(
            user.email, "reset_password", locale=user.locale,
            link=url_for("auth.reset_password", token=token, _external=True),
        )
        db.session.commit()
    return render_template("auth/reset_sent.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    schema = ResetPasswordSchema()
    try:
        claims = read_token("reset", token, current_app.config["PASSWORD_RESET_MAX_AGE"])
        user = db.session.get(User, claims["uid"])
        if user is None or user.tenant != g.tenant.code or user.password_hash[-16:] != claims["pwd"]:
            raise TokenInvalid("stale")
    except TokenInvalid:
        return render_template("auth/link_invalid.html"), 400
    if request.method == "GET":
        return render_form("auth/reset_password.html", schema, token=token)
    data, errors = load_form(schema, request.form)
    if errors:
        return render_form("auth/reset_password.html", schema, errors, token=token)
    assert data is not None, "a form without errors has its data"
    try:
        consume_token("reset", claims)
    except TokenInvalid:
        return render_template("auth/link_invalid.html"), 400
    user.password_hash = hash_password(data["password"])
    user.password_changed_at = utcnow()
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    record_activity(user, "password_reset")
    db.session.commit()
    flash(_("Your password has been changed. Sign in with the new one."), "success")
    return remember_device(redirect(url_for("auth.login")), user)  # the link proved the mailbox


@bp.route("/password/change", methods=["GET", "POST"])
@login_required
def change_password():
    schema = ChangePasswordSchema()
    if request.method == "GET":
        return render_form("auth/change_password.html", schema)
    data, errors = load_form(schema, request.form)
    user = current_user._get_current_object()
    if not errors and not check_password(user, data["current_password"]):
        errors = {"current_password": [_("The current password is not correct.")]}
    if errors:
        return render_form("auth/change_password.html", schema, errors)
    user.password_hash = hash_password(data["password"])
    user.password_changed_at = utcnow()
    end_other_sessions(user)
    record_activity(user, "password_changed")
    db.session.commit()
    flash(_("Your password has been changed. Other devices have been signed out."), "success")
    return redirect(url_for("dashboard.index"))
