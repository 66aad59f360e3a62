"""The requests of the Italiangas Area Clienti, each with the data the back-office needs.

Direct debit (domiciliazione bancaria), bills by e-mail, the billing address (recapito),
the "piccole prestazioni" (power change, deactivation, voltura) and the assistance
requests (instalments, invoice correction, information or complaint), and closing the
Area Clienti account. The supply (its POD or PDR) is chosen from the account's own (the
core offers them and refuses any other); every schema checks what the customer types with
the real rules: IBAN and codice fiscale by their check characters, CAP and province codes,
dates that make sense, so a request reaches the back-office complete.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import has_request_context
from flask_babel import format_decimal
from marshmallow import Schema, fields, validate, validates_schema

from core.plugin_api import (
    DigitString,
    LocalizedDecimal,
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
from core.plugin_api.billing import latest_values
from plugins.italiangas_it.i18n import _
from plugins.italiangas_it.identifiers import compact, is_sepa_iban, is_valid_codice_fiscale, is_valid_iban
from plugins.italiangas_it.rules import tax_code_matches_name
from plugins.italiangas_it.supplier import SUPPLIER

TIMEZONE = ZoneInfo(SUPPLIER.timezone)

DIRECT_DEBIT = "direct_debit"
EMAIL_BILL = "email_bill"
BILLING_ADDRESS = "billing_address"
POWER_CHANGE = "power_change"
DEACTIVATION = "deactivation"
VOLTURA = "voltura"
INSTALMENT_PLAN = "instalment_plan"
INVOICE_CORRECTION = "invoice_correction"
INFORMATION_COMPLAINT = "information_complaint"
ACCOUNT_DELETION = "account_deletion"

WRITE_BETWEEN = _("Write between {min} and {max} characters.")
"""The message of a text too short or too long."""
INVOICE_NUMBER_DIGITS = 12
_NAME = re.compile(r"^[^\W\d_]+(?:[ '’.\-][^\W\d_]*)*$")
_PHONE_NOISE = re.compile(r"[\s\-./()]+")
_PHONE = re.compile(r"^(?:\+39|0039)?(0\d{5,10}|3\d{8,9})$")

SAMPLE_IBAN = "IT60 X054 2811 1010 0000 0123 456"
SAMPLE_HOLDER = ("Manuel", "Rocca", "RCCMNL83S18D969H")
"""A new holder for examples: a name and the codice fiscale that goes with it."""


class CodeField(fields.String):
    """An identifier typed any usual way, kept in capitals without spaces and dashes."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return compact(super()._deserialize(value, attr, data, **kwargs))


