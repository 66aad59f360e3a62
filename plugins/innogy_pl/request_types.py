"""The service requests of "Moje innogy": change of offer, extra services, contact data.

The supply point a request is about is chosen from the account's own (the core offers
them and refuses any other); each schema validates what the customer types (Polish phone
numbers and postcodes, dates that make sense) so the request reaches the back-office
complete.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import (
    Schema,
    fields,
    post_load,
    validate,
    validates_schema,
)

from core.plugin_api import (
    RequestStep,
    RequestType,
    SupplyPointOfAccount,
    choice_field,
    date_from_tomorrow,
    email_field,
    text_field,
    today_in,
    validation_error,
)
from plugins.innogy_pl.i18n import _
from plugins.innogy_pl.offers import OFFER_BY_CODE, OFFERS, offered_for, price_facts
from plugins.innogy_pl.supplier import SUPPLIER

TIMEZONE = ZoneInfo(SUPPLIER.timezone)
_PHONE_NOISE = re.compile(r"[\s\-().]+")
_PHONE = re.compile(r"^(?:\+48|0048)?(\d{9})$")
_POSTCODE = re.compile(r"^(\d{2})-?(\d{3})$")


# requests take effect from tomorrow at the earliest and within a year
validate_future_date = date_from_tomorrow(
    TIMEZONE, within_days=366, too_late=_("Choose a date within the next twelve months.")
)


class PolishPhone(fields.String):
    """A Polish phone number typed any usual way, kept as ``+48`` and nine digits."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = _PHONE_NOISE.sub("", super()._deserialize(value, attr, data, **kwargs))
        match = _PHONE.match(text)
        if match is None:
            raise validation_error(_("Enter a Polish phone number of nine digits, for example 601 234 567."))
        return f"+48{match.group(1)}"


def _phone_field(*, required: bool) -> PolishPhone:
    return PolishPhone(
        required=required,
        metadata={"label": _("Phone number"), "autocomplete": "tel", "inputmode": "tel"},
    )


def _future_date(label: Any, help_text: Any, *, required: bool) -> fields.Date:
    """A date from tomorrow to a year ahead; not ``required``, ``None`` when left empty."""
    presence: dict[str, Any] = {"required": True} if required else {"load_default": None}
    return fields.Date(validate=validate_future_date, metadata={"label": label, "help": help_text}, **presence)


class _SupplyPointRequest(Schema):
    """A request about one of the chosen account's supply points: it is chosen first."""

    supply_point = SupplyPointOfAccount(required=True, metadata={"label": _("Supply point")})


