"""What a customer reads for a meter reading's stored status, source and value."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "received": _l("received"),
    "accepted": _l("accepted by the supplier"),
    "rejected": _l("rejected"),
    "review": _l("under review"),
    "recorded": _l("on record"),
}
SOURCE_LABELS = {
    "customer": _l("your reading"),
    "operator": _l("read by the operator"),
    "estimate": _l("estimate"),
}


def reading_status_label(status: str) -> str:
    """A reading's status in the customer's language (a template global)."""
    return str(STATUS_LABELS.get(status, status))


def reading_source_label(source: str) -> str:
    """Who took a reading, in the customer's language (a template global)."""
    return str(SOURCE_LABELS.get(source, source))

