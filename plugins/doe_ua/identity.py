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

from core.plugin_api import IdentityMethod, account_attempt_key, account_number_field, account_verifier
from core.plugin_api.billing import SupplyPointRecord
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


def has_the_meter(data: Mapping[str, Any], points: list[SupplyPointRecord]) -> bool:
    """A match needs a meter with that number at one of the account's supply points."""
    typed = normalize_meter_serial(data["meter_serial"])
    return any(normalize_meter_serial(meter.serial_number) == typed for point in points for meter in point.meters)


ACCOUNT_METER_METHOD = IdentityMethod(
    code="account_meter",
    label=_("Personal account and meter number"),
    schema=AccountMeterSchema,
    verify=account_verifier("account_number", "supply_points", has_the_meter, not_found=SUBSCRIBER_NOT_FOUND),
    attempt_key=account_attempt_key("account_number"),
    help_text=_(
        "Take your electricity bill from Dniprooblenergo and copy the personal account "
        "number and the meter number."
    ),
)
