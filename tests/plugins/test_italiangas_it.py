"""The Italiangas plugin: linking with the PIN Registrazione or a Codice Amministratore,
Italian identifiers, the Area Clienti requests, the demo back-end, the theme and catalogs.

The plugin is registered explicitly (it is not yet an entry point). The plugin
conformance suite runs here too (imported below).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import statistics
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

import plugins.italiangas_it.plugin
from core.accounts.models import VerificationAttempt
from core.billing.contract import (
    AccountNotFound,
    BillingAdapter,
    Commodity,
    InvoiceStatus,
    Money,
    RequestSubmission,
    SubmissionStatus,
)
from core.demo.backend import forget_generated
from core.framework.catalogs import compile_catalogs, domains_of
from core.framework.extensions import db
from core.framework.forms import load_form
from core.framework.tenancy import tenant_context
from core.models import AccountLink
from core.service_requests.models import ServiceRequest
from core.service_requests.service import account_errors
from core.testing.suite import *  # noqa: F403 - the plugin conformance suite
from plugins.italiangas_it import plugin as italiangas_plugin
from plugins.italiangas_it.adapter import (
    ADMINISTRATORS,
    CONDOMINIUM_TARIFFS,
    HOUSEHOLD_TARIFFS,
    ORDINARY_IVA,
    REDUCED_IVA,
    ItaliangasDemoBackend,
    ItaliangasPayment,
)
from plugins.italiangas_it.identifiers import (
    compact,
    is_sepa_iban,
    is_valid_admin_code,
    is_valid_codice_fiscale,
    is_valid_iban,
    is_valid_partita_iva,
    is_valid_pdr,
    is_valid_pin,
    is_valid_pod,
    make_admin_code,
    make_pin,
    supply_point_kind,
)
from plugins.italiangas_it.identity import ADMIN_CODE_METHOD, PIN_METHOD
from plugins.italiangas_it.request_types import (
    ACCOUNT_DELETION,
    BILLING_ADDRESS,
    DEACTIVATION,
    DIRECT_DEBIT,
    EMAIL_BILL,
    INFORMATION_COMPLAINT,
    INSTALMENT_PLAN,
    INVOICE_CORRECTION,
    POWER_CHANGE,
    REQUEST_TYPES,
    VOLTURA,
    has_electricity,
)
from plugins.italiangas_it.rules import holder_matches, tax_code_matches_full_name, tax_code_matches_name
from tests.conftest import client_for, link_account, linked_customer, register_and_activate, sign_in
from tests.support.browser import live_portal as browser_portal  # noqa: F401 - a fixture, for the brand below
from tests.support.browser import page as browser_page  # noqa: F401 - a fixture, for the brand below
from tests.support.outbox import TO_SUPPLIER
from tests.support.pdf_text import text_runs
from tests.support.queries import count_queries

PORTAL_PLUGIN = "plugins.italiangas_it.plugin"
HOST = "italiangas.test"
TENANTS = {"italiangas": {"plugin": "italiangas_it", "hosts": [HOST]}}
ANCHOR = dt.date(2026, 3, 18)
CENT = Decimal("0.01")
THEME = Path(__file__).parents[2] / "themes" / "italiangas"

# Published, check-digit-valid examples (python-stdnum's documentation, the IBAN registry).
VALID_CF = "RCCMNL83S18D969H"  # Manuel Rocca, born 18/11/1983 in Genova
VALID_CF_OMOCODIA = "MRTNTN23M02D969P"
VALID_PARTITA_IVA = "00743110157"
IT_IBAN = "IT60 X054 2811 1010 0000 0123 456"
DE_IBAN = "DE89 3704 0044 0532 0130 00"
CH_IBAN = "CH93 0076 2011 6238 5295 7"
BR_IBAN = "BR18 0036 0305 0000 1000 9795 493C 1"  # valid, but not SEPA


@pytest.fixture(scope="module", autouse=True)
def italiangas_catalogs() -> None:
    """The .mo files are not in git; the plugin is not an entry point yet."""
    for domain in domains_of([italiangas_plugin.SUPPLIER]):
        if domain.name == "italiangas_it":
            compile_catalogs(domain, only_stale=True)


@pytest.fixture(scope="module")
def backend() -> ItaliangasDemoBackend:
    """One shared instance for the read-only tests."""
    return ItaliangasDemoBackend(anchor=ANCHOR)


@pytest.fixture
def fresh() -> ItaliangasDemoBackend:
    """An instance of its own for tests that submit something."""
    return ItaliangasDemoBackend(anchor=ANCHOR)


@pytest.fixture
def ig_app(make_app):
    return make_app(plugins=[plugins.italiangas_it.plugin], TENANTS=TENANTS)


def _adapter(app) -> ItaliangasDemoBackend:
    return app.extensions["portal_tenants"]["italiangas"].adapter


def _households(adapter: ItaliangasDemoBackend) -> list[dict]:
    return [i for i in adapter.demo_identities() if not adapter.find_account(i["account_number"]).holder_name.startswith("Condominio")]


def _customer(app, smtp_server, email: str, language: str | None = "en", pin: str | None = None):
    """A signed-in customer; with ``pin``, its household linked."""
    client = client_for(app, HOST, language=language)
    if pin is not None:
        return linked_customer(client, smtp_server, {"pin": pin}, email)
    register_and_activate(client, smtp_server, email)
    assert sign_in(client, email).status_code == 302
    return client


def _unissued_pin(adapter: ItaliangasDemoBackend) -> str:
    rng = random.Random("not issued")
    while True:
        pin = make_pin(rng)
        if adapter.account_for_pin(pin) is None:
            return pin


def _unissued_pins(adapter: ItaliangasDemoBackend, count: int) -> list[str]:
    rng = random.Random("several not issued")
    pins: list[str] = []
    while len(pins) < count:
        pin = make_pin(rng)
        if adapter.account_for_pin(pin) is None and pin not in pins:
            pins.append(pin)
    return pins


def _mistyped(code: str) -> str:
    """The code with its last (check) character replaced by another of the alphabet."""
    return code[:-1] + ("2" if code[-1] != "2" else "3")


def _links(app) -> list[AccountLink]:
    with app.app_context(), tenant_context("italiangas"):
        return db.session.execute(select(AccountLink)).scalars().all()


def _linked_numbers(app) -> list[str]:
    with app.app_context(), tenant_context("italiangas"):
        return [link.account.number for link in db.session.execute(select(AccountLink)).scalars()]


def _attempts(app) -> list[VerificationAttempt]:
    with app.app_context(), tenant_context("italiangas"):
        return db.session.execute(select(VerificationAttempt)).scalars().all()


def _link_methods(app) -> dict[str, str]:
    """Per linked account number, the method of its link."""
    with app.app_context(), tenant_context("italiangas"):
        return {link.account.number: link.method for link in db.session.execute(select(AccountLink)).scalars()}


def _main(page: str) -> str:
    """The page's own content, without the header (its supply point selector names every account)."""
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def _section(page: str, heading_id: str) -> str:
    """The part of ``page`` in the section labelled by ``heading_id``."""
    return page.split(f'aria-labelledby="{heading_id}"', 1)[1].split("</section>", 1)[0]


# --- identifiers ----------------------------------------------------------------------------


@pytest.mark.parametrize("pod", ["IT001E12345678", "IT002E41500823A", "it 001 e 1234 5678", "IT020E-00000001"])
def test_pod_format_is_accepted(pod):
    assert is_valid_pod(pod)
    assert supply_point_kind(pod) == "pod"


@pytest.mark.parametrize("pod", ["IT001E1234567", "IT0012E12345678", "FR001E12345678", "IT001X12345678", "IT001E12345678AB"])
def test_malformed_pod_is_refused(pod):
    assert not is_valid_pod(pod)


@pytest.mark.parametrize(("pdr", "valid"), [
    ("00881234567890", True), ("0088 1234 5678 90", True), ("0088123456789", False),
    ("008812345678901", False), ("0088123456789A", False),
])
def test_pdr_is_fourteen_digits(pdr, valid):
    assert is_valid_pdr(pdr) is valid
    assert (supply_point_kind(pdr) == "pdr") is valid


@pytest.mark.parametrize(("code", "valid"), [
    (VALID_CF, True),
    (VALID_CF.lower(), True),
    (VALID_CF_OMOCODIA, True),
    ("RCCMNL83S18D969J", False),  # wrong check character
    ("RCCMNL83S18D969", False),  # too short
    ("RCCMNL83Z18D969H", False),  # no month Z
    (VALID_PARTITA_IVA, True),  # companies and condominiums: 11 digits
    ("00743110158", False),
])
def test_codice_fiscale_check_character(code, valid):
    assert is_valid_codice_fiscale(code) is valid


@pytest.mark.parametrize(("number", "valid"), [
    (VALID_PARTITA_IVA, True), ("IT" + VALID_PARTITA_IVA, True), ("00743110158", False), ("0074311015", False),
])
def test_partita_iva_check_digit(number, valid):
    assert is_valid_partita_iva(number) is valid


@pytest.mark.parametrize(("iban", "valid", "sepa"), [
    (IT_IBAN, True, True), (DE_IBAN, True, True), (CH_IBAN, True, True), (BR_IBAN, True, False),
    ("IT60 X054 2811 1010 0000 0123 457", False, False), ("IT60X05428111010000001234", False, False),
])
def test_iban_checks_and_sepa_area(iban, valid, sepa):
    assert is_valid_iban(iban) is valid
    assert is_sepa_iban(iban) is sepa


def test_pins_and_admin_codes_carry_a_check_character():
    rng = random.Random(4)
    for _ in range(200):
        pin, code = make_pin(rng), make_admin_code(rng)
        assert len(pin) == 8 and is_valid_pin(pin) and is_valid_pin(f"{pin[:4].lower()} {pin[4:]}")
        assert len(code) == 10 and code.startswith("AM") and is_valid_admin_code(code)
        assert not set(pin + code) & set("01ILO")  # nothing people confuse
        assert not is_valid_pin(_mistyped(pin)) and not is_valid_admin_code(_mistyped(code))
        swapped = pin[:2] + pin[3] + pin[2] + pin[4:]
        assert swapped == pin or not is_valid_pin(swapped)  # Luhn catches swapped neighbours
    assert not is_valid_pin("ABCDEFG") and not is_valid_admin_code("XM" + "2" * 8)


# --- rules -------------------------------------------------------------------------------------


