"""Consent pages: the terms gate, e-invoices per account (or all at once), marketing."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.consents.service import (
    MARKETING,
    RECORDED,
    TERMS_EXEMPT,
    AcceptTermsSchema,
    SwitchSchema,
    accept_terms,
    e_invoice_offered,
    e_invoice_states,
    history,
    marketing_consent,
    set_e_invoice,
    set_marketing,
    terms_history,
    terms_outdated,
)
from core.framework.forms import load_form
from core.framework.web import render_form, safe_next
from core.service_requests.labels import request_status_label

bp = Blueprint("consents", __name__, url_prefix="/consents")


@bp.before_app_request
def require_current_terms():
    """Once the terms change, a signed-in customer accepts them before anything else."""
    if request.endpoint in TERMS_EXEMPT or g.get("tenant") is None:
        return None
    if not (current_user.is_authenticated and terms_outdated(current_user)):
        return None
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error="terms_not_accepted", accept_at=url_for("consents.terms", _external=True)), 403
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("consents.terms", next=target))


@bp.app_template_global()
def consent_status_label(status: str) -> str:
    return _("recorded") if status == RECORDED else request_status_label(status)


@bp.get("/terms/text")
def terms_text():
    """The terms of service to read, signed in or not (at registration): the supplier's own
    page where the deployment names one (``terms_url`` or ``TERMS_URL``), else the portal's."""
    published = g.tenant.settings.get("terms_url") or current_app.config["TERMS_URL"]
    if published:
        return redirect(published)
    return render_template("consents/terms_text.html")


@bp.route("/terms", methods=["GET", "POST"])
@login_required
def terms():
    schema = AcceptTermsSchema()
    context = dict(outdated=terms_outdated(current_user), accepted=terms_history(current_user))
    if request.method == "GET":
        return render_form("consents/terms.html", schema, **context)
    data, errors = load_form(schema, request.form)
    if not errors and not data["accept_terms"]:
        errors = {"accept_terms": [_("Tick the box to accept the terms of service.")]}
    if errors:
        return render_form("consents/terms.html", schema, errors, **context)
    accept_terms(current_user)
    flash(_("Thank you. You have accepted the terms of service."), "success")
    return redirect(safe_next(request.args.get("next"), url_for("dashboard.index")))


@bp.get("/")
@login_required
def index():
    offered = e_invoice_offered(g.tenant)
    return render_template(
        "consents/index.html",
        e_invoice=e_invoice_states(current_user) if offered else None,
        marketing=marketing_consent(current_user),
        marketing_history=history(current_user, MARKETING),
        terms=terms_history(current_user),
    )


def _switch() -> dict:
    data, errors = load_form(SwitchSchema(), request.form)
    if errors:
        abort(400)
    assert data is not None, "a form without errors has its data"
    return data


@bp.post("/e-invoice")
@login_required
def e_invoice():
    if not e_invoice_offered(g.tenant):
        abort(404)
    data = _switch()
    accounts = {link.account_id: link.account for link in current_user.links}
    if data["account"] == "all":
        chosen = list(accounts.values())
    elif data["account"] and int(data["account"]) in accounts:
        chosen = [accounts[int(data["account"])]]
    else:
        abort(404)  # not one of the customer's accounts
    changes = set_e_invoice(current_user, chosen, data["choice"] == "on")
    if changes:
        flash(_("We have received your choice and passed it on to the supplier."), "success")
    else:
        flash(_("Nothing to change: your bills are already sent that way."), "info")
    return redirect(url_for("consents.index"))


@bp.post("/marketing")
@login_required
def marketing():
    data = _switch()
    set_marketing(current_user, data["choice"] == "on")
    flash(_("Your choice has been saved."), "success")
    return redirect(url_for("consents.index"))
