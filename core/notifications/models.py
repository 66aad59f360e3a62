"""Notification preferences per supply point, what was sent, and planned maintenance windows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models import UTCDateTime, utcnow  # defined before the package imports this module
from core.models.database import Model
from core.models.tenant_scope import TenantScoped


class NotificationPreference(TenantScoped, Model):
    """A customer wants alerts of one ``kind`` about one supply point on one ``channel``."""

    __table_args__ = (
        UniqueConstraint("tenant", "user_id", "supply_point_id", "kind", "channel",
                         name="uq_notification_preference"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    supply_point_id: Mapped[int] = mapped_column(ForeignKey("supply_point.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationContact(TenantScoped, Model):
    """Where a customer's text messages go (the e-mail address is the login's)."""

    __table_args__ = (UniqueConstraint("tenant", "user_id", name="uq_notification_contact_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SentNotification(TenantScoped, Model):
    """One alert sent: the same event (an outage, a reading period) never goes out twice."""

    __table_args__ = (
        UniqueConstraint("tenant", "user_id", "supply_point_id", "kind", "channel", "event_key",
                         name="uq_sent_notification"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    supply_point_id: Mapped[int] = mapped_column(ForeignKey("supply_point.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    event_key: Mapped[str] = mapped_column(String(160))
    recipient: Mapped[str] = mapped_column(String(254))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
