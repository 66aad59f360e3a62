"""Linking a billing account to a login after the customer proves it is theirs.

Failed attempts are counted per user and per billing account; either reaching the limit
locks further attempts for a while. The answer never says which field was wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from core.accounts.models import VerificationAttempt
from core.billing.contract import BackendUnavailable
from core.framework.descriptions import IdentityMethod
from core.framework.extensions import db
from core.framework.sync import import_account
from core.framework.tenancy import Tenant
from core.models import AccountLink, BillingAccount, User, utcnow


class LinkOutcome:
    """What became of an attempt to prove or link an account: the values of :attr:`LinkResult.outcome`."""

    LINKED = "linked"
    """New accounts are now linked to the login (in ``accounts``)."""
    ALREADY_YOURS = "already_yours"
    """The accounts proven were linked to this login already."""
    LINKED_ELSEWHERE = "linked_elsewhere"
    """The accounts proven are linked to another login: nothing was linked."""
    NO_MATCH = "no_match"
    """The data prove no account (the attempt counts towards the lockout)."""
    LOCKED = "locked"
    """Too many failed attempts of this login or against this account: not even tried."""
    UNAVAILABLE = "unavailable"
    """The back-end could not be asked: nothing was counted or linked."""
    PROVEN = "proven"
    """Verified, nothing linked yet (:func:`check_identity`): see ``account_numbers``."""


@dataclass(frozen=True)
class LinkResult:
    """The answer of :func:`check_identity`, :func:`link_account` and :func:`link_proven`."""

    outcome: str
    """A :class:`LinkOutcome` value."""
    accounts: tuple[BillingAccount, ...] = ()
    """The accounts linked now (``LINKED``) or before (``ALREADY_YOURS``)."""
    refused: int = 0
    """How many accounts proven were left out: already linked to another login."""
    message: Any = None
    """The identity method's own no-match wording (``NO_MATCH``), if it has one."""
    account_numbers: tuple[str, ...] = ()
    """The account numbers the data proved (``PROVEN``)."""

    @property
    def account(self) -> BillingAccount | None:
        """The first of ``accounts``, or ``None``."""
        return self.accounts[0] if self.accounts else None


def is_locked(user: User | None, account_key: str) -> bool:
    """Too many recent failures of this user, or against this account (``user`` may be
    ``None`` for a visitor, who is then only held to the account's count)."""
    window_start = utcnow() - current_app.config["VERIFICATION_LOCKOUT"]
    user_id = user.id if user is not None else None
    failures = db.session.execute(
        select(
            func.count().filter(VerificationAttempt.user_id == user_id),
            func.count().filter(VerificationAttempt.account_key == account_key),
        ).where(
            VerificationAttempt.succeeded.is_(False),
            VerificationAttempt.created_at >= window_start,
            or_(VerificationAttempt.user_id == user_id, VerificationAttempt.account_key == account_key),
        )
    ).one()
    limit = current_app.config["VERIFICATION_MAX_FAILURES"]
    return failures[0] >= limit or failures[1] >= limit


def _record(user: User, method: IdentityMethod, key: str, succeeded: bool) -> None:
    db.session.add(
        VerificationAttempt(user_id=user.id, account_key=key, method=method.code, succeeded=succeeded)
    )


def check_identity(
    tenant: Tenant, method: IdentityMethod, data: Mapping[str, Any], user: User | None = None
) -> LinkResult:
    """Verify ``data`` with ``method`` without linking anything.

    ``PROVEN`` with the ``account_numbers`` the data prove, or why not. A user's attempt is
    added to the session (the caller commits); a visitor's (``user`` is ``None``, e.g. one
    who registers with a PIN) is held to the account's lockout, and the caller counts the
    visitor's failures (the rate limiter).
    """
    key = method.attempt_key(data)[:64]
    if is_locked(user, key):
        return LinkResult(LinkOutcome.LOCKED)
    try:
        verdict = method.verify(tenant.adapter, data)
    except BackendUnavailable:
        return LinkResult(LinkOutcome.UNAVAILABLE)
    if user is not None:
        _record(user, method, key, verdict.matched)
    if not verdict.matched:
        return LinkResult(LinkOutcome.NO_MATCH, message=verdict.message)
    return LinkResult(LinkOutcome.PROVEN, account_numbers=verdict.account_numbers)


def link_account(tenant: Tenant, user: User, method: IdentityMethod, data: Mapping[str, Any]) -> LinkResult:
    """Verify ``data`` with ``method`` and link the account it proves; commits."""
    proof = check_identity(tenant, method, data, user)
    if proof.outcome != LinkOutcome.PROVEN:
        db.session.commit()
        return proof
    return link_proven(tenant, user, method, proof.account_numbers)


def link_proven(tenant: Tenant, user: User, method: IdentityMethod, account_numbers: Sequence[str]) -> LinkResult:
    """Link accounts ``user`` has proven with ``method`` (:func:`check_identity`); commits.

    Accounts linked to another login are left out (counted in ``refused``).
    """
    links = {
        link.account.number: link
        for link in db.session.execute(
            select(AccountLink).join(BillingAccount).where(BillingAccount.number.in_(account_numbers))
        ).scalars()
    }
    mine = [links[n].account for n in account_numbers if n in links and links[n].user_id == user.id]
    refused = sum(1 for n in account_numbers if n in links and links[n].user_id != user.id)
    new = [n for n in account_numbers if n not in links]
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
