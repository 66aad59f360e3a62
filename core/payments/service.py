"""Payments: the history and balance, and "pay now" through the supplier's payment provider.

A plugin names its provider with the ``portal_payment_provider`` hook. "Pay now" stores a
:class:`PaymentIntent` and sends the customer to the provider; the provider posts a signed
callback, which books the payment once however often it comes, and the booked payment goes
to the supplier's back-end through the outbox. The core's :class:`DemoPaymentProvider`
plays the bank for demo back-ends.
"""

from __future__ import annotations

import abc
import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import marshmallow
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p
from marshmallow import validate
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import Headers

from core.billing.contract import Money, PaymentNotification, SubmissionResult, SubmissionStatus
from core.framework import outbox
from core.framework.extensions import db
from core.framework.fields import LocalizedDecimal
from core.framework.i18n import money
from core.framework.rejections import code_of
from core.framework.tenancy import Tenant
from core.framework.urls import tenant_url
from core.models import BillingAccount, Invoice, OutboxMessage, Payment, User, utcnow
from core.payments.models import PaymentIntent

STARTED, CANCELLED, RECEIVED, ACCEPTED, REJECTED = "started", "cancelled", "received", "accepted", "rejected"
KIND = "payment"
PAGE_SIZE = 20
RECENT_INTENTS = 10


# -------------------------------------------------------------------------
# What a payment provider is
# -------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentOrder:
    """What the portal asks the provider to collect (:meth:`PaymentProvider.start`)."""

    reference: str
    """The portal's name for the attempt; the callback must carry it back."""
    amount: Money
    """What to collect, in the supplier's currency."""
    description: str
    """What the customer is paying for ("Invoice 123", in the customer's language), for
    the provider's page and statement."""
    return_url: str
    """Where the provider sends the customer back to, paid or not: a path on the host the
    customer is on."""
    callback_url: str
    """The absolute URL the provider posts its signed result to (``/payments/callback/<code>``)."""


@dataclass(frozen=True)
class CallbackOutcome:
    """A verified callback: the attempt it is about, and whether it was paid."""

    reference: str
    """The :attr:`PaymentOrder.reference` the callback is about."""
    transaction_id: str
    """The provider's own identifier of the payment, handed to the back-end with it."""
    paid: bool
    """Whether the money was taken; ``False`` for a cancelled or failed payment."""
    amount: Money
    """What the provider collected; a callback whose amount differs from the order's is
    refused (nothing is booked)."""


class InvalidCallback(ValueError):
    """The callback is unsigned, wrongly signed or malformed: nothing is booked."""


class PaymentProvider(abc.ABC):
    """A bank or gateway that takes the customer's money for the supplier."""

    code: str
    """Short and stable: it names the callback URL and is stored with every payment."""
    name: Any
    """The provider's name shown to the customer (a lazy string)."""

    @abc.abstractmethod
    def start(self, order: PaymentOrder) -> str:
        """Open the payment at the provider; the URL to send the customer to."""

    @abc.abstractmethod
    def verify_callback(self, body: bytes, headers: Mapping[str, str] | Headers) -> CallbackOutcome:
        """Check the provider's signature and read the result; raise :class:`InvalidCallback`.

        ``headers`` are the request's (case-insensitive) or those the demo bank signed."""


SIGNATURE_HEADER = "X-Portal-Signature"


def demo_key(secret_key: str, tenant_code: str) -> bytes:
    """The demo bank's signing key: derived from the portal's secret, one per tenant."""
    return hmac.new(secret_key.encode(), f"demo-payment-provider:{tenant_code}".encode(), hashlib.sha256).digest()


