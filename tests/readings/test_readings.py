"""Meter readings through HTTP: the plugin's rules, plausibility checks, delivery through the outbox."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.billing.contract import BackendUnavailable
from core.framework import outbox
from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import MeterReading, OutboxMessage, SupplyPoint, utcnow
from core.readings.service import field_name, local_today
from tests.conftest import client_for, link_account, linked_customer, register_and_activate, sign_in
from tests.support.accounts import add_readings, local, point_record, readings, store_and_link
from tests.support.api import Api, make_token
from tests.support.browser import BRANDS
from tests.support.outbox import TO_SUPPLIER, count_to_supplier
from tests.support.queries import count_queries

CAPABILITY = "meter_readings"


def _tenant(app):
    return app.extensions["portal_tenants"]["innogy"]


def _identity_with(app, demo_identity, capable: bool, skip: tuple[str, ...] = ()):
    """A demo customer with a supply point that does (or does not) take readings online."""
    adapter = _tenant(app).adapter
    for identity in demo_identity:
        if identity["account_number"] in skip:
            continue
        for point in adapter.supply_points(identity["account_number"]):
            if (CAPABILITY in point.capabilities) == capable:
                return identity, point
    raise AssertionError("no demo customer fits")


def _point_id(app, identifier: str) -> int:
    with app.app_context(), tenant_context("innogy"):
        return db.session.execute(select(SupplyPoint.id).where(SupplyPoint.identifier == identifier)).scalar_one()


def _previous(app, identity, point) -> dict[str, Decimal]:
    """The newest back-end reading of each register."""
    newest: dict[str, Decimal] = {}
    for reading in _tenant(app).adapter.readings(identity["account_number"], point.identifier):
        newest.setdefault(reading.register, reading.value)
    return newest


def _form(page: str, values: dict[str, Decimal], read_on: dt.date, **extra) -> dict:
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    form = {field_name(r): str(v) for r, v in values.items()}
    return {"submission_key": key, "read_on": read_on.isoformat(), **form, **extra}


def _count(app, model) -> int:
    with app.app_context(), tenant_context("innogy"):
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _today(app) -> dt.date:
    with app.app_context():
        return local_today(_tenant(app))


def _setup(app, client, smtp_server, demo_identity, email="meter@example.com"):
    identity, point = _identity_with(app, demo_identity, capable=True)
    linked_customer(client, smtp_server, identity, email)
    path = f"/readings/new/{_point_id(app, point.identifier)}"
    return identity, point, path, _previous(app, identity, point)


def test_history_comes_from_the_sync_and_links_the_form(app, client, smtp_server, demo_identity):
    identity, point, path, previous = _setup(app, client, smtp_server, demo_identity)
    page = client.get(f"/readings/?point={_point_id(app, point.identifier)}", follow_redirects=True)
    page = page.get_data(as_text=True)
    assert path in page and "read by the operator" in page and "on record" in page
    form = client.get(path).get_data(as_text=True)
    for register in previous:
        assert f'name="{field_name(register)}"' in form
    assert "High tariff (T1) / day" in form or "Single rate" in form


def test_plausible_reading_is_accepted_delivered_and_confirmed(app, client, smtp_server, demo_identity):
    identity, point, path, previous = _setup(app, client, smtp_server, demo_identity)
    page = client.get(path).get_data(as_text=True)
    values = {r: v + 5 for r, v in previous.items()}
    response = client.submit(path, _form(page, values, _today(app)))
    assert response.status_code == 302
    history = client.get("/readings/").get_data(as_text=True)
    assert "accepted by the supplier" in history and "your reading" in history
    assert "received and accepted by the supplier" in history  # what the customer is told first
    sent = _tenant(app).adapter.readings(identity["account_number"], point.identifier)
    assert {r.register: r.value for r in sent[: len(values)]} == values
    mail = smtp_server.wait_for("meter@example.com", 2)[-1]
    assert "meter reading" in mail["Subject"]


def test_value_below_the_previous_is_refused_and_stores_nothing(app, client, smtp_server, demo_identity):
    identity, point, path, previous = _setup(app, client, smtp_server, demo_identity)
    before = _count(app, MeterReading)
    page = client.get(path).get_data(as_text=True)
    response = client.submit(path, _form(page, {r: v - 1 for r, v in previous.items()}, _today(app)))
    assert response.status_code == 400
    assert "lower than the previous reading" in response.get_data(as_text=True)
    assert _count(app, MeterReading) == before and count_to_supplier(app) == 0


def test_replaced_meter_goes_to_review(app, client, smtp_server, demo_identity):
    identity, point, path, previous = _setup(app, client, smtp_server, demo_identity)
    page = client.get(path).get_data(as_text=True)
    form = _form(page, {r: Decimal(3) for r in previous}, _today(app), meter_replaced="1")
    assert client.submit(path, form).status_code == 302
    with app.app_context(), tenant_context("innogy"):
        statuses = db.session.execute(
            select(MeterReading.status).where(MeterReading.submission_key == form["submission_key"])
        ).scalars().all()
    # the demo back-end refuses a value below its last one: the customer sees why
    assert len(statuses) == len(previous) and set(statuses) <= {"review", "rejected"}
    assert count_to_supplier(app) == 1


def test_implausible_reading_needs_confirmation_then_goes_to_review(app, client, smtp_server, demo_identity):
    identity, point, path, previous = _setup(app, client, smtp_server, demo_identity)
    before = _count(app, MeterReading)
    page = client.get(path).get_data(as_text=True)
    form = _form(page, {r: v + 1_000_000 for r, v in previous.items()}, _today(app))
    warned = client.submit(path, form)
    body = warned.get_data(as_text=True)
    assert warned.status_code == 400 and "much more consumption than usual" in body
    assert 'name="confirm"' in body and 'name="reason"' in body
    assert _count(app, MeterReading) == before
    confirmed = client.post(path, data={"csrf_token": client.last_csrf, **form, "confirm": "1",
                                        "reason": "Electric heating installed"})
    assert confirmed.status_code == 302
    with app.app_context(), tenant_context("innogy"):
        rows = db.session.execute(
            select(MeterReading).where(MeterReading.submission_key == form["submission_key"])
        ).scalars().all()
        assert {r.status for r in rows} == {"review"} and rows[0].reason == "Electric heating installed"
        assert db.session.execute(select(OutboxMessage.status).where(TO_SUPPLIER)).scalar_one() == "delivered"
    assert "under review" in client.get("/readings/").get_data(as_text=True)


def test_confirmation_without_a_reason_is_refused(app, client, smtp_server, demo_identity):
    identity, point, path, previous = _setup(app, client, smtp_server, demo_identity)
    page = client.get(path).get_data(as_text=True)
    form = _form(page, {r: v + 1_000_000 for r, v in previous.items()}, _today(app), confirm="1")
    assert client.submit(path, form).status_code == 400
    assert count_to_supplier(app) == 0


def test_future_date_and_bad_number_are_refused(app, client, smtp_server, demo_identity):
    identity, point, path, previous = _setup(app, client, smtp_server, demo_identity)
    page = client.get(path).get_data(as_text=True)
    future = client.submit(path, _form(page, {r: v + 1 for r, v in previous.items()}, _today(app) + dt.timedelta(days=1)))
    assert future.status_code == 400 and "cannot be in the future" in future.get_data(as_text=True)
    older = client.submit(path, _form(page, {r: v + 1 for r, v in previous.items()}, dt.date(2020, 1, 1)))
    assert older.status_code == 400 and "before the previous reading" in older.get_data(as_text=True)
    decimals = client.submit(path, _form(page, {r: f"{v},5" for r, v in previous.items()}, _today(app)))
    assert decimals.status_code == 400
    assert count_to_supplier(app) == 0


@pytest.mark.parametrize(("value", "read_on", "message"), [
    (10**12, None, "The value is too large: use at most 11 digits before the decimal point."),
    (10**11, None, "The value is too large: use at most 11 digits before the decimal point."),
    (-1, None, "The value cannot be negative."),
    ("12345.5", None, "Use at most 0 decimal places."),
    ("NaN", None, "Enter a number, for example 123.45."),
    ("1e400", None, "Enter a number, for example 123.45."),
    (None, "2026-02-30", "Enter a valid date."),
    (None, "9999-12-31", "The reading date cannot be in the future."),
    (None, "0001-01-01", "The reading date cannot be before the previous reading"),
])
def test_bad_input_is_refused_alike_by_the_form_and_the_api(app, client, smtp_server, demo_identity,
                                                            value, read_on, message):
    identity, point, path, previous = _setup(app, client, smtp_server, demo_identity)
    api = Api(app, make_token(client))
    before = _count(app, MeterReading)
    values = {r: v + 1 if value is None else value for r, v in previous.items()}
    read_on = read_on or _today(app).isoformat()
    page = client.get(path).get_data(as_text=True)
    form = {**_form(page, {}, _today(app)), "read_on": read_on, **{field_name(r): str(v) for r, v in values.items()}}
    web = client.submit(path, form)
    assert web.status_code == 400 and message in web.get_data(as_text=True)
    answer = api.post(f"/supply-points/{point.identifier}/readings", json={"read_on": read_on, "values": values})
    assert answer.status_code == 422, answer.get_data(as_text=True)
    fields = answer.get_json()["error"]["fields"]
    assert any(message in text for texts in fields.values() for text in texts), fields
    assert _count(app, MeterReading) == before and count_to_supplier(app) == 0


def test_double_submit_stores_one_reading(app, client, smtp_server, demo_identity):
    identity, point, path, previous = _setup(app, client, smtp_server, demo_identity)
    page = client.get(path).get_data(as_text=True)
    form = _form(page, {r: v + 2 for r, v in previous.items()}, _today(app))
    first = client.submit(path, form)
    second = client.post(path, data={"csrf_token": client.last_csrf, **form})
    assert first.status_code == second.status_code == 302
    with app.app_context(), tenant_context("innogy"):
        rows = db.session.execute(
            select(MeterReading).where(MeterReading.submission_key == form["submission_key"])
        ).scalars().all()
    assert len(rows) == len(previous) and count_to_supplier(app) == 1


def test_another_customer_gets_404_and_never_sees_the_readings(app, smtp_server, demo_identity):
    owner = client_for(app)
    identity, point, path, previous = _setup(app, owner, smtp_server, demo_identity, "owner@example.com")
    page = owner.get(path).get_data(as_text=True)
    assert owner.submit(path, _form(page, {r: v + 7 for r, v in previous.items()}, _today(app))).status_code == 302
    other = client_for(app)
    other_identity, _ = _identity_with(app, demo_identity, capable=True, skip=(identity["account_number"],))
    linked_customer(other, smtp_server, other_identity, "other@example.com")
    assert other.get(path).status_code == 404
    assert other.post(path, data={"csrf_token": other.last_csrf}).status_code == 404
    history = other.get("/readings/").get_data(as_text=True)
    assert point.identifier not in history and path not in history


def test_backend_down_keeps_the_reading_and_delivers_later(app, client, smtp_server, demo_identity, monkeypatch):
    identity, point, path, previous = _setup(app, client, smtp_server, demo_identity)
    tenant = _tenant(app)
    real = tenant.adapter.submit_reading

    def down(*args, **kwargs):
        raise BackendUnavailable("connection refused")

    monkeypatch.setattr(tenant.adapter, "submit_reading", down)
    page = client.get(path).get_data(as_text=True)
    assert client.submit(path, _form(page, {r: v + 3 for r, v in previous.items()}, _today(app))).status_code == 302
    history = client.get("/readings/").get_data(as_text=True)
    assert "received" in history and "accepted by the supplier" not in history
    with app.app_context(), tenant_context("innogy"):
        message = db.session.execute(select(OutboxMessage).where(TO_SUPPLIER)).scalar_one()
        assert message.status == "pending" and message.attempts == 1
        message.next_attempt_at = message.created_at
        db.session.commit()
        monkeypatch.setattr(tenant.adapter, "submit_reading", real)
        assert outbox.relay(tenant).delivered == 1
    assert "accepted by the supplier" in client.get("/readings/").get_data(as_text=True)


def test_the_confirmation_says_at_once_when_the_supplier_turned_the_reading_down(
        app, client, smtp_server, demo_identity, monkeypatch):
    from core.billing.contract import SubmissionResult

    identity, point, path, previous = _setup(app, client, smtp_server, demo_identity)
    monkeypatch.setattr(_tenant(app).adapter, "submit_reading", lambda *args: SubmissionResult.rejected("account_closed"))
    page = client.get(path).get_data(as_text=True)
    assert client.submit(path, _form(page, {r: v + 5 for r, v in previous.items()}, _today(app))).status_code == 302
    history = client.get("/readings/").get_data(as_text=True)
    assert "the supplier did not accept it" in history and "This customer account is closed." in history
    assert "Your meter reading has been received." not in history


def test_sync_does_not_duplicate_an_accepted_reading(app, client, smtp_server, demo_identity):
    from core.framework.sync import import_account

    identity, point, path, previous = _setup(app, client, smtp_server, demo_identity)
    page = client.get(path).get_data(as_text=True)
    assert client.submit(path, _form(page, {r: v + 4 for r, v in previous.items()}, _today(app))).status_code == 302
    before = _count(app, MeterReading)
    with app.app_context(), tenant_context("innogy"):
        import_account(_tenant(app), identity["account_number"])
        db.session.commit()
        statuses = db.session.execute(
            select(MeterReading.status).where(MeterReading.source == "customer", MeterReading.user_id.is_not(None))
        ).scalars().all()
    assert _count(app, MeterReading) == before and set(statuses) == {"accepted"}


def test_supply_point_without_the_capability_is_404(app, client, smtp_server, demo_identity):
    identity, point = _identity_with(app, demo_identity, capable=False)
    linked_customer(client, smtp_server, identity, "nocap@example.com")
    path = f"/readings/new/{_point_id(app, point.identifier)}"
    assert client.get(path).status_code == 404
    assert path not in client.get("/readings/").get_data(as_text=True)
    assert client.get("/readings/new/999999").status_code == 404


def test_readings_of_one_meter_reach_the_backend_in_the_order_submitted(make_app, smtp_server, monkeypatch):
    """After an outage, retries with jitter must not let a newer reading overtake an older one."""
    today = dt.date.today()
    app = make_app(TENANTS={"innogy": {"plugin": "innogy_pl", "hosts": ["innogy.test"],
                                       "settings": {"demo_as_of": (today - dt.timedelta(days=40)).isoformat()}}})
    tenant = _tenant(app)
    with app.app_context():
        identities = tenant.adapter.demo_identities()
    client = client_for(app)
    identity, point, path, previous = _setup(app, client, smtp_server, identities)
    last = max(r.read_at for r in tenant.adapter.readings(identity["account_number"], point.identifier)).date()
    real = tenant.adapter.submit_reading
    monkeypatch.setattr(tenant.adapter, "submit_reading", lambda *a, **k: (_ for _ in ()).throw(BackendUnavailable("down")))
    days = [last + dt.timedelta(days=n) for n in (2, 4, 6)]
    for step, day in enumerate(days, start=1):
        page = client.get(path).get_data(as_text=True)
        values = {r: v + 4 * step for r, v in previous.items()}
        assert client.submit(path, _form(page, values, day)).status_code == 302

    delivered = []

    def recording(reading, key):
        delivered.append(reading.read_at)
        return real(reading, key)

    monkeypatch.setattr(tenant.adapter, "submit_reading", recording)
    with app.app_context(), tenant_context("innogy"):
        messages = db.session.execute(select(OutboxMessage).where(TO_SUPPLIER).order_by(OutboxMessage.id)).scalars().all()
        assert [m.status for m in messages] == ["pending"] * 3
        # the jittered retries put the newest first in line; the oldest is parked
        for message, wait in zip(messages, (None, 2, 1), strict=True):
            if wait is None:
                message.status = "parked"
            else:
                message.next_attempt_at = utcnow() - dt.timedelta(minutes=wait)
        db.session.commit()
        assert outbox.relay(tenant).delivered == 0  # both wait behind the parked one
        assert outbox.requeue_parked() == 1
        assert outbox.relay(tenant).delivered == 3
    assert len(delivered) == 3 and delivered == sorted(delivered)
    history = client.get("/readings/").get_data(as_text=True)
    assert "rejected" not in history and history.count("accepted by the supplier") >= 3


@pytest.fixture
def earlier_app(make_app):
    """The demo back-end's data as of 40 days ago: there are days to read the meters on since."""
    as_of = dt.date.today() - dt.timedelta(days=40)
    return make_app(TENANTS={"innogy": {"plugin": "innogy_pl", "hosts": ["innogy.test"],
                                        "settings": {"demo_as_of": as_of.isoformat()}}})


