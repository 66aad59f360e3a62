"""Invoices through HTTP: the list, filters, pages, one invoice and its PDF, in every tenant."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.billing.contract import BackendUnavailable
from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.invoices.service import PAGE_SIZE
from core.models import AccountLink, BillingAccount, Invoice, User, utcnow
from core.payments.models import PaymentIntent
from tests.conftest import client_for, link_account, register_and_activate, sign_in
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


# --- every page, every language, every tenant -------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(portal):
    client = client_for(portal)
    for path in ("/invoices/", "/invoices/1", "/invoices/1/pdf", "/payments/", "/payments/pay/account/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location, path
    assert client.get("/payments/").status_code == 302
    with portal.app_context(), tenant_context("innogy"):
        assert db.session.execute(select(func.count()).select_from(PaymentIntent)).scalar_one() == 0
