"""``Idempotency-Key`` on the API's writes, with Stripe's semantics.

A key belongs to the customer's login. The write made with it stores the key (hashed) with
a fingerprint of the request (method, address and canonical JSON body) in the write's own
transaction, under a unique constraint: of parallel first uses one write is stored. The
same key with the same request again answers what the first one produced; with another
request it is refused with 422 ``idempotency_key_reused``. A request refused before
anything was stored (a field error, an implausible value) stores no key, so the customer
may correct it and send it again with the same key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from core.api.base import ApiError, validation_failed
from core.api.models import ApiIdempotencyKey
from core.framework.extensions import db
from core.framework.outbox import new_submission_key

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
PARAMETER = {
    "in": "header", "name": HEADER, "required": False,
    "schema": {"type": "string", "maxLength": MAX_LENGTH},
    "description": _l("Sending the same key again with the same request returns the first answer instead of "
                      "submitting twice; with another request it is refused (idempotency_key_reused)."),
}


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Idempotency:
    """The write's ``submission_key``, and the request's fingerprint when the client sent a key."""

    submission_key: str
    fingerprint: str | None = None

    def replayed(self) -> bool:
        """Whether this key already made a write (for this very request: else a 422)."""
        if self.fingerprint is None:
            return False
        stored = db.session.execute(
            select(ApiIdempotencyKey.fingerprint).where(ApiIdempotencyKey.key_hash == self.submission_key)
        ).scalar_one_or_none()
        if stored is not None and stored != self.fingerprint:
            raise ApiError(422, _l("This Idempotency-Key was already used for another request. Send a new "
                                   "submission with a new key."), code="idempotency_key_reused")
        return stored is not None

    def records(self) -> tuple[ApiIdempotencyKey, ...]:
        """What the write stores in its own transaction: the key and the fingerprint."""
        if self.fingerprint is None:
            return ()
        return (ApiIdempotencyKey(user_id=current_user.id, key_hash=self.submission_key, fingerprint=self.fingerprint),)


def idempotency(body: Any) -> Idempotency:
    """The request's ``Idempotency-Key``; without one, every request is a new write."""
    given = request.headers.get(HEADER, "").strip()
    if not given:
        return Idempotency(new_submission_key())
    if len(given) > MAX_LENGTH:
        raise validation_failed({HEADER: [_("Use at most {max} characters.").format(max=MAX_LENGTH)]})
    canonical = json.dumps([request.method, request.path, body], sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    return Idempotency(_sha256(f"api:{current_user.id}:{given}"), _sha256(canonical))
