"""The ČEZ Prodej plugin: linking with EAN/EIC, Czech validators, request types, rules,
the advance-and-settlement demo back-end, planned outages, SMS, theme and catalogs.

The plugin is registered explicitly (it is not yet an entry point); the plugin
conformance suite runs here too (imported below).
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import re
import threading
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from flask import g
from flask_babel import force_locale
from marshmallow import ValidationError
from sqlalchemy import select

from core.accounts.models import VerificationAttempt
from core.billing.contract import (
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
from core.demo.service import DEMO_PASSWORD, prepare_demo
from core.framework.extensions import db
from core.framework.forms import translate_errors
from core.framework.mail import demo_login
from core.framework.tenancy import tenant_context
from core.framework.theming import Theme
from core.models import AccountLink
from core.service_requests.service import account_errors
from core.testing.suite import *  # noqa: F403 - the plugin conformance suite
from plugins.cez_cz import plugin, request_types
from plugins.cez_cz.adapter import ADVANCE, SETTLEMENT, CezDemoBackend
from plugins.cez_cz.codes import (
    BREAKERS,
    CEZ_DISTRIBUCE,
    EGD,
    PRE_DISTRIBUCE,
    InvalidSupplyPointCode,
    Kind,
    Problem,
    breaker_for_power,
    make_ean,
    make_eic,
    parse_breaker,
    parse_supply_point_code,
)
from plugins.cez_cz.fields import BankAccount, CzechPhone, Postcode, SupplyPointCodeField
from plugins.cez_cz.request_types import (
    AdvancePaymentSchema,
    AppointmentSchema,
    BankAccountSchema,
    ContactSchema,
    DistributionRateSchema,
    ExtraordinaryInvoiceSchema,
    PaymentMethodSchema,
)
from plugins.cez_cz.rules import (
    advance_change_eligible,
    advance_payment_limits,
    advance_payment_problem,
    has_electricity,
    reading_rules_for,
    self_reading_deadline,
)
from plugins.cez_cz.sms import (
    DemoSmsGateway,
    HttpSmsGateway,
    InvalidPhoneNumber,
    SmsError,
    compose,
    gateway_for,
    normalize_phone,
)
from plugins.cez_cz.workdays import easter_sunday, is_working_day, public_holidays
from tests.conftest import client_for, linked_customer, register_and_activate, sign_in
from tests.support.api import Api, make_token

PORTAL_PLUGIN = "plugins.cez_cz.plugin"
CEZ_HOST = "cez.test"
TENANTS = {"cez": {"plugin": "cez_cz", "hosts": [CEZ_HOST]}}
ANCHOR = dt.date(2026, 3, 18)  # a Wednesday
ROOT = Path(__file__).parents[2]
PLUGIN_DIR = ROOT / "plugins" / "cez_cz"
THEME_DIR = ROOT / "themes" / "cez"
PRAGUE = "Europe/Prague"

VALID_EAN = "859182400412345671"  # ČEZ Distribuce area (digit 4)
VALID_EIC = "27ZG600Z0123456X"
VALID_ACCOUNT = "19-2000145399/0800"
VALID_IBAN = "CZ65 0800 0000 1920 0014 5399"


# --- fixtures -------------------------------------------------------------------------


@pytest.fixture
def cez_app(make_app):
    return make_app(plugins=[plugin], TENANTS=TENANTS)


@pytest.fixture
def adapter(cez_app) -> CezDemoBackend:
    return cez_app.extensions["portal_tenants"]["cez"].adapter


@pytest.fixture
def identities(adapter):
    return adapter.demo_identities()


@pytest.fixture(scope="module")
def backend() -> CezDemoBackend:
    """One shared back-end on a fixed day, for the read-only checks."""
    return CezDemoBackend(anchor=ANCHOR)


@pytest.fixture
def fresh() -> CezDemoBackend:
    return CezDemoBackend(anchor=ANCHOR)


@pytest.fixture
def on_day(monkeypatch):
    """Make "today in Prague" a fixed day for the date rules of the request schemas."""
    monkeypatch.setattr(request_types, "today", lambda: ANCHOR)
    return ANCHOR


def signed_in(app, smtp_server, language="en", email="jana.novakova@example.com"):
    client = client_for(app, CEZ_HOST, language=language)
    register_and_activate(client, smtp_server, email)
    assert sign_in(client, email).status_code == 302
    return client


def link_data(customer_number, code):
    return {"method": "ean_eic", "customer_number": customer_number, "supply_point_code": code}


def load(app, schema_class, data, locale="cs"):
    """Validate ``data`` as a request of the cez tenant would, in ``locale``."""
    with app.test_request_context("/", base_url=f"https://{CEZ_HOST}"):
        g.tenant = app.extensions["portal_tenants"]["cez"]
        with force_locale(locale):
            try:
                return schema_class().load(data), {}
            except ValidationError as exc:
                return None, translate_errors(exc.messages)


def gas_point(adapter):
    for number in adapter.account_numbers():
        for point in adapter.supply_points(number):
            if point.commodity is Commodity.GAS:
                return number, point
    raise AssertionError("no gas supply point in the demo data")


def point_with_tariff(adapter, tariff):
    for number in adapter.account_numbers():
        for point in adapter.supply_points(number):
            if point.tariff == tariff:
                return number, point
    raise AssertionError(f"no supply point on {tariff}")


# --- linking an account through HTTP -----------------------------------------------------


def test_link_with_customer_number_and_ean_then_dashboard_in_czech(cez_app, smtp_server, identities, adapter):
    identity = identities[0]
    client = signed_in(cez_app, smtp_server, language="cs")
    ean = identity["supply_point_code"]
    typed = f"{ean[:9]} {ean[9:13]} {ean[13:]}"  # as grouped on the invoice
    response = client.submit("/accounts/link", link_data(identity["customer_number"], typed))
    assert response.status_code == 302 and response.location.endswith("/")
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="cs">' in html
    assert identity["customer_number"] in html
    assert "Zákaznické číslo" in html and "Přehled" in html
    assert "Kč" in html
    advance = adapter.invoices(identity["account_number"])[0]
    assert advance.number in html
    for point in adapter.supply_points(identity["account_number"]):
        assert point.identifier in html
    assert "Zákaznický portál ČEZ" in html


def test_link_with_the_eic_of_a_gas_supply_point(cez_app, smtp_server, adapter):
    number, point = gas_point(adapter)
    client = signed_in(cez_app, smtp_server)
    response = client.submit("/accounts/link", link_data(number, point.identifier.lower()))
    assert response.status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert number in html and point.identifier in html
    assert "CZK" in html


def test_wrong_data_is_refused_without_saying_which_field(cez_app, smtp_server, identities):
    client = signed_in(cez_app, smtp_server)
    mine, other = identities[0], identities[1]
    for data in (
        link_data(mine["customer_number"], other["supply_point_code"]),  # a real EAN, someone else's
        link_data("1999999999", mine["supply_point_code"]),  # no such customer
        link_data(mine["customer_number"], VALID_EAN),  # valid code, on no account
    ):
        response = client.submit("/accounts/link", data)
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        assert "do not match our records" in text
        assert "field-error" not in text
    with cez_app.app_context(), tenant_context("cez"):
        assert db.session.execute(select(AccountLink)).first() is None
        attempts = db.session.execute(select(VerificationAttempt)).scalars().all()
    assert len(attempts) == 3 and not any(a.succeeded for a in attempts)


def test_mistyped_code_gets_a_translated_message_and_is_not_counted(cez_app, smtp_server, identities):
    client = signed_in(cez_app, smtp_server, language="cs")
    identity = identities[0]
    ean = identity["supply_point_code"]
    wrong = ean[:-1] + str((int(ean[-1]) + 1) % 10)
    response = client.submit("/accounts/link", link_data(identity["customer_number"], wrong))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "field-error" in text
    assert "Kontrolní číslice EAN nesedí" in text
    response = client.submit("/accounts/link", link_data(identity["customer_number"], "27ZG600Z0123456K"))
    assert "Kontrolní znak EIC nesedí" in response.get_data(as_text=True)
    with cez_app.app_context(), tenant_context("cez"):
        assert db.session.execute(select(VerificationAttempt)).first() is None
        assert db.session.execute(select(AccountLink)).first() is None


def test_link_page_speaks_czech_by_default(cez_app, smtp_server):
    client = signed_in(cez_app, smtp_server, language=None, email="bez.jazyka@example.com")
    html = client.get("/accounts/link").get_data(as_text=True)
    assert '<html lang="cs">' in html
    assert "Zákaznické číslo" in html
    assert "EAN nebo EIC odběrného místa" in html
    assert "ani jeden z nich není číslo elektroměru ani plynoměru" in html


@pytest.mark.parametrize(
    ("locale", "label"),
    [("pl", "EAN lub EIC punktu poboru"), ("uk", "EAN або EIC точки"), ("it", "EAN o EIC del punto"), ("en", "EAN or EIC of a supply point")],
)
def test_link_form_label_in_every_language(cez_app, smtp_server, locale, label):
    client = signed_in(cez_app, smtp_server, language=locale, email=f"{locale}@example.com")
    html = client.get("/accounts/link").get_data(as_text=True)
    assert f'<html lang="{locale}">' in html
    assert label in html


# --- identifiers -------------------------------------------------------------------------


def test_ean_areas_and_check_digit():
    assert parse_supply_point_code(VALID_EAN).distributor == CEZ_DISTRIBUCE
    assert parse_supply_point_code(make_ean("1", 7654321)).distributor == EGD
    assert parse_supply_point_code(make_ean("3", 42)).distributor == PRE_DISTRIBUCE
    assert parse_supply_point_code("8591 8240 0412 3456 71").code == VALID_EAN
    assert parse_supply_point_code("859182400-412345671").commodity is Commodity.ELECTRICITY
    for position in range(18):
        for digit in "0123456789":
            if digit == VALID_EAN[position]:
                continue
            mistyped = VALID_EAN[:position] + digit + VALID_EAN[position + 1:]
            with pytest.raises(InvalidSupplyPointCode):
                parse_supply_point_code(mistyped)


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("859182400412345670", Problem.EAN_CHECK),
        ("85918240041234567", Problem.EAN_LENGTH),  # 17 digits
        ("590543000123456789", Problem.EAN_PREFIX),  # a Polish PPE
        ("859182400" + "0" + "1234567" + "0", Problem.EAN_AREA),
        ("859182400" + "9" + "1234567" + "0", Problem.EAN_AREA),
        ("27ZG600Z0123456K", Problem.EIC_CHECK),
        ("27ZG600Z012345X", Problem.EIC_FORMAT),
        ("27XG600Z0123456X", Problem.EIC_FORMAT),
        ("22XWATTPLUS----G", Problem.UNRECOGNISED),  # a valid EIC, but not of a Czech gas point
        ("12345678", Problem.EAN_LENGTH),
        ("ABC", Problem.UNRECOGNISED),
    ],
)
def test_invalid_supply_point_codes_name_their_fault(code, problem):
    with pytest.raises(InvalidSupplyPointCode) as caught:
        parse_supply_point_code(code)
    assert caught.value.problem is problem


def test_eic_of_gas_points():
    code = parse_supply_point_code(" 27zg 600z 0123 456x ")
    assert code.kind is Kind.EIC and code.code == VALID_EIC and code.commodity is Commodity.GAS
    assert code.distributor is None
    assert make_eic("100", 9_999_999)[-1] != "-"
    assert parse_supply_point_code(make_eic("100", 9_999_999)).kind is Kind.EIC


def test_circuit_breakers():
    assert parse_breaker("3x25 A").power_kw == Decimal("17.25")
    assert parse_breaker("3×25A") == parse_breaker("3x25")
    assert parse_breaker("1x25 A").power_kw == Decimal("5.75")
    assert breaker_for_power(Decimal("22.08")).label == "3x32 A"
    assert len({b.power_kw for b in BREAKERS}) == len(BREAKERS)
    for text in ("2x25 A", "3x26 A", "25 A"):
        with pytest.raises(ValueError):
            parse_breaker(text)


def _field(field, value):
    return field.deserialize(value)


def test_bank_accounts_domestic_and_iban():
    field = BankAccount()
    assert _field(field, VALID_ACCOUNT) == VALID_ACCOUNT
    assert _field(field, VALID_IBAN) == VALID_ACCOUNT
    assert _field(field, "34278-0727558021/0100") == "34278-727558021/0100"
    assert _field(field, "2000145399/0800") == "2000145399/0800"
    for wrong in (
        "19-2000145398/0800",  # check digit of the number
        "4278-727558021/0100",  # check digit of the prefix
        "19-2000145399/0000",  # no such bank
        "CZ65 0800 0000 1920 0014 5390",  # IBAN check digits
        "19-2000145399",  # no bank code
    ):
        with pytest.raises(ValidationError):
            _field(field, wrong)
    with pytest.raises(ValidationError, match="Czech Republic"):
        _field(field, "DE89 3704 0044 0532 0130 00")


def test_postcodes_and_phone_numbers():
    assert _field(Postcode(), "11000") == "110 00"
    assert _field(Postcode(), "602 00") == "602 00"
    for wrong in ("010 00", "1100", "110-00", "8100 0"):
        with pytest.raises(ValidationError):
            _field(Postcode(), wrong)
    phone = CzechPhone()
    for typed in ("601 234 567", "+420 601 234 567", "00420601234567", "(601) 234-567"):
        assert _field(phone, typed) == "+420601234567"
    assert _field(phone, "222 333 444") == "+420222333444"
    for wrong in ("123 456 789", "60123456", "+421 901 234 567"):
        with pytest.raises(ValidationError):
            _field(phone, wrong)
    with pytest.raises(ValidationError, match="mobile"):
        _field(CzechPhone(mobile=True), "222 333 444")


def test_code_field_can_insist_on_one_commodity():
    ean_only = SupplyPointCodeField(kinds=(Kind.EAN,))
    assert _field(ean_only, VALID_EAN) == VALID_EAN
    with pytest.raises(ValidationError, match="electricity"):
        _field(ean_only, VALID_EIC)
    with pytest.raises(ValidationError, match="gas"):
        _field(SupplyPointCodeField(kinds=(Kind.EIC,)), VALID_EAN)


# --- request types -----------------------------------------------------------------------


def test_request_types_are_offered_with_schemas(cez_app):
    with cez_app.app_context():
        tenant = cez_app.extensions["portal_tenants"]["cez"]
        codes = [t.code for t in tenant.request_types()]
    assert codes == [
        "advance_payment", "payment_method", "bank_account", "contact_details",
        "extraordinary_invoice", "distribution_rate", "branch_appointment",
    ]


def test_advance_payment_schema(cez_app):
    data, errors = load(cez_app, AdvancePaymentSchema, {"supply_point": VALID_EAN, "change": "increase", "amount": "2 150"})
    assert errors == {} and data["amount"] == Decimal("2150") and data["reason"] is None
    data, errors = load(
        cez_app, AdvancePaymentSchema,
        {"supply_point": VALID_EIC, "change": "decrease", "amount": "1200", "reason": "fewer_people"},
    )
    assert errors == {} and data["supply_point"] == VALID_EIC
    _, errors = load(cez_app, AdvancePaymentSchema, {"supply_point": VALID_EAN, "change": "decrease", "amount": "1200"})
    assert errors == {"reason": ["Uveďte, proč chcete zálohu snížit."]}
    _, errors = load(
        cez_app, AdvancePaymentSchema,
        {"supply_point": VALID_EAN, "change": "decrease", "amount": "1200", "reason": "other"},
    )
    assert list(errors) == ["reason_note"]
    _, errors = load(cez_app, AdvancePaymentSchema, {"supply_point": VALID_EAN, "change": "increase", "amount": "1200,50"})
    assert errors == {"amount": ["Zadejte částku v celých korunách."]}
    _, errors = load(cez_app, AdvancePaymentSchema, {"supply_point": VALID_EAN, "change": "increase", "amount": "60000"})
    assert errors["amount"] == ["Zadejte měsíční zálohu od 100 do 50 000 Kč."]
    _, errors = load(cez_app, AdvancePaymentSchema, {"supply_point": " ", "change": "sideways", "amount": "1000"})
    assert set(errors) == {"supply_point", "change"}
    assert errors["supply_point"] == ["Toto pole je povinné."]  # none chosen


def test_payment_method_schema(cez_app):
    data, errors = load(cez_app, PaymentMethodSchema, {"method": "direct_debit", "bank_account": VALID_IBAN, "sipo_number": "1234567890"})
    assert errors == {} and data["bank_account"] == VALID_ACCOUNT and data["sipo_number"] is None
    data, errors = load(cez_app, PaymentMethodSchema, {"method": "sipo", "sipo_number": "12345 67890"})
    assert errors == {} and data["sipo_number"] == "1234567890"
    _, errors = load(cez_app, PaymentMethodSchema, {"method": "sipo"})
    assert errors == {"sipo_number": ["Zadejte spojovací číslo SIPO."]}
    _, errors = load(cez_app, PaymentMethodSchema, {"method": "direct_debit"})
    assert list(errors) == ["bank_account"]
    _, errors = load(cez_app, PaymentMethodSchema, {"method": "cash"})
    assert errors == {"method": ["Vyberte jeden ze způsobů platby."]}


def test_bank_account_schema(cez_app):
    data, errors = load(cez_app, BankAccountSchema, {"bank_account": "000019-2000145399/0800", "holder": "Jana Nováková", "purpose": "refunds"})
    assert errors == {} and data["bank_account"] == VALID_ACCOUNT
    _, errors = load(cez_app, BankAccountSchema, {"bank_account": "19-2000145398/0800", "holder": "Jana Nováková", "purpose": "refunds"})
    assert errors["bank_account"][0].startswith("Toto není platné české číslo účtu")
    _, errors = load(cez_app, BankAccountSchema, {"bank_account": "DE89370400440532013000", "holder": "J", "purpose": "x"}, locale="uk")
    assert set(errors) == {"bank_account", "holder", "purpose"}
    assert "CZ" in errors["bank_account"][0] and "Чеській" in errors["bank_account"][0]


def test_contact_schema(cez_app):
    data, errors = load(
        cez_app, ContactSchema,
        {"street": "Vinohradská 1234/56", "postcode": "12000", "city": "Praha", "phone": "601 234 567", "outage_sms": True},
    )
    assert errors == {} and data["postcode"] == "120 00" and data["phone"] == "+420601234567"
    _, errors = load(cez_app, ContactSchema, {})
    assert errors == {"_schema": ["Zadejte alespoň jeden údaj, který chcete změnit."]}
    _, errors = load(cez_app, ContactSchema, {"street": "Vinohradská 12", "city": "Praha"})
    assert list(errors) == ["postcode"]
    _, errors = load(cez_app, ContactSchema, {"postcode": "01000"})
    assert errors["postcode"] == ["Zadejte PSČ o pěti číslicích, například 110 00."]
    _, errors = load(cez_app, ContactSchema, {"outage_sms": True})
    assert list(errors) == ["phone"]
    _, errors = load(cez_app, ContactSchema, {"outage_sms": True, "phone": "222 333 444"})
    assert "6 nebo 7" in errors["phone"][0]


def test_extraordinary_invoice_schema(cez_app, on_day):
    good = {"supply_point": VALID_EAN, "reading_date": "2026-03-16", "reading_high": "12 345", "reading_low": "4567", "reason": "moving_out"}
    data, errors = load(cez_app, ExtraordinaryInvoiceSchema, good)
    assert errors == {} and data["reading_high"] == Decimal(12345) and data["reading_low"] == Decimal(4567)
    _, errors = load(cez_app, ExtraordinaryInvoiceSchema, {**good, "reading_high": "12345,6"})
    assert list(errors) == ["reading_high"]
    _, errors = load(cez_app, ExtraordinaryInvoiceSchema, {**good, "reading_date": "2026-03-19"})
    assert errors == {"reading_date": ["Odečet nemůže být z budoucího dne."]}
    # Five working days before the 18th (Wednesday) is the 11th; the 10th is too old.
    assert load(cez_app, ExtraordinaryInvoiceSchema, {**good, "reading_date": "2026-03-11"})[1] == {}
    _, errors = load(cez_app, ExtraordinaryInvoiceSchema, {**good, "reading_date": "2026-03-10"})
    assert list(errors) == ["reading_date"] and "5 pracovních dnů" in errors["reading_date"][0]


def test_distribution_rate_schema(cez_app):
    base = {"supply_point": VALID_EAN}
    data, errors = load(cez_app, DistributionRateSchema, {**base, "new_rate": "D02d"})
    assert errors == {} and data["new_breaker"] is None
    data, errors = load(cez_app, DistributionRateSchema, {**base, "new_rate": "D56d", "new_breaker": "3x32", "appliance_confirmed": True, "inspection_report": True})
    assert errors == {}
    _, errors = load(cez_app, DistributionRateSchema, base)
    assert list(errors) == ["_schema"]
    _, errors = load(cez_app, DistributionRateSchema, {**base, "new_rate": "D45d"})
    assert errors == {"appliance_confirmed": ["Sazbu D45d lze přiznat jen s příslušným spotřebičem: potvrďte, že ho máte."]}
    _, errors = load(cez_app, DistributionRateSchema, {**base, "new_rate": "D56d", "appliance_confirmed": True, "new_breaker": "1x25", "inspection_report": True})
    assert errors == {"new_breaker": ["Sazba D56d vyžaduje třífázový jistič."]}
    _, errors = load(cez_app, DistributionRateSchema, {**base, "new_breaker": "3x25"})
    assert list(errors) == ["inspection_report"]
    _, errors = load(cez_app, DistributionRateSchema, {**base, "new_rate": "D99d", "new_breaker": "3x26"})
    assert set(errors) == {"new_rate", "new_breaker"}


class Point:
    def __init__(self, identifier, commodity):
        self.identifier, self.commodity = identifier, commodity


class Account:
    number = "1000000001"
    supply_points = (Point(VALID_EAN, "electricity"), Point(VALID_EIC, "gas"))


def account_errors_in(app, code, data, locale="cs"):
    """What the core and the type's ``check`` answer for ``data`` (as the schema loaded it)
    of the request type ``code``, filed for :class:`Account`."""
    with app.test_request_context("/", base_url=f"https://{CEZ_HOST}"):
        tenant = app.extensions["portal_tenants"]["cez"]
        request_type = next(t for t in tenant.request_types() if t.code == code)
        with force_locale(locale):
            errors = account_errors(tenant, request_type, Account(), data)
            return {name: [str(m) for m in messages] for name, messages in errors.items()}


def test_the_supply_point_of_a_request_is_one_of_the_accounts(cez_app, on_day):
    """Chosen from the account's supply points: the core refuses another one, and a gas
    supply point where the request is for electricity."""
    refused = {"supply_point": ["Vyberte jedno z odběrných míst zvoleného zákaznického účtu."]}
    reading = {"reading_date": ANCHOR, "reading_high": Decimal(12345), "reading_low": None, "reason": "moving_out"}
    for code, data in (("extraordinary_invoice", reading), ("distribution_rate", {"new_rate": "D02d"})):
        assert account_errors_in(cez_app, code, {**data, "supply_point": VALID_EAN}) == {}
        assert account_errors_in(cez_app, code, {**data, "supply_point": make_ean("1", 7654321)}) == refused
    assert account_errors_in(cez_app, "extraordinary_invoice", {**reading, "supply_point": VALID_EIC}) == {}
    assert account_errors_in(cez_app, "distribution_rate", {"new_rate": "D02d", "supply_point": VALID_EIC}) == refused
    assert account_errors_in(cez_app, "distribution_rate", {"new_rate": "D02d", "supply_point": VALID_EIC},
                             "uk") == {"supply_point": ["Виберіть одну з точок обліку вибраного особового рахунку."]}


def test_a_gas_meter_has_no_low_tariff(cez_app):
    """Known from the commodity of the account's supply point chosen."""
    reading = {"reading_date": ANCHOR, "reading_high": Decimal(12345), "reading_low": Decimal(4567), "reason": "moving_out"}
    assert account_errors_in(cez_app, "extraordinary_invoice", {**reading, "supply_point": VALID_EAN}) == {}
    assert account_errors_in(cez_app, "extraordinary_invoice", {**reading, "supply_point": VALID_EIC}) == {
        "reading_low": ["Plynoměr má jen jedno počítadlo: nízký tarif nevyplňujte."]}
    assert account_errors_in(cez_app, "extraordinary_invoice",
                             {**reading, "supply_point": VALID_EIC, "reading_low": None}) == {}


