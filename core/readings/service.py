"""Meter readings: the customer's form, its plausibility checks, and delivery through the outbox.

The supplier's plugin says per supply point whether readings are taken and how they
look (:class:`core.framework.descriptions.ReadingRules`); the core builds the form from that, checks
the values against the previous reading and stores a submission with its outbox
message in one transaction, so nothing is lost when the back-end is down.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from marshmallow import fields, validate
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.billing.contract import ReadingSubmission, SubmissionResult, SubmissionStatus
from core.framework import outbox
from core.framework.descriptions import ReadingRules
from core.framework.extensions import db
from core.framework.fields import LocalizedDecimal
from core.framework.forms import translate_errors
from core.framework.i18n import local_date, quantity
from core.framework.labels import register_label
from core.framework.mail import send_mail
from core.framework.rejections import code_of
from core.framework.tenancy import Tenant
from core.framework.urls import tenant_url
from core.models import Meter, MeterReading, OutboxMessage, SupplyPoint, User, utcnow

RECEIVED, ACCEPTED, REJECTED, REVIEW, RECORDED = "received", "accepted", "rejected", "review", "recorded"
KIND = "meter_reading"
DEFAULT_UNITS = {"electricity": "kWh", "gas": "m³"}
MAX_DIGITS = 11  # before the decimal point: values are stored as numeric(14, 3)


def reading_rules(tenant: Tenant, point: SupplyPoint) -> ReadingRules:
    """The plugin's rules for this supply point, or the core's defaults."""
    return tenant.hook.portal_reading_rules(tenant=tenant, supply_point=point) or ReadingRules()


def meter_of(point: SupplyPoint) -> Meter | None:
    """The meter readings are taken from: the supply point's first (usually only) meter."""
    return point.meters[0] if point.meters else None


def accepts_readings(tenant: Tenant, point: SupplyPoint) -> bool:
    """Whether the customer can submit readings of this supply point (it has a meter, and the
    supplier takes readings of it)."""
    return reading_rules(tenant, point).accepts_readings and meter_of(point) is not None


def registers_of(point: SupplyPoint, rules: ReadingRules) -> tuple[str, ...]:
    """The installed meter's registers; the rules' when the copy does not list them."""
    meter = meter_of(point)
    return tuple(meter.registers) if meter and meter.registers else tuple(rules.registers)


def field_name(register: str) -> str:
    """Register codes have dots, which marshmallow would read as nesting: fields get plain names."""
    return "register_" + register.replace(".", "_")


def local_today(tenant: Tenant) -> dt.date:
    return dt.datetime.now(ZoneInfo(tenant.timezone)).date()


def reading_schema(
    tenant: Tenant, registers: tuple[str, ...], decimals: int, *, confirmation: bool = True
) -> marshmallow.Schema:
    """The form of one meter: a value per register, the date, and the customer's explanations.

    ``confirmation`` adds the "I confirm the reading" box and the reason, shown only once
    a value has been found implausible (they are always accepted when loading).
    """
    today = local_today(tenant)
    spec: dict[str, fields.Field] = {
        field_name(register): LocalizedDecimal(
            places=decimals, required=True, validate=[
                validate.Range(min=0, error=_l("The value cannot be negative.")),
                validate.Range(max=Decimal(10) ** MAX_DIGITS, max_inclusive=False, error=lazy_ngettext(
                    "The value is too large: use at most %(num)d digit before the decimal point.",
                    "The value is too large: use at most %(num)d digits before the decimal point.", MAX_DIGITS)),
            ],
            metadata={"label": register_label(register), "inputmode": "decimal" if decimals else "numeric"},
        )
        for register in registers
    }
    spec["read_on"] = fields.Date(
        required=True,
        validate=validate.Range(max=today, error=_l("The reading date cannot be in the future.")),
        metadata={"label": _l("Reading date")},
    )
    spec["meter_replaced"] = fields.Boolean(load_default=False, metadata={"label": _l("The meter was replaced")})
    if confirmation:
        spec["confirm"] = fields.Boolean(load_default=False, metadata={"label": _l("I confirm the reading")})
        spec["reason"] = fields.String(
            load_default=None, validate=validate.Length(max=500),
            metadata={"label": _l("Why is the value so high?"), "widget": "textarea"},
        )
    return marshmallow.Schema.from_dict(spec, name="MeterReadingForm")()


