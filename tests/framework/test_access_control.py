"""The access-control matrix: another customer's resources are always 404, never data.

The routes come from the app's URL map, so a new route cannot escape: every rule with a URL
parameter is either filled with the first customer's real resource (made through HTTP:
linked account, meter reading, service request, API token, payment, notification settings)
and requested by a second customer of the same tenant, or it sits on the commented
allow-list of rules that take no customer resource. Then the same across tenants (the
first customer's session cookie and API token on another tenant's host), the list pages
and downloads of the second customer, and the supplier plugins' own blueprints on
another supplier's host.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.api_tokens.models import ApiToken
from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import AccountLink, BillingAccount, Invoice, SupplyPoint, User
from core.notifications import service as notifications
from core.payments.models import PaymentIntent
from core.readings.service import field_name, local_today
from core.service_requests.models import ServiceRequest
from tests.conftest import INNOGY_HOST, SECOND_HOST, client_for, linked_customer

ITALIANGAS_HOST = "italiangas.test"
TENANTS = {
    "innogy": {"plugin": "innogy_pl", "hosts": [INNOGY_HOST]},
    "second": {"plugin": "innogy_pl", "hosts": [SECOND_HOST], "theme": "plain"},
    "italiangas": {"plugin": "italiangas_it", "hosts": [ITALIANGAS_HOST]},
}
HOSTS = {code: tenant["hosts"][0] for code, tenant in TENANTS.items()}
OPEN = ("unpaid", "overdue", "partially_paid")

# Rules whose URL parameters name no customer's resource. Any other rule with a parameter
# must be filled from PARAMETERS below, or test_every_rule_with_a_parameter_is_in_the_matrix fails.
NO_CUSTOMER_RESOURCE = {
    "static": "the portal's own CSS, scripts and fonts",
    "site.theme_static": "the tenant's theme files (logo, fonts)",
    "api.no_such_address": "the API's JSON 404 for an address it does not have",
    "auth.activate": "signed, single-use link of the activation e-mail",
    "auth.reset_password": "signed, single-use link of the password reset e-mail",
    "auth.unlock": "signed, single-use link of the e-mail sent when signing in is paused",
    "profile.confirm_email": "signed, single-use link confirming a new e-mail address",
    "italiangas_registration.activate": "signed, single-use link of Italiangas' own registration",
    "payments.callback": "the payment provider's code; the callback proves itself by its signature",
    "requests.new": "a request type's code, the same for every customer; the account chosen in the form "
                    "is checked in test_lists_downloads_and_selectors_show_nothing_of_another_customer",
    "demo.brand_logo": "a brand's logo on the demo's list of brands (demo mode only)",
}

# URL parameter -> which of the first customer's resources fills it.
PARAMETERS = {
    "point_id": "point_id",
    "supply_point_id": "point_id",
    "invoice_id": "invoice_id",
    "account_id": "account_id",
    "request_id": "request_id",
    "token_id": "token_id",
    "token": "payment_token",  # a payment's token (the signed e-mail links are allow-listed above)
    "identifier": "point_identifier",
    "number": "invoice_number",
}
ENDPOINT_PARAMETERS = {  # where a name means something else
    ("api.account", "number"): "account_number",
    ("api.payment_attempt", "reference"): "payment_token",
}

CONTACT = {"email": "nowy.adres@example.com", "street": "ul. Marszałkowska 10/2", "postcode": "00950",
           "city": "Warszawa"}
RECAPITO = {"care_of": "Studio Bianchi", "street": "Via Nomentana 40", "postcode": "00161", "city": "Roma",
            "province": "rm"}
# What a form posted to another customer's resource carries besides the CSRF token.
FORM = {"amount": "1.00", "decision": "pay", "submission_key": "k" * 32, "read_on": "2026-01-01",
        "reading_reminder__email": "1"}


@pytest.fixture
def portal(make_app):
    return make_app(TENANTS=TENANTS)


@dataclass
class Customer:
    """A signed-in customer, what identifies them, and (for the first) their resources."""

    client: object
    email: str
    api_token: str
    resources: dict = field(default_factory=dict)
    secrets: set = field(default_factory=set)


# --- making customers and their resources through HTTP ------------------------------------------


def _tenant(app, code):
    return app.extensions["portal_tenants"][code]


def _fits(adapter, numbers) -> bool:
    """Accounts with an invoice to pay and a supply point that takes readings."""
    return (any(i.status in OPEN for n in numbers for i in adapter.invoices(n))
            and any("meter_readings" in p.capabilities for n in numbers for p in adapter.supply_points(n)))


def _link_forms(app, code) -> list[dict]:
    """The link form of each demo customer that fits, in a stable order."""
    adapter = _tenant(app, code).adapter
    with app.app_context():
        if code == "italiangas":  # condominium administrators, so the condominium pages are in the matrix
            return [{"method": "admin_code", "admin_code": a["admin_code"]}
                    for a in adapter.admin_identities() if _fits(adapter, a["account_numbers"])]
        method = _tenant(app, code).identity_methods()[0]
        return [{"method": method.code, **{name: i[name] for name in method.schema().fields if name in i}}
                for i in adapter.demo_identities(method.code) if _fits(adapter, [i["account_number"]])]


def _make_token(client) -> str:
    response = client.submit("/api-tokens/", {"name": "Home Assistant", "scope": "read-write"})
    assert response.status_code == 201, response.get_data(as_text=True)
    return re.search(r'value="(up_[A-Za-z0-9_-]+)"', response.get_data(as_text=True)).group(1)


def _customer(app, smtp_server, code, email, link_form) -> Customer:
    client = linked_customer(client_for(app, HOSTS[code]), smtp_server, link_form, email, method=link_form["method"])
    customer = Customer(client, email, _make_token(client))
    with app.app_context(), tenant_context(code):
        accounts = db.session.execute(
            select(BillingAccount).join(AccountLink).join(User).where(User.email == email)).scalars().all()
        ids = [a.id for a in accounts]
        points = db.session.execute(select(SupplyPoint).where(SupplyPoint.account_id.in_(ids))).scalars().all()
        invoices = db.session.execute(select(Invoice).where(Invoice.account_id.in_(ids))).scalars().all()
        customer.secrets = {email, *(a.number for a in accounts), *(p.identifier for p in points),
                            *(i.number for i in invoices)}
        customer.resources = {
            "accounts": ids,
            "points": [(p.id, p.identifier, p.account.number) for p in points if "meter_readings" in p.capabilities],
            "open_invoices": [(i.id, i.number, i.gross_amount - i.paid_amount) for i in invoices if i.status in OPEN],
        }
    return customer


def _first_customer(app, smtp_server, code, link_form) -> Customer:
    """A customer with one of each resource, all made through the web pages."""
    first = _customer(app, smtp_server, code, f"first-{code}@example.com", link_form)
    client, found = first.client, first.resources
    point_id, identifier, number = found["points"][0]
    invoice_id, invoice_number, owed = found["open_invoices"][0]

    path = f"/readings/new/{point_id}"
    page = client.get(path).get_data(as_text=True)
    newest: dict[str, Decimal] = {}
    for reading in _tenant(app, code).adapter.readings(number, identifier):
        newest.setdefault(reading.register, reading.value)
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    with app.app_context():
        today = local_today(_tenant(app, code)).isoformat()
    reading = {"submission_key": key, "read_on": today,
               **{field_name(r): str(v + 5) for r, v in newest.items()}}
    assert client.submit(path, reading).status_code == 302

    if code == "italiangas":  # the plugin's page: one request for each condominium
        page = client.get("/condomini/recapito").get_data(as_text=True)
        key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
        assert client.submit("/condomini/recapito", {**RECAPITO, "submission_key": key}).status_code == 302
    else:
        page = client.get("/requests/new/contact_update").get_data(as_text=True)
        key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
        filed = client.submit("/requests/new/contact_update",
                              {"account": found["accounts"][0], "submission_key": key, **CONTACT})
        assert filed.status_code == 302

    paid = client.submit(f"/payments/pay/invoice/{invoice_id}", {"amount": str(owed)})
    assert paid.status_code == 302, paid.get_data(as_text=True)

    page = client.get(f"/notifications/points/{point_id}")
    if page.status_code == 200:
        boxes = re.findall(r'name="(\w+__email)"', page.get_data(as_text=True))
        assert client.submit(f"/notifications/points/{point_id}", {boxes[0]: "1"}).status_code == 302
    if 'action="/consents/e-invoice"' in client.get("/consents/").get_data(as_text=True):
        switched = client.post("/consents/e-invoice",
                               data={"csrf_token": client.last_csrf, "account": found["accounts"][0], "choice": "on"})
        assert switched.status_code == 302

    with app.app_context(), tenant_context(code):
        user_id = db.session.execute(select(User.id).where(User.email == first.email)).scalar_one()
        intent = db.session.execute(select(PaymentIntent).where(PaymentIntent.user_id == user_id)).scalar_one()
        first.resources.update(
            user_id=user_id, point_id=point_id, point_identifier=identifier, account_id=intent.account_id,
            account_number=db.session.get(BillingAccount, intent.account_id).number,
            invoice_id=invoice_id, invoice_number=invoice_number, payment_token=intent.token,
            request_id=db.session.execute(select(ServiceRequest.id).where(ServiceRequest.user_id == user_id)
                                          .limit(1)).scalar_one(),
            token_id=db.session.execute(select(ApiToken.id).where(ApiToken.user_id == user_id)).scalar_one(),
        )
        first.secrets |= {intent.token, first.api_token}
    return first


def _two_customers(app, smtp_server, code) -> tuple[Customer, Customer]:
    forms = _link_forms(app, code)
    first = _first_customer(app, smtp_server, code, forms[0])
    second = _customer(app, smtp_server, code, f"second-{code}@example.com", forms[1])
    assert not first.secrets & second.secrets  # nothing in common: any of them on a page is a leak
    return first, second


# --- the rules ------------------------------------------------------------------------------------


def _parameter(rule, name) -> str | None:
    return ENDPOINT_PARAMETERS.get((rule.endpoint, name), PARAMETERS.get(name))


def _resource_rules(app) -> list:
    """Every rule with a parameter that names a customer's resource, in a stable order."""
    return sorted((rule for rule in app.url_map.iter_rules()
                   if rule.arguments and rule.endpoint not in NO_CUSTOMER_RESOURCE),
                  key=lambda rule: (rule.rule, rule.endpoint))