def test_appointment_schema(cez_app, on_day):
    good = {"branch": "brno", "date": "2026-03-19", "time_slot": "16:30", "topic": "moving"}
    data, errors = load(cez_app, AppointmentSchema, good)
    assert errors == {} and data["date"] == dt.date(2026, 3, 19)
    for day in ("2026-03-18", "2026-03-21", "2026-04-03", "2026-04-06", "2026-05-25"):
        _, errors = load(cez_app, AppointmentSchema, {**good, "date": day})
        assert list(errors) == ["date"], day
    _, errors = load(cez_app, AppointmentSchema, {**good, "date": "2026-03-21"})
    assert errors["date"] == ["Zákaznická centra mají o víkendech a svátcích zavřeno: vyberte pracovní den."]
    _, errors = load(cez_app, AppointmentSchema, {**good, "date": "2026-03-20"})  # a Friday
    assert list(errors) == ["time_slot"]
    assert load(cez_app, AppointmentSchema, {**good, "date": "2026-03-20", "time_slot": "13:30"})[1] == {}
    _, errors = load(cez_app, AppointmentSchema, {**good, "branch": "vienna", "time_slot": "07:00"}, locale="it")
    assert set(errors) == {"branch", "time_slot"}
    assert errors["branch"] == ["Scegli uno dei centri clienti."]


