"""Invoices: the customer's list with filters, one invoice, and its PDF from the back-end.

Pages read the portal's copy (kept by the sync) through the customer's account links, in
a fixed number of queries however long the history; only the PDF is fetched from the
supplier's back-end, when asked for.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from core.framework.extensions import db
from core.framework.ownership import linked_accounts
from core.framework.tenancy import Tenant
from core.framework.web import page_number
from core.models import BillingAccount, Invoice, Payment, User

PAGE_SIZE = 20
STATUSES = ("unpaid", "overdue", "partially_paid", "paid", "cancelled")
@dataclass(frozen=True)
class InvoiceFilters:
    """What the customer narrowed the list to; ``None`` means all."""

    year: int | None = None
    status: str | None = None
    account_id: int | None = None
    page: int = 1

    def args(self, **changes) -> dict:
        """Query arguments of this filter (with ``changes``), for links and the pager."""
        values = {"year": self.year, "status": self.status, "account": self.account_id, "page": self.page, **changes}
        return {k: v for k, v in values.items() if v is not None and not (k == "page" and v == 1)}


@dataclass(frozen=True)
class InvoiceList:
    accounts: list[BillingAccount]
    years: list[int]
    invoices: list[Invoice]
    total: int
    filters: InvoiceFilters
    has_next: bool

    @property
    def account_numbers(self) -> dict[int, str]:
        return {a.id: a.number for a in self.accounts}

    @property
    def pages(self) -> int:
        return max((self.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def parse_filters(args, accounts: list[BillingAccount]) -> InvoiceFilters:
    """Filters from the query string; a value that makes no sense is ignored."""
    year = args.get("year", type=int)
    status = args.get("status")
    account_id = args.get("account", type=int)
    return InvoiceFilters(
        year=year if year and 1900 < year < 3000 else None,
        status=status if status in STATUSES else None,
        account_id=account_id if account_id in {a.id for a in accounts} else None,
        page=page_number(args),
    )


def _filtered(query: Select, account_ids: list[int], filters: InvoiceFilters) -> Select:
    query = query.where(Invoice.account_id.in_([filters.account_id] if filters.account_id else account_ids))
    if filters.year:
        query = query.where(Invoice.issued_on.between(dt.date(filters.year, 1, 1), dt.date(filters.year, 12, 31)))
    if filters.status:
        query = query.where(Invoice.status == filters.status)
    return query


def invoice_list(user: User, args) -> InvoiceList:
    """One page of the customer's invoices, newest first: four queries whatever the history."""
    accounts = linked_accounts(user)
    filters = parse_filters(args, accounts)
    ids = [a.id for a in accounts]
    if not ids:
        return InvoiceList([], [], [], 0, filters, False)
    year = func.extract("year", Invoice.issued_on)
    years = sorted(
        {int(y) for y in db.session.execute(select(year).where(Invoice.account_id.in_(ids)).distinct()).scalars()},
        reverse=True,
    )
    total = db.session.execute(_filtered(select(func.count(Invoice.id)), ids, filters)).scalar_one()
    rows = db.session.execute(
        _filtered(select(Invoice), ids, filters)
        .order_by(Invoice.issued_on.desc(), Invoice.id.desc())
        .offset((filters.page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    ).scalars().all()
    return InvoiceList(accounts, years, list(rows[:PAGE_SIZE]), total, filters, len(rows) > PAGE_SIZE)


def payments_of(invoice: Invoice) -> list[Payment]:
    """Payments booked on this invoice, newest first."""
    return list(db.session.execute(
        select(Payment).where(Payment.account_id == invoice.account_id, Payment.invoice_number == invoice.number)
        .order_by(Payment.booked_at.desc(), Payment.id.desc())
    ).scalars())


def invoice_pdf(tenant: Tenant, account: BillingAccount, invoice: Invoice, duplicate: bool = False) -> bytes:
    """The document from the back-end (raises ``BackendUnavailable`` when it is down)."""
    return tenant.adapter.invoice_pdf(account.number, invoice.number, duplicate=duplicate)


def pdf_filename(invoice: Invoice, duplicate: bool = False) -> str:
    """``invoice-FV-2024-01-0042.pdf``, in the customer's language, safe on every system."""
    parts = [_("invoice"), invoice.number] + ([_("duplicate")] if duplicate else [])
    return re.sub(r"[^\w.]+", "-", "-".join(parts)).strip("-") + ".pdf"
