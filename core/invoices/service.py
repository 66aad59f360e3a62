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
from sqlalchemy import ColumnElement, and_, func, select

from core.framework.extensions import db
from core.framework.selection import my_accounts
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


def _filtered(account_ids: list[int], filters: InvoiceFilters) -> list[ColumnElement[bool]]:
    """The conditions of the customer's filters."""
    conditions: list[ColumnElement[bool]] = [Invoice.account_id.in_([filters.account_id] if filters.account_id else account_ids)]
    if filters.year:
        conditions.append(Invoice.issued_on.between(dt.date(filters.year, 1, 1), dt.date(filters.year, 12, 31)))
    if filters.status:
        conditions.append(Invoice.status == filters.status)
    return conditions


def invoice_list(user: User, args) -> InvoiceList:
    """One page of the customer's invoices, newest first: two queries whatever the history
    (the years with invoices and how many the filters match, then the page)."""
    accounts = my_accounts(user)
    filters = parse_filters(args, accounts)
    ids = [a.id for a in accounts]
    if not ids:
        return InvoiceList([], [], [], 0, filters, False)
    year = func.extract("year", Invoice.issued_on)
    per_year = db.session.execute(
        select(year, func.count(Invoice.id).filter(and_(*_filtered(ids, filters))))
        .where(Invoice.account_id.in_(ids)).group_by(year)
    ).all()
    years = sorted((int(y) for y, _count in per_year), reverse=True)
    total = sum(count for _year, count in per_year)
    rows = db.session.execute(
        select(Invoice).where(*_filtered(ids, filters))
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