def anchored(app) -> CezDemoBackend:
    """Serve the tenant from a back-end on the fixed day, so who is overdue is known."""
    tenant = app.extensions["portal_tenants"]["cez"]
    tenant._adapter = CezDemoBackend(anchor=ANCHOR)
    return tenant._adapter


def _overdue(adapter, number):
    return any(i.status is InvoiceStatus.OVERDUE for i in adapter.invoices(number))


def _form_keys(page):
    account = re.search(r'name="account"[^>]*>\s*<option value="(\d+)"', page).group(1)
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    return {"account": account, "submission_key": key}


def test_the_advance_form_works_while_the_back_end_cannot_tell_the_current_advance(cez_app, smtp_server, monkeypatch):
    from core.plugin_api.billing import BackendUnavailable

    adapter = anchored(cez_app)
    number = next(n for n in adapter.account_numbers() if not _overdue(adapter, n))
    point = adapter.supply_points(number)[0]
    client = linked_customer(client_for(cez_app, CEZ_HOST, language="cs"), smtp_server,
                             link_data(number, point.identifier), "bez.zalohy@example.com")

    def down(*args):
        raise BackendUnavailable("timed out")

    monkeypatch.setattr(adapter, "advance_payment", down)
    page = client.get("/requests/new/advance_payment")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Nová měsíční záloha (Kč)" in html and "Současná měsíční záloha" not in html