def _first_of_next_month() -> dt.date:
    return (today_in(TIMEZONE).replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _supply_points(account: Any) -> list[str]:
    return [point.identifier for point in getattr(account, "supply_points", ())]


# -------------------------------------------------------------------------
# Change of offer
# -------------------------------------------------------------------------


class ChangeOfferSchema(_SupplyPointRequest):
    """Switch a supply point to another offer from the start of a chosen date."""

    product = choice_field(
        {offer.code: offer.label for offer in OFFERS},
        label=_("New offer"),
        error=_("Choose one of the offers."),
    )
    start_date = _future_date(
        _("Start of the new offer"), _("The new prices apply from the next reading after this date."), required=True
    )
    accept_terms = fields.Boolean(
        required=True,
        validate=validate.Equal(True, error=_("Accept the terms of the offer to order it.")),
        metadata={"label": _("I have read and accept the terms and the price list of the chosen offer.")},
    )


def offer_sold_for_the_point(adapter: Any, account: Any, data: dict[str, Any]) -> dict[str, list[Any]] | None:
    """The offer is sold for the chosen supply point's energy (no green energy for gas)."""
    point = next(p for p in account.supply_points if p.identifier == data["supply_point"])
    if point.commodity not in OFFER_BY_CODE[data["product"]].prices:
        return {"product": [_("The chosen offer is not available for this supply point; choose another one.")]}
    return None


def offer_prices(adapter: Any, account: Any) -> list[Any]:
    """The price of each offer for the energies of the account's supply points."""
    return price_facts(getattr(account, "supply_points", ()))


def change_offer_examples(adapter: Any, account: Any) -> list[dict[str, Any]]:
    """From the first of next month: the first offer sold for the energy of the account's first
    supply point (a fixed price), and the last for its second (the standard price list)."""
    start = _first_of_next_month().isoformat()
    points = getattr(account, "supply_points", ())
    return [
        {"supply_point": point.identifier, "product": offered_for(point.commodity)[pick].code,
         "start_date": start, "accept_terms": True}
        for point, pick in zip(points, (0, -1), strict=False)
    ]


CHANGE_OFFER = RequestType(
    code="change_offer",
    label=_("Change of offer or product"),
    schema=ChangeOfferSchema,
    description=_("Move a supply point to another innogy offer. The form shows the prices of each offer before "
                  "you choose one; the distribution charges stay the same."),
    check=offer_sold_for_the_point,
    # the account and its point come first: the prices show before an offer is chosen, with several accounts too
    steps=(
        RequestStep(_("Supply point"), ("supply_point",)),
        RequestStep(_("New offer"), ("product", "start_date", "accept_terms")),
    ),
    examples=change_offer_examples,
    facts=offer_prices,
)


# -------------------------------------------------------------------------
# Additional service
# -------------------------------------------------------------------------


class AdditionalServiceSchema(_SupplyPointRequest):
    """Order one of innogy's extra services for a supply point."""

    service = choice_field(
        {
            "home_assistance": _("Home assistance (plumber, electrician, locksmith)"),
            "electrician": _("Electrician visit"),
            "surge_protection": _("Surge protection for home appliances"),
            "energy_audit": _("Home energy audit"),
        },
        label=_("Service"),
        error=_("Choose one of the services."),
    )
    preferred_date = _future_date(_("Preferred date"), _("Leave empty if any date suits you."), required=False)
    phone = _phone_field(required=True)
    comment = text_field(_("Comment"))


def additional_service_examples(adapter: Any, account: Any) -> list[dict[str, Any]]:
    """Home assistance on any day, and an electrician on a chosen one, at the first supply point."""
    points = _supply_points(account)[:1]
    visit = (today_in(TIMEZONE) + dt.timedelta(days=10)).isoformat()
    return [
        example
        for point in points
        for example in (
            {"supply_point": point, "service": "home_assistance", "phone": "601 234 567"},
            {"supply_point": point, "service": "electrician", "preferred_date": visit, "phone": "+48 22 123 45 67",
             "comment": "Proszę o wizytę po godzinie 16."},
        )
    ]


ADDITIONAL_SERVICE = RequestType(
    code="additional_service",
    label=_("Order an additional service"),
    schema=AdditionalServiceSchema,
    description=_("Home assistance, an electrician, surge protection or an energy audit."),
    examples=additional_service_examples,
)


# -------------------------------------------------------------------------
# Contact details
# -------------------------------------------------------------------------


class ContactUpdateSchema(Schema):
    """New e-mail, phone or correspondence address; at least one of them."""

    email = email_field(required=False)
    phone = _phone_field(required=False)
    street = fields.String(
        load_default=None,
        validate=validate.Length(min=3, max=120, error=_("Enter the street and number.")),
        metadata={"label": _("Street and number"), "autocomplete": "street-address"},
    )
    postcode = fields.String(
        load_default=None,
        validate=validate.Regexp(_POSTCODE, error=_("Enter a postcode like 00-950.")),
        metadata={"label": _("Postcode"), "autocomplete": "postal-code"},
    )
    city = fields.String(
        load_default=None,
        validate=validate.Length(min=2, max=80, error=_("Enter the town.")),
        metadata={"label": _("Town"), "autocomplete": "address-level2"},
    )

    @validates_schema
    def complete(self, data: dict[str, Any], **kwargs: Any) -> None:
        address = [data.get(name) for name in ("street", "postcode", "city")]
        if not any(address) and not data.get("email") and not data.get("phone"):
            raise validation_error(_("Enter at least one detail to change."))
        if any(address) and not all(address):
            missing = next(name for name, value in zip(("street", "postcode", "city"), address, strict=True) if not value)
            raise validation_error(_("A correspondence address needs the street, postcode and town."), missing)

    @post_load
    def tidy_postcode(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        match = _POSTCODE.match(data.get("postcode") or "")
        if match:
            data["postcode"] = f"{match.group(1)}-{match.group(2)}"
        return data


CONTACT_UPDATE = RequestType(
    code="contact_update",
    label=_("Update of contact details"),
    schema=ContactUpdateSchema,
    description=_("A new e-mail address, phone number or correspondence address."),
    examples=(
        {"email": "anna.kowalska@example.pl", "phone": "601 234 567"},
        {"street": "ul. Marszałkowska 84/92 m. 15", "postcode": "00-514", "city": "Warszawa"},
    ),
)


# -------------------------------------------------------------------------
# All of them, in the order the portal lists them
# -------------------------------------------------------------------------

REQUEST_TYPES = (CHANGE_OFFER, ADDITIONAL_SERVICE, CONTACT_UPDATE)
