"""The core's identifier fields and the supply point select, through a request type's web form.

A plugin (here a test plugin beside innogy) declares a request type with the fields of
``core.fields``; the customer fills the form the portal renders from it. The supply point
is picked from a list of the customer's own supply points, and the core refuses on submit
a supply point that is not the chosen account's, by the form and by the API.
"""

from __future__ import annotations

import html
import re

import pytest
from marshmallow import Schema
from sqlalchemy import func, select

from core.framework.tenancy import tenant_context
from core.plugin_api import (
    Eic,
    Gsrn18,
    Iban,
    PodPdr,
    RequestType,
    ServiceRequest,
    SupplyPointOfAccount,
    db,
    hookimpl,
)
from tests.conftest import register_and_activate, sign_in
from tests.support.accounts import point_record, store_and_link

EMAIL = "fields@example.com"
PATH = "/requests/new/identifiers"
OWN = "590310600000000019"  # PPEs with the right GS1 check digit
OWN_GAS = "590310600000000026"
SECOND_ACCOUNT_POINT = "590310600000000033"
STRANGERS = "590310600000000040"
MADE_UP = "590310600000000057"
VALID = {
    "ppe": "5903 1060 0000 0000 19",
    "eic": "62z123456789012v",
    "iban": "pl61 1090 1014 0000 0712 1981 2874",
    "pod": "it001e12345678",
}


class IdentifiersSchema(Schema):
    supply_point = SupplyPointOfAccount(required=True, metadata={"label": "Supply point"})
    gas_point = SupplyPointOfAccount(commodity="gas", load_default=None, metadata={"label": "Gas supply point"})
    ppe = Gsrn18(prefix="590", load_default=None, metadata={"label": "PPE"})
    eic = Eic(prefix="62Z", load_default=None, metadata={"label": "EIC"})
    iban = Iban(countries=("PL",), load_default=None, metadata={"label": "IBAN"})
    pod = PodPdr(kinds=("pod",), load_default=None, metadata={"label": "POD"})
    pdr = PodPdr(load_default=None, metadata={"label": "POD or PDR"})


class GasReadingSchema(Schema):
    gas_point = SupplyPointOfAccount(commodity="gas", required=True, metadata={"label": "Gas supply point"})


class IdentifiersPlugin:
    """A plugin that adds two request types to every tenant."""

    @hookimpl
    def portal_request_types(self, tenant):
        return [RequestType(code="identifiers", label="Identifiers", schema=IdentifiersSchema),
                RequestType(code="gas_reading", label="Gas reading", schema=GasReadingSchema)]


@pytest.fixture
def portal(make_app, smtp_server):
    """The app with the request type, and a signed-in customer with two accounts of their own."""
    app = make_app(plugins=[IdentifiersPlugin()])
    client = app.test_client()
    register_and_activate(client, smtp_server, EMAIL)
    assert sign_in(client, EMAIL).status_code == 302
    register_and_activate(app.test_client(), smtp_server, "stranger@example.com")
    store_and_link(app, "innogy", EMAIL, "2000001", [
        point_record(OWN, street="ul. Lipowa 3"), point_record(OWN_GAS, "gas", street="ul. Lipowa 3"),
    ])
    store_and_link(app, "innogy", EMAIL, "2000002", [point_record(SECOND_ACCOUNT_POINT, street="ul. Polna 9")])
    store_and_link(app, "innogy", "stranger@example.com", "3000001", [point_record(STRANGERS)])
    return app, client


def _accounts(page: str) -> dict[str, str]:
    """The account select's options: account number -> form value."""
    select_html = re.search(r'<select id="account".*?</select>', page, re.S).group(0)
    return {number: value for value, number in re.findall(r'<option value="(\d+)"[^>]*>(\d+) ·', select_html)}


def _options(page: str, name: str) -> dict[str, str]:
    select_html = re.search(rf'<select id="{name}" name="{name}".*?</select>', page, re.S).group(0)
    return {value: html.unescape(label) for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', select_html)
            if value}


def _form(client, **fields):
    page = client.get(PATH).get_data(as_text=True)
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    return {"account": _accounts(page)["2000001"], "submission_key": key, **fields}


def _stored(app) -> list[dict]:
    with app.app_context(), tenant_context("innogy"):
        return [row.data for row in db.session.execute(select(ServiceRequest)).scalars()]


def test_the_supply_point_is_chosen_from_the_customers_own(portal):
    _app, client = portal
    page = client.get(PATH).get_data(as_text=True)
    assert not re.search(r'<input[^>]+name="supply_point"', page)  # nothing to type
    offered = _options(page, "supply_point")
    assert set(offered) == {OWN, OWN_GAS, SECOND_ACCOUNT_POINT}  # the stranger's is not offered
    assert offered[OWN] == f"2000001: Electricity · {OWN} · ul. Lipowa 3, 00-001 Warszawa"
    assert offered[SECOND_ACCOUNT_POINT].startswith("2000002: Electricity")
    assert set(_options(page, "gas_point")) == {OWN_GAS}  # commodity="gas" offers gas points only
    assert re.search(r'<input[^>]+name="ppe"[^>]+inputmode="numeric"', page)


