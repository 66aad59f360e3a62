"""Registering with the PIN Registrazione, as in the Area Clienti: the PIN first, then the
login (e-mail and password), then a summary e-mail ("riepilogo") to keep.

The PIN proves the supply before anything is created; the proof lives in the visitor's
session for a short while, so the second step cannot be reached without the first. The
billing account is linked only when the login is activated from the e-mail, by someone
who knows the password chosen at registration: a mistyped e-mail address never gets to
see the customer's bills. Known and unknown e-mail addresses get the same answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from flask import current_app, g, session, url_for
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.plugin_api import (
    AccountLink,
    BillingAccount,
    LinkResult,
    TokenInvalid,
    User,
    db,
    link_proven,
    make_token,
    own_accounts,
    read_token,
    register_login,
    send_mail,
    utcnow,
)
from plugins.italiangas_it.i18n import _
from plugins.italiangas_it.identity import PIN_METHOD

PROOF_KEY = "italiangas_pin_proof"
PROOF_MAX_AGE = dt.timedelta(minutes=30)
TOKEN_PURPOSE = "pin_activate"  # noqa: S105 - a token purpose, not a secret


class PinActivationSchema(Schema):
    """The password chosen at registration, asked again when the link is opened."""

    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(max=256, error=_("Use at most {max} characters.")),
        metadata={
            "label": _("The password you chose when you registered"),
            "widget": "password",
            "autocomplete": "current-password",
        },
    )


# --- step 1: the PIN, remembered in this browser's session ---------------------------------


def remember_proof(account_numbers: Sequence[str]) -> None:
    session[PROOF_KEY] = {"accounts": list(account_numbers), "at": utcnow().timestamp()}


def proven_accounts() -> list[str] | None:
    """The accounts this browser proved with a PIN a short while ago, or ``None``."""
    proof = session.get(PROOF_KEY)
    if not proof:
        return None
    if utcnow().timestamp() - proof["at"] > PROOF_MAX_AGE.total_seconds():
        session.pop(PROOF_KEY, None)
        return None
    return list(proof["accounts"])


def forget_proof() -> None:
    session.pop(PROOF_KEY, None)


def all_registered(account_numbers: Sequence[str]) -> bool:
    """Every account already has a login: the PIN cannot register anyone else."""
    linked = db.session.execute(
        select(func.count()).select_from(AccountLink).join(BillingAccount)
        .where(BillingAccount.number.in_(account_numbers))
    ).scalar_one()
    return linked >= len(set(account_numbers))


# --- step 2: the login ---------------------------------------------------------------------


def activation_link(user: User, account_numbers: Sequence[str]) -> str:
    token = make_token(TOKEN_PURPOSE, uid=user.id, accounts=list(account_numbers))
    return url_for("italiangas_registration.activate", token=token, _external=True)


def register(data: dict[str, Any], account_numbers: Sequence[str]) -> None:
    """Create the login (or remind its owner) and mail the activation link; commits."""
    register_login(data, lambda user: send_mail(
        user.email, "italiangas_it/mail/pin_activate.txt", locale=user.locale,
        link=activation_link(user, account_numbers)))


# --- activation: the login becomes active and the PIN's accounts are linked ----------------


def pending_activation(token: str) -> tuple[dict[str, Any], User]:
    """The token's claims and its inactive user; :class:`TokenInvalid` otherwise."""
    claims = read_token(TOKEN_PURPOSE, token, current_app.config["ACTIVATION_MAX_AGE"])
    user = db.session.get(User, claims["uid"])
    if user is None or user.tenant != g.tenant.code or user.activated_at is not None:
        raise TokenInvalid("no such inactive user")
    return claims, user


def activate_and_link(user: User, account_numbers: Sequence[str]) -> LinkResult:
    """Activate the login (committed first: a back-end outage must not undo it), link
    the accounts its PIN proved, and mail the summary."""
    user.activated_at = utcnow()
    db.session.commit()
    result = link_proven(g.tenant, user, PIN_METHOD, account_numbers)
    send_mail(
        user.email, "italiangas_it/mail/registration_summary.txt", locale=user.locale, user=user, result=result,
        accounts=linked_accounts(user),
        login_link=url_for("auth.login", _external=True),
        link_page=url_for("accounts.link", _external=True),
    )
    db.session.commit()
    return result


def linked_accounts(user: User) -> list[BillingAccount]:
    return list(db.session.execute(own_accounts(user).options(selectinload(BillingAccount.supply_points))).scalars())
