"""Service requests through HTTP, delivered to the back-end through the outbox."""

from __future__ import annotations

import re
import threading

from sqlalchemy import func, select

from core.billing.contract import BackendUnavailable
from core.framework import outbox
from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import OutboxMessage, utcnow
from core.service_requests.models import ServiceRequest
from tests.conftest import client_for, linked_customer
from tests.support.outbox import TO_SUPPLIER, count_to_supplier

CONTACT = {"email": "nowy.adres@example.com", "street": "ul. Marszałkowska 10/2", "postcode": "00950", "city": "Warszawa"}


def _linked(app, client, smtp_server, identity, email="req@example.com"):
    """A linked customer; their account's id and a submission key, as the request form gives them."""
    linked_customer(client, smtp_server, identity, email)
    page = client.get("/requests/new/contact_update").get_data(as_text=True)
    account = re.search(r'name="account"[^>]*>\s*<option value="(\d+)"', page).group(1)
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    return account, key


def _count(app, model, tenant="innogy"):
    with app.app_context(), tenant_context(tenant):
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_request_is_filed_delivered_and_confirmed_by_mail(app, client, smtp_server, demo_identity):
    account, key = _linked(app, client, smtp_server, demo_identity[0])
    response = client.submit("/requests/new/contact_update", {"account": account, "submission_key": key, **CONTACT})
    assert response.status_code == 302
    detail = client.get(response.location).get_data(as_text=True)
    assert "accepted by the supplier" in detail and "00-950" in detail
    assert "received and accepted by the supplier" in detail  # what the customer is told first
    assert "received" in detail  # the history keeps both steps
    mail = smtp_server.wait_for("req@example.com", 2)[-1]
    assert "We have received your request" in mail["Subject"]
    adapter = app.extensions["portal_tenants"]["innogy"].adapter
    sent = adapter.submitted_requests(demo_identity[0]["account_number"])
    assert [s.request_type for _, s in sent] == ["contact_update"]
    assert client.get("/requests/").status_code == 200


def test_the_confirmation_says_at_once_when_the_supplier_turned_the_request_down(
        app, client, smtp_server, demo_identity, monkeypatch):
    from core.billing.contract import SubmissionResult

    account, key = _linked(app, client, smtp_server, demo_identity[0])
    adapter = app.extensions["portal_tenants"]["innogy"].adapter
    monkeypatch.setattr(adapter, "submit_request", lambda *args: SubmissionResult.rejected("account_closed"))
    response = client.submit("/requests/new/contact_update", {"account": account, "submission_key": key, **CONTACT})
    detail = client.get(response.location).get_data(as_text=True)
    assert "the supplier did not accept it" in detail and "This customer account is closed." in detail
    assert "Your request has been received." not in detail


def test_bad_input_is_refused_and_stores_nothing(app, client, smtp_server, demo_identity):
    account, key = _linked(app, client, smtp_server, demo_identity[0])
    response = client.submit("/requests/new/contact_update", {"account": account, "submission_key": key, "postcode": "123"})
    assert response.status_code == 400
    assert "field-error" in response.get_data(as_text=True)
    assert _count(app, ServiceRequest) == 0 and count_to_supplier(app) == 0


def test_double_submit_stores_one_request(app, client, smtp_server, demo_identity):
    account, key = _linked(app, client, smtp_server, demo_identity[0])
    form = {"account": account, "submission_key": key, **CONTACT}
    first = client.submit("/requests/new/contact_update", form)
    second = client.post("/requests/new/contact_update", data={"csrf_token": client.last_csrf, **form})
    assert first.location == second.location
    assert _count(app, ServiceRequest) == 1 and count_to_supplier(app) == 1


def test_parallel_submits_store_one_request(app, client, smtp_server, demo_identity):
    account, key = _linked(app, client, smtp_server, demo_identity[0])
    token = client.last_csrf
    client.get("/requests/new/contact_update")
    cookie = client.get_cookie("portal_session", domain="innogy.test").value
    form = {"csrf_token": client.last_csrf, "account": account, "submission_key": key, **CONTACT}
    codes = []

    def post():
        browser = client_for(app)
        browser.set_cookie("portal_session", cookie, domain="innogy.test")
        codes.append(browser.post("/requests/new/contact_update", data=form,
                                  headers={"Referer": "https://innogy.test/requests/new/contact_update"}).status_code)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert token and codes == [302] * 4
    assert _count(app, ServiceRequest) == 1


def test_backend_down_keeps_the_request_and_delivers_later(app, client, smtp_server, demo_identity, monkeypatch):
    account, key = _linked(app, client, smtp_server, demo_identity[0])
    tenant = app.extensions["portal_tenants"]["innogy"]
    real = tenant.adapter.submit_request

    def down(*args, **kwargs):
        raise BackendUnavailable("connection refused")

    monkeypatch.setattr(tenant.adapter, "submit_request", down)
    response = client.submit("/requests/new/contact_update", {"account": account, "submission_key": key, **CONTACT})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "received" in page and "accepted by the supplier" not in page
    with app.app_context(), tenant_context("innogy"):
        message = db.session.execute(select(OutboxMessage).where(TO_SUPPLIER)).scalar_one()
        assert message.status == "pending" and message.attempts == 1 and message.next_attempt_at > message.created_at
        message.next_attempt_at = message.created_at  # due now
        db.session.commit()
        monkeypatch.setattr(tenant.adapter, "submit_request", real)
        assert outbox.relay(tenant).delivered == 1
    assert "accepted by the supplier" in client.get(response.location).get_data(as_text=True)


