"""What a customer reads for the stored status of a write to the supplier (a request, a
consent, a contact change)."""

from __future__ import annotations

from flask_babel import lazy_pgettext as _p

STATUS_LABELS = {
    "received": _p("request", "received"),
    "accepted": _p("request", "accepted by the supplier"),
    "completed": _p("request", "completed"),
    "rejected": _p("request", "rejected"),
}


def request_status_label(status: str) -> str:
    """A request's status in the customer's language (a template global)."""
    return str(STATUS_LABELS.get(status, status))
