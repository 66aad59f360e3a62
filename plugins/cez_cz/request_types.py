"""The requests a ČEZ customer files online, as in the "Zákaznický portál" (formerly VOK).

Advance payments, payment method, bank account, contact and correspondence address, an
extraordinary invoice on a self-reading, a new distribution rate (sazba) or circuit
breaker (jistič), and an appointment at a customer centre. The supply point is chosen
from the account's own (the core offers them and refuses any other); each schema checks
what the customer types (bank account with its check digits, PSČ, Czech phone numbers,
working days) so the request reaches the back-office complete.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, post_load, validate, validates_schema

from core.plugin_api import (
    DigitString,
    RequestType,
    SupplyPointFact,
    SupplyPointOfAccount,
    choice_field,
    email_field,
    money,
    text_field,
    validation_error,
)
from core.plugin_api.billing import latest_values
from plugins.cez_cz.codes import BREAKERS, parse_breaker
from plugins.cez_cz.fields import BankAccount, CzechPhone, MeterValue, Postcode, WholeCrowns, fail, is_mobile
from plugins.cez_cz.i18n import _
from plugins.cez_cz.rules import (
    SELF_READING_WORKING_DAYS,
    advance_change_eligible,
    advance_payment_limits,
    advance_payment_problem,
    has_electricity,
    has_supply_point,
    self_reading_deadline,
)
from plugins.cez_cz.supplier import SUPPLIER
from plugins.cez_cz.workdays import is_working_day

TIMEZONE = ZoneInfo(SUPPLIER.timezone)
MAX_MONTHLY_ADVANCE = 50_000
APPOINTMENT_DAYS_AHEAD = 60
FRIDAY_CLOSING = dt.time(14, 0)
SLOT_MINUTES = 30


def today() -> dt.date:
    """Today in Prague: the date the customer sees on the calendar."""
    return dt.datetime.now(TIMEZONE).date()


def _phone(*, required: bool = False, mobile: bool = False, label: Any = None) -> CzechPhone:
    return CzechPhone(
        required=required,
        load_default=None,
        mobile=mobile,
        metadata={"label": label or _("Phone number"), "autocomplete": "tel", "inputmode": "tel"},
    )


def _points(account: Any, commodity: str | None = None) -> list[Any]:
    return [p for p in getattr(account, "supply_points", ()) if commodity in (None, str(p.commodity))]


# -------------------------------------------------------------------------
# Payment method
# -------------------------------------------------------------------------


class PaymentMethodSchema(Schema):
    """How advances and invoices are paid; SIPO and direct debit need their numbers."""

    method = choice_field(
        {
            "bank_transfer": _("Bank transfer (payment order)"),
            "direct_debit": _("Direct debit (inkaso) from my bank account"),
            "sipo": _("SIPO – with other household payments at Czech Post"),
            "postal_order": _("Postal order (poštovní poukázka)"),
        },
        label=_("Payment method"),
        error=_("Choose one of the payment methods."),
    )
    sipo_number = DigitString(
        load_default=None,
        length=10,
        metadata={
            "label": _("SIPO connection number"),
            "help": _("Ten digits, on your SIPO payment slip from Czech Post. Only for SIPO."),
            "inputmode": "numeric",
        },
    )
    bank_account = BankAccount(
        load_default=None,
        metadata={
            "label": _("Account to debit"),
            "help": _(
                "Only for direct debit. Also allow direct debits for ČEZ Prodej in your internet banking."
            ),
            "autocomplete": "off",
        },
    )

    @validates_schema
    def details_of_method(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("method") == "sipo" and not data.get("sipo_number"):
            raise validation_error(_("Enter the SIPO connection number."), "sipo_number")
        if data.get("method") == "direct_debit" and not data.get("bank_account"):
            raise validation_error(_("Enter the account the payments are debited from."), "bank_account")

    @post_load
    def drop_unused(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """A number typed for another method is not sent on."""
        if data.get("method") != "sipo":
            data["sipo_number"] = None
        if data.get("method") != "direct_debit":
            data["bank_account"] = None
        return data


PAYMENT_METHOD = RequestType(
    code="payment_method",
    label=_("Change of payment method"),
    schema=PaymentMethodSchema,
    eligible=has_supply_point,
    description=_("Bank transfer, direct debit, SIPO or postal order."),
    examples=(
        {"method": "direct_debit", "bank_account": "19-2000145399/0800"},
        {"method": "sipo", "sipo_number": "1234567890"},
        {"method": "bank_transfer"},
    ),
)


# -------------------------------------------------------------------------
# Advance payments
# -------------------------------------------------------------------------


class AdvancePaymentSchema(Schema):
    """A new monthly advance (záloha) for a supply point; lowering it needs a reason.

    Whether the amount fits the expected consumption depends on the account:
    :func:`advance_fits_consumption` checks it once the account is chosen.
    """

    supply_point = SupplyPointOfAccount(required=True, metadata={"label": _("Supply point")})
    change = choice_field(
        {
            "increase": _("Raise the advance"),
            "decrease": _("Lower the advance"),
        },
        label=_("Change"),
        error=_("Choose whether to raise or lower the advance."),
    )
    amount = WholeCrowns(
        required=True,
        places=2,
        validate=validate.Range(
            min=100, max=MAX_MONTHLY_ADVANCE, error=_("Enter a monthly advance from 100 to 50,000 CZK.")
        ),
        metadata={
            "label": _("New monthly advance (CZK)"),
            "help": _("Whole crowns, for example 1 850. It must match your expected consumption."),
            "inputmode": "numeric",
        },
    )
    reason = choice_field(
        {
            "fewer_people": _("Fewer people live in the household"),
            "savings": _("We save energy (new appliances, insulation, LED lighting)"),
            "own_source": _("We produce our own energy (solar panels)"),
            "heating_change": _("We changed the way we heat"),
            "less_use": _("The place is used less (a cottage, a long absence)"),
            "other": _("Another reason"),
        },
        label=_("Reason for lowering the advance"),
        error=_("Choose one of the reasons."),
        required=False,
    )
    reason_note = text_field(_("Tell us more"), maximum=300)

    @validates_schema
    def reason_for_lowering(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("change") != "decrease":
            return
        if not data.get("reason"):
            raise validation_error(_("Tell us why you want to lower the advance."), "reason")
        if data["reason"] == "other" and not data.get("reason_note", "").strip():
            raise validation_error(_("Describe the reason in a few words."), "reason_note")


def advance_fits_consumption(adapter: Any, account: Any, data: dict[str, Any]) -> dict[str, list[Any]] | None:
    """The new advance fits the expected consumption of the supply point (one of the
    account's: the core has made sure of it)."""
    expected = getattr(adapter, "expected_yearly_cost", None)
    if expected is None:  # a back-end that does not tell: it judges the amount itself
        return None
    problem = advance_payment_problem(data["amount"], expected(account.number, data["supply_point"]))
    return {"amount": [problem]} if problem else None


TYPICAL_YEARLY_COST = Decimal(22_000)
"""A household's electricity for a year, for examples when the back-end does not tell."""


def advance_payment_examples(adapter: Any, account: Any) -> list[dict[str, Any]]:
    """At the first supply point: a raise to the middle of the band its expected
    consumption allows, and a lowering to the band's floor, with a reason."""
    found = []
    for point in _points(account)[:1]:
        expected = getattr(adapter, "expected_yearly_cost", None)
        yearly = expected(account.number, point.identifier) if expected else TYPICAL_YEARLY_COST
        lowest, highest = advance_payment_limits(yearly)
        middle = ((lowest + highest) / 20).to_integral_value() * 10
        found += [
            {"supply_point": point.identifier, "change": "increase", "amount": int(middle)},
            {"supply_point": point.identifier, "change": "decrease", "amount": int(lowest), "reason": "savings",
             "reason_note": "Nová lednice a LED osvětlení."},
        ]
    return found


def current_advances(adapter: Any, account: Any) -> list[SupplyPointFact]:
    """The monthly advance now prescribed at each of the account's supply points, so the
    customer sees what they change (where the back-end tells)."""
    prescribed = getattr(adapter, "advance_payment", None)
    if prescribed is None:
        return []
    return [SupplyPointFact(_("Current monthly advance at %(point)s", point=point.identifier),
                            money(prescribed(account.number, point.identifier)))
            for point in _points(account)]


ADVANCE_PAYMENT = RequestType(
    code="advance_payment",
    label=_("Change of advance payments"),
    schema=AdvancePaymentSchema,
    eligible=advance_change_eligible,
    check=advance_fits_consumption,
    description=_("Raise or lower the monthly advance for a supply point."),
    examples=advance_payment_examples,
    facts=current_advances,
)


# -------------------------------------------------------------------------
# Bank account
# -------------------------------------------------------------------------


class BankAccountSchema(Schema):
    """The account for refunds of overpayments and for direct debit."""

    bank_account = BankAccount(
        required=True,
        metadata={
            "label": _("Bank account number"),
            "help": _("For example 19-2000145399/0800, or the IBAN CZ65 0800 0000 1920 0014 5399."),
            "autocomplete": "off",
        },
    )
    holder = fields.String(
        required=True,
        validate=validate.Length(min=3, max=120, error=_("Enter the account holder's name.")),
        metadata={"label": _("Account holder"), "autocomplete": "name"},
    )
    purpose = choice_field(
        {
            "refunds": _("Refunds of overpayments from settlements"),
            "direct_debit": _("Direct debit of advances and invoices"),
            "both": _("Both refunds and direct debit"),
        },
        label=_("Use the account for"),
        error=_("Choose what the account is for."),
    )


BANK_ACCOUNT = RequestType(
    code="bank_account",
    label=_("Change of bank account"),
    schema=BankAccountSchema,
    eligible=has_supply_point,
    description=_("The account for refunds of overpayments and for direct debit."),
    examples=(
        {"bank_account": "19-2000145399/0800", "holder": "Jana Nováková", "purpose": "refunds"},
        {"bank_account": "CZ65 0800 0000 1920 0014 5399", "holder": "Jana Nováková", "purpose": "both"},
    ),
)


# -------------------------------------------------------------------------
# Contact details and correspondence address
# -------------------------------------------------------------------------


class ContactSchema(Schema):
    """New e-mail, phone or correspondence address, and SMS notices of planned outages."""

    email = email_field(required=False)
    phone = _phone()
    street = fields.String(
        load_default=None,
        validate=validate.Length(min=3, max=120, error=_("Enter the street and house number.")),
        metadata={
            "label": _("Street and house number"),
            "help": _("For example Vinohradská 1234/56."),
            "autocomplete": "street-address",
        },
    )
    postcode = Postcode(
        load_default=None,
        metadata={"label": _("Postcode (PSČ)"), "autocomplete": "postal-code", "inputmode": "numeric"},
    )
    city = fields.String(
        load_default=None,
        validate=validate.Length(min=2, max=80, error=_("Enter the town.")),
        metadata={"label": _("Town"), "autocomplete": "address-level2"},
    )
    outage_sms = fields.Boolean(
        load_default=False,
        metadata={"label": _("Send me notices of planned power outages at my supply points by SMS")},
    )

    @validates_schema
    def complete(self, data: dict[str, Any], **kwargs: Any) -> None:
        address = {name: data.get(name) for name in ("street", "postcode", "city")}
        if not any(address.values()) and not data.get("email") and not data.get("phone") and not data.get("outage_sms"):
            raise fail(_("Enter at least one detail to change."))
        if any(address.values()) and not all(address.values()):
            missing = next(name for name, value in address.items() if not value)
            raise validation_error(_("A correspondence address needs the street, postcode and town."), missing)
        if data.get("outage_sms"):
            if not data.get("phone"):
                raise validation_error(_("Enter the mobile number for the text messages."), "phone")
            if not is_mobile(data["phone"]):
                raise validation_error(_("Text messages go to mobile numbers only: they start with 6 or 7."), "phone")


CONTACT_DETAILS = RequestType(
    code="contact_details",
    label=_("Contact details and correspondence address"),
    schema=ContactSchema,
    description=_("A new e-mail, phone number or correspondence address; SMS notices of planned outages."),
    examples=(
        {"email": "jana.novakova@example.cz", "phone": "601 234 567", "outage_sms": True},
        {"street": "Vinohradská 1234/56", "postcode": "120 00", "city": "Praha"},
    ),
)


# -------------------------------------------------------------------------
# Extraordinary invoice
# -------------------------------------------------------------------------


class ExtraordinaryInvoiceSchema(Schema):
    """An extraordinary invoice (mimořádná faktura) on the customer's own reading."""

    supply_point = SupplyPointOfAccount(required=True, metadata={"label": _("Supply point")})
    reading_date = fields.Date(
        required=True,
        metadata={
            "label": _("Date of the reading"),
            "help": _("The day you read the meter: today or up to five working days ago."),
            "widget": "date",
        },
    )
    reading_high = MeterValue(
        required=True,
        metadata={
            "label": _("Meter state: high tariff VT (T1), or the only register"),
            "help": _("Whole kWh (gas: m³), without the digits after the decimal point."),
            "inputmode": "numeric",
        },
    )
    reading_low = MeterValue(
        load_default=None,
        metadata={
            "label": _("Meter state: low tariff NT (T2)"),
            "help": _("Only for two-rate electricity meters (D25d, D45d, D56d)."),
            "inputmode": "numeric",
        },
    )
    reason = choice_field(
        {
            "moving_out": _("Moving out or ending the contract"),
            "price_change": _("Change of price or product"),
            "household_change": _("Change in the household"),
            "other": _("Another reason"),
        },
        label=_("Why do you need the invoice?"),
        error=_("Choose one of the reasons."),
    )

    @validates_schema
    def reading_fits(self, data: dict[str, Any], **kwargs: Any) -> None:
        day = data.get("reading_date")
        if day is not None:
            if day > today():
                raise validation_error(_("The reading cannot be from a future day."), "reading_date")
            if self_reading_deadline(day) < today():
                raise validation_error(
                    _(
                        "A reading counts when handed in within %(days)d working days; read the meter again.",
                        days=SELF_READING_WORKING_DAYS,
                    ),
                    "reading_date",
                )


def reading_fits_meter(adapter: Any, account: Any, data: dict[str, Any]) -> dict[str, list[Any]] | None:
    """A gas supply point's meter has one register: no low tariff reading for it."""
    point = next(p for p in account.supply_points if p.identifier == data["supply_point"])
    if data.get("reading_low") is not None and point.commodity == "gas":
        return {"reading_low": [_("A gas meter has one register: leave the low tariff empty.")]}
    return None


def extraordinary_invoice_examples(adapter: Any, account: Any) -> list[dict[str, Any]]:
    """A self-reading taken today at the first supply point, a little above the last one."""
    found = []
    for point in _points(account)[:1]:
        last = latest_values(adapter.readings(account.number, point.identifier))
        high = last.get("1.8.1", last.get("1.8.0", last.get("volume", Decimal(0))))
        example = {"supply_point": point.identifier, "reading_date": today().isoformat(),
                   "reading_high": int(high) + 42, "reason": "moving_out"}
        if "1.8.2" in last:
            example["reading_low"] = int(last["1.8.2"]) + 17
        found.append(example)
    return found


EXTRAORDINARY_INVOICE = RequestType(
    code="extraordinary_invoice",
    label=_("Extraordinary invoice"),
    schema=ExtraordinaryInvoiceSchema,
    eligible=has_supply_point,
    check=reading_fits_meter,
    description=_("A settlement outside the yearly cycle, on your own meter reading."),
    examples=extraordinary_invoice_examples,
)


# -------------------------------------------------------------------------
# Distribution rate and circuit breaker
# -------------------------------------------------------------------------

RATES: tuple[tuple[str, Any], ...] = (
    ("D01d", _("D01d – single rate, low consumption")),
    ("D02d", _("D02d – single rate, medium consumption")),
    ("D25d", _("D25d – two rates, water heated in a storage heater (8 h low tariff)")),
    ("D45d", _("D45d – two rates, direct electric heating (20 h low tariff)")),
    ("D56d", _("D56d – two rates, heat pump (22 h low tariff)")),
)
RATES_NEEDING_APPLIANCE = frozenset({"D25d", "D45d", "D56d"})
"""Two-rate sazby are granted only for the appliance they exist for."""
THREE_PHASE_RATES = frozenset({"D45d", "D56d"})
BREAKER_CHOICES: tuple[tuple[str, str], ...] = tuple((b.code, b.label) for b in BREAKERS)


class DistributionRateSchema(Schema):
    """A new distribution rate (sazba) or main circuit breaker (jistič) for electricity."""

    supply_point = SupplyPointOfAccount(
        commodity="electricity", required=True, metadata={"label": _("Electricity supply point")}
    )
    new_rate = choice_field(
        RATES, label=_("New distribution rate (sazba)"), error=_("Choose one of the distribution rates."), required=False
    )
    new_breaker = choice_field(
        BREAKER_CHOICES,
        label=_("New main circuit breaker (jistič)"),
        error=_("Choose one of the circuit breakers."),
        required=False,
        help=_("Phases x rated current, as on the breaker before your meter."),
    )
    appliance_confirmed = fields.Boolean(
        load_default=False,
        metadata={
            "label": _(
                "The supply point has the appliance the rate is for (storage water heater, "
                "electric heating or heat pump), as the distributor's conditions require."
            )
        },
    )
    inspection_report = fields.Boolean(
        load_default=False,
        metadata={"label": _("I have an electrical inspection report (revizní zpráva) for the new circuit breaker.")},
    )
    phone = _phone(label=_("Phone number for the distributor's technician"))

    @validates_schema
    def consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        rate, breaker = data.get("new_rate"), data.get("new_breaker")
        if not rate and not breaker:
            raise fail(_("Choose a new distribution rate, a new circuit breaker, or both."))
        if rate in RATES_NEEDING_APPLIANCE and not data.get("appliance_confirmed"):
            raise validation_error(
                _("Rate %(rate)s is granted only with its appliance: confirm you have it.", rate=rate),
                "appliance_confirmed",
            )
        if rate in THREE_PHASE_RATES and breaker and parse_breaker(breaker).phases != 3:
            raise validation_error(_("Rate %(rate)s needs a three-phase circuit breaker.", rate=rate), "new_breaker")
        if breaker and not data.get("inspection_report"):
            raise validation_error(
                _("A new circuit breaker needs an electrical inspection report first."), "inspection_report"
            )


def distribution_rate_examples(adapter: Any, account: Any) -> list[dict[str, Any]]:
    """At the first electricity supply point: another single rate, and a stronger circuit breaker."""
    found = []
    for point in _points(account, "electricity")[:1]:
        rate = "D01d" if point.tariff == "D02d" else "D02d"
        found += [
            {"supply_point": point.identifier, "new_rate": rate, "phone": "601 234 567"},
            {"supply_point": point.identifier, "new_breaker": "3x25", "inspection_report": True},
        ]
    return found


DISTRIBUTION_RATE = RequestType(
    code="distribution_rate",
    label=_("Change of distribution rate or circuit breaker"),
    schema=DistributionRateSchema,
    eligible=has_electricity,
    description=_("Another sazba (D01d, D02d, D25d, D45d, D56d) or main circuit breaker."),
    examples=distribution_rate_examples,
)


# -------------------------------------------------------------------------
# Appointment at a customer centre
# -------------------------------------------------------------------------

BRANCHES: tuple[tuple[str, Any], ...] = tuple(
    (code, _("Customer centre %(city)s", city=city))
    for code, city in (
        ("praha", "Praha"),
        ("brno", "Brno"),
        ("ostrava", "Ostrava"),
        ("plzen", "Plzeň"),
        ("hradec_kralove", "Hradec Králové"),
        ("ceske_budejovice", "České Budějovice"),
        ("usti_nad_labem", "Ústí nad Labem"),
        ("olomouc", "Olomouc"),
        ("liberec", "Liberec"),
        ("pardubice", "Pardubice"),
        ("jihlava", "Jihlava"),
        ("zlin", "Zlín"),
    )
)
TIME_SLOTS: tuple[tuple[str, str], ...] = tuple(
    (f"{minutes // 60:02d}:{minutes % 60:02d}", f"{minutes // 60:02d}:{minutes % 60:02d}")
    for minutes in range(8 * 60, 17 * 60, SLOT_MINUTES)
)
"""Half-hour slots from 08:00; the last starts at 16:30 (Friday 13:30)."""


class AppointmentSchema(Schema):
    """A visit to a ČEZ customer centre on a working day, in a half-hour slot."""

    branch = choice_field(BRANCHES, label=_("Customer centre"), error=_("Choose one of the customer centres."))
    date = fields.Date(
        required=True,
        metadata={"label": _("Date"), "help": _("A working day within the next two months."), "widget": "date"},
    )
    time_slot = choice_field(TIME_SLOTS, label=_("Time"), error=_("Choose one of the times."))
    topic = choice_field(
        {
            "contract": _("New contract, change or termination"),
            "moving": _("Moving house"),
            "invoice": _("Invoices, settlement and payments"),
            "advance": _("Advance payments"),
            "complaint": _("Complaint"),
            "other": _("Something else"),
        },
        label=_("What is the visit about?"),
        error=_("Choose what the visit is about."),
    )
    phone = _phone(label=_("Phone number, in case we need to move the appointment"))
    note = text_field(_("Note for the customer centre"))

    @validates_schema
    def open_then(self, data: dict[str, Any], **kwargs: Any) -> None:
        day = data.get("date")
        if day is None:
            return
        now = today()
        if day <= now:
            raise validation_error(_("Choose a date from tomorrow on."), "date")
        if day > now + dt.timedelta(days=APPOINTMENT_DAYS_AHEAD):
            raise validation_error(_("Choose a date within the next two months."), "date")
        if not is_working_day(day):
            raise validation_error(
                _("The customer centres are closed at weekends and on public holidays: choose a working day."), "date"
            )
        slot = data.get("time_slot")
        if slot and day.weekday() == 4:
            hours, minutes = (int(part) for part in slot.split(":"))
            ends = dt.datetime.combine(day, dt.time(hours, minutes)) + dt.timedelta(minutes=SLOT_MINUTES)
            if ends.time() > FRIDAY_CLOSING:
                raise validation_error(_("On Fridays the customer centres close at 14:00: choose an earlier time."), "time_slot")


def branch_appointment_examples(adapter: Any, account: Any) -> list[dict[str, Any]]:
    """A morning visit on the next working day but one (open on Fridays too)."""
    day = today() + dt.timedelta(days=2)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return [{"branch": "brno", "date": day.isoformat(), "time_slot": "09:30", "topic": "invoice",
             "phone": "+420 601 234 567", "note": "Přinesu poslední vyúčtování."}]


BRANCH_APPOINTMENT = RequestType(
    code="branch_appointment",
    label=_("Appointment at a customer centre"),
    schema=AppointmentSchema,
    description=_("Book a time at a ČEZ customer centre near you."),
    examples=branch_appointment_examples,
)


# -------------------------------------------------------------------------
# All of them, in the order the portal lists them
# -------------------------------------------------------------------------

REQUEST_TYPES = (
    ADVANCE_PAYMENT,
    PAYMENT_METHOD,
    BANK_ACCOUNT,
    CONTACT_DETAILS,
    EXTRAORDINARY_INVOICE,
    DISTRIBUTION_RATE,
    BRANCH_APPOINTMENT,
)
