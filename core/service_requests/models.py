"""Service requests and their history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models import BillingAccount, UTCDateTime, utcnow
from core.models.database import Model
from core.models.tenant_scope import TenantScoped


class ServiceRequest(TenantScoped, Model):
    """A request a customer filed (change of advance payment, direct debit, ...).

    ``status`` is what the customer sees: received by the portal, accepted by the
    supplier (and worked on), completed, or rejected with a reason.
    """

    __table_args__ = (UniqueConstraint("tenant", "submission_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """Primary key."""
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    """The login that filed it; ``None`` once that login is closed."""
    account_id: Mapped[int] = mapped_column(ForeignKey("billing_account.id"), index=True)
    """The billing account it is about."""
    request_type: Mapped[str] = mapped_column(String(64))
    """The request type's ``code``."""
    data: Mapped[dict] = mapped_column(JSON)
    """What the schema loaded, made JSON-safe (dates and decimals as strings)."""
    status: Mapped[str] = mapped_column(String(16), default="received")
    """``"received"``, ``"accepted"``, ``"completed"`` or ``"rejected"``."""
    supplier_reference: Mapped[str | None] = mapped_column(String(64))
    """The back-end's reference, once it accepted the request."""
    reject_reason: Mapped[str | None] = mapped_column(Text)
    """The reason code of a rejection (``portal_rejection_reasons`` words it)."""
    submission_key: Mapped[str] = mapped_column(String(64))
    """The form's key (``new_submission_key``): the same key twice files one request."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    """When it was filed."""

    account: Mapped[BillingAccount] = relationship()
    """The billing account."""
    events: Mapped[list[ServiceRequestEvent]] = relationship(
        back_populates="request", order_by="ServiceRequestEvent.id", cascade="all, delete-orphan"
    )
    """Its history (``status``, ``note``, ``created_at``), oldest first."""


class ServiceRequestEvent(TenantScoped, Model):
    """One step in a request's history, shown to the customer."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[ServiceRequest] = relationship(back_populates="events")
