"""The JSON API through HTTP: tokens made on the tokens page, scopes, tenants, each endpoint,
idempotent writes, validation errors, the OpenAPI document and its page."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
from decimal import Decimal
from typing import Any

import pytest
from flask_babel import force_locale
from flask_babel import gettext as babel_gettext
from sqlalchemy import func, select

import plugins.cez_cz.plugin
import plugins.doe_ua.plugin
import plugins.innogy_pl.plugin
import plugins.italiangas_it.plugin
from core.api import idempotency
from core.api.models import ApiIdempotencyKey
from core.api.spec import openapi_path
from core.api_tokens.models import ApiToken
from core.billing.contract import BackendUnavailable
from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import MeterReading, ServiceRequest
from core.readings.service import local_today
from tests.conftest import SECOND_HOST, client_for, linked_customer, register_and_activate, sign_in
from tests.support.outbox import count_to_supplier

LOCALES = ("en", "pl", "cs", "uk", "it")
CAPABILITY = "meter_readings"


# --- helpers ---------------------------------------------------------------------


def _tenant(app, code="innogy"):
    return app.extensions["portal_tenants"][code]


def _identities(app, code="innogy"):
    tenant = _tenant(app, code)
    method = tenant.identity_methods()[0]
    with app.app_context():
        return method, tenant.adapter.demo_identities(method.code)


def _customer(app, smtp_server, email, *, host=None, code="innogy", identity=None):
    """A customer registered, signed in and linked through the web pages."""
    client = client_for(app, host) if host else client_for(app)
    identity = identity or _identities(app, code)[1][0]
    return linked_customer(client, smtp_server, identity, email), identity


def _make_token(client, scope="read-write", name="Home Assistant") -> str:
    response = client.submit("/api-tokens/", {"name": name, "scope": scope})
    assert response.status_code == 201, response.get_data(as_text=True)
    return re.search(r'value="(up_[A-Za-z0-9_-]+)"', response.get_data(as_text=True)).group(1)


class Api:
    """An app calling the API with a token: no cookies, no CSRF token."""

    def __init__(self, app, token, host=None, language="en"):
        self.client = client_for(app, host) if host else client_for(app, language=language)
        self.token = token

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, path, headers=None, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self._headers(headers), **kwargs)

    def post(self, path, json=None, headers=None, **kwargs):
        return self.client.post(f"/api/v1{path}", json=json, headers=self._headers(headers), **kwargs)


def _error(response, status, code):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    body = response.get_json()["error"]
    assert body["code"] == code and body["message"]
    return body


def _count(app, model, code="innogy"):
    with app.app_context(), tenant_context(code):
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def owner(app, smtp_server):
    client, identity = _customer(app, smtp_server, "owner@example.com")
    return client, identity, Api(app, _make_token(client))


def _reading_point(api):
    """One of the customer's supply points that takes readings, and its newest values."""
    points = api.get("/supply-points").get_json()["items"]
    point = next(p for p in points if p["accepts_readings"])
    history = api.get(f"/supply-points/{point['identifier']}/readings?per_page=100").get_json()["items"]
    newest: dict[str, int] = {}
    for reading in history:
        if reading["status"] != "rejected":
            newest.setdefault(reading["register"], int(Decimal(reading["value"])))
    return point, newest


def _today(app):
    with app.app_context():
        return local_today(_tenant(app)).isoformat()


# --- tokens -------------------------------------------------------------------------


def test_token_is_shown_once_and_only_its_hash_is_kept(app, owner):
    client, _identity, api = owner
    index = client.get("/api-tokens/").get_data(as_text=True)
    assert api.token not in index
    assert "Home Assistant" in index and api.token[:7] in index and "Read and submit" in index
    with app.app_context(), tenant_context("innogy"):
        row = db.session.execute(select(ApiToken)).scalar_one()
        assert row.token_hash == hashlib.sha256(api.token.encode()).hexdigest()
        assert api.token not in (row.name, row.hint, row.token_hash)
    assert api.token.startswith("up_") and len(api.token) > 40
    assert 'href="/api-tokens/" aria-current="page"' in index  # the main navigation's entry


