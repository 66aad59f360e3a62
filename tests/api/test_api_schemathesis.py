"""Schemathesis over the API's own OpenAPI document: requests generated from it, sent to the
Flask app with a read-write token, must never fail on the server and must be answered as the
document says (status codes and bodies). Without a token every operation answers 401.

Schemathesis' pytest integration (``from_fixture``) does not run on this pytest, so the
operations' Hypothesis strategies are driven directly, one app for all of them.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.support.api import Api, api_customer, make_token

pytestmark = pytest.mark.slow
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
SETTINGS = settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def api_app(make_app, smtp_server):
    # Schemathesis' client calls the app on its own host name: every host is innogy here.
    app = make_app(DEFAULT_TENANT="innogy", RATELIMIT_API="100000 per minute")
    client, _identity = api_customer(app, smtp_server, "fuzz@example.com")
    app.config["TEST_API_TOKEN"] = make_token(client)
    return app


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers={"Accept-Language": "en"})
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    return operations


def _real_path_parameters(app) -> dict[str, str]:
    """Identifiers of the customer's own data, so generated requests also reach real rows."""
    api = Api(app, app.config["TEST_API_TOKEN"])
    api.post("/requests", json={"type": "contact_update", "account": api.get("/me").get_json()["accounts"][0],
                                "data": {"email": "fuzz.new@example.com"}})
    invoice = next(i for i in api.get("/invoices?per_page=100").get_json()["items"]
                   if float(i["outstanding"]["amount"]) > 0)
    attempt = api.post("/payments", json={"account": invoice["account_number"], "invoice": invoice["number"],
                                          "amount": invoice["outstanding"]["amount"]})
    return {
        "reference": attempt.get_json()["reference"],
        "number": api.get("/invoices").get_json()["items"][0]["number"],
        "identifier": max(api.get("/supply-points").get_json()["items"], key=lambda p: p["accepts_readings"])["identifier"],
        "request_id": api.get("/requests").get_json()["items"][0]["id"],
    }


def _run(operation, check, max_examples, **fixed):
    @settings(SETTINGS, max_examples=max_examples)
    @given(case=operation.as_strategy(**fixed))
    def run(case):
        check(case)

    run()


def test_every_operation_answers_as_documented(api_app):
    token = {"Authorization": f"Bearer {api_app.config['TEST_API_TOKEN']}"}
    real = _real_path_parameters(api_app)

    def check(case):
        case.call_and_validate(headers=token, checks=CHECKS)

    for operation in _operations(api_app):
        _run(operation, check, 20)
        names = [p.name for p in operation.path_parameters]
        if names:
            accounts = {"number": Api(api_app, token["Authorization"][7:]).get("/me").get_json()["accounts"][0]}
            values = {**real, **accounts} if operation.path.startswith("/accounts") else real
            _run(operation, check, 10, path_parameters={name: values[name] for name in names})


def test_every_operation_needs_a_token(api_app):
    def check(case):
        response = case.call()
        assert response.status_code == 401, (case.method, case.formatted_path, response.status_code)
        challenge = {name.lower(): value for name, value in response.headers.items()}["www-authenticate"]
        assert challenge[0].startswith("Bearer")

    for operation in _operations(api_app):
        _run(operation, check, 5)


def test_invoice_numbers_with_slashes_work_encoded(api_app):
    api = Api(api_app, api_app.config["TEST_API_TOKEN"])
    number = api.get("/invoices").get_json()["items"][0]["number"]
    assert api.get(f"/invoices/{quote(number, safe='')}").get_json()["number"] == number
