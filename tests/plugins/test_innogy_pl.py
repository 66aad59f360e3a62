"""The innogy identity method (customer number + invoice data) against the innogy demo back-end,
and the plugin's rules that depend on its data (no Flask app needed); then what an innogy
customer reads through the portal: the offers' prices, the supply point codes of the
invoices, the note that the invoices prevail."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import Invoice
from core.service_requests.models import ServiceRequest
from core.service_requests.service import account_errors
from plugins.innogy_pl import plugin
from plugins.innogy_pl.adapter import InnogyDemoBackend
from plugins.innogy_pl.identity import INVOICE_METHOD
from plugins.innogy_pl.request_types import REQUEST_TYPES
from tests.conftest import client_for, link_account, linked_customer
from tests.demo.test_demo_backend import (
    CENT,
    backend,  # noqa: F401 - fixtures
    stoen_point,
)
from tests.support.pdf_text import text_runs


def verify(adapter: InnogyDemoBackend, typed: dict[str, str]):
    typed = {k: v for k, v in typed.items() if k != "account_number"}
    data = INVOICE_METHOD.schema().load(typed)
    return INVOICE_METHOD.verify(adapter, data)


def test_demo_identities_verify_for_every_customer(backend):  # noqa: F811
    identities = backend.demo_identities()
    assert len(identities) == 50
    for number, typed in zip(backend.account_numbers(), identities, strict=True):
        assert set(typed) == {"account_number", "customer_number", "invoice_number", "gross_amount"}
        assert typed["customer_number"] == typed["account_number"] == number
        assert "," in typed["gross_amount"]  # as a Polish customer writes it
        outcome = verify(backend, typed)
        assert outcome.matched and outcome.account_number == number


@pytest.mark.parametrize("separator", [",", "."])
def test_amount_with_decimal_comma_or_point(backend, separator):  # noqa: F811
    typed = dict(backend.demo_identities()[0])
    typed["gross_amount"] = typed["gross_amount"].replace(",", separator)
    assert verify(backend, typed).matched


def test_customer_number_and_invoice_number_as_people_type_them(backend):  # noqa: F811
    typed = dict(backend.demo_identities()[0])
    number = typed["customer_number"]
    typed["customer_number"] = f"{number[:3]} {number[3:6]} {number[6:]}"
    typed["invoice_number"] = typed["invoice_number"].lower()
    assert verify(backend, typed).matched
    del typed["account_number"]
    assert INVOICE_METHOD.attempt_key(INVOICE_METHOD.schema().load(typed)) == number


def test_wrong_invoice_number_amount_or_customer_is_no_match(backend):  # noqa: F811
    good, other = backend.demo_identities()[:2]
    number = good["customer_number"]
    seventh = backend.invoices(number)[6]
    amount = Decimal(good["gross_amount"].replace(",", "."))
    attempts = [
        {**good, "invoice_number": other["invoice_number"]},
        {**good, "gross_amount": str(amount + CENT)},
        {**good, "customer_number": other["customer_number"]},
        {**good, "customer_number": "1000000000"},
        # A real invoice of the account, but older than the six most recent.
        {**good, "invoice_number": seventh.number, "gross_amount": str(seventh.gross.amount)},
    ]
    for typed in attempts:
        outcome = verify(backend, typed)
        assert not outcome.matched and outcome.account_number is None


@pytest.mark.parametrize(
    "typed",
    [
        {"customer_number": "12345", "invoice_number": "F/2026/03/000001", "gross_amount": "10,00"},
        {"customer_number": "1234567890", "invoice_number": "F/2026/03/000001", "gross_amount": "10,001"},
        {"customer_number": "1234567890", "invoice_number": "F/2026/03/000001", "gross_amount": "abc"},
        {"customer_number": "1234567890", "invoice_number": "F/2026/03/000001", "gross_amount": "-5"},
        {"customer_number": "1234567890", "gross_amount": "10,00"},
    ],
)
def test_identity_form_refuses_malformed_input(typed):
    with pytest.raises(ValidationError):
        INVOICE_METHOD.schema().load(typed)


def test_reading_rules_follow_the_operator(backend):  # noqa: F811
    _, point = stoen_point(backend)
    rules = plugin.portal_reading_rules(tenant=None, supply_point=point)
    assert rules.accepts_readings and rules.decimals == 0
    assert rules.registers == point.meters[0].registers
    others = [p for n in backend.account_numbers() for p in backend.supply_points(n) if not p.capabilities]
    assert others
    assert not any(plugin.portal_reading_rules(tenant=None, supply_point=p).accepts_readings for p in others)


def test_request_schemas_validate(backend):  # noqa: F811
    _, point = stoen_point(backend)
    start = dt.date.today() + dt.timedelta(days=14)
    schemas = {t.code: t.schema for t in REQUEST_TYPES}
    assert set(schemas) == {"change_offer", "additional_service", "contact_update"}
    offer = schemas["change_offer"]().load(
        {"supply_point": point.identifier, "product": "fixed_price_2y", "start_date": start.isoformat(), "accept_terms": True}
    )
    assert offer["supply_point"] == point.identifier
    with pytest.raises(ValidationError) as error:
        schemas["change_offer"]().load(
            {"supply_point": "", "product": "fixed_price_2y", "start_date": start.isoformat(), "accept_terms": False}
        )
    assert set(error.value.messages) == {"supply_point", "accept_terms"}
    service = schemas["additional_service"]().load(
        {"supply_point": point.identifier, "service": "electrician", "phone": "601 234 567"}
    )
    assert service["phone"] == "+48601234567"
    contact = schemas["contact_update"]().load({"street": "ul. Długa 5", "postcode": "00950", "city": "Warszawa"})
    assert contact["postcode"] == "00-950"
    for incomplete in ({}, {"street": "ul. Długa 5"}):
        with pytest.raises(ValidationError):
            schemas["contact_update"]().load(incomplete)


def test_the_supply_point_of_a_request_is_one_of_the_accounts(backend):  # noqa: F811
    """Chosen from the account's points, not typed: the core refuses another one, the
    same point with a digit mistyped included, before anything is filed."""
    number, point = stoen_point(backend)
    account = type("Account", (), {"number": number, "supply_points": backend.supply_points(number)})()
    other = next(p.identifier for n in backend.account_numbers() if n != number for p in backend.supply_points(n))
    mistyped = point.identifier[:-1] + str((int(point.identifier[-1]) + 1) % 10)
    for request_type in REQUEST_TYPES:
        if "supply_point" not in request_type.schema().fields:
            continue
        [example, *_more] = request_type.examples_for(backend, account)
        tenant = SimpleNamespace(adapter=backend)
        assert account_errors(tenant, request_type, account, request_type.schema().load(example)) == {}
        for foreign in (other, mistyped):
            data = request_type.schema().load({**example, "supply_point": foreign})
            errors = account_errors(tenant, request_type, account, data)
            assert {name: [str(m) for m in messages] for name, messages in errors.items()} == {
                "supply_point": ["Choose one of the supply points of the chosen customer account."]}


# -------------------------------------------------------------------------
# Through the portal, in Polish
# -------------------------------------------------------------------------

CHANGE_OFFER = "/requests/new/change_offer"


def _text(response) -> str:
    """What the customer reads on the page: its text, words one space apart."""
    page = re.sub(r"<script.*?</script>|<[^>]+>", " ", response.get_data(as_text=True), flags=re.DOTALL)
    return " ".join(html.unescape(page).replace("\xa0", " ").split())


def _hidden(response, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', response.get_data(as_text=True)).group(1)


def _with_gas(app, identities) -> list[dict]:
    """The demo identities whose account has an electricity and a gas supply point."""
    adapter = app.extensions["portal_tenants"]["innogy"].adapter
    with app.app_context():
        return [identity for identity in identities
                if {p.commodity for p in adapter.supply_points(identity["account_number"])} == {"electricity", "gas"}]


def _points(app, identity) -> dict[str, str]:
    adapter = app.extensions["portal_tenants"]["innogy"].adapter
    with app.app_context():
        return {p.commodity: p.identifier for p in adapter.supply_points(identity["account_number"])}


def _polish_customer(app, smtp_server, identity, email="oferta@example.pl"):
    return linked_customer(client_for(app, language="pl"), smtp_server, identity, email)


def _accounts_offered(page) -> dict[str, str]:
    """The form's choice of customer accounts: the id of each by its number."""
    select_ = re.search(r'<select id="account".*?</select>', page.get_data(as_text=True), flags=re.DOTALL).group(0)
    return {number: id_ for id_, number in re.findall(r'<option value="(\d+)"[^>]*>(\d+) ·', select_)}


