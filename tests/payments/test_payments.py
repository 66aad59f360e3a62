"""Payments through HTTP: the payments page, balances, and "pay now" with the demo bank, its
signed callback and delivery through the outbox, and every page in every language, in every
tenant."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from core.billing.contract import BackendUnavailable, Money
from core.framework import outbox
from core.framework.extensions import db
from core.framework.sync import sync_tenant
from core.framework.tenancy import tenant_context
from core.models import BillingAccount, Invoice, OutboxMessage, Payment
from core.payments.models import PaymentIntent
from core.payments.service import SIGNATURE_HEADER, DemoPaymentProvider, demo_key
from tests.conftest import client_for
from tests.invoices.test_invoices import (
    TENANTS,
    _anyone,
    _customer,
    _customer_with_history,
    _invoice_id,
    _open_invoice,
    _owing,
    _pick,
    _tenant,
    portal,  # noqa: F401 - fixtures
)
from tests.support.outbox import TO_SUPPLIER


def _in_credit(adapter, number):
    return adapter.balance(number).amount > 0


def _rows(app, code, model, *where):
    with app.app_context(), tenant_context(code):
        rows = db.session.execute(select(model).where(*where)).scalars().all()
        db.session.expunge_all()
        return rows


def test_payments_page_shows_history_balance_and_next_due(portal, smtp_server):  # noqa: F811
    identity = _pick(portal, "innogy", _owing)
    client = _customer(portal, smtp_server, "innogy", "history@example.com", [identity])
    adapter = _tenant(portal).adapter
    page = client.get("/payments/").get_data(as_text=True)
    for payment in adapter.payments(identity["account_number"])[:5]:
        assert payment.reference in page
    assert "to pay" in page and "Next payment due" in page and "Pay now" in page
    assert "Payments are registered" not in page  # innogy asks for no such note


def test_credit_shows_as_overpayment_with_nothing_to_pay(portal, smtp_server):  # noqa: F811
    identity = _pick(portal, "innogy", _in_credit)
    client = _customer(portal, smtp_server, "innogy", "credit@example.com", [identity])
    page = client.get("/payments/").get_data(as_text=True)
    assert "overpayment (credit on your account)" in page
    with portal.app_context(), tenant_context("innogy"):
        account_id = db.session.execute(
            select(BillingAccount.id).where(BillingAccount.number == identity["account_number"])).scalar_one()
    assert f"/payments/pay/account/{account_id}" not in page
    assert client.get(f"/payments/pay/account/{account_id}").status_code == 404


def test_italiangas_payments_page_carries_the_suppliers_note(portal, smtp_server):  # noqa: F811
    identity = _pick(portal, "italiangas", _anyone)
    client = _customer(portal, smtp_server, "italiangas", "nota@example.it", [identity], language="it")
    page = client.get("/payments/").get_data(as_text=True)
    assert "I pagamenti vengono registrati nell" in page and "Area Clienti entro pochi giorni." in page


def test_payment_history_pages(portal, smtp_server):  # noqa: F811
    client = _customer_with_history(portal, smtp_server, "paged@example.com", 1)
    with portal.app_context(), tenant_context("innogy"):
        account = db.session.execute(select(BillingAccount).where(BillingAccount.number == "HIST-1")).scalar_one()
        for k in range(25):
            db.session.add(Payment(account_id=account.id, reference=f"PAY-{k:03d}", amount=Decimal("5.00"),
                                   currency="PLN", booked_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=k)))
        db.session.commit()
    first = client.get("/payments/").get_data(as_text=True)
    assert "PAY-024" in first and "PAY-004" not in first and "/payments/?page=2" in first
    second = client.get("/payments/?page=2").get_data(as_text=True)
    assert "PAY-004" in second and "PAY-024" not in second


def _start(client, path: str, amount: str):
    """Submit the pay form: the demo bank's address, and the payment's token in it."""
    response = client.submit(path, {"amount": amount})
    assert response.status_code == 302, response.get_data(as_text=True)
    bank = urlsplit(response.location)
    assert bank.netloc in ("", client.host), response.location  # the bank page is on the brand's own host
    token = re.search(r"/payments/demo-bank/([^?]+)", bank.path).group(1)
    return f"{bank.path}?{bank.query}", token


@pytest.mark.parametrize("code", sorted(TENANTS))
def test_pay_now_end_to_end_with_the_demo_bank(portal, smtp_server, code):  # noqa: F811
    identity = _pick(portal, code, _owing)
    number = identity["account_number"]
    client = _customer(portal, smtp_server, code, f"pay-{code}@example.com", [identity])
    tenant = _tenant(portal, code)
    invoice = _open_invoice(portal, code, number)
    invoice_id = _invoice_id(portal, code, invoice.number)
    detail = client.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    assert f"/payments/pay/invoice/{invoice_id}" in detail
    owed = invoice.gross.amount - invoice.paid.amount
    bank, token = _start(client, f"/payments/pay/invoice/{invoice_id}", str(owed))
    page = client.get(bank).get_data(as_text=True)
    assert "Demo bank" in page and "no money moves" in page
    done = client.submit(bank, {"decision": "pay", "return_to": f"/payments/done/{token}"})
    assert done.status_code == 302 and done.location.endswith(f"/payments/done/{token}")
    assert "has been received" in client.get(done.location).get_data(as_text=True)

    [intent] = _rows(portal, code, PaymentIntent)
    assert intent.status == "accepted" and intent.transaction_id.startswith("DEMO-")
    [message] = _rows(portal, code, OutboxMessage, TO_SUPPLIER)
    assert message.kind == "payment" and message.status == "delivered"
    booked = [p for p in tenant.adapter.payments(number) if p.reference == intent.transaction_id]
    assert [p.amount.amount for p in booked] == [owed]

    with portal.app_context(), tenant_context(code):
        sync_tenant(tenant, 100)
    [row] = _rows(portal, code, Invoice, Invoice.number == invoice.number)
    assert row.status == "paid"
    assert intent.transaction_id in client.get("/payments/").get_data(as_text=True)
    assert "accepted by the supplier" in client.get("/payments/").get_data(as_text=True)


def test_paying_the_balance_changes_it_at_the_next_sync(portal, smtp_server):  # noqa: F811
    identity = _pick(portal, "innogy", _owing)
    number = identity["account_number"]
    client = _customer(portal, smtp_server, "innogy", "balance@example.com", [identity])
    tenant = _tenant(portal)
    before = tenant.adapter.balance(number).amount
    [account] = _rows(portal, "innogy", BillingAccount, BillingAccount.number == number)
    bank, token = _start(client, f"/payments/pay/account/{account.id}", "10,50")
    client.submit(bank, {"decision": "pay"})
    with portal.app_context(), tenant_context("innogy"):
        sync_tenant(tenant, 100)
    [account] = _rows(portal, "innogy", BillingAccount, BillingAccount.number == number)
    assert account.balance_amount == before + Decimal("10.50")


def test_the_dashboard_offers_to_pay_and_then_shows_the_payment_on_its_way(portal, smtp_server):  # noqa: F811
    identity = _pick(portal, "innogy", _owing)
    number = identity["account_number"]
    client = _customer(portal, smtp_server, "innogy", "dashboard-pay@example.com", [identity])
    [account] = _rows(portal, "innogy", BillingAccount, BillingAccount.number == number)
    pay = f'href="/payments/pay/account/{account.id}"'
    dashboard = client.get("/").get_data(as_text=True)
    assert pay in dashboard and "Pay now" in dashboard
    newest = max(_rows(portal, "innogy", Invoice, Invoice.account_id == account.id), key=lambda i: (i.issued_on, i.id))
    assert f'<a href="/invoices/{newest.id}">{newest.number}</a>' in dashboard  # the rows lead to the invoice
    bank, _token = _start(client, f"/payments/pay/account/{account.id}", "10,50")
    client.submit(bank, {"decision": "pay"})
    for path in ("/", "/payments/"):  # paid, not yet in the balance: no second invitation to pay
        page = client.get(path).get_data(as_text=True)
        assert re.search(r"Your payment of PLN\s?10.50 is on its way", page) and pay not in page, path
    with portal.app_context(), tenant_context("innogy"):
        sync_tenant(_tenant(portal), 100)
    page = client.get("/").get_data(as_text=True)
    assert "on its way" not in page and pay in page  # booked: the balance holds it, the rest is to pay


def test_cancelled_at_the_bank_books_nothing(portal, smtp_server):  # noqa: F811
    identity = _pick(portal, "innogy", _owing)
    client = _customer(portal, smtp_server, "innogy", "cancel@example.com", [identity])
    invoice_id = _invoice_id(portal, "innogy", _open_invoice(portal, "innogy", identity["account_number"]).number)
    bank, token = _start(client, f"/payments/pay/invoice/{invoice_id}", "1.00")
    done = client.submit(bank, {"decision": "cancel"})
    assert "was cancelled" in client.get(done.location).get_data(as_text=True)
    [intent] = _rows(portal, "innogy", PaymentIntent)
    assert intent.status == "cancelled" and not _rows(portal, "innogy", OutboxMessage, TO_SUPPLIER)
    # the bank page of a finished payment only sends the customer back
    assert client.get(bank).status_code == 302


@pytest.mark.parametrize(("amount", "message"), [
    ("0", "greater than zero"), ("-5", "greater than zero"), ("1.005", "decimal places"),
    ("abc", "Enter a number"), ("", "required"), ("999999", "at most"),
])
def test_amount_is_validated_and_nothing_is_started(portal, smtp_server, amount, message):  # noqa: F811
    identity = _pick(portal, "innogy", _owing)
    client = _customer(portal, smtp_server, "innogy", "amount@example.com", [identity])
    invoice_id = _invoice_id(portal, "innogy", _open_invoice(portal, "innogy", identity["account_number"]).number)
    response = client.submit(f"/payments/pay/invoice/{invoice_id}", {"amount": amount})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert not _rows(portal, "innogy", PaymentIntent)


def _callback(app, client, token: str, amount: Decimal, transaction: str = "TX-1", signature: str | None = None,
              code: str = "innogy", currency: str = "PLN"):
    with app.app_context():
        provider = DemoPaymentProvider(demo_key(app.config["SECRET_KEY"], code), app.extensions["portal_tenants"][code])
    body, headers = provider.notification(token, transaction, True, Money(amount, currency))
    if signature is not None:
        headers = {SIGNATURE_HEADER: signature} if signature else {}
    return client.post("/payments/callback/demo", data=body, headers=headers, content_type="application/json")


def _started(app, smtp_server, email: str, amount: str = "12.34"):
    identity = _pick(app, "innogy", _owing)
    client = _customer(app, smtp_server, "innogy", email, [identity])
    [account] = _rows(app, "innogy", BillingAccount, BillingAccount.number == identity["account_number"])
    _, token = _start(client, f"/payments/pay/account/{account.id}", amount)
    return client, token, identity["account_number"]


def test_callback_delivered_twice_books_the_payment_once(portal, smtp_server):  # noqa: F811
    client, token, number = _started(portal, smtp_server, "twice@example.com")
    provider_side = client_for(portal)  # the provider has no session with the portal
    assert _callback(portal, provider_side, token, Decimal("12.34")).status_code == 200
    assert _callback(portal, provider_side, token, Decimal("12.34")).status_code == 200
    [intent] = _rows(portal, "innogy", PaymentIntent)
    assert intent.status == "accepted" and intent.transaction_id == "TX-1"
    assert len(_rows(portal, "innogy", OutboxMessage, TO_SUPPLIER)) == 1
    booked = [p for p in _tenant(portal).adapter.payments(number) if p.reference == "TX-1"]
    assert len(booked) == 1


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "garbage"])
def test_callback_with_a_bad_or_missing_signature_is_refused(portal, smtp_server, signature):  # noqa: F811
    client, token, number = _started(portal, smtp_server, "forged@example.com")
    response = _callback(portal, client_for(portal), token, Decimal("12.34"), signature=signature)
    assert response.status_code == 400
    [intent] = _rows(portal, "innogy", PaymentIntent)
    assert intent.status == "started" and intent.transaction_id is None
    assert not _rows(portal, "innogy", OutboxMessage, TO_SUPPLIER)


def test_callback_for_another_amount_or_tenant_is_refused(portal, smtp_server):  # noqa: F811
    client, token, number = _started(portal, smtp_server, "mismatch@example.com")
    assert _callback(portal, client_for(portal), token, Decimal("99.99")).status_code == 400
    assert _callback(portal, client_for(portal), token, Decimal("12.34"), code="cez").status_code == 400
    assert _callback(portal, client_for(portal), "no-such-token", Decimal("12.34")).status_code == 400
    assert [i.status for i in _rows(portal, "innogy", PaymentIntent)] == ["started"]


def test_outbox_delivers_the_payment_once_the_back_end_is_back(portal, smtp_server, monkeypatch):  # noqa: F811
    client, token, number = _started(portal, smtp_server, "later@example.com")
    adapter = _tenant(portal).adapter
    real = adapter.submit_request

    def down(*args, **kwargs):
        raise BackendUnavailable("connection refused")

    monkeypatch.setattr(adapter, "submit_request", down)
    assert _callback(portal, client_for(portal), token, Decimal("12.34")).status_code == 200
    [intent] = _rows(portal, "innogy", PaymentIntent)
    assert intent.status == "received"
    assert "received" in client.get("/payments/").get_data(as_text=True)
    monkeypatch.setattr(adapter, "submit_request", real)
    with portal.app_context(), tenant_context("innogy"):
        message = db.session.execute(select(OutboxMessage).where(TO_SUPPLIER)).scalar_one()
        assert message.status == "pending" and message.attempts == 1
        message.next_attempt_at = message.created_at
        db.session.commit()
        assert outbox.relay(_tenant(portal)).delivered == 1
    [intent] = _rows(portal, "innogy", PaymentIntent)
    assert intent.status == "accepted"
    assert [p.amount.amount for p in adapter.payments(number) if p.reference == "TX-1"] == [Decimal("12.34")]


@pytest.mark.parametrize("code", sorted(TENANTS))
def test_pages_render_in_every_language(portal, smtp_server, code):  # noqa: F811
    identity = _pick(portal, code, _owing)
    client = _customer(portal, smtp_server, code, f"langs-{code}@example.com", [identity])
    invoice_id = _invoice_id(portal, code, _open_invoice(portal, code, identity["account_number"]).number)
    _, token = _start(client, f"/payments/pay/invoice/{invoice_id}", "1.00")
    pages = ["/invoices/", "/invoices/?status=paid", f"/invoices/{invoice_id}", "/payments/",
             f"/payments/pay/invoice/{invoice_id}", f"/payments/demo-bank/{token}", f"/payments/done/{token}"]
    for locale in _tenant(portal, code).locales:
        client.get("/payments/")
        switched = client.post("/language", data={"csrf_token": client.last_csrf, "locale": locale, "next": "/payments/"})
        assert switched.status_code == 302
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, (locale, path)
            assert f'<html lang="{locale}">' in response.get_data(as_text=True), (locale, path)
        document = client.get(f"/invoices/{invoice_id}/pdf")
        assert document.status_code == 200 and document.data.startswith(b"%PDF")
