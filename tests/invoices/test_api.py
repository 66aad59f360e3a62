"""The API's invoices: filters, pagination, the PDF."""

from __future__ import annotations

from decimal import Decimal

from core.billing.contract import BackendUnavailable
from tests.support.api import api_error, tenant_of


def test_invoices_filters_pagination_and_pdf(app, owner):
    _client, _identity, api = owner
    everything = api.get("/invoices?per_page=100").get_json()["items"]
    assert len(everything) >= 2
    first_page = api.get("/invoices?per_page=1").get_json()
    assert len(first_page["items"]) == 1 and first_page["links"]["next"]
    next_path = first_page["links"]["next"].split("/api/v1", 1)[1]
    assert api.get(next_path).get_json()["items"][0] == everything[1]
    year = int(everything[0]["issued_on"][:4])
    of_year = api.get(f"/invoices?year={year}&per_page=100").get_json()["items"]
    assert of_year and all(i["issued_on"].startswith(str(year)) for i in of_year)
    status = everything[0]["status"]
    assert all(i["status"] == status for i in api.get(f"/invoices?status={status}&per_page=100").get_json()["items"])
    bad = api_error(api.get("/invoices?year=abc&status=lost"), 422, "validation_failed")
    assert set(bad["fields"]) == {"year", "status"}
    number = everything[0]["number"]
    invoice = api.get(f"/invoices/{number}").get_json()
    assert invoice == everything[0] and Decimal(invoice["gross"]["amount"]) > 0
    pdf = api.get(f"/invoices/{number}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_invoice_pdf_when_the_backend_is_down_is_503(app, owner, monkeypatch):
    _client, _identity, api = owner
    number = api.get("/invoices").get_json()["items"][0]["number"]

    def down(*args, **kwargs):
        raise BackendUnavailable("connection refused")

    monkeypatch.setattr(tenant_of(app).adapter, "invoice_pdf", down)
    api_error(api.get(f"/invoices/{number}/pdf"), 503, "backend_unavailable")