class DemoPaymentProvider(PaymentProvider):
    """A pretend bank: a page on the portal, clearly a demo, where the customer pays or
    cancels; it then sends a callback signed with HMAC-SHA256 over the body."""

    code = "demo"
    name = _l("Demo bank")

    def __init__(self, key: bytes, tenant: Tenant) -> None:
        self.key = key
        self.tenant = tenant

    def start(self, order: PaymentOrder) -> str:
        # the demo bank is a page of the portal: it sends the customer back by path
        return tenant_url(self.tenant, "payments.demo_bank", token=order.reference,
                          return_to=urlsplit(order.return_url).path)

    def sign(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self.key, body, hashlib.sha256).hexdigest()

    def notification(self, reference: str, transaction_id: str, paid: bool, amount: Money) -> tuple[bytes, dict[str, str]]:
        """The callback the bank sends: JSON body and its signature header."""
        body = json.dumps({
            "reference": reference, "transaction_id": transaction_id, "status": "paid" if paid else "cancelled",
            "amount": str(amount.amount), "currency": amount.currency,
        }, sort_keys=True).encode()
        return body, {SIGNATURE_HEADER: self.sign(body)}

    def verify_callback(self, body: bytes, headers: Mapping[str, str] | Headers) -> CallbackOutcome:
        signature = headers.get(SIGNATURE_HEADER) or ""
        if not hmac.compare_digest(signature.encode(), self.sign(body).encode()):
            raise InvalidCallback("missing or wrong signature")
        try:
            data = json.loads(body)
            return CallbackOutcome(
                reference=str(data["reference"]), transaction_id=str(data["transaction_id"]),
                paid=data["status"] == "paid", amount=Money(Decimal(str(data["amount"])), str(data["currency"])),
            )
        except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
            raise InvalidCallback(f"malformed callback: {exc}") from None


def payment_provider(tenant: Tenant) -> PaymentProvider | None:
    return tenant.hook.portal_payment_provider(tenant=tenant)


# -------------------------------------------------------------------------
# What the customer owes and may pay
# -------------------------------------------------------------------------


def amount_owed(account: BillingAccount, invoice: Invoice | None = None) -> Money:
    """The outstanding amount of the invoice, or the debt on the account (zero in credit)."""
    if invoice is not None:
        owed = invoice.outstanding.amount if invoice.is_open else Decimal("0.00")
        return Money(owed, invoice.currency)
    return Money(max(-account.balance_amount, Decimal("0.00")), account.currency)


def payment_schema(owed: Money) -> marshmallow.Schema:
    """The amount to pay: positive, in cents, at most what is owed (form and API alike)."""
    amount = LocalizedDecimal(
        places=2, required=True,
        validate=[
            validate.Range(min=Decimal("0.01"), error=_("Enter an amount greater than zero.")),
            validate.Range(max=owed.amount, error=_("You can pay at most %(amount)s.", amount=money(owed))),
        ],
        metadata={"label": _l("Amount to pay (%(currency)s)", currency=owed.currency), "inputmode": "decimal"},
    )
    return marshmallow.Schema.from_dict({"amount": amount}, name="PaymentForm")()


def start_payment(
    tenant: Tenant, provider: PaymentProvider, user: User, account: BillingAccount, invoice: Invoice | None, amount: Decimal
) -> tuple[PaymentIntent, str]:
    """Record the attempt and open it at the provider: the attempt, and the URL to send the
    customer to (the web form and the API alike)."""
    intent = PaymentIntent(
        token=secrets.token_urlsafe(24), user_id=user.id, account_id=account.id,
        invoice_number=invoice.number if invoice else None, amount=amount, currency=account.currency,
        provider=provider.code, status=STARTED,
    )
    db.session.add(intent)
    db.session.commit()
    description = (_("Invoice %(number)s", number=invoice.number) if invoice
                   else _("Customer number %(number)s", number=account.number))
    return intent, provider.start(PaymentOrder(
        reference=intent.token, amount=intent.money, description=description,
        return_url=tenant_url(tenant, "payments.done", token=intent.token),
        callback_url=tenant_url(tenant, "payments.callback", provider_code=provider.code),
    ))


def intent_by_token(token: str) -> PaymentIntent | None:
    return db.session.execute(select(PaymentIntent).where(PaymentIntent.token == token)).scalar_one_or_none()


