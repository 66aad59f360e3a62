"""The dashboard: a query count that grows with neither accounts nor history, a login, and the
synced copy with a notice while the back-end is down."""

from __future__ import annotations

from core.billing.contract import BackendUnavailable
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
