"""The service requests of the Дніпрообленерго "Особистий кабінет".

Ordering a bill on actual readings (замовити рахунок за фактичними показаннями), new
contact data, a meter verification or replacement (повірка / заміна лічильника) and a
recalculation (перерахунок). The metering point is chosen from the account's own (the
core offers them and refuses any other); each schema checks what the customer types
(Ukrainian phone numbers, whole kWh by tariff zone, dates that make sense) so the request
reaches the back-office complete.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, post_load, validates_schema

from core.plugin_api import (
    RequestType,
    SupplyPointOfAccount,
    choice_field,
    date_from_tomorrow,
    email_field,
    text_field,
    today_in,
    validation_error,
)
from core.plugin_api.billing import latest_values
from plugins.doe_ua.adapter import ZONE_FIELDS
from plugins.doe_ua.i18n import _
from plugins.doe_ua.identifiers import is_valid_meter_serial, normalize_meter_serial, normalize_phone
from plugins.doe_ua.supplier import SUPPLIER

TIMEZONE = ZoneInfo(SUPPLIER.timezone)
MAX_READING_DIGITS = 7
"""Household meters count up to 7 digits of whole kWh."""
RECALCULATION_YEARS = 3
"""Claims older than the general limitation period (позовна давність) are not taken."""


_GROUPING = re.compile(r"[\s\u00a0\u202f']+")
_WHOLE = re.compile(r"^\d+$")
_FRACTION = re.compile(r"^\d+[.,]\d+$")
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def _first_of_previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


class UkrainianPhone(fields.String):
    """A Ukrainian phone number typed any usual way, kept as ``+380`` and nine digits."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        phone = normalize_phone(super()._deserialize(value, attr, data, **kwargs))
        if phone is None:
            raise validation_error(_("Enter a Ukrainian phone number, for example +380 67 123 45 67."))
        return phone


class WholeKwh(fields.Field):
    """A register value in whole kWh, as read from the meter's display."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise validation_error(_("Enter the reading in whole kWh, for example 12345."))
        text = _GROUPING.sub("", str(value).strip())
        if _FRACTION.match(text):
            raise validation_error(_("Enter whole kWh only: leave out the digits after the decimal point."))
        if not _WHOLE.match(text):
            raise validation_error(_("Enter the reading in whole kWh, for example 12345."))
        if len(text.lstrip("0")) > MAX_READING_DIGITS:
            raise validation_error(_("A household meter shows at most %(num)d digits.", num=MAX_READING_DIGITS))
        return int(text)


class CalendarDate(fields.Date):
    """A date from the browser's date picker (ISO) or typed as ``31.03.2026``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        if isinstance(value, str):
            match = _DOTTED_DATE.match(value.strip())
            if match:
                day, month, year = (int(part) for part in match.groups())
                try:
                    return dt.date(year, month, day)
                except ValueError:
                    raise self.make_error("invalid") from None
        return super()._deserialize(value, attr, data, **kwargs)


def _supply_point_field() -> SupplyPointOfAccount:
    return SupplyPointOfAccount(required=True, metadata={"label": _("Metering point")})


def _phone_field(*, required: bool) -> UkrainianPhone:
    return UkrainianPhone(
        required=required,
        metadata={"label": _("Phone number"), "autocomplete": "tel", "inputmode": "tel"},
    )


