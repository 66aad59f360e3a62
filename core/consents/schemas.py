"""The API's answers and bodies about consents: the terms, e-invoices, marketing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from core.api.schemas import RejectableSchema


class TermsSchema(Schema):
    version = fields.String(required=True, metadata={"description": _l("The version in force")})
    accepted = fields.Boolean(required=True, metadata={
        "description": _l("Whether you accepted the version in force (in the portal)")})
    accepted_version = fields.String(allow_none=True, attribute="terms_version")
    accepted_at = fields.DateTime(allow_none=True, attribute="terms_accepted_at")


class EInvoiceChangeSchema(RejectableSchema):
    enabled = fields.Boolean(required=True, attribute="granted")
    status = fields.String(required=True, metadata={
        "description": _l("received: on its way to the supplier; accepted or rejected by the supplier")})
    created_at = fields.DateTime(required=True)


class EInvoiceSchema(Schema):
    account_number = fields.String(required=True, attribute="account.number")
    enabled = fields.Boolean(required=True, metadata={"description": _l("Bills are sent electronically")})
    latest = fields.Nested(EInvoiceChangeSchema, allow_none=True, metadata={
        "description": _l("The latest change and how far it has got")})


class ConsentsSchema(Schema):
    terms = fields.Nested(TermsSchema, required=True)
    marketing = fields.Boolean(required=True, metadata={"description": _l("Offers may be sent to you")})
    e_invoice = fields.List(fields.Nested(EInvoiceSchema), allow_none=True, required=True, metadata={
        "description": _l("Per linked account; null where the supplier offers no e-invoices")})


class MarketingInput(Schema):
    granted = fields.Boolean(required=True, metadata={"description": _l("Whether offers may be sent to you")})


class EInvoiceInput(Schema):
    enabled = fields.Boolean(required=True)
    accounts = fields.List(fields.String(), load_default=None, metadata={
        "description": _l("Numbers of your linked accounts; all of them when left out")})