def test_message_is_parked_after_repeated_failures_never_deleted(make_app, smtp_server, demo_identity, monkeypatch):
    app = make_app(OUTBOX_MAX_ATTEMPTS=2)
    client = client_for(app)
    account, key = _linked(app, client, smtp_server, demo_identity[0])
    tenant = app.extensions["portal_tenants"]["innogy"]
    monkeypatch.setattr(tenant.adapter, "submit_request", lambda *a, **k: (_ for _ in ()).throw(BackendUnavailable("down")))
    client.submit("/requests/new/contact_update", {"account": account, "submission_key": key, **CONTACT})
    with app.app_context(), tenant_context("innogy"):
        message = db.session.execute(select(OutboxMessage).where(TO_SUPPLIER)).scalar_one()
        message.next_attempt_at = message.created_at
        db.session.commit()
        assert outbox.relay(tenant).parked == 1
        assert db.session.execute(select(OutboxMessage.status).where(TO_SUPPLIER)).scalar_one() == "parked"
        assert outbox.requeue_parked() == 1


def test_redelivery_after_a_crash_is_deduplicated_by_the_key(app, client, smtp_server, demo_identity):
    """A relay that delivered but died before marking the row: the retry is applied once."""
    account, key = _linked(app, client, smtp_server, demo_identity[0])
    client.submit("/requests/new/contact_update", {"account": account, "submission_key": key, **CONTACT})
    tenant = app.extensions["portal_tenants"]["innogy"]
    with app.app_context(), tenant_context("innogy"):
        message = db.session.execute(select(OutboxMessage).where(TO_SUPPLIER)).scalar_one()
        message.status = "pending"  # as if the mark had never been committed
        message.next_attempt_at = message.created_at
        db.session.commit()
        assert outbox.relay(tenant).delivered == 1
    sent = tenant.adapter.submitted_requests(demo_identity[0]["account_number"])
    assert len(sent) == 1


def test_another_customers_request_is_404(app, smtp_server, demo_identity):
    owner = client_for(app)
    account, key = _linked(app, owner, smtp_server, demo_identity[0], "owner@example.com")
    location = owner.submit("/requests/new/contact_update", {"account": account, "submission_key": key, **CONTACT}).location
    other = client_for(app)
    _linked(app, other, smtp_server, demo_identity[1], "other@example.com")
    assert other.get(location).status_code == 404
    # and a foreign account id in the form is refused
    page = other.get("/requests/new/contact_update").get_data(as_text=True)
    other_key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    refused = other.submit("/requests/new/contact_update", {"account": account, "submission_key": other_key, **CONTACT})
    assert refused.status_code == 400


def test_unknown_request_type_is_404(signed_in):
    assert signed_in.get("/requests/new/no_such_type").status_code == 404


def test_two_relays_on_postgresql_never_deliver_the_same_row(app, demo_identity, monkeypatch):
    import os
    import time
    from collections import Counter

    import pytest

    from core.framework.sync import import_account
    from core.models import User
    from core.service_requests.service import file_request

    if not (os.environ.get("PORTAL_TEST_DATABASE_URL") or "").startswith("postgresql"):
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL")
    tenant = app.extensions["portal_tenants"]["innogy"]
    with app.app_context(), tenant_context("innogy"):
        now = utcnow()
        user = User(email="bulk@example.com", password_hash="x", terms_version="1", terms_accepted_at=now)
        db.session.add(user)
        account = import_account(tenant, demo_identity[0]["account_number"])
        db.session.commit()
        for n in range(40):
            file_request(user, account, "contact_update", {"email": f"n{n}@example.com"}, f"bulk-submission-{n:04d}")
        # as if the back-end had been down since: all 40 wait for the relays
        db.session.execute(db.update(OutboxMessage).values(status="pending", next_attempt_at=utcnow()))
        db.session.commit()

    delivered = Counter()
    real = tenant.adapter.submit_request

    def slow_submit(submission, key):
        delivered[key] += 1
        time.sleep(0.005)
        return real(submission, key)

    monkeypatch.setattr(tenant.adapter, "submit_request", slow_submit)

    def worker():
        with app.app_context(), tenant_context("innogy"):
            outbox.relay(tenant, limit=100)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(delivered) == 40 and set(delivered.values()) == {1}


def test_a_field_left_empty_is_not_shown_as_a_raw_value(app, client, smtp_server, demo_identity):
    account, key = _linked(app, client, smtp_server, demo_identity[0])
    response = client.submit("/requests/new/contact_update",
                             {"account": account, "submission_key": key, **CONTACT, "email": ""})
    assert response.status_code == 302
    detail = client.get(response.location).get_data(as_text=True)
    assert "00-950" in detail and "None" not in detail


def test_a_new_form_starts_with_the_supply_point_chosen_in_the_header(app, client, smtp_server, demo_identity):
    with app.app_context():
        adapter = app.extensions["portal_tenants"]["innogy"].adapter
        identity = next(i for i in demo_identity if len(adapter.supply_points(i["account_number"])) > 1)
    linked_customer(client, smtp_server, identity, "two.points@example.com")
    page = client.get("/requests/new/additional_service").get_data(as_text=True)
    options = re.findall(r'<option value="(\d{18})"', page)
    assert len(options) > 1 and not re.search(r'<option value="\d{18}"[^>]*selected', page)  # none chosen yet
    ids = dict((identifier, int(point_id)) for point_id, identifier in re.findall(
        r'<option value="(\d+)"[^>]*>[^<]*· (\d{18}) ·', client.get("/").get_data(as_text=True)))
    chosen = options[-1]
    assert client.post("/accounts/supply-point", data={"csrf_token": client.last_csrf, "point": ids[chosen], "next": "/"}).status_code == 302
    page = client.get("/requests/new/additional_service").get_data(as_text=True)
    assert re.search(rf'<option value="{chosen}"[^>]*selected', page)  # the header's choice, not typed again
