"""The API's consents: reading and switching them, and no answer before new terms are accepted."""

from __future__ import annotations

from core.profile.models import ConsentEvent
from tests.support.api import api_error, api_for, count_rows, demo_identities
from tests.support.outbox import count_to_supplier, to_supplier


def test_new_terms_must_be_accepted_in_the_portal_before_the_api_answers(app, owner):
    client, _identity, api = owner
    app.config["TERMS_VERSION"] = "2027-03"
    api_error(api.get("/me"), 403, "terms_not_accepted")
    assert client.submit("/consents/terms", {"accept_terms": "1"}).status_code == 302
    assert api.get("/me").status_code == 200


def test_consents_are_read_and_switched_like_on_the_consents_page(app, owner, neighbour):
    _client, identity, api = owner
    state = api.get("/consents").get_json()
    assert state["terms"]["accepted"] is True and state["terms"]["version"] == app.config["TERMS_VERSION"]
    assert state["marketing"] is False
    assert [(e["account_number"], e["enabled"], e["latest"]) for e in state["e_invoice"]] == [
        (identity["account_number"], False, None)]

    marketing = api.put("/consents/marketing", json={"granted": True})
    assert marketing.status_code == 200 and marketing.get_json()["marketing"] is True
    assert api.put("/consents/marketing", json={"granted": True}).get_json()["marketing"] is True
    assert count_rows(app, ConsentEvent) == 1  # sending it again changes nothing

    switched = api.put("/consents/e-invoice", json={"enabled": True}).get_json()["e_invoice"][0]
    assert switched["enabled"] is True and switched["latest"]["status"] in ("received", "accepted")
    assert [m.kind for m in to_supplier(app)] == ["consent"]
    api.put("/consents/e-invoice", json={"enabled": True, "accounts": [identity["account_number"]]})
    assert count_to_supplier(app) == 1  # already so: nothing more for the supplier

    # another customer's account is refused by name, and nothing changes
    _other_client, other_identity, _other = neighbour
    refused = api_error(api.put("/consents/e-invoice", json={
        "enabled": False, "accounts": [other_identity["account_number"]]}), 422, "validation_failed")
    assert refused["fields"] == {"accounts": ["Choose among your customer accounts."]}
    bad = api_error(api.put("/consents/marketing", json={"granted": "perhaps"}), 422, "validation_failed")
    assert bad["fields"]["granted"] == ["Choose yes or no."]
    assert count_to_supplier(app) == 1 and count_rows(app, ConsentEvent) == 2


def test_consents_of_a_read_only_token_cannot_be_changed(app, smtp_server):
    api = api_for(app, smtp_server, "reader@example.com", demo_identities(app)[1][0], scope="read")[2]
    assert api.get("/consents").status_code == 200
    api_error(api.put("/consents/marketing", json={"granted": True}), 403, "insufficient_scope")
    assert count_rows(app, ConsentEvent) == 0
