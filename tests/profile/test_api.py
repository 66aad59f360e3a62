"""The API's profile: contact data passed on to the supplier, the language."""

from __future__ import annotations

from core.profile.models import ContactUpdate
from tests.support.api import api_error, count_rows
from tests.support.outbox import count_to_supplier, to_supplier


def test_contact_data_goes_to_the_supplier_and_bad_data_changes_nothing(app, owner):
    _client, identity, api = owner
    profile = api.get("/profile").get_json()
    assert profile["email"] == "owner@example.com" and profile["phone"] is None and profile["updates"] == []
    assert profile["locale"] in profile["locales"]

    bad = api_error(api.put("/profile/contact", json={"street": "ul. Polna 1", "postcode": "00950",
                                                      "city": "Warszawa", "country": "PL"}),
                    422, "validation_failed")
    assert bad["fields"] == {"postcode": ["This postcode does not exist in the chosen country."]}
    half = api_error(api.put("/profile/contact", json={"street": "ul. Polna 1"}), 422, "validation_failed")
    assert set(half["fields"]) == {"postcode", "city", "country"}
    assert count_rows(app, ContactUpdate) == 0 and count_to_supplier(app) == 0

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
    _client, _identity, api = owner
    refused = api_error(api.put("/profile/language", json={"locale": "de"}), 422, "validation_failed")
    assert "locale" in refused["fields"]
    assert api.put("/profile/language", json={"locale": "pl"}).get_json()["locale"] == "pl"
    assert api.get("/profile").get_json()["locale"] == "pl"
