"""Personal access tokens for the JSON API.

Only a hash of each token is kept: the customer sees the token once, when it is made.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String
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
