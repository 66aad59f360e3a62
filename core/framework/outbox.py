"""The transactional outbox: nothing a customer submits is lost, blocked or dropped.

A write is stored with an :class:`OutboxMessage` in one transaction; each message gets a
globally unique idempotency key (a UUID made once, when it is stored), so a back-end that
outlives a restored or recreated portal database never mistakes a new write for an old
one. Mail goes the same way (kind ``mail``): nothing leaves before the write commits.

Right after a commit the new messages are handed to a worker (:func:`core.framework.jobs.deliver`,
or the same code in process when no broker is set); the relay on beat's schedule takes
whatever is due, so a message whose first try failed is never forgotten.

Every message ends in a state:

``delivered``
    the back-end took it (its answer, accepted or not, is recorded on the customer's row);
``rejected``
    the back-end turned it down for good (:class:`SubmissionRefused` or a rejected
    answer): the customer sees the reason in their language, by its code;
``pending``
    waiting for its next attempt: an unreachable back-end or any unexpected error counts
    as an attempt, with capped exponential backoff and jitter; once the back-end answers
    again, whatever waited only because it was down is due at once;
``parked``
    after ``OUTBOX_MAX_ATTEMPTS`` attempts: kept for an operator (``portal outbox list``,
    ``portal outbox requeue``), never deleted.

Ordering: messages that share an ``ordering_key`` (the readings of one meter, the writes
about one account) are delivered in the order they were stored. A message is not due
while an older one with its key is ``pending`` or ``parked``; a ``delivered`` or
``rejected`` one no longer holds the rest back. So the ones behind a refused message go
on, in order; the ones behind a parked message wait until an operator requeues it.

Leasing: a relay leases a few due messages at a time in one statement (``FOR UPDATE
SKIP LOCKED`` on PostgreSQL, then the lease is written into ``next_attempt_at``), and
delivers each in its own transaction without holding a lock during the call. Several
relays never take the same message; a relay killed mid-batch leaves its messages due
again when the lease ends (``OUTBOX_LEASE``), and the back-end applies a repeated key once.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import Integer, Update, bindparam, event, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from core.billing.contract import (
    AccountNotFound,
    BackendUnavailable,
    SubmissionRefused,
    SubmissionResult,
    SubmissionStatus,
)
from core.framework.extensions import db
from core.framework.tenancy import Tenant
from core.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)

PENDING, DELIVERED, REJECTED, PARKED = "pending", "delivered", "rejected", "parked"
STATUSES = (PENDING, DELIVERED, REJECTED, PARKED)
MAIL = "mail"
UNAVAILABLE = "unavailable: "
UNREACHABLE = "unreachable"
"""How the last error of a message starts when its back-end could not be reached."""
PULL_FORWARD_EVERY = 5.0  # seconds

def handlers() -> dict[str, Any]:
    """Each message kind's :class:`~core.plugin_api.OutboxHandler`, from the ``portal_outbox_handlers`` hooks."""
    return current_app.extensions["portal_outbox_handlers"]


def new_submission_key() -> str:
    """A write's idempotency key, put in the form when it is shown: a double submit carries
    the same key, and the unique key stores the write once."""
    return secrets.token_urlsafe(24)


