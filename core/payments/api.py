"""The API's payments: those received, and "pay now" (an attempt opened at the payment
provider, the same as the web's pay button)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

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
from core.api.schemas import PageQuery
from core.framework.extensions import db, limiter
from core.framework.ownership import own_accounts, owned
from core.framework.web import limit
from core.models import BillingAccount, Invoice, Payment
from core.payments.models import PaymentIntent
from core.payments.schemas import (
    PaymentAttemptSchema,
    PaymentInput,
    PaymentPage,
    PaymentSchema,
    StartedPaymentSchema,
)
from core.payments.service import amount_owed, payment_provider, payment_schema, start_payment

endpoints = ApiEndpoints()
BILLING = _l("Invoices and payments")


def _dump(payment: Payment, account_number: str) -> dict[str, Any]:
    return PaymentSchema().dump(payment) | {"account_number": account_number}


@endpoints.operation("/payments", summary=_l("Payments received, newest first"), tag=BILLING,
                     response=PaymentPage, query=PageQuery)
def payments():
    statement = owned(
        select(Payment, BillingAccount.number).join(BillingAccount, Payment.account_id == BillingAccount.id),
        current_user,
    ).order_by(Payment.booked_at.desc(), Payment.id.desc())
    return paginated(statement, query_args(PageQuery), _dump)


def _what_to_pay(body: dict[str, Any]) -> tuple[BillingAccount, Invoice | None]:
    account = db.session.execute(
        own_accounts(current_user).where(BillingAccount.number == body["account"])).scalar_one_or_none()
    if account is None:
        raise validation_failed({"account": [_("Choose one of your customer accounts.")]})
    if body["invoice"] is None:
        return account, None
    invoice = db.session.execute(select(Invoice).where(
        Invoice.account_id == account.id, Invoice.number == body["invoice"])).scalar_one_or_none()
    if invoice is None:
        raise validation_failed({"invoice": [_("This account has no invoice with this number.")]})
    return account, invoice


@endpoints.operation(
    "/payments", "POST", summary=_l("Pay an invoice or an account's debt"), tag=BILLING, body=PaymentInput,
    response=StartedPaymentSchema, status=201, write=True, errors=(404, 409),
    description=_l("Opens a payment at the supplier's payment provider, like the pay button of the portal, and "
                   "answers the address to send the customer to. Each call opens a new attempt; nothing is paid "
                   "until the customer confirms it there. 409 when nothing is owed."))
@limiter.limit(limit("PAYMENT"))
def start_online_payment():
    provider = payment_provider(g.tenant)
    if provider is None:
        raise ApiError(404)
    body = load(PaymentInput, json_body())
    account, invoice = _what_to_pay(body)
    owed = amount_owed(account, invoice)
    if owed.amount <= 0:
        raise ApiError(409, _("Nothing is owed here."), code="nothing_owed")
    amount = load(payment_schema(owed), {"amount": str(body["amount"])})["amount"]
    intent, pay_at = start_payment(g.tenant, provider, current_user, account, invoice, amount)
    return StartedPaymentSchema().dump(intent) | {"pay_at": pay_at}, 201


@endpoints.operation("/payments/attempts/<reference>", summary=_l("One payment attempt and its status"),
                     tag=BILLING, response=PaymentAttemptSchema)
def payment_attempt(reference: str):
    return PaymentAttemptSchema().dump(one(select(PaymentIntent).where(
        PaymentIntent.token == reference, PaymentIntent.user_id == current_user.id)))