class ItalianPhone(fields.String):
    """An Italian landline or mobile number, kept as ``+39`` and its digits."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = _PHONE_NOISE.sub("", super()._deserialize(value, attr, data, **kwargs))
        match = _PHONE.match(text)
        if match is None:
            raise validation_error(_("Enter an Italian phone number, for example 333 123 4567 or 06 1234 5678."))
        return f"+39{match.group(1)}"


def validate_tax_code(value: str) -> None:
    if not is_valid_codice_fiscale(value):
        raise validation_error(_("This codice fiscale is not valid: check its 16 characters, or 11 digits for a company or condominium."))


def validate_iban(value: str) -> None:
    if not is_valid_iban(value):
        raise validation_error(_("This IBAN is not valid: check it against your bank statement."))
    if not is_sepa_iban(value):
        raise validation_error(_("Direct debit needs an account in Italy or in another SEPA country."))


def validate_invoice_number(value: str) -> None:
    """Twelve digits beginning with the year and month the bill was issued."""
    year, month = int(value[:4]), int(value[4:6])
    if not (2000 <= year <= 2099 and 1 <= month <= 12):
        raise validation_error(_("Enter the bill number as printed: twelve digits, for example 202603000456."))


# requests take effect from tomorrow at the earliest and within a year
validate_future_date = date_from_tomorrow(
    TIMEZONE, within_days=366, too_late=_("Choose a date within the next twelve months.")
)


def validate_name(value: str) -> None:
    if not _NAME.match(value):
        raise validation_error(_("Enter the name in letters, as on the identity document."))


def _invoice_number_field() -> DigitString:
    return DigitString(
        required=True,
        length=INVOICE_NUMBER_DIGITS,
        validate=validate_invoice_number,
        metadata={
            "label": _("Bill number"),
            "help": _("Twelve digits, at the top of the bill, for example 202603000456."),
            "inputmode": "numeric",
            "autocomplete": "off",
        },
    )


def _tax_code_field(label: Any, help_text: Any) -> CodeField:
    return CodeField(
        required=True,
        validate=validate_tax_code,
        metadata={"label": label, "help": help_text, "autocomplete": "off"},
    )


def _name_field(label: Any, autocomplete: str) -> fields.String:
    return fields.String(
        required=True,
        validate=[
            validate.Length(min=2, max=80, error=_("Enter between {min} and {max} characters.")),
            validate_name,
        ],
        metadata={"label": label, "autocomplete": autocomplete},
    )


def _meter_reading_field(label: Any) -> fields.Integer:
    return fields.Integer(
        required=True,
        validate=validate.Range(min=0, max=99_999_999, error=_("Enter the reading as shown on the meter.")),
        metadata={
            "label": label,
            "help": _("Whole kWh, or for gas the black digits of the meter (m³)."),
            "inputmode": "numeric",
        },
    )


def _confirmation_field(label: Any, error: Any) -> fields.Boolean:
    return fields.Boolean(required=True, validate=validate.Equal(True, error=error), metadata={"label": label})


def _points(account: Any, commodity: str | None = None) -> list[Any]:
    return [p for p in getattr(account, "supply_points", ()) if commodity in (None, str(p.commodity))]


def _meter_state(adapter: Any, account: Any, point: Any, more: int) -> int:
    """The last reading of the point's first register, ``more`` units on."""
    last = latest_values(adapter.readings(account.number, point.identifier))
    first = point.meters[0].registers[0] if point.meters and point.meters[0].registers else None
    return int(last.get(first, 0)) + more


# -------------------------------------------------------------------------
# Direct debit (domiciliazione bancaria)
# -------------------------------------------------------------------------


class DirectDebitSchema(Schema):
    """Domiciliazione bancaria: a SEPA Core mandate on an account the customer holds."""

    iban = CodeField(
        required=True,
        validate=validate_iban,
        metadata={
            "label": _("IBAN"),
            "help": _("27 characters for an Italian account, starting with IT."),
            "autocomplete": "off",
        },
    )
    account_holder_name = _name_field(_("Account holder"), "name")
    tax_code = _tax_code_field(
        _("Account holder's codice fiscale"),
        _("Direct debit is possible only on an account held by the holder of the supply contract."),
    )
    mandate = _confirmation_field(
        _("I authorise Italiangas to collect my bills from this account by SEPA direct debit, "
          "and my bank to debit it. I can ask my bank for a refund within eight weeks of a debit."),
        _("Tick the box to sign the direct debit mandate."),
    )


def direct_debit_examples(adapter: Any, account: Any) -> list[dict[str, Any]]:
    """A mandate on an Italian account held by the contract's holder."""
    holder = str(getattr(account, "holder_name", ""))
    known = getattr(adapter, "tax_code", None)
    if not (_NAME.match(holder) and known):
        holder, known = " ".join(SAMPLE_HOLDER[:2]), lambda number: SAMPLE_HOLDER[2]
    return [{"iban": SAMPLE_IBAN, "account_holder_name": holder, "tax_code": known(account.number), "mandate": True}]


DIRECT_DEBIT_REQUEST = RequestType(
    code=DIRECT_DEBIT,
    label=_("Direct debit (domiciliazione bancaria)"),
    schema=DirectDebitSchema,
    description=_("Pay your bills automatically from your bank account (SEPA direct debit)."),
    examples=direct_debit_examples,
)


# -------------------------------------------------------------------------
# Bills by e-mail
# -------------------------------------------------------------------------


