"""Planned maintenance windows of the portal, per tenant."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models import UTCDateTime, utcnow
from core.models.database import Model
from core.models.tenant_scope import TenantScoped


class MaintenanceWindow(TenantScoped, Model):
    """A planned break of the portal, announced on every page from ``announce_from`` to its end."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    announce_from: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def started(self) -> bool:
        return self.starts_at <= utcnow()