def test_advance_change_is_filed_in_czech_and_delivered(cez_app, smtp_server):
    adapter = anchored(cez_app)
    number = next(n for n in adapter.account_numbers() if not _overdue(adapter, n))
    point = adapter.supply_points(number)[0]
    client = linked_customer(client_for(cez_app, CEZ_HOST, language="cs"), smtp_server,
                             link_data(number, point.identifier), "jana.novakova@example.com")
    page = client.get("/requests/new/advance_payment").get_data(as_text=True)
    assert '<html lang="cs">' in page
    prescribed = format_currency(adapter.advance_payment(number, point.identifier).amount, "CZK", locale="cs")
    assert f"Současná měsíční záloha na odběrném místě {point.identifier}</dt><dd>{prescribed}</dd>" in page
    assert "Změna výše záloh" in page and "Nová měsíční záloha (Kč)" in page and "Snížit zálohu" in page
    lowest, highest = advance_payment_limits(adapter.expected_yearly_cost(number, point.identifier))
    form = {**_form_keys(page), "supply_point": point.identifier, "change": "decrease", "amount": str(lowest)}
    refused = client.submit("/requests/new/advance_payment", form)
    assert refused.status_code == 400
    assert "Uveďte, proč chcete zálohu snížit." in refused.get_data(as_text=True)
    # the limits come from the chosen account's expected consumption
    too_low = client.submit("/requests/new/advance_payment", {**form, "reason": "savings", "amount": str(lowest - 10)})
    assert too_low.status_code == 400
    assert "Pro vaši očekávanou spotřebu může být měsíční záloha od" in too_low.get_data(as_text=True)
    other_point = next(p.identifier for n in adapter.account_numbers() if n != number for p in adapter.supply_points(n))
    foreign = client.submit("/requests/new/advance_payment", {**form, "reason": "savings", "supply_point": other_point})
    assert foreign.status_code == 400
    assert "Vyberte jedno z odběrných míst zvoleného zákaznického účtu." in foreign.get_data(as_text=True)
    assert adapter.submitted_requests(number) == []
    filed = client.submit("/requests/new/advance_payment", {**form, "reason": "savings"})
    assert filed.status_code == 302
    detail = client.get(filed.location)
    assert detail.status_code == 200
    shown = detail.get_data(as_text=True)  # the request as the customer reads it: choices by their label
    assert "<dd>Snížit zálohu</dd>" in shown and "<dd>decrease</dd>" not in shown and "<dd>savings</dd>" not in shown
    sent = adapter.submitted_requests(number)
    assert [request.request_type for _, request in sent] == ["advance_payment"]
    assert sent[0][1].data["amount"] == str(lowest) and sent[0][1].data["reason"] == "savings"
    assert sent[0][1].data["supply_point"] == point.identifier


