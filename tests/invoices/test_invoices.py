"""Invoices and payments through HTTP: the list, filters, PDFs, balances, and "pay now"
with the demo bank, its signed callback and delivery through the outbox, in every tenant."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.billing.contract import BackendUnavailable, Money
from core.framework import outbox
from core.framework.extensions import db
from core.framework.sync import sync_tenant
from core.framework.tenancy import tenant_context
from core.invoices.service import PAGE_SIZE
from core.models import AccountLink, BillingAccount, Invoice, OutboxMessage, Payment, User, utcnow
from core.payments.models import PaymentIntent
from core.payments.service import SIGNATURE_HEADER, DemoPaymentProvider, demo_key
from tests.conftest import client_for, link_account, register_and_activate, sign_in
from tests.support.outbox import TO_SUPPLIER
from tests.support.queries import count_queries

TENANTS = {
    "innogy": {"plugin": "innogy_pl", "hosts": ["innogy.test"]},
    "cez": {"plugin": "cez_cz", "hosts": ["cez.test"]},
    "doe": {"plugin": "doe_ua", "hosts": ["doe.test"]},
    "italiangas": {"plugin": "italiangas_it", "hosts": ["italiangas.test"]},
}
OPEN = ("unpaid", "overdue", "partially_paid")


@pytest.fixture
def portal(make_app):
    return make_app(TENANTS=TENANTS)


def _tenant(app, code="innogy"):
    return app.extensions["portal_tenants"][code]


def _identities(app, code):
    with app.app_context():
        return _tenant(app, code).adapter.demo_identities()


def _pick(app, code, wanted, skip=()):
    """A demo identity whose account fits ``wanted(adapter, number)``."""
    adapter = _tenant(app, code).adapter
    for identity in _identities(app, code):
        if identity["account_number"] not in skip and wanted(adapter, identity["account_number"]):
            return identity
    raise AssertionError("no demo customer fits")


def _owing(adapter, number):
    return adapter.balance(number).amount < 0 and any(i.status in OPEN for i in adapter.invoices(number))


def _in_credit(adapter, number):
    return adapter.balance(number).amount > 0


def _anyone(adapter, number):
    return True


def _customer(app, smtp_server, code, email, identities=(), language="en"):
    """A signed-in customer of tenant ``code`` with these demo identities linked."""
    client = client_for(app, TENANTS[code]["hosts"][0], language=language)
    register_and_activate(client, smtp_server, email)
    assert sign_in(client, email).status_code == 302
    for identity in identities:
        link_account(client, identity)
    return client


def _invoice_id(app, code, number):
    with app.app_context(), tenant_context(code):
        return db.session.execute(select(Invoice.id).where(Invoice.number == number)).scalar_one()


def _open_invoice(app, code, account_number):
    return next(i for i in _tenant(app, code).adapter.invoices(account_number) if i.status in OPEN)


def _rows(app, code, model, *where):
    with app.app_context(), tenant_context(code):
        rows = db.session.execute(select(model).where(*where)).scalars().all()
        db.session.expunge_all()
        return rows


def _pdf_title(document: bytes) -> str:
    """The document title from the PDF's info dictionary (plain or UTF-16 string)."""
    plain = re.search(rb"/Title \((.*?)\)\n", document)
    if plain:
        return plain.group(1).decode("latin-1")
    return bytes.fromhex(re.search(rb"/Title <feff([0-9a-f]+)>", document).group(1).decode()).decode("utf-16-be")


# --- the invoice list ------------------------------------------------------------------------------------


def test_list_shows_every_invoice_with_amount_due_date_and_status(portal, smtp_server):
    identity = _pick(portal, "innogy", _owing)
    client = _customer(portal, smtp_server, "innogy", "list@example.com", [identity])
    invoices = _tenant(portal).adapter.invoices(identity["account_number"])
    page = client.get("/invoices/").get_data(as_text=True)
    assert f"{len(invoices)} invoices" in page
    for invoice in invoices[:PAGE_SIZE]:
        assert invoice.number in page
        assert f'href="/invoices/{_invoice_id(portal, "innogy", invoice.number)}"' in page
    assert "paid" in page and ("unpaid" in page or "overdue" in page)
    assert "<caption>" in page and 'scope="col"' in page