class _RequestSchema(Schema):
    """Leaves out what the customer did not fill in, so the request shows only what was asked."""

    @post_load
    def drop_empty(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {name: value for name, value in data.items() if value is not None and value != ""}


def _first_point(account: Any) -> Any | None:
    return next(iter(getattr(account, "supply_points", ())), None)


# -------------------------------------------------------------------------
# Bill on actual readings
# -------------------------------------------------------------------------


def validate_reading_date(value: dt.date) -> None:
    """A reading is from today or the past, no earlier than last month."""
    today = today_in(TIMEZONE)
    if value > today:
        raise validation_error(_("The reading date cannot be in the future."))
    if value < _first_of_previous_month(today):
        raise validation_error(_("Enter a reading taken this month or last month."))


def _reading_field(label: Any) -> WholeKwh:
    return WholeKwh(
        load_default=None,
        metadata={"label": label, "inputmode": "numeric", "autocomplete": "off"},
    )


class ActualBillSchema(_RequestSchema):
    """Readings by tariff zone, to order a bill on them instead of one on average use."""

    supply_point = _supply_point_field()
    read_on = CalendarDate(
        required=True,
        validate=validate_reading_date,
        metadata={
            "label": _("Date of the readings"),
            "help": _("The day you read the meter, for example the last day of the month."),
            "widget": "date",
        },
    )
    reading_total = _reading_field(_("Reading of a single-zone meter, kWh"))
    reading_day = _reading_field(_("Day zone (peak for a three-zone meter), kWh"))
    reading_night = _reading_field(_("Night zone, kWh"))
    reading_half_peak = _reading_field(_("Half-peak zone (three-zone meters only), kWh"))

    @validates_schema
    def one_set_of_zones(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Either the single-zone register, or day and night (plus half-peak)."""
        given = {name for name in ZONE_FIELDS if data.get(name) is not None}
        if not given:
            raise validation_error(_("Enter the readings of your meter."))
        if "reading_total" in given and given != {"reading_total"}:
            raise validation_error(_("Enter either the single-zone reading or the readings by zone, not both."))
        if "reading_total" not in given:
            for name in ("reading_day", "reading_night"):
                if name not in given:
                    raise validation_error(_("Enter the reading of this zone too."), name)


ZONE_OF_REGISTER = {register: name for name, register in ZONE_FIELDS.items()}


def actual_bill_examples(adapter: Any, account: Any) -> list[dict[str, Any]]:
    """Today's readings of every zone of the first meter, a few kWh above the last ones."""
    point = _first_point(account)
    if point is None or not point.meters:
        return []
    meter = point.meters[0]
    last = latest_values(adapter.readings(account.number, point.identifier), meter.serial_number)
    example: dict[str, Any] = {"supply_point": point.identifier, "read_on": today_in(TIMEZONE).isoformat()}
    for step, register in enumerate(meter.registers, 1):
        example[ZONE_OF_REGISTER[register]] = int(last.get(register, 0)) + 3 * step
    return [example]


ACTUAL_BILL = RequestType(
    code="actual_bill",
    label=_("Order a bill on actual readings"),
    schema=ActualBillSchema,
    description=_(
        "Enter your meter readings and get a bill on them tomorrow morning. "
        "A bill on average consumption for the same period is then no longer owed."
    ),
    examples=actual_bill_examples,
)


# -------------------------------------------------------------------------
# Contact data
# -------------------------------------------------------------------------


class ContactUpdateSchema(_RequestSchema):
    """A new phone number or e-mail address; at least one of them."""

    phone = _phone_field(required=False)
    email = email_field(required=False, label=_("E-mail address for bills"))

    @validates_schema
    def something_to_change(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("phone") and not data.get("email"):
            raise validation_error(_("Enter a new phone number or e-mail address."))


CONTACT_UPDATE = RequestType(
    code="contact_update",
    label=_("Change of contact data"),
    schema=ContactUpdateSchema,
    description=_("A new phone number or an e-mail address for your bills."),
    examples=({"phone": "+380 67 123 45 67"}, {"email": "olena.kovalenko@example.com.ua"}),
)


# -------------------------------------------------------------------------
# Meter verification or replacement
# -------------------------------------------------------------------------


# visits are booked from tomorrow and within three months
validate_visit_date = date_from_tomorrow(
    TIMEZONE, within_days=92, too_late=_("Choose a date within the next three months.")
)


def validate_meter_serial(value: str) -> None:
    if not is_valid_meter_serial(value):
        raise validation_error(_("Enter the meter number as printed on the meter: 4 to 20 letters and digits."))


class MeterVerificationSchema(_RequestSchema):
    """A visit to verify (повірка) or replace the meter."""

    supply_point = _supply_point_field()
    meter_serial = fields.String(
        required=True,
        validate=validate_meter_serial,
        metadata={"label": _("Meter number"), "help": _("The factory number on the meter's plate.")},
    )
    reason = choice_field(
        {
            "periodic": _("Periodic verification is due"),
            "faulty": _("The meter seems faulty (stopped or counts wrongly)"),
            "damaged": _("The meter or its seal is damaged"),
            "zone_meter": _("Replace it with a two- or three-zone meter"),
        },
        label=_("Reason"),
        error=_("Choose one of the reasons."),
    )
    preferred_date = CalendarDate(
        load_default=None,
        validate=validate_visit_date,
        metadata={"label": _("Preferred date of the visit"), "help": _("Leave empty if any date suits you."),
                  "widget": "date"},
    )
    phone = _phone_field(required=True)
    comment = text_field(_("Comment"))

    @post_load
    def tidy_meter_serial(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["meter_serial"] = normalize_meter_serial(data["meter_serial"])
        return data


def meter_verification_examples(adapter: Any, account: Any) -> list[dict[str, Any]]:
    """A periodic verification of the first meter, and a faulty one with a visit date."""
    point = _first_point(account)
    if point is None or not point.meters:
        return []
    meter = {"supply_point": point.identifier, "meter_serial": point.meters[0].serial_number}
    visit = (today_in(TIMEZONE) + dt.timedelta(days=14)).isoformat()
    return [
        {**meter, "reason": "periodic", "phone": "067 123 45 67"},
        {**meter, "reason": "faulty", "preferred_date": visit, "phone": "+380 50 765 43 21",
         "comment": "Лічильник зупинився минулого тижня."},
    ]


METER_VERIFICATION = RequestType(
    code="meter_verification",
    label=_("Meter verification or replacement"),
    schema=MeterVerificationSchema,
    description=_("A technician checks or replaces the meter at your address."),
    examples=meter_verification_examples,
)


# -------------------------------------------------------------------------
# Recalculation
# -------------------------------------------------------------------------


class RecalculationSchema(_RequestSchema):
    """A recalculation (перерахунок) of a period, with the reason for it."""

    supply_point = _supply_point_field()
    period_start = CalendarDate(
        required=True,
        metadata={"label": _("Recalculate from"), "widget": "date"},
    )
    period_end = CalendarDate(
        required=True,
        metadata={"label": _("Recalculate up to"), "widget": "date"},
    )
    reason = choice_field(
        {
            "estimated_bill": _("The bill was calculated on average consumption"),
            "wrong_reading": _("A wrong meter reading was used"),
            "meter_fault": _("The meter was faulty"),
            "absence": _("Nobody lived at the address"),
            "tariff": _("Wrong tariff or zone accounting"),
            "other": _("Another reason"),
        },
        label=_("Reason"),
        error=_("Choose one of the reasons."),
    )
    explanation = text_field(
        _("Why should the bill be recalculated?"),
        required=True,
        minimum=10,
        maximum=1000,
        error=_("Describe the reason in {min} to {max} characters."),
        help=_("For example the actual readings, or the dates nobody lived at the address."),
    )

    @validates_schema
    def sensible_period(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("period_start"), data.get("period_end")
        if start is None or end is None:
            return
        today = today_in(TIMEZONE)
        if end > today:
            raise validation_error(_("A recalculation covers a period that has already passed."), "period_end")
        if start > end:
            raise validation_error(_("The start of the period must come before its end."), "period_start")
        if start < today.replace(year=today.year - RECALCULATION_YEARS, day=1):
            raise validation_error(
                _("A recalculation can go back at most %(num)d years.", num=RECALCULATION_YEARS),
                "period_start",
            )


def recalculation_examples(adapter: Any, account: Any) -> list[dict[str, Any]]:
    """Last month, billed on average consumption although the readings were sent."""
    point = _first_point(account)
    if point is None:
        return []
    end = today_in(TIMEZONE).replace(day=1) - dt.timedelta(days=1)
    return [{"supply_point": point.identifier, "period_start": end.replace(day=1).isoformat(),
             "period_end": end.isoformat(), "reason": "estimated_bill",
             "explanation": "Рахунок нараховано за середнім споживанням, хоча показання я передавав вчасно."}]


RECALCULATION = RequestType(
    code="recalculation",
    label=_("Recalculation request"),
    schema=RecalculationSchema,
    description=_("Ask for the bills of a period to be recalculated, and say why."),
    examples=recalculation_examples,
)


# -------------------------------------------------------------------------
# All of them, in the order the portal lists them
# -------------------------------------------------------------------------

REQUEST_TYPES = (ACTUAL_BILL, CONTACT_UPDATE, METER_VERIFICATION, RECALCULATION)
