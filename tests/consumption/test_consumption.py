"""Consumption per month and register, derived from the meter readings the portal holds.

Histories are stored the way the sync stores them (``core.framework.sync.store_snapshot``), so the
expected figures can be worked out by hand.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from babel.dates import get_month_names
from babel.numbers import format_decimal

from core.framework.extensions import db
from tests.conftest import client_for, register_and_activate, sign_in
from tests.support.accounts import (
    add_readings,
    customer_reading,
    local,
    point_record,
    readings,
    store_and_link,
)
from tests.support.queries import count_queries

WARSAW = "Europe/Warsaw"
EMAIL = "consumer@example.com"
PPE = "590543000000000017"


def _customer(app, smtp_server, email=EMAIL, host="innogy.test", language="en"):
    client = client_for(app, host, language=language)
    register_and_activate(client, smtp_server, email)
    assert sign_in(client, email).status_code == 302
    return client


def _w(year, month, day=1):
    return local(WARSAW, year, month, day)


# Readings of a single-rate meter, worked out by hand (see each month's figure below).
HISTORY = [
    (_w(2023, 6), 351),    # +549 to Dec 2023 over 183 days, 3 a day; not needed for 2025
    (_w(2023, 12), 900),   # the last before the window of 2025 with 2024 (2024-01-01 .. 2026-01-01)
    (_w(2024, 2), 1520),   # +620 over Dec 2023 (31 days) and Jan 2024 (31 days): 310 + 310
    (_w(2024, 3), 1810),   # +290: Feb 2024
    (_w(2025, 1), 2422),   # +612 over 306 days, 2 a day: Mar 62, Apr 60, ..., Dec 62
    (_w(2025, 3), 3012),   # +590 over Jan (31 days) and Feb (28 days): 310 + 280
    (_w(2025, 4), 3112),   # +100: Mar
    (_w(2025, 5), 3162),   # +50: Apr; nothing after: May to Dec 2025 not measured
]
EXPECTED_2025 = {1: 310, 2: 280, 3: 100, 4: 50}
EXPECTED_2024 = {1: 310, 2: 290, 3: 62, 4: 60, 5: 62, 6: 60, 7: 62, 8: 62, 9: 60, 10: 62, 11: 60, 12: 62}


def _single_rate(app, smtp_server, **client_options):
    client = _customer(app, smtp_server, **client_options)
    point = point_record(PPE)
    ids = store_and_link(app, "innogy", EMAIL, "1000001", [point], readings(point, HISTORY))
    return client, ids[PPE], point


def _figures(values: dict[int, int]) -> dict[int, Decimal | None]:
    return {m: (Decimal(values[m]) if m in values else None) for m in range(1, 13)}


def test_monthly_figures_match_the_hand_computed_spread(app, smtp_server):
    from core.consumption.service import monthly_consumption
    from core.framework.tenancy import tenant_context
    from core.models import SupplyPoint

    _client, point_id, _point = _single_rate(app, smtp_server)
    with app.app_context(), tenant_context("innogy"):
        rows = monthly_consumption(db.session.get(SupplyPoint, point_id), 2025)
    assert [(r.month, r.register, r.unit) for r in rows] == [(m, "1.8.0", "kWh") for m in range(1, 13)]
    assert {r.month: r.value for r in rows} == _figures(EXPECTED_2025)
    assert {r.month: r.previous_year_value for r in rows} == _figures(EXPECTED_2024)


def test_the_first_reading_after_the_year_fills_its_last_months(app, smtp_server):
    from core.consumption.service import monthly_consumption
    from core.framework.tenancy import tenant_context
    from core.models import SupplyPoint

    _client, point_id, _point = _single_rate(app, smtp_server)
    with app.app_context(), tenant_context("innogy"):
        rows = monthly_consumption(db.session.get(SupplyPoint, point_id), 2024)
    assert {r.month: r.value for r in rows} == _figures(EXPECTED_2024)  # Mar-Dec from the 2025-01-01 reading
    assert {r.month: r.previous_year_value for r in rows} == _figures(
        {6: 90, 7: 93, 8: 93, 9: 90, 10: 93, 11: 90, 12: 310})


def test_only_accepted_and_recorded_readings_count(app, smtp_server):
    client, point_id, point = _single_rate(app, smtp_server)
    serial = point.meters[0].serial_number
    for status, day, value in (("received", 10, 9000), ("review", 12, 9500), ("rejected", 14, 9900)):
        customer_reading(app, "innogy", point_id, serial, _w(2025, 4, day), value, status)
    rows = _csv_rows(client, point_id, 2025)
    assert rows[4][3] == "50"  # April still 3112 -> 3162
    customer_reading(app, "innogy", point_id, serial, _w(2025, 4, 16), 3137, "accepted")
    rows = _csv_rows(client, point_id, 2025)
    assert (rows[4][3], rows[5][3]) == ("50", "")  # 25 + 25, split on the 16th; May still unmeasured


def test_page_shows_the_year_beside_the_previous_one_with_chart_and_table(app, smtp_server):
    client, point_id, _point = _single_rate(app, smtp_server)
    response = client.get("/consumption/?year=2025")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert "style=" not in svg and "<script" not in page.split("</main>")[0]
    assert svg.count('class="chart-bar chart-bar-current"') == 4  # Jan-Apr 2025
    assert svg.count('class="chart-bar chart-bar-previous"') == 12
    table = re.search(r'<table class="data-table consumption-table">.*?</table>', page, re.S).group(0)
    assert "<caption>" in table and 'scope="col"' in table and 'scope="row"' in table
    january = re.search(r"<th scope=\"row\">January</th>(.*?)</tr>", table, re.S).group(1)
    assert re.findall(r">(\d[\d,.]*)<", january) == ["310.0", "310.0"]  # every figure to a tenth, so the column lines up
    march = re.search(r"<th scope=\"row\">March</th>(.*?)</tr>", table, re.S).group(1)
    assert re.findall(r">(\d[\d,.]*)<", march) == ["100.0", "62.0"]
    total = re.search(r"<tfoot>(.*?)</tfoot>", table, re.S).group(1)
    assert re.findall(r">(\d[\d,.]*)<", total) == ["740.0", "1,212.0"]
    assert "kWh" in page and "not measured" in table
    assert f"/consumption/{point_id}.csv?year=2025" in page


def test_year_chooser_offers_the_years_with_readings_and_refuses_others(app, smtp_server):
    client, _point_id, _point = _single_rate(app, smtp_server)
    page = client.get("/consumption/").get_data(as_text=True)
    offered = re.findall(r'<option value="(\d{4})"', page)
    assert offered[-1] == "2023" and "2024" in offered and offered == sorted(offered, reverse=True)
    assert client.get("/consumption/?year=2019").status_code == 404


def _csv_rows(client, point_id: int, year: int) -> list[list[str]]:
    response = client.get(f"/consumption/{point_id}.csv?year={year}")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_csv_export_has_a_header_and_a_row_per_month_and_register(app, smtp_server):
    client, point_id, _point = _single_rate(app, smtp_server)
    response = client.get(f"/consumption/{point_id}.csv?year=2025")
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"consumption-{PPE}-2025.csv" in disposition
    rows = _csv_rows(client, point_id, 2025)
    assert rows[0] == ["Month", "Register", "Unit", "Consumption 2025 (decimal point)",
                       "Consumption 2024 (decimal point)"]
    assert len(rows) == 13
    assert rows[1] == ["2025-01", "1.8.0", "kWh", "310", "310"]
    assert rows[3] == ["2025-03", "1.8.0", "kWh", "100", "62"]
    assert rows[12] == ["2025-12", "1.8.0", "kWh", "", "62"]


def test_csv_uses_a_decimal_point_whatever_the_language(app, smtp_server):
    client, point_id, point = _single_rate(app, smtp_server, language="pl")
    add_readings(app, "innogy", readings(point, [(_w(2025, 6), Decimal("3212.5"))]))
    assert _csv_rows(client, point_id, 2025)[5][3] == "50.5"  # May, in Polish "50,5" on the page


def test_another_customers_point_is_not_found(app, smtp_server):
    owner, point_id, _point = _single_rate(app, smtp_server)
    stranger = _customer(app, smtp_server, "stranger@example.com")
    other = point_record("590543000000000024")
    store_and_link(app, "innogy", "stranger@example.com", "1000002", [other],
                   readings(other, [(_w(2025, 1), 10), (_w(2025, 2), 20)]))
    assert stranger.get(f"/consumption/{point_id}.csv?year=2025").status_code == 404
    page = stranger.get("/consumption/?year=2025").get_data(as_text=True)
    assert PPE not in page and "590543000000000024" in page


def test_same_identifier_in_another_tenant_is_not_shown(make_app, smtp_server):
    app = make_app()
    _client, point_id, _point = _single_rate(app, smtp_server)
    second = _customer(app, smtp_server, "second@example.com", host="second.test")
    assert second.get(f"/consumption/{point_id}.csv?year=2025").status_code == 404
    assert second.get("/consumption/").status_code == 302  # nothing linked there: link an account first


def test_query_count_does_not_grow_with_the_history(app, smtp_server):
    client = _customer(app, smtp_server)
    point = point_record(PPE)
    year = [(_w(2025, m), 100 * m) for m in range(1, 13)]
    ids = store_and_link(app, "innogy", EMAIL, "1000001", [point], readings(point, year))
    client.get("/consumption/?year=2025")  # warm up: first request of the login
    one_year = count_queries(app, client, "/consumption/?year=2025")
    older = [(_w(2015 + k // 12, k % 12 + 1), 10 * k) for k in range(10 * 12)]  # 2015-2024, rising
    add_readings(app, "innogy", readings(point, older))
    ten_years = count_queries(app, client, "/consumption/?year=2025")
    assert one_year == ten_years
    assert _csv_rows(client, ids[PPE], 2025)[1][4] == "10"  # the older history is used: Jan 2024


def test_page_in_every_language_formats_months_and_numbers(app, smtp_server):
    client, _point_id, point = _single_rate(app, smtp_server)
    add_readings(app, "innogy", readings(point, [(_w(2025, 6), Decimal("4396.5"))]))  # May: 1234.5
    for language in ("en", "pl", "cs", "uk", "it"):
        client.get("/consumption/?year=2025")
        client.post("/language", data={"csrf_token": client.last_csrf, "locale": language})
        page = client.get("/consumption/?year=2025").get_data(as_text=True)
        assert f'<html lang="{language}">' in page
        assert get_month_names("wide", context="stand-alone", locale=language)[5] in page
        assert get_month_names("abbreviated", context="stand-alone", locale=language)[5] in page
        assert format_decimal(Decimal("1234.5"), locale=language) in page


# --- the four suppliers --------------------------------------------------------------------


@pytest.fixture
def cez_app(make_app):
    from plugins.cez_cz import plugin

    return make_app(plugins=[plugin], TENANTS={"cez": {"plugin": "cez_cz", "hosts": ["cez.test"]}})


def test_cez_two_rate_meter_has_a_chart_per_register_and_a_replaced_meter(cez_app, smtp_server):
    prague = "Europe/Prague"
    client = _customer(cez_app, smtp_server, host="cez.test", language="cs")
    ean = "859182400000000016"
    point = point_record(ean, registers=("1.8.1", "1.8.2"), tariff="D25d", serial="OLD-1",
                         contracted_power_kw=Decimal("17.3"))
    months = [local(prague, 2025, m) for m in range(1, 7)]
    records = (readings(point, [(at, 1000 + 100 * k) for k, at in enumerate(months)], register="1.8.1")
               + readings(point, [(at, 500 + 40 * k) for k, at in enumerate(months)], register="1.8.2"))
    # June 15: meter replaced; the new one starts from 0 and is never paired with the old one
    new = [(local(prague, 2025, 6, 15), 0), (local(prague, 2025, 7), 30)]
    records += readings(point, new, register="1.8.1", serial="NEW-2")
    records += readings(point, new, register="1.8.2", serial="NEW-2")
    ids = store_and_link(cez_app, "cez", EMAIL, "2000001", [point], records, currency="CZK")
    rows = _csv_rows(client, ids[ean], 2025)
    assert [r[:4] for r in rows[1:5]] == [
        ["2025-01", "1.8.1", "kWh", "100"], ["2025-01", "1.8.2", "kWh", "40"],
        ["2025-02", "1.8.1", "kWh", "100"], ["2025-02", "1.8.2", "kWh", "40"],
    ]
    assert rows[11][:4] == ["2025-06", "1.8.1", "kWh", "30"]  # only the new meter's 30 after 15 June
    page = client.get("/consumption/?year=2025").get_data(as_text=True)
    assert page.count('role="img"') == 2 and "T1" in page and "T2" in page


def test_doe_ua_page_in_ukrainian(make_app, smtp_server):
    import plugins.doe_ua.plugin

    app = make_app(plugins=[plugins.doe_ua.plugin], TENANTS={"doe": {"plugin": "doe_ua", "hosts": ["doe.test"]}})
    client = _customer(app, smtp_server, host="doe.test", language="uk")
    kyiv = "Europe/Kyiv"
    eic = "62Z0000000000017"
    point = point_record(eic, tariff="Побутовий")
    values = [(local(kyiv, 2025, 1), 100), (local(kyiv, 2025, 2), 1334), (local(kyiv, 2025, 3), 1500)]
    store_and_link(app, "doe", EMAIL, "3000001", [point], readings(point, values), currency="UAH")
    page = client.get("/consumption/?year=2025").get_data(as_text=True)
    assert get_month_names("wide", context="stand-alone", locale="uk")[1] in page
    assert format_decimal(1234, locale="uk") in page and "1234" not in page


def test_italiangas_gas_is_shown_in_cubic_metres(make_app, smtp_server):
    import plugins.italiangas_it.plugin

    app = make_app(plugins=[plugins.italiangas_it.plugin],
                   TENANTS={"italiangas": {"plugin": "italiangas_it", "hosts": ["italiangas.test"]}})
    client = _customer(app, smtp_server, host="italiangas.test", language="it")
    rome = "Europe/Rome"
    pdr = "00881234567890"
    point = point_record(pdr, commodity="gas", registers=("volume",), tariff="T2")
    values = [(local(rome, 2025, 1), 1000), (local(rome, 2025, 2), 1120), (local(rome, 2025, 3), 1215)]
    ids = store_and_link(app, "italiangas", EMAIL, "4000001", [point],
                         readings(point, values, register="volume", unit="m3"), currency="EUR")
    page = client.get("/consumption/?year=2025").get_data(as_text=True)
    assert "m³" in page and "gennaio" in page.lower()
    rows = _csv_rows(client, ids[pdr], 2025)
    assert rows[1][1:4] == ["volume", "m³", "120"] and rows[2][3] == "95"