def _plain_rules(app) -> list:
    """Every page without a parameter that a customer can GET."""
    return sorted((rule for rule in app.url_map.iter_rules()
                   if not rule.arguments and "GET" in rule.methods and rule.endpoint not in ("static",)),
                  key=lambda rule: rule.rule)


def _path(rule, resources: dict) -> str:
    return rule.build({name: resources[_parameter(rule, name)] for name in rule.arguments}, append_unknown=False)[1]


def _methods(rule) -> list[str]:
    """GET, POST and any other method the rule takes (HEAD and OPTIONS answer like GET)."""
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _is_api(rule) -> bool:
    return rule.endpoint.startswith("api.")


def _leaked(owner: Customer, response) -> set[str]:
    body = response.get_data()
    if response.mimetype == "application/zip":
        archive = zipfile.ZipFile(io.BytesIO(body))
        body = b"".join(archive.read(name) for name in archive.namelist())
    text = body.decode("utf-8", "replace") + " ".join(f"{k}: {v}" for k, v in response.headers.items())
    return {secret for secret in owner.secrets if secret in text}


def _assert_nothing_of(owner: Customer, response, what) -> None:
    """None of the owner's data, except what the URL asked for itself (pages repeat their address)."""
    asked = response.request.full_path
    leaked = {secret for secret in _leaked(owner, response) if secret not in asked}
    assert not leaked, (what, response.status_code, sorted(leaked))


