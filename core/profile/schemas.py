"""The API's answers and bodies about the customer's profile: contact data and language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from core.api.schemas import RejectableSchema


class ContactUpdateSchema(RejectableSchema):
    status = fields.String(required=True, metadata={
        "description": _l("received: on its way to the supplier; accepted or rejected by the supplier")})
    account_number = fields.String(required=True, attribute="account.number")
    created_at = fields.DateTime(required=True)


class ProfileSchema(Schema):
    email = fields.String(required=True, metadata={"description": _l("Changed in the portal only (it is confirmed by mail)")})
    locale = fields.String(required=True, metadata={"description": _l("Language of the portal and of the e-mails")})
    locales = fields.List(fields.String(), required=True, metadata={"description": _l("The languages to choose from")})
    phone = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    country = fields.String(allow_none=True, metadata={"description": _l("ISO 3166 code")})
    updates = fields.List(fields.Nested(ContactUpdateSchema), required=True, metadata={
        "description": _l("The latest changes of contact data on their way to the supplier, newest first")})


class ContactInput(Schema):
    """Contact data as the profile page takes it: all optional, an address whole or not at all."""

    phone = fields.String(allow_none=True, metadata={"description": _l("As written in the supplier's country, or in international form with the country code")})
    street = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    country = fields.String(allow_none=True, metadata={"description": _l("ISO 3166 code")})


class LanguageInput(Schema):
    locale = fields.String(required=True, metadata={"description": _l("One of the profile's locales")})
