"""The API's meter readings: history, submitting with an Idempotency-Key, validation."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from sqlalchemy import func, select

from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import MeterReading
from tests.support.api import api_error, count_rows, reading_point, today
from tests.support.outbox import count_to_supplier


def test_supply_points_and_readings(app, owner):
    _client, identity, api = owner
    points = api.get("/supply-points").get_json()["items"]
    assert points and all(p["account_number"] in api.get("/me").get_json()["accounts"] for p in points)
    one = api.get(f"/supply-points/{points[0]['identifier']}").get_json()
    assert one == points[0]
    readings = api.get(f"/supply-points/{points[0]['identifier']}/readings?per_page=2").get_json()
    assert len(readings["items"]) <= 2
    for reading in readings["items"]:
        # as read off the meter, so a client can send it back: no trailing zeros, no exponent
        assert re.fullmatch(r"\d+(\.\d*[1-9])?", reading["value"]), reading["value"]
        dt.datetime.fromisoformat(reading["read_at"])
    api_error(api.get("/supply-points/PL0000000000000000"), 404, "not_found")


def test_reading_with_the_same_idempotency_key_is_stored_once(app, owner):
    _client, _identity, api = owner
    point, newest = reading_point(api)
    body = {"read_on": today(app), "values": {r: int(v) + 5 for r, v in newest.items()}}
    path = f"/supply-points/{point['identifier']}/readings"
    first = api.post(path, json=body, headers={"Idempotency-Key": "reading-2026-11-22"})
    again = api.post(path, json=body, headers={"Idempotency-Key": "reading-2026-11-22"})
    assert first.status_code == again.status_code == 202
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert first.get_json()["status"] in ("received", "accepted") and first.get_json() == again.get_json()
    assert {r["register"]: Decimal(r["value"]) for r in first.get_json()["readings"]} == \
        {r: int(v) + 5 for r, v in newest.items()}
    assert count_to_supplier(app) == 1
    with app.app_context(), tenant_context("innogy"):
        mine = db.session.execute(select(func.count()).select_from(MeterReading)
                                  .where(MeterReading.source == "customer", MeterReading.user_id.is_not(None))).scalar_one()
    assert mine == len(newest)
    listed = api.get(f"{path}?per_page=100").get_json()["items"]
    assert any(r["source"] == "customer" for r in listed)


def test_reading_validation_errors_are_422_with_field_messages(app, owner):
    _client, _identity, api = owner
    point, newest = reading_point(api)
    path = f"/supply-points/{point['identifier']}/readings"
    register = next(iter(newest))
    missing = api_error(api.post(path, json={"values": {}}), 422, "validation_failed")
    assert missing["fields"]["read_on"] == ["This field is required."]
    unknown = api_error(api.post(path, json={"read_on": today(app), "values": {"9.9.9": 1}}), 422, "validation_failed")
    assert "values.9.9.9" in unknown["fields"]
    lower = api_error(api.post(path, json={"read_on": today(app), "values": {r: str(v - 1) for r, v in newest.items()}}),
                   422, "validation_failed")
    assert "lower than the previous reading" in lower["fields"][f"values.{register}"][0]
    future = (dt.date.fromisoformat(today(app)) + dt.timedelta(days=2)).isoformat()
    later = api_error(api.post(path, json={"read_on": future, "values": {r: str(v + 1) for r, v in newest.items()}}),
                   422, "validation_failed")
    assert later["fields"]["read_on"] == ["The reading date cannot be in the future."]
    api_error(api.post(path, data="not json", headers={"Content-Type": "text/plain"}), 400, "bad_request")
    assert count_to_supplier(app) == 0


def test_implausible_reading_needs_confirm_and_reason(app, owner):
    _client, _identity, api = owner
    point, newest = reading_point(api)
    path = f"/supply-points/{point['identifier']}/readings"
    body = {"read_on": today(app), "values": {r: str(v + 1_000_000) for r, v in newest.items()}}
    api_error(api.post(path, json=body), 422, "implausible_reading")
    no_reason = api_error(api.post(path, json={**body, "confirm": True}), 422, "validation_failed")
    assert "reason" in no_reason["fields"]
    assert count_rows(app, MeterReading) and count_to_supplier(app) == 0
    confirmed = api.post(path, json={**body, "confirm": True, "reason": "Electric heating installed"})
    assert confirmed.status_code == 202 and confirmed.get_json()["status"] == "review"
