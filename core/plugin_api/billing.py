"""The billing back-end contract: what a supplier's adapter implements and returns.

An adapter subclasses :class:`BillingAdapter`; its methods return the records below, with
money as :class:`Money` (``Decimal`` and a currency) and aware datetimes. It raises
:class:`BackendUnavailable` when the back-end cannot be reached (the portal retries) and
:class:`SubmissionRefused` when the back-end turns a submission down (the customer is told).
:class:`InvoiceLabels`, :class:`InvoiceLine`, :class:`InvoiceReading` and :class:`SellerDetails`
describe the invoice PDF in the supplier's words.
"""

from __future__ import annotations

from core.billing import contract
from core.billing.contract import *  # noqa: F403 - the whole contract, as its __all__ names it
from core.billing.pdf import InvoiceLabels, InvoiceLine, InvoiceReading, SellerDetails

__all__ = [*contract.__all__, "InvoiceLabels", "InvoiceLine", "InvoiceReading", "SellerDetails"]