def test_advances_and_settlements_are_called_what_czech_customers_call_them(cez_app, smtp_server):
    adapter = anchored(cez_app)
    number = next(n for n in adapter.account_numbers()
                  if any(i.kind == SETTLEMENT and i.gross.amount < 0 for i in adapter.invoices(n)))
    point = adapter.supply_points(number)[0]
    client = linked_customer(client_for(cez_app, CEZ_HOST, language="cs"), smtp_server,
                             link_data(number, point.identifier), "preplatek@example.com")
    listing = client.get("/invoices/").get_data(as_text=True)
    assert "Předpis zálohy" in listing and "Vyúčtování" in listing
    ids = dict(re.findall(r'href="/invoices/(\d+)">(\d+)</a>', listing))
    by_number = {number: id_ for id_, number in ids.items()}
    advance = next(i for i in adapter.invoices(number) if i.kind == ADVANCE and i.number in by_number)
    page = client.get(f"/invoices/{by_number[advance.number]}").get_data(as_text=True)
    assert f"<h1 id=\"invoice-heading\">Předpis zálohy {advance.number}</h1>" in page
    refund = next(i for i in adapter.invoices(number) if i.kind == SETTLEMENT and i.gross.amount < 0 and i.number in by_number)
    page = client.get(f"/invoices/{by_number[refund.number]}").get_data(as_text=True)
    assert f"Vyúčtování {refund.number}" in page and "<dt>Přeplatek</dt>" in page
    assert "Uhrazeno" not in page and "-" + format(-refund.gross.amount, "f").replace(".", ",") not in page


def test_advance_change_is_not_offered_with_an_overdue_invoice(cez_app, smtp_server):
    adapter = anchored(cez_app)
    number = next(n for n in adapter.account_numbers() if _overdue(adapter, n))
    point = adapter.supply_points(number)[0]
    client = linked_customer(client_for(cez_app, CEZ_HOST), smtp_server, link_data(number, point.identifier),
                             "jana.novakova@example.com")
    assert client.get("/requests/new/advance_payment").status_code == 404
    assert client.get("/requests/new/payment_method").status_code == 200


def test_branch_labels_are_translated(cez_app):
    with cez_app.test_request_context("/", base_url=f"https://{CEZ_HOST}"):
        g.tenant = cez_app.extensions["portal_tenants"]["cez"]
        with force_locale("cs"):
            assert str(dict(request_types.BRANCHES)["plzen"]) == "Zákaznické centrum Plzeň"
        with force_locale("en"):
            assert str(dict(request_types.BRANCHES)["plzen"]) == "Customer centre Plzeň"


# --- rules ---------------------------------------------------------------------------------


def test_advance_payment_limits():
    assert advance_payment_limits(Decimal("24000")) == (Decimal(1500), Decimal(2400))
    assert advance_payment_limits(Money(Decimal("25000"), "CZK")) == (Decimal(1560), Decimal(2500))
    assert advance_payment_limits(Decimal("600")) == (Decimal(100), Decimal(100))
    for wrong in (Decimal(0), Decimal(-5), Decimal("NaN")):
        with pytest.raises(ValueError):
            advance_payment_limits(wrong)
    with pytest.raises(TypeError):
        advance_payment_limits(24000.0)


