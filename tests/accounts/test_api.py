"""The API's token owner and linked accounts (``GET /me``, ``/accounts``)."""

from __future__ import annotations

from decimal import Decimal

from tests.support.api import api_error


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
    api_error(api.get("/accounts/0000000000"), 404, "not_found")