def receive_callback(provider: PaymentProvider, body: bytes, headers: Mapping[str, str] | Headers) -> tuple[PaymentIntent, bool]:
    """Verify and apply the provider's callback: the attempt, and whether this call changed it.

    A paid attempt is booked once, with its outbox message in the same transaction; the
    same callback again (or a late one for a finished attempt) changes nothing.
    """
    outcome = provider.verify_callback(body, headers)
    intent = db.session.execute(
        select(PaymentIntent)
        .where(PaymentIntent.token == outcome.reference, PaymentIntent.provider == provider.code)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if intent is None:
        raise InvalidCallback("no such payment")
    if outcome.amount != intent.money:
        raise InvalidCallback("the amount does not match the payment")
    if intent.status != STARTED:
        db.session.rollback()
        return intent, False
    if outcome.paid:
        intent.status, intent.transaction_id, intent.paid_at = RECEIVED, outcome.transaction_id, utcnow()
        outbox.enqueue(KIND, intent.id)
    else:
        intent.status = CANCELLED
    try:
        db.session.commit()
    except IntegrityError:  # the same callback, booked by a parallel delivery
        db.session.rollback()
        booked = intent_by_token(outcome.reference)
        assert booked is not None, "the attempt was there before the callback"
        return booked, False
    return intent, True


# -------------------------------------------------------------------------
# The payments page
# -------------------------------------------------------------------------


def payment_history(account_ids: list[int], page: int) -> tuple[list[Payment], bool]:
    """Booked payments of these accounts, newest first, one page and whether more follow."""
    if not account_ids:
        return [], False
    rows = db.session.execute(
        select(Payment).where(Payment.account_id.in_(account_ids))
        .order_by(Payment.booked_at.desc(), Payment.id.desc())
        .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).scalars().all()
    return list(rows[:PAGE_SIZE]), len(rows) > PAGE_SIZE


def online_payments(user: User) -> list[PaymentIntent]:
    """The customer's recent "pay now" payments that went through or were turned down."""
    return list(db.session.execute(
        select(PaymentIntent).where(PaymentIntent.user_id == user.id, PaymentIntent.status.in_((RECEIVED, ACCEPTED, REJECTED)))
        .order_by(PaymentIntent.created_at.desc(), PaymentIntent.id.desc()).limit(RECENT_INTENTS)
    ).scalars())


@dataclass(frozen=True)
class PaidOnline:
    """An online payment that went through: for which account, how much, when."""

    account_id: int
    amount: Decimal
    at: dt.datetime


_PAID_ONLINE = (  # every page that shows a debt asks: built once
    select(PaymentIntent.account_id, PaymentIntent.amount,
           func.coalesce(PaymentIntent.paid_at, PaymentIntent.created_at).label("at"))
    .where(PaymentIntent.user_id == bindparam("user_id"), PaymentIntent.status.in_((RECEIVED, ACCEPTED)),
           func.coalesce(PaymentIntent.paid_at, PaymentIntent.created_at) > bindparam("since"))
)


def paid_online(user: User, since: dt.datetime) -> list[PaidOnline]:
    """The customer's online payments that went through (received or accepted by the supplier)
    after ``since``: those a balance brought up to date at ``since`` may not show yet."""
    return [PaidOnline(*row) for row in db.session.execute(_PAID_ONLINE, {"user_id": user.id, "since": since})]


def on_the_way(paid: Iterable[PaidOnline], account: BillingAccount) -> Decimal:
    """What of ``paid`` (:func:`paid_online`) the balance of ``account`` does not show yet: the
    payments made after its data was last brought up to date."""
    return sum((p.amount for p in paid if p.account_id == account.id and p.at > account.data_as_of), Decimal(0))


STATUS_LABELS = {  # in context: the words agree with "payment" where a language has genders
    STARTED: _p("payment", "waiting for the bank"),
    CANCELLED: _p("payment", "cancelled"),
    RECEIVED: _p("payment", "received"),
    ACCEPTED: _p("payment", "accepted by the supplier"),
    REJECTED: _p("payment", "rejected"),
}


def payment_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


# -------------------------------------------------------------------------
# Delivery to the supplier
# -------------------------------------------------------------------------


def deliver(tenant: Tenant, message: OutboxMessage) -> SubmissionResult:
    intent = db.session.get_one(PaymentIntent, message.object_id)
    payment = PaymentNotification(
        account_number=intent.account.number, transaction_id=intent.transaction_id or intent.token,
        amount=intent.money, paid_at=intent.paid_at or intent.created_at, invoice_number=intent.invoice_number,
        method=intent.provider,
    )
    return tenant.adapter.submit_payment(payment, message.idempotency_key)


def apply_answer(message: OutboxMessage, result: SubmissionResult) -> None:
    intent = db.session.get_one(PaymentIntent, message.object_id)
    if result.status == SubmissionStatus.ACCEPTED:
        intent.status, intent.supplier_reference = ACCEPTED, result.reference
    else:
        intent.status, intent.reject_reason = REJECTED, code_of(result)