def enqueue(kind: str, object_id: int, ordering_key: str | None = None) -> OutboxMessage:
    """Add a message to the current transaction (the caller commits both together).

    Its idempotency key is made here, once, and travels with every attempt.
    """
    message = OutboxMessage(kind=kind, object_id=object_id, idempotency_key=str(uuid.uuid4()),
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
    claimed: int = 0
    delivered: int = 0
    rejected: int = 0
    retried: int = 0
    parked: int = 0

    def add(self, other: RelayStats) -> None:
        for name in ("claimed", "delivered", "rejected", "retried", "parked"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _due(candidate):
    """Messages of ``candidate`` (an alias) due at ``:now`` and not waiting for an older one of
    their key.

    "The oldest waiting message of its key" is a correlated ``min(id)``: evaluated row by
    row through ``ix_outbox_message_waiting``, whatever the planner's statistics say (a
    join here turns quadratic on a large backlog the planner has not counted yet).
    """
    older = aliased(OutboxMessage)
    oldest_waiting = (
        select(func.min(older.id))
        .where(older.tenant == candidate.tenant, older.ordering_key == candidate.ordering_key,
               older.status.in_((PENDING, PARKED)))
        .scalar_subquery()
    )
    return select(candidate.id).where(
        candidate.status == PENDING, candidate.next_attempt_at <= bindparam("now"),
        or_(candidate.ordering_key.is_(None), candidate.id == oldest_waiting),
    )


@cache
def _lease_statement(only: bool, skip: frozenset[bool]) -> Update:
    """The lease, built once per variant (building it cost more than running it): ``:now``,
    ``:lease_until``, ``:limit`` and, with ``only``, the expanding ``:only`` are its parameters."""
    candidate = aliased(OutboxMessage)
    due = _due(candidate)
    if only:
        due = due.where(candidate.id.in_(bindparam("only", expanding=True)))
    for mail in skip:
        due = due.where(candidate.kind != MAIL if mail else candidate.kind == MAIL)
    due = (due.order_by(candidate.id).limit(bindparam("limit", type_=Integer))
           .with_for_update(skip_locked=True).cte("due"))
    return (
        update(OutboxMessage)
        .where(OutboxMessage.id == due.c.id, OutboxMessage.status == PENDING)
        .values(next_attempt_at=bindparam("lease_until"))
        .returning(OutboxMessage.id, OutboxMessage.kind)
        .execution_options(synchronize_session=False)
    )


def lease(limit: int, only: Iterable[int] | None = None, skip: frozenset[bool] = frozenset()) -> list[tuple[int, str]]:
    """Lease up to ``limit`` due messages of the current tenant, oldest first; their ids and kinds.

    One statement, ``WITH due AS (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED) UPDATE ...
    FROM due RETURNING``: the candidates are chosen once and locked, so two relays never
    lease the same message, on PostgreSQL and SQLite alike (an ``IN (subquery)`` instead
    may be evaluated again for every row on PostgreSQL). ``only`` restricts the lease to
    those messages (the ones a write just stored); ``skip`` leaves out channels found down
    (``True`` for mail, ``False`` for the back-end).
    """
    now = utcnow()
    parameters: dict[str, Any] = {"now": now, "lease_until": now + current_app.config["OUTBOX_LEASE"], "limit": limit}
    if only is not None:
        parameters["only"] = list(only)
    rows = db.session.execute(_lease_statement(only is not None, skip), parameters).all()
    db.session.commit()
    return sorted((message_id, kind) for message_id, kind in rows)


def deliver_one(tenant: Tenant, message_id: int) -> str | None:
    """Deliver one claimed message in its own transaction: ``"delivered"``, ``"rejected"``,
    ``"retried"``, ``"unreachable"`` (retried: its back-end or mail server did not answer)
    or ``"parked"`` (``None`` when another relay already finished it).

    Whatever goes wrong, the message reaches a state and the caller moves on.
    """
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status != PENDING:
        db.session.rollback()
        return None
    try:
        handler = handlers()[message.kind]
        try:
            result = handler.deliver(tenant, message)
        except SubmissionRefused as refusal:
            result = SubmissionResult.rejected(refusal.code, refusal.detail)
        except AccountNotFound:
            result = SubmissionResult.rejected("account_unknown")
        handler.apply(message, result)
    except Exception as exc:  # noqa: BLE001 - unreachable back-end, malformed answer, a handler's bug alike
        db.session.rollback()
        return _failed(message_id, exc)
    message.attempts += 1
    message.delivered_at = utcnow()
    if result.status == SubmissionStatus.ACCEPTED:
        message.status = DELIVERED
    else:
        message.status = REJECTED
        message.last_error = f"rejected: {result.reason_code or '-'}: {result.reason or ''}"[:2000]
    kind = message.kind
    db.session.commit()
    _back_again(tenant, kind)
    return message.status


_pulled_forward: dict[tuple[str, bool], float] = {}


def _back_again(tenant: Tenant, kind: str) -> None:
    """The back-end answered: what waits for a retry only because it was down is due now.

    Without this, a message whose tries fell into a long outage would wait out its backoff
    (up to ``OUTBOX_BACKOFF_CAP``) after the back-end is back. Mail has its own server, so
    it counts apart. Checked at most every few seconds per process.
    """
    channel = (tenant.code, kind == MAIL)
    now = time.monotonic()
    if now - _pulled_forward.get(channel, 0.0) < PULL_FORWARD_EVERY:
        return
    _pulled_forward[channel] = now
    same_channel = OutboxMessage.kind == MAIL if kind == MAIL else OutboxMessage.kind != MAIL
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at > utcnow(),
               OutboxMessage.last_error.startswith(UNAVAILABLE), same_channel)
        .values(next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _failed(message_id: int, exc: Exception) -> str:
    """Count the attempt; try again after a while, or park after too many."""
    message = db.session.get_one(OutboxMessage, message_id)
    message.attempts += 1
    cause = UNAVAILABLE if isinstance(exc, BackendUnavailable) else f"{exc.__class__.__name__}: "
    message.last_error = f"{cause}{exc}"[:2000]
    if message.attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        message.status = PARKED
        log.error("outbox message %s (%s) parked after %d attempts: %s",
                  message.id, message.kind, message.attempts, message.last_error)
    else:
        message.next_attempt_at = backoff(message.attempts)
        level = logging.WARNING if isinstance(exc, BackendUnavailable) else logging.ERROR
        log.log(level, "outbox message %s (%s) attempt %d failed: %s", message.id, message.kind,
                message.attempts, message.last_error, exc_info=not isinstance(exc, BackendUnavailable))
    db.session.commit()
    if message.status == PARKED:
        return PARKED
    return UNREACHABLE if isinstance(exc, BackendUnavailable) else "retried"


def _release(message_ids: list[int]) -> None:
    """Give leased messages back untried: due again at once, no attempt counted."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == PENDING)
        .values(next_attempt_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def relay(tenant: Tenant, limit: int = 100, only: Iterable[int] | None = None, claim: int | None = None) -> RelayStats:
    """Deliver up to ``limit`` due messages of ``tenant``, claimed ``claim`` at a time.

    A batch holds at most one message per ordering key (the oldest waiting); once it is
    delivered the next of that key is due, so one call delivers a meter's readings in
    order. Messages that failed wait for their retry: when nothing is due, it returns.

    Once the back-end (or the mail server) does not answer, the call stops knocking: the
    rest of its batch for that channel goes back untried, due at once for the next relay,
    and the call goes on with the other channel only. A back-end that hangs up to its
    timeout then costs one timeout per call, not one per message, and mail is never held
    up behind a back-end that is down.
    """
    stats = RelayStats()
    down: set[bool] = set()  # the channels (is it mail?) that did not answer in this call
    while stats.claimed < limit and len(down) < 2:
        claimed = lease(min(limit - stats.claimed, claim or limit), only, frozenset(down))
        if not claimed:
            break
        stats.claimed += len(claimed)
        untried = []
        for message_id, kind in claimed:
            if (kind == MAIL) in down:
                untried.append(message_id)
                continue
            outcome = deliver_one(tenant, message_id)
            if outcome == UNREACHABLE:
                down.add(kind == MAIL)
                outcome = "retried"
            if outcome is not None:
                setattr(stats, outcome, getattr(stats, outcome) + 1)
        if untried:
            _release(untried)
            stats.claimed -= len(untried)
    return stats


def drain(tenant: Tenant, batch: int = 100) -> RelayStats:
    """Relay batch after batch until nothing of ``tenant`` is due (in process, for the CLI)."""
    total = RelayStats()
    while True:
        stats = relay(tenant, batch)
        total.add(stats)
        if stats.claimed < batch:
            return total


def requeue_parked(message_ids: list[int] | None = None) -> int:
    """An operator sends parked messages on their way again."""
    query = select(OutboxMessage).where(OutboxMessage.status == PARKED)
    if message_ids:
        query = query.where(OutboxMessage.id.in_(message_ids))
    rows = db.session.execute(query).scalars().all()
    for row in rows:
        row.status, row.attempts, row.next_attempt_at = PENDING, 0, utcnow()
    db.session.commit()
    return len(rows)


# --- after commit: hand the new messages to a worker ------------------------------------

NEW = "outbox_new"
Dispatcher = Callable[[dict[str, list[int]]], None]
_dispatchers: list[Dispatcher] = []


def on_commit(dispatch: Dispatcher) -> None:
    """Call ``dispatch({tenant: [message ids]})`` after every commit that stored messages."""
    _dispatchers.append(dispatch)


@event.listens_for(Session, "after_flush")
def _remember_new(session: Session, flush_context) -> None:
    for obj in session.new:
        if isinstance(obj, OutboxMessage):
            session.info.setdefault(NEW, {}).setdefault(obj.tenant, []).append(obj.id)


@event.listens_for(Session, "after_commit")
def _dispatch_new(session: Session) -> None:
    new = session.info.pop(NEW, None)
    if not new:
        return
    for dispatch in _dispatchers:
        try:
            dispatch(new)
        except Exception:  # noqa: BLE001 - the messages are safe; the schedule takes them
            log.exception("could not hand new outbox messages to a worker")


@event.listens_for(Session, "after_rollback")
def _forget_new(session: Session) -> None:
    session.info.pop(NEW, None)