class EmailBillSchema(Schema):
    """Bolletta via e-mail: bills by e-mail instead of on paper."""

    email = email_field(label=_("E-mail address for your bills"))
    consent = _confirmation_field(
        _("I want to receive my bills by e-mail instead of on paper."),
        _("Tick the box to confirm that you want your bills by e-mail."),
    )


EMAIL_BILL_REQUEST = RequestType(
    code=EMAIL_BILL,
    label=_("Bills by e-mail"),
    schema=EmailBillSchema,
    description=_("Receive your bills by e-mail instead of on paper."),
    examples=({"email": "rosa.santoro@example.it", "consent": True},),
)


# -------------------------------------------------------------------------
# Billing address (recapito)
# -------------------------------------------------------------------------

PROVINCES = frozenset(
    """
    AG AL AN AO AP AQ AR AT AV BA BG BI BL BN BO BR BS BT BZ CA CB CE CH CL CN CO CR CS CT CZ
    EN FC FE FG FI FM FR GE GO GR IM IS KR LC LE LI LO LT LU MB MC ME MI MN MO MS MT NA NO NU
    OR PA PC PD PE PG PI PN PO PR PT PU PV PZ RA RC RE RG RI RM RN RO SA SI SO SP SR SS SU SV
    TA TE TN TO TP TR TS TV UD VA VB VC VE VI VR VT VV
    CI OG OT VS
    """.split()
)
"""Province codes (sigle) as written in Italian addresses, with the Sardinian ones of the
provinces re-established in 2025 under their old codes."""
_CAP = re.compile(r"^\d{5}$")


def validate_province(value: str) -> None:
    if value not in PROVINCES:
        raise validation_error(_("Enter the two-letter province code, for example RM or MI."))


class BillingAddressSchema(Schema):
    """Recapito: where the paper bills and letters go."""

    care_of = fields.String(
        load_default="",
        validate=validate.Length(max=80, error=_("Use at most {max} characters.")),
        metadata={
            "label": _("Care of (c/o)"),
            "help": _("Optional, for example the studio of the condominium administrator."),
        },
    )
    street = fields.String(
        required=True,
        validate=validate.Length(min=3, max=120, error=_("Enter the street and house number.")),
        metadata={"label": _("Street and house number"), "autocomplete": "street-address"},
    )
    postcode = fields.String(
        required=True,
        validate=validate.Regexp(_CAP, error=_("Enter the five-digit CAP, for example 00184.")),
        metadata={"label": _("CAP"), "autocomplete": "postal-code", "inputmode": "numeric"},
    )
    city = fields.String(
        required=True,
        validate=validate.Length(min=2, max=80, error=_("Enter the town (comune).")),
        metadata={"label": _("Town (comune)"), "autocomplete": "address-level2"},
    )
    province = CodeField(
        required=True,
        validate=validate_province,
        metadata={"label": _("Province"), "help": _("Two letters, for example RM."), "autocomplete": "address-level1"},
    )


BILLING_ADDRESS_REQUEST = RequestType(
    code=BILLING_ADDRESS,
    label=_("Change of billing address"),
    schema=BillingAddressSchema,
    description=_("Where your paper bills and letters are sent (recapito)."),
    examples=(
        {"street": "Via Appia Nuova 123", "postcode": "00183", "city": "Roma", "province": "RM"},
        {"care_of": "Studio Bianchi", "street": "Corso Buenos Aires 45", "postcode": "20124", "city": "Milano",
         "province": "mi"},
    ),
)


# -------------------------------------------------------------------------
# Power change
# -------------------------------------------------------------------------

POWER_LEVELS_KW = tuple(
    Decimal(kw) for kw in ("1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5", "5.5", "6", "7", "8", "9", "10", "15")
)
"""Contracted power a household can ask for: half-kW steps up to 6 kW, then whole ones."""


class PowerLabel:
    """A power level as the reader writes numbers: "4,5 kW" in Italian, "4.5 kW" in English."""

    def __init__(self, kilowatts: Decimal) -> None:
        self.kilowatts = kilowatts

    def __str__(self) -> str:
        number = format_decimal(self.kilowatts) if has_request_context() else str(self.kilowatts)
        return f"{number} kW"