def test_token_form_is_validated(signed_in):
    response = signed_in.submit("/api-tokens/", {"name": "", "scope": "admin"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This field is required." in page and "Choose what the token may do." in page
    assert "up_" not in page


def test_tokens_page_renders_in_every_language(signed_in):
    for locale in LOCALES:
        signed_in.get("/api-tokens/")
        signed_in.post("/language", data={"csrf_token": signed_in.last_csrf, "locale": locale, "next": "/api-tokens/"})
        response = signed_in.get("/api-tokens/")
        assert response.status_code == 200
        assert f'<html lang="{locale}">' in response.get_data(as_text=True)


def test_tokens_page_needs_a_login(client):
    assert client.get("/api-tokens/").status_code == 302


def test_revoked_token_is_refused(app, owner):
    client, _identity, api = owner
    assert api.get("/me").status_code == 200
    with app.app_context(), tenant_context("innogy"):
        token_id = db.session.execute(select(ApiToken.id)).scalar_one()
    client.get("/api-tokens/")
    assert client.post(f"/api-tokens/{token_id}/revoke", data={"csrf_token": client.last_csrf}).status_code == 302
    _error(api.get("/me"), 401, "unauthorized")
    assert "revoked on" in client.get("/api-tokens/").get_data(as_text=True)


def test_another_customers_token_cannot_be_revoked(app, smtp_server, owner):
    _client, _identity, api = owner
    with app.app_context(), tenant_context("innogy"):
        token_id = db.session.execute(select(ApiToken.id)).scalar_one()
    other = client_for(app)
    register_and_activate(other, smtp_server, "other@example.com")
    sign_in(other, "other@example.com")
    other.get("/api-tokens/")
    assert other.post(f"/api-tokens/{token_id}/revoke", data={"csrf_token": other.last_csrf}).status_code == 404
    assert api.get("/me").status_code == 200


# --- authentication -------------------------------------------------------------------


def test_no_token_bad_token_and_session_cookie_get_401(app, owner):
    client, _identity, api = owner
    anonymous = client_for(app)
    response = anonymous.get("/api/v1/me")
    _error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    bad = anonymous.get("/api/v1/me", headers={"Authorization": "Bearer up_not-a-real-token"})
    _error(bad, 401, "unauthorized")
    assert 'error="invalid_token"' in bad.headers["WWW-Authenticate"]
    # the signed-in browser's session cookie does not open the API
    _error(client.get("/api/v1/me"), 401, "unauthorized")
    _error(client.post("/api/v1/requests", json={}), 401, "unauthorized")
    _error(anonymous.get("/api/v1/me", headers={"Authorization": f"Basic {api.token}"}), 401, "unauthorized")
    # an address no route takes, a line break in it included, asks for a token first
    _error(anonymous.get("/api/v1/invoices/0%0A"), 401, "unauthorized")
    _error(anonymous.get("/api/v1/no/such/address"), 401, "unauthorized")


def test_token_of_one_brand_is_useless_on_another(app, owner):
    _client, _identity, api = owner
    elsewhere = Api(app, api.token, host=SECOND_HOST)
    _error(elsewhere.get("/me"), 401, "unauthorized")
    _error(elsewhere.get("/accounts"), 401, "unauthorized")
    unknown = Api(app, api.token, host="unknown.test")
    _error(unknown.get("/me"), 404, "not_found")


def test_read_only_token_cannot_write(app, owner):
    client, identity, _api = owner
    reader = Api(app, _make_token(client, scope="read", name="Dashboard"))
    assert reader.get("/me").get_json()["token"] == {"name": "Dashboard", "scope": "read"}
    _error(reader.post("/requests", json={"type": "contact_update", "account": identity["account_number"],
                                          "data": {"email": "new@example.com"}}), 403, "insufficient_scope")
    point, newest = _reading_point(reader)
    body = {"read_on": _today(app), "values": {r: str(v + 1) for r, v in newest.items()}}
    _error(reader.post(f"/supply-points/{point['identifier']}/readings", json=body), 403, "insufficient_scope")
    assert _count(app, ServiceRequest) == 0 and count_to_supplier(app) == 0


def test_rate_limit_is_per_token(make_app, smtp_server):
    app = make_app(RATELIMIT_API="3 per minute")
    client, _identity = _customer(app, smtp_server, "busy@example.com")
    first, second = Api(app, _make_token(client)), Api(app, _make_token(client, name="Second"))
    for _ in range(3):
        assert first.get("/me").status_code == 200
    _error(first.get("/me"), 429, "rate_limited")
    assert second.get("/me").status_code == 200


# --- reading ------------------------------------------------------------------------------


def test_me_and_accounts(app, owner):
    _client, identity, api = owner
    me = api.get("/me").get_json()
    number = identity["account_number"]
    assert me["email"] == "owner@example.com" and me["brand"] == "innogy" and number in me["accounts"]
    assert me["token"]["scope"] == "read-write"
    listed = api.get("/accounts").get_json()
    assert [a["number"] for a in listed["items"]] == me["accounts"]
    assert listed["links"]["next"] is None and listed["links"]["self"].startswith("https://innogy.test/api/v1/accounts")
    account = api.get(f"/accounts/{number}").get_json()
    assert account["balance"]["currency"] == "PLN" and Decimal(account["balance"]["amount"]) is not None
    assert set(account["address"]) == {"street", "postcode", "city"}
    _error(api.get("/accounts/0000000000"), 404, "not_found")


def test_supply_points_and_readings(app, owner):
    _client, identity, api = owner
    points = api.get("/supply-points").get_json()["items"]
    assert points and all(p["account_number"] in api.get("/me").get_json()["accounts"] for p in points)
    one = api.get(f"/supply-points/{points[0]['identifier']}").get_json()
    assert one == points[0]
    readings = api.get(f"/supply-points/{points[0]['identifier']}/readings?per_page=2").get_json()
    assert len(readings["items"]) <= 2
    for reading in readings["items"]:
        # as read off the meter, so a client can send it back: no trailing zeros, no exponent
        assert re.fullmatch(r"\d+(\.\d*[1-9])?", reading["value"]), reading["value"]
        dt.datetime.fromisoformat(reading["read_at"])
    _error(api.get("/supply-points/PL0000000000000000"), 404, "not_found")


def test_invoices_filters_pagination_and_pdf(app, owner):
    _client, _identity, api = owner
    everything = api.get("/invoices?per_page=100").get_json()["items"]
    assert len(everything) >= 2
    first_page = api.get("/invoices?per_page=1").get_json()
    assert len(first_page["items"]) == 1 and first_page["links"]["next"]
    next_path = first_page["links"]["next"].split("/api/v1", 1)[1]
    assert api.get(next_path).get_json()["items"][0] == everything[1]
    year = int(everything[0]["issued_on"][:4])
    of_year = api.get(f"/invoices?year={year}&per_page=100").get_json()["items"]
    assert of_year and all(i["issued_on"].startswith(str(year)) for i in of_year)
    status = everything[0]["status"]
    assert all(i["status"] == status for i in api.get(f"/invoices?status={status}&per_page=100").get_json()["items"])
    bad = _error(api.get("/invoices?year=abc&status=lost"), 422, "validation_failed")
    assert set(bad["fields"]) == {"year", "status"}
    number = everything[0]["number"]
    invoice = api.get(f"/invoices/{number}").get_json()
    assert invoice == everything[0] and Decimal(invoice["gross"]["amount"]) > 0
    pdf = api.get(f"/invoices/{number}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_invoice_pdf_when_the_backend_is_down_is_503(app, owner, monkeypatch):
    _client, _identity, api = owner
    number = api.get("/invoices").get_json()["items"][0]["number"]

    def down(*args, **kwargs):
        raise BackendUnavailable("connection refused")

    monkeypatch.setattr(_tenant(app).adapter, "invoice_pdf", down)
    _error(api.get(f"/invoices/{number}/pdf"), 503, "backend_unavailable")


def test_payments(app, owner):
    _client, identity, api = owner
    payments = api.get("/payments?per_page=100").get_json()["items"]
    expected = _tenant(app).adapter.payments(identity["account_number"])
    assert {p["reference"] for p in payments} == {p.reference for p in expected}
    for payment in payments:
        assert payment["amount"]["currency"] == "PLN" and payment["account_number"] == identity["account_number"]


def test_another_customers_data_is_404(app, smtp_server, owner):
    _client, identity, api = owner
    invoice = api.get("/invoices").get_json()["items"][0]["number"]
    point = api.get("/supply-points").get_json()["items"][0]["identifier"]
    filed = api.post("/requests", json={"type": "contact_update", "account": identity["account_number"],
                                        "data": {"email": "new@example.com"}}).get_json()
    _method, identities = _identities(app)
    other_identity = next(i for i in identities if i["account_number"] != identity["account_number"])
    other_client, _ = _customer(app, smtp_server, "other@example.com", identity=other_identity)
    other = Api(app, _make_token(other_client))
    for path in (f"/accounts/{identity['account_number']}", f"/invoices/{invoice}", f"/invoices/{invoice}/pdf",
                 f"/supply-points/{point}", f"/supply-points/{point}/readings", f"/requests/{filed['id']}"):
        _error(other.get(path), 404, "not_found")
    _error(other.post(f"/supply-points/{point}/readings", json={"read_on": _today(app), "values": {}}),
           404, "not_found")
    refused = other.post("/requests", json={"type": "contact_update", "account": identity["account_number"],
                                            "data": {"email": "x@example.com"}})
    assert "account" in _error(refused, 422, "validation_failed")["fields"]
    listed = {i["number"] for i in other.get("/invoices?per_page=100").get_json()["items"]}
    assert invoice not in listed and other.get("/requests").get_json()["items"] == []


# --- writing ------------------------------------------------------------------------------


def test_reading_with_the_same_idempotency_key_is_stored_once(app, owner):
    _client, _identity, api = owner
    point, newest = _reading_point(api)
    body = {"read_on": _today(app), "values": {r: int(v) + 5 for r, v in newest.items()}}
    path = f"/supply-points/{point['identifier']}/readings"
    first = api.post(path, json=body, headers={"Idempotency-Key": "reading-2026-11-22"})
    again = api.post(path, json=body, headers={"Idempotency-Key": "reading-2026-11-22"})
    assert first.status_code == again.status_code == 202
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert first.get_json()["status"] in ("received", "accepted") and first.get_json() == again.get_json()
    assert {r["register"]: Decimal(r["value"]) for r in first.get_json()["readings"]} == \
        {r: int(v) + 5 for r, v in newest.items()}
    assert count_to_supplier(app) == 1
    with app.app_context(), tenant_context("innogy"):
        mine = db.session.execute(select(func.count()).select_from(MeterReading)
                                  .where(MeterReading.source == "customer", MeterReading.user_id.is_not(None))).scalar_one()
    assert mine == len(newest)
    listed = api.get(f"{path}?per_page=100").get_json()["items"]
    assert any(r["source"] == "customer" for r in listed)


def _writes(app, api, identity) -> dict[str, tuple[str, dict, dict]]:
    """Per write endpoint: its address, a body, and another body (another submission)."""
    point, newest = _reading_point(api)
    reading = {"read_on": _today(app), "values": {r: v + 5 for r, v in newest.items()}}
    request = {"type": "contact_update", "account": identity["account_number"], "data": {"email": "new@example.com"}}
    return {
        "api.submit_meter_reading": (f"/supply-points/{point['identifier']}/readings", reading,
                                     {**reading, "values": {r: v + 6 for r, v in newest.items()}}),
        "api.file_service_request": ("/requests", request, {**request, "data": {"email": "other@example.com"}}),
    }


def _operations(app):
    return app.extensions["portal_api_operations"]


def test_every_write_to_the_supplier_takes_an_idempotency_key(app):
    """A POST that reaches the supplier can be sent again safely; a PUT sets a state, so
    sending it again changes nothing; starting a payment opens a new attempt each time
    (nothing is paid until the customer confirms it at the provider)."""
    for op in _operations(app):
        if op.write and op.method == "POST" and op.endpoint != "api.start_online_payment":
            assert idempotency.PARAMETER in op.headers, op.endpoint
        if op.write:
            assert op.method in ("POST", "PUT"), op.endpoint


def _writes_stored(app) -> tuple[int, int, int, int]:
    """Customer readings, requests, outbox messages and idempotency keys on record."""
    with app.app_context(), tenant_context("innogy"):
        readings = db.session.execute(select(func.count(func.distinct(MeterReading.submission_key)))
                                      .where(MeterReading.user_id.is_not(None))).scalar_one()
    return readings, _count(app, ServiceRequest), count_to_supplier(app), _count(app, ApiIdempotencyKey)


def test_every_write_refuses_its_idempotency_key_with_another_request(app, owner):
    _client, identity, api = owner
    writes = _writes(app, api, identity)
    assert set(writes) == {op.endpoint for op in _operations(app) if idempotency.PARAMETER in op.headers}
    for endpoint, (path, body, other) in writes.items():
        key = {"Idempotency-Key": f"key of {endpoint}"}
        first = api.post(path, json=body, headers=key)
        assert first.status_code == 202 and "Idempotent-Replayed" not in first.headers
        reused = _error(api.post(path, json=other, headers=key), 422, "idempotency_key_reused")
        assert reused["message"] == "This Idempotency-Key was already used for another request. " \
                                    "Send a new submission with a new key."
        # the same request, its keys in another order and spaced otherwise, is the same request
        again = api.client.post(f"/api/v1{path}", data=json.dumps(dict(reversed(body.items())), indent=2),
                                headers={**api._headers(key), "Content-Type": "application/json"})
        assert again.status_code == 202 and again.headers["Idempotent-Replayed"] == "true"
        assert again.get_json() == first.get_json()
    assert _writes_stored(app) == (1, 1, 2, 2)
    # a key is the customer's, whatever the address: another endpoint's use of it is another request
    path, body, _other = writes["api.file_service_request"]
    _error(api.post(path, json=body, headers={"Idempotency-Key": "key of api.submit_meter_reading"}),
           422, "idempotency_key_reused")
    assert _writes_stored(app) == (1, 1, 2, 2)


def test_an_idempotency_key_is_kept_only_by_a_stored_write_and_per_customer(app, smtp_server, owner):
    _client, identity, api = owner
    path, body, _other = _writes(app, api, identity)["api.submit_meter_reading"]
    key = {"Idempotency-Key": "heating-1"}
    lower = {**body, "values": {r: v - 10 for r, v in body["values"].items()}}
    _error(api.post(path, json=lower, headers=key), 422, "validation_failed")
    corrected = api.post(path, json=body, headers=key)  # nothing was stored: the key is still free
    assert corrected.status_code == 202 and "Idempotent-Replayed" not in corrected.headers
    other_client, other_identity = _customer(app, smtp_server, "neighbour@example.com",
                                             identity=_identities(app)[1][1])
    neighbour = Api(app, _make_token(other_client))
    filed = neighbour.post("/requests", headers=key, json={
        "type": "contact_update", "account": other_identity["account_number"], "data": {"email": "n@example.com"}})
    assert filed.status_code == 202 and "Idempotent-Replayed" not in filed.headers
    assert _writes_stored(app) == (1, 1, 2, 2)


def _what(answer) -> Any:
    """What a write's answer is about: the request, or the reading's values and moment."""
    body = answer.get_json()
    return body.get("id") or [(r["register"], r["value"], r["read_at"]) for r in body["readings"]]


@pytest.mark.parametrize("endpoint", ["api.submit_meter_reading", "api.file_service_request"])
def test_parallel_first_uses_of_one_key_store_one_write(app, owner, endpoint):
    _client, identity, api = owner
    path, body, other = _writes(app, api, identity)[endpoint]
    callers = [Api(app, api.token) for _ in range(6)]
    start = threading.Barrier(len(callers))
    answers: list[tuple[bool, Any]] = []

    def post(caller, payload):
        start.wait()
        answers.append((payload is body, caller.post(path, json=payload, headers={"Idempotency-Key": "parallel"})))

    threads = [threading.Thread(target=post, args=(caller, body if n % 2 else other))
               for n, caller in enumerate(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fresh = [r for _, r in answers if r.status_code == 202 and "Idempotent-Replayed" not in r.headers]
    assert len(fresh) == 1, [(r.status_code, r.get_data(as_text=True)) for _, r in answers]
    won = next(same for same, r in answers if r is fresh[0])
    for same, answer in answers:
        if same == won:
            assert answer.status_code == 202 and _what(answer) == _what(fresh[0])  # its status may have moved on
        else:
            _error(answer, 422, "idempotency_key_reused")
    stored = _writes_stored(app)
    assert stored[:2] == ((1, 0) if endpoint == "api.submit_meter_reading" else (0, 1)) and stored[2:] == (1, 1)


def test_reading_validation_errors_are_422_with_field_messages(app, owner):
    _client, _identity, api = owner
    point, newest = _reading_point(api)
    path = f"/supply-points/{point['identifier']}/readings"
    register = next(iter(newest))
    missing = _error(api.post(path, json={"values": {}}), 422, "validation_failed")
    assert missing["fields"]["read_on"] == ["This field is required."]
    unknown = _error(api.post(path, json={"read_on": _today(app), "values": {"9.9.9": 1}}), 422, "validation_failed")
    assert "values.9.9.9" in unknown["fields"]
    lower = _error(api.post(path, json={"read_on": _today(app), "values": {r: str(v - 1) for r, v in newest.items()}}),
                   422, "validation_failed")
    assert "lower than the previous reading" in lower["fields"][f"values.{register}"][0]
    future = (dt.date.fromisoformat(_today(app)) + dt.timedelta(days=2)).isoformat()
    later = _error(api.post(path, json={"read_on": future, "values": {r: str(v + 1) for r, v in newest.items()}}),
                   422, "validation_failed")
    assert later["fields"]["read_on"] == ["The reading date cannot be in the future."]
    _error(api.post(path, data="not json", headers={"Content-Type": "text/plain"}), 400, "bad_request")
    assert count_to_supplier(app) == 0


def test_implausible_reading_needs_confirm_and_reason(app, owner):
    _client, _identity, api = owner
    point, newest = _reading_point(api)
    path = f"/supply-points/{point['identifier']}/readings"
    body = {"read_on": _today(app), "values": {r: str(v + 1_000_000) for r, v in newest.items()}}
    _error(api.post(path, json=body), 422, "implausible_reading")
    no_reason = _error(api.post(path, json={**body, "confirm": True}), 422, "validation_failed")
    assert "reason" in no_reason["fields"]
    assert _count(app, MeterReading) and count_to_supplier(app) == 0
    confirmed = api.post(path, json={**body, "confirm": True, "reason": "Electric heating installed"})
    assert confirmed.status_code == 202 and confirmed.get_json()["status"] == "review"


def test_requests_are_filed_idempotently_and_listed(app, owner, smtp_server):
    _client, identity, api = owner
    body = {"type": "contact_update", "account": identity["account_number"], "data": {"email": "new@example.com"}}
    key = {"Idempotency-Key": "contact-1"}
    first = api.post("/requests", json=body, headers=key)
    again = api.post("/requests", json=body, headers=key)
    assert first.status_code == again.status_code == 202
    filed = first.get_json()
    assert again.get_json()["id"] == filed["id"] and again.headers["Idempotent-Replayed"] == "true"
    assert filed["type"] == "contact_update" and filed["data"]["email"] == "new@example.com"
    assert filed["status"] in ("received", "accepted") and filed["events"][0]["status"] == "received"
    assert _count(app, ServiceRequest) == 1 and count_to_supplier(app) == 1
    assert api.get(f"/requests/{filed['id']}").get_json()["id"] == filed["id"]
    assert [r["id"] for r in api.get("/requests").get_json()["items"]] == [filed["id"]]
    assert "request" in smtp_server.wait_for("owner@example.com", 2)[-1]["Subject"]
    _error(api.get("/requests/999999"), 404, "not_found")
    _error(api.get(f"/requests/{2**63}"), 404, "not_found")


def test_request_validation_errors_name_the_fields(app, owner):
    _client, identity, api = owner
    number = identity["account_number"]
    bad_type = _error(api.post("/requests", json={"type": "nope", "account": number}), 422, "validation_failed")
    assert "type" in bad_type["fields"]
    bad_data = _error(api.post("/requests", json={"type": "contact_update", "account": number,
                                                  "data": {"postcode": "x", "email": "not-an-email"}}),
                      422, "validation_failed")
    assert {"data.postcode", "data.email"} <= set(bad_data["fields"])
    assert bad_data["fields"]["data.email"] == ["Enter a valid e-mail address."]
    missing = _error(api.post("/requests", json={"data": []}), 422, "validation_failed")
    assert {"type", "account", "data"} <= set(missing["fields"])
    assert _count(app, ServiceRequest) == 0


def test_error_messages_follow_the_language_the_customer_chose(app, owner):
    client, _identity, api = owner
    client.get("/api-tokens/")
    client.post("/language", data={"csrf_token": client.last_csrf, "locale": "pl", "next": "/"})
    body = _error(api.post("/requests", json={}), 422, "validation_failed")
    with app.test_request_context(), force_locale("pl"):
        assert body["fields"]["type"] == [babel_gettext("This field is required.")]
    assert body["fields"]["type"] != ["This field is required."]


def test_unknown_api_address_is_json_404(app, owner):
    _client, _identity, api = owner
    _error(api.get("/nothing/here"), 404, "not_found")
    _error(api.post("/accounts/x/y"), 404, "not_found")


# --- every brand ---------------------------------------------------------------------


BRANDS = {
    "innogy": (plugins.innogy_pl.plugin, "PLN"),
    "cez": (plugins.cez_cz.plugin, "CZK"),
    "doe": (plugins.doe_ua.plugin, "UAH"),
    "italiangas": (plugins.italiangas_it.plugin, "EUR"),
}


@pytest.mark.parametrize("code", sorted(BRANDS))
def test_every_brand_serves_the_api(make_app, smtp_server, code):
    plugin, currency = BRANDS[code]
    host = f"{code}.test"
    app = make_app(plugins=[plugin], TENANTS={code: {"plugin": plugin.portal_supplier().code, "hosts": [host]}})
    client, identity = _customer(app, smtp_server, f"{code}@example.com", host=host, code=code)
    api = Api(app, _make_token(client), host=host)
    me = api.get("/me").get_json()
    assert me["brand"] == code and identity["account_number"] in me["accounts"]
    account = api.get(f"/accounts/{identity['account_number']}").get_json()
    assert account["balance"]["currency"] == currency
    assert api.get("/invoices").get_json()["items"]
    assert api.get("/supply-points").get_json()["items"]
    spec = api.get("/openapi.json").get_json()
    assert spec["servers"][0]["url"] == f"https://{host}/api/v1"
    types = [t.code for t in _tenant(app, code).request_types()]
    assert all(t in spec["paths"]["/requests"]["post"]["description"] for t in types)
    assert set(spec["paths"]["/requests"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "discriminator"]["mapping"]) == set(types)
    docs = client_for(app, host).get("/api/v1/docs").get_data(as_text=True)
    words = re.sub(r"<[^>]+>", " ", docs)
    assert all(f"RequestData_{t}" in docs for t in types) and "None" not in words and "True" not in words


# --- the OpenAPI document and its page -------------------------------------------------


def test_openapi_document_describes_every_operation(app):
    spec = client_for(app).get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.0") and spec["info"]["title"] and spec["info"]["version"]
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": spec["components"]["securitySchemes"]["bearer"]["description"]}
    assert spec["security"] == [{"bearer": []}]
    schemas = spec["components"]["schemas"]
    operation_ids = set()
    for op in _operations(app):
        path = openapi_path(op.rule)
        described = spec["paths"][path][op.method.lower()]
        operation_ids.add(described["operationId"])
        assert "401" in described["responses"] and "429" in described["responses"]
        for status, response in described["responses"].items():
            for media in response["content"].values():
                ref = media["schema"].get("$ref")
                assert ref is None or ref.rsplit("/", 1)[1] in schemas, (path, status, ref)
        for name in re.findall(r"{(\w+)}", path):
            assert any(p["name"] == name and p["in"] == "path" and p["required"] for p in described["parameters"])
    assert len(operation_ids) == len(_operations(app))
    for name, schema in schemas.items():
        for prop in schema.get("properties", {}).values():
            ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
            assert ref is None or ref.rsplit("/", 1)[1] in schemas, name
    post = spec["paths"]["/supply-points/{identifier}/readings"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReadingInput")
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])
    assert {"page", "per_page", "year", "status"} <= {p["name"] for p in spec["paths"]["/invoices"]["get"]["parameters"]}


def test_openapi_document_shows_each_request_types_fields(app):
    spec = client_for(app).get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    body = spec["paths"]["/requests"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    codes = ["change_offer", "additional_service", "contact_update"]
    assert body["discriminator"] == {"propertyName": "type", "mapping": {
        code: f"#/components/schemas/RequestInput_{code}" for code in codes}}
    assert body["oneOf"] == [{"$ref": f"#/components/schemas/RequestInput_{code}"} for code in codes]
    change = schemas["RequestInput_change_offer"]
    assert change["title"] == "Change of offer or product" and change["required"] == ["type", "account", "data"]
    assert change["properties"]["type"] == {"type": "string", "enum": ["change_offer"]}
    assert change["properties"]["data"] == {"$ref": "#/components/schemas/RequestData_change_offer"}
    data = schemas["RequestData_change_offer"]
    assert set(data["properties"]) == {"supply_point", "product", "start_date", "accept_terms"}
    assert set(data["required"]) == set(data["properties"]) and data["additionalProperties"] is False
    product = data["properties"]["product"]
    assert product["enum"] == ["fixed_price_2y", "fixed_price_3y", "green_energy", "standard"]
    assert product["title"] == "New offer" and product["description"].startswith(
        "fixed_price_2y: Fixed price for 2 years; fixed_price_3y: Fixed price for 3 years;")
    assert data["properties"]["start_date"]["format"] == "date"
    assert data["properties"]["accept_terms"] == {
        "type": "boolean", "enum": [True],
        "title": "I have read and accept the terms and the price list of the chosen offer."}
    assert data["properties"]["supply_point"]["description"].startswith("18 digits starting with 590")
    assert "example" not in data  # its examples depend on the account
    contact = schemas["RequestData_contact_update"]
    assert contact["example"] == {"email": "anna.kowalska@example.pl", "phone": "601 234 567"}
    assert "required" not in contact  # at least one of its fields, which one is the customer's choice
    assert schemas["RequestInput_contact_update"]["required"] == ["type", "account"]
    polish = client_for(app, language="pl").get("/api/v1/openapi.json").get_json()
    assert polish["components"]["schemas"]["RequestData_change_offer"]["properties"]["product"]["title"] == "Nowa oferta"


@pytest.mark.parametrize("code", sorted(BRANDS))
def test_request_examples_match_the_openapi_document(make_app, code):
    """Every example of every brand (for its first demo accounts) is a body the document allows."""
    import jsonschema_rs

    from core.service_requests.service import json_safe

    plugin, _currency = BRANDS[code]
    host = f"{code}.test"
    app = make_app(plugins=[plugin], TENANTS={code: {"plugin": plugin.portal_supplier().code, "hosts": [host]}})
    spec = client_for(app, host).get("/api/v1/openapi.json").get_json()
    tenant = _tenant(app, code)
    checked = set()
    with app.test_request_context("/", base_url=f"https://{host}"), tenant_context(code):
        adapter = tenant.adapter
        for identity in adapter.demo_identities()[:3]:
            number = identity["account_number"]
            record = adapter.find_account(number)
            account = type("Account", (), {"number": number, "holder_name": record.holder_name,
                                           "supply_points": adapter.supply_points(number)})()
            for request_type in tenant.request_types():
                if not request_type.eligible(account):
                    continue
                validator = jsonschema_rs.validator_for({"$ref": f"#/components/schemas/RequestInput_{request_type.code}",
                                                         "components": spec["components"]})
                for example in request_type.examples_for(adapter, account):
                    body = {"type": request_type.code, "account": number, "data": json_safe(example)}
                    errors = [error.message for error in validator.iter_errors(body)]
                    assert not errors, (request_type.code, example, errors)
                    checked.add(request_type.code)
    assert checked == {t.code for t in tenant.request_types()}


def test_docs_page_lists_operations_in_every_language(app):
    client = client_for(app)
    for locale in LOCALES:
        response = client.get("/api/v1/docs", headers={"Accept-Language": locale})
        assert response.status_code == 200 and response.mimetype == "text/html"
        page = response.get_data(as_text=True)
        assert f'<html lang="{locale}">' in page
        for op in _operations(app):
            assert openapi_path(op.rule) in page
        assert "Idempotency-Key" in page and "ReadingInput" in page
        for code in ("change_offer", "additional_service", "contact_update"):  # each request type's fields
            assert f'<a href="#schema-RequestData_{code}">RequestData_{code}</a>' in page
            assert f'id="schema-RequestData_{code}"' in page
        scripts = re.findall(r"<script[^>]*>", page)
        assert all('src="/static/' in tag for tag in scripts)


def test_consumption_per_month_from_the_readings(app, owner):
    _client, _identity, api = owner
    point = api.get("/supply-points").get_json()["items"][0]["identifier"]
    this_year = api.get(f"/supply-points/{point}/consumption").get_json()
    assert this_year["identifier"] == point and this_year["year"] == int(_today(app)[:4])
    last_year = api.get(f"/supply-points/{point}/consumption?year={this_year['year'] - 1}").get_json()
    months = last_year["months"]
    assert months and {m["month"] for m in months} == set(range(1, 13))
    measured = [Decimal(m["value"]) for m in months if m["value"] is not None]
    assert measured and all(value >= 0 for value in measured)
    _error(api.get(f"/supply-points/{point}/consumption?year=abc"), 422, "validation_failed")
    _error(api.get("/supply-points/nope/consumption"), 404, "not_found")


def test_idempotency_key_is_limited_and_rate_limit_headers_are_sent(app, owner):
    _client, identity, api = owner
    body = {"type": "contact_update", "account": identity["account_number"], "data": {"email": "new@example.com"}}
    long_key = _error(api.post("/requests", json=body, headers={"Idempotency-Key": "k" * 256}), 422, "validation_failed")
    assert "Idempotency-Key" in long_key["fields"]
    assert _count(app, ServiceRequest) == 0
    assert "X-RateLimit-Limit" in api.get("/me").headers


def test_active_tokens_are_capped(signed_in, monkeypatch):
    import core.api_tokens.views

    monkeypatch.setattr(core.api_tokens.views, "MAX_ACTIVE", 2)
    made = [_make_token(signed_in, name="one"), _make_token(signed_in, name="two")]
    refused = signed_in.submit("/api-tokens/", {"name": "three", "scope": "read"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Revoke one you no longer use first." in page
    assert not any(token in page for token in made) and 'id="new-token-value"' not in page


def test_new_terms_must_be_accepted_in_the_portal_before_the_api_answers(app, owner):
    client, _identity, api = owner
    app.config["TERMS_VERSION"] = "2027-03"
    _error(api.get("/me"), 403, "terms_not_accepted")
    assert client.submit("/consents/terms", {"accept_terms": "1"}).status_code == 302
    assert api.get("/me").status_code == 200


def test_request_rules_of_the_chosen_account_apply_as_on_the_form(make_app, smtp_server):
    """ČEZ: the new advance must fit the expected consumption of the account it is for."""
    from plugins.cez_cz.rules import advance_payment_limits

    plugin = plugins.cez_cz.plugin
    app = make_app(plugins=[plugin], TENANTS={"cez": {"plugin": "cez_cz", "hosts": ["cez.test"]}})
    adapter = _tenant(app, "cez").adapter
    method, identities = _identities(app, "cez")
    identity = next(i for i in identities
                    if any(p for p in adapter.supply_points(i["account_number"]))
                    and not any(inv.status == "overdue" for inv in adapter.invoices(i["account_number"])))
    client, identity = _customer(app, smtp_server, "advance@example.com", host="cez.test", code="cez", identity=identity)
    api = Api(app, _make_token(client), host="cez.test")
    point = adapter.supply_points(identity["account_number"])[0].identifier
    lowest, _highest = advance_payment_limits(adapter.expected_yearly_cost(identity["account_number"], point))
    body = {"type": "advance_payment", "account": identity["account_number"],
            "data": {"supply_point": point, "change": "increase", "amount": str(lowest - 10)}}
    refused = _error(api.post("/requests", json=body), 422, "validation_failed")
    assert "data.amount" in refused["fields"]
    assert _count(app, ServiceRequest, "cez") == 0
    body["data"]["amount"] = str(lowest)
    assert api.post("/requests", json=body).status_code == 202
    assert _count(app, ServiceRequest, "cez") == 1


def test_a_null_character_in_any_text_is_refused_and_changes_nothing(app, owner):
    """No database column stores a NUL character: it is a validation error, on the API and on the form."""
    client, identity, api = owner
    refused = api.post("/requests", json={"type": "contact_update", "account": "\u0000",
                                          "data": {"email": "x\u0000@example.com"}})
    body = _error(refused, 422, "validation_failed")
    assert set(body["fields"]) == {"account", "data"}
    assert api.get("/requests").get_json()["items"] == []
    visitor = client_for(app)
    form = visitor.submit("/register", {"email": "new\x00@example.com", "password": "x", "password_repeat": "x"})
    assert form.status_code == 400, form.status_code
    assert "Remove the invisible control characters from this text." in form.get_data(as_text=True)
