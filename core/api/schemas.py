"""The API's contract: marshmallow schemas of its answers, queries and request bodies.

The OpenAPI document is generated from these (:mod:`core.api.spec`); the answers are
dumped through them, so the document cannot drift from what the API sends. Amounts and
readings are decimal strings ("123.45"), never floats.
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, missing, validate

from core.api_tokens.models import READ, READ_WRITE
from core.billing.contract import InvoiceStatus
from core.framework.rejections import rejection_message

MAX_PER_PAGE = 100
REJECT_REASON = "the supplier's reason code when it turned this down (see reject_message)"
REJECT_MESSAGE = "the reason in the customer's language"


class DecimalString(fields.Decimal):
    """A decimal written as a string, so no digit is lost to binary floating point."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(as_string=True, **kwargs)


class ReadingValue(DecimalString):
    """A meter reading as the customer reads and types it: no trailing zeros ("12345", "4021.5")."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return format(value.normalize(), "f")


class Flattened(fields.Nested):
    """A nested object made of the parent's own attributes (an address of street, postcode, city)."""

    def get_value(self, obj, attr, accessor=None, default=missing):
        return obj


# --- answers -------------------------------------------------------------------


class MoneySchema(Schema):
    amount = DecimalString(required=True)
    currency = fields.String(required=True, metadata={"description": "ISO 4217 code"})


class AddressSchema(Schema):
    street = fields.String(required=True)
    postcode = fields.String(required=True)
    city = fields.String(required=True)


class TokenInfoSchema(Schema):
    name = fields.String(required=True)
    scope = fields.String(required=True, validate=validate.OneOf([READ, READ_WRITE]))


class MeSchema(Schema):
    email = fields.String(required=True)
    locale = fields.String(required=True)
    brand = fields.String(required=True, metadata={"description": "The portal's brand (tenant) code"})
    supplier = fields.String(required=True)
    accounts = fields.List(fields.String(), required=True, metadata={"description": "Linked account numbers"})
    token = fields.Nested(TokenInfoSchema, required=True)


class AccountSchema(Schema):
    number = fields.String(required=True)
    holder_name = fields.String(required=True)
    address = Flattened(AddressSchema, required=True)
    balance = fields.Nested(MoneySchema, required=True, metadata={
        "description": "Positive: the customer owes; negative: credit"})
    data_as_of = fields.DateTime(required=True, metadata={"description": "When the portal's copy was brought up to date"})
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
        "description": "Whether meter readings of this supply point can be submitted"})


class InvoiceSchema(Schema):
    number = fields.String(required=True)
    account_number = fields.String(required=True)
    issued_on = fields.Date(required=True)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    due_on = fields.Date(required=True)
    gross = fields.Nested(MoneySchema, required=True)
    outstanding = fields.Nested(MoneySchema, required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in InvoiceStatus]))
    kind = fields.String(required=True)
    supply_point = fields.String(allow_none=True, attribute="supply_point_identifier")


class PaymentSchema(Schema):
    reference = fields.String(required=True)
    account_number = fields.String(required=True)
    booked_at = fields.DateTime(required=True)
    amount = Flattened(MoneySchema, required=True)
    invoice_number = fields.String(allow_none=True)
    method = fields.String(required=True)


class ReadingSchema(Schema):
    meter_serial = fields.String(required=True)
    register = fields.String(required=True)
    read_at = fields.DateTime(required=True)
    value = ReadingValue(required=True)
    unit = fields.String(required=True)
    source = fields.String(required=True, validate=validate.OneOf(["customer", "operator", "estimate"]))
    status = fields.String(required=True, validate=validate.OneOf(
        ["received", "accepted", "rejected", "review", "recorded"]))
    reject_reason = fields.String(allow_none=True, metadata={"description": REJECT_REASON})
    reject_message = fields.Function(lambda row: rejection_message(row.reject_reason) or None, allow_none=True,
                                     metadata={"description": REJECT_MESSAGE})


