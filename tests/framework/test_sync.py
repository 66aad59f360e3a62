"""The sync engine: incremental, batched, idempotent, and pages survive a dead back-end."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from core.billing.contract import BackendUnavailable
from core.framework.extensions import db
from core.framework.sync import store_snapshot, sync_tenant
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


def _snapshot(number, points=(), invoices=(), payments=(), reading_records=(), holder="Anna Nowak"):
    from decimal import Decimal

    from core.billing.contract import AccountRecord, AccountSnapshot, Address, Money

    return AccountSnapshot(
        AccountRecord(number, holder, Address("ul. Prosta 1", "00-001", "Warszawa", "PL"), Money(Decimal("0.00"), "PLN"),
                      dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
        tuple(points), tuple(invoices), tuple(payments), tuple(reading_records),
    )


def test_stored_readings_follow_the_rules_of_a_customers_submission(app):
    """A recorded reading takes the back-end's new value; a customer's submission that comes back keeps
    its row, value and status; a rejected one makes way for the back-end's; twice in a batch: the last."""
    from decimal import Decimal

    from core.framework.sync import store_snapshots
    from core.models import MeterReading, SupplyPoint
    from tests.support.accounts import point_record, readings

    point = point_record("PL0000000000001234")
    serial = point.meters[0].serial_number
    at = [dt.datetime(2025, month, 1, 6, tzinfo=dt.UTC) for month in (1, 2, 3, 4)]
    with app.app_context(), tenant_context("innogy"):
        store_snapshot(_snapshot("1000000001", [point], reading_records=readings(point, [(at[0], 100)])))
        point_id = db.session.execute(select(SupplyPoint.id)).scalar_one()
        db.session.add_all([
            MeterReading(supply_point_id=point_id, meter_serial=serial, register="1.8.0", read_at=at[1],
                         value=Decimal(200), unit="kWh", source="customer", status="accepted", submission_key="own"),
            MeterReading(supply_point_id=point_id, meter_serial=serial, register="1.8.0", read_at=at[2],
                         value=Decimal(300), unit="kWh", source="customer", status="rejected", submission_key="turned"),
        ])
        db.session.commit()
        again = readings(point, [(at[0], 101), (at[1], 205), (at[2], 310), (at[3], 400), (at[3], 401)])
        store_snapshots([_snapshot("1000000001", [point], reading_records=again)])
        store_snapshots([_snapshot("1000000001", [point], reading_records=again)])  # the same batch again
        db.session.commit()
        rows = db.session.execute(
            select(MeterReading.read_at, MeterReading.value, MeterReading.status, MeterReading.submission_key)
            .order_by(MeterReading.read_at, MeterReading.id)
        ).all()
    assert [(r.read_at, r.value, r.status, r.submission_key) for r in rows] == [
        (at[0], Decimal("101.000"), "recorded", None),
        (at[1], Decimal("200.000"), "accepted", "own"),
        (at[2], Decimal("300.000"), "rejected", "turned"),
        (at[2], Decimal("310.000"), "recorded", None),
        (at[3], Decimal("401.000"), "recorded", None),
    ]


def test_stored_invoices_and_payments_belong_to_their_tenant(app):
    """The same invoice number and payment reference in two tenants are two rows; storing one tenant's
    copy again leaves the other's as it is, and a change updates the row."""
    from decimal import Decimal

    from core.billing.contract import InvoiceRecord, InvoiceStatus, Money, PaymentRecord

    def invoice(paid):
        return InvoiceRecord("F/2025/0001", dt.date(2025, 1, 1), dt.date(2024, 12, 1), dt.date(2024, 12, 31),
                             dt.date(2025, 1, 15), Money(Decimal("120.50"), "PLN"), Money(Decimal(paid), "PLN"),
                             InvoiceStatus.PAID if paid == "120.50" else InvoiceStatus.UNPAID)

    payment = PaymentRecord("P/0001", dt.datetime(2025, 1, 10, 9, tzinfo=dt.UTC), Money(Decimal("120.50"), "PLN"),
                            "F/2025/0001")
    with app.app_context():
        with tenant_context("second"):
            store_snapshot(_snapshot("1000000001", invoices=[invoice("0.00")], holder="Second"))
            db.session.commit()
        with tenant_context("innogy"):
            store_snapshot(_snapshot("1000000001", invoices=[invoice("0.00")], payments=[payment]))
            db.session.commit()
            store_snapshot(_snapshot("1000000001", invoices=[invoice("120.50")], payments=[payment]))
            db.session.commit()
            assert _counts() == (1, 1, 1)
            mine = db.session.execute(select(Invoice)).scalar_one()
            assert (mine.paid_amount, mine.status) == (Decimal("120.50"), "paid")
        with tenant_context("second"):
            assert _counts() == (1, 1, 0)
            theirs = db.session.execute(select(Invoice)).scalar_one()
            assert (theirs.paid_amount, theirs.status) == (Decimal("0.00"), "unpaid")
            assert theirs.account_id == db.session.execute(select(BillingAccount.id)).scalar_one()


def test_an_invoice_that_moves_to_a_new_account_stays_one_row(app):
    """On PostgreSQL the rows of a new account are copied straight into their tables; one that is
    there already (under another account) makes the batch merge them instead of failing."""
    from decimal import Decimal

    from core.billing.contract import InvoiceRecord, InvoiceStatus, Money

    invoice = InvoiceRecord("F/2025/0003", dt.date(2025, 1, 1), dt.date(2024, 12, 1), dt.date(2024, 12, 31),
                            dt.date(2025, 1, 15), Money(Decimal("60.00"), "PLN"), Money(Decimal("0.00"), "PLN"),
                            InvoiceStatus.UNPAID)
    with app.app_context(), tenant_context("innogy"):
        store_snapshot(_snapshot("1000000003", invoices=[invoice]))
        db.session.commit()
        account = store_snapshot(_snapshot("1000000004", invoices=[invoice]))  # a new account takes it over
        db.session.commit()
        assert db.session.execute(select(Invoice.account_id)).scalars().all() == [account.id]
