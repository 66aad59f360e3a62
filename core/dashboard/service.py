"""What the dashboard shows, read from the portal's copy in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from core.billing.contract import Money
from core.framework.extensions import db
from core.framework.selection import my_accounts
from core.framework.sync import sync_failing
from core.models import BillingAccount, Invoice, SupplyPoint, User, utcnow

RECENT_INVOICES = 5
SETTLED = ("paid", "cancelled")  # every other invoice still has something to pay


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
    accounts = my_accounts(user)
    ids = [a.id for a in accounts]
    if not ids:
        return Dashboard([], None, [], [], None)
    # one query: the newest invoices and every unpaid one (the payment due is among these)
    unpaid = Invoice.status.notin_(SETTLED)
    newest = (
        select(Invoice.id).where(Invoice.account_id.in_(ids))
        .order_by(Invoice.issued_on.desc(), Invoice.id.desc()).limit(RECENT_INVOICES)
    )
    invoices = list(db.session.execute(
        select(Invoice).where(Invoice.account_id.in_(ids), unpaid | Invoice.id.in_(newest))
        .order_by(Invoice.issued_on.desc(), Invoice.id.desc())
    ).scalars())
    data_as_of = min(a.data_as_of for a in accounts)
    stale = sync_failing() or utcnow() - data_as_of > current_app.config["SYNC_STALE_AFTER"]
    return Dashboard(
        accounts=accounts,
        next_due=_payment_due(accounts, [i for i in invoices if i.status not in SETTLED]),
        recent_invoices=invoices[:RECENT_INVOICES],  # the newest of all: the set holds them
        supply_points=[sp for a in accounts for sp in a.supply_points],
        data_as_of=data_as_of,
        stale=stale,
    )


def _payment_due(accounts: list[BillingAccount], unpaid: list[Invoice]) -> PaymentDue | None:
    """The payment due on the nearest date, over the unpaid invoices due that day, in one
    currency should there be several."""
    if not unpaid:
        return None
    due_on = min(invoice.due_on for invoice in unpaid)
    due = [invoice for invoice in unpaid if invoice.due_on == due_on]
    currency = min(invoice.currency for invoice in due)
    owed: dict[int, Decimal] = {}
    for invoice in due:
        if invoice.currency == currency:
            owed[invoice.account_id] = owed.get(invoice.account_id, Decimal(0)) + invoice.gross_amount - invoice.paid_amount

    def money(amount: Decimal) -> Money:
        return Money(Decimal(amount).quantize(Decimal("0.01")), currency)

    return PaymentDue(
        due_on=due_on,
        amount=money(sum(owed.values(), Decimal(0))),
        invoices=sum(1 for invoice in due if invoice.currency == currency),
        accounts=tuple((account, money(owed[account.id])) for account in accounts if account.id in owed),
    )
