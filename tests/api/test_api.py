"""The JSON API's machinery through HTTP: token authentication, scopes and tenants, rate limits,
Idempotency-Key on every write, errors in the customer's language, every brand, the OpenAPI
document and its page. Each feature's endpoints are tested in tests/<feature>/test_api.py."""

from __future__ import annotations

import json
import re
import threading
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
from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import MeterReading
from core.service_requests.models import ServiceRequest
from tests.conftest import SECOND_HOST, client_for
from tests.support.api import (
    LOCALES,
    Api,
    api_customer,
    api_error,
    count_rows,
    demo_identities,
    make_token,
    reading_point,
    tenant_of,
    today,
)
from tests.support.outbox import count_to_supplier


def test_no_token_bad_token_and_session_cookie_get_401(app, owner):
    client, _identity, api = owner
    anonymous = client_for(app)
    response = anonymous.get("/api/v1/me")
    api_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    bad = anonymous.get("/api/v1/me", headers={"Authorization": "Bearer up_not-a-real-token"})
    api_error(bad, 401, "unauthorized")
    assert 'error="invalid_token"' in bad.headers["WWW-Authenticate"]
    # the signed-in browser's session cookie does not open the API
    api_error(client.get("/api/v1/me"), 401, "unauthorized")
    api_error(client.post("/api/v1/requests", json={}), 401, "unauthorized")
    api_error(anonymous.get("/api/v1/me", headers={"Authorization": f"Basic {api.token}"}), 401, "unauthorized")
    # an address no route takes, a line break in it included, asks for a token first
    api_error(anonymous.get("/api/v1/invoices/0%0A"), 401, "unauthorized")
    api_error(anonymous.get("/api/v1/no/such/address"), 401, "unauthorized")


def test_token_of_one_brand_is_useless_on_another(app, owner):
    _client, _identity, api = owner
    elsewhere = Api(app, api.token, host=SECOND_HOST)
    api_error(elsewhere.get("/me"), 401, "unauthorized")
    api_error(elsewhere.get("/accounts"), 401, "unauthorized")
    unknown = Api(app, api.token, host="unknown.test")
    api_error(unknown.get("/me"), 404, "not_found")


def test_read_only_token_cannot_write(app, owner):
    client, identity, _api = owner
    reader = Api(app, make_token(client, scope="read", name="Dashboard"))
    assert reader.get("/me").get_json()["token"] == {"name": "Dashboard", "scope": "read"}
    api_error(reader.post("/requests", json={"type": "contact_update", "account": identity["account_number"],
                                          "data": {"email": "new@example.com"}}), 403, "insufficient_scope")
    point, newest = reading_point(reader)
    body = {"read_on": today(app), "values": {r: str(v + 1) for r, v in newest.items()}}
    api_error(reader.post(f"/supply-points/{point['identifier']}/readings", json=body), 403, "insufficient_scope")
    assert count_rows(app, ServiceRequest) == 0 and count_to_supplier(app) == 0


def test_rate_limit_is_per_token(make_app, smtp_server):
    app = make_app(RATELIMIT_API="3 per minute")
    client, _identity = api_customer(app, smtp_server, "busy@example.com")
    first, second = Api(app, make_token(client)), Api(app, make_token(client, name="Second"))
    for _ in range(3):
        assert first.get("/me").status_code == 200
    api_error(first.get("/me"), 429, "rate_limited")
    assert second.get("/me").status_code == 200


def test_another_customers_data_is_404(app, smtp_server, owner):
    _client, identity, api = owner
    invoice = api.get("/invoices").get_json()["items"][0]["number"]
    point = api.get("/supply-points").get_json()["items"][0]["identifier"]
    filed = api.post("/requests", json={"type": "contact_update", "account": identity["account_number"],
                                        "data": {"email": "new@example.com"}}).get_json()
    _method, identities = demo_identities(app)
    other_identity = next(i for i in identities if i["account_number"] != identity["account_number"])
    other_client, _ = api_customer(app, smtp_server, "other@example.com", identity=other_identity)
    other = Api(app, make_token(other_client))
    for path in (f"/accounts/{identity['account_number']}", f"/invoices/{invoice}", f"/invoices/{invoice}/pdf",
                 f"/supply-points/{point}", f"/supply-points/{point}/readings", f"/requests/{filed['id']}"):
        api_error(other.get(path), 404, "not_found")
    api_error(other.post(f"/supply-points/{point}/readings", json={"read_on": today(app), "values": {}}),
           404, "not_found")
    refused = other.post("/requests", json={"type": "contact_update", "account": identity["account_number"],
                                            "data": {"email": "x@example.com"}})
    assert "account" in api_error(refused, 422, "validation_failed")["fields"]
    listed = {i["number"] for i in other.get("/invoices?per_page=100").get_json()["items"]}
    assert invoice not in listed and other.get("/requests").get_json()["items"] == []


def _writes(app, api, identity) -> dict[str, tuple[str, dict, dict]]:
    """Per write endpoint: its address, a body, and another body (another submission)."""
    point, newest = reading_point(api)
    reading = {"read_on": today(app), "values": {r: v + 5 for r, v in newest.items()}}
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
    return readings, count_rows(app, ServiceRequest), count_to_supplier(app), count_rows(app, ApiIdempotencyKey)


