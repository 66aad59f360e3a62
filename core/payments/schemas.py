"""The API's answers and bodies about payments."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from core.api.schemas import Flattened, MoneySchema, page_of


class PaymentSchema(Schema):
    reference = fields.String(required=True)
    account_number = fields.String(required=True)
    booked_at = fields.DateTime(required=True)
    amount = Flattened(MoneySchema, required=True)
    invoice_number = fields.String(allow_none=True)
    method = fields.String(required=True)


PaymentPage = page_of(PaymentSchema)


class PaymentInput(Schema):
    """What to pay: an account's debt, or one of its invoices, and how much of it."""

    account = fields.String(required=True, validate=validate.Length(max=64), metadata={
        "description": _l("The number of one of your linked accounts")})
    invoice = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64), metadata={
        "description": _l("An open invoice of that account; without it, the account's debt is paid")})
    amount = fields.Raw(required=True, metadata={
        "type": "string", "format": "decimal",
        "description": _l("At most what is owed, in the account's currency, for example \"120.50\"")})


class PaymentAttemptSchema(Schema):
    reference = fields.String(required=True, attribute="token", metadata={
        "description": _l("Names the attempt (GET /payments/attempts/{reference})")})
    account_number = fields.String(required=True, attribute="account.number")
    invoice_number = fields.String(allow_none=True)
    amount = fields.Nested(MoneySchema, required=True, attribute="money")
    status = fields.String(required=True, validate=validate.OneOf(
        ["started", "cancelled", "received", "accepted", "rejected"]), metadata={
        "description": _l("started: waiting at the payment provider; received: paid, on its way to the supplier")})
    created_at = fields.DateTime(required=True)
    paid_at = fields.DateTime(allow_none=True)


class StartedPaymentSchema(PaymentAttemptSchema):
    pay_at = fields.String(required=True, metadata={
        "description": _l("Send the customer to this address to pay at the provider")})
