"""Proving an Italiangas supply is yours: the PIN Registrazione, or the Codice Amministratore.

As in the real Area Clienti, a customer registers with the PIN printed in the welcome
letter and in the "Servizi on line" box of every bill: the PIN alone names the account.
A condominium administrator asks customer service for a Codice Amministratore, which
links every condominium the studio manages in one step.

Both codes end with a check character, so a typo is answered at once as a field error
and does not count as a failed attempt; a well-formed code that matches nothing counts
against the login and against that code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError

from core.plugin_api import IdentityMethod, VerificationOutcome
from core.plugin_api.billing import BillingAdapter
from plugins.italiangas_it.adapter import ItaliangasBackend
from plugins.italiangas_it.i18n import _
from plugins.italiangas_it.identifiers import compact, is_valid_admin_code, is_valid_pin
from plugins.italiangas_it.request_types import CodeField


def validate_pin(value: str) -> None:
    if not is_valid_pin(value):
        raise ValidationError([_("The PIN has 8 letters and digits: check it against your welcome letter or bill.")])


def validate_admin_code(value: str) -> None:
    if not is_valid_admin_code(value):
        raise ValidationError([_("The administrator code starts with AM and has 10 characters: check it.")])


class PinSchema(Schema):
    """The PIN Registrazione, typed with or without spaces, in any case."""

    pin = CodeField(
        required=True,
        validate=validate_pin,
        metadata={
            "label": _("Registration PIN"),
            "help": _(
                "The 8 letters and digits of your PIN Registrazione: you find it in the WELCOME LETTER, "
                "or in the SERVIZI ON LINE box of the PROSPETTO DELLE COMUNICAZIONI of your bill."
            ),
            "autocomplete": "off",
        },
    )


class AdminCodeSchema(Schema):
    """The Codice Amministratore of a condominium administrator's studio."""

    admin_code = CodeField(
        required=True,
        validate=validate_admin_code,
        metadata={
            "label": _("Administrator code"),
            "help": _("10 characters starting with AM, given by customer service to your studio."),
            "autocomplete": "off",
        },
    )


def _backend(adapter: BillingAdapter) -> ItaliangasBackend:
    """Only Italiangas's back-end knows who a PIN or an administrator code belongs to."""
    if not isinstance(adapter, ItaliangasBackend):
        raise TypeError(f"{type(adapter).__name__} is not an Italiangas back-end (ItaliangasBackend)")
    return adapter


def verify_pin(adapter: BillingAdapter, data: Mapping[str, Any]) -> VerificationOutcome:
    """The account the PIN was issued for, if any."""
    number = _backend(adapter).account_for_pin(data["pin"])
    return VerificationOutcome.match(number) if number else VerificationOutcome.no_match()


def verify_admin_code(adapter: BillingAdapter, data: Mapping[str, Any]) -> VerificationOutcome:
    """Every condominium account of the administrator's studio, all at once."""
    numbers = _backend(adapter).accounts_for_admin_code(data["admin_code"])
    return VerificationOutcome.match(*numbers) if numbers else VerificationOutcome.no_match()


def pin_attempt_key(data: Mapping[str, Any]) -> str:
    """The PIN names the account it targets; failures are counted against it."""
    return "pin:" + compact(data.get("pin", ""))


def admin_attempt_key(data: Mapping[str, Any]) -> str:
    return "admin:" + compact(data.get("admin_code", ""))


PIN_METHOD = IdentityMethod(
    code="pin",
    label=_("Registration PIN"),
    schema=PinSchema,
    verify=verify_pin,
    attempt_key=pin_attempt_key,
    help_text=_(
        "Enter the PIN from your welcome letter or from one of your bills to see your supplies, "
        "bills and payments."
    ),
)
ADMIN_CODE_METHOD = IdentityMethod(
    code="admin_code",
    label=_("Administrator code (condominiums)"),
    schema=AdminCodeSchema,
    verify=verify_admin_code,
    attempt_key=admin_attempt_key,
    help_text=_(
        "For condominium administrators: one code links the supplies of every condominium your "
        "studio manages. Ask customer service for it, giving the details of your studio."
    ),
)
IDENTITY_METHODS = (PIN_METHOD, ADMIN_CODE_METHOD)
