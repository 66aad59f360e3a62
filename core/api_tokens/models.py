"""Personal access tokens for the JSON API.

Only a hash of each token is kept: the customer sees the token once, when it is made.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models import UTCDateTime, utcnow  # defined before this module is imported
from core.models.database import Model
from core.models.tenant_scope import TenantScoped

if TYPE_CHECKING:
    from core.models import User

READ, READ_WRITE = "read", "read-write"


class ApiToken(TenantScoped, Model):
    """A customer's token for apps and home automation: read, or read and write."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def can_write(self) -> bool:
        return self.scope == READ_WRITE

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ApiIdempotencyKey(TenantScoped, Model):
    """An ``Idempotency-Key`` an API write was made with, stored in the write's transaction.

    ``key_hash`` (the customer's login and their key, hashed) is also the ``submission_key``
    of what the write produced (the reading's rows, the request), so a replay finds it;
    ``fingerprint`` is the hash of the request (method, address, canonical JSON body) that
    a reuse of the key must match.
    """

    __tablename__ = "api_idempotency_key"
    __table_args__ = (UniqueConstraint("tenant", "key_hash", name="uq_api_idempotency_key_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