def _next_day(app, identity, point) -> dt.date:
    """A day after the back-end's newest reading of ``point``."""
    last = max(r.read_at for r in _tenant(app).adapter.readings(identity["account_number"], point.identifier))
    return last.date() + dt.timedelta(days=2)


def test_readings_of_two_meters_and_registers_at_the_same_moment_are_all_kept(earlier_app, smtp_server):
    app = earlier_app
    with app.app_context():
        identities = _tenant(app).adapter.demo_identities()
    client = client_for(app)
    first, first_point, path, previous = _setup(app, client, smtp_server, identities)
    second, second_point = _identity_with(app, identities, capable=True, skip=(first["account_number"],))
    link_account(client, second)
    day = max(_next_day(app, first, first_point), _next_day(app, second, second_point))
    page = client.get(path).get_data(as_text=True)
    assert client.submit(path, _form(page, {r: v + 3 for r, v in previous.items()}, day)).status_code == 302
    values = {r: str(v + 3) for r, v in _previous(app, second, second_point).items()}
    api = Api(app, make_token(client))
    sent = api.post(f"/supply-points/{second_point.identifier}/readings", json={"read_on": day.isoformat(),
                                                                               "values": values})
    assert sent.status_code == 202, sent.get_data(as_text=True)
    with app.app_context(), tenant_context("innogy"):
        mine = db.session.execute(select(MeterReading).where(MeterReading.user_id.is_not(None))).scalars().all()
    assert len(mine) == len(previous) + len(values) >= 4 and len({(r.meter_serial, r.register) for r in mine}) == 4
    assert len({r.read_at for r in mine}) == 1 and {r.status for r in mine} == {"accepted"}


