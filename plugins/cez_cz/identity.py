"""Proving a ČEZ account is yours: customer number plus the EAN or EIC of one supply point.

Both are printed on every invoice and settlement, but the customer number alone also
appears on envelopes and letters. The code of a supply point belonging to that account
is the second factor; one field takes either code, since many customers have both
electricity (EAN) and gas (EIC) with ČEZ.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema

from core.plugin_api import IdentityMethod, account_attempt_key, account_number_field, account_verifier
from core.plugin_api.billing import SupplyPointRecord
from plugins.cez_cz.fields import SupplyPointCodeField
from plugins.cez_cz.i18n import _

CUSTOMER_NUMBER_DIGITS = 10


class EanEicIdentitySchema(Schema):
    """Customer number and the EAN or EIC of a supply point, as printed on the invoice."""

    customer_number = account_number_field(
        _("Customer number"), _("Ten digits, at the top of every invoice and settlement from ČEZ."),
        CUSTOMER_NUMBER_DIGITS,
    )
    supply_point_code = SupplyPointCodeField(
        required=True,
        metadata={
            "label": _("EAN or EIC of a supply point"),
            "help": _(
                "Electricity: the EAN, 18 digits starting 859182400. Gas: the EIC, 16 characters "
                "starting 27ZG. Both are on your invoice under “Supply point”; neither is the meter number."
            ),
            "autocomplete": "off",
        },
    )


def has_the_point(data: Mapping[str, Any], points: list[SupplyPointRecord]) -> bool:
    """A match needs a supply point of that very account with the code; the outcome never
    says which of the two was wrong."""
    return any(point.identifier == data["supply_point_code"] for point in points)


EAN_EIC_METHOD = IdentityMethod(
    code="ean_eic",
    label=_("Customer number and supply point code (EAN/EIC)"),
    schema=EanEicIdentitySchema,
    verify=account_verifier("customer_number", "supply_points", has_the_point),
    attempt_key=account_attempt_key("customer_number"),
    help_text=_(
        "Take any invoice or settlement from ČEZ and copy your customer number and the EAN "
        "(electricity) or EIC (gas) of one of your supply points."
    ),
)
