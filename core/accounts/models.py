"""Linking's own table: the attempts to prove an account is the customer's, for lockout."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models import UTCDateTime, utcnow
from core.models.database import Model
from core.models.tenant_scope import TenantScoped


class VerificationAttempt(TenantScoped, Model):
    """An attempt to prove ownership of a billing account, for counting and lockout."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    account_key: Mapped[str] = mapped_column(String(64), index=True)
    method: Mapped[str] = mapped_column(String(32))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
