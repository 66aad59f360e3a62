"""The API's answers about the token's owner, their linked accounts and supply points."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from core.api.schemas import AddressSchema, DecimalString, Flattened, MoneySchema, page_of
from core.api_tokens.models import READ, READ_WRITE


class TokenInfoSchema(Schema):
    name = fields.String(required=True)
    scope = fields.String(required=True, validate=validate.OneOf([READ, READ_WRITE]))


class MeSchema(Schema):
    email = fields.String(required=True)
    locale = fields.String(required=True)
    brand = fields.String(required=True, metadata={"description": _l("The portal's brand (tenant) code")})
    supplier = fields.String(required=True)
    accounts = fields.List(fields.String(), required=True, metadata={"description": _l("Linked account numbers")})
    token = fields.Nested(TokenInfoSchema, required=True)


class AccountSchema(Schema):
    number = fields.String(required=True)
    holder_name = fields.String(required=True)
    address = Flattened(AddressSchema, required=True)
    balance = fields.Nested(MoneySchema, required=True, metadata={
        "description": _l("Positive: the customer owes; negative: credit")})
    data_as_of = fields.DateTime(required=True, metadata={"description": _l("When the portal's copy was brought up to date")})
    linked_at = fields.DateTime(required=True, attribute="link.linked_at")


class MeterSchema(Schema):
    serial_number = fields.String(required=True)
    registers = fields.List(fields.String(), required=True)
    installed_on = fields.Date(allow_none=True)


class SupplyPointSchema(Schema):
    identifier = fields.String(required=True)
    account_number = fields.String(required=True, attribute="account.number")
    commodity = fields.String(required=True, validate=validate.OneOf(["electricity", "gas"]))
    address = Flattened(AddressSchema, required=True)
    tariff = fields.String(required=True)
    contracted_power_kw = DecimalString(allow_none=True)
    distribution_operator = fields.String(allow_none=True)
    meters = fields.List(fields.Nested(MeterSchema), required=True)
    accepts_readings = fields.Boolean(required=True, metadata={
        "description": _l("Whether meter readings of this supply point can be submitted")})


AccountPage = page_of(AccountSchema)
SupplyPointPage = page_of(SupplyPointSchema)
