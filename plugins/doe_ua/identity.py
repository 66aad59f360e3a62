"""Proving a Дніпрообленерго personal account is yours: account number plus meter number.

As in the real "Особистий кабінет": the customer adds a personal account (особовий
рахунок) by typing its number from the bill together with the factory number of the
meter installed at the address. The account number alone is printed on envelopes and
receipts; the meter number needs access to the bill's detail or to the meter itself.

An unknown account gets the answer customers know from the portal, "subscriber not
found"; a wrong meter number gets the generic answer, so the form never tells which of
the two was wrong when the account does exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load

from core.plugin_api import (
    IdentityMethod,
    VerificationOutcome,
    account_attempt_key,
    account_number_field,
    verify_account_holds,
)
from core.plugin_api.billing import BillingAdapter, SupplyPointRecord
from plugins.doe_ua.i18n import _
from plugins.doe_ua.identifiers import ACCOUNT_DIGITS, is_valid_meter_serial, normalize_meter_serial


def validate_meter_serial(value: str) -> None:
    if not is_valid_meter_serial(value):
        raise ValidationError([_("Enter the meter number as printed on the meter: 4 to 20 letters and digits.")])


class AccountMeterSchema(Schema):
    """Personal account number and meter number."""

    account_number = account_number_field(
        _("Personal account number"), _("Ten digits, printed at the top of your electricity bill."), ACCOUNT_DIGITS
    )
    meter_serial = fields.String(
        required=True,
        validate=validate_meter_serial,
        metadata={
            "label": _("Meter number"),
            "help": _(
                "The factory number on the meter's plate and on your bill. "
                "It is not the EIC code of the metering point and not the seal number."
            ),
            "autocomplete": "off",
        },
    )

    @pre_load
    def tidy_meter_serial(self, data: Any, **kwargs: Any) -> Any:
        """Meter numbers are typed with spaces, dashes or a leading "№"."""
        if isinstance(data, Mapping) and isinstance(data.get("meter_serial"), str):
            data = dict(data)
            data["meter_serial"] = normalize_meter_serial(data["meter_serial"])
        return data


SUBSCRIBER_NOT_FOUND = _("Subscriber not found. Check the personal account number on your bill.")


def verify(adapter: BillingAdapter, data: Mapping[str, Any]) -> VerificationOutcome:
    """A match needs the account and a meter with that number at one of its supply points."""
    typed = normalize_meter_serial(data["meter_serial"])

    def has_the_meter(points: list[SupplyPointRecord]) -> bool:
        return any(normalize_meter_serial(meter.serial_number) == typed for point in points for meter in point.meters)

    return verify_account_holds(adapter, data["account_number"], adapter.supply_points, has_the_meter,
                                not_found=SUBSCRIBER_NOT_FOUND)


ACCOUNT_METER_METHOD = IdentityMethod(
    code="account_meter",
    label=_("Personal account and meter number"),
    schema=AccountMeterSchema,
    verify=verify,
    attempt_key=account_attempt_key("account_number"),
    help_text=_(
        "Take your electricity bill from Dniprooblenergo and copy the personal account "
        "number and the meter number."
    ),
)
