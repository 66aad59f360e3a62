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
    accounts: tuple[BillingAccount, ...] = ()
    refused: int = 0  # accounts proven but already linked to another login
    message: Any = None  # the identity method's own no-match wording, if any

    @property
    def account(self) -> BillingAccount | None:
        return self.accounts[0] if self.accounts else None


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
        return LinkResult(LinkOutcome.NO_MATCH, message=verdict.message)

    links = {
        link.account.number: link
        for link in db.session.execute(
            select(AccountLink).join(BillingAccount).where(BillingAccount.number.in_(verdict.account_numbers))
        ).scalars()
    }
    mine = [links[n].account for n in verdict.account_numbers if n in links and links[n].user_id == user.id]
    refused = sum(1 for n in verdict.account_numbers if n in links and links[n].user_id != user.id)
    new = [n for n in verdict.account_numbers if n not in links]
    try:
        linked = []
        for number in new:
            account = import_account(tenant, number)
            db.session.add(AccountLink(user_id=user.id, account_id=account.id, method=method.code))
            linked.append(account)
        db.session.commit()
    except BackendUnavailable:
        db.session.rollback()
        return LinkResult(LinkOutcome.UNAVAILABLE)
    except IntegrityError:  # linked by someone else a moment ago
        db.session.rollback()
        return LinkResult(LinkOutcome.LINKED_ELSEWHERE)
    if linked:
        return LinkResult(LinkOutcome.LINKED, tuple(linked), refused)
    if mine:
        return LinkResult(LinkOutcome.ALREADY_YOURS, tuple(mine), refused)
    return LinkResult(LinkOutcome.LINKED_ELSEWHERE, refused=refused)