def _first_step(client, identity, point: str):
    """The change of offer's first page sent with ``identity``'s account and ``point``: the second page."""
    page = client.get(CHANGE_OFFER)
    form = {"submission_key": _hidden(page, "submission_key"), "progress": _hidden(page, "progress"), "step": "1",
            "account": _accounts_offered(page)[identity["account_number"]], "supply_point": point}
    return client.post(CHANGE_OFFER, data={"csrf_token": client.last_csrf, **form})


def _second_step(client, second, product: str):
    start = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    form = {"submission_key": _hidden(second, "submission_key"), "progress": _hidden(second, "progress"),
            "step": "2", "product": product, "start_date": start, "accept_terms": "1"}
    return client.post(CHANGE_OFFER, data={"csrf_token": client.last_csrf, **form})


ELECTRICITY_PRICES = (
    "Stała cena przez 2 lata (energia elektryczna) 0,6630 zł/kWh i 12,29 zł/mies. brutto "
    "(netto: 0,5390 zł/kWh i 9,99 zł/mies.)",
    "Energia z odnawialnych źródeł (energia elektryczna) 0,7122 zł/kWh i 15,98 zł/mies. brutto "
    "(netto: 0,5790 zł/kWh i 12,99 zł/mies.)",
)
GAS_PRICES = (
    "Cennik standardowy (gaz) 0,2551 zł/kWh i 12,90 zł/mies. brutto (netto: 0,2074 zł/kWh i 10,49 zł/mies.)",
)


