"""The dashboard: a query count that grows with neither accounts nor history, a login, and the
synced copy with a notice while the back-end is down."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from core.billing.contract import BackendUnavailable, InvoiceRecord, InvoiceStatus, Money
from core.framework.sync import sync_tenant
from core.framework.tenancy import tenant_context
from tests.conftest import client_for, link_account, register_and_activate, sign_in
from tests.support.accounts import monthly_history, point_record, store_and_link
from tests.support.queries import count_queries


def test_dashboard_query_count_does_not_grow_with_accounts(app, signed_in, demo_identity):
    link_account(signed_in, demo_identity[0])
    one = count_queries(app, signed_in, "/")
    for identity in demo_identity[1:4]:
        link_account(signed_in, identity)
    four = count_queries(app, signed_in, "/")
    assert one == four


def test_dashboard_query_count_is_the_same_for_one_year_and_ten_years_of_history(app, smtp_server):
    counts = {}
    for years in (1, 10):
        email = f"history{years}@example.com"
        client = client_for(app)
        register_and_activate(client, smtp_server, email)
        sign_in(client, email)
        point = point_record(f"59000000000000{years:04d}")
        invoices, payments, readings = monthly_history(f"H{years}", point, years)
        store_and_link(app, "innogy", email, f"H{years}", [point], readings, invoices=invoices, payments=payments)
        client.get("/")  # warm-up: the first page of a login does one-off work
        counts[years] = count_queries(app, client, "/")
        assert f"H{years}/F/0000" in client.get("/").get_data(as_text=True)  # the newest invoice is shown
    assert counts[1] == counts[10]


def test_dashboard_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.location


def test_dashboard_with_the_backend_down_shows_the_copy_and_a_notice(app, linked, demo_identity, monkeypatch):
    identity = demo_identity[0]
    tenant = app.extensions["portal_tenants"]["innogy"]
    for name in ("changes_since", "find_account", "invoices", "payments", "supply_points", "snapshot"):
        monkeypatch.setattr(tenant.adapter, name, lambda *a, **k: (_ for _ in ()).throw(BackendUnavailable("down")))
    with app.app_context(), tenant_context("innogy"):
        assert sync_tenant(tenant).error == "down"
    page = linked.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert identity["customer_number"] in html
    assert "We cannot reach our billing system" in html


def _unpaid(number: str, amount: str, due_on: dt.date) -> InvoiceRecord:
    owed = Money(Decimal(amount), "PLN")
    return InvoiceRecord(number, due_on - dt.timedelta(days=14), due_on - dt.timedelta(days=44),
                         due_on - dt.timedelta(days=15), due_on, owed, Money(Decimal("0.00"), "PLN"),
                         InvoiceStatus.UNPAID, "590310600000000017")


def _next_due_card(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'aria-labelledby="next-due">(.*?)</section>', page, re.DOTALL).group(1)


def test_the_next_payment_says_by_when_and_does_not_repeat_the_balance(app, smtp_server):
    """One invoice makes the whole debt: the balance card gives the amount, the next payment its
    day. Two invoices due on different days: the next payment is the nearer one's amount."""
    due = dt.date(2026, 12, 15)
    for email, invoices, balance in (
        ("whole@example.com", [_unpaid("F/1", "525.34", due)], "-525.34"),
        ("part@example.com", [_unpaid("F/2", "200.00", due), _unpaid("F/3", "325.34", due + dt.timedelta(days=30))],
         "-525.34"),
    ):
        client = client_for(app)
        register_and_activate(client, smtp_server, email)
        sign_in(client, email)
        store_and_link(app, "innogy", email, email.split("@")[0].upper(), [point_record("590310600000000017")],
                       invoices=invoices, balance=balance)
        card = _next_due_card(client)
        if email.startswith("whole"):
            assert "December 15, 2026" in card and "The whole balance is due on this day." in card
            assert "525.34" not in card
        else:
            assert "PLN200.00" in card and "due on December 15, 2026" in card
