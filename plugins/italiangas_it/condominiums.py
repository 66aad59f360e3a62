"""One operation for all the condominiums of an administrator.

The Area Clienti lets a condominium administrator update the billing address of every
condominium, or switch them all to bills by e-mail, in one go. The back-end takes one
request per account, so each account gets its own request with an idempotency key
derived from the operation's key and the account number: running the same operation
again (a double click, a retry after the back-end went down half-way) applies nothing
twice, and the accounts that were missed the first time are done the second.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from core.billing.contract import BillingAdapter, RequestSubmission, SubmissionResult
from plugins.italiangas_it.request_types import (
    BILLING_ADDRESS,
    EMAIL_BILL,
    BillingAddressSchema,
    EmailBillSchema,
)


def account_key(idempotency_key: str, account_number: str) -> str:
    """The idempotency key of one account's part of a bulk operation."""
    return f"{idempotency_key}:{account_number}"


def submit_for_all(
    adapter: BillingAdapter,
    account_numbers: Iterable[str],
    request_type: str,
    data: Mapping[str, Any],
    idempotency_key: str,
) -> dict[str, SubmissionResult]:
    """Submit the same request for every account, once each; results by account number.

    A :class:`~core.billing.contract.BackendUnavailable` stops the run and propagates;
    calling again with the same key completes it without repeating what went through.
    """
    numbers = list(dict.fromkeys(number.strip() for number in account_numbers))
    if not numbers:
        raise ValueError("no account to submit the request for")
    if not idempotency_key:
        raise ValueError("an idempotency key is required")
    return {
        number: adapter.submit_request(
            RequestSubmission(account_number=number, request_type=request_type, data=dict(data)),
            account_key(idempotency_key, number),
        )
        for number in numbers
    }


def update_billing_address_for_all(
    adapter: BillingAdapter,
    account_numbers: Iterable[str],
    address: Mapping[str, Any],
    idempotency_key: str,
) -> dict[str, SubmissionResult]:
    """Send every condominium's bills to one address (often the administrator's studio).

    ``address`` is the form data of the billing-address request; it is validated first,
    so a bad address raises :class:`marshmallow.ValidationError` before anything is sent.
    """
    data = BillingAddressSchema().load(dict(address))
    return submit_for_all(adapter, account_numbers, BILLING_ADDRESS, data, idempotency_key)


def activate_email_bills_for_all(
    adapter: BillingAdapter,
    account_numbers: Iterable[str],
    email_bill: Mapping[str, Any],
    idempotency_key: str,
) -> dict[str, SubmissionResult]:
    """Switch every condominium to bills by e-mail.

    ``email_bill`` is the form data of the e-mail bill request (the address and the
    administrator's consent), validated before anything is sent.
    """
    data = EmailBillSchema().load(dict(email_bill))
    return submit_for_all(adapter, account_numbers, EMAIL_BILL, data, idempotency_key)
