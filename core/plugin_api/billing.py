"""The billing back-end contract: what a supplier's adapter implements and returns.

An adapter subclasses :class:`BillingAdapter`; its methods return the records below, with
money as :class:`Money` (``Decimal`` and a currency) and aware datetimes. It raises
:class:`BackendUnavailable` when the back-end cannot be reached (the portal retries) and
:class:`SubmissionRefused` when the back-end turns a submission down (the customer is told).
:class:`InvoiceLabels` and :class:`InvoiceLine` describe the invoice PDF in the supplier's words.
"""

from __future__ import annotations

from core.billing.contract import (
    PAYMENT_NOTIFICATION,
    AccountNotFound,
    AccountRecord,
    AccountSnapshot,
    Address,
    BackendUnavailable,
    BillingAdapter,
    ChangeBatch,
    Commodity,
    InvoiceRecord,
    InvoiceStatus,
    MeterRecord,
    Money,
    PaymentNotification,
    PaymentRecord,
    ReadingRecord,
    ReadingSource,
    ReadingSubmission,
    RequestSubmission,
    SubmissionRefused,
    SubmissionResult,
    SubmissionStatus,
    SupplyPointRecord,
    latest_values,
    require_aware,
)
from core.billing.pdf import InvoiceLabels, InvoiceLine

__all__ = [
    "BillingAdapter",
    "BackendUnavailable",
    "AccountNotFound",
    "SubmissionRefused",
    "Money",
    "Commodity",
    "InvoiceStatus",
    "ReadingSource",
    "Address",
    "MeterRecord",
    "SupplyPointRecord",
    "AccountRecord",
    "InvoiceRecord",
    "PaymentRecord",
    "ReadingRecord",
    "AccountSnapshot",
    "ChangeBatch",
    "SubmissionStatus",
    "SubmissionResult",
    "ReadingSubmission",
    "RequestSubmission",
    "PaymentNotification",
    "PAYMENT_NOTIFICATION",
    "require_aware",
    "latest_values",
    "InvoiceLabels",
    "InvoiceLine",
]
