"""The API endpoints of request types, consents, notification settings, the profile and
"pay now": each uses the same routine as its web page, refuses bad input with translated
field errors and changes nothing then, and reaches only the token owner's own data."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import ServiceRequest
from core.notifications.models import NotificationPreference
from core.payments.models import PaymentIntent
from core.profile.models import ConsentEvent, ContactUpdate
from tests.conftest import client_for, linked_customer
from tests.support.api import Api, api_error, make_token
from tests.support.outbox import count_to_supplier, to_supplier


def _identities(app, code="innogy"):
    tenant = app.extensions["portal_tenants"][code]
    method = tenant.identity_methods()[0]
    with app.app_context():
        return tenant.adapter.demo_identities(method.code)


def _count(app, model, code="innogy"):
    with app.app_context(), tenant_context(code):
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _api(app, smtp_server, email, identity, scope="read-write", language="en"):
    client = linked_customer(client_for(app), smtp_server, identity, email)
    return Api(app, make_token(client, scope=scope), language=language)


@pytest.fixture
def owner(app, smtp_server):
    identity = _identities(app)[0]
    return _api(app, smtp_server, "owner@example.com", identity), identity


@pytest.fixture
def neighbour(app, smtp_server):
    identity = _identities(app)[1]
    return _api(app, smtp_server, "neighbour@example.com", identity), identity


# --- request types ---------------------------------------------------------------------


def test_request_types_list_their_fields_and_accounts_and_a_listed_example_files(app, owner):
    api, identity = owner
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


def test_request_types_are_in_the_customers_language(app, owner):
    api, _identity = owner
    labels = {t["type"]: t["label"] for t in api.get("/request-types").get_json()["items"]}
    assert api.put("/profile/language", json={"locale": "pl"}).status_code == 200
    polish = {t["type"]: t["label"] for t in api.get("/request-types").get_json()["items"]}
    assert labels["contact_update"] == "Update of contact details"
    assert polish.keys() == labels.keys() and polish["contact_update"] != labels["contact_update"]


# --- consents -----------------------------------------------------------------------------


def test_consents_are_read_and_switched_like_on_the_consents_page(app, owner, neighbour):
    api, identity = owner
    state = api.get("/consents").get_json()
    assert state["terms"]["accepted"] is True and state["terms"]["version"] == app.config["TERMS_VERSION"]
    assert state["marketing"] is False
    assert [(e["account_number"], e["enabled"], e["latest"]) for e in state["e_invoice"]] == [
        (identity["account_number"], False, None)]

    marketing = api.put("/consents/marketing", json={"granted": True})
    assert marketing.status_code == 200 and marketing.get_json()["marketing"] is True
    assert api.put("/consents/marketing", json={"granted": True}).get_json()["marketing"] is True
    assert _count(app, ConsentEvent) == 1  # sending it again changes nothing

    switched = api.put("/consents/e-invoice", json={"enabled": True}).get_json()["e_invoice"][0]
    assert switched["enabled"] is True and switched["latest"]["status"] in ("received", "accepted")
    assert [m.kind for m in to_supplier(app)] == ["consent"]
    api.put("/consents/e-invoice", json={"enabled": True, "accounts": [identity["account_number"]]})
    assert count_to_supplier(app) == 1  # already so: nothing more for the supplier

    # another customer's account is refused by name, and nothing changes
    _other, other_identity = neighbour
    refused = api_error(api.put("/consents/e-invoice", json={
        "enabled": False, "accounts": [other_identity["account_number"]]}), 422, "validation_failed")
    assert refused["fields"] == {"accounts": ["Choose among your customer accounts."]}
    bad = api_error(api.put("/consents/marketing", json={"granted": "perhaps"}), 422, "validation_failed")
    assert bad["fields"]["granted"] == ["Choose yes or no."]
    assert count_to_supplier(app) == 1 and _count(app, ConsentEvent) == 2


def test_consents_of_a_read_only_token_cannot_be_changed(app, smtp_server):
    api = _api(app, smtp_server, "reader@example.com", _identities(app)[0], scope="read")
    assert api.get("/consents").status_code == 200
    api_error(api.put("/consents/marketing", json={"granted": True}), 403, "insufficient_scope")
    assert _count(app, ConsentEvent) == 0


# --- notification settings -----------------------------------------------------------------


def test_notification_settings_are_chosen_per_own_supply_point(app, owner, neighbour):
    api, _identity = owner
    settings = api.get("/notification-settings").get_json()
    assert [k["code"] for k in settings["kinds"]] == ["reading_reminder"]
    assert [c["code"] for c in settings["channels"]] == ["email"] and settings["phone"] is None
    point = settings["supply_points"][0]
    assert point["kinds"] == ["reading_reminder"] and point["alerts"] == {"reading_reminder": []}

    chosen = api.put(f"/supply-points/{point['identifier']}/notifications",
                     json={"alerts": {"reading_reminder": ["email"]}})
    assert chosen.status_code == 200, chosen.get_data(as_text=True)
    assert chosen.get_json()["alerts"] == {"reading_reminder": ["email"]}
    again = api.get("/notification-settings").get_json()["supply_points"][0]
    assert again["alerts"] == {"reading_reminder": ["email"]}

    unknown = api_error(api.put(f"/supply-points/{point['identifier']}/notifications",
                                json={"alerts": {"planned_outage": ["email"], "reading_reminder": ["pigeon"]}}),
                        422, "validation_failed")
    assert unknown["fields"] == {"alerts.planned_outage": ["This supply point has no such alert."],
                                 "alerts.reading_reminder": ["There is no such channel: pigeon."]}
    assert _count(app, NotificationPreference) == 1  # the refused change changed nothing

    other, _other_identity = neighbour
    their_point = other.get("/supply-points").get_json()["items"][0]["identifier"]
    api_error(api.put(f"/supply-points/{their_point}/notifications", json={"alerts": {}}), 404, "not_found")
    api_error(api.put("/notification-settings/phone", json={"phone": "+48601234567"}), 404, "not_found")


def test_text_message_number_is_checked_and_kept_in_international_form(make_app, smtp_server):
    app = make_app(TENANTS={"cez": {"plugin": "cez_cz", "hosts": ["cez.test"]}})
    identity = _identities(app, "cez")[0]
    client = linked_customer(client_for(app, "cez.test"), smtp_server, identity, "zakaznik@example.com")
    api = Api(app, make_token(client), host="cez.test")
    refused = api_error(api.put("/notification-settings/phone", json={"phone": "call me"}), 422, "validation_failed")
    assert refused["fields"]["phone"][0].startswith("Enter a mobile phone number such as +420")
    assert api.put("/notification-settings/phone", json={"phone": "601 234 567"}).get_json()["phone"] == "+420601234567"
    assert api.put("/notification-settings/phone", json={"phone": None}).get_json()["phone"] is None


# --- profile ---------------------------------------------------------------------------------


def test_contact_data_goes_to_the_supplier_and_bad_data_changes_nothing(app, owner):
    api, identity = owner
    profile = api.get("/profile").get_json()
    assert profile["email"] == "owner@example.com" and profile["phone"] is None and profile["updates"] == []
    assert profile["locale"] in profile["locales"]

    bad = api_error(api.put("/profile/contact", json={"street": "ul. Polna 1", "postcode": "00950",
                                                      "city": "Warszawa", "country": "PL"}),
                    422, "validation_failed")
    assert bad["fields"] == {"postcode": ["This postcode does not exist in the chosen country."]}
    half = api_error(api.put("/profile/contact", json={"street": "ul. Polna 1"}), 422, "validation_failed")
    assert set(half["fields"]) == {"postcode", "city", "country"}
    assert _count(app, ContactUpdate) == 0 and count_to_supplier(app) == 0

    saved = api.put("/profile/contact", json={"phone": "+48 601 234 567", "street": "ul. Polna 1",
                                              "postcode": "00-950", "city": "Warszawa", "country": "PL"})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    body = saved.get_json()
    assert (body["phone"], body["postcode"], body["country"]) == ("+48601234567", "00-950", "PL")
    assert [(u["account_number"], u["status"] in ("received", "accepted")) for u in body["updates"]] == [
        (identity["account_number"], True)]
    assert [m.kind for m in to_supplier(app)] == ["profile"]
    api.put("/profile/contact", json={"phone": "+48 601 234 567", "street": "ul. Polna 1",
                                      "postcode": "00-950", "city": "Warszawa", "country": "PL"})
    assert count_to_supplier(app) == 1  # the same data again: nothing for the supplier


def test_language_is_one_of_the_brands(app, owner):
    api, _identity = owner
    refused = api_error(api.put("/profile/language", json={"locale": "de"}), 422, "validation_failed")
    assert "locale" in refused["fields"]
    assert api.put("/profile/language", json={"locale": "pl"}).get_json()["locale"] == "pl"
    assert api.get("/profile").get_json()["locale"] == "pl"


# --- pay now -----------------------------------------------------------------------------------


def _open_invoice(api):
    return next(i for i in api.get("/invoices?per_page=100").get_json()["items"]
                if i["status"] in ("unpaid", "overdue", "partially_paid"))


def test_paying_an_invoice_opens_an_attempt_at_the_provider(app, owner, neighbour):
    api, identity = owner
    invoice = _open_invoice(api)
    owed = invoice["outstanding"]["amount"]
    started = api.post("/payments", json={"account": identity["account_number"], "invoice": invoice["number"],
                                          "amount": owed})
    assert started.status_code == 201, started.get_data(as_text=True)
    attempt = started.get_json()
    assert attempt["status"] == "started" and attempt["amount"] == {"amount": owed, "currency": "PLN"}
    assert attempt["invoice_number"] == invoice["number"]
    assert attempt["pay_at"].startswith("https://innogy.test/payments/demo-bank/")
    assert api.get(f"/payments/attempts/{attempt['reference']}").get_json()["status"] == "started"

    other, _other_identity = neighbour
    api_error(other.get(f"/payments/attempts/{attempt['reference']}"), 404, "not_found")
    too_much = api_error(api.post("/payments", json={"account": identity["account_number"],
                                                     "invoice": invoice["number"], "amount": "999999.00"}),
                         422, "validation_failed")
    assert too_much["fields"]["amount"][0].startswith("You can pay at most")
    foreign = api_error(other.post("/payments", json={"account": identity["account_number"], "amount": "1.00"}),
                        422, "validation_failed")
    assert foreign["fields"] == {"account": ["Choose one of your customer accounts."]}
    unknown = api_error(api.post("/payments", json={"account": identity["account_number"], "invoice": "F/0",
                                                    "amount": "1.00"}), 422, "validation_failed")
    assert unknown["fields"] == {"invoice": ["This account has no invoice with this number."]}
    assert _count(app, PaymentIntent) == 1 and _count(app, ServiceRequest) == 0
