"""The API's answers and bodies about meter readings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from core.api.schemas import DecimalString, RejectableSchema, page_of


class ReadingValue(DecimalString):
    """A meter reading as the customer reads and types it: no trailing zeros ("12345", "4021.5")."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return format(value.normalize(), "f")


class ReadingSchema(RejectableSchema):
    meter_serial = fields.String(required=True)
    register = fields.String(required=True)
    read_at = fields.DateTime(required=True)
    value = ReadingValue(required=True)
    unit = fields.String(required=True)
    source = fields.String(required=True, validate=validate.OneOf(["customer", "operator", "estimate"]))
    status = fields.String(required=True, validate=validate.OneOf(
        ["received", "accepted", "rejected", "review", "recorded"]))


class SubmissionSchema(Schema):
    status = fields.String(required=True, metadata={"description": _l("received, review, accepted or rejected")})
    readings = fields.List(fields.Nested(ReadingSchema), required=True)


ReadingPage = page_of(ReadingSchema)


class ReadingInput(Schema):
    """A meter reading: a value per register of the meter, checked like the web form."""

    read_on = fields.Date(required=True, metadata={"description": _l("The day the meter was read (not in the future)")})
    values = fields.Dict(
        keys=fields.String(), values=fields.Raw(metadata={"type": "number", "minimum": 0}), required=True,
        metadata={"description": _l("Value per register code, for example {\"1.8.0\": 12345}")},
    )
    meter_replaced = fields.Boolean(load_default=False)
    confirm = fields.Boolean(load_default=False, metadata={
        "description": _l("Confirm a value the portal found implausible (with a reason)")})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