def test_advance_payment_problem_is_translated(cez_app):
    assert advance_payment_problem(Decimal(2000), Decimal("24000")) is None
    with cez_app.test_request_context("/", base_url=f"https://{CEZ_HOST}"):
        g.tenant = cez_app.extensions["portal_tenants"]["cez"]
        with force_locale("cs"):
            message = str(advance_payment_problem(Decimal(1000), Decimal("24000"))).replace("\xa0", " ")
    assert message == "Pro vaši očekávanou spotřebu může být měsíční záloha od 1 500 do 2 400 Kč."


def test_current_advances_lie_within_their_limits(backend):
    for number in backend.account_numbers():
        for point in backend.supply_points(number):
            advance = backend.advance_payment(number, point.identifier)
            expected = backend.expected_yearly_cost(number, point.identifier)
            assert advance.currency == expected.currency == "CZK"
            low, high = advance_payment_limits(expected)
            assert low <= advance.amount <= high, (number, point.identifier)


def test_eligibility(backend):
    snapshots = [backend.snapshot(n) for n in backend.account_numbers()]
    overdue = [s for s in snapshots if any(i.status is InvoiceStatus.OVERDUE for i in s.invoices)]
    clean = [s for s in snapshots if s not in overdue]
    assert overdue and clean
    assert not any(advance_change_eligible(s) for s in overdue)
    assert all(advance_change_eligible(s) for s in clean)
    assert all(has_electricity(s) for s in snapshots)

    class GasOnly:
        supply_points = [type("Point", (), {"commodity": "gas"})()]

    assert not has_electricity(GasOnly()) and advance_change_eligible(GasOnly())
    assert not advance_change_eligible(type("Empty", (), {"supply_points": []})())


def test_czech_working_days():
    assert easter_sunday(2026) == dt.date(2026, 4, 5)
    assert easter_sunday(2025) == dt.date(2025, 4, 20)
    assert easter_sunday(2027) == dt.date(2027, 3, 28)
    holidays = public_holidays(2026)
    assert dt.date(2026, 4, 3) in holidays and dt.date(2026, 4, 6) in holidays
    assert dt.date(2026, 7, 6) in holidays and dt.date(2026, 11, 17) in holidays
    assert len(holidays) == 13
    assert dt.date(2015, 4, 3) not in public_holidays(2015)  # Good Friday only since 2016
    assert not is_working_day(dt.date(2026, 3, 21)) and is_working_day(dt.date(2026, 3, 20))
    assert self_reading_deadline(dt.date(2025, 12, 31)) == dt.date(2026, 1, 8)
    assert self_reading_deadline(dt.date(2026, 4, 1)) == dt.date(2026, 4, 10)  # over Easter


def test_reading_rules_follow_the_sazba(backend, cez_app):
    number, two_rate = point_with_tariff(backend, "D25d")
    rules = reading_rules_for(two_rate)
    assert rules.registers == ("1.8.1", "1.8.2") and rules.decimals == 0 and rules.accepts_readings
    assert rules.max_daily_consumption == Decimal("80")
    _, single = point_with_tariff(backend, "D02d")
    assert reading_rules_for(single).registers == ("1.8.0",)
    _, gas = gas_point(backend)
    assert reading_rules_for(gas).registers == ("volume",)
    with cez_app.app_context():
        tenant = cez_app.extensions["portal_tenants"]["cez"]
        through_hook = tenant.hook.portal_reading_rules(tenant=tenant, supply_point=two_rate)
    assert through_hook == rules


# --- the demo back-end ---------------------------------------------------------------------


def test_is_a_billing_adapter_in_czk_with_fifty_customers(backend):
    assert isinstance(backend, BillingAdapter) and backend.currency == "CZK"
    numbers = backend.account_numbers()
    assert len(numbers) == len(set(numbers)) == 50
    assert all(len(n) == 10 and n.isdigit() for n in numbers)
    assert backend.find_account("0000000000") is None


def test_same_seed_and_anchor_give_the_same_data(backend):
    backend.account_numbers()  # generated, then forgotten: the other back-end generates anew
    forget_generated()
    other = CezDemoBackend(anchor=ANCHOR)
    for number in backend.account_numbers()[:10]:
        assert other.snapshot(number) == backend.snapshot(number)
    assert other.demo_identities() == backend.demo_identities()


def test_identities_are_customer_number_and_a_supply_point_code(backend):
    for identity in backend.demo_identities():
        assert set(identity) == {"account_number", "customer_number", "supply_point_code"}
        assert identity["customer_number"] == identity["account_number"]
        codes = [p.identifier for p in backend.supply_points(identity["account_number"])]
        assert identity["supply_point_code"] in codes


def test_several_places_of_consumption_with_mixed_commodities(backend):
    counts = Counter()
    mixed_places = 0
    for number in backend.account_numbers():
        points = backend.supply_points(number)
        counts[len(points)] += 1
        addresses = {p.address for p in points}
        if len(addresses) > 1 and len({p.commodity for p in points}) == 2:
            mixed_places += 1
    assert set(counts) <= {1, 2, 3}
    assert counts[2] >= 5 and counts[3] >= 3
    assert mixed_places >= 2


def test_codes_operators_tariffs_and_breakers_are_czech(backend):
    seen_operators = set()
    for number in backend.account_numbers():
        for point in backend.supply_points(number):
            code = parse_supply_point_code(point.identifier)
            assert code.commodity is point.commodity
            seen_operators.add(point.distribution_operator)
            if point.commodity is Commodity.ELECTRICITY:
                assert code.distributor == point.distribution_operator
                assert point.tariff in {"D01d", "D02d", "D25d", "D45d", "D56d"}
                breaker = breaker_for_power(point.contracted_power_kw)
                assert breaker is not None
                assert backend.circuit_breaker(number, point.identifier) == breaker.label
                two_rate = point.tariff in {"D25d", "D45d", "D56d"}
                assert point.meters[0].registers == (("1.8.1", "1.8.2") if two_rate else ("1.8.0",))
            else:
                assert point.identifier.startswith("27ZG") and point.tariff.endswith("MWh")
                assert point.meters[0].registers == ("volume",)
    assert {CEZ_DISTRIBUCE, EGD, PRE_DISTRIBUCE} <= seen_operators


