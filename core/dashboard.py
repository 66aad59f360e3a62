"""What the dashboard shows, read from the portal's copy in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.models import AccountLink, BillingAccount, Invoice, SupplyPoint, User

RECENT_INVOICES = 5


@dataclass(frozen=True)
class Dashboard:
    accounts: list[BillingAccount]
    next_due: Invoice | None
    recent_invoices: list[Invoice]
    supply_points: list[SupplyPoint]
    data_as_of: dt.datetime | None


def dashboard_for(user: User) -> Dashboard:
    accounts = list(
        db.session.execute(
            select(BillingAccount)
            .join(AccountLink, AccountLink.account_id == BillingAccount.id)
            .where(AccountLink.user_id == user.id)
            .order_by(AccountLink.id)
            .options(selectinload(BillingAccount.supply_points).selectinload(SupplyPoint.meters))
        ).scalars()
    )
    ids = [a.id for a in accounts]
    if not ids:
        return Dashboard([], None, [], [], None)
    recent = list(
        db.session.execute(
            select(Invoice)
            .where(Invoice.account_id.in_(ids))
            .order_by(Invoice.issued_on.desc(), Invoice.id.desc())
            .limit(RECENT_INVOICES)
        ).scalars()
    )
    next_due = db.session.execute(
        select(Invoice)
        .where(Invoice.account_id.in_(ids), Invoice.status != "paid")
        .order_by(Invoice.due_on, Invoice.id)
        .limit(1)
    ).scalar_one_or_none()
    return Dashboard(
        accounts=accounts,
        next_due=next_due,
        recent_invoices=recent,
        supply_points=[sp for a in accounts for sp in a.supply_points],
        data_as_of=min(a.data_as_of for a in accounts),
    )