def test_tax_code_belongs_to_the_name():
    assert tax_code_matches_name(VALID_CF, "Manuel", "Rocca")
    assert not tax_code_matches_name(VALID_CF, "Manuela", "Rossi")
    assert tax_code_matches_name(VALID_CF_OMOCODIA, "Antonio", "Martini")  # omocodia keeps the letters
    assert tax_code_matches_full_name(VALID_CF, "ROCCA MANUEL")
    assert not tax_code_matches_name(VALID_PARTITA_IVA, "Manuel", "Rocca")


def test_holder_matches_only_the_contract_holder():
    assert holder_matches("Manuel Rocca", "Manuel Rocca", VALID_CF)
    assert holder_matches("ROCCA MANUEL", "Manuel Rocca", VALID_CF.lower())  # order and case
    assert holder_matches("Sig. Manuel  Rocca", "Manuel Rocca", VALID_CF)
    assert not holder_matches("Manuela Rocca", "Manuel Rocca", VALID_CF)  # another person
    assert not holder_matches("Manuel Rocca", "Manuel Rocca", "RCCMNL83S18D969J")  # bad check character
    assert not holder_matches("Manuel Rocca", "Manuel Rocca", "RSSMRA85T10A562S")  # someone else's code
    # Accents, apostrophes and multi-word names; an 11-digit code for a condominium.
    assert holder_matches("Maria Grazia D’Angelo", "Maria Grazia D'Àngelo", "DNGMGR75H70F839S")
    assert holder_matches("Condominio Via Roma 12", "condominio via roma 12", VALID_PARTITA_IVA)
    assert not holder_matches("Condominio Via Roma 14", "Condominio Via Roma 12", VALID_PARTITA_IVA)


# --- the demo back-end -------------------------------------------------------------------


def test_is_an_italiangas_billing_adapter_in_euros(backend):
    assert isinstance(backend, BillingAdapter)
    assert backend.currency == "EUR"
    for number in backend.account_numbers()[:10]:
        for money in [backend.balance(number)] + [i.gross for i in backend.invoices(number)] + [p.amount for p in backend.payments(number)]:
            assert isinstance(money, Money) and money.currency == "EUR" and isinstance(money.amount, Decimal)
            assert money.amount == money.amount.quantize(CENT)


def test_same_seed_and_anchor_give_identical_data(backend):
    backend.account_numbers()  # generated, then forgotten: the other back-end generates anew
    forget_generated()
    other = ItaliangasDemoBackend(anchor=ANCHOR)
    assert other.demo_identities() == backend.demo_identities()
    assert other.admin_identities() == backend.admin_identities()
    number = backend.account_numbers()[7]
    assert other.snapshot(number) == backend.snapshot(number)
    later = ItaliangasDemoBackend(anchor=dt.date(2026, 9, 2))  # customers do not move with the date
    assert later.demo_identities() == backend.demo_identities()
    assert later.admin_identities() == backend.admin_identities()


def test_households_and_condominiums_of_three_administrators(backend):
    numbers = backend.account_numbers()
    assert len(numbers) == 50 and all(len(n) == 9 and n.isdigit() for n in numbers)
    administrators = backend.admin_identities()
    assert len(administrators) == len(ADMINISTRATORS) == 3
    condominiums = [n for a in administrators for n in a["account_numbers"]]
    assert len(condominiums) == len(set(condominiums))
    assert all(3 <= len(a["account_numbers"]) <= 6 for a in administrators)
    assert all(is_valid_admin_code(a["admin_code"]) and is_valid_partita_iva(a["partita_iva"]) for a in administrators)
    condominium_tariffs = {t.code for t in CONDOMINIUM_TARIFFS}
    household_tariffs = {t.code for t in HOUSEHOLD_TARIFFS}
    holders = []
    for number in numbers:
        account = backend.find_account(number)
        points = backend.supply_points(number)
        if number in condominiums:
            assert re.fullmatch(r"Condominio (Via|Viale|Corso) [\w' ]+ \d+", account.holder_name), account.holder_name
            assert account.holder_name == f"Condominio {account.address.street}"
            assert {p.tariff for p in points} == condominium_tariffs  # common parts and central heating
            assert all(p.address == account.address for p in points)
            assert len(backend.tax_code(number)) == 11
            holders.append(account.holder_name)
        else:
            assert {p.tariff for p in points} <= household_tariffs
            assert tax_code_matches_full_name(backend.tax_code(number), account.holder_name)
        assert is_valid_codice_fiscale(backend.tax_code(number))
    assert len(holders) == len(set(holders))
    for administrator in administrators:  # a studio manages buildings of its own city
        assert len({backend.find_account(n).address.city for n in administrator["account_numbers"]}) == 1


def test_every_supply_point_has_a_pod_or_pdr_of_its_commodity(backend):
    identifiers = []
    kinds = Counter()
    for number in backend.account_numbers():
        for point in backend.supply_points(number):
            identifiers.append(point.identifier)
            expected = "pod" if point.commodity is Commodity.ELECTRICITY else "pdr"
            assert supply_point_kind(point.identifier) == expected
            assert point.distribution_operator and point.meters
            kinds[point.commodity] += 1
            if point.commodity is Commodity.ELECTRICITY:
                assert point.contracted_power_kw in {Decimal(k) for k in ("3", "4.5", "6", "10", "15")}
    assert len(identifiers) == len(set(identifiers))
    assert kinds[Commodity.GAS] >= 15 and kinds[Commodity.ELECTRICITY] == 50


def test_bimonthly_bills_with_italian_numbers_due_after_twenty_days(backend):
    numbers = [i.number for n in backend.account_numbers() for i in backend.invoices(n)]
    assert len(numbers) == len(set(numbers))
    for number in backend.account_numbers():
        for point in backend.supply_points(number):
            own = sorted((i for i in backend.invoices(number) if i.supply_point == point.identifier), key=lambda i: i.period_start)
            assert len(own) == 12  # 24 months, a bolletta every two months
            for invoice in own:
                assert re.fullmatch(r"\d{12}", invoice.number)
                assert invoice.number[:6] == f"{invoice.issued_on:%Y%m}"
                assert invoice.due_on == invoice.issued_on + dt.timedelta(days=20)
                assert (invoice.period_end.year * 12 + invoice.period_end.month) - (invoice.period_start.year * 12 + invoice.period_start.month) == 1


def test_iva_is_ten_percent_for_homes_twenty_two_for_condominium_power_and_gas_over_480_smc(backend):
    rates_by_tariff: dict[str, set[Decimal]] = {}
    month_units: set[str] = set()
    for number in backend.account_numbers():
        tariffs = {p.identifier: p.tariff for p in backend.supply_points(number)}
        for invoice in backend.invoices(number):
            lines = backend.invoice_lines(number, invoice.number)
            tariff = tariffs[invoice.supply_point]
            for line in lines:
                assert line.vat_rate in (REDUCED_IVA, ORDINARY_IVA)
                assert line.vat.amount == (line.net.amount * line.vat_rate).quantize(CENT, ROUND_HALF_UP)
                assert line.gross.amount == line.net.amount + line.vat.amount
                rates_by_tariff.setdefault(tariff, set()).add(line.vat_rate)
                if line.unit in ("mese", "mesi"):  # a fixed charge: "2 mesi", never "2 mese"
                    assert line.unit == ("mese" if line.quantity == 1 else "mesi")
                    month_units.add(line.unit)
            assert invoice.gross.amount == sum((line.gross.amount for line in lines), Decimal(0))
            if tariff.startswith("Gas"):
                reduced = [li for li in lines if li.unit == "Smc" and li.vat_rate == REDUCED_IVA]
                assert all(li.quantity <= 80 for li in reduced)  # 480 Smc a year, per bimonthly bill
                ordinary = [li for li in lines if li.unit == "Smc" and li.vat_rate == ORDINARY_IVA]
                if ordinary:
                    assert {li.quantity for li in reduced} == {Decimal(80)}
                    assert all("oltre 480 Smc/anno" in li.description for li in ordinary)
    assert rates_by_tariff["Luce Casa Monoraria"] == {REDUCED_IVA}
    assert rates_by_tariff["Luce Casa Bioraria"] == {REDUCED_IVA}
    assert rates_by_tariff["Luce Condominio"] == {ORDINARY_IVA}
    assert rates_by_tariff["Gas Casa"] == rates_by_tariff["Gas Condominio"] == {REDUCED_IVA, ORDINARY_IVA}
    assert "mesi" in month_units


def test_household_bills_look_italian(backend):
    amounts: dict[str, list[Decimal]] = {}
    for number in backend.account_numbers():
        tariffs = {p.identifier: p.tariff for p in backend.supply_points(number)}
        for invoice in backend.invoices(number):
            amounts.setdefault(tariffs[invoice.supply_point], []).append(invoice.gross.amount)
    electricity = amounts["Luce Casa Monoraria"] + amounts["Luce Casa Bioraria"]
    assert Decimal(90) <= statistics.median(electricity) <= Decimal(200)  # €50-100 a month
    assert Decimal(100) <= statistics.median(amounts["Gas Casa"]) <= Decimal(300)
    assert statistics.median(amounts["Gas Condominio"]) > Decimal(1000)


def test_payments_are_registered_two_to_five_days_after_they_are_paid(backend):
    delays = Counter()
    start_of_anchor = dt.datetime.combine(ANCHOR, dt.time(), tzinfo=backend.tz)
    for number in backend.account_numbers():
        payments = backend.payments(number)
        for payment in payments:
            assert isinstance(payment, ItaliangasPayment)
            assert payment.booked_at.utcoffset() is not None and payment.booked_at < start_of_anchor
            delays[(payment.booked_at.date() - payment.paid_on).days] += 1
        paid: dict[str, Decimal] = {}
        for payment in payments:
            if payment.invoice_number:
                paid[payment.invoice_number] = paid.get(payment.invoice_number, Decimal(0)) + payment.amount.amount
        invoices = backend.invoices(number)
        for invoice in invoices:  # only what is registered counts as paid
            assert invoice.paid.amount == paid.get(invoice.number, Decimal(0))
        billed = sum((i.gross.amount for i in invoices), Decimal(0))
        assert backend.balance(number).amount == sum((p.amount.amount for p in payments), Decimal(0)) - billed
    assert set(delays) == {2, 3, 4, 5}