def test_monthly_advances_and_yearly_settlements(backend):
    outcomes = Counter()
    for number in backend.account_numbers():
        invoices = backend.invoices(number)
        assert [i.issued_on for i in invoices] == sorted((i.issued_on for i in invoices), reverse=True)
        for point in backend.supply_points(number):
            own = [i for i in invoices if i.supply_point == point.identifier]
            advances = sorted((i for i in own if i.kind == ADVANCE), key=lambda i: i.period_start)
            settlements = [i for i in own if i.kind == SETTLEMENT]
            assert {i.kind for i in own} <= {ADVANCE, SETTLEMENT}
            assert 25 <= len(advances) <= 26 and len(settlements) <= 2
            for advance in advances:
                assert advance.due_on == advance.period_start.replace(day=15)
                assert advance.issued_on < advance.due_on and advance.issued_on <= ANCHOR
                assert advance.gross.amount % 10 == 0
            assert advances[-1].due_on > ANCHOR  # the next advance is already prescribed
            for settlement in settlements:
                lines = backend.invoice_lines(number, settlement.number)
                billed = sum((line.gross.amount for line in lines if line.net.amount > 0), Decimal(0))
                prescribed = sum(
                    (a.gross.amount for a in advances if settlement.period_start <= a.period_start <= settlement.period_end),
                    Decimal(0),
                )
                assert settlement.gross.amount == billed - prescribed
                assert (settlement.period_end - settlement.period_start).days in (364, 365)
                outcomes["refund" if settlement.gross.amount < 0 else "to_pay"] += 1
    assert outcomes["refund"] >= 10 and outcomes["to_pay"] >= 10  # přeplatky and nedoplatky


def test_amounts_are_decimal_czk_with_21_percent_vat(backend):
    for number in backend.account_numbers()[:15]:
        for invoice in backend.invoices(number)[:8]:
            for money in (invoice.gross, invoice.paid):
                assert isinstance(money.amount, Decimal) and money.currency == "CZK"
            lines = backend.invoice_lines(number, invoice.number)
            assert invoice.gross.amount == sum((line.gross.amount for line in lines), Decimal(0))
            for line in lines:
                assert line.vat_rate == Decimal("0.21")
                assert abs(line.vat.amount - line.net.amount * Decimal("0.21")) <= Decimal("0.01") * max(1, abs(line.quantity))


def test_overpayments_are_refunded_and_the_balance_adds_up(backend):
    refunds = 0
    for number in backend.account_numbers():
        payments = backend.payments(number)
        by_invoice: dict[str, Decimal] = {}
        for payment in payments:
            assert payment.booked_at.utcoffset() is not None and payment.booked_at.date() < ANCHOR
            if payment.invoice_number:
                by_invoice[payment.invoice_number] = by_invoice.get(payment.invoice_number, Decimal(0)) + payment.amount.amount
            if payment.method == "refund":
                refunds += 1
                assert payment.amount.amount < 0
        invoices = backend.invoices(number)
        for invoice in invoices:
            assert invoice.paid.amount == by_invoice.get(invoice.number, Decimal(0))
        paid = sum((p.amount.amount for p in payments), Decimal(0))
        billed = sum((i.gross.amount for i in invoices), Decimal(0))
        assert backend.balance(number) == Money(paid - billed, "CZK")
    assert refunds >= 10


def test_readings_are_whole_aware_and_include_self_readings(backend):
    sources = Counter()
    for number in backend.account_numbers():
        for point in backend.supply_points(number):
            readings = backend.readings(number, point.identifier)
            for register in point.meters[0].registers:
                own = [r for r in reversed(readings) if r.register == register]
                assert [r.value for r in own] == sorted(r.value for r in own)
                assert all(r.value == r.value.to_integral_value() for r in own)
                assert all(r.read_at.utcoffset() is not None for r in own)
            sources.update(r.source for r in readings)
            for year in (2025, 2026):  # the price change on 1 January: read, self-read or estimated
                new_year = dt.date(year, 1, 1)
                assert any(r.read_at.date() in (new_year, new_year - dt.timedelta(days=1)) for r in readings)
    assert sources[ReadingSource.CUSTOMER] and sources[ReadingSource.OPERATOR] and sources[ReadingSource.ESTIMATE]


def test_half_the_supply_points_are_self_read_monthly_or_quarterly(backend):
    self_read = Counter()
    for number in backend.account_numbers():
        for point in backend.supply_points(number):
            readings = backend.readings(number, point.identifier)
            self_read[len({r.read_at for r in readings if r.source is ReadingSource.CUSTOMER}) >= 7] += 1
    assert self_read[True] >= self_read[False]  # at least quarterly over the two years


def test_the_demo_logins_consumption_is_measured_month_by_month_and_higher_in_winter(make_app, smtp_server):
    """Besides the distributor's yearly reading, the demo login's customer hands in monthly
    self-readings: the current year is not "neměřeno" after January, and both years are seasonal."""
    settings = {"demo_as_of": "2026-11-20"}
    app = make_app(plugins=[plugin], TENANTS={"cez": {**TENANTS["cez"], "settings": settings}})
    with app.app_context():
        prepare_demo(app)
    client = client_for(app, CEZ_HOST, language="cs")
    assert sign_in(client, demo_login("cez"), DEMO_PASSWORD).status_code == 302
    api = Api(app, make_token(client), host=CEZ_HOST)
    point = api.get("/supply-points").get_json()["items"][0]["identifier"]
    months = api.get(f"/supply-points/{point}/consumption?year=2026").get_json()["months"]
    for year, key in ((2026, "value"), (2025, "previous_year_value")):
        figures: dict[int, Decimal] = {}
        for row in months:
            if row[key] is not None:
                figures[row["month"]] = figures.get(row["month"], Decimal(0)) + Decimal(row[key])
        assert len(figures) >= 10, (year, figures)  # 2026: January to October, before the anchor's month
        winter = [figures[m] for m in (12, 1, 2) if m in figures]
        summer = [figures[m] for m in (6, 7, 8) if m in figures]
        assert len(summer) == 3 and sum(winter) / len(winter) > sum(summer) / len(summer) * Decimal("1.2"), figures


def test_same_idempotency_key_is_applied_once(fresh):
    number, point = point_with_tariff(fresh, "D25d")
    latest = {}
    for reading in fresh.readings(number, point.identifier):
        latest.setdefault(reading.register, reading.value)
    submission = ReadingSubmission(
        account_number=number,
        supply_point=point.identifier,
        meter_serial=point.meters[0].serial_number,
        values={register: value + 40 for register, value in latest.items()},
        read_at=fresh.as_of + dt.timedelta(hours=19),
    )
    before = len(fresh.readings(number, point.identifier))
    first = fresh.submit_reading(submission, "samoodecet-1")
    second = fresh.submit_reading(submission, "samoodecet-1")
    assert first.status is SubmissionStatus.ACCEPTED and not first.duplicate
    assert second.duplicate and second.reference == first.reference
    assert len(fresh.readings(number, point.identifier)) == before + 2

    request = RequestSubmission(number, "advance_payment", {"supply_point": point.identifier, "amount": "2500"})
    one = fresh.submit_request(request, "zaloha-1")
    two = fresh.submit_request(request, "zaloha-1")
    assert one.status is SubmissionStatus.ACCEPTED and two.duplicate and two.reference == one.reference
    assert len(fresh.submitted_requests(number)) == 1


def test_invoice_pdf_is_czech(backend):
    number = backend.account_numbers()[0]
    settlement = next(i for i in backend.invoices(number) if i.kind == SETTLEMENT)
    pdf = backend.invoice_pdf(number, settlement.number)
    assert pdf.startswith(b"%PDF-") and settlement.number.encode() in pdf