class PowerChangeSchema(Schema):
    """Modifica potenza: a higher or lower contracted power on an electricity supply."""

    supply_point = SupplyPointOfAccount(
        commodity="electricity", required=True, metadata={"label": _("Electricity supply point (POD)")}
    )
    power_kw = LocalizedDecimal(
        required=True,
        validate=validate.OneOf(POWER_LEVELS_KW, error=_("Choose one of the power levels offered.")),
        metadata={
            "label": _("New contracted power"),
            "help": _("Most homes have 3 kW; more power lets you run more appliances at once."),
            "choices": tuple((kw, PowerLabel(kw)) for kw in POWER_LEVELS_KW),
        },
    )
    phone = ItalianPhone(
        required=True,
        metadata={
            "label": _("Phone number for the technician"),
            "autocomplete": "tel",
            "inputmode": "tel",
        },
    )


def has_electricity(account: Any) -> bool:
    """Only accounts with an electricity supply can change its power."""
    return any(getattr(point, "commodity", None) == "electricity" for point in getattr(account, "supply_points", ()))


def power_change_examples(adapter: Any, account: Any) -> list[dict[str, Any]]:
    """The next power level above the contracted one, at the first electricity supply."""
    found = []
    for point in _points(account, "electricity")[:1]:
        current = point.contracted_power_kw or Decimal(0)
        power = next((kw for kw in POWER_LEVELS_KW if kw > current), POWER_LEVELS_KW[-1])
        found.append({"supply_point": point.identifier, "power_kw": float(power), "phone": "333 123 4567"})
    return found


POWER_CHANGE_REQUEST = RequestType(
    code=POWER_CHANGE,
    label=_("Power change"),
    schema=PowerChangeSchema,
    eligible=has_electricity,
    description=_("Raise or lower the contracted power of an electricity supply."),
    examples=power_change_examples,
)


# -------------------------------------------------------------------------
# Deactivation
# -------------------------------------------------------------------------


class DeactivationSchema(Schema):
    """Disattivazione: closing a supply, with the final reading."""

    supply_point = SupplyPointOfAccount(required=True, metadata={"label": _("Supply point (POD or PDR)")})
    deactivation_date = fields.Date(
        required=True,
        validate=validate_future_date,
        metadata={"label": _("Deactivation date")},
    )
    final_reading = _meter_reading_field(_("Final meter reading"))


def deactivation_examples(adapter: Any, account: Any) -> list[dict[str, Any]]:
    """Closing the first supply in two weeks, with a final reading a little above the last one."""
    day = (today_in(TIMEZONE) + dt.timedelta(days=14)).isoformat()
    return [{"supply_point": point.identifier, "deactivation_date": day,
             "final_reading": _meter_state(adapter, account, point, 25)} for point in _points(account)[:1]]


DEACTIVATION_REQUEST = RequestType(
    code=DEACTIVATION,
    label=_("Deactivation of a supply"),
    schema=DeactivationSchema,
    description=_("Close an electricity or gas supply, for example when you move out."),
    examples=deactivation_examples,
)


# -------------------------------------------------------------------------
# Change of holder (voltura)
# -------------------------------------------------------------------------

DOCUMENT_NUMBERS = {
    "identity_card": re.compile(r"^[A-Z]{2}\d{5}[A-Z]{2}$"),
    "paper_identity_card": re.compile(r"^[A-Z]{2}\d{7}$"),
    "passport": re.compile(r"^[A-Z]{2}\d{7}$"),
    "driving_licence": re.compile(r"^(?:[A-Z]{2}\d{7}[A-Z]|U1[A-Z0-9]{7}[A-Z])$"),
}
DOCUMENT_TYPES: tuple[tuple[str, Any], ...] = (
    ("identity_card", _("Electronic identity card (CIE)")),
    ("paper_identity_card", _("Paper identity card")),
    ("passport", _("Passport")),
    ("driving_licence", _("Driving licence")),
)