def test_every_write_refuses_its_idempotency_key_with_another_request(app, owner):
    _client, identity, api = owner
    writes = _writes(app, api, identity)
    assert set(writes) == {op.endpoint for op in _operations(app) if idempotency.PARAMETER in op.headers}
    for endpoint, (path, body, other) in writes.items():
        key = {"Idempotency-Key": f"key of {endpoint}"}
        first = api.post(path, json=body, headers=key)
        assert first.status_code == 202 and "Idempotent-Replayed" not in first.headers
        reused = api_error(api.post(path, json=other, headers=key), 422, "idempotency_key_reused")
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
    api_error(api.post(path, json=body, headers={"Idempotency-Key": "key of api.submit_meter_reading"}),
           422, "idempotency_key_reused")
    assert _writes_stored(app) == (1, 1, 2, 2)


def test_an_idempotency_key_is_kept_only_by_a_stored_write_and_per_customer(app, smtp_server, owner):
    _client, identity, api = owner
    path, body, _other = _writes(app, api, identity)["api.submit_meter_reading"]
    key = {"Idempotency-Key": "heating-1"}
    lower = {**body, "values": {r: v - 10 for r, v in body["values"].items()}}
    api_error(api.post(path, json=lower, headers=key), 422, "validation_failed")
    corrected = api.post(path, json=body, headers=key)  # nothing was stored: the key is still free
    assert corrected.status_code == 202 and "Idempotent-Replayed" not in corrected.headers
    other_client, other_identity = api_customer(app, smtp_server, "neighbour@example.com",
                                             identity=demo_identities(app)[1][1])
    neighbour = Api(app, make_token(other_client))
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
            api_error(answer, 422, "idempotency_key_reused")
    stored = _writes_stored(app)
    assert stored[:2] == ((1, 0) if endpoint == "api.submit_meter_reading" else (0, 1)) and stored[2:] == (1, 1)


def test_error_messages_follow_the_language_the_customer_chose(app, owner):
    client, _identity, api = owner
    client.get("/api-tokens/")
    client.post("/language", data={"csrf_token": client.last_csrf, "locale": "pl", "next": "/"})
    body = api_error(api.post("/requests", json={}), 422, "validation_failed")
    with app.test_request_context(), force_locale("pl"):
        assert body["fields"]["type"] == [babel_gettext("This field is required.")]
    assert body["fields"]["type"] != ["This field is required."]


def test_unknown_api_address_is_json_404(app, owner):
    _client, _identity, api = owner
    api_error(api.get("/nothing/here"), 404, "not_found")
    api_error(api.post("/accounts/x/y"), 404, "not_found")


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
    client, identity = api_customer(app, smtp_server, f"{code}@example.com", host=host, code=code)
    api = Api(app, make_token(client), host=host)
    me = api.get("/me").get_json()
    assert me["brand"] == code and identity["account_number"] in me["accounts"]
    account = api.get(f"/accounts/{identity['account_number']}").get_json()
    assert account["balance"]["currency"] == currency
    assert api.get("/invoices").get_json()["items"]
    assert api.get("/supply-points").get_json()["items"]
    spec = api.get("/openapi.json").get_json()
    assert spec["servers"][0]["url"] == f"https://{host}/api/v1"
    types = [t.code for t in tenant_of(app, code).request_types()]
    assert all(t in spec["paths"]["/requests"]["post"]["description"] for t in types)
    assert set(spec["paths"]["/requests"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "discriminator"]["mapping"]) == set(types)
    docs = client_for(app, host).get("/api/v1/docs").get_data(as_text=True)
    words = re.sub(r"<[^>]+>", " ", docs)
    assert all(f"RequestData_{t}" in docs for t in types) and "None" not in words and "True" not in words


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


def test_idempotency_key_is_limited_and_rate_limit_headers_are_sent(app, owner):
    _client, identity, api = owner
    body = {"type": "contact_update", "account": identity["account_number"], "data": {"email": "new@example.com"}}
    long_key = api_error(api.post("/requests", json=body, headers={"Idempotency-Key": "k" * 256}), 422, "validation_failed")
    assert "Idempotency-Key" in long_key["fields"]
    assert count_rows(app, ServiceRequest) == 0
    assert "X-RateLimit-Limit" in api.get("/me").headers


def test_a_null_character_in_any_text_is_refused_and_changes_nothing(app, owner):
    """No database column stores a NUL character: it is a validation error, on the API and on the form."""
    client, identity, api = owner
    refused = api.post("/requests", json={"type": "contact_update", "account": "\u0000",
                                          "data": {"email": "x\u0000@example.com"}})
    body = api_error(refused, 422, "validation_failed")
    assert set(body["fields"]) == {"account", "data"}
    assert api.get("/requests").get_json()["items"] == []
    visitor = client_for(app)
    form = visitor.submit("/register", {"email": "new\x00@example.com", "password": "x", "password_repeat": "x"})
    assert form.status_code == 400, form.status_code
    assert "Remove the invisible control characters from this text." in form.get_data(as_text=True)
