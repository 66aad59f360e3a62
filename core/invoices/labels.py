"""What a customer reads for an invoice's kind and stored status."""

from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "paid": _l("paid"),
    "unpaid": _l("unpaid"),
    "partially_paid": _l("partially paid"),
    "overdue": _l("overdue"),
    "cancelled": _l("cancelled"),
}


KIND_LABELS = {
    "regular": _l("Invoice"),
    "forecast": _l("Invoice on estimated consumption"),
}


def invoice_kind_label(invoice) -> str:
    """What the customer calls this kind of invoice: the supplier's word for its own kinds
    (:attr:`SupplierInfo.invoice_kinds`), else the core's; a template global."""
    kinds = {**KIND_LABELS, **g.tenant.supplier.invoice_kinds}
    return str(kinds.get(invoice.kind) or KIND_LABELS["regular"])


def invoice_status_label(status: str) -> str:
    """An invoice's status in the customer's language (a template global)."""
    return str(STATUS_LABELS.get(status, status))
