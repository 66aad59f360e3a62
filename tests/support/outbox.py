"""The outbox as the supplier's back-end sees it: every message but the portal's own mail."""

from __future__ import annotations

from sqlalchemy import func, select

from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import OutboxMessage

TO_SUPPLIER = OutboxMessage.kind != "mail"


def to_supplier(app, tenant: str = "innogy") -> list[OutboxMessage]:
    """The messages for the supplier's back-end, oldest first (detached)."""
    with app.app_context(), tenant_context(tenant):
        rows = db.session.execute(select(OutboxMessage).where(TO_SUPPLIER).order_by(OutboxMessage.id)).scalars().all()
        db.session.expunge_all()
        return rows


def count_to_supplier(app, tenant: str = "innogy") -> int:
    with app.app_context(), tenant_context(tenant):
        return db.session.execute(select(func.count()).select_from(OutboxMessage).where(TO_SUPPLIER)).scalar_one()
