"""Careless Energy: a supplier plugin with one defect for each check of the conformance suite.

It serves Polish customers in Polish and English (the market's language plus English, which
the suite accepts) on the innogy demo back-end, and it is careless in these ways:

- the ``callback`` request's ``check`` raises ``RuntimeError`` (the call centre's system
  it asks is not set up);
- the ``meter_photo`` request type gives no examples;
- the label of ``meter_photo`` is a new string that its Polish catalog lacks;
- the ``visit`` request keeps a date typed as text (its page shows an ISO date), a choice
  whose labels only its validator knows (its page shows the code) and a field without a
  label (its page shows the field's name);
- the theme's links (``accent`` on ``background`` and ``surface``) have a contrast of 3.2:1.

``tests/plugins/test_conformance_kit.py`` runs the suite on it and reads what fails.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from marshmallow import Schema, fields, validate

from core.plugin_api import IdentityMethod, ReadingRules, RequestType, SupplierInfo, hookimpl
from core.plugin_api.billing import BillingAdapter
from core.plugin_api.demo import reading_rules_for
from plugins.innogy_pl.adapter import TARIFFS, InnogyDemoBackend
from plugins.innogy_pl.identity import INVOICE_METHOD

from .i18n import GETTEXT_DOMAIN, TRANSLATIONS_DIR, _

SUPPLIER = SupplierInfo(
    code="careless_energy",
    name="Careless Energy",
    country="PL",
    currency="PLN",
    timezone="Europe/Warsaw",
    default_locale="pl",
    supported_locales=("pl", "en"),
    theme="careless",
    gettext_domain=GETTEXT_DOMAIN,
    translations_dir=TRANSLATIONS_DIR,
)


class CallbackSchema(Schema):
    phone = fields.String(required=True, validate=validate.Length(min=9, max=20),
                          metadata={"label": _("Phone number")})


def ask_the_call_centre(adapter: Any, account: Any, data: Any) -> None:
    raise RuntimeError("the call centre's system is not configured")


class MeterPhotoSchema(Schema):
    note = fields.String(load_default="", metadata={"label": _("Note"), "widget": "textarea"})


class VisitSchema(Schema):
    visit_date = fields.String(required=True, metadata={"label": _("Visit date")})
    time_of_day = fields.String(
        required=True,
        validate=validate.OneOf(["morning", "afternoon"], labels=[_("In the morning"), _("In the afternoon")]),
        metadata={"label": _("Time of day")},
    )
    remarks = fields.String(load_default="")


REQUEST_TYPES = (
    RequestType(code="callback", label=_("Call me back"), schema=CallbackSchema, check=ask_the_call_centre,
                examples=({"phone": "601 234 567"},)),
    RequestType(code="meter_photo", label=_("Send a photo of the meter"), schema=MeterPhotoSchema),
    RequestType(code="visit", label=_("Visit of a technician"), schema=VisitSchema,
                examples=({"visit_date": "2027-03-15", "time_of_day": "morning", "remarks": "Ring twice"},)),
)


@hookimpl
def portal_supplier() -> SupplierInfo:
    return SUPPLIER


@hookimpl
def portal_themes() -> list[str]:
    return [str(files(__package__) / "themes")]


@hookimpl
def portal_demo_backend() -> BillingAdapter:
    return InnogyDemoBackend()


@hookimpl
def portal_identity_methods(tenant: Any) -> list[IdentityMethod]:
    return [INVOICE_METHOD]


@hookimpl
def portal_request_types(tenant: Any) -> list[RequestType]:
    return list(REQUEST_TYPES)


@hookimpl
def portal_reading_rules(tenant: Any, supply_point: Any) -> ReadingRules:
    return reading_rules_for(supply_point, TARIFFS)
