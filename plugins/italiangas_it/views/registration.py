"""Registration with the PIN Registrazione: PIN, then login, then activation from the e-mail."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from core.plugin_api import (
    LinkOutcome,
    RegistrationSchema,
    TokenInvalid,
    check_identity,
    check_password,
    consume_token,
    db,
    load_form,
)
from core.plugin_api.web import limit, limiter, render_form
from plugins.italiangas_it import registration
from plugins.italiangas_it.i18n import _, gettext, ngettext
from plugins.italiangas_it.identity import PIN_METHOD, pin_attempt_key

bp = Blueprint("italiangas_registration", __name__, url_prefix="/registrazione")

_REFUSALS = {
    LinkOutcome.NO_MATCH: (
        _("This PIN does not match our records. Check it against your welcome letter or bill and try again."), 400),
    LinkOutcome.LOCKED: (
        _("Too many unsuccessful attempts with this PIN. For your security, registration with it is blocked "
          "for a while. Try again later or contact customer service."), 429),
    LinkOutcome.UNAVAILABLE: (
        _("We cannot check your PIN right now because our billing system is not responding. "
          "Nothing has been saved; please try again in a few minutes."), 503),
}
_ALREADY_REGISTERED = _(
    "This supply is already registered in the Area Clienti. Sign in with that login, or contact customer "
    "service to delete the existing registration so that you can register again.")


def _failures_per_lockout() -> str:
    """A visitor's failed PINs are counted like failed links: the same number per period."""
    minutes = int(current_app.config["VERIFICATION_LOCKOUT"].total_seconds() // 60)
    return f"{current_app.config['VERIFICATION_MAX_FAILURES']} per {max(minutes, 1)} minutes"


def _pin_failed(response) -> bool:
    return bool(g.get("italiangas_pin_failed"))


def _pin_key() -> str:
    return f"{g.tenant.code}:{pin_attempt_key(request.form)}"


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(limit("VERIFY"), methods=["POST"])
@limiter.limit(_failures_per_lockout, methods=["POST"], deduct_when=_pin_failed)
@limiter.limit(_failures_per_lockout, methods=["POST"], key_func=_pin_key, deduct_when=_pin_failed)
def pin():
    """Step 1: the PIN Registrazione."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.link"))
    schema = PIN_METHOD.schema()
    if request.method == "GET":
        return render_form("italiangas_it/registration/pin.html", schema)
    data, errors = load_form(schema, request.form)
    if errors:  # a typo (the check character): not an attempt
        return render_form("italiangas_it/registration/pin.html", schema, errors)
    result = check_identity(g.tenant, PIN_METHOD, data)
    if result.outcome == LinkOutcome.PROVEN and registration.all_registered(result.account_numbers):
        return _refuse(schema, _ALREADY_REGISTERED, 409)
    if result.outcome != LinkOutcome.PROVEN:
        g.italiangas_pin_failed = result.outcome == LinkOutcome.NO_MATCH
        return _refuse(schema, *_REFUSALS[result.outcome])
    registration.remember_proof(result.account_numbers)
    return redirect(url_for(".login"))


def _refuse(schema, message, status: int):
    page, _status = render_form("italiangas_it/registration/pin.html", schema, {"_schema": [str(message)]})
    return page, status


@bp.route("/accesso", methods=["GET", "POST"])
@limiter.limit(limit("REGISTER"), methods=["POST"])
def login():
    """Step 2: e-mail, password and terms; only after step 1 in this browser."""
    accounts = registration.proven_accounts()
    if accounts is None:
        flash(gettext("Start with the PIN Registrazione from your welcome letter or bill."), "info")
        return redirect(url_for(".pin"))
    schema = RegistrationSchema()
    if request.method == "GET":
        return render_form("italiangas_it/registration/login.html", schema, accounts=accounts)
    data, errors = load_form(schema, request.form)
    if errors:
        return render_form("italiangas_it/registration/login.html", schema, errors, accounts=accounts)
    registration.register(data, accounts)
    registration.forget_proof()
    return redirect(url_for("auth.check_inbox"))


@bp.route("/attiva/<token>", methods=["GET", "POST"])
@limiter.limit(limit("LOGIN"), methods=["POST"])
def activate(token: str):
    """GET shows the form; the POST, with the registration password, activates and links."""
    try:
        claims, user = registration.pending_activation(token)
    except TokenInvalid:
        return render_template("auth/link_invalid.html"), 400
    schema = registration.PinActivationSchema()
    if request.method == "GET":
        return render_form("italiangas_it/registration/activate.html", schema, email=user.email)
    data, errors = load_form(schema, request.form)
    if not errors and not check_password(user, data["password"]):
        errors = {"password": [str(_("This is not the password you chose when you registered."))]}
    if errors:
        db.session.rollback()
        return render_form("italiangas_it/registration/activate.html", schema, errors, email=user.email)
    try:
        consume_token(registration.TOKEN_PURPOSE, claims)
    except TokenInvalid:
        return render_template("auth/link_invalid.html"), 400
    result = registration.activate_and_link(user, claims["accounts"])
    if result.accounts:
        flash(ngettext("Your login is active and %(num)d customer account is linked to it. We have sent you a summary by e-mail.",
                       "Your login is active and %(num)d customer accounts are linked to it. We have sent you a summary by e-mail.",
                       len(result.accounts)), "success")
    else:
        flash(gettext("Your login is active, but we could not link your supply now. Sign in and link it with your PIN "
                "from My accounts. We have sent you a summary by e-mail."), "info")
    return redirect(url_for("auth.login"))
