"""The transactional outbox: nothing a customer submits is lost when the back-end is down.

A write is stored with an :class:`OutboxMessage` in one transaction. The relay takes one
due message at a time under a row lock (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
several relays never hold the same row), hands it to the adapter with its idempotency key
and records the answer. When the back-end is unreachable the message is retried with
capped exponential backoff and jitter; after ``OUTBOX_MAX_ATTEMPTS`` it is parked for an
operator, never deleted.

Messages that share an ``ordering_key`` (the readings of one meter, the requests of one
account) are delivered in the order they were stored: a message is not due while an older
one with its key is still pending or parked, so retries after an outage cannot overtake.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import aliased

from core.billing.contract import BackendUnavailable, SubmissionResult
from core.extensions import db
from core.models import OutboxMessage, utcnow
from core.tenancy import Tenant

log = logging.getLogger(__name__)

# kind -> (deliver(tenant, message) -> result, apply(message, result) -> None)
Deliverer = Callable[[Tenant, OutboxMessage], SubmissionResult]
Applier = Callable[[OutboxMessage, SubmissionResult], None]
HANDLERS: dict[str, tuple[Deliverer, Applier]] = {}


def handler(kind: str, deliver: Deliverer, apply: Applier) -> None:
    """Register how messages of ``kind`` are delivered and how the answer is recorded."""
    HANDLERS[kind] = (deliver, apply)


def enqueue(kind: str, object_id: int, idempotency_key: str, ordering_key: str | None = None) -> OutboxMessage:
    """Add a message to the current transaction (the caller commits both together)."""
    message = OutboxMessage(kind=kind, object_id=object_id, idempotency_key=idempotency_key,
                            ordering_key=ordering_key)
    db.session.add(message)
    return message


def account_order(account_id: int) -> str:
    """The ordering key of the writes about one billing account (requests, consents, contact data)."""
    return f"account:{account_id}"


def backoff(attempts: int, now: dt.datetime | None = None) -> dt.datetime:
    """When to try again: exponential, capped, with full jitter."""
    base = current_app.config["OUTBOX_BACKOFF_BASE"].total_seconds()
    cap = current_app.config["OUTBOX_BACKOFF_CAP"].total_seconds()
    delay = min(cap, base * 2 ** max(attempts - 1, 0))
    return (now or utcnow()) + dt.timedelta(seconds=random.uniform(delay / 2, delay))  # noqa: S311


@dataclass
class RelayStats:
    delivered: int = 0
    retried: int = 0
    parked: int = 0


def _next_due() -> OutboxMessage | None:
    older = aliased(OutboxMessage)
    waits_for_older = (
        select(older.id)
        .where(older.ordering_key == OutboxMessage.ordering_key, older.id < OutboxMessage.id,
               older.status.in_(("pending", "parked")))
        .exists()
    )
    return db.session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= utcnow(), ~waits_for_older)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).scalar_one_or_none()


def relay(tenant: Tenant, limit: int = 100) -> RelayStats:
    """Deliver up to ``limit`` due messages of ``tenant``, one transaction each."""
    stats = RelayStats()
    for _ in range(limit):
        message = _next_due()
        if message is None:
            db.session.rollback()
            break
        deliver, apply = HANDLERS[message.kind]
        try:
            result = deliver(tenant, message)
        except BackendUnavailable as exc:
            message.attempts += 1
            message.last_error = str(exc)[:2000]
            if message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
                message.status = "parked"
                stats.parked += 1
                log.error("outbox message %s (%s) parked after %d attempts: %s",
                          message.id, message.kind, message.attempts, exc)
            else:
                message.next_attempt_at = backoff(message.attempts)
                stats.retried += 1
            db.session.commit()
            continue
        apply(message, result)
        message.status = "delivered"
        message.attempts += 1
        message.delivered_at = utcnow()
        db.session.commit()
        stats.delivered += 1
    return stats


def requeue_parked(message_ids: list[int] | None = None) -> int:
    """An operator sends parked messages on their way again."""
    query = select(OutboxMessage).where(OutboxMessage.status == "parked")
    if message_ids:
        query = query.where(OutboxMessage.id.in_(message_ids))
    rows = db.session.execute(query).scalars().all()
    for row in rows:
        row.status, row.attempts, row.next_attempt_at = "pending", 0, utcnow()
    db.session.commit()
    return len(rows)
