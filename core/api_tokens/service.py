"""Personal access tokens: made on the customer's page, checked on every API request.

A token is ``up_`` and 43 random URL-safe characters; the portal keeps only its
SHA-256, so a leaked database does not leak working tokens. The prefix lets secret
scanners and customers recognise a portal token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from core.api_tokens.models import READ, READ_WRITE, ApiToken
from core.framework.extensions import db
from core.models import User, utcnow

PREFIX = "up_"
MAX_ACTIVE = 20
USE_RECORDED_EVERY = dt.timedelta(minutes=1)


class TokenSchema(Schema):
    """The form that makes a token: what it is for, and what it may do."""

    name = fields.String(
        required=True, validate=validate.Length(min=1, max=100, error=_l("Use at most {max} characters.")),
        metadata={"label": _l("Name"), "help": _l("What the token is for, for example: heating controller.")},
    )
    scope = fields.String(
        required=True, validate=validate.OneOf([READ, READ_WRITE], error=_l("Choose what the token may do.")),
        metadata={"label": _l("Access"), "choices": [
            (READ, _l("Read only")), (READ_WRITE, _l("Read and submit (meter readings, requests)")),
        ]},
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_count(user: User) -> int:
    return db.session.execute(
        select(func.count()).select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).scalar_one()


def create_token(user: User, name: str, scope: str) -> tuple[ApiToken, str]:
    """Store a new token's hash; returns the row and the token, which is never shown again."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name.strip(), scope=scope, token_hash=token_hash(token),
                   hint=token[: len(PREFIX) + 4])
    db.session.add(row)
    db.session.commit()
    return row, token


def user_tokens(user: User) -> list[ApiToken]:
    return list(db.session.execute(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    ).scalars())


def revoke(user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False when there is no such token."""
    row = db.session.execute(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    ).scalar_one_or_none()
    if row is None:
        return False
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.commit()
    return True


def authenticate(token: str) -> ApiToken | None:
    """The active token of an active user of the current tenant, or None."""
    if not token.startswith(PREFIX):
        return None
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == token_hash(token))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > USE_RECORDED_EVERY:
        row.last_used_at = now
        db.session.commit()
    return row
