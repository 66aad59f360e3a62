"""The API's payments: those received, and paying an invoice at the provider."""

from __future__ import annotations

from core.payments.models import PaymentIntent
from core.service_requests.models import ServiceRequest
from tests.support.api import api_error, count_rows, tenant_of


def test_payments(app, owner):
    _client, identity, api = owner
    payments = api.get("/payments?per_page=100").get_json()["items"]
    expected = tenant_of(app).adapter.payments(identity["account_number"])
    assert {p["reference"] for p in payments} == {p.reference for p in expected}
    for payment in payments:
        assert payment["amount"]["currency"] == "PLN" and payment["account_number"] == identity["account_number"]


def _open_invoice(api):
    return next(i for i in api.get("/invoices?per_page=100").get_json()["items"]
                if i["status"] in ("unpaid", "overdue", "partially_paid"))


def test_paying_an_invoice_opens_an_attempt_at_the_provider(app, owner, neighbour):
    _client, identity, api = owner
    invoice = _open_invoice(api)
    owed = invoice["outstanding"]["amount"]
    started = api.post("/payments", json={"account": identity["account_number"], "invoice": invoice["number"],
                                          "amount": owed})
    assert started.status_code == 201, started.get_data(as_text=True)
    attempt = started.get_json()
    assert attempt["status"] == "started" and attempt["amount"] == {"amount": owed, "currency": "PLN"}
    assert attempt["invoice_number"] == invoice["number"]
    assert attempt["pay_at"].startswith("https://innogy.test/payments/demo-bank/")
    assert api.get(f"/payments/attempts/{attempt['reference']}").get_json()["status"] == "started"

    _other_client, _other_identity, other = neighbour
    api_error(other.get(f"/payments/attempts/{attempt['reference']}"), 404, "not_found")
    too_much = api_error(api.post("/payments", json={"account": identity["account_number"],
                                                     "invoice": invoice["number"], "amount": "999999.00"}),
                         422, "validation_failed")
    assert too_much["fields"]["amount"][0].startswith("You can pay at most")
    foreign = api_error(other.post("/payments", json={"account": identity["account_number"], "amount": "1.00"}),
                        422, "validation_failed")
    assert foreign["fields"] == {"account": ["Choose one of your customer accounts."]}
    unknown = api_error(api.post("/payments", json={"account": identity["account_number"], "invoice": "F/0",
                                                    "amount": "1.00"}), 422, "validation_failed")
    assert unknown["fields"] == {"invoice": ["This account has no invoice with this number."]}
    assert count_rows(app, PaymentIntent) == 1 and count_rows(app, ServiceRequest) == 0
