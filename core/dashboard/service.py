"""What the dashboard shows, read from the portal's copy in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import Row, func, select
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
    accounts: tuple[tuple[BillingAccount, Money], ...] = ()
    """The accounts whose invoices are due that day, each with what it has to pay, in the
    order the customer linked them."""


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
    unpaid = (Invoice.account_id.in_(ids), Invoice.status.notin_(("paid", "cancelled")))
    nearest = db.session.execute(
        select(
            Invoice.account_id,
            Invoice.due_on,
            Invoice.currency,
            func.sum(Invoice.gross_amount - Invoice.paid_amount),
            func.count(),
        )
        .where(*unpaid, Invoice.due_on == select(func.min(Invoice.due_on)).where(*unpaid).scalar_subquery())
        .group_by(Invoice.account_id, Invoice.due_on, Invoice.currency)
    ).all()
    next_due = _payment_due(accounts, nearest)
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


def _payment_due(accounts: list[BillingAccount], rows: Sequence[Row]) -> PaymentDue | None:
    """The payment due on the nearest date, from what each account owes that day (rows of
    account, date, currency, amount and invoices), in one currency should there be several."""
    if not rows:
        return None
    currency = min(row.currency for row in rows)
    owed = {row.account_id: row for row in rows if row.currency == currency}

    def money(amount: Any) -> Money:
        return Money(Decimal(amount).quantize(Decimal("0.01")), currency)

    return PaymentDue(
        due_on=rows[0].due_on,
        amount=money(sum((Decimal(row[3]) for row in owed.values()), Decimal(0))),
        invoices=sum(row[4] for row in owed.values()),
        accounts=tuple((account, money(owed[account.id][3])) for account in accounts if account.id in owed),
    )
