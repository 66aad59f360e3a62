"""The demo back-end as a separate HTTP service, and the portal talking to it."""

from __future__ import annotations

import time

import httpx
import pytest

from core.billing.contract import BackendUnavailable, Money, ReadingSubmission
from core.billing.http import HttpBillingAdapter
from plugins.innogy_pl.adapter import InnogyDemoBackend
from tests.support.outbox import TO_SUPPLIER
from tests.support.processes import BackendProcess


@pytest.fixture
def backend(tmp_path):
    process = BackendProcess(tmp_path / "state")
    process.start()
    yield process
    process.stop()


def test_http_adapter_gives_the_same_records_as_in_process(backend):
    remote = HttpBillingAdapter(backend.url, "PLN")
    local = InnogyDemoBackend()
    number = local.demo_identities()[0]["account_number"]
    assert remote.find_account(number) == local.find_account(number)
    assert remote.invoices(number) == local.invoices(number)
    assert remote.payments(number) == local.payments(number)
    assert remote.supply_points(number) == local.supply_points(number)
    assert remote.balance(number) == local.balance(number) and isinstance(remote.balance(number), Money)
    point = local.supply_points(number)[0].identifier
    assert remote.readings(number, point) == local.readings(number, point)
    assert remote.find_account("0000000000") is None
    assert remote.invoice_pdf(number, local.invoices(number)[0].number).startswith(b"%PDF")
    assert remote.changes_since(None, 5).snapshots[0].account == local.changes_since(None, 5).snapshots[0].account


def test_submissions_survive_a_restart_of_the_backend(backend):
    adapter = HttpBillingAdapter(backend.url, "PLN")
    local = InnogyDemoBackend()
    for identity in local.demo_identities():
        number = identity["account_number"]
        for point in local.supply_points(number):
            if "meter_readings" not in point.capabilities:
                continue
            readings = local.readings(number, point.identifier)
            latest = {}
            for r in readings:
                latest.setdefault(r.register, r)
            meter = point.meters[0]
            import datetime as dt

            submission = ReadingSubmission(number, point.identifier, meter.serial_number,
                                           {reg: latest[reg].value + 7 for reg in meter.registers},
                                           max(r.read_at for r in readings) + dt.timedelta(days=1))
            first = adapter.submit_reading(submission, "restart-test-0001")
            assert first.status == "accepted" and not first.duplicate
            backend.stop()
            with pytest.raises(BackendUnavailable, match="cannot connect"):
                adapter.submit_reading(submission, "restart-test-0001")
            backend.start()
            again = adapter.submit_reading(submission, "restart-test-0001")
            assert again.duplicate and again.reference == first.reference
            return
    pytest.fail("no supply point takes readings")


def test_timeouts_are_reported_as_unavailable():
    def slow(request):
        raise httpx.ReadTimeout("timed out", request=request)

    adapter = HttpBillingAdapter("http://backend.invalid/x", "PLN", transport=httpx.MockTransport(slow))
    with pytest.raises(BackendUnavailable, match="no answer in time"):
        adapter.find_account("123")


def test_portal_tenant_served_from_the_http_backend(make_app, smtp_server, backend):
    from tests.conftest import client_for, linked_customer

    app = make_app(TENANTS={"innogy": {"plugin": "innogy_pl", "hosts": ["innogy.test"],
                                       "settings": {"backend_url": backend.url, "backend_timeout": 2}}})
    tenant = app.extensions["portal_tenants"]["innogy"]
    assert isinstance(tenant.adapter, HttpBillingAdapter)
    identity = tenant.adapter.demo_identities()[0]
    client = linked_customer(client_for(app), smtp_server, identity, "http@example.com")
    backend.stop()
    page = client.get("/")
    assert page.status_code == 200 and identity["customer_number"] in page.get_data(as_text=True)
    refused = client.submit("/accounts/link", {"method": "invoice", **{k: identity[k] for k in ("customer_number", "invoice_number", "gross_amount")}})
    assert refused.status_code == 503


@pytest.mark.parametrize("settings", [{}, {"demo_bank": "yes"}, {"demo_bank": True}])
def test_the_demo_bank_serves_a_tenant_on_the_http_backend_when_its_settings_say_so(make_app, backend, settings):
    from core.payments.service import DemoPaymentProvider, payment_provider

    app = make_app(TENANTS={"innogy": {"plugin": "innogy_pl", "hosts": ["innogy.test"],
                                       "settings": {"backend_url": backend.url, **settings}}})
    with app.app_context():
        provider = payment_provider(app.extensions["portal_tenants"]["innogy"])
    assert isinstance(provider, DemoPaymentProvider) == (settings.get("demo_bank") is True)


@pytest.fixture
def backend_two_months_ago(tmp_path):
    """The back-end's data ends 60 days ago, so customers have 60 days of readings to send."""
    import datetime as dt

    process = BackendProcess(tmp_path / "state", as_of=(dt.date.today() - dt.timedelta(days=60)).isoformat())
    process.start()
    yield process
    process.stop()