# --- planned outages and SMS ----------------------------------------------------------------


def test_planned_outages_per_distribution_area(backend):
    areas = {}
    for number in backend.account_numbers():
        for point in backend.supply_points(number):
            outages = backend.planned_outages(point)
            if point.commodity is Commodity.GAS:
                assert outages == ()
                continue
            assert 1 <= len(outages) <= 3
            assert backend.planned_outages(point.identifier) == outages
            for outage in outages:
                assert outage.distribution_operator == point.distribution_operator
                assert outage.city == point.address.city
                assert str(outage.starts_at.tzinfo) == PRAGUE
                assert ANCHOR < outage.starts_at.date() <= ANCHOR + dt.timedelta(days=70)
                assert is_working_day(outage.starts_at.date())
                assert dt.timedelta(hours=3) <= outage.ends_at - outage.starts_at <= dt.timedelta(hours=8)
                assert outage.streets and outage.reason
            areas[(point.distribution_operator, point.address.city)] = outages
    assert len(areas) >= 5
    with pytest.raises(LookupError):
        backend.planned_outages(VALID_EAN)


def test_sms_channel_sends_through_the_demo_gateway(cez_app):
    with cez_app.app_context():
        tenant = cez_app.extensions["portal_tenants"]["cez"]
        channels = {c.code: c for c in tenant.notification_channels()}
        assert set(channels) == {"email", "sms"}
        sms = channels["sms"]
        assert sms.address_kind == "phone"
        gateway = gateway_for(tenant)
        assert isinstance(gateway, DemoSmsGateway) and gateway_for(tenant) is gateway
        sms.send("601 234 567", "Plánované bezproudí", "Dne 27. 4. 2026 od 7:30 do 15:30, Žižkova, Znojmo.")
        sms.send("+48 601 234 567", "Планове відключення", "27.04.2026 з 7:30 до 15:30.")
    first, second = gateway.messages
    assert first.to == "+420601234567" and first.reference == "DEMO-000001"
    assert first.text == "Planovane bezproudi: Dne 27. 4. 2026 od 7:30 do 15:30, Zizkova, Znojmo."
    assert second.to == "+48601234567" and second.text.startswith("Планове відключення:")
    assert first.sent_at.utcoffset() is not None
    with pytest.raises(InvalidPhoneNumber):
        sms.send("12", "x", "y")
    assert len(gateway.messages) == 2


def test_sms_text_is_cut_to_three_segments():
    assert len(compose("Bezproudí", "Žluťoučký kůň " * 60)) == 3 * 153
    assert len(compose("Відключення", "Світла не буде " * 60)) == 3 * 67
    assert compose("", "  short   text ") == "short text"
    assert normalize_phone("00420 777 123 456") == "+420777123456"


class _Provider(http.server.BaseHTTPRequestHandler):
    received: list = []
    delay = 0.0
    status = 200

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, self.headers.get("Authorization"), json.loads(body)))
        time.sleep(type(self).delay)
        try:
            self.send_response(type(self).status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"id": "sms-42"}')
        except (BrokenPipeError, ConnectionResetError):
            pass  # the gateway gave up waiting, as it should

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    _Provider.received, _Provider.delay, _Provider.status = [], 0.0, 200
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/sms"
    server.shutdown()
    server.server_close()


def test_http_gateway_from_tenant_settings(make_app, provider):
    settings = {"sms_gateway_url": provider, "sms_gateway_timeout": 0.5, "sms_sender": "CEZ", "sms_gateway_token": "t0k"}
    app = make_app(plugins=[plugin], TENANTS={"cez": {**TENANTS["cez"], "settings": settings}})
    with app.app_context():
        tenant = app.extensions["portal_tenants"]["cez"]
        gateway = gateway_for(tenant)
        assert isinstance(gateway, HttpSmsGateway) and gateway.timeout == 0.5
        sms = next(c for c in tenant.notification_channels() if c.code == "sms")
        sms.send("601234567", "Bezproudí", "Zítra 8:00–12:00.")
    path, authorization, payload = _Provider.received[0]
    assert path == "/api/sms" and authorization == "Bearer t0k"
    assert payload == {"to": "+420601234567", "text": "Bezproudi: Zitra 8:00–12:00.", "from": "CEZ"}
    assert gateway.send("601234567", "ok").reference == "sms-42"


def test_http_gateway_gives_up_after_its_timeout_or_on_errors(provider):
    _Provider.delay = 1.0
    gateway = HttpSmsGateway(provider, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(SmsError):
        gateway.send("601234567", "slow")
    assert time.monotonic() - started < 0.9
    _Provider.delay, _Provider.status = 0.0, 500
    with pytest.raises(SmsError):
        gateway.send("601234567", "refused")
    with pytest.raises(ValueError):
        HttpSmsGateway("ftp://example.test/sms")
    with pytest.raises(ValueError):
        HttpSmsGateway(provider, timeout=0)


# --- theme and catalogs ----------------------------------------------------------------------


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_theme_is_complete_and_readable(cez_app):
    theme = Theme.load(THEME_DIR)
    assert theme.label == "Zákaznický portál ČEZ"
    assert cez_app.extensions["portal_tenants"]["cez"].theme.name == "cez"
    colours = theme.colours
    for foreground, background in (
        ("text", "background"), ("text", "surface"), ("muted", "surface"), ("muted", "background"),
        ("accent", "surface"), ("accent", "background"), ("on_primary", "primary"),
        ("danger", "surface"), ("success", "surface"),
    ):
        assert _contrast(colours[foreground], colours[background]) >= 4.5, (foreground, background)
    logo = (THEME_DIR / "static" / "logo.svg").read_text(encoding="utf-8")
    assert "<title" in logo and "viewBox" in logo
    response = client_for(cez_app, CEZ_HOST).get("/theme.css")
    assert colours["primary"] in response.get_data(as_text=True)


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


@pytest.mark.parametrize("locale", ["cs", "pl", "uk", "it"])
def test_catalog_is_complete(locale):
    translations = PLUGIN_DIR / "translations"
    with open(translations / "cez_cz.pot", "rb") as fh:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    with open(translations / locale / "LC_MESSAGES" / "cez_cz.po", "rb") as fh:
        catalog = read_po(fh, locale=locale)
    assert template <= {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
        expected = set(PLACEHOLDER.findall(ids[-1]))
        if any(set(PLACEHOLDER.findall(s)) != expected for s in strings):
            problems.append(message.id)
    assert not problems
    assert (translations / locale / "LC_MESSAGES" / "cez_cz.mo").stat().st_mtime >= (
        translations / locale / "LC_MESSAGES" / "cez_cz.po"
    ).stat().st_mtime
