"""The API's requests: request types with their fields, filing, validation, the OpenAPI bodies."""

from __future__ import annotations

import datetime as dt

import pytest

import plugins.cez_cz.plugin
import plugins.doe_ua.plugin
import plugins.innogy_pl.plugin
import plugins.italiangas_it.plugin
from core.framework.tenancy import tenant_context
from core.service_requests.models import ServiceRequest
from tests.conftest import client_for
from tests.support.api import Api, api_customer, api_error, count_rows, demo_identities, make_token, tenant_of
from tests.support.outbox import count_to_supplier

BRANDS = {
    "innogy": (plugins.innogy_pl.plugin, "PLN"),
    "cez": (plugins.cez_cz.plugin, "CZK"),
    "doe": (plugins.doe_ua.plugin, "UAH"),
    "italiangas": (plugins.italiangas_it.plugin, "EUR"),
}


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
    assert count_rows(app, ServiceRequest) == 1 and count_to_supplier(app) == 1
    assert api.get(f"/requests/{filed['id']}").get_json()["id"] == filed["id"]
    assert [r["id"] for r in api.get("/requests").get_json()["items"]] == [filed["id"]]
    assert "request" in smtp_server.wait_for("owner@example.com", 2)[-1]["Subject"]
    api_error(api.get("/requests/999999"), 404, "not_found")
    api_error(api.get(f"/requests/{2**63}"), 404, "not_found")


def test_request_validation_errors_name_the_fields(app, owner):
    _client, identity, api = owner
    number = identity["account_number"]
    bad_type = api_error(api.post("/requests", json={"type": "nope", "account": number}), 422, "validation_failed")
    assert "type" in bad_type["fields"]
    bad_data = api_error(api.post("/requests", json={"type": "contact_update", "account": number,
                                                  "data": {"postcode": "x", "email": "not-an-email"}}),
                      422, "validation_failed")
    assert {"data.postcode", "data.email"} <= set(bad_data["fields"])
    assert bad_data["fields"]["data.email"] == ["Enter a valid e-mail address."]
    missing = api_error(api.post("/requests", json={"data": []}), 422, "validation_failed")
    assert {"type", "account", "data"} <= set(missing["fields"])
    assert count_rows(app, ServiceRequest) == 0


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
    assert product["title"] == "New offer"  # and what each code stands for, in the customer's language
    assert product["x-labels"]["fixed_price_2y"] == "Fixed price for 2 years"
    assert product["x-labels"]["fixed_price_3y"] == "Fixed price for 3 years"
    assert data["properties"]["start_date"]["format"] == "date"
    assert data["properties"]["accept_terms"] == {
        "type": "boolean", "enum": [True],
        "title": "I have read and accept the terms and the price list of the chosen offer."}
    assert data["properties"]["supply_point"] == {  # chosen from the account's: nothing to copy from an invoice
        "type": "string", "title": "Supply point",
        "description": "The identifier of one of the supply points of the account the request is for."}
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
    tenant = tenant_of(app, code)
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


def test_request_rules_of_the_chosen_account_apply_as_on_the_form(make_app, smtp_server):
    """ČEZ: the new advance must fit the expected consumption of the account it is for."""
    from plugins.cez_cz.rules import advance_payment_limits

    plugin = plugins.cez_cz.plugin
    app = make_app(plugins=[plugin], TENANTS={"cez": {"plugin": "cez_cz", "hosts": ["cez.test"]}})
    adapter = tenant_of(app, "cez").adapter
    method, identities = demo_identities(app, "cez")
    identity = next(i for i in identities
                    if any(p for p in adapter.supply_points(i["account_number"]))
                    and not any(inv.status == "overdue" for inv in adapter.invoices(i["account_number"])))
    client, identity = api_customer(app, smtp_server, "advance@example.com", host="cez.test", code="cez", identity=identity)
    api = Api(app, make_token(client), host="cez.test")
    point = adapter.supply_points(identity["account_number"])[0].identifier
    lowest, _highest = advance_payment_limits(adapter.expected_yearly_cost(identity["account_number"], point))
    body = {"type": "advance_payment", "account": identity["account_number"],
            "data": {"supply_point": point, "change": "increase", "amount": str(lowest - 10)}}
    refused = api_error(api.post("/requests", json=body), 422, "validation_failed")
    assert "data.amount" in refused["fields"]
    assert count_rows(app, ServiceRequest, "cez") == 0
    body["data"]["amount"] = str(lowest)
    assert api.post("/requests", json=body).status_code == 202
    assert count_rows(app, ServiceRequest, "cez") == 1


def test_request_types_list_their_fields_and_accounts_and_a_listed_example_files(app, owner):
    _client, identity, api = owner
    types = api.get("/request-types").get_json()["items"]
    tenant = app.extensions["portal_tenants"]["innogy"]
    assert [t["type"] for t in types] == [t.code for t in tenant.request_types()]
    contact = next(t for t in types if t["type"] == "contact_update")
    assert contact["label"] and contact["accounts"] == [identity["account_number"]]
    schema = contact["data"]
    assert schema["type"] == "object" and "email" in schema["properties"]
    assert schema["properties"]["email"]["title"]  # the web form's label
    assert schema["example"]
    filed = api.post("/requests", json={"type": "contact_update", "account": contact["accounts"][0],
                                        "data": schema["example"]}, headers={"Idempotency-Key": "example-1"})
    assert filed.status_code == 202, filed.get_data(as_text=True)
    # the same fields as the OpenAPI document's component
    document = api.client.get("/api/v1/openapi.json").get_json()
    assert document["components"]["schemas"]["RequestData_contact_update"]["properties"] == schema["properties"]


def test_request_types_list_the_customers_own_supply_points_to_choose_from(app, owner, neighbour):
    _client, identity, api = owner
    tenant = tenant_of(app, "innogy")
    with app.app_context(), tenant_context("innogy"):
        own = [p.identifier for p in tenant.adapter.supply_points(identity["account_number"])]
        theirs = [p.identifier for p in tenant.adapter.supply_points(neighbour[1]["account_number"])]
    change = next(t for t in api.get("/request-types").get_json()["items"] if t["type"] == "change_offer")
    point = change["data"]["properties"]["supply_point"]
    assert sorted(point["enum"]) == sorted(own) and not set(theirs) & set(point["enum"])
    assert point["title"] == "Supply point"
    first = point["enum"][0]
    assert f" · {first} · " in point["x-labels"][first]  # energy, code, address
    start = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    body = {"type": "change_offer", "account": identity["account_number"],
            "data": {"supply_point": theirs[0], "product": "standard", "accept_terms": True, "start_date": start}}
    refused = api_error(api.post("/requests", json=body), 422, "validation_failed")
    assert refused["fields"]["data.supply_point"] == ["Choose one of the supply points of the chosen customer account."]
    assert count_rows(app, ServiceRequest) == 0


def test_request_types_are_in_the_customers_language(app, owner):
    _client, _identity, api = owner
    labels = {t["type"]: t["label"] for t in api.get("/request-types").get_json()["items"]}
    assert api.put("/profile/language", json={"locale": "pl"}).status_code == 200
    polish = {t["type"]: t["label"] for t in api.get("/request-types").get_json()["items"]}
    assert labels["contact_update"] == "Update of contact details"
    assert polish.keys() == labels.keys() and polish["contact_update"] != labels["contact_update"]