def _api(client, method: str, path: str, token: str):
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if method == "GET":
        return client.get(path, headers=headers)
    return client.open(path, method=method, json={"read_on": "2026-01-01", "values": {}}, headers=headers)


def _request(customer: Customer, rule, method: str, path: str, token: str | None = None):
    """GET, or a write with the page's CSRF token (HTML) or a JSON body and the token (API)."""
    client = customer.client
    if _is_api(rule):
        return _api(client, method, path, token or customer.api_token)
    if method == "GET":
        return client.get(path)
    return client.open(path, method=method, data={"csrf_token": client.last_csrf, **FORM})


def _switched_off(app, code) -> set[str]:
    """Blueprints this tenant does not serve: another supplier plugin's, features it does not offer."""
    tenant = _tenant(app, code)
    off = {name for name, plugin in app.extensions["portal_blueprint_owners"].items() if plugin is not tenant.plugin}
    return off | ({"notifications"} if not notifications.offered_kinds(tenant) else set())


def _fresh_csrf(client) -> None:
    client.get("/profile/")
    assert client.last_csrf


# --- tests ----------------------------------------------------------------------------------------


def test_every_rule_with_a_parameter_is_in_the_matrix(make_app):
    """A new route with a parameter fails here until it is filled or allow-listed with a reason."""
    app, demo = make_app(TENANTS=TENANTS), make_app(TENANTS=TENANTS, DEMO=True)
    for each in (app, demo):
        unknown = [f"{rule.endpoint} {rule.rule}" for rule in _resource_rules(each)
                   if any(_parameter(rule, name) is None for name in rule.arguments)]
        assert not unknown, f"fill these in PARAMETERS or allow-list them in NO_CUSTOMER_RESOURCE: {unknown}"
    covered = {rule.endpoint for rule in _resource_rules(app)}
    assert {"invoices.pdf", "accounts.supply_point", "readings.new", "requests.detail", "api_tokens.revoke_token",
            "consumption.export", "notifications.point", "payments.pay", "payments.demo_bank",
            "condominiums.remove", "api.invoice_pdf", "api.submit_meter_reading"} <= covered