def test_payments_of_the_last_days_are_not_registered_yet(backend):
    """Paid, but the bill still shows as open: the disallineamento seed 004 warns about."""
    in_transit = [(n, p) for n in backend.account_numbers() for p in backend.payments_in_transit(n)]
    assert len(in_transit) >= 5
    for number, payment in in_transit:
        assert payment.paid_on < ANCHOR <= payment.booked_at.date()
        assert 2 <= (payment.booked_at.date() - payment.paid_on).days <= 5
        assert payment.reference not in {p.reference for p in backend.payments(number)}
        if payment.invoice_number:
            invoice = next(i for i in backend.invoices(number) if i.number == payment.invoice_number)
            assert invoice.paid.amount < invoice.gross.amount
    recent = [p for n in backend.account_numbers() for p in backend.payments(n) if p.paid_on >= ANCHOR - dt.timedelta(days=6)]
    assert recent  # paid a few days earlier: already there


def test_pins_and_admin_codes_name_their_accounts(backend):
    identities = backend.demo_identities()
    assert len(identities) == 50
    assert all(set(i) == {"account_number", "pin"} for i in identities)
    pins = [i["pin"] for i in identities]
    assert len(set(pins)) == len(pins) and all(is_valid_pin(p) for p in pins)
    for identity in identities:
        assert backend.account_for_pin(identity["pin"]) == identity["account_number"]
    first = identities[0]["pin"]
    assert backend.account_for_pin(f"{first[:4].lower()}-{first[4:].lower()}") == identities[0]["account_number"]
    assert backend.account_for_pin(_unissued_pin(backend)) is None
    for administrator in backend.demo_identities("admin_code"):
        numbers = backend.accounts_for_admin_code(administrator["admin_code"])
        assert list(numbers) == administrator["account_numbers"]
        assert administrator["account_number"] == numbers[0]
    assert backend.accounts_for_admin_code("AM" + "2" * 8) == ()


def test_verification_outcomes(backend):
    identity = backend.demo_identities()[3]
    data = PIN_METHOD.schema().load({"pin": identity["pin"]})
    assert PIN_METHOD.verify(backend, data).account_numbers == (identity["account_number"],)
    assert not PIN_METHOD.verify(backend, {"pin": _unissued_pin(backend)}).matched
    administrator = backend.admin_identities()[1]
    outcome = ADMIN_CODE_METHOD.verify(backend, ADMIN_CODE_METHOD.schema().load({"admin_code": administrator["admin_code"]}))
    assert list(outcome.account_numbers) == administrator["account_numbers"]
    with pytest.raises(TypeError):  # any other back-end cannot answer for a PIN
        PIN_METHOD.verify(object(), data)


def test_gas_takes_self_readings_electricity_is_read_remotely(backend):
    seen = set()
    for number in backend.account_numbers():
        for point in backend.supply_points(number):
            rules = italiangas_plugin.portal_reading_rules(None, point)
            assert rules.accepts_readings is (point.commodity is Commodity.GAS)
            assert rules.registers == point.meters[0].registers and rules.decimals == 0
            seen.add((point.commodity, rules.registers))
            units = {r.unit for r in backend.readings(number, point.identifier)}
            assert units == ({"m3"} if point.commodity is Commodity.GAS else {"kWh"})
    assert (Commodity.ELECTRICITY, ("F1", "F23")) in seen and (Commodity.ELECTRICITY, ("F0",)) in seen


def test_same_request_key_is_applied_once(fresh):
    number = fresh.account_numbers()[0]
    request = RequestSubmission(number, INFORMATION_COMPLAINT, {"kind": "information", "text": "Quando arriva la bolletta?"})
    first = fresh.submit_request(request, "key-1")
    again = fresh.submit_request(request, "key-1")
    assert first.status is SubmissionStatus.ACCEPTED and not first.duplicate
    assert again.duplicate and again.reference == first.reference
    assert len(fresh.submitted_requests(number)) == 1
    with pytest.raises(AccountNotFound):
        fresh.submit_request(RequestSubmission("000000000", EMAIL_BILL, {}), "key-2")


def _household_with(backend, commodity: Commodity, other_than: str | None = None):
    for number in backend.account_numbers():
        if number == other_than or backend.find_account(number).holder_name.startswith("Condominio"):
            continue
        for point in backend.supply_points(number):
            if point.commodity is commodity:
                return number, point
    raise AssertionError(f"no household with {commodity}")


def test_back_office_accepts_direct_debit_only_from_the_holder(fresh):
    number, _point = _household_with(fresh, Commodity.ELECTRICITY)
    holder = fresh.find_account(number).holder_name
    mandate = {"iban": compact(IT_IBAN), "account_holder_name": holder.upper(), "tax_code": fresh.tax_code(number), "mandate": True}
    assert fresh.submit_request(RequestSubmission(number, DIRECT_DEBIT, mandate), "dd-1").status is SubmissionStatus.ACCEPTED
    other = {**mandate, "account_holder_name": "Manuel Rocca", "tax_code": VALID_CF}
    refused = fresh.submit_request(RequestSubmission(number, DIRECT_DEBIT, other), "dd-2")
    assert refused.status is SubmissionStatus.REJECTED and refused.reason_code == "bank_account_holder_mismatch"
    assert "intestatario" in refused.reason  # the back-office's own words, for staff
    assert fresh.submit_request(RequestSubmission(number, DIRECT_DEBIT, other), "dd-2").duplicate
    assert len(fresh.submitted_requests(number)) == 1


def test_back_office_checks_supply_points_and_bills(fresh):
    number, pod = _household_with(fresh, Commodity.ELECTRICITY)
    gas_number, pdr = _household_with(fresh, Commodity.GAS, other_than=number)

    def submit(account, kind, data, key):
        return fresh.submit_request(RequestSubmission(account, kind, data), key)

    def refusal(account, kind, data, key):
        result = submit(account, kind, data, key)
        assert result.status is SubmissionStatus.REJECTED, result
        return result.reason_code, result.reason

    same_power = {"supply_point": pod.identifier, "power_kw": str(pod.contracted_power_kw)}
    assert refusal(number, POWER_CHANGE, same_power, "p1") == (
        "power_unchanged", "La potenza richiesta è quella già impegnata dal contratto.")
    more = {"supply_point": pod.identifier, "power_kw": "10" if pod.contracted_power_kw != 10 else "6"}
    assert submit(number, POWER_CHANGE, more, "p2").status is SubmissionStatus.ACCEPTED
    code, words = refusal(gas_number, POWER_CHANGE, {"supply_point": pdr.identifier, "power_kw": "6"}, "p3")
    assert code == "power_change_electricity_only" and "energia elettrica" in words
    code, words = refusal(number, DEACTIVATION, {"supply_point": pdr.identifier, "deactivation_date": "2026-04-01",
                                                 "final_reading": 1}, "d1")
    assert code == "supply_point_unknown" and "non appartiene" in words
    own = submit(gas_number, VOLTURA, {"supply_point": pdr.identifier.lower(), "tax_code": VALID_CF}, "v1")
    assert own.status is SubmissionStatus.ACCEPTED
    invoices = fresh.invoices(number)
    paid = next(i for i in invoices if i.status is InvoiceStatus.PAID)
    open_ = next(i for i in invoices if i.status is not InvoiceStatus.PAID)
    code, words = refusal(number, INSTALMENT_PLAN, {"invoice_number": paid.number, "instalments": 3}, "r1")
    assert code == "invoice_already_paid" and "già pagata" in words
    assert submit(number, INSTALMENT_PLAN, {"invoice_number": open_.number, "instalments": 3}, "r2").status is SubmissionStatus.ACCEPTED
    code, _words = refusal(number, INVOICE_CORRECTION, {"invoice_number": "202001000001", "reason": "other"}, "c1")
    assert code == "invoice_unknown"
    assert submit(number, INSTALMENT_PLAN, {"invoice_number": paid.number, "instalments": 3}, "r1").duplicate


def test_invoice_pdf_is_a_real_pdf(backend):
    number = backend.admin_identities()[0]["account_numbers"][0]
    invoice = backend.invoices(number)[0]
    pdf = backend.invoice_pdf(number, invoice.number)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF") and b"/FontFile2" in pdf


# --- condominium administrators: one operation for all -------------------------------------------------


ADDRESS = {"care_of": "Studio Bianchi", "street": "Via Nomentana 40", "postcode": "00161", "city": "Roma", "province": "rm"}


# --- request schemas ------------------------------------------------------------------------------------------

TOMORROW = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date().isoformat()
GOOD = {
    DIRECT_DEBIT: {"iban": IT_IBAN, "account_holder_name": "Manuel Rocca", "tax_code": VALID_CF.lower(), "mandate": "1"},
    EMAIL_BILL: {"email": "mario.rossi@example.it", "consent": "1"},
    BILLING_ADDRESS: ADDRESS,
    POWER_CHANGE: {"supply_point": "IT001E12345678", "power_kw": "4.5", "phone": "333 123 4567"},
    DEACTIVATION: {"supply_point": "00881234567890", "deactivation_date": TOMORROW, "final_reading": "12345"},
    VOLTURA: {
        "supply_point": "IT001E12345678", "new_holder_first_name": "Manuel", "new_holder_last_name": "Rocca",
        "tax_code": VALID_CF, "document_type": "identity_card", "document_number": "CA 00000 AA", "meter_reading": "4021",
    },
    INSTALMENT_PLAN: {"invoice_number": "2026 0300 0456", "instalments": "6"},
    INVOICE_CORRECTION: {"invoice_number": "202603000456", "reason": "reading", "details": "La lettura in bolletta è più alta di quella del contatore."},
    INFORMATION_COMPLAINT: {"kind": "complaint", "text": "Il pagamento del 10 marzo non risulta ancora registrato."},
    ACCOUNT_DELETION: {"confirm": "1"},
}
BAD = {
    DIRECT_DEBIT: ({"iban": BR_IBAN, "tax_code": "RCCMNL83S18D969J"}, {"iban", "tax_code", "mandate"}),
    EMAIL_BILL: ({"email": "mario.rossi@"}, {"email", "consent"}),  # an unticked box is not sent
    BILLING_ADDRESS: ({"street": "Via Roma 1", "postcode": "0018", "city": "Roma", "province": "ZZ"}, {"postcode", "province"}),
    POWER_CHANGE: ({"supply_point": "", "power_kw": "4.2", "phone": "12345"}, {"supply_point", "power_kw", "phone"}),
    DEACTIVATION: ({"supply_point": " ", "deactivation_date": "2020-01-01", "final_reading": "-5"}, {"supply_point", "deactivation_date", "final_reading"}),
    VOLTURA: ({**GOOD[VOLTURA], "document_number": "AB123"}, {"document_number"}),
    INSTALMENT_PLAN: ({"invoice_number": "202613000456", "instalments": "24"}, {"invoice_number", "instalments"}),
    INVOICE_CORRECTION: ({"invoice_number": "12345", "reason": "mood", "details": "no"}, {"invoice_number", "reason", "details"}),
    INFORMATION_COMPLAINT: ({"kind": "praise", "text": "short"}, {"kind", "text"}),
    ACCOUNT_DELETION: ({}, {"confirm"}),
}
_TYPES = {t.code: t for t in REQUEST_TYPES}


