"""Proving an innogy account is yours with data printed on one of your invoices.

As in "Moje innogy": the customer number plus the number and gross amount of a recent
invoice. Someone who only knows a customer number (it appears on letters and envelopes)
cannot link the account without also holding a recent invoice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, fields, pre_load, validate

from core.plugin_api import (
    IdentityMethod,
    LocalizedDecimal,
    account_attempt_key,
    account_number_field,
    account_verifier,
)
from core.plugin_api.billing import InvoiceRecord
from plugins.innogy_pl.adapter import IDENTITY_INVOICES
from plugins.innogy_pl.i18n import _

CUSTOMER_NUMBER_DIGITS = 10


class InvoiceIdentitySchema(Schema):
    """Customer number, invoice number and gross amount, as printed on the invoice."""

    customer_number = account_number_field(
        _("Customer number"), _("Ten digits, printed at the top of every invoice."), CUSTOMER_NUMBER_DIGITS
    )
    invoice_number = fields.String(
        required=True,
        validate=validate.Length(min=1, max=32, error=_("Enter the invoice number as printed.")),
        metadata={
            "label": _("Invoice number"),
            "help": _("For example F/2026/10/000123, from one of your last six invoices."),
            "autocomplete": "off",
        },
    )
    gross_amount = LocalizedDecimal(
        required=True,
        places=2,
        validate=validate.Range(min=0, min_inclusive=False, error=_("Enter the amount of the invoice.")),
        metadata={
            "label": _("Gross amount of the invoice"),
            "help": _("The total to pay including VAT, for example 123,45."),
            "inputmode": "decimal",
            "autocomplete": "off",
        },
    )

    @pre_load
    def tidy_invoice_number(self, data: Any, **kwargs: Any) -> Any:
        """Invoice numbers are printed in capitals; people type them with spaces."""
        if isinstance(data, Mapping) and isinstance(data.get("invoice_number"), str):
            data = dict(data)
            data["invoice_number"] = "".join(data["invoice_number"].split()).upper()
        return data


def shows_the_invoice(data: Mapping[str, Any], invoices: list[InvoiceRecord]) -> bool:
    """A match needs one of the account's recent invoices with that number and amount; the
    outcome never says which of the three was wrong."""
    recent = sorted(invoices, key=lambda i: i.issued_on, reverse=True)[:IDENTITY_INVOICES]
    return any(invoice.number == data["invoice_number"] and invoice.gross.amount == data["gross_amount"]
               for invoice in recent)


INVOICE_METHOD = IdentityMethod(
    code="invoice",
    label=_("Customer number and invoice data"),
    schema=InvoiceIdentitySchema,
    verify=account_verifier("customer_number", "invoices", shows_the_invoice),
    attempt_key=account_attempt_key("customer_number"),
    help_text=_(
        "Take one of your last six invoices from innogy and copy the customer number, "
        "the invoice number and the gross amount."
    ),
)