@pytest.mark.parametrize("code", ["innogy", "italiangas"])
def test_another_customer_of_the_same_tenant_gets_404_at_every_resource_url(portal, smtp_server, code):
    first, second = _two_customers(portal, smtp_server, code)
    rules = _resource_rules(portal)
    owner_sees = {}  # the URLs are real: the owner reads each of them (where the supplier offers the feature)
    for rule in rules:
        if "GET" in rule.methods:
            owner_sees[(rule.endpoint, rule.rule)] = _request(first, rule, "GET", _path(rule, first.resources)).status_code
    off = _switched_off(portal, code)
    assert {status for (endpoint, _), status in owner_sees.items() if endpoint.split(".")[0] not in off} == {200}, \
        owner_sees

    _fresh_csrf(second.client)
    for rule in rules:
        path = _path(rule, first.resources)
        for method in _methods(rule):
            response = _request(second, rule, method, path)
            assert response.status_code == 404, (method, path, response.status_code)
            if _is_api(rule):
                assert response.get_json()["error"]["code"] == "not_found", (method, path)
            _assert_nothing_of(first, response, (method, path))

    # and nothing of the first customer's changed: the token works, the payment waits, the request is there
    assert _api(first.client, "GET", "/api/v1/me", first.api_token).status_code == 200
    assert first.client.get(f"/payments/demo-bank/{first.resources['payment_token']}").status_code == 200
    assert first.client.get(f"/requests/{first.resources['request_id']}").status_code == 200
    if code == "italiangas":
        assert first.resources["account_number"] in first.client.get("/condomini/").get_data(as_text=True)


