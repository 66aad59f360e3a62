"""The API's profile: contact data (passed on to the supplier, as from the profile page)
and the customer's language."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.api.base import ApiEndpoints, json_body, load
from core.profile.schemas import ContactInput, LanguageInput, ProfileSchema
from core.profile.service import (
    contact_data,
    contact_schema,
    contact_updates,
    language_schema,
    profile_of,
    save_contact,
    set_language,
)

endpoints = ApiEndpoints()
PROFILE = _l("Profile")


def _profile() -> dict[str, Any]:
    user = current_user._get_current_object()
    return ProfileSchema().dump({
        **contact_data(user, profile_of(user)),
        "locale": user.locale or g.tenant.default_locale, "locales": list(g.tenant.locales),
        "updates": contact_updates(user),
    })


@endpoints.operation("/profile", summary=_l("Your contact data and language"), tag=PROFILE, response=ProfileSchema)
def profile():
    return _profile()


@endpoints.operation(
    "/profile/contact", "PUT", summary=_l("Change your contact data"), tag=PROFILE, body=ContactInput,
    response=ProfileSchema, write=True,
    description=_l("Replaces the phone number and correspondence address (a field left out is emptied); a change "
                   "is passed on to the supplier for each of your accounts."))
def put_contact():
    body = load(ContactInput, json_body())
    data = load(contact_schema(g.tenant.supplier.country), {name: value for name, value in body.items() if value is not None})
    save_contact(current_user._get_current_object(), data)
    return _profile()


@endpoints.operation("/profile/language", "PUT", summary=_l("Choose your language"), tag=PROFILE,
                     body=LanguageInput, response=ProfileSchema, write=True)
def put_language():
    body = load(LanguageInput, json_body())
    data = load(language_schema(g.tenant.locales), body)
    set_language(current_user._get_current_object(), data["locale"])
    return _profile()