def test_valid_identifiers_are_filed_in_their_canonical_form(portal):
    app, client = portal
    response = client.submit(PATH, _form(client, supply_point=OWN, gas_point=OWN_GAS, pdr="0088 1234 5678 90",
                                         **VALID))
    assert response.status_code == 302, response.get_data(as_text=True)
    [data] = _stored(app)
    assert data == {"supply_point": OWN, "gas_point": OWN_GAS, "ppe": "590310600000000019",
                    "eic": "62Z123456789012V", "iban": "PL61109010140000071219812874",
                    "pod": "IT001E12345678", "pdr": "00881234567890"}
    detail = html.unescape(client.get(response.location).get_data(as_text=True))
    assert f"Electricity · {OWN} · ul. Lipowa 3, 00-001 Warszawa" in detail  # as the customer chose it


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("ppe", "590310600000000018", "The check digit does not match: one of the 18 digits is mistyped."),
        ("ppe", "859182400000000018", "This code starts with 590"),
        ("ppe", "59031060000000001", "Enter exactly 18 digits."),
        ("ppe", "59031060000000001X", "Use digits only."),
        ("eic", "62Z123456789012X", "The check character of the EIC code does not match"),
        ("eic", "27ZG600Z0123456X", "This EIC code starts with 62Z"),
        ("eic", "62Z1234", "An EIC code has 16 letters and digits"),
        ("iban", "PL61109010140000071219812875", "This IBAN is not valid: check it against your bank statement."),
        ("iban", "CZ6508000000192000145399", "Enter the IBAN of an account held in Poland."),
        ("pod", "00881234567890", "Enter the POD: IT, three digits, E and eight digits"),
        ("pdr", "0088123456789", "Enter the POD (IT001E12345678) or the PDR (14 digits)"),
    ],
)
def test_invalid_identifiers_are_refused_with_what_to_fix(portal, field, typed, message):
    app, client = portal
    response = client.submit(PATH, _form(client, supply_point=OWN, **{field: typed}))
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    assert error and message in error.group(1), page
    assert _stored(app) == []


@pytest.mark.parametrize(
    ("name", "forged"),
    [
        ("supply_point", STRANGERS),  # another customer's
        ("supply_point", SECOND_ACCOUNT_POINT),  # the customer's own, of their other account
        ("supply_point", MADE_UP),  # a valid code of no one's
        ("gas_point", OWN),  # the account's, but electricity where only gas is offered
    ],
)
def test_a_supply_point_not_of_the_chosen_account_is_refused(portal, name, forged):
    app, client = portal
    response = client.submit(PATH, _form(client, **{"supply_point": OWN, name: forged}))
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    error = re.search(rf'<p class="field-error" id="{name}-error">([^<]*)</p>', page)
    assert error and "Choose one of the supply points of the chosen customer account." in error.group(1), page
    assert _stored(app) == []


def test_the_api_refuses_a_forged_supply_point_too(portal):
    app, client = portal
    created = client.submit("/api-tokens/", {"name": "App", "scope": "read-write"})
    token = re.search(r'value="(up_[A-Za-z0-9_-]+)"', created.get_data(as_text=True)).group(1)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "fields-api-1"}
    body = {"type": "identifiers", "account": "2000001", "data": {"supply_point": STRANGERS}}
    response = client.post("/api/v1/requests", json=body, headers=headers)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"]["fields"]["data.supply_point"] == [
        "Choose one of the supply points of the chosen customer account."
    ]
    for nothing in ("", "  "):  # none chosen is not a way past the check
        body["data"] = {"supply_point": nothing}
        response = client.post("/api/v1/requests", json=body, headers=headers)
        assert response.status_code == 422, response.get_data(as_text=True)
        assert response.get_json()["error"]["fields"]["data.supply_point"] == ["This field is required."]
    headers["Idempotency-Key"] = "fields-api-2"
    body["data"] = {"supply_point": OWN, "iban": VALID["iban"]}
    assert client.post("/api/v1/requests", json=body, headers=headers).status_code == 202
    with app.app_context(), tenant_context("innogy"):
        assert db.session.execute(select(func.count()).select_from(ServiceRequest)).scalar_one() == 1


def test_a_request_about_a_gas_supply_point_is_offered_only_for_accounts_with_one(portal):
    app, client = portal
    page = client.get("/requests/new/gas_reading").get_data(as_text=True)
    assert set(_accounts(page)) == {"2000001"}  # 2000002 has electricity only: nothing to choose there
    # the one gas point comes chosen; a select of several starts at "Choose…"
    assert re.search(rf'<option value="{OWN_GAS}"\s+selected>', page)
    assert not re.search(r"<option [^>]*selected", re.search(r'<select id="supply_point".*?</select>',
                         client.get(PATH).get_data(as_text=True), re.S).group(0))
    created = client.submit("/api-tokens/", {"name": "App", "scope": "read-write"})
    token = re.search(r'value="(up_[A-Za-z0-9_-]+)"', created.get_data(as_text=True)).group(1)
    api = {"Authorization": f"Bearer {token}"}
    listed = {t["type"]: t for t in client.get("/api/v1/request-types", headers=api).get_json()["items"]}
    assert listed["gas_reading"]["accounts"] == ["2000001"]
    assert listed["gas_reading"]["data"]["properties"]["gas_point"]["enum"] == [OWN_GAS]
    body = {"type": "gas_reading", "account": "2000002", "data": {"gas_point": OWN_GAS}}
    refused = client.post("/api/v1/requests", json=body, headers={**api, "Idempotency-Key": "gas-1"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"account": ["Choose the customer account this request is about."]}
    body["account"] = "2000001"
    assert client.post("/api/v1/requests", json=body, headers={**api, "Idempotency-Key": "gas-2"}).status_code == 202
