"""The API's answer about consumption per month."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from core.api.schemas import DecimalString


class MonthSchema(Schema):
    month = fields.Integer(required=True, validate=validate.Range(min=1, max=12))
    register = fields.String(required=True)
    value = DecimalString(required=True, allow_none=True, metadata={"description": _l("null: not measured")})
    previous_year_value = DecimalString(required=True, allow_none=True, metadata={
        "description": _l("The same month a year earlier")})
    unit = fields.String(required=True)


class ConsumptionSchema(Schema):
    identifier = fields.String(required=True)
    year = fields.Integer(required=True)
    months = fields.List(fields.Nested(MonthSchema), required=True, metadata={
        "description": _l("Twelve per register, from meter readings on record; empty without readings")})
