"""The innogy demo back-end, seen through the billing adapter contract. No Flask app is needed.

The innogy identity method against it is tested in ``tests/plugins/test_innogy_pl.py``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
import threading
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

import pytest

from core.billing.contract import (
    PAYMENT_NOTIFICATION,
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
from core.demo.backend import DemoBackend, forget_generated
from core.framework.identifiers import is_valid_ppe
from plugins.innogy_pl.adapter import INNOGY_PROFILE, InnogyDemoBackend

ANCHOR = dt.date(2026, 3, 18)
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def backend() -> InnogyDemoBackend:
    """One shared instance for the read-only tests."""
    return InnogyDemoBackend(anchor=ANCHOR)


@pytest.fixture
def fresh() -> InnogyDemoBackend:
    """An instance of its own for tests that submit something."""
    return InnogyDemoBackend(anchor=ANCHOR)


def everything(adapter: BillingAdapter, numbers: list[str]) -> list[object]:
    result: list[object] = []
    for number in numbers:
        result.append(adapter.snapshot(number))
        for point in adapter.supply_points(number):
            result.append(adapter.readings(number, point.identifier))
    return result


def stoen_point(adapter: InnogyDemoBackend):
    """An account and electricity supply point where customers may hand in readings."""
    for number in adapter.account_numbers():
        for point in adapter.supply_points(number):
            if "meter_readings" in point.capabilities:
                return number, point
    raise AssertionError("no supply point in the Stoen Operator area")


def latest_values(adapter: InnogyDemoBackend, number: str, identifier: str) -> dict[str, Decimal]:
    values: dict[str, Decimal] = {}
    for reading in adapter.readings(number, identifier):  # newest first
        values.setdefault(reading.register, reading.value)
    return values


# --- shape of the data --------------------------------------------------------------


def test_is_a_billing_adapter_in_pln(backend):
    assert isinstance(backend, BillingAdapter)
    assert backend.currency == "PLN"


def test_same_seed_and_anchor_give_identical_data(backend):
    backend.account_numbers()  # generated, then forgotten: the other back-end generates anew
    forget_generated()
    other = InnogyDemoBackend(anchor=ANCHOR)
    numbers = backend.account_numbers()
    assert other.account_numbers() == numbers
    assert everything(other, numbers) == everything(backend, numbers)
    assert other.demo_identities() == backend.demo_identities()


def test_customers_stay_the_same_when_the_anchor_moves(backend):
    later = InnogyDemoBackend(anchor=dt.date(2026, 7, 2))
    assert later.account_numbers() == backend.account_numbers()
    for number in backend.account_numbers():
        assert later.find_account(number).holder_name == backend.find_account(number).holder_name
        assert later.supply_points(number) == backend.supply_points(number)


def test_about_fifty_customers_each_findable(backend):
    numbers = backend.account_numbers()
    assert len(numbers) == 50
    assert len(set(numbers)) == 50
    for number in numbers:
        assert len(number) == 10 and number.isdigit()
        account = backend.find_account(number)
        assert account is not None and account.number == number
    assert backend.find_account("0000000000") is None


def test_every_supply_point_has_a_valid_ppe_and_a_meter(backend):
    identifiers = []
    for number in backend.account_numbers():
        for point in backend.supply_points(number):
            identifiers.append(point.identifier)
            assert is_valid_ppe(point.identifier)
            assert point.identifier.startswith("590")
            assert point.meters and point.meters[0].registers
            assert point.distribution_operator
    assert len(identifiers) == len(set(identifiers))


def test_some_customers_have_electricity_and_gas(backend):
    dual = [
        number
        for number in backend.account_numbers()
        if {p.commodity for p in backend.supply_points(number)} == {Commodity.ELECTRICITY, Commodity.GAS}
    ]
    assert 3 <= len(dual) <= 30


def test_only_stoen_supply_points_take_readings_online(backend):
    operators: dict[str, bool] = {}
    for number in backend.account_numbers():
        for point in backend.supply_points(number):
            operators[point.distribution_operator] = "meter_readings" in point.capabilities
    assert operators.pop("Stoen Operator") is True
    assert operators and not any(operators.values())


def test_two_years_of_invoices_per_supply_point_newest_first(backend):
    first_month = dt.date(2024, 3, 1)
    last_day = dt.date(2026, 2, 28)
    for number in backend.account_numbers():
        invoices = backend.invoices(number)
        issued = [invoice.issued_on for invoice in invoices]
        assert issued == sorted(issued, reverse=True)
        for point in backend.supply_points(number):
            own = sorted(
                (i for i in invoices if i.supply_point == point.identifier), key=lambda i: i.period_start
            )
            assert len(own) == 12  # 24 months billed every two months
            assert own[0].period_start == first_month
            assert own[-1].period_end == last_day
            for before, after in itertools.pairwise(own):
                assert after.period_start == before.period_end + dt.timedelta(days=1)
            for invoice in own:
                assert invoice.period_end < invoice.issued_on <= ANCHOR
                assert invoice.due_on == invoice.issued_on + dt.timedelta(days=14)
            assert own[-1].due_on > ANCHOR  # the newest bill is not due yet


def test_invoice_numbers_are_polish_style_and_unique(backend):
    numbers = [i.number for n in backend.account_numbers() for i in backend.invoices(n)]
    assert len(numbers) == len(set(numbers))
    kinds = set()
    for n in backend.account_numbers():
        for invoice in backend.invoices(n):
            prefix, year, month, sequence = invoice.number.split("/")
            assert prefix == ("P" if invoice.kind == "forecast" else "F")
            assert (int(year), int(month)) == (invoice.issued_on.year, invoice.issued_on.month)
            assert len(sequence) == 6 and sequence.isdigit()
            kinds.add(invoice.kind)
    assert kinds == {"regular", "forecast"}


def test_amounts_are_decimal_pln_and_gross_is_net_plus_vat(backend):
    for number in backend.account_numbers():
        for invoice in backend.invoices(number):
            for money in (invoice.gross, invoice.paid):
                assert isinstance(money, Money) and money.currency == "PLN"
                assert isinstance(money.amount, Decimal)
                assert money.amount == money.amount.quantize(CENT)
            lines = backend.invoice_lines(number, invoice.number)
            assert lines
            for line in lines:
                assert line.gross.amount == line.net.amount + line.vat.amount
                assert line.vat.amount == (line.net.amount * Decimal("0.23")).quantize(CENT, ROUND_HALF_UP)
            assert invoice.gross.amount == sum((line.gross.amount for line in lines), Decimal(0))


def test_household_electricity_bills_look_polish(backend):
    amounts = [
        invoice.gross.amount
        for number in backend.account_numbers()
        for point in backend.supply_points(number)
        if point.commodity is Commodity.ELECTRICITY
        for invoice in backend.invoices(number)
        if invoice.supply_point == point.identifier
    ]
    assert Decimal(150) <= statistics.median(amounts) <= Decimal(450)
    assert min(amounts) > Decimal(80) and max(amounts) < Decimal(1000)


def test_datetimes_are_aware_and_not_after_the_anchor(backend):
    start_of_anchor = dt.datetime.combine(ANCHOR, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=1)
    for number in backend.account_numbers():
        assert backend.find_account(number).updated_at.tzinfo is not None
        for payment in backend.payments(number):
            assert payment.booked_at.utcoffset() is not None
            assert payment.booked_at < start_of_anchor
        for point in backend.supply_points(number):
            for reading in backend.readings(number, point.identifier):
                assert reading.read_at.utcoffset() is not None
                assert reading.read_at < start_of_anchor


def test_balance_is_payments_minus_invoices(backend):
    for number in backend.account_numbers():
        paid = sum((p.amount.amount for p in backend.payments(number)), Decimal(0))
        billed = sum((i.gross.amount for i in backend.invoices(number)), Decimal(0))
        assert backend.balance(number) == Money(paid - billed, "PLN")
        assert backend.find_account(number).balance == backend.balance(number)


def test_paid_amounts_and_statuses_follow_the_payments(backend):
    for number in backend.account_numbers():
        by_invoice: dict[str, Decimal] = {}
        for payment in backend.payments(number):
            if payment.invoice_number:
                by_invoice[payment.invoice_number] = by_invoice.get(payment.invoice_number, Decimal(0)) + payment.amount.amount
        for invoice in backend.invoices(number):
            paid = by_invoice.get(invoice.number, Decimal(0))
            assert invoice.paid.amount == paid
            if paid >= invoice.gross.amount:
                assert invoice.status is InvoiceStatus.PAID
            elif invoice.due_on < ANCHOR:
                assert invoice.status is InvoiceStatus.OVERDUE
            else:
                assert invoice.status in (InvoiceStatus.UNPAID, InvoiceStatus.PARTIALLY_PAID)


def test_payment_behaviour_mixes_on_time_late_credit_and_overdue(backend):
    numbers = backend.account_numbers()
    statuses = [i.status for n in numbers for i in backend.invoices(n)]
    assert statuses.count(InvoiceStatus.PAID) / len(statuses) > 0.8
    in_credit = [n for n in numbers if backend.balance(n).amount > 0]
    overdue = [n for n in numbers if any(i.status is InvoiceStatus.OVERDUE for i in backend.invoices(n))]
    assert len(in_credit) >= 2
    assert len(overdue) >= 2
    due_soon = [
        n for n in numbers
        if any(i.status is not InvoiceStatus.PAID and i.due_on >= ANCHOR for i in backend.invoices(n))
    ]
    assert len(due_soon) >= 40  # the newest bill is open for nearly everyone
    late = 0
    for n in numbers:
        due = {i.number: i.due_on for i in backend.invoices(n)}
        late += sum(
            1 for p in backend.payments(n) if p.invoice_number and p.booked_at.date() > due[p.invoice_number]
        )
    assert late > 10


def test_readings_every_month_only_go_up_with_all_sources(backend):
    sources = set()
    for number in backend.account_numbers():
        for point in backend.supply_points(number):
            readings = backend.readings(number, point.identifier)
            times = [r.read_at for r in readings]
            assert times == sorted(times, reverse=True)
            for register in point.meters[0].registers:
                own = [r for r in reversed(readings) if r.register == register]
                assert len(own) == 25  # a reading at every month boundary of two years
                assert [r.value for r in own] == sorted(r.value for r in own)
                assert all(r.unit == ("m3" if point.commodity is Commodity.GAS else "kWh") for r in own)
            customer = {r.source for r in readings} & {ReadingSource.CUSTOMER}
            assert not customer or "meter_readings" in point.capabilities
            sources |= {r.source for r in readings}
    assert sources == set(ReadingSource)


def test_a_self_reading_schedule_reads_between_billing_readings_and_bills_the_same(backend):
    scheduled = DemoBackend(replace(INNOGY_PROFILE, self_reading_intervals=(1,)), anchor=ANCHOR)
    self_read = 0
    for number in backend.account_numbers():
        def billed(adapter):
            return sorted((i.supply_point, i.period_start, i.gross.amount) for i in adapter.invoices(number))
        assert billed(scheduled) == billed(backend)
        sources = {}  # by supply point and month boundary (a customer reads on the evening before)
        for point in scheduled.supply_points(number):
            for r in scheduled.readings(number, point.identifier):
                sources[(point.identifier, (r.read_at + dt.timedelta(hours=7)).date())] = r.source
        for (_point, day), source in sources.items():
            billing = (day.month - ANCHOR.month) % 2 == 0
            assert source in ((ReadingSource.OPERATOR, ReadingSource.ESTIMATE) if billing
                              else (ReadingSource.CUSTOMER, ReadingSource.ESTIMATE))
            self_read += source is ReadingSource.CUSTOMER
        for invoice in scheduled.invoices(number):
            end = sources[(invoice.supply_point, invoice.period_end + dt.timedelta(days=1))]
            assert (invoice.kind == "forecast") is (end is ReadingSource.ESTIMATE)
    assert self_read > 100


def test_invoice_pdf_is_a_real_pdf(backend):
    number = backend.account_numbers()[0]
    invoice = backend.invoices(number)[0]
    pdf = backend.invoice_pdf(number, invoice.number)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 5_000
    assert invoice.number.encode() in pdf  # in the document information
    assert b"/FontFile2" in pdf  # the DejaVu font is embedded, so Polish letters print


def test_unknown_accounts_and_invoices_are_refused(backend):
    for call in (
        backend.supply_points,
        backend.invoices,
        backend.payments,
        backend.balance,
        backend.snapshot,
    ):
        with pytest.raises(AccountNotFound):
            call("0000000000")
    number = backend.account_numbers()[0]
    with pytest.raises(LookupError):
        backend.invoice_pdf(number, "F/1999/01/000001")
    with pytest.raises(LookupError):
        backend.readings(number, "590000000000000000")


# --- writes ---------------------------------------------------------------------------


def reading_for(adapter: InnogyDemoBackend, increase: int = 25) -> ReadingSubmission:
    number, point = stoen_point(adapter)
    latest = latest_values(adapter, number, point.identifier)
    return ReadingSubmission(
        account_number=number,
        supply_point=point.identifier,
        meter_serial=point.meters[0].serial_number,
        values={register: latest[register] + increase for register in point.meters[0].registers},
        read_at=adapter.as_of + dt.timedelta(hours=9),
    )


def test_same_reading_key_twice_is_applied_once(fresh):
    reading = reading_for(fresh)
    before = len(fresh.readings(reading.account_number, reading.supply_point))
    first = fresh.submit_reading(reading, "reading-key-1")
    second = fresh.submit_reading(reading, "reading-key-1")
    assert first.status is SubmissionStatus.ACCEPTED and not first.duplicate
    assert second.duplicate and second.status is SubmissionStatus.ACCEPTED
    assert second.reference == first.reference
    readings = fresh.readings(reading.account_number, reading.supply_point)
    assert len(readings) == before + len(reading.values)
    newest = [r for r in readings if r.read_at == reading.read_at]
    assert {r.register: r.value for r in newest} == reading.values
    assert {r.source for r in newest} == {ReadingSource.CUSTOMER}


def test_concurrent_submissions_with_one_key_apply_once(fresh):
    reading = reading_for(fresh)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(fresh.submit_reading(reading, "same-key")))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.duplicate for r in results) == [False] + [True] * 7
    assert len({r.reference for r in results}) == 1


def test_lower_reading_is_rejected_with_a_reason(fresh):
    reading = reading_for(fresh, increase=-5)
    result = fresh.submit_reading(reading, "lower")
    assert result.status is SubmissionStatus.REJECTED
    assert result.reason and "lower than the previous reading" in result.reason
    assert all(r.read_at != reading.read_at for r in fresh.readings(reading.account_number, reading.supply_point))
    # The rejection is the answer for that key from now on.
    assert fresh.submit_reading(reading, "lower").duplicate


def test_readings_outside_the_stoen_area_are_rejected(fresh):
    for number in fresh.account_numbers():
        point = next((p for p in fresh.supply_points(number) if not p.capabilities), None)
        if point is not None:
            break
    latest = latest_values(fresh, number, point.identifier)
    reading = ReadingSubmission(
        account_number=number,
        supply_point=point.identifier,
        meter_serial=point.meters[0].serial_number,
        values={register: value + 10 for register, value in latest.items()},
        read_at=fresh.as_of,
    )
    result = fresh.submit_reading(reading, "elsewhere")
    assert result.status is SubmissionStatus.REJECTED and result.reason


def test_reading_with_a_missing_register_or_wrong_meter_is_rejected(fresh):
    reading = reading_for(fresh)
    wrong_meter = ReadingSubmission(
        reading.account_number, reading.supply_point, "00000000", reading.values, reading.read_at
    )
    assert fresh.submit_reading(wrong_meter, "meter").status is SubmissionStatus.REJECTED
    partial = ReadingSubmission(
        reading.account_number, reading.supply_point, reading.meter_serial, {"9.9.9": Decimal(1)}, reading.read_at
    )
    assert fresh.submit_reading(partial, "registers").status is SubmissionStatus.REJECTED


def test_writes_for_an_unknown_account_raise(fresh):
    reading = reading_for(fresh)
    stranger = ReadingSubmission("0000000000", reading.supply_point, reading.meter_serial, reading.values, reading.read_at)
    with pytest.raises(AccountNotFound):
        fresh.submit_reading(stranger, "stranger")
    with pytest.raises(AccountNotFound):
        fresh.submit_request(RequestSubmission("0000000000", "contact_update"), "stranger")


def test_same_request_key_twice_is_applied_once(fresh):
    number = fresh.account_numbers()[0]
    request = RequestSubmission(number, "contact_update", {"email": "jan@example.com"})
    first = fresh.submit_request(request, "request-1")
    second = fresh.submit_request(request, "request-1")
    assert first.status is SubmissionStatus.ACCEPTED and first.reference
    assert second.duplicate and second.reference == first.reference
    assert fresh.submitted_requests(number) == [(first.reference, request)]


def test_writes_stay_with_their_back_end_when_another_has_the_same_data():
    """Back-ends of one profile and anchor share how their data was made, never their writes."""
    first = InnogyDemoBackend(anchor=ANCHOR)
    first.account_numbers()  # made (or copied) first; the next ones are copies
    writer = InnogyDemoBackend(anchor=ANCHOR)
    reading = reading_for(writer)
    number = writer.account_numbers()[0]

    def state(backend):
        return (backend.readings(reading.account_number, reading.supply_point), backend.invoices(number),
                backend.payments(number), backend.balance(number), backend.submitted_requests(number))

    untouched = state(first)
    assert writer.submit_reading(reading, "mine").status is SubmissionStatus.ACCEPTED
    writer.submit_request(RequestSubmission(number, "contact_update", {"email": "jan@example.com"}), "request")
    writer.submit_request(RequestSubmission(number, PAYMENT_NOTIFICATION, {
        "transaction_id": "TX-1", "amount": "10.00", "currency": "PLN", "paid_at": writer.as_of.isoformat()}), "paid")
    written = state(writer)
    assert all(mine != theirs for mine, theirs in zip(written, untouched, strict=True))
    assert state(first) == state(InnogyDemoBackend(anchor=ANCHOR)) == untouched


# --- the innogy identity method ------------------------------------------------------


# --- the innogy plugin's rules over this data ----------------------------------------


# --- the generic back-end with other settings -----------------------------------------


def test_monthly_billing_in_utc_without_gas():
    profile = replace(
        INNOGY_PROFILE,
        seed=7,
        customers=12,
        billing_period_months=1,
        supplier=replace(INNOGY_PROFILE.supplier, timezone="UTC"),
        tariffs=tuple(t for t in INNOGY_PROFILE.tariffs if t.commodity is Commodity.ELECTRICITY),
    )
    adapter = DemoBackend(profile, anchor=dt.date(2026, 1, 1))
    numbers = adapter.account_numbers()
    assert len(numbers) == 12
    for number in numbers:
        points = adapter.supply_points(number)
        assert {p.commodity for p in points} == {Commodity.ELECTRICITY}
        invoices = adapter.invoices(number)
        assert len(invoices) == 24
        assert min(i.period_start for i in invoices) == dt.date(2024, 1, 1)
        assert max(i.period_end for i in invoices) == dt.date(2025, 12, 31)
        assert all(i.issued_on <= dt.date(2026, 1, 1) for i in invoices)
        paid = sum((p.amount.amount for p in adapter.payments(number)), Decimal(0))
        assert adapter.balance(number).amount == paid - sum((i.gross.amount for i in invoices), Decimal(0))
        assert adapter.find_account(number).updated_at.utcoffset() == dt.timedelta(0)
