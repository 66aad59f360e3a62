"""The sync engine: incremental, batched, idempotent, and pages survive a dead back-end."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from core.billing.contract import BackendUnavailable
from core.framework.extensions import db
from core.framework.sync import sync_tenant
from core.framework.tenancy import tenant_context
from core.models import BillingAccount, Invoice, Payment, SyncState


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


def _run(app, *args):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from core.cli import main

    return CliRunner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def test_portal_sync_command(app):
    result = _run(app, "sync", "--tenant", "innogy")
    assert result.exit_code == 0, result.output
    assert "innogy: 50 accounts in 1 batches, up to date" in result.output
    assert _run(app, "sync", "--tenant", "nope").exit_code != 0


def test_portal_outbox_commands_list_and_requeue_parked(app, demo_identity):
    from core.framework.sync import import_account
    from core.models import OutboxMessage, User, utcnow
    from core.service_requests.service import file_request

    tenant = app.extensions["portal_tenants"]["innogy"]
    with app.app_context(), tenant_context("innogy"):
        user = User(email="ops@example.com", password_hash="x", terms_version="1", terms_accepted_at=utcnow())
        db.session.add(user)
        account = import_account(tenant, demo_identity[0]["account_number"])
        db.session.commit()
        file_request(user, account, "contact_update", {"email": "x@example.com"}, "ops-submission-000001")
        db.session.execute(db.update(OutboxMessage).values(status="parked", attempts=8, last_error="timed out"))
        db.session.commit()
    listed = _run(app, "outbox", "list")
    assert "innogy\tservice_request\t8 attempts\ttimed out" in listed.output and "1 parked" in listed.output
    assert "requeued 1" in _run(app, "outbox", "requeue", "--tenant", "innogy").output
    assert "0 parked" in _run(app, "outbox", "list").output