def previous_readings(point: SupplyPoint, meter_serial: str) -> dict[str, MeterReading]:
    """The newest reading of each register that counts (not one the supplier rejected)."""
    rows = db.session.execute(
        select(MeterReading)
        .where(MeterReading.supply_point_id == point.id, MeterReading.meter_serial == meter_serial,
               MeterReading.status != REJECTED)
        .order_by(MeterReading.read_at.desc(), MeterReading.id.desc())
    ).scalars()
    newest: dict[str, MeterReading] = {}
    for row in rows:
        newest.setdefault(row.register, row)
    return newest


@dataclass
class Check:
    """What the plausibility check found: errors per field, or a warning the customer may override."""

    errors: dict[str, list[str]]
    implausible: bool = False
    review: bool = False


def check_reading(
    tenant: Tenant, rules: ReadingRules, previous: dict[str, MeterReading], data: dict[str, Any]
) -> Check:
    """Compare with the previous reading: never older, never lower, not absurdly high."""
    errors: dict[str, list[str]] = {}
    zone = ZoneInfo(tenant.timezone)
    read_on: dt.date = data["read_on"]
    last_date = max((r.read_at.astimezone(zone).date() for r in previous.values()), default=None)
    if last_date is not None and read_on < last_date:
        errors["read_on"] = [_("The reading date cannot be before the previous reading of %(date)s.",
                               date=local_date(last_date))]
    replaced = bool(data.get("meter_replaced"))
    consumption = Decimal(0)
    for register, row in previous.items():
        value = data.get(field_name(register))
        if value is None:
            continue
        if value < row.value and not replaced:
            errors[field_name(register)] = [_(
                "The value is lower than the previous reading (%(value)s). If the meter was replaced, tick the box below.",
                value=quantity(row.value, row.unit),
            )]
        consumption += max(value - row.value, Decimal(0))
    if errors:
        return Check(errors)
    if replaced:
        return Check({}, review=True)
    if rules.max_daily_consumption is not None and last_date is not None:
        days = max((read_on - last_date).days, 1)
        if consumption > rules.max_daily_consumption * days:
            if not data.get("confirm"):
                return Check({}, implausible=True)
            if not (data.get("reason") or "").strip():
                return Check({"reason": [_("Tell us why the consumption is so high.")]}, implausible=True)
            return Check({}, review=True)
    return Check({})


def read_at_for(tenant: Tenant, read_on: dt.date) -> dt.datetime:
    """Today's reading is taken now; one of an earlier day at that day's end."""
    zone = ZoneInfo(tenant.timezone)
    if read_on == local_today(tenant):
        return utcnow().replace(microsecond=0)
    return dt.datetime.combine(read_on, dt.time(23, 59), tzinfo=zone).astimezone(dt.UTC)


@dataclass
class MeterForm:
    """What a reading of a supply point is taken with: its meter and registers, the rules, the previous values."""

    tenant: Tenant
    point: SupplyPoint
    meter: Meter
    rules: ReadingRules
    registers: tuple[str, ...]
    previous: dict[str, MeterReading]

    def schema(self, *, confirmation: bool = True) -> marshmallow.Schema:
        return reading_schema(self.tenant, self.registers, self.rules.decimals, confirmation=confirmation)


def meter_form(tenant: Tenant, point: SupplyPoint) -> MeterForm | None:
    """The form of ``point``'s meter; ``None`` where the supplier takes no readings online."""
    rules = reading_rules(tenant, point)
    meter = meter_of(point)
    if not rules.accepts_readings or meter is None:
        return None
    return MeterForm(tenant, point, meter, rules, registers_of(point, rules),
                     previous_readings(point, meter.serial_number))


class ReadingRefused(Exception):
    """The reading is not taken and nothing was stored: errors by form field, and whether
    the value was found implausible (the customer may confirm it with a reason)."""

    def __init__(self, errors: dict[str, list[str]], *, implausible: bool = False) -> None:
        super().__init__(errors)
        self.errors, self.implausible = errors, implausible