def _load(app, code: str, form: dict, locale: str = "en"):
    with app.test_request_context("/", base_url=f"https://{HOST}"), force_locale(locale):
        return load_form(_TYPES[code].schema(), MultiDict(form))


def test_every_request_type_has_a_translated_label_and_schema():
    assert [t.code for t in REQUEST_TYPES] == list(GOOD)
    assert set(BAD) == set(GOOD)


@pytest.mark.parametrize("code", list(GOOD))
def test_request_schema_accepts_good_input(ig_app, code):
    data, errors = _load(ig_app, code, GOOD[code])
    assert errors == {} and data, errors
    json.dumps(data, default=str)  # what the outbox stores


@pytest.mark.parametrize("code", list(BAD))
def test_request_schema_refuses_bad_input_per_field(ig_app, code):
    form, fields = BAD[code]
    data, errors = _load(ig_app, code, form)
    assert data is None and fields <= set(errors), errors


def test_request_values_are_normalized(ig_app):
    assert _load(ig_app, DIRECT_DEBIT, GOOD[DIRECT_DEBIT])[0]["iban"] == "IT60X0542811101000000123456"
    assert _load(ig_app, POWER_CHANGE, GOOD[POWER_CHANGE])[0] == {
        "supply_point": "IT001E12345678", "power_kw": Decimal("4.5"), "phone": "+393331234567"}
    assert _load(ig_app, POWER_CHANGE, {**GOOD[POWER_CHANGE], "power_kw": "4,5"})[0]["power_kw"] == Decimal("4.5")
    assert _load(ig_app, INSTALMENT_PLAN, GOOD[INSTALMENT_PLAN])[0] == {"invoice_number": "202603000456", "instalments": 6, "reason": ""}
    assert _load(ig_app, BILLING_ADDRESS, GOOD[BILLING_ADDRESS])[0]["province"] == "RM"


def test_voltura_checks_the_tax_code_against_the_new_holder(ig_app):
    _data, errors = _load(ig_app, VOLTURA, {**GOOD[VOLTURA], "new_holder_first_name": "Giulia"})
    assert set(errors) == {"tax_code"}
    company = {**GOOD[VOLTURA], "tax_code": VALID_PARTITA_IVA, "iban": DE_IBAN, "document_type": "passport", "document_number": "YA1234567"}
    assert _load(ig_app, VOLTURA, company)[1] == {}


def test_request_messages_are_translated(ig_app):
    _data, errors = _load(ig_app, DIRECT_DEBIT, {**GOOD[DIRECT_DEBIT], "iban": "IT60 X054 2811 1010 0000 0123 457"}, "it")
    assert errors["iban"] == ["L'IBAN non è valido: verificalo sull'estratto conto."]
    _data, errors = _load(ig_app, DIRECT_DEBIT, {**GOOD[DIRECT_DEBIT], "iban": BR_IBAN}, "pl")
    assert "SEPA" in errors["iban"][0] and "Włoszech" in errors["iban"][0]
    _data, errors = _load(ig_app, BILLING_ADDRESS, {**ADDRESS, "postcode": "123"}, "it")
    assert errors["postcode"] == ["Inserisci il CAP di cinque cifre, per esempio 00184."]
    _data, errors = _load(ig_app, INSTALMENT_PLAN, {**GOOD[INSTALMENT_PLAN], "instalments": "13"}, "uk")
    assert errors["instalments"] == ["Виберіть від 2 до 12 внесків."]
    _data, errors = _load(ig_app, POWER_CHANGE, {**GOOD[POWER_CHANGE], "supply_point": ""}, "cs")
    assert errors["supply_point"] == ["Toto pole je povinné."]


class _Point:
    def __init__(self, identifier, commodity):
        self.identifier, self.commodity = identifier, commodity


class _Account:
    number = "000000001"
    supply_points = (_Point("IT001E12345678", "electricity"), _Point("00881234567890", "gas"))


def _account_errors(app, code: str, form: dict, locale: str = "it") -> dict[str, list[str]]:
    """What the core and the type's check answer for ``form`` filed for :class:`_Account`."""
    with app.test_request_context("/", base_url=f"https://{HOST}"), force_locale(locale):
        data, errors = load_form(_TYPES[code].schema(), MultiDict(form))
        assert errors == {}, errors
        found = account_errors(app.extensions["portal_tenants"]["italiangas"], _TYPES[code], _Account(), data)
        return {name: [str(m) for m in messages] for name, messages in found.items()}


def test_the_supply_point_is_one_of_the_accounts(ig_app):
    """Chosen from the account's POD and PDR: the core refuses another supply, and a gas
    one for a change of power, with a message in the customer's language."""
    refused = {"supply_point": ["Scegli una delle forniture del codice cliente selezionato."]}
    for code in (POWER_CHANGE, DEACTIVATION, VOLTURA):
        assert _account_errors(ig_app, code, {**GOOD[code], "supply_point": "IT001E12345678"}) == {}
        assert _account_errors(ig_app, code, {**GOOD[code], "supply_point": "IT001E87654321"}) == refused
    assert _account_errors(ig_app, DEACTIVATION, {**GOOD[DEACTIVATION], "supply_point": "00881234567890"}) == {}
    assert _account_errors(ig_app, POWER_CHANGE, {**GOOD[POWER_CHANGE], "supply_point": "00881234567890"}) == refused
    assert _account_errors(ig_app, POWER_CHANGE, {**GOOD[POWER_CHANGE], "supply_point": "00881234567890"}, "cs") == {
        "supply_point": ["Vyberte jedno z odběrných míst zvoleného zákaznického účtu."]}


def test_power_change_is_offered_only_with_electricity():
    class Point:
        def __init__(self, commodity):
            self.commodity = commodity

    class Account:
        def __init__(self, *commodities):
            self.supply_points = [Point(c) for c in commodities]

    assert has_electricity(Account("gas", "electricity"))
    assert not has_electricity(Account("gas"))
    assert _TYPES[POWER_CHANGE].eligible(Account("electricity"))


def test_payment_registration_note_is_translated(ig_app):
    with ig_app.test_request_context("/", base_url=f"https://{HOST}"):
        with force_locale("it"):
            assert str(italiangas_plugin.SUPPLIER.payment_note) == "I pagamenti vengono registrati nell'Area Clienti entro pochi giorni."
        with force_locale("en"):
            assert str(italiangas_plugin.SUPPLIER.payment_note) == "Payments are registered in the Area Clienti within a few days."


# --- through HTTP ---------------------------------------------------------------------------------------------


def test_pin_links_the_account_and_the_dashboard_shows_euros(ig_app, smtp_server):
    adapter = _adapter(ig_app)
    identity = _households(adapter)[0]
    client = _customer(ig_app, smtp_server, "mario.rossi@example.it")
    response = client.submit("/accounts/link", {"method": "pin", "pin": identity["pin"]})
    assert response.status_code == 302 and response.location.endswith("/")
    html = client.get("/").get_data(as_text=True)
    number = identity["account_number"]
    assert number in html and "€" in html
    for point in adapter.supply_points(number):
        assert point.identifier in html
    assert adapter.invoices(number)[0].number in html
    assert [link.method for link in _links(ig_app)] == ["pin"]


def test_pin_typed_in_lowercase_with_spaces_and_dashes(ig_app, smtp_server):
    identity = _households(_adapter(ig_app))[1]
    pin = identity["pin"].lower()
    client = _customer(ig_app, smtp_server, "spaces@example.it")
    assert client.submit("/accounts/link", {"method": "pin", "pin": f" {pin[:4]} - {pin[4:]} "}).status_code == 302


def test_unissued_pin_gets_the_generic_answer_and_links_nothing(ig_app, smtp_server):
    client = _customer(ig_app, smtp_server, "guess@example.it")
    response = client.submit("/accounts/link", {"method": "pin", "pin": _unissued_pin(_adapter(ig_app))})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "do not match our records" in html and "field-error" not in html
    assert _links(ig_app) == []
    attempts = _attempts(ig_app)
    assert len(attempts) == 1 and not attempts[0].succeeded and attempts[0].account_key.startswith("pin:")


def test_mistyped_pin_is_a_field_error_and_not_counted(ig_app, smtp_server):
    identity = _households(_adapter(ig_app))[2]
    client = _customer(ig_app, smtp_server, "typo@example.it")
    response = client.submit("/accounts/link", {"method": "pin", "pin": _mistyped(identity["pin"])})
    assert response.status_code == 400
    assert "field-error" in response.get_data(as_text=True) and "welcome letter" in response.get_data(as_text=True)
    assert _links(ig_app) == [] and _attempts(ig_app) == []


def test_admin_code_links_every_condominium_of_the_studio(ig_app, smtp_server):
    administrator = _adapter(ig_app).admin_identities()[0]
    numbers = administrator["account_numbers"]
    client = _customer(ig_app, smtp_server, "studio.bianchi@example.it")
    assert "Administrator code" in client.get("/accounts/link?method=admin_code").get_data(as_text=True)
    response = client.submit("/accounts/link?method=admin_code", {"method": "admin_code", "admin_code": administrator["admin_code"].lower()})
    assert response.status_code == 302
    page = client.get("/accounts/").get_data(as_text=True)
    assert f"{len(numbers)} customer accounts are now linked to your login" in page
    assert f"{len(numbers)} customer accounts linked to your login" in page
    for number in numbers:
        assert number in page
    assert page.count("Condominio ") >= len(numbers)
    assert sorted(_linked_numbers(ig_app)) == sorted(numbers)
    assert {link.method for link in _links(ig_app)} == {"admin_code"}
    dashboard = client.get("/").get_data(as_text=True)
    assert all(number in dashboard for number in numbers)


