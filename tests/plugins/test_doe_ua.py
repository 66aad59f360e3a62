"""The Дніпрообленерго plugin: identity by account and meter, UAH bills, EIC codes, requests,
the bill on actual readings that supersedes an estimated one, the theme and the catalogs.

The plugin is registered explicitly (it is not yet an entry point).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import threading
import xml.etree.ElementTree as ET
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from marshmallow import ValidationError
from sqlalchemy import select
from stdnum.eu import eic

import plugins.doe_ua.plugin
from core.accounts.models import VerificationAttempt
from core.billing.contract import (
    AccountNotFound,
    BillingAdapter,
    Commodity,
    InvoiceStatus,
    Money,
    ReadingSource,
    ReadingSubmission,
    RequestSubmission,
    SubmissionStatus,
)
from core.demo.backend import forget_generated
from core.framework.extensions import db
from core.framework.forms import translate_errors
from core.framework.sync import sync_tenant
from core.framework.tenancy import tenant_context
from core.models import AccountLink, BillingAccount, Invoice
from core.service_requests.models import ServiceRequest
from core.service_requests.service import account_errors, json_safe
from core.testing.suite import *  # noqa: F403 - the plugin conformance suite runs here too
from plugins.doe_ua import plugin as doe_plugin
from plugins.doe_ua.adapter import (
    ESTIMATED,
    HOUSEHOLD_PRICE,
    SUPERSEDED,
    TARIFFS,
    VAT_RATE,
    ZONE_FIELDS,
    DoeDemoBackend,
)
from plugins.doe_ua.identifiers import (
    is_valid_eic,
    is_valid_meter_serial,
    is_valid_point_eic,
    make_point_eic,
    normalize_meter_serial,
    normalize_phone,
)
from plugins.doe_ua.identity import ACCOUNT_METER_METHOD
from plugins.doe_ua.request_types import REQUEST_TYPES
from tests.conftest import client_for, linked_customer, register_and_activate, sign_in
from tests.support.pdf_text import text_runs

PORTAL_PLUGIN = "plugins.doe_ua.plugin"

HOST = "doe.test"
TENANTS = {"doe": {"plugin": "doe_ua", "hosts": [HOST]}}
KYIV = ZoneInfo("Europe/Kyiv")
ANCHOR = dt.date(2026, 3, 18)
CENT = Decimal("0.01")
ROOT = Path(__file__).resolve().parents[2]
THEME = ROOT / "themes" / "doe"
TRANSLATIONS = ROOT / "plugins" / "doe_ua" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def backend() -> DoeDemoBackend:
    """One shared instance, on a fixed day, for the read-only tests."""
    return DoeDemoBackend(anchor=ANCHOR)


@pytest.fixture
def fresh() -> DoeDemoBackend:
    """An instance of its own for tests that write."""
    return DoeDemoBackend(anchor=ANCHOR)


@pytest.fixture
def doe_app(make_app):
    return make_app(plugins=[plugins.doe_ua.plugin], TENANTS=TENANTS)


@pytest.fixture
def identities(doe_app):
    with doe_app.app_context():
        return doe_app.extensions["portal_tenants"]["doe"].adapter.demo_identities()


def _customer(app, smtp_server, email: str, language: str = "en"):
    client = client_for(app, HOST, language=language)
    register_and_activate(client, smtp_server, email)
    assert sign_in(client, email).status_code == 302
    return client


def _link(identity: dict, **changes) -> dict:
    data = {
        "method": "account_meter",
        "account_number": identity["account_number"],
        "meter_serial": identity["meter_serial"],
    }
    data.update(changes)
    return data


def _adapter(app) -> DoeDemoBackend:
    return app.extensions["portal_tenants"]["doe"].adapter


def _midnight_values(adapter: DoeDemoBackend, number: str, point: str, day: dt.date) -> dict[str, Decimal]:
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=KYIV)
    return {
        r.register: r.value
        for r in adapter.readings(number, point)
        if r.read_at == midnight and r.source is ReadingSource.OPERATOR
    }


def _actual_basis(adapter: DoeDemoBackend, number: str, point: str) -> tuple[dt.date, dict[str, Decimal]]:
    """Where billing on actual readings stopped: the day after the newest such bill."""
    for invoice in adapter.invoices(number):
        if invoice.supply_point == point and invoice.kind not in (ESTIMATED, SUPERSEDED):
            start = invoice.period_end + dt.timedelta(days=1)
            return start, _midnight_values(adapter, number, point, start)
    raise AssertionError("no bill on actual readings")


def _estimated_after_actual(adapter: DoeDemoBackend, tariff: str | None = None):
    """An account whose newest bill is estimated and the one before on actual readings."""
    for number in adapter.account_numbers():
        point = adapter.supply_points(number)[0]
        newest, before = adapter.invoices(number)[:2]
        if (tariff is None or point.tariff == tariff) and newest.kind == ESTIMATED and before.kind == "regular":
            return number, point, newest
    raise AssertionError("no customer whose newest bill is estimated after one on actual readings")


# --- identifiers ---------------------------------------------------------------------


def test_published_entsoe_codes_pass_the_eic_check_but_are_not_metering_points():
    # Area codes published by ENTSO-E: Ukraine's power system and the Burshtyn island.
    for code in ("10Y1001C--00003F", "10YUA-WEPS-----0", "22XWATTPLUS----G"):
        assert is_valid_eic(code)
        assert not is_valid_point_eic(code)
    assert not is_valid_eic("10Y1001C--00003G")


def test_made_point_eic_is_valid_and_typing_variants_are_accepted(backend):
    code = backend.supply_points(backend.account_numbers()[0])[0].identifier
    assert is_valid_point_eic(code) and eic.is_valid(code) and code.startswith("62Z") and len(code) == 16
    spaced = " ".join(code[i:i + 4] for i in range(0, 16, 4)).lower()
    assert is_valid_point_eic(spaced)
    assert make_point_eic(code[:15]) == code
    with pytest.raises(ValueError):
        make_point_eic("10YUA-WEPS-----")


def test_any_single_mistyped_eic_character_is_caught(backend):
    code = backend.supply_points(backend.account_numbers()[1])[0].identifier
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-"
    for position in range(3, 16):
        for char in alphabet:
            if char != code[position]:
                assert not is_valid_point_eic(code[:position] + char + code[position + 1:])


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+380 67 123 45 67", "+380671234567"),
        ("067-123-45-67", "+380671234567"),
        ("(056) 744 12 34", "+380567441234"),
        ("8 050 123 45 67", "+380501234567"),
        ("380931234567", "+380931234567"),
    ],
)
def test_ukrainian_phone_numbers_are_normalized(typed, expected):
    assert normalize_phone(typed) == expected


@pytest.mark.parametrize("typed", ["+48 601 234 567", "067 123 45", "+380 07 123 4567", "+3806712345678", "phone"])
def test_other_phone_numbers_are_refused(typed):
    assert normalize_phone(typed) is None


def test_meter_numbers_as_people_type_them():
    assert normalize_meter_serial("№ 0123-4567") == "01234567"
    assert is_valid_meter_serial("№ 0123-4567") and is_valid_meter_serial("nik2102 0042")
    for wrong in ("12", "АБВ12345", "1" * 21):
        assert not is_valid_meter_serial(wrong)


# --- the demo back-end honours the contract --------------------------------------------


def test_is_a_billing_adapter_in_hryvnias(backend):
    assert isinstance(backend, BillingAdapter)
    assert backend.currency == "UAH"
    numbers = backend.account_numbers()
    assert len(numbers) == len(set(numbers)) == 50
    assert all(len(n) == 10 and n.isdigit() for n in numbers)
    assert backend.find_account("0000000000") is None


def test_same_anchor_gives_identical_data(backend):
    backend.account_numbers()  # generated, then forgotten: the other back-end generates anew
    forget_generated()
    other = DoeDemoBackend(anchor=ANCHOR)
    assert other.demo_identities() == backend.demo_identities()
    number = backend.account_numbers()[7]
    assert other.snapshot(number) == backend.snapshot(number)


def test_electricity_supply_points_with_eic_and_full_meter_details(backend):
    tariffs = set()
    for number in backend.account_numbers():
        account = backend.find_account(number)
        assert account.address.country == "UA" and re.fullmatch(r"\d{5}", account.address.postcode)
        points = backend.supply_points(number)
        assert len(points) == 1
        point = points[0]
        assert point.commodity is Commodity.ELECTRICITY
        assert is_valid_point_eic(point.identifier)
        assert "meter_readings" in point.capabilities
        tariffs.add(point.tariff)
        for meter in point.meters:
            assert meter.seal_number and meter.installed_on
            assert meter.installed_on < ANCHOR - dt.timedelta(days=700)
            assert is_valid_meter_serial(meter.serial_number)
            assert meter.registers == {"Однозонний": ("1.8.0",), "Двозонний": ("1.8.1", "1.8.2"),
                                       "Тризонний": ("1.8.1", "1.8.2", "1.8.3")}[point.tariff]
    assert tariffs == {"Однозонний", "Двозонний", "Тризонний"}


def test_monthly_bills_some_estimated_in_uah_with_vat_included(backend):
    kinds = set()
    for number in backend.account_numbers():
        invoices = backend.invoices(number)
        assert len(invoices) == 24
        for before, after in itertools.pairwise(sorted(invoices, key=lambda i: i.period_start)):
            assert after.period_start == before.period_end + dt.timedelta(days=1)
            assert after.period_start.day == 1
        for invoice in invoices:
            kinds.add(invoice.kind)
            assert invoice.number[0] == ("E" if invoice.kind == ESTIMATED else "F")
            for money in (invoice.gross, invoice.paid):
                assert isinstance(money, Money) and money.currency == "UAH"
                assert isinstance(money.amount, Decimal) and money.amount == money.amount.quantize(CENT)
            lines = backend.invoice_lines(number, invoice.number)
            for line in lines:
                assert line.vat_rate == VAT_RATE
                assert line.vat.amount == (line.net.amount * VAT_RATE).quantize(CENT, ROUND_HALF_UP)
                assert line.gross.amount == line.net.amount + line.vat.amount
            assert invoice.gross.amount == sum((line.gross.amount for line in lines), Decimal(0))
    assert kinds == {"regular", ESTIMATED}


def test_zone_prices_are_the_household_tariff_with_vat():
    gross = {
        (tariff.code, charge.register): charge.unit_price * (1 + VAT_RATE)
        for tariff in TARIFFS
        for charge in tariff.charges
    }
    assert HOUSEHOLD_PRICE == Decimal("4.32")
    assert gross == {
        ("Однозонний", None): Decimal("4.32"),
        ("Двозонний", "1.8.1"): Decimal("4.32"),
        ("Двозонний", "1.8.2"): Decimal("2.16"),
        ("Тризонний", "1.8.1"): Decimal("6.48"),
        ("Тризонний", "1.8.2"): Decimal("1.728"),
        ("Тризонний", "1.8.3"): Decimal("4.32"),
    }


def test_datetimes_are_aware_and_balance_is_payments_minus_bills(backend):
    for number in backend.account_numbers():
        account = backend.find_account(number)
        assert account.updated_at.utcoffset() is not None
        payments = backend.payments(number)
        assert all(p.booked_at.utcoffset() is not None for p in payments)
        point = backend.supply_points(number)[0]
        assert all(r.read_at.utcoffset() is not None for r in backend.readings(number, point.identifier))
        paid = sum((p.amount.amount for p in payments), Decimal(0))
        billed = sum((i.gross.amount for i in backend.invoices(number)), Decimal(0))
        assert backend.balance(number) == Money(paid - billed, "UAH")
    assert any(backend.balance(n).amount > 0 for n in backend.account_numbers())  # переплата


def test_invoice_pdf_is_a_real_pdf(backend):
    number = backend.account_numbers()[0]
    pdf = backend.invoice_pdf(number, backend.invoices(number)[0].number)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 2000


def test_readings_whole_kwh_per_zone_and_same_key_applied_once(fresh):
    number = fresh.account_numbers()[0]
    point = fresh.supply_points(number)[0]
    latest = {}
    for reading in fresh.readings(number, point.identifier):
        latest.setdefault(reading.register, reading.value)
    submission = ReadingSubmission(
        number, point.identifier, point.meters[0].serial_number,
        {register: value + 42 for register, value in latest.items()},
        fresh.as_of + dt.timedelta(hours=10),
    )
    before = len(fresh.readings(number, point.identifier))
    first = fresh.submit_reading(submission, "reading-1")
    again = fresh.submit_reading(submission, "reading-1")
    assert first.status is SubmissionStatus.ACCEPTED and not first.duplicate
    assert again.duplicate and again.reference == first.reference
    assert len(fresh.readings(number, point.identifier)) == before + len(point.meters[0].registers)


def test_same_request_key_twice_is_filed_once(fresh):
    number = fresh.account_numbers()[0]
    request = RequestSubmission(number, "contact_update", {"phone": "+380671234567"})
    first = fresh.submit_request(request, "request-1")
    second = fresh.submit_request(request, "request-1")
    assert first.status is SubmissionStatus.ACCEPTED and second.duplicate
    assert fresh.submitted_requests(number) == [(first.reference, request)]


def test_reading_rules_are_whole_kwh_by_zone(backend):
    for number in backend.account_numbers():
        point = backend.supply_points(number)[0]
        rules = doe_plugin.portal_reading_rules(tenant=None, supply_point=point)
        assert rules.accepts_readings and rules.decimals == 0
        assert rules.registers == point.meters[0].registers
        assert rules.max_daily_consumption is not None


# --- identity: personal account + meter number ---------------------------------------------


def test_demo_identities_verify_and_unknowns_say_subscriber_not_found(backend):
    identities = backend.demo_identities()
    assert len(identities) == 50
    for identity in identities:
        assert set(identity) == {"account_number", "meter_serial"}
        data = ACCOUNT_METER_METHOD.schema().load(identity)
        outcome = ACCOUNT_METER_METHOD.verify(backend, data)
        assert outcome.account_number == identity["account_number"]
    unknown = ACCOUNT_METER_METHOD.verify(backend, {"account_number": "0000000001", "meter_serial": "12345678"})
    assert not unknown.matched and "Subscriber not found" in str(unknown.message)
    other_meter = identities[1]["meter_serial"]
    wrong = ACCOUNT_METER_METHOD.verify(backend, {"account_number": identities[0]["account_number"], "meter_serial": other_meter})
    assert not wrong.matched and wrong.message is None
    assert ACCOUNT_METER_METHOD.attempt_key({"account_number": "12 3456-7890"}) == "1234567890"


@pytest.mark.parametrize(
    "typed",
    [
        {"account_number": "12345", "meter_serial": "12345678"},
        {"account_number": "12345678ab", "meter_serial": "12345678"},
        {"account_number": "1234567890", "meter_serial": "12"},
        {"account_number": "1234567890"},
    ],
)
def test_identity_form_refuses_malformed_input(typed):
    with pytest.raises(ValidationError):
        ACCOUNT_METER_METHOD.schema().load(typed)


def test_link_with_account_and_meter_then_dashboard(doe_app, smtp_server, identities):
    client = _customer(doe_app, smtp_server, "olena@example.com")
    identity = identities[0]
    response = client.submit("/accounts/link", _link(identity))
    assert response.status_code == 302, response.get_data(as_text=True)
    html = client.get("/").get_data(as_text=True)
    assert identity["account_number"] in html and identity["meter_serial"] in html
    assert "UAH" in html  # in English; Ukrainian pages write "грн"
    with doe_app.app_context(), tenant_context("doe"):
        adapter = _adapter(doe_app)
        point = adapter.supply_points(identity["account_number"])[0]
        meter = point.meters[0]
        assert point.identifier in html and meter.seal_number in html
        assert "Seal number" in html and "Installation date" in html
        assert adapter.invoices(identity["account_number"])[0].number in html
        row = db.session.execute(select(BillingAccount)).scalar_one()
        assert row.currency == "UAH" and row.balance == adapter.balance(identity["account_number"])


def test_account_and_meter_typed_with_spaces_and_dashes(doe_app, smtp_server, identities):
    client = _customer(doe_app, smtp_server, "petro@example.com")
    identity = identities[1]
    number, serial = identity["account_number"], identity["meter_serial"]
    typed = _link(identity, account_number=f"{number[:3]} {number[3:6]} {number[6:]}",
                  meter_serial=f"№ {serial[:4]}-{serial[4:]}")
    assert client.submit("/accounts/link", typed).status_code == 302


def test_unknown_account_says_subscriber_not_found_in_ukrainian(doe_app, smtp_server, identities):
    client = _customer(doe_app, smtp_server, "iryna@example.com", language="uk")
    response = client.submit("/accounts/link", _link(identities[0], account_number="0000000001"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Споживача не знайдено" in html and "field-error" not in html
    with doe_app.app_context(), tenant_context("doe"):
        assert db.session.execute(select(AccountLink)).first() is None
        attempts = db.session.execute(select(VerificationAttempt)).scalars().all()
    assert [(a.account_key, a.succeeded) for a in attempts] == [("0000000001", False)]


def test_wrong_meter_gets_the_generic_answer(doe_app, smtp_server, identities):
    client = _customer(doe_app, smtp_server, "mykola@example.com")
    response = client.submit("/accounts/link", _link(identities[0], meter_serial=identities[2]["meter_serial"]))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "do not match our records" in html
    assert "Subscriber not found" not in html and "field-error" not in html
    with doe_app.app_context(), tenant_context("doe"):
        assert db.session.execute(select(AccountLink)).first() is None
        attempts = db.session.execute(select(VerificationAttempt)).scalars().all()
    assert len(attempts) == 1 and not attempts[0].succeeded


def test_malformed_account_number_is_a_field_error_and_not_counted(doe_app, smtp_server, identities):
    client = _customer(doe_app, smtp_server, "vasyl@example.com")
    response = client.submit("/accounts/link", _link(identities[0], account_number="12345"))
    assert response.status_code == 400 and "field-error" in response.get_data(as_text=True)
    with doe_app.app_context(), tenant_context("doe"):
        assert db.session.execute(select(VerificationAttempt)).first() is None


# --- pages in Ukrainian ---------------------------------------------------------------------


def test_pages_default_to_ukrainian_with_the_suppliers_terms(doe_app, smtp_server, identities):
    login = client_for(doe_app, HOST, language=None).get("/login").get_data(as_text=True)
    assert '<html lang="uk">' in login and "Особистий кабінет" in login
    with doe_app.app_context():
        adapter = _adapter(doe_app)
        in_credit = next(i for i in identities if adapter.balance(i["account_number"]).amount > 0)
    client = _customer(doe_app, smtp_server, "natalia@example.com", language="uk")
    form = client.get("/accounts/link").get_data(as_text=True)
    assert '<html lang="uk">' in form
    assert "Номер особового рахунку" in form and "Номер лічильника" in form
    assert client.submit("/accounts/link", _link(in_credit)).status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "Сальдо" in html and "переплата" in html and "грн" in html
    assert "Номер пломби" in html and "Дата встановлення" in html and "EIC-код точки комерційного обліку" in html


def test_dashboard_explains_a_bill_on_average_consumption(doe_app, smtp_server):
    with doe_app.app_context():
        adapter = _adapter(doe_app)
        number = next(n for n in adapter.account_numbers() if adapter.invoices(n)[0].kind == ESTIMATED)
        identity = next(i for i in adapter.demo_identities() if i["account_number"] == number)
    client = linked_customer(client_for(doe_app, HOST, language="uk"), smtp_server, identity, "halyna@example.com")
    html = client.get("/").get_data(as_text=True)
    assert "розраховано за середнім споживанням" in html
    assert "замовте рахунок за фактичними показаннями" in html


# --- "order a bill on actual readings" ------------------------------------------------------


def test_order_then_overnight_bill_supersedes_the_estimated_one(fresh):
    number, point, estimated = _estimated_after_actual(fresh, "Однозонний")
    basis = _midnight_values(fresh, number, point.identifier, estimated.period_start)
    assert set(basis) == {"1.8.0"}
    balance_before = fresh.balance(number).amount
    invoices_before = fresh.invoices(number)
    ordered_at = dt.datetime.combine(ANCHOR, dt.time(10, 15), tzinfo=KYIV)
    readings = {"1.8.0": basis["1.8.0"] + 150}

    first = fresh.order_actual_bill(number, readings, "order-1", read_on=estimated.period_end, ordered_at=ordered_at)
    again = fresh.order_actual_bill(number, readings, "order-1", read_on=estimated.period_end, ordered_at=ordered_at)
    assert first.status is SubmissionStatus.ACCEPTED and first.reference and not first.duplicate
    assert again.duplicate and again.reference == first.reference
    assert len(fresh.pending_orders()) == 1
    assert fresh.invoices(number) == invoices_before  # nothing billed before the night

    assert fresh.generate_ordered_bills(ordered_at - dt.timedelta(minutes=5)) == []
    morning = dt.datetime.combine(ANCHOR + dt.timedelta(days=1), dt.time(3, 0), tzinfo=KYIV)
    made = fresh.generate_ordered_bills(morning)
    assert fresh.generate_ordered_bills(morning + dt.timedelta(hours=1)) == []
    assert len(made) == 1
    bill = made[0]
    assert bill.gross == Money(Decimal("648.00"), "UAH")  # 150 kWh x 4.32 UAH
    assert bill.kind == "regular" and bill.number.startswith("Z-")
    assert (bill.period_start, bill.period_end) == (estimated.period_start, estimated.period_end)
    assert bill.issued_on == morning.date() and bill.due_on == morning.date() + dt.timedelta(days=15)
    assert bill.supply_point == point.identifier

    invoices = fresh.invoices(number)
    assert len(invoices) == len(invoices_before) + 1 and invoices[0] == bill
    old = next(i for i in invoices if i.number == estimated.number)
    assert old.kind == SUPERSEDED and old.status is InvoiceStatus.CANCELLED
    assert [i.number for i in invoices if i.kind == SUPERSEDED] == [estimated.number]
    assert fresh.balance(number).amount == balance_before + estimated.gross.amount - Decimal("648.00")
    assert fresh.find_account(number).updated_at == morning

    lines = fresh.invoice_lines(number, bill.number)
    assert [(line.quantity, line.unit_price, line.gross.amount) for line in lines] == [
        (Decimal(150), Decimal("3.60"), Decimal("648.00"))
    ]
    assert fresh.invoice_pdf(number, bill.number).startswith(b"%PDF-")
    newest = [r for r in fresh.readings(number, point.identifier) if r.source is ReadingSource.CUSTOMER]
    assert [(r.register, r.value, r.read_at.date()) for r in newest] == [("1.8.0", readings["1.8.0"], estimated.period_end)]
    # The same key through the request relay is still the one order.
    relayed = fresh.submit_request(RequestSubmission(number, "actual_bill", {"readings": readings}), "order-1")
    assert relayed.duplicate and fresh.generate_ordered_bills(morning + dt.timedelta(days=1)) == []



def test_a_bill_on_actual_readings_prints_them(fresh):
    """The bill ordered on the customer's readings prints them against the reading it starts
    from; the estimated bill it replaces prints none (its readings are void)."""
    number, point, estimated = _estimated_after_actual(fresh, "Однозонний")
    basis = _midnight_values(fresh, number, point.identifier, estimated.period_start)
    readings = {"1.8.0": basis["1.8.0"] + 150}
    ordered_at = dt.datetime.combine(ANCHOR, dt.time(10, 15), tzinfo=KYIV)
    fresh.order_actual_bill(number, readings, "order-pdf", read_on=estimated.period_end, ordered_at=ordered_at)
    [bill] = fresh.generate_ordered_bills(dt.datetime.combine(ANCHOR + dt.timedelta(days=1), dt.time(3), tzinfo=KYIV))
    [reading] = fresh.invoice_readings(number, bill.number)
    assert (reading.register, reading.previous, reading.current, reading.consumption) == (
        "Цілодобово (1.8.0)", basis["1.8.0"], readings["1.8.0"], Decimal(150))
    assert (reading.unit, reading.price, reading.meter_serial) == ("кВт·год", Decimal("4.32"), point.meters[0].serial_number)
    printed = {run.text for run in text_runs(fresh.invoice_pdf(number, bill.number))}
    assert {"Цілодобово (1.8.0)", str(basis["1.8.0"]), str(readings["1.8.0"]), "150 кВт·год", "4,32 грн/кВт·год",
            "Оплата за електричну енергію, о/р " + number} <= printed
    assert fresh.invoice_readings(number, estimated.number) == ()
    assert "Попередні показання" not in {run.text for run in text_runs(fresh.invoice_pdf(number, estimated.number))}


def test_order_through_the_request_schema_and_relay_for_a_two_zone_meter():
    adapter = DoeDemoBackend()  # today's data, as the portal has it
    today = dt.datetime.now(KYIV).date()
    number = next(n for n in adapter.account_numbers() if adapter.supply_points(n)[0].tariff == "Двозонний")
    point = adapter.supply_points(number)[0]
    schema = {t.code: t.schema for t in REQUEST_TYPES}["actual_bill"]()
    _, basis = _actual_basis(adapter, number, point.identifier)
    data = schema.load({
        "supply_point": point.identifier,  # chosen from the account's metering points
        "read_on": today.strftime("%d.%m.%Y"),
        "reading_day": str(basis["1.8.1"] + 20),
        "reading_night": f"{basis['1.8.2'] + 10:,}".replace(",", " "),
    })
    assert data == {"supply_point": point.identifier, "read_on": today,
                    "reading_day": int(basis["1.8.1"] + 20), "reading_night": int(basis["1.8.2"] + 10)}
    stored = json_safe(data)  # as the portal keeps it until the relay hands it over
    result = adapter.submit_request(RequestSubmission(number, "actual_bill", stored), "relay-1")
    assert result.status is SubmissionStatus.ACCEPTED, result.reason
    assert adapter.submitted_requests(number)[-1][1].request_type == "actual_bill"
    made = adapter.generate_ordered_bills(dt.datetime.now(KYIV) + dt.timedelta(hours=8))
    assert len(made) == 1
    lines = adapter.invoice_lines(number, made[0].number)
    assert [(line.quantity, line.unit_price) for line in lines] == [
        (Decimal(20), Decimal("3.60")), (Decimal(10), Decimal("1.80"))
    ]
    assert made[0].gross.amount == Decimal("20") * Decimal("4.32") + Decimal("10") * Decimal("2.16")


def test_orders_the_back_end_refuses_with_a_reason_code(fresh):
    number, point, estimated = _estimated_after_actual(fresh)
    registers = point.meters[0].registers
    basis = _midnight_values(fresh, number, point.identifier, estimated.period_start)
    at = dt.datetime.combine(ANCHOR, dt.time(9), tzinfo=KYIV)
    good = {register: basis[register] + 30 for register in registers}
    end = estimated.period_end
    other = next(n for n in fresh.account_numbers() if n != number)
    cases = {  # key: (readings, day, supply point, the code, the back-end's words)
        "lower": ({**good, registers[0]: basis[registers[0]] - 1}, end, None,
                  "reading_lower_than_recorded", "lower than the reading"),
        "zones": ({"9.9.9": Decimal(1)}, end, None, "registers_incomplete", "each zone of the meter"),
        "none": (None, end, None, "registers_incomplete", "no readings"),
        "fraction": ({r: v + Decimal("0.5") for r, v in good.items()}, end, None,
                     "reading_not_whole_kwh", "whole number of kWh"),
        "text": ({r: "many" for r in good}, end, None, "reading_not_whole_kwh", "whole number of kWh"),
        "future": (good, ANCHOR + dt.timedelta(days=1), None, "reading_date_in_future", "in the future"),
        "not a date": (good, "31.02.2026", None, "reading_date_invalid", "not a valid date"),
        "billed": (good, estimated.period_start - dt.timedelta(days=1), None,
                   "already_billed_on_actual_readings", "already billed on actual readings"),
        "huge": ({r: v + 100_000 for r, v in good.items()}, end, None, "consumption_implausible", "implausibly high"),
        "another's point": (good, end, fresh.supply_points(other)[0].identifier, "supply_point_unknown", "does not belong"),
    }
    for key, (values, day, supply_point, code, words) in cases.items():
        result = fresh.order_actual_bill(number, values, key, supply_point=supply_point, read_on=day, ordered_at=at)
        assert result.status is SubmissionStatus.REJECTED and result.reason_code == code, (key, result)
        assert words in result.reason, (key, result)
    assert fresh.pending_orders() == []
    assert fresh.order_actual_bill(number, good, "ok", read_on=end, ordered_at=at).status is SubmissionStatus.ACCEPTED
    second = fresh.order_actual_bill(number, good, "another", read_on=end, ordered_at=at)
    assert second.status is SubmissionStatus.REJECTED and second.reason_code == "actual_bill_already_ordered"
    assert "already ordered" in second.reason
    assert fresh.order_actual_bill(number, good, "another", read_on=end, ordered_at=at) == replace(second, duplicate=True)
    with pytest.raises(AccountNotFound):
        fresh.order_actual_bill("0000000000", good, "stranger")


def test_concurrent_orders_with_one_key_make_one_bill(fresh):
    number, point, estimated = _estimated_after_actual(fresh)
    basis = _midnight_values(fresh, number, point.identifier, estimated.period_start)
    values = {register: value + 25 for register, value in basis.items()}
    at = dt.datetime.combine(ANCHOR, dt.time(9), tzinfo=KYIV)
    results = []

    def order():
        results.append(fresh.order_actual_bill(number, values, "same", read_on=estimated.period_end, ordered_at=at))

    threads = [threading.Thread(target=order) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.duplicate for r in results) == [False] + [True] * 5
    assert len(fresh.generate_ordered_bills(at + dt.timedelta(hours=18))) == 1


def _customer_with_an_estimated_bill(app, smtp_server, email: str):
    """A signed-in customer whose newest bill is estimated, linked and synced."""
    with app.app_context():
        adapter = _adapter(app)
        number, point, estimated = _estimated_after_actual(adapter)
        identity = next(i for i in adapter.demo_identities() if i["account_number"] == number)
    client = linked_customer(client_for(app, HOST), smtp_server, identity, email)
    with app.app_context(), tenant_context("doe"):
        sync_tenant(app.extensions["portal_tenants"]["doe"])  # the portal's copy is current before the order
    return client, adapter, number, point, estimated


def _order_through_the_portal(client, adapter, number, point, estimated, more: int) -> str:
    """Order a bill on readings ``more`` kWh above the last actual ones; the request's page."""
    page = client.get("/requests/new/actual_bill").get_data(as_text=True)
    assert "Order a bill on actual readings" in page
    account = re.search(r'name="account"[^>]*>\s*<option value="(\d+)"', page).group(1)
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    basis = _midnight_values(adapter, number, point.identifier, estimated.period_start)
    fields = {name: str(basis[register] + more) for name, register in ZONE_FIELDS.items() if register in basis}
    response = client.submit("/requests/new/actual_bill", {
        "account": account, "submission_key": key, "supply_point": point.identifier,
        "read_on": estimated.period_end.isoformat(), **fields,
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.location).get_data(as_text=True)


def test_ordered_through_the_portal_then_billed_overnight_and_synced(doe_app, smtp_server):
    client, adapter, number, point, estimated = _customer_with_an_estimated_bill(doe_app, smtp_server, "oksana@example.com")
    detail = _order_through_the_portal(client, adapter, number, point, estimated, 40)
    assert "accepted by the supplier" in detail and "ZR-" in detail
    assert "Date of the readings" in detail

    from core.framework.jobs import plugin_job

    with doe_app.app_context():
        plugin_job.run("doe", "ordered_bills")  # what Celery beat runs overnight
    bill = next(i for i in adapter.invoices(number) if i.number.startswith("Z-"))
    assert bill.gross.amount == sum(
        (line.gross.amount for line in adapter.invoice_lines(number, bill.number)), Decimal(0)
    )
    mail = next(m for m in smtp_server.wait_for("oksana@example.com", 3) if bill.number in m["Subject"])
    assert "фактичними показаннями" in mail["Subject"] or "actual readings" in mail["Subject"]
    with doe_app.app_context(), tenant_context("doe"):
        rows = {row.number: row for row in db.session.execute(select(Invoice)).scalars()}
        account_row = db.session.execute(select(BillingAccount).where(BillingAccount.number == number)).scalar_one()
        assert rows[estimated.number].kind == SUPERSEDED and rows[estimated.number].status == "cancelled"
        assert rows[bill.number].gross_amount == bill.gross.amount
        assert account_row.balance == adapter.balance(number)
    html = client.get("/").get_data(as_text=True)
    assert bill.number in html


def test_second_order_before_the_night_is_refused_in_the_customers_language(doe_app, smtp_server):
    client, adapter, number, point, estimated = _customer_with_an_estimated_bill(doe_app, smtp_server, "taras@example.com")
    assert "accepted by the supplier" in _order_through_the_portal(client, adapter, number, point, estimated, 40)
    detail = _order_through_the_portal(client, adapter, number, point, estimated, 45)
    assert "rejected" in detail
    assert "A bill on actual readings is already ordered for this supply point. It is made overnight." in detail
    assert "supply point; it is made overnight" not in detail  # the back-end's own words stay with staff
    assert len(adapter.pending_orders()) == 1
    with doe_app.app_context(), tenant_context("doe"):
        rows = db.session.execute(select(ServiceRequest).order_by(ServiceRequest.id)).scalars().all()
        assert [(r.status, r.reject_reason) for r in rows] == [
            ("accepted", None), ("rejected", "actual_bill_already_ordered")]


# --- request types ------------------------------------------------------------------------------


@pytest.fixture
def ukrainian(doe_app):
    """A request on the doe host in Ukrainian, so lazy messages translate."""
    with doe_app.test_request_context("/", base_url=f"https://{HOST}", headers={"Accept-Language": "uk"}):
        doe_app.preprocess_request()
        yield


def _errors(schema_class, data) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        schema_class().load(data)
    return translate_errors(error.value.messages)


def _schemas():
    return {t.code: t.schema for t in REQUEST_TYPES}


def test_request_types_are_the_suppliers():
    assert set(_schemas()) == {"actual_bill", "contact_update", "meter_verification", "recalculation"}


def test_actual_bill_schema(ukrainian, backend):
    schema = _schemas()["actual_bill"]
    eic_code = backend.supply_points(backend.account_numbers()[0])[0].identifier
    today = dt.datetime.now(KYIV).date()
    ok = schema().load({"supply_point": eic_code, "read_on": today.isoformat(), "reading_total": "12 345"})
    assert ok == {"supply_point": eic_code, "read_on": today, "reading_total": 12345}
    three = schema().load({"supply_point": eic_code, "read_on": today.isoformat(),
                           "reading_day": "100", "reading_night": "200", "reading_half_peak": "300"})
    assert {ZONE_FIELDS[name]: three[name] for name in ZONE_FIELDS if name in three} == {
        "1.8.1": 100, "1.8.2": 200, "1.8.3": 300}
    base = {"supply_point": eic_code, "read_on": today.isoformat()}
    assert "не може бути в майбутньому" in _errors(schema, {**base, "read_on": (today + dt.timedelta(days=1)).isoformat(), "reading_total": "1"})["read_on"][0]
    assert "цього або минулого місяця" in _errors(schema, {**base, "read_on": (today - dt.timedelta(days=70)).isoformat(), "reading_total": "1"})["read_on"][0]
    assert "без цифр після коми" in _errors(schema, {**base, "reading_total": "12345,6"})["reading_total"][0]
    assert "не обидва варіанти" in _errors(schema, {**base, "reading_total": "1", "reading_day": "2"})["_schema"][0]
    assert "показання цієї зони" in _errors(schema, {**base, "reading_day": "2"})["reading_night"][0]
    assert "Введіть показання" in _errors(schema, base)["_schema"][0]
    assert "обов’язкове" in _errors(schema, {**base, "supply_point": "", "reading_total": "1"})["supply_point"][0]


def test_the_metering_point_is_one_of_the_accounts(ukrainian, backend):
    """Chosen from the account's metering points, not typed: the core refuses another
    customer's, an EIC that is no metering point and a mistyped one, in Ukrainian."""
    number, other = backend.account_numbers()[:2]
    account = type("Account", (), {"number": number, "supply_points": backend.supply_points(number)})()
    own = account.supply_points[0].identifier
    foreign = (backend.supply_points(other)[0].identifier, "10Y1001C--00003F", own[:-1] + ("A" if own[-1] != "A" else "B"))
    checked = set()
    for request_type in REQUEST_TYPES:
        if "supply_point" not in request_type.schema().fields:
            continue
        for example in request_type.examples_for(backend, account):
            assert example["supply_point"] == own
            assert account_errors(None, request_type, account, request_type.schema().load(example)) == {}
            for code in foreign:
                errors = account_errors(None, request_type, account, request_type.schema().load({**example, "supply_point": code}))
                assert {name: [str(m) for m in messages] for name, messages in errors.items()} == {
                    "supply_point": ["Виберіть одну з точок обліку вибраного особового рахунку."]}
            checked.add(request_type.code)
    assert checked == {"actual_bill", "meter_verification", "recalculation"}


def test_contact_update_schema(ukrainian):
    schema = _schemas()["contact_update"]
    assert schema().load({"phone": "067 123 45 67"})["phone"] == "+380671234567"
    assert schema().load({"email": "olena@example.com"})["email"] == "olena@example.com"
    assert "український номер телефону" in _errors(schema, {"phone": "+48 601 234 567"})["phone"][0]
    assert "новий номер телефону" in _errors(schema, {})["_schema"][0]


def test_meter_verification_schema(ukrainian, backend):
    schema = _schemas()["meter_verification"]
    number = backend.account_numbers()[0]
    point = backend.supply_points(number)[0]
    tomorrow = dt.datetime.now(KYIV).date() + dt.timedelta(days=1)
    data = schema().load({"supply_point": point.identifier, "meter_serial": "№ " + point.meters[0].serial_number,
                          "reason": "periodic", "preferred_date": tomorrow.isoformat(), "phone": "0501234567"})
    assert data["meter_serial"] == point.meters[0].serial_number and data["phone"] == "+380501234567"
    errors = _errors(schema, {"supply_point": point.identifier, "meter_serial": "1", "reason": "whim",
                              "preferred_date": dt.datetime.now(KYIV).date().isoformat(), "phone": "12"})
    assert set(errors) == {"meter_serial", "reason", "preferred_date", "phone"}
    assert "Виберіть одну з причин" in errors["reason"][0]
    assert "із завтрашнього дня" in errors["preferred_date"][0]


def test_recalculation_schema(ukrainian, backend):
    schema = _schemas()["recalculation"]
    eic_code = backend.supply_points(backend.account_numbers()[0])[0].identifier
    today = dt.datetime.now(KYIV).date()
    good = {"supply_point": eic_code, "period_start": (today - dt.timedelta(days=90)).isoformat(),
            "period_end": (today - dt.timedelta(days=60)).isoformat(), "reason": "absence",
            "explanation": "Квартира стояла порожня, ніхто не проживав."}
    assert schema().load(good)["reason"] == "absence"
    assert "від 10 до 1000 символів" in _errors(schema, {**good, "explanation": "бо так"})["explanation"][0]
    swapped = {**good, "period_start": good["period_end"], "period_end": good["period_start"]}
    assert "має передувати" in _errors(schema, swapped)["period_start"][0]
    future = {**good, "period_end": (today + dt.timedelta(days=5)).isoformat()}
    assert "вже минув" in _errors(schema, future)["period_end"][0]
    ancient = {**good, "period_start": "2019-01-01"}
    assert "3 роки" in _errors(schema, ancient)["period_start"][0]


# --- theme and catalogs ----------------------------------------------------------------------------


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_theme_colours_reach_wcag_aa():
    manifest = json.loads((THEME / "theme.json").read_text(encoding="utf-8"))
    colours = manifest["colours"]
    assert manifest["name"] == "Особистий кабінет"
    pairs = [("text", "background"), ("text", "surface"), ("muted", "surface"), ("muted", "background"),
             ("accent", "surface"), ("accent", "background"), ("on_primary", "primary"),
             ("danger", "surface"), ("success", "surface")]
    weak = {f"{f}/{b}": round(_contrast(colours[f], colours[b]), 2) for f, b in pairs if _contrast(colours[f], colours[b]) < 4.5}
    assert not weak


def test_theme_is_served_with_its_logo(doe_app):
    client = client_for(doe_app, HOST)
    css = client.get("/theme.css").get_data(as_text=True)
    assert "--primary: #14466e" in css
    logo = client.get("/theme/logo.svg")
    assert logo.status_code == 200
    svg = ET.fromstring(logo.data)
    assert svg.find("{http://www.w3.org/2000/svg}title").text == "Особистий кабінет"


@pytest.mark.parametrize("locale", ["uk", "pl", "cs", "it"])
def test_catalog_is_complete_and_placeholders_match(locale):
    template = {m.id for m in read_po(open(TRANSLATIONS / "doe_ua.pot", "rb")) if m.id}
    po = TRANSLATIONS / locale / "LC_MESSAGES" / "doe_ua.po"
    with open(po, "rb") as fh:
        catalog = read_po(fh, locale=locale)
    assert template <= {m.id for m in catalog if m.id}
    assert (po.with_suffix(".mo")).stat().st_mtime >= po.stat().st_mtime
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy or not message.string:
            problems.append(f"untranslated or fuzzy: {message.id!r}")
            continue
        expected = set(PLACEHOLDER.findall(message.id))
        if set(PLACEHOLDER.findall(message.string)) != expected:
            problems.append(f"placeholders differ: {message.id!r}")
    assert not problems, problems
