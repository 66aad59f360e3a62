"""The innogy identity method (customer number + invoice data) against the innogy demo back-end,
and the plugin's rules that depend on its data. No Flask app is needed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from core.service_requests.service import account_errors
from plugins.innogy_pl import plugin
from plugins.innogy_pl.adapter import InnogyDemoBackend
from plugins.innogy_pl.identity import INVOICE_METHOD
from plugins.innogy_pl.request_types import REQUEST_TYPES
from tests.demo.test_demo_backend import (
    CENT,
    backend,  # noqa: F401 - fixtures
    stoen_point,
)


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
        assert account_errors(None, request_type, account, request_type.schema().load(example)) == {}
        for foreign in (other, mistyped):
            data = request_type.schema().load({**example, "supply_point": foreign})
            errors = account_errors(None, request_type, account, data)
            assert {name: [str(m) for m in messages] for name, messages in errors.items()} == {
                "supply_point": ["Choose one of the supply points of the chosen customer account."]}