@pytest.mark.parametrize("code", ["innogy", "italiangas"])
def test_lists_downloads_and_selectors_show_nothing_of_another_customer(portal, smtp_server, code):
    first, second = _two_customers(portal, smtp_server, code)
    client, mine = second.client, second.resources
    for rule in _plain_rules(portal):
        response = _request(second, rule, "GET", rule.rule)
        assert response.status_code < 500, rule.rule
        _assert_nothing_of(first, response, rule.rule)

    own_point = mine["points"][0][0]
    csv = client.get(f"/consumption/{own_point}.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    _assert_nothing_of(first, csv, "consumption CSV")
    client.get("/profile/privacy")
    export = client.post("/profile/privacy/export", data={"csrf_token": client.last_csrf})
    assert export.status_code == 200 and export.mimetype == "application/zip"
    assert second.email in _leaked(second, export)  # the archive is read: it holds the second's own data
    _assert_nothing_of(first, export, "export ZIP")
    for path in ("/invoices/?page=2", "/payments/?page=2", "/requests/?page=2", "/profile/activity?page=2"):
        _assert_nothing_of(first, client.get(path), path)

    # a query string or form field naming the first's account or supply point
    theirs = first.resources
    listing = client.get(f"/invoices/?account={theirs['account_id']}")
    assert listing.status_code == 200
    _assert_nothing_of(first, listing, "invoice list filtered by another's account")
    assert client.get(f"/readings/?point={theirs['point_id']}").status_code == 404
    _fresh_csrf(client)
    for path, data in (("/accounts/supply-point", {"point": theirs["point_id"]}),
                       ("/consents/e-invoice", {"account": theirs["account_id"], "choice": "on"})):
        response = client.post(path, data={"csrf_token": client.last_csrf, **data})
        assert response.status_code in (404, 400), path
        _assert_nothing_of(first, response, path)
    types = re.findall(r'href="/requests/new/([\w-]+)"', client.get("/requests/").get_data(as_text=True))
    for request_type in types:
        form = client.get(f"/requests/new/{request_type}").get_data(as_text=True)
        key = re.search(r'name="submission_key" value="([^"]+)"', form).group(1)
        refused = client.post(f"/requests/new/{request_type}", data={
            "csrf_token": client.last_csrf, "account": theirs["account_id"], "submission_key": key, **CONTACT})
        assert refused.status_code == 400, request_type
        _assert_nothing_of(first, refused, request_type)
    refused = client.post("/api/v1/requests", headers={"Authorization": f"Bearer {second.api_token}"}, json={
        "type": types[0], "account": theirs["account_number"], "data": CONTACT})
    assert refused.status_code == 422 and "account" in refused.get_json()["error"]["fields"]
    with portal.app_context(), tenant_context(code):
        filed_by = db.session.execute(select(ServiceRequest.user_id).where(
            ServiceRequest.account_id == theirs["account_id"])).scalars().all()
    assert filed_by == [theirs["user_id"]]  # only the first's own request


def test_session_and_token_are_worthless_on_another_tenants_host(portal, smtp_server):
    first, _second = _two_customers(portal, smtp_server, "innogy")
    elsewhere = client_for(portal, SECOND_HOST)
    for name in (portal.config["SESSION_COOKIE_NAME"], portal.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
        cookie = first.client.get_cookie(name, domain=INNOGY_HOST)
        if cookie is not None:
            elsewhere.set_cookie(name, cookie.value, domain=SECOND_HOST)
    assert elsewhere.get_cookie(portal.config["SESSION_COOKIE_NAME"], domain=SECOND_HOST) is not None
    home = elsewhere.get("/")
    assert home.status_code == 302 and "/login" in home.location
    visitor = Customer(elsewhere, first.email, first.api_token)
    assert _api(elsewhere, "GET", "/api/v1/me", first.api_token).status_code == 401

    stranger = Customer(client_for(portal, SECOND_HOST), "", "up_not-a-token")
    for rule in _plain_rules(portal):  # the cookie and the token get no more than a stranger does
        response, anonymous = _request(visitor, rule, "GET", rule.rule), _request(stranger, rule, "GET", rule.rule)
        assert (response.status_code, response.location) == (anonymous.status_code, anonymous.location), rule.rule
        _assert_nothing_of(first, response, (SECOND_HOST, rule.rule))
    for rule in _resource_rules(portal):
        path = _path(rule, first.resources)
        for method in _methods(rule):
            response = _request(visitor, rule, method, path)
            if _is_api(rule):
                assert response.status_code == 401, (method, path, response.status_code)
            else:  # signed in nowhere there: to the login (or 404, or a CSRF refusal for a POST)
                assert response.status_code in (404, 400 if method != "GET" else 404) or (
                    response.status_code == 302 and "/login" in response.location), (method, path)
            _assert_nothing_of(first, response, (SECOND_HOST, method, path))

    # a customer of the other tenant, signed in there, reaching for the first's resources: 404
    forms = _link_forms(portal, "second")
    other = _customer(portal, smtp_server, "second", "other-tenant@example.com", forms[2])
    assert not other.secrets & first.secrets
    _fresh_csrf(other.client)
    for rule in _resource_rules(portal):
        if rule.endpoint.startswith("condominiums."):
            continue  # not this supplier's: see the next test
        path = _path(rule, first.resources)
        for method in _methods(rule):
            response = _request(other, rule, method, path)
            assert response.status_code == 404, (method, path, response.status_code)
            _assert_nothing_of(first, response, (SECOND_HOST, method, path))
    for rule in _plain_rules(portal):
        _assert_nothing_of(first, _request(other, rule, "GET", rule.rule), (SECOND_HOST, rule.rule))


def test_supplier_plugins_blueprints_are_404_on_another_suppliers_host(portal, smtp_server):
    owners = portal.extensions["portal_blueprint_owners"]
    owned = [rule for rule in portal.url_map.iter_rules() if rule.endpoint.split(".")[0] in owners]
    assert {"condominiums.index", "condominiums.remove", "italiangas_registration.pin"} <= {r.endpoint for r in owned}
    forms = _link_forms(portal, "innogy")
    customer = _customer(portal, smtp_server, "innogy", "innogy-customer@example.com", forms[0])
    _fresh_csrf(customer.client)
    for code, tenant in portal.extensions["portal_tenants"].by_code.items():
        anonymous = client_for(portal, HOSTS[code])
        for rule in owned:
            if owners[rule.endpoint.split(".")[0]] is tenant.plugin:
                continue
            path = rule.build({name: "1" for name in rule.arguments}, append_unknown=False)[1]
            for method in _methods(rule):
                assert anonymous.open(path, method=method).status_code == 404, (code, method, path)
                if code == "innogy":
                    signed_in = customer.client.open(path, method=method, data={"csrf_token": customer.client.last_csrf})
                    assert signed_in.status_code == 404, (method, path)
