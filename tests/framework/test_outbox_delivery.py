"""Every customer write reaches a state: refusals, malformed answers, failing handlers.

The back-end is the reference billing API over HTTP (``HttpBillingAdapter``) in front of
the demo back-end, with a transport that misbehaves the way a real one does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import uuid

import httpx
import pytest
import time_machine
from sqlalchemy import create_engine, select, text

from core.billing.contract import RequestSubmission, SubmissionRefused
from core.billing.http import HttpBillingAdapter
from core.consents.service import REQUEST_TYPE as E_INVOICE
from core.demo.server import create_backend_app
from core.framework import outbox
from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import OutboxMessage, utcnow
from core.service_requests.models import ServiceRequest
from tests.conftest import client_for, linked_customer
from tests.support.processes import BackendProcess

CONTACT = {"email": "nowy.adres@example.com", "street": "ul. Marszałkowska 10/2", "postcode": "00950", "city": "Warszawa"}


class Backend:
    """The demo back-end over HTTP in process, with a switch for each way it can fail."""

    def __init__(self, state_dir) -> None:
        self.real = httpx.WSGITransport(app=create_backend_app(state_dir, ["innogy_pl"]))
        self.refuse_city: str | None = None  # requests naming this city are refused for good
        self.garbage = False  # answers 200 with a body that is not the API's
        self.seen: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            body = json.loads(request.content)
            self.seen.append(body)
            if self.garbage:
                return httpx.Response(200, text="<html>Service temporarily unavailable</html>")
            if self.refuse_city and body.get("data", {}).get("city") == self.refuse_city:
                return httpx.Response(422, json={"code": "account_closed", "message": "Konto zostało zamknięte."})
        return self.real.handle_request(request)


@pytest.fixture
def backend(app, tmp_path):
    fake = Backend(tmp_path / "state")
    tenant = app.extensions["portal_tenants"]["innogy"]
    tenant._adapter = HttpBillingAdapter("http://backend.test/innogy_pl", "PLN", transport=httpx.MockTransport(fake))
    return fake


def _linked(client, smtp_server, identity, email):
    """A linked customer; the id of their account as the request form offers it."""
    linked_customer(client, smtp_server, identity, email)
    page = client.get("/requests/new/contact_update").get_data(as_text=True)
    return re.search(r'name="account"[^>]*>\s*<option value="(\d+)"', page).group(1)


def _file(client, account, **data):
    page = client.get("/requests/new/contact_update").get_data(as_text=True)
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    response = client.submit("/requests/new/contact_update",
                             {"account": account, "submission_key": key, **CONTACT, **data})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location


def _messages(app, tenant="innogy", kind="service_request") -> list[OutboxMessage]:
    with app.app_context(), tenant_context(tenant):
        rows = db.session.execute(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)).scalars().all()
        db.session.expunge_all()
        return rows


def _make_due(app, tenant="innogy"):
    with app.app_context(), tenant_context(tenant):
        db.session.execute(db.update(OutboxMessage).where(OutboxMessage.status == "pending")
                           .values(next_attempt_at=utcnow()))
        db.session.commit()


def _relay(app, tenant="innogy"):
    with app.app_context(), tenant_context(tenant):
        return outbox.relay(app.extensions["portal_tenants"][tenant])


def test_a_refusal_ends_rejected_in_the_customers_words_and_the_next_write_goes_on(
        app, client, smtp_server, demo_identity, backend):
    account = _linked(client, smtp_server, demo_identity[0], "refused@example.com")
    backend.refuse_city = "Nigdzie"
    refused = _file(client, account, city="Nigdzie")
    accepted = _file(client, account)  # same account, same ordering key, right behind it

    first, second = _messages(app)
    assert first.status == "rejected" and first.attempts == 1 and "account_closed" in first.last_error
    assert second.status == "delivered"
    page = client.get(refused).get_data(as_text=True)
    assert "rejected" in page and "This customer account is closed." in page
    assert "Konto" not in page  # the back-end's own words are for staff only
    assert "accepted by the supplier" in client.get(accepted).get_data(as_text=True)
    with app.app_context(), tenant_context("innogy"):
        assert db.session.execute(select(ServiceRequest.reject_reason).order_by(ServiceRequest.id)).scalars().all() \
            == ["account_closed", None]


def test_the_reason_reads_in_the_customers_language_and_unknown_codes_read_as_the_general_one(
        app, smtp_server, demo_identity, backend):
    from flask_babel import force_locale

    from core.framework.rejections import REASONS

    polish = client_for(app, language="pl")
    account = _linked(polish, smtp_server, demo_identity[0], "jezyk@example.com")
    backend.refuse_city = "Nigdzie"
    refused = _file(polish, account, city="Nigdzie")
    with app.test_request_context(), force_locale("pl"):
        sentence = str(REASONS["account_closed"])
    assert sentence != "This customer account is closed."  # the catalog has it in Polish
    assert sentence in polish.get(refused).get_data(as_text=True)
    with app.app_context(), tenant_context("innogy"):
        db.session.execute(db.update(ServiceRequest).values(reject_reason="some_code_nobody_knows"))
        db.session.commit()
    with app.test_request_context(), force_locale("pl"):
        general = str(REASONS["unspecified"])
    assert general in polish.get(refused).get_data(as_text=True)


def test_a_malformed_answer_counts_as_an_attempt_backs_off_and_parks_while_others_go_on(
        make_app, smtp_server, demo_identity, tmp_path):
    app = make_app(OUTBOX_MAX_ATTEMPTS=3)
    fake = Backend(tmp_path / "state")
    app.extensions["portal_tenants"]["innogy"]._adapter = HttpBillingAdapter(
        "http://backend.test/innogy_pl", "PLN", transport=httpx.MockTransport(fake))
    anna, piotr = client_for(app), client_for(app)
    anna_account = _linked(anna, smtp_server, demo_identity[0], "anna@example.com")
    piotr_account = _linked(piotr, smtp_server, demo_identity[1], "piotr@example.com")

    fake.garbage = True
    stuck = _file(anna, anna_account)
    [message] = _messages(app)
    assert message.status == "pending" and message.attempts == 1 and message.next_attempt_at > utcnow()
    assert "received" in anna.get(stuck).get_data(as_text=True)

    fake.garbage = False
    _file(piotr, piotr_account)  # another customer's write is not held up
    assert [m.status for m in _messages(app)] == ["pending", "delivered"]

    fake.garbage = True
    for attempt in (2, 3):
        _make_due(app)
        stats = _relay(app)
        assert stats.claimed == 1
    first = _messages(app)[0]
    assert first.status == "parked" and first.attempts == 3 and first.last_error.startswith("JSONDecodeError")


def test_messages_of_a_relay_that_died_are_taken_again_when_their_lease_ends(
        make_app, smtp_server, demo_identity, backend):
    app = make_app(OUTBOX_LEASE=dt.timedelta(seconds=30))
    app.extensions["portal_tenants"]["innogy"]._adapter = HttpBillingAdapter(
        "http://backend.test/innogy_pl", "PLN", transport=httpx.MockTransport(backend))
    client = client_for(app)
    account = _linked(client, smtp_server, demo_identity[0], "lease@example.com")
    backend.garbage = True
    location = _file(client, account)
    backend.garbage = False
    _make_due(app)
    with app.app_context(), tenant_context("innogy"):
        claimed = outbox.lease(10)  # a relay claims it, then its worker is killed
    assert claimed == [(m.id, "service_request") for m in _messages(app)]
    leased_at = utcnow()
    with time_machine.travel(leased_at + dt.timedelta(seconds=25), tick=False):
        assert _relay(app).claimed == 0
    with time_machine.travel(leased_at + dt.timedelta(seconds=31), tick=False):
        assert _relay(app).delivered == 1
    assert "accepted by the supplier" in client.get(location).get_data(as_text=True)


def test_a_failing_handler_counts_as_an_attempt_and_the_relay_moves_on(
        app, client, smtp_server, demo_identity, backend, monkeypatch):
    account = _linked(client, smtp_server, demo_identity[0], "handler@example.com")
    handlers = app.extensions["portal_outbox_handlers"]
    working = handlers["service_request"]

    def broken(message, result):
        raise KeyError("a bug in the handler")

    monkeypatch.setitem(handlers, "service_request", dataclasses.replace(working, apply=broken))
    _file(client, account)
    [message] = _messages(app)
    assert message.status == "pending" and message.attempts == 1 and "KeyError" in message.last_error
    monkeypatch.setitem(handlers, "service_request", working)
    _make_due(app)
    assert _relay(app).delivered == 1  # the back-end saw the same key again and applied it once
    assert [b["request_type"] for b in backend.seen] == ["contact_update", "contact_update"]


def test_once_the_back_end_answers_again_what_waited_for_it_is_due_at_once(
        app, smtp_server, demo_identity, backend, monkeypatch):
    monkeypatch.setattr(outbox, "_pulled_forward", {})
    anna, piotr = client_for(app), client_for(app)
    anna_account = _linked(anna, smtp_server, demo_identity[0], "anna.wait@example.com")
    piotr_account = _linked(piotr, smtp_server, demo_identity[1], "piotr.wait@example.com")
    real = backend.real
    backend.real = httpx.MockTransport(lambda request: (_ for _ in ()).throw(httpx.ConnectError("refused")))
    waiting = _file(anna, anna_account)
    [message] = _messages(app)
    assert message.status == "pending" and message.next_attempt_at > utcnow()  # backing off

    backend.real = real  # the back-end is back: the next write gets through...
    _file(piotr, piotr_account)  # ...and the one that waited goes at once, not after its backoff
    assert [m.status for m in _messages(app)] == ["delivered", "delivered"]
    assert "accepted by the supplier" in anna.get(waiting).get_data(as_text=True)


def test_a_relay_stops_knocking_on_a_back_end_that_is_down_and_mail_still_goes(
        app, smtp_server, demo_identity, backend, monkeypatch):
    monkeypatch.setattr(outbox, "_pulled_forward", {})
    customers = []  # three customers, so their requests do not wait for one another
    for n in range(3):
        client = client_for(app)
        customers.append((client, _linked(client, smtp_server, demo_identity[n], f"knock{n}@example.com")))
    calls = []

    def down(request):
        calls.append(request)
        raise httpx.ConnectError("refused")

    backend.real = httpx.MockTransport(down)
    smtp_server.clear()
    for n, (client, account) in enumerate(customers):
        _file(client, account)  # each write tries its own request once
        smtp_server.wait_for(f"knock{n}@example.com")  # its confirmation is not held up
    assert len(calls) == 3 and [m.attempts for m in _messages(app)] == [1, 1, 1]

    _make_due(app)
    stats = _relay(app)
    assert len(calls) == 4 and (stats.claimed, stats.retried, stats.delivered) == (1, 1, 0)
    first, *rest = _messages(app)
    assert first.attempts == 2 and first.next_attempt_at > utcnow()  # backing off
    assert [m.attempts for m in rest] == [1, 1] and all(m.next_attempt_at <= utcnow() for m in rest)  # untried, due


def test_the_http_adapter_tells_a_refusal_from_a_fault(tmp_path):
    answers = iter([
        httpx.Response(422, json={"code": "account_closed", "message": "closed"}),
        httpx.Response(400, text="bad"),
        httpx.Response(429, text="slow down"),
        httpx.Response(200, json={"unexpected": True}),
    ])
    adapter = HttpBillingAdapter("http://backend.test/x", "PLN", transport=httpx.MockTransport(lambda r: next(answers)))
    request = RequestSubmission("1", "contact_update", {})
    with pytest.raises(SubmissionRefused) as refused:
        adapter.submit_request(request, "key-1234567")
    assert (refused.value.code, refused.value.detail) == ("account_closed", "closed")
    with pytest.raises(SubmissionRefused) as refused:
        adapter.submit_request(request, "key-1234567")
    assert refused.value.code == "http_400"
    from core.billing.contract import BackendUnavailable

    with pytest.raises(BackendUnavailable):
        adapter.submit_request(request, "key-1234567")
    with pytest.raises(Exception) as fault:  # noqa: PT011 - any fault but a refusal or an outage
        adapter.submit_request(request, "key-1234567")
    assert not isinstance(fault.value, SubmissionRefused | BackendUnavailable)


# --- idempotency keys are made once, globally unique ----------------------------------------


def _recreate_database(url: str) -> None:
    """As after a restore from an old backup or a database made anew: empty, ids from 1."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
    engine.dispose()


