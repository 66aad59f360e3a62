"""The sync engine: incremental, batched, idempotent, and pages survive a dead back-end."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from core.billing.contract import BackendUnavailable
from core.extensions import db
from core.models import BillingAccount, Invoice, Payment, SyncState
from core.sync import sync_tenant
from core.tenancy import tenant_context


def _counts():
    return tuple(
        db.session.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (BillingAccount, Invoice, Payment)
    )


def test_full_sync_then_repeat_makes_no_duplicates(app):
    tenant = app.extensions["portal_tenants"]["innogy"]
    expected_invoices = sum(len(tenant.adapter.invoices(i["account_number"])) for i in tenant.adapter.demo_identities())
    with app.app_context(), tenant_context("innogy"):
        report = sync_tenant(tenant, batch_size=7)
        assert report.accounts == 50 and report.batches == 8 and report.error is None
        first = _counts()
        assert first[0] == 50 and first[1] == expected_invoices
        db.session.execute(db.update(SyncState).values(cursor=None))  # replay everything
        db.session.commit()
        sync_tenant(tenant, batch_size=7)
        assert _counts() == first


def test_interrupted_sync_leaves_no_half_batch_and_resumes(app, monkeypatch):
    tenant = app.extensions["portal_tenants"]["innogy"]
    real = tenant.adapter.snapshot
    calls = {"n": 0}

    def flaky(number):
        calls["n"] += 1
        if calls["n"] == 13:  # in the middle of the second batch of ten
            raise BackendUnavailable("connection reset")
        return real(number)

    monkeypatch.setattr(tenant.adapter, "snapshot", flaky)
    with app.app_context(), tenant_context("innogy"):
        report = sync_tenant(tenant, batch_size=10)
        assert report.batches == 1 and report.error == "connection reset"
        assert _counts()[0] == 10  # the first batch only, nothing of the second
        state = db.session.execute(select(SyncState)).scalar_one()
        assert state.cursor == "10" and state.failing
        report = sync_tenant(tenant, batch_size=10)
        assert report.error is None and _counts()[0] == 50
        assert not db.session.execute(select(SyncState)).scalar_one().failing


def test_accepted_reading_is_picked_up_by_the_next_sync(app):
    from core.billing.contract import ReadingSubmission

    tenant = app.extensions["portal_tenants"]["innogy"]
    adapter = tenant.adapter
    with app.app_context(), tenant_context("innogy"):
        sync_tenant(tenant)
        for identity in adapter.demo_identities():
            number = identity["account_number"]
            for point in adapter.supply_points(number):
                if "meter_readings" not in point.capabilities:
                    continue
                readings = adapter.readings(number, point.identifier)
                meter = point.meters[0]
                latest = {}
                for r in readings:
                    latest.setdefault(r.register, r)
                result = adapter.submit_reading(ReadingSubmission(
                    number, point.identifier, meter.serial_number,
                    {reg: latest[reg].value + 10 for reg in meter.registers},
                    max(r.read_at for r in readings) + dt.timedelta(days=1)), "sync-test-1")
                assert result.status == "accepted"
                report = sync_tenant(tenant)
                assert report.accounts == 1
                return
    pytest.fail("no supply point takes readings")


def test_dashboard_with_the_backend_down_shows_the_copy_and_a_notice(app, signed_in, demo_identity, monkeypatch):
    identity = demo_identity[0]
    signed_in.submit("/accounts/link", {"method": "invoice", **{k: identity[k] for k in ("customer_number", "invoice_number", "gross_amount")}})
    tenant = app.extensions["portal_tenants"]["innogy"]
    for name in ("changes_since", "find_account", "invoices", "payments", "supply_points", "snapshot"):
        monkeypatch.setattr(tenant.adapter, name, lambda *a, **k: (_ for _ in ()).throw(BackendUnavailable("down")))
    with app.app_context(), tenant_context("innogy"):
        assert sync_tenant(tenant).error == "down"
    page = signed_in.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert identity["customer_number"] in html
    assert "We cannot reach our billing system" in html
