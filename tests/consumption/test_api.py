"""The API's consumption per month."""

from __future__ import annotations

from decimal import Decimal

from tests.support.api import api_error, today


def test_consumption_per_month_from_the_readings(app, owner):
    _client, _identity, api = owner
    point = api.get("/supply-points").get_json()["items"][0]["identifier"]
    this_year = api.get(f"/supply-points/{point}/consumption").get_json()
    assert this_year["identifier"] == point and this_year["year"] == int(today(app)[:4])
    last_year = api.get(f"/supply-points/{point}/consumption?year={this_year['year'] - 1}").get_json()
    months = last_year["months"]
    assert months and {m["month"] for m in months} == set(range(1, 13))
    measured = [Decimal(m["value"]) for m in months if m["value"] is not None]
    assert measured and all(value >= 0 for value in measured)
    api_error(api.get(f"/supply-points/{point}/consumption?year=abc"), 422, "validation_failed")
    api_error(api.get("/supply-points/nope/consumption"), 404, "not_found")