class VolturaSchema(Schema):
    """Voltura: a new holder takes over a live supply."""

    supply_point = SupplyPointOfAccount(required=True, metadata={"label": _("Supply point (POD or PDR)")})
    new_holder_first_name = _name_field(_("New holder's first name"), "given-name")
    new_holder_last_name = _name_field(_("New holder's surname"), "family-name")
    tax_code = _tax_code_field(
        _("New holder's codice fiscale"),
        _("16 characters, or 11 digits for a company."),
    )
    document_type = choice_field(DOCUMENT_TYPES, label=_("Identity document"), error=_("Choose the type of document."))
    document_number = CodeField(
        required=True,
        validate=validate.Length(min=5, max=12, error=_("Enter the number printed on the document.")),
        metadata={"label": _("Document number"), "autocomplete": "off"},
    )
    meter_reading = _meter_reading_field(_("Meter reading on the day of the handover"))
    iban = CodeField(
        load_default=None,
        validate=validate_iban,
        metadata={
            "label": _("IBAN for direct debit (optional)"),
            "help": _("The new holder's account, if the bills are to be paid by direct debit."),
            "autocomplete": "off",
        },
    )
    email = email_field(required=False, label=_("New holder's e-mail address (optional)"))

    @validates_schema
    def documents_agree(self, data: dict[str, Any], **kwargs: Any) -> None:
        """The document number has its type's format; the codice fiscale fits the name."""
        pattern = DOCUMENT_NUMBERS.get(data.get("document_type", ""))
        number = data.get("document_number")
        if pattern is not None and number and not pattern.match(number):
            raise validation_error(
                _("This number does not have the format of the document chosen: check it on the document."),
                "document_number",
            )
        code = data.get("tax_code", "")
        first, last = data.get("new_holder_first_name"), data.get("new_holder_last_name")
        if len(code) == 16 and first and last and not tax_code_matches_name(code, first, last):
            raise validation_error(_("This codice fiscale does not belong to the new holder's name: check both."), "tax_code")


def voltura_examples(adapter: Any, account: Any) -> list[dict[str, Any]]:
    """A new holder with an identity card takes over the first supply, paying by direct debit."""
    first, last, tax_code = SAMPLE_HOLDER
    return [{"supply_point": point.identifier, "new_holder_first_name": first, "new_holder_last_name": last,
             "tax_code": tax_code, "document_type": "identity_card", "document_number": "CA 00000 AA",
             "meter_reading": _meter_state(adapter, account, point, 5), "iban": SAMPLE_IBAN,
             "email": "manuel.rocca@example.it"} for point in _points(account)[:1]]


VOLTURA_REQUEST = RequestType(
    code=VOLTURA,
    label=_("Change of holder (voltura)"),
    schema=VolturaSchema,
    description=_("A new holder takes over a supply that stays active."),
    steps=(
        RequestStep(_("The new holder"), ("new_holder_first_name", "new_holder_last_name", "tax_code",
                                          "document_type", "document_number")),
        RequestStep(_("The supply and the handover"), ("supply_point", "meter_reading", "iban", "email")),
    ),
    examples=voltura_examples,
)


# -------------------------------------------------------------------------
# Payment in instalments (rateizzazione)
# -------------------------------------------------------------------------

INSTALMENTS = range(2, 13)


class InstalmentPlanSchema(Schema):
    """Rateizzazione: paying one bill in monthly instalments."""

    invoice_number = _invoice_number_field()
    instalments = fields.Integer(
        required=True,
        validate=validate.Range(min=INSTALMENTS.start, max=INSTALMENTS.stop - 1, error=_("Choose from {min} to {max} instalments.")),
        metadata={
            "label": _("Number of monthly instalments"),
            "choices": tuple((n, str(n)) for n in INSTALMENTS),
        },
    )
    reason = text_field(_("Reason (optional)"))


def _open_invoices(adapter: Any, account: Any) -> list[Any]:
    return [i for i in adapter.invoices(account.number) if i.status not in ("paid", "cancelled")]


def instalment_plan_examples(adapter: Any, account: Any) -> list[dict[str, Any]]:
    """Six instalments for the account's newest unpaid bill."""
    return [{"invoice_number": invoice.number, "instalments": 6,
             "reason": "Il conguaglio del riscaldamento è più alto del solito."}
            for invoice in _open_invoices(adapter, account)[:1]]