def test_admin_code_leaves_out_a_condominium_linked_by_someone_else(ig_app, smtp_server):
    adapter = _adapter(ig_app)
    administrator = adapter.admin_identities()[2]
    numbers = administrator["account_numbers"]
    _customer(ig_app, smtp_server, "inquilino@example.it", pin=adapter.pin(numbers[0]))
    admin = _customer(ig_app, smtp_server, "esposito@example.it")
    response = admin.submit("/accounts/link?method=admin_code", {"method": "admin_code", "admin_code": administrator["admin_code"]})
    assert response.status_code == 302
    page = admin.get("/accounts/").get_data(as_text=True)
    assert f"{len(numbers) - 1} customer accounts are now linked" in page
    assert "1 customer account was not linked" in page
    assert numbers[0] not in page and all(n in page for n in numbers[1:])


def test_wrong_admin_code_links_nothing(ig_app, smtp_server):
    client = _customer(ig_app, smtp_server, "impostor@example.it")
    code = make_admin_code(random.Random("impostor"))
    assert _adapter(ig_app).accounts_for_admin_code(code) == ()
    response = client.submit("/accounts/link?method=admin_code", {"method": "admin_code", "admin_code": code})
    assert response.status_code == 400 and "do not match our records" in response.get_data(as_text=True)
    malformed = client.submit("/accounts/link?method=admin_code", {"method": "admin_code", "admin_code": "AM123"})
    assert malformed.status_code == 400 and "field-error" in malformed.get_data(as_text=True)
    assert _links(ig_app) == [] and len(_attempts(ig_app)) == 1


def test_pages_are_italian_by_default_with_the_area_clienti_terms(ig_app, smtp_server):
    login = client_for(ig_app, HOST, language=None).get("/login").get_data(as_text=True)
    assert '<html lang="it">' in login and "Area Clienti Italiangas" in login
    client = _customer(ig_app, smtp_server, "giulia.ferrari@example.it", language=None)
    link = client.get("/accounts/link").get_data(as_text=True)
    assert '<html lang="it">' in link
    assert "PIN Registrazione" in link and "WELCOME LETTER" in link and "SERVIZI ON LINE" in link
    assert "Codice Amministratore (condomìni)" in link
    link_account(client, _households(_adapter(ig_app))[3])
    dashboard = client.get("/").get_data(as_text=True)
    assert "Codice cliente" in dashboard and re.search(r"\d+,\d{2}\s€", dashboard)
    form = client.get("/requests/new/direct_debit").get_data(as_text=True)
    assert '<html lang="it">' in form and "Domiciliazione bancaria" in form and "Intestatario del conto" in form
    assert "4,5 kW" in client.get("/requests/new/power_change").get_data(as_text=True)


@pytest.mark.parametrize(("locale", "label"), [("pl", "PIN rejestracyjny"), ("cs", "Registrační PIN"), ("uk", "Реєстраційний PIN"), ("en", "Registration PIN")])
def test_link_page_in_every_language(ig_app, smtp_server, locale, label):
    client = _customer(ig_app, smtp_server, f"{locale}@example.it", language=locale)
    page = client.get("/accounts/link").get_data(as_text=True)
    assert f'<html lang="{locale}">' in page and label in page and "PIN Registrazione" in page


def _request_form(client, code: str) -> dict:
    page = client.get(f"/requests/new/{code}").get_data(as_text=True)
    return {
        "account": re.search(r'<select id="account" name="account".*?<option value="(\d+)"', page, re.S).group(1),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', page).group(1),
    }


def test_direct_debit_request_through_the_portal_accepted_for_the_holder(ig_app, smtp_server):
    adapter = _adapter(ig_app)
    number = _households(adapter)[4]["account_number"]
    client = _customer(ig_app, smtp_server, "holder@example.it", pin=adapter.pin(number))
    form = {
        **_request_form(client, DIRECT_DEBIT), "iban": IT_IBAN, "mandate": "1",
        "account_holder_name": adapter.find_account(number).holder_name, "tax_code": adapter.tax_code(number),
    }
    response = client.submit(f"/requests/new/{DIRECT_DEBIT}", form)
    assert response.status_code == 302
    assert "accepted by the supplier" in client.get(response.location).get_data(as_text=True)
    sent = adapter.submitted_requests(number)
    assert [s.request_type for _, s in sent] == [DIRECT_DEBIT] and sent[0][1].data["iban"] == compact(IT_IBAN)


def test_direct_debit_on_someone_elses_account_is_rejected_with_the_reason(ig_app, smtp_server):
    adapter = _adapter(ig_app)
    number = _households(adapter)[5]["account_number"]
    client = _customer(ig_app, smtp_server, "notholder@example.it", pin=adapter.pin(number))
    form = {**_request_form(client, DIRECT_DEBIT), "iban": DE_IBAN, "mandate": "1",
            "account_holder_name": "Manuel Rocca", "tax_code": VALID_CF}
    response = client.submit(f"/requests/new/{DIRECT_DEBIT}", form)
    detail = client.get(response.location).get_data(as_text=True)
    assert "rejected" in detail
    assert "The holder of the bank account must be the holder of the contract" in detail
    assert "intestatario" not in detail  # the back-office's Italian stays with staff
    assert adapter.submitted_requests(number) == []


def test_instalments_for_a_paid_bill_are_refused_in_the_customers_language(ig_app, smtp_server):
    adapter = _adapter(ig_app)
    number = _households(adapter)[7]["account_number"]
    paid = next(i for i in adapter.invoices(number) if i.status is InvoiceStatus.PAID)
    client = _customer(ig_app, smtp_server, "rate@example.it", pin=adapter.pin(number))
    form = {**_request_form(client, INSTALMENT_PLAN), "invoice_number": paid.number, "instalments": "3"}
    response = client.submit(f"/requests/new/{INSTALMENT_PLAN}", form)
    assert response.status_code == 302
    detail = client.get(response.location).get_data(as_text=True)
    assert "rejected" in detail and "This bill is already paid, so it cannot be paid in instalments." in detail
    assert "già pagata" not in detail and "rateizzarla" not in detail
    listing = client.get("/requests/").get_data(as_text=True)
    assert "rejected" in listing
    with ig_app.app_context(), tenant_context("italiangas"):
        [filed] = db.session.execute(select(ServiceRequest)).scalars().all()
        assert (filed.status, filed.reject_reason) == ("rejected", "invoice_already_paid")


def test_bad_request_input_is_refused_in_italian_and_stores_nothing(ig_app, smtp_server):
    adapter = _adapter(ig_app)
    client = _customer(ig_app, smtp_server, "recapito@example.it", language="it", pin=_households(adapter)[6]["pin"])
    form = {**_request_form(client, BILLING_ADDRESS), **ADDRESS, "postcode": "0016", "province": "XX"}
    response = client.submit(f"/requests/new/{BILLING_ADDRESS}", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Inserisci il CAP di cinque cifre" in html and "sigla della provincia" in html
    with ig_app.app_context(), tenant_context("italiangas"):
        assert db.session.execute(select(ServiceRequest)).first() is None


# --- theme ----------------------------------------------------------------------------------------------------


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first: str, second: str) -> float:
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_theme_colours_reach_wcag_aa_and_the_logo_is_our_own():
    manifest = json.loads((THEME / "theme.json").read_text(encoding="utf-8"))
    assert manifest["name"] == "Area Clienti Italiangas"
    colours = manifest["colours"]
    pairs = [("text", "background"), ("text", "surface"), ("muted", "surface"), ("muted", "background"),
             ("accent", "surface"), ("accent", "background"), ("on_primary", "primary"),
             ("danger", "surface"), ("success", "surface")]
    for foreground, background in pairs:
        assert _contrast(colours[foreground], colours[background]) >= 4.5, (foreground, background)
    logo = (THEME / "static" / "logo.svg").read_text(encoding="utf-8")
    assert "<title" in logo and "Area Clienti Italiangas" in logo and "<image" not in logo


def test_supplier_description():
    info = italiangas_plugin.SUPPLIER
    assert (info.country, info.currency, info.timezone, info.default_locale) == ("IT", "EUR", "Europe/Rome", "it")
    assert info.supported_locales == ("it", "en", "pl", "cs", "uk") and info.theme == "italiangas"


# --- registration with the PIN Registrazione ------------------------------------------------------------------

REGISTRATION = "/registrazione/"
REGISTRATION_LOGIN = "/registrazione/accesso"
NEW_PASSWORD = "una password lunga"


def _users(app):
    from core.models import User

    with app.app_context(), tenant_context("italiangas"):
        return db.session.execute(select(User)).scalars().all()


def _register_with_pin(client, smtp_server, pin: str, email: str) -> str:
    """Steps 1 and 2; returns the path of the activation link mailed to ``email``."""
    response = client.submit(REGISTRATION, {"pin": pin})
    assert response.status_code == 302 and response.location.endswith(REGISTRATION_LOGIN), response.get_data(as_text=True)
    response = client.submit(REGISTRATION_LOGIN, {"email": email, "password": NEW_PASSWORD,
                                                  "password_confirm": NEW_PASSWORD, "accept_terms": "1"})
    assert response.status_code == 302 and response.location.endswith("/register/check-inbox")
    link = smtp_server.last_link(email)
    assert "/registrazione/attiva/" in link
    return link.split(HOST, 1)[1]


def test_pin_registration_links_the_supply_on_activation_and_mails_a_summary(ig_app, smtp_server):
    adapter = _adapter(ig_app)
    identity = _households(adapter)[7]
    number = identity["account_number"]
    client = client_for(ig_app, HOST)
    login_page = client.get("/login").get_data(as_text=True)
    assert 'href="/registrazione/"' in login_page and "Register with your PIN" in login_page
    assert 'href="/registrazione/"' in client.get("/register").get_data(as_text=True)

    response = client.submit(REGISTRATION, {"pin": identity["pin"].lower()})
    step_two = client.get(response.location).get_data(as_text=True)
    assert "Step 2 of 2" in step_two and number in step_two
    path = _register_with_pin(client, smtp_server, identity["pin"], "anna.conti@example.it")
    assert _links(ig_app) == []  # nothing linked for an address nobody has confirmed yet
    activation_mail = smtp_server.wait_for("anna.conti@example.it")[-1]
    assert "Activate your login in Area Clienti Italiangas" in activation_mail["Subject"]

    wrong = client.submit(path, {"password": "not the one chosen"})
    assert wrong.status_code == 400 and "not the password you chose" in wrong.get_data(as_text=True)
    assert _links(ig_app) == [] and _users(ig_app)[0].activated_at is None
    response = client.submit(path, {"password": NEW_PASSWORD})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert "1 customer account is linked to it" in client.get("/login").get_data(as_text=True)
    assert client.submit(path, {"password": NEW_PASSWORD}).status_code == 400  # the link works once
    assert _linked_numbers(ig_app) == [number] and [link.method for link in _links(ig_app)] == ["pin"]

    summary = smtp_server.wait_for("anna.conti@example.it", count=2)[-1]
    body = summary.get_content()
    assert summary["Subject"] == "Your registration in Area Clienti Italiangas: summary"
    assert "Login (e-mail address): anna.conti@example.it" in body and f"Customer code {number}" in body
    for point in adapter.supply_points(number):
        assert point.identifier in body
    assert "What to do next:" in body and f"https://{HOST}/login" in body
    assert sign_in(client, "anna.conti@example.it", NEW_PASSWORD).status_code == 302
    assert number in client.get("/").get_data(as_text=True)


