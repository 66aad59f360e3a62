"""Which supply point a customer last chose, and other per-login view preferences."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from core.models import UTCDateTime, utcnow
from core.models.database import Model
from core.models.tenant_scope import TenantScoped


class SupplyPointSelection(TenantScoped, Model):
    """The supply point a login chose in the header's selector, kept across sign-ins.

    One row per login. The pages check that the point is still one of the login's own
    (an account can be unlinked) before they show it.
    """

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    supply_point_id: Mapped[int] = mapped_column(ForeignKey("supply_point.id", ondelete="CASCADE"), index=True)
    chosen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