@pytest.mark.slow
def test_fault_injection_every_submission_delivered_exactly_once(make_app, backend_two_months_ago):
    """1,000 readings and requests from concurrent customers; the back-end dies midway and comes back.

    Each customer sends 50 readings of one meter, a day apart, between 50 requests. The
    back-end refuses a reading older than one it holds, so any reading that overtook an
    older one after the outage would show up as rejected.
    """
    import datetime as dt
    import re
    import threading

    from sqlalchemy import select

    from core.framework import outbox
    from core.framework.extensions import db
    from core.framework.security import hash_password
    from core.framework.sync import import_account
    from core.framework.tenancy import tenant_context
    from core.models import (
        AccountLink,
        MeterReading,
        OutboxMessage,
        SupplyPoint,
        TermsAcceptance,
        User,
        utcnow,
    )
    from core.readings.service import field_name
    from core.service_requests.models import ServiceRequest
    from tests.conftest import PASSWORD, client_for, sign_in

    backend = backend_two_months_ago
    customers, readings_each, requests_each = 10, 50, 50
    app = make_app(
        TENANTS={"innogy": {"plugin": "innogy_pl", "hosts": ["innogy.test"],
                            "settings": {"backend_url": backend.url, "backend_timeout": 1}}},
        OUTBOX_BACKOFF_BASE=dt.timedelta(milliseconds=10), OUTBOX_BACKOFF_CAP=dt.timedelta(seconds=1),
        OUTBOX_MAX_ATTEMPTS=10_000,
    )
    tenant = app.extensions["portal_tenants"]["innogy"]
    meters = {}  # customer -> (supply point id, {register: newest value}, newest reading date)
    for identity in tenant.adapter.demo_identities():
        for point in tenant.adapter.supply_points(identity["account_number"]):
            if "meter_readings" in point.capabilities and identity["account_number"] not in meters:
                history = tenant.adapter.readings(identity["account_number"], point.identifier)
                newest = {}
                for reading in history:
                    newest.setdefault(reading.register, reading.value)
                meters[identity["account_number"]] = (point.identifier, newest, max(r.read_at for r in history).date())
    assert len(meters) >= customers
    numbers = list(meters)[:customers]
    with app.app_context(), tenant_context("innogy"):
        password_hash = hash_password(PASSWORD)
        for n, number in enumerate(numbers):
            now = utcnow()
            user = User(email=f"c{n}@example.com", password_hash=password_hash, terms_version=app.config["TERMS_VERSION"],
                        terms_accepted_at=now, activated_at=now)
            db.session.add(user)
            db.session.flush()
            db.session.add(TermsAcceptance(user_id=user.id, version=app.config["TERMS_VERSION"]))
            account = import_account(tenant, number)
            db.session.add(AccountLink(user_id=user.id, account_id=account.id, method="test"))
            identifier, newest, last = meters[number]
            point_id = db.session.execute(select(SupplyPoint.id).where(SupplyPoint.identifier == identifier)).scalar_one()
            meters[number] = (point_id, newest, last)
        db.session.commit()

    submitted = []
    lock = threading.Lock()
    errors = []

    def send_request(client, n: int, i: int) -> str | None:
        page = client.get("/requests/new/contact_update").get_data(as_text=True)
        account = re.search(r'name="account"[^>]*>\s*<option value="(\d+)"', page).group(1)
        key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
        response = client.post("/requests/new/contact_update", data={
            "csrf_token": client.last_csrf, "account": account, "submission_key": key,
            "email": f"c{n}.r{i}@example.com"})
        return key if response.status_code == 302 else f"request: {response.status_code}"

    def send_reading(client, n: int, i: int) -> str | None:
        point_id, newest, last = meters[numbers[n]]
        path = f"/readings/new/{point_id}"
        page = client.get(path).get_data(as_text=True)
        key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
        form = {field_name(register): str(value + 3 * (i + 1)) for register, value in newest.items()}
        response = client.post(path, data={
            "csrf_token": client.last_csrf, "submission_key": key,
            "read_on": (last + dt.timedelta(days=i + 1)).isoformat(), **form})
        return key if response.status_code == 302 else f"reading: {response.status_code}"

    def customer(n: int) -> None:
        try:
            submit_all(n)
        except Exception as exc:  # noqa: BLE001 - a thread's failure must fail the test, not vanish
            errors.append((n, repr(exc)))

    def submit_all(n: int) -> None:
        client = client_for(app)
        assert sign_in(client, f"c{n}@example.com").status_code == 302
        for i in range(readings_each + requests_each):
            key = (send_reading if i % 2 else send_request)(client, n, i // 2)
            if ":" in key:
                errors.append((n, i, key))
                continue
            with lock:
                submitted.append(key)
                total = len(submitted)
            if total == 300:
                backend.stop()
            elif total == 700:
                backend.start()

    threads = [threading.Thread(target=customer, args=(n,)) for n in range(customers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(submitted) == customers * (readings_each + requests_each)

    with app.app_context(), tenant_context("innogy"):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            outbox.relay(tenant, limit=500)
            pending = db.session.execute(
                select(OutboxMessage).where(TO_SUPPLIER).where(OutboxMessage.status != "delivered")).scalars().all()
            db.session.rollback()
            if not pending:
                break
            time.sleep(0.05)
        assert not pending, f"{len(pending)} not delivered"
        requests = db.session.execute(select(ServiceRequest.status)).scalars().all()
        readings = db.session.execute(
            select(MeterReading.status).where(MeterReading.submission_key.is_not(None))).scalars().all()
        keys = db.session.execute(select(OutboxMessage.idempotency_key).where(TO_SUPPLIER)).scalars().all()
    assert len(requests) == customers * requests_each and set(requests) == {"accepted"}
    # one row per register; none rejected as older than a reading the back-end already held
    assert len(readings) >= customers * readings_each and set(readings) == {"accepted"}
    journal = backend.journal()
    applied = [entry["key"] for entry in journal]
    assert len(applied) == len(submitted) and sorted(applied) == sorted(keys)  # each once, none lost
    for number in numbers:  # and the back-end holds each meter's readings in the order they were taken
        received = [entry for entry in journal if entry["kind"] == "reading" and entry["payload"]["account_number"] == number]
        dates = [entry["payload"]["read_at"] for entry in received]
        assert len(dates) == readings_each and dates == sorted(dates)
