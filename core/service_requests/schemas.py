"""The API's answers and bodies about service requests."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from core.api.schemas import RejectableSchema, page_of


class RequestEventSchema(Schema):
    status = fields.String(required=True)
    note = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)


class ServiceRequestSchema(RejectableSchema):
    id = fields.Integer(required=True)
    type = fields.String(required=True, attribute="request_type")
    account_number = fields.String(required=True, attribute="account.number")
    status = fields.String(required=True, validate=validate.OneOf(["received", "accepted", "completed", "rejected"]))
    data = fields.Dict(keys=fields.String(), required=True)
    supplier_reference = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    events = fields.List(fields.Nested(RequestEventSchema), required=True)


ServiceRequestPage = page_of(ServiceRequestSchema)


class RequestInput(Schema):
    """A service request: its type, the account it is about, and the type's own fields."""

    type = fields.String(required=True, validate=validate.Length(max=64))
    account = fields.String(required=True, validate=validate.Length(max=64), metadata={
        "description": _l("The number of one of your linked accounts")})
    data = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": _l("The fields of the request type")})


class RequestTypeSchema(Schema):
    type = fields.String(required=True, metadata={"description": _l("The code to file it with (POST /requests)")})
    label = fields.String(required=True)
    description = fields.String(allow_none=True)
    accounts = fields.List(fields.String(), required=True, metadata={
        "description": _l("Your linked accounts it can be filed for")})
    data = fields.Dict(required=True, metadata={
        "description": _l("The fields of its data, as a JSON schema (titles, descriptions, choices, limits)")})


class RequestTypeListSchema(Schema):
    items = fields.List(fields.Nested(RequestTypeSchema), required=True)