@pytest.mark.slow
def test_a_recreated_database_never_reuses_a_key_the_back_end_kept(make_app, migrated, smtp_server, tmp_path):
    process = BackendProcess(tmp_path / "state")
    process.start()
    try:
        def consent_once(email):
            app = make_app(TENANTS={"innogy": {"plugin": "innogy_pl", "hosts": ["innogy.test"],
                                               "settings": {"backend_url": process.url}}})
            client = client_for(app)
            with app.app_context():
                identity = app.extensions["portal_tenants"]["innogy"].adapter.demo_identities()[0]
            _linked(client, smtp_server, identity, email)
            assert client.get("/consents/").status_code == 200
            response = client.post("/consents/e-invoice", data={"csrf_token": client.last_csrf, "choice": "on",
                                                                "account": "all"})
            assert response.status_code == 302
            [message] = _messages(app, kind="consent")
            assert message.status == "delivered", message.last_error
            return message.id, message.idempotency_key

        _recreate_database(migrated)  # ids from 1, whatever ran before
        first_id, first_key = consent_once("before@example.com")
        _recreate_database(migrated)
        second_id, second_key = consent_once("after@example.com")
    finally:
        process.stop()
    assert first_id == second_id, (first_id, second_id)  # the same database id again...
    assert first_key != second_key and all(uuid.UUID(k).version == 4 for k in (first_key, second_key))
    journal = [json.loads(line) for line in (tmp_path / "state" / "innogy_pl.journal").read_text().splitlines()]
    applied = [entry["key"] for entry in journal if entry["payload"].get("request_type") == E_INVOICE]
    assert applied == [first_key, second_key]  # ...yet the back-end applied the second change too
