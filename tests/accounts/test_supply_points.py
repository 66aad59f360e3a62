"""Several accounts and supply points under one login: the header's selector and the details page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from babel.dates import format_date
from sqlalchemy import select

from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import SupplyPointSelection
from tests.conftest import client_for, link_account, register_and_activate, sign_in
from tests.support.accounts import local, point_record, readings, store_and_link

EMAIL = "owner@example.com"
HOME, GAS, COTTAGE = "590543000000000017", "8018590365500000017", "590543000000000024"


def _customer(app, smtp_server, email=EMAIL, host="innogy.test", language="en"):
    client = client_for(app, host, language=language)
    register_and_activate(client, smtp_server, email)
    assert sign_in(client, email).status_code == 302
    return client


def _two_accounts(app, smtp_server):
    """A home with electricity and gas on one account, a cottage on another."""
    client = _customer(app, smtp_server)
    home = point_record(HOME, contracted_power_kw=Decimal("12.5"), distribution_operator="Stoen Operator")
    gas = point_record(GAS, commodity="gas", registers=("1.8.0",), tariff="W-2.1", serial="GAS-1")
    ids = store_and_link(app, "innogy", EMAIL, "1000001", [home, gas])
    cottage = point_record(COTTAGE, street="Leśna 5", tariff="G12", registers=("1.8.1", "1.8.2"))
    at = [(local("Europe/Warsaw", 2025, 1), 100), (local("Europe/Warsaw", 2025, 2), 175)]
    ids |= store_and_link(app, "innogy", EMAIL, "1000002", [cottage], readings(cottage, at, register="1.8.1"),
                          street="Leśna 5")
    return client, ids


def _selected(page: str) -> str:
    select_html = re.search(r'<select id="supply-point-select".*?</select>', page, re.S).group(0)
    return re.search(r'<option value="(\d+)" selected', select_html).group(1)


def _choose(client, point_id: int, next_path: str = "/consumption/"):
    client.get(next_path)
    return client.post("/accounts/supply-point", data={
        "csrf_token": client.last_csrf, "point": str(point_id), "next": next_path})


def test_selector_groups_points_by_account_and_defaults_to_the_first(app, smtp_server):
    client, ids = _two_accounts(app, smtp_server)
    page = client.get("/accounts/").get_data(as_text=True)
    assert page.count("<optgroup") == 2 and 'label="1000001 · Anna Nowak' in page
    assert _selected(page) == str(ids[HOME])  # the first linked account's first point
    for code in (HOME, GAS, COTTAGE):
        assert f'href="/accounts/points/{ids[code]}"' in page


def test_choice_is_remembered_across_logins(app, smtp_server):
    client, ids = _two_accounts(app, smtp_server)
    response = _choose(client, ids[COTTAGE])
    assert response.status_code == 302 and response.headers["Location"].endswith("/consumption/")
    page = client.get("/consumption/?year=2025").get_data(as_text=True)
    assert COTTAGE in page and _selected(page) == str(ids[COTTAGE])
    client.post("/logout", data={"csrf_token": client.last_csrf})

    again = client_for(app)  # another browser, a new session
    assert sign_in(again, EMAIL).status_code == 302
    page = again.get("/consumption/?year=2025").get_data(as_text=True)
    assert _selected(page) == str(ids[COTTAGE])
    assert COTTAGE in page.split("<main", 1)[1] and "75" in page  # the cottage's January


def test_another_customers_point_cannot_be_chosen(app, smtp_server):
    client, ids = _two_accounts(app, smtp_server)
    stranger = _customer(app, smtp_server, "stranger@example.com")
    other = point_record("590543000000000031")
    theirs = store_and_link(app, "innogy", "stranger@example.com", "1000003", [other])
    assert _choose(client, theirs["590543000000000031"]).status_code == 404
    assert _choose(stranger, ids[HOME]).status_code == 404
    assert _choose(client, 999999).status_code == 404
    with app.app_context(), tenant_context("innogy"):
        assert db.session.execute(select(SupplyPointSelection)).scalars().all() == []
    page = client.get("/consumption/").get_data(as_text=True)
    assert "590543000000000031" not in page


def test_switching_on_a_details_page_shows_the_chosen_points_details(app, smtp_server):
    client, ids = _two_accounts(app, smtp_server)
    response = _choose(client, ids[GAS], next_path=f"/accounts/points/{ids[HOME]}")
    assert response.headers["Location"].endswith(f"/accounts/points/{ids[GAS]}")
    response = client.post("/accounts/supply-point", data={
        "csrf_token": client.last_csrf, "point": str(ids[HOME]), "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"  # never off-site
    # every page about one point names it the same way, so the switch follows on each
    for page in ("/readings/new/{}", "/notifications/points/{}"):
        response = client.post("/accounts/supply-point", data={
            "csrf_token": client.last_csrf, "point": str(ids[GAS]), "next": page.format(ids[HOME])})
        assert response.headers["Location"].endswith(page.format(ids[GAS]))


def test_details_page_shows_the_point_and_its_meters(app, smtp_server):
    client, ids = _two_accounts(app, smtp_server)
    page = client.get(f"/accounts/points/{ids[HOME]}").get_data(as_text=True)
    assert HOME in page and "ul. Prosta 1, 00-001 Warszawa" in page
    assert "G11" in page and "12.5\u00a0kW" in page and "Stoen Operator" in page
    assert f"M-{HOME[-6:]}" in page and "SEAL-77" in page and "1.8.0 · Single rate" in page
    assert format_date(dt.date(2019, 5, 6), locale="en") in page
    assert 'scope="col"' in page and "<caption>" in page
    assert f'<input type="hidden" name="point" value="{ids[HOME]}">' in page  # "show the consumption" button
    cottage = client.get(f"/accounts/points/{ids[COTTAGE]}").get_data(as_text=True)
    assert "High tariff (T1)" in cottage and "Low tariff (T2)" in cottage and "kW<" not in cottage


def test_details_of_another_customers_point_are_not_found(app, smtp_server):
    _client, ids = _two_accounts(app, smtp_server)
    stranger = _customer(app, smtp_server, "stranger@example.com")
    assert stranger.get(f"/accounts/points/{ids[HOME]}").status_code == 404
    assert stranger.get("/accounts/points/999999").status_code == 404
    second = _customer(app, smtp_server, "second@example.com", host="second.test")
    assert second.get(f"/accounts/points/{ids[HOME]}").status_code == 404  # another tenant


def test_one_point_needs_no_selector(app, smtp_server):
    client = _customer(app, smtp_server)
    store_and_link(app, "innogy", EMAIL, "1000001", [point_record(HOME)])
    page = client.get("/accounts/").get_data(as_text=True)
    assert "supply-point-select" not in page and HOME in page


def test_details_page_in_every_language(app, smtp_server):
    client, ids = _two_accounts(app, smtp_server)
    for language in ("en", "pl", "cs", "uk", "it"):
        client.get("/accounts/")
        client.post("/language", data={"csrf_token": client.last_csrf, "locale": language})
        response = client.get(f"/accounts/points/{ids[HOME]}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and f'<html lang="{language}">' in page
        assert format_date(dt.date(2019, 5, 6), locale=language) in page
        assert 'id="supply-point-select"' in page


def test_points_of_a_linked_demo_customer(app, smtp_server, demo_identity):
    """Linked through the identity check, copied from the demo back-end by the sync."""
    client = _customer(app, smtp_server)
    identity = demo_identity[0]
    link_account(client, identity)
    adapter = app.extensions["portal_tenants"]["innogy"].adapter
    point = adapter.supply_points(identity["account_number"])[0]
    page = client.get("/accounts/").get_data(as_text=True)
    point_id = re.search(rf'href="/accounts/points/(\d+)">{point.identifier}<', page).group(1)
    details = client.get(f"/accounts/points/{point_id}").get_data(as_text=True)
    assert point.meters[0].serial_number in details and point.tariff in details
    consumption = client.get("/consumption/").get_data(as_text=True)
    assert 'role="img"' in consumption  # the demo's monthly readings give a chart


def test_condominium_administrator_switches_between_many_supplies(make_app, smtp_server):
    import plugins.italiangas_it.plugin

    app = make_app(plugins=[plugins.italiangas_it.plugin],
                   TENANTS={"italiangas": {"plugin": "italiangas_it", "hosts": ["italiangas.test"]}})
    client = _customer(app, smtp_server, host="italiangas.test", language="it")
    ids = {}
    for n in range(12):  # twelve condominiums, common-parts power and central heating gas each
        power = point_record(f"IT001E{n:08d}", street=f"Via Roma {n + 1}", tariff="BTA")
        gas = point_record(f"0088{n:010d}", commodity="gas", street=f"Via Roma {n + 1}", tariff="T2",
                           serial=f"G-{n}")
        ids |= store_and_link(app, "italiangas", EMAIL, f"IG{n:04d}", [power, gas],
                              holder=f"Condominio Via Roma {n + 1}", street=f"Via Roma {n + 1}", currency="EUR")
    page = client.get("/accounts/").get_data(as_text=True)
    selector = re.search(r'<select id="supply-point-select".*?</select>', page, re.S).group(0)
    assert selector.count("<optgroup") == 12 and selector.count("<option") == 24
    assert 'label="IG0011 · Condominio Via Roma 12 · Via Roma 12, Warszawa"' in selector
    last = ids["0088" + "11".zfill(10)]
    assert _choose(client, last).status_code == 302
    page = client.get("/consumption/").get_data(as_text=True)
    assert _selected(page) == str(last) and "0088" + "11".zfill(10) in page.split("<main", 1)[1]


def test_cez_details_show_the_main_circuit_breaker(make_app, smtp_server):
    """The ČEZ plugin adds the breaker (jistič) its contracted power stands for."""
    from plugins.cez_cz import plugin

    app = make_app(plugins=[plugin], TENANTS={"cez": {"plugin": "cez_cz", "hosts": ["cez.test"]}})
    client = _customer(app, smtp_server, host="cez.test")
    ean = "859182400000000016"
    ids = store_and_link(app, "cez", EMAIL, "2000001", [
        point_record(ean, tariff="D02d", registers=("1.8.0",), contracted_power_kw=Decimal("17.25")),
        point_record("27ZG000000000017", commodity="gas", tariff="do 1,89 MWh", serial="G-1"),
    ], currency="CZK")
    page = client.get(f"/accounts/points/{ids[ean]}").get_data(as_text=True)
    assert "Main circuit breaker (jistič)</dt><dd>3x25 A" in page and "17.25\u00a0kW" in page
    gas = client.get(f"/accounts/points/{ids['27ZG000000000017']}").get_data(as_text=True)
    assert "circuit breaker" not in gas
