"""Linking a billing account to a login after the customer proves it is theirs.

Failed attempts are counted per user and per billing account; either reaching the limit
locks further attempts for a while. The answer never says which field was wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from core.billing.contract import BackendUnavailable
from core.extensions import db
from core.models import AccountLink, BillingAccount, User, VerificationAttempt, utcnow
from core.supplier import IdentityMethod
from core.sync import import_account
from core.tenancy import Tenant


class LinkOutcome:
    LINKED = "linked"
    ALREADY_YOURS = "already_yours"
    LINKED_ELSEWHERE = "linked_elsewhere"
    NO_MATCH = "no_match"
    LOCKED = "locked"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class LinkResult:
    outcome: str
    account: BillingAccount | None = None


def is_locked(user: User, account_key: str) -> bool:
    window_start = utcnow() - current_app.config["VERIFICATION_LOCKOUT"]
    failures = db.session.execute(
        select(
            func.count().filter(VerificationAttempt.user_id == user.id),
            func.count().filter(VerificationAttempt.account_key == account_key),
        ).where(
            VerificationAttempt.succeeded.is_(False),
            VerificationAttempt.created_at >= window_start,
            or_(VerificationAttempt.user_id == user.id, VerificationAttempt.account_key == account_key),
        )
    ).one()
    limit = current_app.config["VERIFICATION_MAX_FAILURES"]
    return failures[0] >= limit or failures[1] >= limit


def _record(user: User, method: IdentityMethod, key: str, succeeded: bool) -> None:
    db.session.add(
        VerificationAttempt(user_id=user.id, account_key=key, method=method.code, succeeded=succeeded)
    )


def link_account(tenant: Tenant, user: User, method: IdentityMethod, data: Mapping[str, Any]) -> LinkResult:
    """Verify ``data`` with ``method`` and link the account it proves; commits."""
    key = method.attempt_key(data)[:64]
    if is_locked(user, key):
        return LinkResult(LinkOutcome.LOCKED)
    try:
        verdict = method.verify(tenant.adapter, data)
    except BackendUnavailable:
        return LinkResult(LinkOutcome.UNAVAILABLE)
    _record(user, method, key, verdict.matched)
    if not verdict.matched:
        db.session.commit()
        return LinkResult(LinkOutcome.NO_MATCH)

    existing = db.session.execute(
        select(AccountLink).join(BillingAccount).where(BillingAccount.number == verdict.account_number)
    ).scalar_one_or_none()
    if existing is not None:
        db.session.commit()
        if existing.user_id == user.id:
            return LinkResult(LinkOutcome.ALREADY_YOURS, existing.account)
        return LinkResult(LinkOutcome.LINKED_ELSEWHERE)
    try:
        account = import_account(tenant, verdict.account_number)
        db.session.add(AccountLink(user_id=user.id, account_id=account.id, method=method.code))
        db.session.commit()
    except BackendUnavailable:
        db.session.rollback()
        return LinkResult(LinkOutcome.UNAVAILABLE)
    except IntegrityError:  # linked by someone else a moment ago
        db.session.rollback()
        return LinkResult(LinkOutcome.LINKED_ELSEWHERE)
    return LinkResult(LinkOutcome.LINKED, account)


