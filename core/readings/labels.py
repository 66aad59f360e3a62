"""What a customer reads for a meter reading's stored status, source and value."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p

STATUS_LABELS = {
    "received": _p("meter reading", "received"),
    "accepted": _p("meter reading", "accepted by the supplier"),
    "rejected": _p("meter reading", "rejected"),
    "review": _p("meter reading", "under review"),
    "recorded": _p("meter reading", "on record"),
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

