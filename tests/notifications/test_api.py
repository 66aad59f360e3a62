"""The API's notification settings: alerts per supply point, the number for text messages."""

from __future__ import annotations

from core.notifications.models import NotificationPreference
from tests.conftest import client_for, linked_customer
from tests.support.api import Api, api_error, count_rows, demo_identities, make_token


def test_notification_settings_are_chosen_per_own_supply_point(app, owner, neighbour):
    _client, _identity, api = owner
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
    assert count_rows(app, NotificationPreference) == 1  # the refused change changed nothing

    _other_client, _other_identity, other = neighbour
    their_point = other.get("/supply-points").get_json()["items"][0]["identifier"]
    api_error(api.put(f"/supply-points/{their_point}/notifications", json={"alerts": {}}), 404, "not_found")
    api_error(api.put("/notification-settings/phone", json={"phone": "+48601234567"}), 404, "not_found")


def test_text_message_number_is_checked_and_kept_in_international_form(make_app, smtp_server):
    app = make_app(TENANTS={"cez": {"plugin": "cez_cz", "hosts": ["cez.test"]}})
    identity = demo_identities(app, "cez")[1][0]
    client = linked_customer(client_for(app, "cez.test"), smtp_server, identity, "zakaznik@example.com")
    api = Api(app, make_token(client), host="cez.test")
    refused = api_error(api.put("/notification-settings/phone", json={"phone": "call me"}), 422, "validation_failed")
    assert refused["fields"]["phone"][0] == "Enter a phone number, for example 601 123 456."
    assert api.put("/notification-settings/phone", json={"phone": "601 234 567"}).get_json()["phone"] == "+420601234567"
    assert api.put("/notification-settings/phone", json={"phone": None}).get_json()["phone"] is None
