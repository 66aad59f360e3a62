"""Why a supplier turned a customer's write down, in the customer's language.

A back-end refuses with a stable reason code (:class:`core.billing.contract.SubmissionRefused`
or a rejected :class:`~core.billing.contract.SubmissionResult`); the portal stores the code on
the customer's row and shows the sentence for it here, translated. The back-end's own words
(often in another language, or technical) stay in the outbox for staff and never reach a page.
A supplier plugin adds its own codes with :func:`core.hookspecs.portal_rejection_reasons`; a
code nobody knows reads as the general sentence.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from core.billing.contract import SubmissionResult
from core.framework.tenancy import current_tenant

UNSPECIFIED = "unspecified"

REASONS: dict[str, Any] = {
    UNSPECIFIED: _l("The supplier did not accept it. Our customer service can tell you why."),
    "account_unknown": _l("The supplier does not know this customer account."),
    "account_closed": _l("This customer account is closed."),
    "invalid_submission": _l("The supplier could not read what was sent. Please send it again or contact us."),
    "supply_point_unknown": _l("The supply point does not belong to this customer account."),
    "readings_not_accepted": _l("The distribution system operator does not take readings from customers "
                                "for this supply point."),
    "meter_unknown": _l("No meter with this number is installed at the supply point."),
    "registers_incomplete": _l("A reading needs a value for each register of the meter."),
    "value_invalid": _l("A value of the reading is not valid."),
    "reading_older_than_recorded": _l("A newer reading of this meter is already on record."),
    "reading_lower_than_recorded": _l("The value is lower than the reading on record."),
    "reading_date_invalid": _l("The reading date is not valid."),
    "request_type_unknown": _l("The supplier does not handle this kind of request."),
    "payment_invalid": _l("The amount or currency of the payment is not valid."),
    "invoice_unknown": _l("There is no such invoice on this customer account."),
}


def code_of(result: SubmissionResult) -> str:
    """The reason code to store for a rejected answer."""
    return result.reason_code or UNSPECIFIED


def reasons(tenant: Any) -> dict[str, Any]:
    """The core's reasons, with the tenant's plugin's own codes (which may reword the core's)."""
    merged = dict(REASONS)
    for extra in tenant.hook.portal_rejection_reasons(tenant=tenant):
        merged.update(extra or {})
    return merged


def rejection_message(code: str | None) -> str:
    """The sentence a customer reads for a reason code (any unknown code: the general one)."""
    if not code:
        return ""
    tenant = current_tenant(default=None)
    known = reasons(tenant) if tenant is not None else REASONS
    return str(known.get(code) or known[UNSPECIFIED])