def test_customers_have_one_way_to_register_and_the_e_mail_form_is_the_administrators(ig_app, smtp_server):
    visitor = client_for(ig_app, HOST)
    login = visitor.get("/login").get_data(as_text=True)
    assert "Create an account" not in login  # the core's e-mail registration is no second way in
    assert re.findall(r'href="(/regist[^"]*)"', login) == ["/registrazione/", "/register"]
    assert ('Condominium administrator with a Codice Amministratore? <a href="/register">Register as an administrator</a>'
            in login)
    register = visitor.get("/register").get_data(as_text=True)
    assert "<title>Register as a condominium administrator" in register
    assert "<h1>Register as a condominium administrator</h1>" in register and "enter the code to add every condominium" in register
    customers = register.split('role="note">', 1)[1].split("</p>", 1)[0]
    assert "Customers register with the PIN Registrazione" in customers and 'href="/registrazione/"' in customers
    pin = visitor.get(REGISTRATION).get_data(as_text=True)
    assert "link your supply later" not in pin and re.findall(r'href="(/regist[^"]*)"', pin) == ["/register"]
    assert 'No PIN at hand? <a href="/help/contact">Ask customer service</a>' in pin
    faq = visitor.get("/help/").get_data(as_text=True).split("How do I create a login?", 1)[1].split("<h3>", 1)[0]
    assert "PIN Registrazione" in faq and 'href="/registrazione/"' in faq and 'href="/register"' not in faq
    italian = client_for(ig_app, HOST, language=None)
    assert "Registrati come amministratore di condominio" in italian.get("/register").get_data(as_text=True)
    assert "Sei un amministratore di condominio con il Codice Amministratore?" in italian.get("/login").get_data(as_text=True)
    # the administrators' form registers a login, which then takes the Codice Amministratore
    client, numbers = _administrator(ig_app, smtp_server, 0, "studio.nuovo@example.it")
    assert sorted(_linked_numbers(ig_app)) == sorted(numbers)


def test_summary_mail_is_in_the_language_of_the_registration(ig_app, smtp_server):
    identity = _households(_adapter(ig_app))[8]
    client = client_for(ig_app, HOST, language=None)  # Italian, the brand's default
    page = client.get(REGISTRATION).get_data(as_text=True)
    assert '<html lang="it">' in page and "PIN Registrazione" in page
    path = _register_with_pin(client, smtp_server, identity["pin"], "luca.greco@example.it")
    assert client.submit(path, {"password": NEW_PASSWORD}).status_code == 302
    summary = smtp_server.wait_for("luca.greco@example.it", count=2)[-1]
    assert summary["Subject"] == "La tua registrazione all'Area Clienti Italiangas: riepilogo"
    assert "Cosa fare ora" in summary.get_content() and identity["account_number"] in summary.get_content()


def test_wrong_pin_is_refused_and_counted_until_the_visitor_is_stopped(ig_app, smtp_server):
    adapter = _adapter(ig_app)
    client = client_for(ig_app, HOST)
    mistyped = client.submit(REGISTRATION, {"pin": _mistyped(_households(adapter)[9]["pin"])})
    assert mistyped.status_code == 400 and "field-error" in mistyped.get_data(as_text=True)  # a typo: not counted
    limit = ig_app.config["VERIFICATION_MAX_FAILURES"]
    for pin in _unissued_pins(adapter, limit):
        response = client.submit(REGISTRATION, {"pin": pin})
        assert response.status_code == 400 and "This PIN does not match our records" in response.get_data(as_text=True)
    assert client.get(REGISTRATION_LOGIN).status_code == 302  # no proof in the session
    right = client.submit(REGISTRATION, {"pin": _households(adapter)[9]["pin"]})
    assert right.status_code == 429  # the failures are counted: even the right PIN waits now
    other_visitor = client_for(ig_app, HOST)
    other_visitor.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert other_visitor.submit(REGISTRATION, {"pin": _households(adapter)[9]["pin"]}).status_code == 302
    assert _users(ig_app) == [] and _links(ig_app) == []