class ReadingConflict(Exception):
    """A reading that counts of this meter and register is already on record for that moment:
    the same day's end for a reading of an earlier day, the same second for today's."""


def submit_and_confirm(
    form: MeterForm, user: User, values: Mapping[str, Any], submission_key: str, *, along: Iterable[Any] = (),
) -> tuple[list[MeterReading], bool]:
    """Check a reading and store it with its confirmation mail; both leave after commit.

    ``values`` are the form's fields (``form.schema()``) as given. Raises :class:`ReadingRefused`
    when the reading is not taken. Returns the rows and whether they are new: the same
    ``submission_key`` again returns the first submission's rows and sends nothing.
    ``along`` are rows stored in the same transaction (the API's idempotency key).
    """
    existing = submission(submission_key)
    if existing:
        return existing, False
    try:
        data = form.schema().load(values)
    except marshmallow.ValidationError as exc:
        raise ReadingRefused(translate_errors(exc.messages)) from None
    check = check_reading(form.tenant, form.rules, form.previous, data)
    if check.errors or check.implausible:
        raise ReadingRefused(check.errors, implausible=check.implausible)
    try:
        return _store(form, user, data, REVIEW if check.review else RECEIVED, submission_key, along)
    except ReadingConflict:
        raise ReadingRefused({"read_on": [_("A reading of this meter for that date is already on record.")]}) from None


def _store(
    form: MeterForm, user: User, data: dict[str, Any], status: str, submission_key: str, along: Iterable[Any],
) -> tuple[list[MeterReading], bool]:
    """The reading (a row per register), its outbox message and its confirmation mail in one transaction."""
    point, serial = form.point, form.meter.serial_number
    read_at = read_at_for(form.tenant, data["read_on"])
    unit = next((r.unit for r in form.previous.values()), DEFAULT_UNITS.get(point.commodity, "kWh"))
    reason = (data.get("reason") or "").strip() or None
    rows = [
        MeterReading(
            supply_point_id=point.id, meter_serial=serial, register=register, read_at=read_at,
            value=data[field_name(register)], unit=unit, source="customer", status=status, reason=reason,
            submission_key=submission_key, user_id=user.id,
        )
        for register in form.registers
    ]
    db.session.add_all([*rows, *along])
    try:
        db.session.flush()
        outbox.enqueue(KIND, rows[0].id, ordering_key=f"meter:{point.id}:{serial}")
        send_mail(user.email, "reading_received", locale=user.locale, readings=rows, point=point,
                  link=tenant_url(form.tenant, "readings.index", point=point.id))
        db.session.commit()
        return rows, True
    except IntegrityError:
        db.session.rollback()
        existing = submission(submission_key)
        if not existing:
            raise ReadingConflict from None
        return existing, False


def submission(submission_key: str) -> list[MeterReading]:
    return list(db.session.execute(
        select(MeterReading).where(MeterReading.submission_key == submission_key).order_by(MeterReading.id)
    ).scalars())


def deliver(tenant: Tenant, message: OutboxMessage) -> SubmissionResult:
    first = db.session.get_one(MeterReading, message.object_id)
    rows = submission(first.submission_key or "")
    reading = ReadingSubmission(
        account_number=first.supply_point.account.number,
        supply_point=first.supply_point.identifier,
        meter_serial=first.meter_serial,
        values={row.register: row.value for row in rows},
        read_at=first.read_at,
    )
    return tenant.adapter.submit_reading(reading, message.idempotency_key)


def apply_answer(message: OutboxMessage, result: SubmissionResult) -> None:
    """Record the supplier's answer; a flagged reading stays under review once taken."""
    first = db.session.get_one(MeterReading, message.object_id)
    for row in submission(first.submission_key or ""):
        if result.status == SubmissionStatus.ACCEPTED:
            row.status = REVIEW if row.status == REVIEW else ACCEPTED
        else:
            row.status, row.reject_reason = REJECTED, code_of(result)
