"""Pages of the condominium administrators: the condominiums, adding and removing one,
the billing address and bills by e-mail for all of them, and all their invoices."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from core.plugin_api import (
    LinkOutcome,
    e_invoice_offered,
    load_form,
    new_submission_key,
    set_e_invoice,
)
from core.plugin_api.web import limit, limiter, page_number, render_form, sign_in_required
from plugins.italiangas_it import condominiums
from plugins.italiangas_it.i18n import _, gettext, ngettext
from plugins.italiangas_it.identity import ADMIN_CODE_METHOD
from plugins.italiangas_it.request_types import (
    BILLING_ADDRESS,
    BillingAddressSchema,
)

bp = Blueprint("condominiums", __name__, url_prefix="/condomini")

_LINK_REFUSALS = {
    LinkOutcome.NO_MATCH: (_("The code you entered does not match our records. Check it and try again."), 400),
    LinkOutcome.LOCKED: (_("Too many unsuccessful attempts. For your security, adding condominiums is blocked for a "
                           "while. Try again later or contact customer service."), 429),
    LinkOutcome.LINKED_ELSEWHERE: (_("This condominium is already linked to another login. Contact customer service "
                                     "if the administration has changed hands."), 409),
    LinkOutcome.UNAVAILABLE: (_("We cannot check the code right now because our billing system is not responding. "
                                "Nothing has been changed; please try again in a few minutes."), 503),
}


@bp.before_request
def administrators_only():
    if not current_user.is_authenticated:
        return sign_in_required()
    if not g.tenant.has(condominiums.CAPABILITY):
        abort(404)
    if not condominiums.is_administrator(current_user):  # becomes one with the Codice Amministratore
        flash(gettext("These pages are for condominium administrators: enter your Codice Amministratore first."), "info")
        return redirect(url_for("accounts.link", method=ADMIN_CODE_METHOD.code))
    return None


@bp.get("/")
def index():
    return render_template("italiangas_it/condominiums/index.html",
                           condominiums=condominiums.condominiums(current_user),
                           own_supplies=condominiums.own_supplies(current_user))


@bp.route("/aggiungi", methods=["GET", "POST"])
@limiter.limit(limit("VERIFY"), methods=["POST"])
def add():
    """Another condominium, proven with its PIN (or the studio's code again)."""
    method = g.tenant.identity_method(request.values.get("method") or "pin")
    if method is None:
        abort(404)
    schema = method.schema()
    context = dict(methods=g.tenant.identity_methods(), method=method, schema=schema)
    if request.method == "GET":
        return render_template("italiangas_it/condominiums/add.html", values={}, errors={}, **context)
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    data, errors = load_form(schema, request.form)
    if errors:
        return render_template("italiangas_it/condominiums/add.html", values=values, errors=errors, **context), 400
    result, added = condominiums.add(g.tenant, current_user._get_current_object(), method, data)
    if result.outcome in (LinkOutcome.LINKED, LinkOutcome.ALREADY_YOURS):
        if added:
            flash(ngettext("%(num)d condominium added.", "%(num)d condominiums added.", added), "success")
        else:
            flash(gettext("This condominium is already among yours."), "info")
        if result.refused:
            flash(ngettext("%(num)d condominium was not added: it is linked to another login.",
                           "%(num)d condominiums were not added: they are linked to another login.", result.refused),
                  "error")
        return redirect(url_for(".index"))
    message, status = _LINK_REFUSALS[result.outcome]
    errors = {"_schema": [str(result.message or message)]}
    return render_template("italiangas_it/condominiums/add.html", values=values, errors=errors, **context), status


@bp.route("/<int:account_id>/rimuovi", methods=["GET", "POST"])
def remove(account_id: int):
    account = condominiums.condominium(current_user, account_id)
    if account is None:
        abort(404)
    if request.method == "GET":
        return render_template("italiangas_it/condominiums/remove.html", account=account)
    condominiums.remove(current_user, account)
    flash(gettext("%(name)s is no longer among your condominiums.", name=account.holder_name), "success")
    return redirect(url_for(".index") if condominiums.is_administrator(current_user) else url_for("accounts.index"))


@bp.route("/recapito", methods=["GET", "POST"])
def billing_address():
    """One new billing address for every condominium: a request for each, through the outbox."""
    accounts = condominiums.condominiums(current_user)
    schema = BillingAddressSchema()
    template = "italiangas_it/condominiums/billing_address.html"
    if request.method == "GET":
        return render_template(template, schema=schema, condominiums=accounts, values={}, errors={},
                               submission_key=new_submission_key())
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    submission_key = request.form.get("submission_key", "")
    data, errors = load_form(schema, request.form)
    if not errors and len(submission_key) not in condominiums.SUBMISSION_KEY_LENGTH:
        errors = {"_schema": [gettext("The form has expired. Please fill it in again.")]}
    if errors:
        return render_template(template, schema=schema, condominiums=accounts, values=values, errors=errors,
                               submission_key=new_submission_key()), 400
    filed = condominiums.file_for_all(current_user, accounts, BILLING_ADDRESS, data, submission_key)
    if filed:
        flash(ngettext("%(num)d request received, one for each condominium.",
                       "%(num)d requests received, one for each condominium.", len(filed)), "success")
    else:
        flash(gettext("These requests had already been received."), "info")
    return redirect(url_for("requests.index"))


@bp.route("/bolletta-email", methods=["GET", "POST"])
def email_bills():
    """Bills by e-mail for every condominium: the core's e-invoice consent, through the outbox."""
    if not e_invoice_offered(g.tenant):
        abort(404)
    schema = condominiums.EmailBillsForAllSchema()
    template = "italiangas_it/condominiums/email_bills.html"
    if request.method == "GET":
        return render_form(template, schema, states=condominiums.email_bill_states(current_user))
    data, errors = load_form(schema, request.form)
    if errors:
        return render_form(template, schema, errors, states=condominiums.email_bill_states(current_user))
    changes = set_e_invoice(current_user, condominiums.condominiums(current_user), True)
    if changes:
        flash(ngettext("Bills by e-mail requested for %(num)d condominium.",
                       "Bills by e-mail requested for %(num)d condominiums.", len(changes)), "success")
    else:
        flash(gettext("Every condominium already receives its bills by e-mail."), "info")
    return redirect(url_for(".email_bills"))


@bp.get("/fatture")
def invoices():
    page = page_number()
    rows, has_next = condominiums.invoices_page(current_user, page)
    return render_template("italiangas_it/condominiums/invoices.html", rows=rows, page=page, has_next=has_next)
