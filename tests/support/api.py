"""Calling the JSON API as an app does: a token made on the portal's tokens page, no
cookies, no CSRF token; and the customers the API tests share (``owner``, ``neighbour``:
fixtures, registered by tests/conftest.py)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.readings.service import local_today
from tests.conftest import client_for, linked_customer

LOCALES = ("en", "pl", "cs", "uk", "it")
CAPABILITY = "meter_readings"


def tenant_of(app, code="innogy"):
    return app.extensions["portal_tenants"][code]


def demo_identities(app, code="innogy"):
    """The tenant's first identity method and the demo customers' data for it."""
    tenant = tenant_of(app, code)
    method = tenant.identity_methods()[0]
    with app.app_context():
        return method, tenant.adapter.demo_identities(method.code)


def api_customer(app, smtp_server, email, *, host=None, code="innogy", identity=None):
    """A customer registered, signed in and linked through the web pages, and their identity."""
    client = client_for(app, host) if host else client_for(app)
    identity = identity or demo_identities(app, code)[1][0]
    return linked_customer(client, smtp_server, identity, email), identity


def make_token(client, scope="read-write", name="Home Assistant") -> str:
    """A token made on the portal's API access page by the signed-in ``client``."""
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

    def put(self, path, json=None, headers=None, **kwargs):
        return self.client.put(f"/api/v1{path}", json=json, headers=self._headers(headers), **kwargs)


def api_for(app, smtp_server, email, identity, scope="read-write"):
    """``(client, identity, api)``: a linked customer and their app with a new token."""
    client, identity = api_customer(app, smtp_server, email, identity=identity)
    return client, identity, Api(app, make_token(client, scope=scope))


def api_error(response, status, code):
    """The error body of a JSON error answer, after checking its status and code."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    body = response.get_json()["error"]
    assert body["code"] == code and body["message"]
    return body


def count_rows(app, model, code="innogy"):
    with app.app_context(), tenant_context(code):
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def reading_point(api):
    """One of the customer's supply points that takes readings, and its newest values."""
    points = api.get("/supply-points").get_json()["items"]
    point = next(p for p in points if p["accepts_readings"])
    history = api.get(f"/supply-points/{point['identifier']}/readings?per_page=100").get_json()["items"]
    newest: dict[str, int] = {}
    for reading in history:
        if reading["status"] != "rejected":
            newest.setdefault(reading["register"], int(Decimal(reading["value"])))
    return point, newest


def today(app):
    with app.app_context():
        return local_today(tenant_of(app)).isoformat()


@pytest.fixture
def owner(app, smtp_server):
    """``(client, identity, api)`` of the first demo customer, with a read-write token."""
    return api_for(app, smtp_server, "owner@example.com", demo_identities(app)[1][0])


@pytest.fixture
def neighbour(app, smtp_server):
    """``(client, identity, api)`` of another demo customer of the same brand."""
    return api_for(app, smtp_server, "neighbour@example.com", demo_identities(app)[1][1])