def test_filters_by_year_and_by_status(portal, smtp_server):
    identity = _pick(portal, "innogy", _owing)
    client = _customer(portal, smtp_server, "innogy", "filters@example.com", [identity])
    invoices = _tenant(portal).adapter.invoices(identity["account_number"])
    year = invoices[-1].issued_on.year
    page = client.get(f"/invoices/?year={year}").get_data(as_text=True)
    for invoice in invoices:
        assert (invoice.number in page) == (invoice.issued_on.year == year)
    page = client.get("/invoices/?status=paid").get_data(as_text=True)
    paid = [i.number for i in invoices if i.status == "paid"]
    assert f"{len(paid)} invoices" in page and all(number in page for number in paid[:PAGE_SIZE])
    assert not any(i.number in page for i in invoices if i.status != "paid")
    assert '<option value="paid" selected>' in page
    # nonsense filters are ignored rather than failing
    assert client.get("/invoices/?year=abc&status=stolen&account=99999").status_code == 200


def test_filter_by_account_when_the_customer_has_several(portal, smtp_server):
    first = _pick(portal, "innogy", _anyone)
    second = _pick(portal, "innogy", _anyone, skip=(first["account_number"],))
    client = _customer(portal, smtp_server, "innogy", "two@example.com", [first, second])
    adapter = _tenant(portal).adapter
    page = client.get("/invoices/").get_data(as_text=True)
    assert 'name="account"' in page
    with portal.app_context(), tenant_context("innogy"):
        account_id = db.session.execute(
            select(BillingAccount.id).where(BillingAccount.number == second["account_number"])).scalar_one()
    page = client.get(f"/invoices/?account={account_id}").get_data(as_text=True)
    assert adapter.invoices(second["account_number"])[0].number in page
    assert adapter.invoices(first["account_number"])[0].number not in page


