"""What most identity methods check the same way: that the account typed exists and what
its back-end holds (its invoices, its supply points) matches what the customer typed.

A plugin writes only its own comparison; the look-up, the unknown account and the
counting of attempts per account are here (public as ``core.plugin_api``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from core.billing.contract import AccountNotFound, BillingAdapter
from core.framework.descriptions import VerificationOutcome
from core.framework.fields import DigitString
from core.framework.identifiers import normalize_digits

Held = TypeVar("Held")


def verify_account_holds(
    adapter: BillingAdapter,
    account_number: str,
    held: Callable[[str], Held],
    matches: Callable[[Held], bool],
    not_found: Any = None,
) -> VerificationOutcome:
    """Whether the data typed for ``account_number`` prove it, as an identity method's ``verify`` answers.

    ``held(account_number)`` fetches what the data are compared with (for example
    ``adapter.invoices``); ``matches(held)`` compares them. An account the back-end does not
    know is no match, answered with ``not_found`` (the supplier's wording, or ``None`` for
    the core's); data that do not match get the core's answer. It never says which field
    was wrong; ``BackendUnavailable`` passes through.
    """
    if adapter.find_account(account_number) is None:
        return VerificationOutcome.no_match(message=not_found)
    try:
        found = held(account_number)
    except AccountNotFound:
        return VerificationOutcome.no_match(message=not_found)
    return VerificationOutcome.match(account_number) if matches(found) else VerificationOutcome.no_match()


def account_verifier(
    account_field: str,
    held: str,
    matches: Callable[[Mapping[str, Any], Any], bool],
    not_found: Any = None,
) -> Callable[[BillingAdapter, Mapping[str, Any]], VerificationOutcome]:
    """An identity method's ``verify`` that proves the account typed in ``account_field`` by
    what its back-end holds: ``held`` names the adapter's method that fetches it for the
    account (``"invoices"``, ``"supply_points"``), and ``matches(data, found)`` compares it
    with the data typed. The rest is :func:`verify_account_holds`'s, ``not_found`` included."""

    def verify(adapter: BillingAdapter, data: Mapping[str, Any]) -> VerificationOutcome:
        return verify_account_holds(
            adapter,
            data[account_field],
            getattr(adapter, held),
            lambda found: matches(data, found),
            not_found,
        )

    return verify


def account_number_field(label: Any, help_text: Any, digits: int) -> DigitString:
    """The identity form's field for the account's number as printed: exactly ``digits``
    digits (spaces and dashes dropped), required, typed on a numeric keypad and never
    filled in by the browser; ``label`` and ``help_text`` are the plugin's lazy strings."""
    return DigitString(
        required=True,
        length=digits,
        metadata={"label": label, "help": help_text, "inputmode": "numeric", "autocomplete": "off"},
    )


def account_attempt_key(field_name: str) -> Callable[[Mapping[str, Any]], str]:
    """An identity method's ``attempt_key``: the digits typed in ``field_name``, the account
    number the attempt targets, so that failures count against that account."""

    def attempt_key(data: Mapping[str, Any]) -> str:
        return normalize_digits(data.get(field_name, ""))

    return attempt_key
