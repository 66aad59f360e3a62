"""What the dashboard shows, read from the portal's copy in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.billing.contract import Money
from core.framework.extensions import db
from core.framework.ownership import own_accounts
from core.models import BillingAccount, Invoice, SupplyPoint, SyncState, User, utcnow

RECENT_INVOICES = 5


@dataclass(frozen=True)
class PaymentDue:
    """What to pay by the nearest due date, over every unpaid invoice due that day."""

    due_on: dt.date
    amount: Money
    invoices: int


@dataclass(frozen=True)
class Dashboard:
    accounts: list[BillingAccount]
    next_due: PaymentDue | None
    recent_invoices: list[Invoice]
    supply_points: list[SupplyPoint]
    data_as_of: dt.datetime | None
    stale: bool = False  # the copy may be out of date: show a notice


def dashboard_for(user: User) -> Dashboard:
    accounts = list(
        db.session.execute(
            own_accounts(user)
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
    nearest = db.session.execute(
        select(
            Invoice.due_on,
            Invoice.currency,
            func.sum(Invoice.gross_amount - Invoice.paid_amount),
            func.count(),
        )
        .where(Invoice.account_id.in_(ids), Invoice.status.notin_(("paid", "cancelled")))
        .group_by(Invoice.due_on, Invoice.currency)
        .order_by(Invoice.due_on)
        .limit(1)
    ).first()
    next_due = (
        PaymentDue(nearest[0], Money(Decimal(nearest[2]).quantize(Decimal("0.01")), nearest[1]), nearest[3])
        if nearest
        else None
    )
    data_as_of = min(a.data_as_of for a in accounts)
    state = db.session.execute(select(SyncState)).scalar_one_or_none()
    stale = (state is not None and state.failing) or (
        utcnow() - data_as_of > current_app.config["SYNC_STALE_AFTER"]
    )
    return Dashboard(
        accounts=accounts,
        next_due=next_due,
        recent_invoices=recent,
        supply_points=[sp for a in accounts for sp in a.supply_points],
        data_as_of=data_as_of,
        stale=stale,
    )
