"""What a customer reads for an invoice's stored status."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "paid": _l("paid"),
    "unpaid": _l("unpaid"),
    "partially_paid": _l("partially paid"),
    "overdue": _l("overdue"),
    "cancelled": _l("cancelled"),
}


def invoice_status_label(status: str) -> str:
    """An invoice's status in the customer's language (a template global)."""
    return str(STATUS_LABELS.get(status, status))
