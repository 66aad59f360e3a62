"""The API's answers and bodies about notification settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate


class ChoiceSchema(Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)


class ChannelSchema(ChoiceSchema):
    address = fields.String(required=True, validate=validate.OneOf(["email", "phone"]), metadata={
        "description": _l("Where it sends: your e-mail address or your mobile phone number")})


class PointAlertsSchema(Schema):
    identifier = fields.String(required=True)
    kinds = fields.List(fields.String(), required=True, metadata={
        "description": _l("The alerts this supply point can have")})
    alerts = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True, metadata={
        "description": _l("Per alert kind, the channels chosen, for example {\"planned_outage\": [\"email\"]}")})


class NotificationSettingsSchema(Schema):
    phone = fields.String(allow_none=True, metadata={"description": _l("For text messages, in international form")})
    kinds = fields.List(fields.Nested(ChoiceSchema), required=True)
    channels = fields.List(fields.Nested(ChannelSchema), required=True)
    supply_points = fields.List(fields.Nested(PointAlertsSchema), required=True)


class AlertsInput(Schema):
    alerts = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True, metadata={
        "description": _l("Per alert kind, the channels wanted; a kind left out gets none")})


class PhoneInput(Schema):
    phone = fields.String(required=True, allow_none=True, validate=validate.Length(max=32), metadata={
        "description": _l("A mobile phone number; null removes it and stops all text messages")})
