"""The API's contract: marshmallow schemas of its answers, queries and request bodies.

The building blocks every feature's schemas share: money, addresses, pages, errors, the
page and year queries, and a supplier's reason for turning a write down. The OpenAPI
document is generated from the schemas (:mod:`core.api.spec`); the answers are dumped
through them, so the document cannot drift from what the API sends. Amounts and readings
are decimal strings ("123.45"), never floats.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, fields, missing, validate

from core.framework.rejections import rejection_message

MAX_PER_PAGE = 100


class DecimalString(fields.Decimal):
    """A decimal written as a string, so no digit is lost to binary floating point."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(as_string=True, **kwargs)


class Flattened(fields.Nested):
    """A nested object made of the parent's own attributes (an address of street, postcode, city)."""

    def get_value(self, obj, attr, accessor=None, default=missing):
        return obj


# --- answers -------------------------------------------------------------------


class MoneySchema(Schema):
    amount = DecimalString(required=True)
    currency = fields.String(required=True, metadata={"description": _l("ISO 4217 code")})


class AddressSchema(Schema):
    street = fields.String(required=True)
    postcode = fields.String(required=True)
    city = fields.String(required=True)


class LinksSchema(Schema):
    self = fields.String(required=True)
    next = fields.String(required=True, allow_none=True)


class ErrorBodySchema(Schema):
    code = fields.String(required=True, metadata={"description": _l("Stable, for programs")})
    message = fields.String(required=True, metadata={"description": _l("For people, in the customer's language")})
    field_errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), data_key="fields",
                               metadata={"description": _l("Validation errors per field")})


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


class RejectableSchema(Schema):
    """A write the supplier may turn down: its reason code and the reason in words."""

    reject_reason = fields.String(allow_none=True, metadata={
        "description": _l("the supplier's reason code when it turned this down (see reject_message)")})
    reject_message = fields.Function(lambda row: rejection_message(row.reject_reason) or None, allow_none=True,
                                     metadata={"description": _l("the reason in the customer's language")})


# --- queries and bodies ----------------------------------------------------------


class PageQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class YearQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    year = fields.Integer(validate=validate.Range(min=1900, max=2999), metadata={
        "description": _l("Defaults to the current year")})
