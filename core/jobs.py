"""Background work. The embedded default runs it in the web process, right after the write
that needs it, so a fresh machine needs no broker."""

from __future__ import annotations

import logging

from flask import current_app

from core import outbox
from core.tenancy import Tenant

log = logging.getLogger(__name__)


def deliver_pending(tenant: Tenant) -> None:
    """Hand the tenant's pending outbox messages to its back-end."""
    if current_app.config["JOBS_MODE"] != "inline":
        return
    try:
        outbox.relay(tenant, limit=20)
    except Exception:  # noqa: BLE001 - the write is safe in the outbox; the relay retries later
        log.exception("inline relay failed for tenant %s", tenant.code)
