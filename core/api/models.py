"""The API's own table: the ``Idempotency-Key`` of each write made through it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models import UTCDateTime, utcnow
from core.models.database import Model
from core.models.tenant_scope import TenantScoped


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