def test_the_second_step_cannot_be_reached_without_the_pin(ig_app, smtp_server):
    client = client_for(ig_app, HOST)
    response = client.get(REGISTRATION_LOGIN)
    assert response.status_code == 302 and response.location.endswith(REGISTRATION)
    client.get(REGISTRATION)
    form = {"csrf_token": client.last_csrf, "email": "skip@example.it", "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD, "accept_terms": "1"}
    response = client.post(REGISTRATION_LOGIN, data=form)
    assert response.status_code == 302 and response.location.endswith(REGISTRATION)
    assert "Start with the PIN Registrazione" in client.get(REGISTRATION).get_data(as_text=True)
    assert _users(ig_app) == [] and not smtp_server.messages


def test_pin_registration_of_a_registered_supply_or_address(ig_app, smtp_server):
    adapter = _adapter(ig_app)
    first, second = _households(adapter)[10:12]
    _customer(ig_app, smtp_server, "owner@example.it", pin=first["pin"])
    visitor = client_for(ig_app, HOST)
    taken = visitor.submit(REGISTRATION, {"pin": first["pin"]})
    assert taken.status_code == 409 and "already registered in the Area Clienti" in taken.get_data(as_text=True)
    assert visitor.get(REGISTRATION_LOGIN).status_code == 302
    # An address that already has an active login gets the usual "already registered" mail.
    visitor.submit(REGISTRATION, {"pin": second["pin"]})
    response = visitor.submit(REGISTRATION_LOGIN, {"email": "owner@example.it", "password": NEW_PASSWORD,
                                                   "password_confirm": NEW_PASSWORD, "accept_terms": "1"})
    assert response.status_code == 302 and response.location.endswith("/register/check-inbox")
    reminder = smtp_server.wait_for("owner@example.it", count=2)[-1]
    assert "Registration attempt" in reminder["Subject"]
    assert _linked_numbers(ig_app) == [first["account_number"]]


def test_bad_login_data_in_the_second_step_keeps_the_pin(ig_app, smtp_server):
    identity = _households(_adapter(ig_app))[12]
    client = client_for(ig_app, HOST)
    client.submit(REGISTRATION, {"pin": identity["pin"]})
    response = client.submit(REGISTRATION_LOGIN, {"email": "nope", "password": "short", "password_confirm": "other"})
    assert response.status_code == 400 and "field-error" in response.get_data(as_text=True)
    assert _users(ig_app) == []
    assert client.get(REGISTRATION_LOGIN).status_code == 200  # still on step 2


# --- condominium administrators' pages ------------------------------------------------------------------------


def _administrator(app, smtp_server, index: int, email: str, language: str | None = "en"):
    administrator = _adapter(app).admin_identities()[index]
    client = linked_customer(client_for(app, HOST, language=language), smtp_server, administrator, email, method="admin_code")
    return client, administrator["account_numbers"]


def _account_ids(app) -> dict[str, int]:
    from core.models import BillingAccount

    with app.app_context(), tenant_context("italiangas"):
        return {a.number: a.id for a in db.session.execute(select(BillingAccount)).scalars()}


def _requests(app) -> list[tuple[str, str, str]]:
    with app.app_context(), tenant_context("italiangas"):
        return [(r.account.number, r.request_type, r.status) for r in db.session.execute(select(ServiceRequest)).scalars()]


def _outbox(app) -> list:
    """The writes bound for the back-end (mail goes through the outbox too)."""
    from core.models import OutboxMessage

    with app.app_context(), tenant_context("italiangas"):
        return db.session.execute(select(OutboxMessage).where(TO_SUPPLIER)).scalars().all()


def _submit_for_all(client, path: str, data: dict):
    """Post an operation for all condominiums as a browser would: with the form's own key."""
    page = client.get(path).get_data(as_text=True)
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    return client.post(path, data={"csrf_token": client.last_csrf, "submission_key": key, **data})


def test_administrator_sees_every_condominium_with_its_supplies(ig_app, smtp_server):
    adapter = _adapter(ig_app)
    client, numbers = _administrator(ig_app, smtp_server, 0, "studio@example.it")
    dashboard = client.get("/").get_data(as_text=True)
    assert 'href="/condomini/"' in dashboard and "Condominiums" in dashboard
    page = client.get("/condomini/").get_data(as_text=True)
    assert f"Condominiums you administer and their supplies ({len(numbers)})" in page
    for number in numbers:
        assert number in page and adapter.find_account(number).holder_name in page
        for point in adapter.supply_points(number):
            assert point.identifier in page
    # a debt reads the same here as on the dashboard: an amount to pay, never a negative one
    assert not re.search(r">\s*-\d", page) and "to pay" in page
    for number in numbers:  # the dashboard names each condominium, and adds them up
        assert f"{adapter.find_account(number).holder_name} · Customer number: {number}" in dashboard
    assert "All your accounts together" in dashboard


def test_condominium_pages_are_for_administrators_only(ig_app, smtp_server):
    assert client_for(ig_app, HOST).get("/condomini/").status_code == 302  # sign in first
    household = _customer(ig_app, smtp_server, "famiglia@example.it", pin=_households(_adapter(ig_app))[13]["pin"])
    for path in ("/condomini/", "/condomini/fatture", "/condomini/recapito", "/condomini/aggiungi"):
        response = household.get(path)  # invited to enter the Codice Amministratore
        assert response.status_code == 302 and response.location.endswith("/accounts/link?method=admin_code"), path
    household.get("/condomini/")
    assert household.post("/condomini/1/rimuovi", data={"csrf_token": household.last_csrf}).status_code == 302
    assert len(_links(ig_app)) == 1
    assert 'href="/condomini/"' not in household.get("/").get_data(as_text=True)


def test_condominium_pages_are_not_served_for_another_supplier(make_app, smtp_server):
    app = make_app(plugins=[plugins.italiangas_it.plugin], TENANTS={**TENANTS, "innogy": {"plugin": "innogy_pl", "hosts": ["innogy.test"]}})
    other = client_for(app, "innogy.test")
    assert other.get("/condomini/").status_code == 404 and other.get(REGISTRATION).status_code == 404


def test_add_a_condominium_with_its_pin(ig_app, smtp_server):
    adapter = _adapter(ig_app)
    client, numbers = _administrator(ig_app, smtp_server, 0, "studio@example.it")
    newcomer = adapter.admin_identities()[1]["account_numbers"][0]
    wrong = client.submit("/condomini/aggiungi", {"method": "pin", "pin": _unissued_pin(adapter)})
    assert wrong.status_code == 400 and "does not match our records" in wrong.get_data(as_text=True)
    assert [a.succeeded for a in _attempts(ig_app) if a.method == "pin"] == [False]
    response = client.submit("/condomini/aggiungi", {"method": "pin", "pin": adapter.pin(newcomer)})
    assert response.status_code == 302 and response.location.endswith("/condomini/")
    page = client.get("/condomini/").get_data(as_text=True)
    assert "1 condominium added." in page and newcomer in page
    assert sorted(_linked_numbers(ig_app)) == sorted([*numbers, newcomer])


def _household_administrator(app, smtp_server, email: str, household: int = 14, index: int = 0):
    """A customer with their own supply (linked with its PIN) who then enters a Codice Amministratore."""
    adapter = _adapter(app)
    own = _households(adapter)[household]["account_number"]
    administrator = adapter.admin_identities()[index]
    client = _customer(app, smtp_server, email, pin=adapter.pin(own))
    link_account(client, administrator, method="admin_code")
    return client, own, administrator["account_numbers"]


def test_the_administrators_own_supply_is_not_one_of_the_condominiums(ig_app, smtp_server):
    adapter = _adapter(ig_app)
    client, own, numbers = _household_administrator(ig_app, smtp_server, "giulia.deluca@example.it")
    holder = adapter.find_account(own).holder_name
    page = client.get("/condomini/").get_data(as_text=True)
    table = page.split("</h1>", 1)[1].split("</table>", 1)[0]
    assert f"Condominiums you administer and their supplies ({len(numbers)})" in table
    assert own not in table and holder not in table and f"Remove {holder}" not in page
    assert all(number in table for number in numbers)
    apart = _section(page, "own-supplies")
    assert "Your own supplies" in apart and f"{holder} <span" in apart and own in apart and 'href="/accounts/"' in apart
    own_id = _account_ids(ig_app)[own]
    assert client.get(f"/condomini/{own_id}/rimuovi").status_code == 404
    assert client.post(f"/condomini/{own_id}/rimuovi", data={"csrf_token": client.last_csrf}).status_code == 404
    assert own in _linked_numbers(ig_app)
    # what is done for all condominiums leaves it out
    address = _main(client.get("/condomini/recapito").get_data(as_text=True))
    assert own not in address and all(number in address for number in numbers)
    assert _submit_for_all(client, "/condomini/recapito", ADDRESS).status_code == 302
    assert sorted(number for number, _kind, _status in _requests(ig_app)) == sorted(numbers)
    bills = _main(client.get("/condomini/bolletta-email").get_data(as_text=True))
    assert own not in bills and bills.count("no, on paper") == len(numbers)
    assert holder not in _main(client.get("/condomini/fatture").get_data(as_text=True))
    # the supply is still the customer's own, on the dashboard and in My accounts
    assert own in client.get("/accounts/").get_data(as_text=True)


def test_an_own_supply_added_on_the_condominium_pages_becomes_a_condominium(ig_app, smtp_server):
    adapter = _adapter(ig_app)
    administrator = adapter.admin_identities()[1]
    first, *others = administrator["account_numbers"]
    # registered with one condominium's PIN; the studio's code entered later on "My accounts"
    client = _customer(ig_app, smtp_server, "greco.colombo@example.it", pin=adapter.pin(first))
    link_account(client, administrator, method="admin_code")
    page = client.get("/condomini/").get_data(as_text=True)
    assert f"Condominiums you administer and their supplies ({len(others)})" in page and first in _section(page, "own-supplies")
    code = {"method": "admin_code", "admin_code": administrator["admin_code"]}
    assert client.submit("/condomini/aggiungi?method=admin_code", code).status_code == 302
    page = client.get("/condomini/").get_data(as_text=True)
    assert "1 condominium added." in page and "own-supplies" not in page
    assert f"Condominiums you administer and their supplies ({len(others) + 1})" in page
    assert set(_link_methods(ig_app).values()) == {"admin_code"}
    assert client.submit("/condomini/aggiungi?method=admin_code", code).status_code == 302
    assert "This condominium is already among yours." in client.get("/condomini/").get_data(as_text=True)
    # a household added with its PIN on these pages is a condominium, not the administrator's own supply
    other = _households(adapter)[15]["account_number"]
    assert client.submit("/condomini/aggiungi", {"method": "pin", "pin": adapter.pin(other)}).status_code == 302
    assert _link_methods(ig_app)[other] == "condominium_pin"
    assert other in client.get("/condomini/").get_data(as_text=True).split("</table>", 1)[0]


def _due_first(adapter, numbers: list[str]) -> list[str]:
    """The accounts with an unpaid bill due on the nearest due date of ``numbers``."""
    unpaid = {n: [i.due_on for i in adapter.invoices(n) if i.status not in (InvoiceStatus.PAID, InvoiceStatus.CANCELLED)]
              for n in numbers}
    nearest = min(day for days in unpaid.values() for day in days)
    return [n for n in numbers if nearest in unpaid[n]]


def test_the_next_payment_names_the_condominiums_it_is_for(ig_app, smtp_server):
    adapter = _adapter(ig_app)
    client, numbers = _administrator(ig_app, smtp_server, 0, "studio@example.it", language="it")
    due = _due_first(adapter, numbers)
    for path in ("/", "/payments/"):
        card = _section(client.get(path).get_data(as_text=True), "next-due")
        for number in numbers:
            named = f"{adapter.find_account(number).holder_name} · Codice cliente: {number}" in card
            assert named == (number in due), (path, number)
        if len(due) > 1:  # with the part of each
            assert card.count(" €</p>") == len(due), path
    payments = client.get("/payments/").get_data(as_text=True)
    for number in numbers:  # the balances on the payments page name their condominium too
        assert f"{adapter.find_account(number).holder_name} · Codice cliente: {number}" in _section(payments, f"balance-{_account_ids(ig_app)[number]}")
    household = _customer(ig_app, smtp_server, "famiglia@example.it", language="it", pin=_households(adapter)[13]["pin"])
    card = _section(household.get("/").get_data(as_text=True), "next-due")
    assert "Codice cliente" not in card  # one account: nothing to tell apart


def test_the_bill_says_whether_it_is_on_actual_or_estimated_consumption(ig_app, smtp_server):
    from core.models import Invoice

    adapter = _adapter(ig_app)
    identity = next(i for i in _households(adapter)
                    if {"regular", "forecast"} <= {invoice.kind for invoice in adapter.invoices(i["account_number"])})
    client = _customer(ig_app, smtp_server, "bolletta@example.it", language="it", pin=identity["pin"])
    titles = {"regular": "Bolletta – consumi effettivi", "forecast": "Bolletta – consumi stimati"}
    with ig_app.app_context(), tenant_context("italiangas"):
        ids = {i.number: i.id for i in db.session.execute(select(Invoice)).scalars()}
    for kind, title in titles.items():
        invoice = next(i for i in adapter.invoices(identity["account_number"]) if i.kind == kind)
        response = client.get(f"/invoices/{ids[invoice.number]}/pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        printed = [run.text for run in text_runs(response.data)]
        assert title in printed and titles[{"regular": "forecast", "forecast": "regular"}[kind]] not in printed, kind


def test_remove_a_condominium_keeps_its_billing_data(ig_app, smtp_server):
    from core.models import BillingAccount, Invoice

    client, numbers = _administrator(ig_app, smtp_server, 0, "studio@example.it")
    ids = _account_ids(ig_app)
    gone = numbers[1]
    assert "no longer" not in client.get(f"/condomini/{ids[gone]}/rimuovi").get_data(as_text=True)
    response = client.submit(f"/condomini/{ids[gone]}/rimuovi")
    assert response.status_code == 302
    page = client.get("/condomini/").get_data(as_text=True)
    assert "is no longer among your condominiums" in page and gone not in page.split("</h1>", 1)[1].split("</caption>")[1]
    assert sorted(_linked_numbers(ig_app)) == sorted(n for n in numbers if n != gone)
    with ig_app.app_context(), tenant_context("italiangas"):
        account = db.session.execute(select(BillingAccount).where(BillingAccount.number == gone)).scalar_one()
        assert db.session.execute(select(Invoice).where(Invoice.account_id == account.id)).first() is not None
    assert client.get(f"/condomini/{ids[gone]}/rimuovi").status_code == 404  # no longer theirs


def test_another_administrators_condominium_is_not_found(ig_app, smtp_server):
    first, first_numbers = _administrator(ig_app, smtp_server, 0, "studio.uno@example.it")
    _second, second_numbers = _administrator(ig_app, smtp_server, 1, "studio.due@example.it")
    ids = _account_ids(ig_app)
    foreign = ids[second_numbers[0]]
    assert first.get(f"/condomini/{foreign}/rimuovi").status_code == 404
    first.get("/condomini/")
    assert first.post(f"/condomini/{foreign}/rimuovi", data={"csrf_token": first.last_csrf}).status_code == 404
    assert sorted(_linked_numbers(ig_app)) == sorted(first_numbers + second_numbers)
    invoices = first.get("/condomini/fatture").get_data(as_text=True)
    assert all(number not in invoices for number in second_numbers)


def test_billing_address_for_all_files_one_request_per_condominium_through_the_outbox(ig_app, smtp_server):
    adapter = _adapter(ig_app)
    client, numbers = _administrator(ig_app, smtp_server, 0, "studio@example.it")
    page = client.get("/condomini/recapito").get_data(as_text=True)
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    form = {**ADDRESS, "submission_key": key}
    response = client.submit("/condomini/recapito", form)
    assert response.status_code == 302 and response.location.endswith("/requests/")
    assert f"{len(numbers)} requests received, one for each condominium." in client.get("/requests/").get_data(as_text=True)
    assert sorted(_requests(ig_app)) == sorted((n, BILLING_ADDRESS, "accepted") for n in numbers)
    assert len(_outbox(ig_app)) == len(numbers) and {m.status for m in _outbox(ig_app)} == {"delivered"}
    for number in numbers:
        sent = adapter.submitted_requests(number)
        assert [s.request_type for _, s in sent] == [BILLING_ADDRESS]
        assert sent[0][1].data == {**ADDRESS, "province": "RM"}
    again = client.post("/condomini/recapito", data={"csrf_token": client.last_csrf, **form})  # a double click
    assert again.status_code == 302 and len(_requests(ig_app)) == len(numbers)
    assert all(len(adapter.submitted_requests(n)) == 1 for n in numbers)


def test_bad_billing_address_changes_nothing(ig_app, smtp_server):
    client, _numbers = _administrator(ig_app, smtp_server, 1, "studio@example.it", language="it")
    response = _submit_for_all(client, "/condomini/recapito", {**ADDRESS, "postcode": "0016", "province": "XX"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Inserisci il CAP di cinque cifre" in html and "sigla della provincia" in html
    expired = client.submit("/condomini/recapito", {**ADDRESS, "submission_key": "short"})
    assert expired.status_code == 400
    assert _requests(ig_app) == [] and _outbox(ig_app) == []


def test_email_bills_for_all_condominiums_through_the_e_invoice_consent(ig_app, smtp_server):
    from core.profile.models import ConsentEvent

    adapter = _adapter(ig_app)
    client, numbers = _administrator(ig_app, smtp_server, 2, "amministrazione@example.it")
    page = client.get("/condomini/bolletta-email").get_data(as_text=True)
    assert "amministrazione@example.it" in page and page.count("no, on paper") == len(numbers)
    unticked = client.submit("/condomini/bolletta-email", {})
    assert unticked.status_code == 400 and "Tick the box" in unticked.get_data(as_text=True)
    assert _outbox(ig_app) == []
    response = client.submit("/condomini/bolletta-email", {"consent": "1"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert f"Bills by e-mail requested for {len(numbers)} condominiums." in page and "no, on paper" not in page
    with ig_app.app_context(), tenant_context("italiangas"):
        events = db.session.execute(select(ConsentEvent)).scalars().all()
        assert sorted(e.account.number for e in events) == sorted(numbers) and {e.status for e in events} == {"accepted"}
    assert len(_outbox(ig_app)) == len(numbers)
    for number in numbers:
        [(_key, sent)] = adapter.submitted_requests(number)
        assert sent.data == {"enabled": True, "email": "amministrazione@example.it"}
    again = client.submit("/condomini/bolletta-email", {"consent": "1"})  # already on: nothing new
    assert "already receives its bills by e-mail" in client.get(again.location).get_data(as_text=True)
    assert len(_outbox(ig_app)) == len(numbers)


def test_invoices_of_all_condominiums_in_pages_with_a_fixed_number_of_queries(ig_app, smtp_server):

    adapter = _adapter(ig_app)
    client, numbers = _administrator(ig_app, smtp_server, 0, "studio@example.it")
    newest = sorted((i for n in numbers for i in adapter.invoices(n)), key=lambda i: i.issued_on, reverse=True)
    first = client.get("/condomini/fatture").get_data(as_text=True)
    assert "Invoices of your condominiums, newest first (page 1)" in first and newest[0].number in first
    assert first.count('<tr>') - 1 == 20 and 'href="/condomini/fatture?page=2"' in first
    assert "€" in first and re.search(r"\d{1,2}/\d{1,2}/\d{2}", first)
    second = client.get("/condomini/fatture?page=2").get_data(as_text=True)
    assert 'href="/condomini/fatture?page=1"' in second and newest[0].number not in second

    pages = ("/condomini/", "/condomini/fatture")
    before = [count_queries(ig_app, client, path) for path in pages]
    more = client.submit("/condomini/aggiungi?method=admin_code", {"method": "admin_code", "admin_code": adapter.admin_identities()[1]["admin_code"]})
    assert more.status_code == 302 and len(_linked_numbers(ig_app)) > len(numbers)
    assert [count_queries(ig_app, client, path) for path in pages] == before  # the same with more condominiums


@pytest.mark.parametrize(("locale", "title"), [
    ("en", "Your condominiums"), ("it", "I tuoi condomìni"), ("pl", "Twoje wspólnoty"), ("cs", "Vaše společenství vlastníků"), ("uk", "Ваші багатоквартирні будинки"),
])
def test_plugin_pages_in_every_language(ig_app, smtp_server, locale, title):
    visitor = client_for(ig_app, HOST, language=locale)
    for path in (REGISTRATION, "/login", "/register"):
        response = visitor.get(path)
        assert response.status_code == 200 and f'<html lang="{locale}">' in response.get_data(as_text=True), path
    client, _numbers = _administrator(ig_app, smtp_server, 0, f"studio.{locale}@example.it", language=locale)
    for path in ("/condomini/", "/condomini/aggiungi", "/condomini/recapito", "/condomini/bolletta-email", "/condomini/fatture"):
        response = client.get(path)
        assert response.status_code == 200 and f'<html lang="{locale}">' in response.get_data(as_text=True), path
    assert title in client.get("/condomini/").get_data(as_text=True)


# --- in a browser: the PIN registration and the administrator's pages on a phone ------------------------------


@pytest.fixture
def brand():
    """The browser fixtures of tests/support/browser.py, for the Italiangas brand only."""
    return "italiangas"


def _no_sideways_scrolling(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


@pytest.mark.browser
def test_pin_registration_and_condominium_pages_in_a_phone_browser(browser_portal, browser_page):  # noqa: F811
    from tests.support.browser import audit

    app, base = browser_portal
    page = browser_page
    adapter = app.extensions["portal_tenants"]["italiangas"].adapter
    identity = _households(adapter)[0]
    page.goto(base + "/login")
    page.click("a[href='/registrazione/']")
    audit(page)
    page.fill("#pin", identity["pin"])
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/registrazione/accesso")
    assert identity["account_number"] in page.locator("main").inner_text()
    audit(page)
    page.fill("#email", "giovanna@italiangas.example.com")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#password_confirm", NEW_PASSWORD)
    page.check("#accept_terms")
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/register/check-inbox")
    page.goto(base + "/demo/mailbox")
    page.locator("a[href*='/registrazione/attiva/']").first.click()
    audit(page)
    page.fill("#password", NEW_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/login")
    page.fill("#email", "giovanna@italiangas.example.com")
    page.fill("#password", NEW_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + "/")
    assert identity["account_number"] in page.locator("main").inner_text()

    administrator = adapter.admin_identities()[0]
    page.goto(base + "/accounts/link?method=admin_code")
    page.fill("#admin_code", administrator["admin_code"])
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + "/")
    page.click("button.menu-toggle")  # on a phone the menu opens first
    page.click("a[href='/condomini/']")
    for path in ("/condomini/", "/condomini/recapito", "/condomini/bolletta-email", "/condomini/fatture", "/condomini/aggiungi"):
        page.goto(base + path)
        assert page.locator("html").get_attribute("lang") == "it"
        audit(page)
        _no_sideways_scrolling(page)
    assert page.console_errors == []


def _hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def test_voltura_is_filed_in_two_steps_that_cannot_be_skipped(ig_app, smtp_server):
    identity = _households(_adapter(ig_app))[3]
    [point, *_others] = _adapter(ig_app).supply_points(identity["account_number"])
    client = _customer(ig_app, smtp_server, "voltura@example.it", pin=identity["pin"])
    path = f"/requests/new/{VOLTURA}"
    holder = {k: GOOD[VOLTURA][k] for k in ("new_holder_first_name", "new_holder_last_name", "tax_code",
                                           "document_type", "document_number")}
    supply = {"supply_point": point.identifier, "meter_reading": GOOD[VOLTURA]["meter_reading"]}
    first = client.get(path).get_data(as_text=True)
    assert "Step 1 of 2" in first and 'name="tax_code"' in first and 'name="supply_point"' not in first
    account = re.search(r'name="account"[^>]*>\s*<option value="(\d+)"', first).group(1)
    key = _hidden(first, "submission_key")

    def post(step: int, fields: dict, progress: str = "", **extra):
        return client.submit(path, {"submission_key": key, "step": str(step), "progress": progress, **fields, **extra})

    skipped = post(2, supply)  # straight to the last step, without the first
    assert skipped.status_code == 400
    assert "Step 1 of 2" in skipped.get_data(as_text=True) and "complete this step first" in skipped.get_data(as_text=True)
    wrong = post(1, {**holder, "new_holder_first_name": "Giulia"}, account=account)
    assert wrong.status_code == 400 and "Step 1 of 2" in wrong.get_data(as_text=True)
    second = post(1, holder, account=account)
    assert second.status_code == 200
    page = second.get_data(as_text=True)
    assert "Step 2 of 2" in page and 'name="supply_point"' in page and 'name="tax_code"' not in page
    assert f'<option value="{point.identifier}"' in page  # chosen from the account's supplies, not typed
    progress = _hidden(page, "progress")
    altered = post(2, supply, progress[:-4] + ("AAAA" if not progress.endswith("AAAA") else "BBBB"))
    assert altered.status_code == 400 and "Step 1 of 2" in altered.get_data(as_text=True)
    back = post(2, supply, progress, back="1")
    assert "Step 1 of 2" in back.get_data(as_text=True) and 'value="Manuel"' in back.get_data(as_text=True)
    with ig_app.app_context(), tenant_context("italiangas"):
        assert db.session.execute(select(ServiceRequest)).first() is None  # nothing filed on the way
    filed = post(2, supply, progress)
    assert filed.status_code == 302
    with ig_app.app_context(), tenant_context("italiangas"):
        request = db.session.execute(select(ServiceRequest)).scalar_one()
        assert request.request_type == VOLTURA
        assert request.data["tax_code"] == VALID_CF and request.data["supply_point"] == point.identifier
    assert post(2, supply, progress).status_code == 302  # the same submission again files nothing new
    with ig_app.app_context(), tenant_context("italiangas"):
        assert len(db.session.execute(select(ServiceRequest)).scalars().all()) == 1