INSTALMENT_PLAN_REQUEST = RequestType(
    code=INSTALMENT_PLAN,
    label=_("Payment in instalments (rateizzazione)"),
    schema=InstalmentPlanSchema,
    description=_("Ask to pay a bill in monthly instalments."),
    examples=instalment_plan_examples,
)


# -------------------------------------------------------------------------
# Bill correction (rettifica fattura)
# -------------------------------------------------------------------------


class InvoiceCorrectionSchema(Schema):
    """Rettifica fattura: a bill the customer thinks is wrong."""

    invoice_number = _invoice_number_field()
    reason = choice_field(
        {
            "reading": _("Wrong reading or consumption"),
            "price": _("Prices or offer not as agreed"),
            "personal_data": _("Wrong holder, address or tax data"),
            "payment": _("Payment made but not shown"),
            "other": _("Other"),
        },
        label=_("What is wrong"),
        error=_("Choose what is wrong."),
    )
    details = text_field(_("Describe the problem"), required=True, minimum=10, maximum=1000, error=WRITE_BETWEEN)


def invoice_correction_examples(adapter: Any, account: Any) -> list[dict[str, Any]]:
    """The newest bill, with a reading the customer finds wrong."""
    return [{"invoice_number": invoice.number, "reason": "reading",
             "details": "La lettura in bolletta è più alta di quella del contatore."}
            for invoice in adapter.invoices(account.number)[:1]]


INVOICE_CORRECTION_REQUEST = RequestType(
    code=INVOICE_CORRECTION,
    label=_("Bill correction"),
    schema=InvoiceCorrectionSchema,
    description=_("Tell us about a bill you think is wrong."),
    examples=invoice_correction_examples,
)


# -------------------------------------------------------------------------
# Information or complaint
# -------------------------------------------------------------------------


class EnquirySchema(Schema):
    """Informazioni o reclamo."""

    kind = choice_field(
        {
            "information": _("Request for information"),
            "complaint": _("Complaint"),
        },
        label=_("Type of request"),
        error=_("Choose information or complaint."),
    )
    text = text_field(_("Your message"), required=True, minimum=10, maximum=2000, error=WRITE_BETWEEN)


INFORMATION_COMPLAINT_REQUEST = RequestType(
    code=INFORMATION_COMPLAINT,
    label=_("Information or complaint"),
    schema=EnquirySchema,
    description=_("Ask a question or make a complaint to customer service."),
    examples=(
        {"kind": "information", "text": "Vorrei sapere quando arriverà la prossima bolletta del gas."},
        {"kind": "complaint", "text": "Il pagamento del 10 marzo non risulta ancora registrato."},
    ),
)


# -------------------------------------------------------------------------
# Closing the Area Clienti account
# -------------------------------------------------------------------------


class AccountDeletionSchema(Schema):
    """Cancellazione account: closing the Area Clienti login, not the supplies."""

    confirm = _confirmation_field(
        _("I ask to delete my Area Clienti account. My supply contracts stay as they are."),
        _("Tick the box to confirm the deletion."),
    )
    reason = text_field(_("Reason (optional)"))


ACCOUNT_DELETION_REQUEST = RequestType(
    code=ACCOUNT_DELETION,
    label=_("Delete the Area Clienti account"),
    schema=AccountDeletionSchema,
    description=_("Close this login, for example to register again with another e-mail address."),
    examples=({"confirm": True, "reason": "Mi registro di nuovo con un altro indirizzo e-mail."},),
)


# -------------------------------------------------------------------------
# All of them, in the order the portal lists them
# -------------------------------------------------------------------------

REQUEST_TYPES = (
    DIRECT_DEBIT_REQUEST,
    EMAIL_BILL_REQUEST,
    BILLING_ADDRESS_REQUEST,
    POWER_CHANGE_REQUEST,
    DEACTIVATION_REQUEST,
    VOLTURA_REQUEST,
    INSTALMENT_PLAN_REQUEST,
    INVOICE_CORRECTION_REQUEST,
    INFORMATION_COMPLAINT_REQUEST,
    ACCOUNT_DELETION_REQUEST,
)
