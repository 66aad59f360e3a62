"""The API's invoices: list, detail and the PDF from the billing system."""

from __future__ import annotations

from typing import Any

from flask import Response, g
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import extract, select

from core.api.base import ApiEndpoints, ApiError, one, paginated, query_args
from core.billing.contract import BackendUnavailable
from core.framework.ownership import owned
from core.invoices.schemas import InvoicePage, InvoiceQuery, InvoiceSchema
from core.models import BillingAccount, Invoice

endpoints = ApiEndpoints()
BILLING = _l("Invoices and payments")


def _own_invoices():
    return owned(select(Invoice, BillingAccount.number).join(BillingAccount, Invoice.account_id == BillingAccount.id),
                 current_user)


def _dump(invoice: Invoice, account_number: str) -> dict[str, Any]:
    return InvoiceSchema().dump(invoice) | {"account_number": account_number}


@endpoints.operation("/invoices", summary=_l("Your invoices, newest first"), tag=BILLING,
                     response=InvoicePage, query=InvoiceQuery)
def invoices():
    args = query_args(InvoiceQuery)
    statement = _own_invoices().order_by(Invoice.issued_on.desc(), Invoice.id.desc())
    if "year" in args:
        statement = statement.where(extract("year", Invoice.issued_on) == args["year"])
    if "status" in args:
        statement = statement.where(Invoice.status == args["status"])
    return paginated(statement, args, _dump)


@endpoints.operation("/invoices/<path:number>", summary=_l("One invoice"), tag=BILLING, response=InvoiceSchema)
def invoice(number: str):
    return _dump(*one(_own_invoices().where(Invoice.number == number)))


@endpoints.operation("/invoices/<path:number>/pdf", summary=_l("An invoice as PDF, from the billing system"),
                     tag=BILLING, media_type="application/pdf", errors=(503,))
def invoice_pdf(number: str):
    found, account_number = one(_own_invoices().where(Invoice.number == number))
    try:
        pdf = g.tenant.adapter.invoice_pdf(account_number, found.number)
    except BackendUnavailable:
        raise ApiError(503) from None
    except LookupError:
        raise ApiError(404) from None
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{found.number.replace("/", "-")}.pdf"'})
