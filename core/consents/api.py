"""The API's consents: what is in force, and switching e-invoices and marketing, with the
same routines as the consents page. Until the customer accepts new terms in the portal,
the whole API refuses to answer."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.api.base import ApiEndpoints, ApiError, json_body, load, validation_failed
from core.consents.schemas import ConsentsSchema, EInvoiceInput, MarketingInput
from core.consents.service import (
    e_invoice_offered,
    e_invoice_states,
    marketing_consent,
    set_e_invoice,
    set_marketing,
    terms_outdated,
)
from core.framework.ownership import linked_accounts

endpoints = ApiEndpoints()
CONSENTS = _l("Consents")


@endpoints.token_check
def current_terms_accepted(user: Any) -> None:
    """As on the web: nothing before the new terms are accepted."""
    if terms_outdated(user):
        raise ApiError(403, _l("The terms of service have changed: accept them in the portal first."),
                       code="terms_not_accepted")


def _consents() -> dict[str, Any]:
    return ConsentsSchema().dump({
        "terms": {"version": current_app.config["TERMS_VERSION"], "accepted": not terms_outdated(current_user),
                  "terms_version": current_user.terms_version, "terms_accepted_at": current_user.terms_accepted_at},
        "marketing": marketing_consent(current_user),
        "e_invoice": e_invoice_states(current_user) if e_invoice_offered(g.tenant) else None,
    })


@endpoints.operation("/consents", summary=_l("Your consents"), tag=CONSENTS, response=ConsentsSchema)
def consents():
    return _consents()


@endpoints.operation("/consents/marketing", "PUT", summary=_l("Agree to offers, or withdraw"), tag=CONSENTS,
                     body=MarketingInput, response=ConsentsSchema, write=True)
def put_marketing():
    set_marketing(current_user, load(MarketingInput, json_body())["granted"])
    return _consents()


@endpoints.operation(
    "/consents/e-invoice", "PUT", summary=_l("Switch e-invoices on or off"), tag=CONSENTS, body=EInvoiceInput,
    response=ConsentsSchema, write=True, errors=(404,),
    description=_l("Each account whose bills are not yet sent that way gets a change on its way to the supplier; "
                   "accounts already as asked are left alone."))
def put_e_invoice():
    if not e_invoice_offered(g.tenant):
        raise ApiError(404)
    body = load(EInvoiceInput, json_body())
    accounts = linked_accounts(current_user)
    if body["accounts"] is not None:
        by_number = {account.number: account for account in accounts}
        unknown = [number for number in body["accounts"] if number not in by_number]
        if unknown or not body["accounts"]:
            raise validation_failed({"accounts": [_("Choose among your customer accounts.")]})
        accounts = [by_number[number] for number in dict.fromkeys(body["accounts"])]
    set_e_invoice(current_user, accounts, body["enabled"])
    return _consents()