def _customer_with_history(app, smtp_server, email: str, years: int) -> tuple:
    """A customer whose one account has ``years`` of bimonthly invoices, inserted directly."""
    client = _customer(app, smtp_server, "innogy", email)
    with app.app_context(), tenant_context("innogy"):
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        account = BillingAccount(number=f"HIST-{years}", holder_name="Jan Kowalski", street="Polna 1", postcode="00-001",
                                 city="Warszawa", balance_amount=Decimal("-10.00"), currency="PLN", data_as_of=utcnow())
        db.session.add(account)
        db.session.flush()
        db.session.add(AccountLink(user_id=user.id, account_id=account.id, method="test"))
        start = dt.date(2026, 1, 1)
        for k in range(years * 6):
            issued = dt.date(start.year - k // 6, 12 - 2 * (k % 6), 5)
            db.session.add(Invoice(
                account_id=account.id, number=f"H{years}/{k:03d}", issued_on=issued, period_start=issued.replace(day=1),
                period_end=issued.replace(day=28), due_on=issued + dt.timedelta(days=14), gross_amount=Decimal("100.00"),
                paid_amount=Decimal("100.00") if k else Decimal("0.00"), currency="PLN", status="paid" if k else "unpaid",
            ))
        db.session.commit()
    return client


def test_the_list_takes_the_same_number_of_queries_for_one_year_and_for_ten(portal, smtp_server):
    short = _customer_with_history(portal, smtp_server, "one-year@example.com", 1)
    long = _customer_with_history(portal, smtp_server, "ten-years@example.com", 10)
    for client in (short, long):
        client.get("/invoices/")  # warm-up: first-request work is not the list's
    assert count_queries(portal, short, "/invoices/") == count_queries(portal, long, "/invoices/")
    assert count_queries(portal, long, "/invoices/?page=2") == count_queries(portal, short, "/invoices/")


def test_pages_through_a_long_history(portal, smtp_server):
    client = _customer_with_history(portal, smtp_server, "pages@example.com", 10)
    first = client.get("/invoices/").get_data(as_text=True)
    assert "60 invoices" in first and "H10/000" in first and f"H10/{PAGE_SIZE:03d}" not in first
    assert 'href="/invoices/?page=2"' in first and "Newer" not in first
    last = client.get("/invoices/?page=3").get_data(as_text=True)
    assert "H10/059" in last and "Older" not in last and 'href="/invoices/?page=2"' in last
    years = client.get("/invoices/?year=2020&page=1").get_data(as_text=True)
    assert "6 invoices" in years and '<option value="2017"' in years


# --- one invoice and its PDF ----------------------------------------------------------------------


def test_detail_shows_the_invoice_and_its_payments(portal, smtp_server):
    identity = _pick(portal, "innogy", lambda a, n: any(p.invoice_number for p in a.payments(n)))
    client = _customer(portal, smtp_server, "innogy", "detail@example.com", [identity])
    adapter = _tenant(portal).adapter
    payment = next(p for p in adapter.payments(identity["account_number"]) if p.invoice_number)
    page = client.get(f"/invoices/{_invoice_id(portal, 'innogy', payment.invoice_number)}").get_data(as_text=True)
    assert payment.invoice_number in page and payment.reference in page
    assert "/pdf" in page and "copy=duplicate" in page


def test_pdf_download_is_the_back_ends_document(portal, smtp_server):
    identity = _pick(portal, "innogy", _anyone)
    client = _customer(portal, smtp_server, "innogy", "pdf@example.com", [identity])
    invoice = _tenant(portal).adapter.invoices(identity["account_number"])[0]
    response = client.get(f"/invoices/{_invoice_id(portal, 'innogy', invoice.number)}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    document = response.data
    assert document.startswith(b"%PDF") and len(document) > 2000
    slug = invoice.number.replace("/", "-")
    assert response.headers["Content-Disposition"] == f"attachment; filename=invoice-{slug}.pdf"
    marking = _tenant(portal).adapter.profile.invoice_labels.duplicate
    assert invoice.number in _pdf_title(document) and marking not in _pdf_title(document)
    assert "no-store" in response.headers["Cache-Control"]


def test_duplicate_copy_is_marked(portal, smtp_server):
    identity = _pick(portal, "innogy", _anyone)
    client = _customer(portal, smtp_server, "innogy", "copy@example.com", [identity])
    invoice = _tenant(portal).adapter.invoices(identity["account_number"])[0]
    response = client.get(f"/invoices/{_invoice_id(portal, 'innogy', invoice.number)}/pdf?copy=duplicate")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "duplicate" in response.headers["Content-Disposition"]
    title = _pdf_title(response.data)
    assert invoice.number in title and "Duplikat" in title  # in the language of the document


def test_another_customers_invoice_pdf_and_payment_are_404(portal, smtp_server):
    mine = _pick(portal, "innogy", _owing)
    theirs = _pick(portal, "innogy", _owing, skip=(mine["account_number"],))
    _customer(portal, smtp_server, "innogy", "owner@example.com", [theirs])
    client = _customer(portal, smtp_server, "innogy", "snoop@example.com", [mine])
    invoice = _open_invoice(portal, "innogy", theirs["account_number"])
    invoice_id = _invoice_id(portal, "innogy", invoice.number)
    with portal.app_context(), tenant_context("innogy"):
        account_id = db.session.execute(
            select(BillingAccount.id).where(BillingAccount.number == theirs["account_number"])).scalar_one()
    for path in (f"/invoices/{invoice_id}", f"/invoices/{invoice_id}/pdf", f"/invoices/{invoice_id}/pdf?copy=duplicate",
                 f"/payments/pay/invoice/{invoice_id}", f"/payments/pay/account/{account_id}"):
        assert client.get(path).status_code == 404, path
    assert invoice.number not in client.get("/invoices/").get_data(as_text=True)


def test_pdf_when_the_back_end_is_down_says_so(portal, smtp_server, monkeypatch):
    identity = _pick(portal, "innogy", _anyone)
    client = _customer(portal, smtp_server, "innogy", "down@example.com", [identity])
    invoice = _tenant(portal).adapter.invoices(identity["account_number"])[0]

    def down(*args, **kwargs):
        raise BackendUnavailable("connection refused")

    monkeypatch.setattr(_tenant(portal).adapter, "invoice_pdf", down)
    response = client.get(f"/invoices/{_invoice_id(portal, 'innogy', invoice.number)}/pdf")
    assert response.status_code == 503
    assert "We cannot reach our billing system" in response.get_data(as_text=True)
    # the pages themselves read the portal's copy and keep working
    assert client.get(f"/invoices/{_invoice_id(portal, 'innogy', invoice.number)}").status_code == 200


# --- payments page ---------------------------------------------------------------------------------------


def test_payments_page_shows_history_balance_and_next_due(portal, smtp_server):
    identity = _pick(portal, "innogy", _owing)
    client = _customer(portal, smtp_server, "innogy", "history@example.com", [identity])
    adapter = _tenant(portal).adapter
    page = client.get("/payments/").get_data(as_text=True)
    for payment in adapter.payments(identity["account_number"])[:5]:
        assert payment.reference in page
    assert "to pay" in page and "Next payment due" in page and "Pay now" in page
    assert "Payments are registered" not in page  # innogy asks for no such note


def test_credit_shows_as_overpayment_with_nothing_to_pay(portal, smtp_server):
    identity = _pick(portal, "innogy", _in_credit)
    client = _customer(portal, smtp_server, "innogy", "credit@example.com", [identity])
    page = client.get("/payments/").get_data(as_text=True)
    assert "overpayment (credit on your account)" in page
    with portal.app_context(), tenant_context("innogy"):
        account_id = db.session.execute(
            select(BillingAccount.id).where(BillingAccount.number == identity["account_number"])).scalar_one()
    assert f"/payments/pay/account/{account_id}" not in page
    assert client.get(f"/payments/pay/account/{account_id}").status_code == 404


def test_italiangas_payments_page_carries_the_suppliers_note(portal, smtp_server):
    identity = _pick(portal, "italiangas", _anyone)
    client = _customer(portal, smtp_server, "italiangas", "nota@example.it", [identity], language="it")
    page = client.get("/payments/").get_data(as_text=True)
    assert "I pagamenti vengono registrati nell" in page and "Area Clienti entro pochi giorni." in page


def test_payment_history_pages(portal, smtp_server):
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


# --- pay now -----------------------------------------------------------------------------------------------


def _start(client, path: str, amount: str):
    """Submit the pay form: the demo bank's address, and the payment's token in it."""
    response = client.submit(path, {"amount": amount})
    assert response.status_code == 302, response.get_data(as_text=True)
    token = re.search(r"/payments/demo-bank/([^?]+)", response.location).group(1)
    return response.location, token


@pytest.mark.parametrize("code", sorted(TENANTS))
def test_pay_now_end_to_end_with_the_demo_bank(portal, smtp_server, code):
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


def test_paying_the_balance_changes_it_at_the_next_sync(portal, smtp_server):
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


def test_cancelled_at_the_bank_books_nothing(portal, smtp_server):
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
def test_amount_is_validated_and_nothing_is_started(portal, smtp_server, amount, message):
    identity = _pick(portal, "innogy", _owing)
    client = _customer(portal, smtp_server, "innogy", "amount@example.com", [identity])
    invoice_id = _invoice_id(portal, "innogy", _open_invoice(portal, "innogy", identity["account_number"]).number)
    response = client.submit(f"/payments/pay/invoice/{invoice_id}", {"amount": amount})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert not _rows(portal, "innogy", PaymentIntent)


def _callback(app, client, token: str, amount: Decimal, transaction: str = "TX-1", signature: str | None = None,
              code: str = "innogy", currency: str = "PLN"):
    with app.app_context():
        provider = DemoPaymentProvider(demo_key(app.config["SECRET_KEY"], code))
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


def test_callback_delivered_twice_books_the_payment_once(portal, smtp_server):
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
def test_callback_with_a_bad_or_missing_signature_is_refused(portal, smtp_server, signature):
    client, token, number = _started(portal, smtp_server, "forged@example.com")
    response = _callback(portal, client_for(portal), token, Decimal("12.34"), signature=signature)
    assert response.status_code == 400
    [intent] = _rows(portal, "innogy", PaymentIntent)
    assert intent.status == "started" and intent.transaction_id is None
    assert not _rows(portal, "innogy", OutboxMessage, TO_SUPPLIER)


def test_callback_for_another_amount_or_tenant_is_refused(portal, smtp_server):
    client, token, number = _started(portal, smtp_server, "mismatch@example.com")
    assert _callback(portal, client_for(portal), token, Decimal("99.99")).status_code == 400
    assert _callback(portal, client_for(portal), token, Decimal("12.34"), code="cez").status_code == 400
    assert _callback(portal, client_for(portal), "no-such-token", Decimal("12.34")).status_code == 400
    assert [i.status for i in _rows(portal, "innogy", PaymentIntent)] == ["started"]


def test_outbox_delivers_the_payment_once_the_back_end_is_back(portal, smtp_server, monkeypatch):
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


# --- every page, every language, every tenant -------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(TENANTS))
def test_pages_render_in_every_language(portal, smtp_server, code):
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


def test_anonymous_visitors_are_sent_to_the_login(portal):
    client = client_for(portal)
    for path in ("/invoices/", "/invoices/1", "/invoices/1/pdf", "/payments/", "/payments/pay/account/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location, path
    assert client.get("/payments/").status_code == 302
    with portal.app_context(), tenant_context("innogy"):
        assert db.session.execute(select(func.count()).select_from(PaymentIntent)).scalar_one() == 0