def test_a_second_reading_of_that_day_conflicts_unless_the_supplier_rejected_the_first(earlier_app, smtp_server):
    app = earlier_app
    with app.app_context():
        identities = _tenant(app).adapter.demo_identities()
    client = client_for(app)
    identity, point, path, previous = _setup(app, client, smtp_server, identities)
    api = Api(app, make_token(client))
    day = _next_day(app, identity, point)
    page = client.get(path).get_data(as_text=True)
    assert client.submit(path, _form(page, {r: v + 3 for r, v in previous.items()}, day)).status_code == 302
    page = client.get(path).get_data(as_text=True)
    again = client.submit(path, _form(page, {r: v + 4 for r, v in previous.items()}, day))
    assert again.status_code == 400 and "A reading of this meter for that date is already on record." in again.get_data(as_text=True)
    refused = api.post(f"/supply-points/{point.identifier}/readings",
                       json={"read_on": day.isoformat(), "values": {r: str(v + 4) for r, v in previous.items()}})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {"read_on": ["A reading of this meter for that date is already on record."]}

    # a lower value for a replaced meter passes the portal's checks, and the supplier rejects it
    later = day + dt.timedelta(days=2)
    page = client.get(path).get_data(as_text=True)
    lower = client.submit(path, _form(page, {r: v - 100 for r, v in previous.items()}, later, meter_replaced="1"))
    assert lower.status_code == 302
    assert "rejected" in client.get("/readings/").get_data(as_text=True)
    page = client.get(path).get_data(as_text=True)
    corrected = client.submit(path, _form(page, {r: v + 5 for r, v in previous.items()}, later))
    assert corrected.status_code == 302
    with app.app_context(), tenant_context("innogy"):
        on_that_day = db.session.execute(
            select(MeterReading.status, func.count()).where(MeterReading.user_id.is_not(None))
            .group_by(MeterReading.read_at, MeterReading.status).order_by(MeterReading.read_at, MeterReading.status)
        ).all()
    assert [status for status, _ in on_that_day] == ["accepted", "accepted", "rejected"]