class SubmissionSchema(Schema):
    status = fields.String(required=True, metadata={"description": "received, review, accepted or rejected"})
    readings = fields.List(fields.Nested(ReadingSchema), required=True)


class RequestEventSchema(Schema):
    status = fields.String(required=True)
    note = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)


class ServiceRequestSchema(Schema):
    id = fields.Integer(required=True)
    type = fields.String(required=True, attribute="request_type")
    account_number = fields.String(required=True, attribute="account.number")
    status = fields.String(required=True, validate=validate.OneOf(["received", "accepted", "completed", "rejected"]))
    data = fields.Dict(keys=fields.String(), required=True)
    supplier_reference = fields.String(allow_none=True)
    reject_reason = fields.String(allow_none=True, metadata={"description": REJECT_REASON})
    reject_message = fields.Function(lambda row: rejection_message(row.reject_reason) or None, allow_none=True,
                                     metadata={"description": REJECT_MESSAGE})
    created_at = fields.DateTime(required=True)
    events = fields.List(fields.Nested(RequestEventSchema), required=True)


class MonthSchema(Schema):
    month = fields.Integer(required=True, validate=validate.Range(min=1, max=12))
    register = fields.String(required=True)
    value = DecimalString(required=True, allow_none=True, metadata={"description": "null: not measured"})
    previous_year_value = DecimalString(required=True, allow_none=True, metadata={
        "description": "The same month a year earlier"})
    unit = fields.String(required=True)


class ConsumptionSchema(Schema):
    identifier = fields.String(required=True)
    year = fields.Integer(required=True)
    months = fields.List(fields.Nested(MonthSchema), required=True, metadata={
        "description": "Twelve per register, from meter readings on record; empty without readings"})


class LinksSchema(Schema):
    self = fields.String(required=True)
    next = fields.String(required=True, allow_none=True)


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"description": "Stable, for programs"})
    message = fields.String(required=True, metadata={"description": "For people, in the customer's language"})
    field_errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), data_key="fields",
                               metadata={"description": "Validation errors per field"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)


def page_of(item: type[Schema]) -> type[Schema]:
    """The paginated list of ``item``: ``items``, ``page``, ``per_page`` and ``links``."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
        "links": fields.Nested(LinksSchema, required=True),
    }, name=item.__name__.removesuffix("Schema") + "PageSchema")


AccountPage = page_of(AccountSchema)
SupplyPointPage = page_of(SupplyPointSchema)
InvoicePage = page_of(InvoiceSchema)
PaymentPage = page_of(PaymentSchema)
ReadingPage = page_of(ReadingSchema)
ServiceRequestPage = page_of(ServiceRequestSchema)


# --- queries and bodies ----------------------------------------------------------


class PageQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class InvoiceQuery(PageQuery):
    year = fields.Integer(validate=validate.Range(min=1900, max=2999))
    status = fields.String(validate=validate.OneOf([s.value for s in InvoiceStatus]))


class YearQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    year = fields.Integer(validate=validate.Range(min=1900, max=2999), metadata={
        "description": "Defaults to the current year"})


class ReadingInput(Schema):
    """A meter reading: a value per register of the meter, checked like the web form."""

    read_on = fields.Date(required=True, metadata={"description": "The day the meter was read (not in the future)"})
    values = fields.Dict(
        keys=fields.String(), values=fields.Raw(metadata={"type": "number", "minimum": 0}), required=True,
        metadata={"description": "Value per register code, for example {\"1.8.0\": 12345}"},
    )
    meter_replaced = fields.Boolean(load_default=False)
    confirm = fields.Boolean(load_default=False, metadata={
        "description": "Confirm a value the portal found implausible (with a reason)"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class RequestInput(Schema):
    """A service request: its type, the account it is about, and the type's own fields."""

    type = fields.String(required=True, validate=validate.Length(max=64))
    account = fields.String(required=True, validate=validate.Length(max=64), metadata={
        "description": "The number of one of your linked accounts"})
    data = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": "The fields of the request type"})

