"""Payment pages: history and balance, "pay now", the demo bank, and the provider's callback."""

from __future__ import annotations

import secrets
from decimal import Decimal

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_login import current_user, login_required

from core.dashboard.service import dashboard_for
from core.framework.extensions import csrf, limiter
from core.framework.forms import load_form
from core.framework.ownership import invoice_of
from core.framework.selection import my_accounts
from core.framework.web import limit, page_number, safe_next
from core.payments.service import (
    STARTED,
    DemoPaymentProvider,
    InvalidCallback,
    amount_owed,
    intent_by_token,
    on_the_way,
    online_payments,
    paid_online,
    payment_history,
    payment_provider,
    payment_schema,
    payment_status_label,
    receive_callback,
    start_payment,
)

bp = Blueprint("payments", __name__, url_prefix="/payments")


@bp.app_template_global()
def paid_on_the_way(account) -> Decimal:
    """What the customer paid online for ``account`` that its balance does not show yet (a
    template global for every page that shows a balance; one query per page)."""
    if "paid_online" not in g:  # what no account's copy shows yet, whichever account the page shows
        g.paid_online = paid_online(current_user, min(
            (a.data_as_of for a in my_accounts(current_user)), default=account.data_as_of))
    return on_the_way(g.paid_online, account)


@bp.app_template_global()
def online_payment_provider():
    """The tenant's payment provider, or ``None`` where customers cannot pay online (a template global)."""
    return payment_provider(g.tenant)
bp.add_app_template_global(payment_status_label)


@bp.get("/")
@login_required
def index():
    overview = dashboard_for(current_user)
    page = page_number()
    payments, has_next = payment_history([a.id for a in overview.accounts], page)
    return render_template(
        "payments/index.html", overview=overview, payments=payments, page=page, has_next=has_next,
        online=online_payments(current_user), provider=payment_provider(g.tenant),
        accounts={a.id: a for a in overview.accounts}, note=g.tenant.supplier.payment_note,
    )


def _what_to_pay(account_id: int | None, invoice_id: int | None):
    """The account (and invoice) to pay, if it is the customer's."""
    if invoice_id is not None:
        found = invoice_of(current_user, invoice_id)
        if found is None:
            abort(404)
        return found[1], found[0]
    account = next((a for a in my_accounts(current_user) if a.id == account_id), None)
    if account is None:
        abort(404)
    return account, None


@bp.route("/pay/account/<int:account_id>", methods=["GET", "POST"])
@bp.route("/pay/invoice/<int:invoice_id>", methods=["GET", "POST"])
@login_required
@limiter.limit(limit("PAYMENT"), methods=["POST"])
def pay(account_id: int | None = None, invoice_id: int | None = None):
    """The amount to pay (the balance's debt or an invoice's outstanding amount), then the provider."""
    provider = payment_provider(g.tenant)
    if provider is None:
        abort(404)
    account, invoice = _what_to_pay(account_id, invoice_id)
    owed = amount_owed(account, invoice)
    if owed.amount <= 0:
        abort(404)
    schema = payment_schema(owed)
    context = dict(account=account, invoice=invoice, owed=owed, provider=provider, schema=schema)
    if request.method == "GET":
        return render_template("payments/pay.html", values={"amount": format_decimal(owed.amount, "0.00")}, errors={}, **context)
    data, errors = load_form(schema, request.form)
    if errors:
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return render_template("payments/pay.html", values=values, errors=errors, **context), 400
    assert data is not None, "a form without errors has its data"
    _intent, pay_at = start_payment(g.tenant, provider, current_user, account, invoice, data["amount"])
    return redirect(pay_at)


def _own_intent(token: str):
    intent = intent_by_token(token)
    if intent is None or intent.user_id != current_user.id:
        abort(404)
    return intent


@bp.get("/done/<token>")
@login_required
def done(token: str):
    return render_template("payments/done.html", intent=_own_intent(token))


@bp.route("/demo-bank/<token>", methods=["GET", "POST"])
@login_required
@limiter.limit(limit("PAYMENT"), methods=["POST"])
def demo_bank(token: str):
    """The demo provider's bank page. Being part of the portal, it hands its signed
    callback straight to the callback's handler, which verifies it like any other."""
    provider = payment_provider(g.tenant)
    if not isinstance(provider, DemoPaymentProvider):
        abort(404)
    intent = _own_intent(token)
    back = safe_next(request.values.get("return_to"), url_for("payments.done", token=token))
    if intent.status != STARTED:  # already paid or cancelled
        return redirect(back)
    if request.method == "GET":
        return render_template("payments/demo_bank.html", intent=intent, provider=provider, return_to=back)
    paid = request.form.get("decision") == "pay"
    body, headers = provider.notification(intent.token, f"DEMO-{secrets.token_hex(8).upper()}", paid, intent.money)
    receive_callback(provider, body, headers)
    return redirect(back)


@bp.post("/callback/<provider_code>")
@csrf.exempt  # posted by the provider, which proves itself by its signature
@limiter.limit(limit("PAYMENT_CALLBACK"))
def callback(provider_code: str):
    provider = payment_provider(g.tenant)
    if provider is None or provider.code != provider_code:
        abort(404)
    try:
        receive_callback(provider, request.get_data(), request.headers)
    except InvalidCallback as exc:
        return {"error": str(exc)}, 400
    return {"status": "ok"}, 200