HOME, GAS, COTTAGE = "590543000000000017", "8018590365500000017", "590543000000000024"


def _customer_with_points(app, smtp_server, email="points@example.com"):
    """A home with electricity and gas on one account, a cottage on another; the home has a history."""
    client = client_for(app)
    register_and_activate(client, smtp_server, email)
    assert sign_in(client, email).status_code == 302
    home = point_record(HOME)
    history = [(local("Europe/Warsaw", 2025, month), 100 * month) for month in range(1, 13)]
    ids = store_and_link(app, "innogy", email, "1000001", [home, point_record(GAS, commodity="gas", serial="GAS-1")],
                         readings(home, history))
    ids |= store_and_link(app, "innogy", email, "1000002", [point_record(COTTAGE, street="Leśna 5")],
                          street="Leśna 5")
    return client, ids


def _switch(client, point_id: int, page: str):
    """The header's supply point selector, used on ``page``."""
    client.get(page)
    return client.post("/accounts/supply-point", data={"csrf_token": client.last_csrf, "point": point_id, "next": page})


def _main(client, path="/readings/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True).split("<main", 1)[1]


def test_index_shows_the_current_point_and_links_the_others(app, smtp_server):
    client, ids = _customer_with_points(app, smtp_server)
    page = _main(client)
    current, others = page.split('id="other-points"', 1)
    assert HOME in current and "1 200" in current.replace("\xa0", " ").replace(",", " ")
    for code in (GAS, COTTAGE):
        assert code not in current and f'href="/readings/?point={ids[code]}"' in others
    assert f"?point={ids[HOME]}" not in others

    shown = client.get(f"/readings/?point={ids[COTTAGE]}").get_data(as_text=True)
    assert COTTAGE in shown.split("<main", 1)[1].split('id="other-points"', 1)[0]
    assert "No readings of this supply point are on record yet." in shown
    assert f'<option value="{ids[COTTAGE]}" selected' in shown  # the header says which point this is
    # reading a page remembers nothing: the header's choice stays, and other pages follow it
    assert HOME in _main(client).split('id="other-points"', 1)[0]
    assert f'<option value="{ids[HOME]}" selected' in client.get("/consumption/").get_data(as_text=True)


def test_a_single_supply_point_has_no_list_of_others(app, smtp_server):
    client = client_for(app)
    register_and_activate(client, smtp_server, "single@example.com")
    sign_in(client, "single@example.com")
    store_and_link(app, "innogy", "single@example.com", "1000003", [point_record(HOME)])
    page = _main(client)
    assert HOME in page and 'id="other-points"' not in page


def test_another_customers_point_cannot_be_chosen(app, smtp_server):
    client, ids = _customer_with_points(app, smtp_server)
    stranger = client_for(app)
    register_and_activate(stranger, smtp_server, "stranger@example.com")
    sign_in(stranger, "stranger@example.com")
    assert stranger.get(f"/readings/?point={ids[HOME]}").status_code == 404
    assert stranger.get("/readings/?point=abc").status_code == 404
    assert HOME not in _main(stranger)


def test_history_is_paginated_with_a_constant_query_count(app, smtp_server):
    client, ids = _customer_with_points(app, smtp_server)
    client.get("/readings/")  # warm up: the first request of the login

    one_year = count_queries(app, client, "/readings/")
    home = point_record(HOME)
    add_readings(app, "innogy", readings(home, [(local("Europe/Warsaw", 2015 + k // 12, k % 12 + 1), k)
                                                for k in range(10 * 12)]))
    assert count_queries(app, client, "/readings/") == one_year
    first = _main(client)
    assert 'href="/readings/?page=2"' in first and "12/1/2025" in first
    second = _main(client, "/readings/?page=2")
    assert 'href="/readings/?page=3"' in second and 'href="/readings/"' in second
    # the header chose a point with a shorter history while on page 2: back to its first page
    assert _switch(client, ids[COTTAGE], "/readings/?page=2").headers["Location"] == "/readings/?page=2"
    assert client.get("/readings/?page=2").headers["Location"].endswith("/readings/")


@pytest.mark.parametrize("brand", sorted(BRANDS))
def test_index_follows_the_choice_in_each_tenant_and_language(make_app, smtp_server, brand):
    host = f"{brand}.test"
    app = make_app(TENANTS={brand: {"plugin": BRANDS[brand][0], "hosts": [host]}})
    client = client_for(app, host)
    register_and_activate(client, smtp_server, "many@example.com")
    assert sign_in(client, "many@example.com").status_code == 302
    first, second = point_record(HOME), point_record(COTTAGE, street="Leśna 5")
    ids = store_and_link(app, brand, "many@example.com", "2000001", [first, second],
                         readings(first, [(local("Europe/Warsaw", 2025, 3), 4321)]))
    _switch(client, ids[COTTAGE], "/readings/")
    for language in ("en", "pl", "cs", "uk", "it"):
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        current, others = _main(client).split('id="other-points"', 1)
        assert COTTAGE in current and HOME not in current and f"?point={ids[HOME]}" in others
    history = _main(client, f"/readings/?point={ids[HOME]}").split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert history.count("<tr>") == 1 and "1.8.0" in history
