"""What a customer reads for the stored status of a write to the supplier (a request, a
consent, a contact change)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "received": _l("received"),
    "accepted": _l("accepted by the supplier"),
    "completed": _l("completed"),
    "rejected": _l("rejected"),
}


def request_status_label(status: str) -> str:
    """A request's status in the customer's language (a template global)."""
    return str(STATUS_LABELS.get(status, status))