def test_the_offers_show_their_prices_before_one_is_chosen_and_the_request_its_label(app, smtp_server,
                                                                                     demo_identity):
    """Each offer's price per kWh and monthly fee, with and without VAT, for each energy of
    the account, in the customer's format; the filed request names the offer, not its code."""
    identity = _with_gas(app, demo_identity)[0]
    client = _polish_customer(app, smtp_server, identity)
    form = _text(client.get(CHANGE_OFFER))
    assert all(price in form for price in ELECTRICITY_PRICES + GAS_PRICES)
    assert "Energia z odnawialnych źródeł (gaz)" not in form  # green energy is sold for electricity only
    second = _first_step(client, identity, _points(app, identity)["electricity"])
    assert second.status_code == 200
    offers = _text(second)
    assert "Krok 2 z 2" in offers and all(price in offers for price in ELECTRICITY_PRICES)
    filed = _second_step(client, second, "green_energy")
    assert filed.status_code == 302
    detail = _text(client.get(filed.location))
    assert "Nowa oferta Energia z odnawialnych źródeł" in detail
    assert "green_energy" not in detail and "True" not in detail


def test_a_customer_with_two_accounts_sees_the_prices_once_the_account_is_chosen(app, smtp_server, demo_identity):
    first, other = _with_gas(app, demo_identity)[:2]
    client = _polish_customer(app, smtp_server, first)
    link_account(client, other)
    # the account is chosen with the supply point, on the first page
    assert _accounts_offered(client.get(CHANGE_OFFER)).keys() == {first["account_number"], other["account_number"]}
    second = _first_step(client, other, _points(app, other)["gas"])
    assert second.status_code == 200
    assert all(price in _text(second) for price in ELECTRICITY_PRICES + GAS_PRICES)


def test_an_offer_not_sold_for_gas_is_refused_for_a_gas_point(app, smtp_server, demo_identity):
    identity = _with_gas(app, demo_identity)[0]
    client = _polish_customer(app, smtp_server, identity)
    second = _first_step(client, identity, _points(app, identity)["gas"])
    refused = _second_step(client, second, "green_energy")
    assert refused.status_code == 400
    assert "Wybrana oferta nie jest dostępna dla tego punktu poboru; wybierz inną." in _text(refused)
    with app.app_context(), tenant_context("innogy"):
        assert db.session.execute(select(ServiceRequest)).first() is None
    assert _second_step(client, refused, "fixed_price_2y").status_code == 302


def test_the_invoice_names_a_gas_point_ppg_and_an_electricity_point_ppe(app, smtp_server, demo_identity):
    identity = _with_gas(app, demo_identity)[0]
    client = _polish_customer(app, smtp_server, identity)
    points = _points(app, identity)
    with app.app_context(), tenant_context("innogy"):
        invoices = {row.supply_point_identifier: row.id for row in db.session.execute(select(Invoice)).scalars()}
    for energy, label, not_this in (("gas", "Punkt poboru gazu (PPG)", "PPE"),
                                    ("electricity", "Punkt poboru energii (PPE)", "PPG")):
        pdf = client.get(f"/invoices/{invoices[points[energy]]}/pdf")
        assert pdf.status_code == 200
        printed = [run.text for run in text_runs(pdf.get_data())]
        assert label in printed and points[energy] in printed
        assert not any(not_this in text for text in printed)


def test_the_overview_invoices_and_payments_say_the_invoices_prevail(app, smtp_server, demo_identity):
    client = _polish_customer(app, smtp_server, demo_identity[0])
    note = "Dane w serwisie Moje innogy mają charakter informacyjny: w razie rozbieżności wiążące są dane z faktur."
    for path in ("/", "/invoices/", "/payments/"):
        assert note in _text(client.get(path)), path
