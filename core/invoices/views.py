"""Invoice pages: the list with filters, one invoice, and its PDF (original or duplicate)."""

from __future__ import annotations

import io

from flask import Blueprint, abort, g, render_template, request, send_file
from flask_login import current_user, login_required

from core.billing.contract import BackendUnavailable
from core.framework.extensions import limiter
from core.framework.ownership import invoice_of
from core.framework.web import limit
from core.invoices.labels import invoice_kind_label, invoice_status_label
from core.invoices.service import (
    STATUSES,
    invoice_list,
    invoice_pdf,
    payments_of,
    pdf_filename,
)
from core.payments.service import amount_owed, payment_provider

bp = Blueprint("invoices", __name__, url_prefix="/invoices")
bp.add_app_template_global(invoice_status_label)
bp.add_app_template_global(invoice_kind_label)


def _own_invoice(invoice_id: int):
    """Only through the customer's own account links: anyone else's invoice is 404."""
    found = invoice_of(current_user, invoice_id)
    if found is None:
        abort(404)
    return found


@bp.get("/")
@login_required
def index():
    return render_template("invoices/index.html", listing=invoice_list(current_user, request.args), statuses=STATUSES)


@bp.get("/<int:invoice_id>")
@login_required
def detail(invoice_id: int):
    invoice, account = _own_invoice(invoice_id)
    payable = invoice.is_open and payment_provider(g.tenant) is not None
    return render_template("invoices/detail.html", invoice=invoice, account=account, payments=payments_of(invoice),
                           owed=amount_owed(account, invoice), payable=payable)


@bp.get("/<int:invoice_id>/pdf")
@login_required
@limiter.limit(limit("INVOICE_PDF"))
def pdf(invoice_id: int):
    invoice, account = _own_invoice(invoice_id)
    duplicate = request.args.get("copy") == "duplicate"
    try:
        document = invoice_pdf(g.tenant, account, invoice, duplicate)
    except BackendUnavailable:
        return render_template("invoices/unavailable.html", invoice=invoice), 503
    except LookupError:  # the back-end no longer has it
        abort(404)
    response = send_file(io.BytesIO(document), mimetype="application/pdf", as_attachment=True,
                         download_name=pdf_filename(invoice, duplicate), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
