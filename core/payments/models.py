"""Pay-now payment attempts through the supplier's payment provider."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.billing.contract import Money
from core.models import AMOUNT, BillingAccount, UTCDateTime, utcnow
from core.models.database import Model
from core.models.tenant_scope import TenantScoped


class PaymentIntent(TenantScoped, Model):
    """One "pay now": started by the customer, paid or cancelled at the provider.

    ``token`` names the attempt in URLs and to the provider (unguessable);
    ``transaction_id`` is the provider's, unique, so a callback delivered twice books the
    payment once. ``status`` is what the customer sees: started, cancelled, received
    (paid, on its way to the supplier), accepted by the supplier, or rejected with a reason.
    """

    __table_args__ = (
        UniqueConstraint("tenant", "token", name="uq_payment_intent_token"),
        UniqueConstraint("tenant", "provider", "transaction_id", name="uq_payment_intent_transaction"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("billing_account.id"), index=True)
    invoice_number: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    currency: Mapped[str] = mapped_column(String(3))
    provider: Mapped[str] = mapped_column(String(32))
    transaction_id: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="started")
    supplier_reference: Mapped[str | None] = mapped_column(String(64))
    reject_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[BillingAccount] = relationship()

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)
