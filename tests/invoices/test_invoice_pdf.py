"""The invoice PDFs of every bundled supplier's demo, read back as printed.

Each document is read run by run (``tests.support.pdf_text``): nothing may be printed over
anything else (a label over its value), no word may be broken over two lines (a column
heading or a unit in too narrow a column), and everything stays inside the margins.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal
from stdnum import iban
from stdnum.cz import bankaccount, dic
from stdnum.it import codicefiscale, iva
from stdnum.pl import nip
from stdnum.ua import edrpou

from core.billing.contract import InvoiceRecord
from core.billing.pdf import InvoiceLine
from core.demo.backend import DemoBackend
from core.framework.theming import BUNDLED_THEMES, Theme
from plugins.cez_cz.adapter import CezDemoBackend
from plugins.doe_ua.adapter import DoeDemoBackend
from plugins.innogy_pl.adapter import InnogyDemoBackend
from plugins.italiangas_it.adapter import ItaliangasDemoBackend
from tests.support.pdf_text import TextRun, fill_colours, text_runs

ANCHOR = dt.date(2026, 3, 18)
PAGE_WIDTH = 210
MARGIN = 15
TOLERANCE = 0.05
"""Millimetres of rounding allowed in the positions read back."""
BACKENDS = {
    "innogy_pl": InnogyDemoBackend,
    "cez_cz": CezDemoBackend,
    "doe_ua": DoeDemoBackend,
    "italiangas_it": ItaliangasDemoBackend,
}


@dataclass(frozen=True)
class Printed:
    """An invoice of a demo back-end, its lines and its PDF read back."""

    number: str
    invoice: InvoiceRecord
    lines: tuple[InvoiceLine, ...]
    runs: list[TextRun]


@dataclass(frozen=True)
class Brand:
    name: str
    backend: DemoBackend
    printed: list[Printed]


@pytest.fixture(scope="module", params=sorted(BACKENDS))
def brand(request) -> Brand:
    """A plugin's demo back-end and a sample of its invoices, printed."""
    backend = BACKENDS[request.param](anchor=ANCHOR)
    printed = [
        Printed(number, invoice, backend.invoice_lines(number, invoice.number),
                text_runs(backend.invoice_pdf(number, invoice.number)))
        for number, invoice in samples(backend)
    ]
    return Brand(request.param, backend, printed)


def samples(backend: DemoBackend, accounts: int = 15) -> Iterator[tuple[str, InvoiceRecord]]:
    """One invoice of each kind, tariff, sign and mix of VAT rates among the first accounts."""
    seen: set[tuple[object, ...]] = set()
    for number in backend.account_numbers()[:accounts]:
        tariffs = {point.identifier: point.tariff for point in backend.supply_points(number)}
        for invoice in backend.invoices(number):
            rates = frozenset(line.vat_rate for line in backend.invoice_lines(number, invoice.number))
            key = (invoice.kind, tariffs.get(invoice.supply_point or ""), invoice.gross.amount < 0, rates)
            if key not in seen:
                seen.add(key)
                yield number, invoice


def printed_words(runs: list[TextRun]) -> set[str]:
    return {word for run in runs for word in run.text.split()}


def overlapping(runs: list[TextRun]) -> list[tuple[TextRun, TextRun]]:
    """Pairs of runs on the same page whose texts cover one another."""
    found = []
    for first, second in itertools.combinations(runs, 2):
        if first.page != second.page:
            continue
        height = max(first.size, second.size) * 25.4 / 72 * 0.7  # about a capital letter
        if abs(first.baseline - second.baseline) >= height:
            continue
        if first.x < second.right - TOLERANCE and second.x < first.right - TOLERANCE:
            found.append((first, second))
    return found


def test_nothing_is_printed_over_anything_else_and_no_word_is_broken(brand):
    labels = brand.backend.profile.invoice_labels
    headings = [labels.description, labels.quantity, labels.unit, labels.unit_price, labels.net, labels.vat,
                labels.gross]
    for printed in brand.printed:
        runs = printed.runs
        where = f"{brand.name} {printed.invoice.number}"
        assert not overlapping(runs), where
        outside = [run for run in runs if run.x < MARGIN - TOLERANCE or run.right > PAGE_WIDTH - MARGIN + TOLERANCE]
        assert not outside, where
        words = printed_words(runs)
        expected = {word for text in headings for word in text.split()}
        expected |= {word for line in printed.lines for word in f"{line.description} {line.unit}".split()}
        assert expected <= words, f"{where}: broken {sorted(expected - words)}"
    assert len(brand.printed) >= 3


def test_the_bill_wears_the_brand_s_logo_and_colour(brand):
    theme = Theme.load(BUNDLED_THEMES / brand.backend.profile.supplier.theme)
    number, invoice = next(samples(brand.backend))
    document = brand.backend.invoice_pdf(number, invoice.number)
    colours = fill_colours(document)
    logo = (theme.static_dir / theme.logo).read_text()
    for fill in re.findall(r'fill="#([0-9a-f]{6})"', logo):  # the logo's shapes are drawn (greys aside)
        rgb = tuple(int(fill[i:i + 2], 16) for i in (0, 2, 4))
        assert len(set(rgb)) == 1 or rgb in colours, (brand.name, fill)
    primary = theme.colours["primary"].lstrip("#")
    assert tuple(int(primary[i:i + 2], 16) for i in (0, 2, 4)) in colours  # the title's colour
    name = next(run for run in text_runs(document) if run.text == brand.backend.profile.supplier.name)
    assert name.x >= MARGIN + 14  # beside the logo, not over it


REVIEWED = {
    "cez_cz": ("Distributor", None, {"Množství", "kWh"}),
    "doe_ua": ("Оператор системи розподілу", "ПАТ «Дніпрообленерго»", {"Кількість", "кВт·год"}),
    "italiangas_it": ("Punto di fornitura (POD/PDR)", None, {"Quantità", "Smc", "kWh"}),
    "innogy_pl": ("Operator (OSD)", None, {"Ilość", "kWh"}),
}


def test_the_reviewed_labels_keep_clear_of_their_values(brand):
    """The faults the language review found: "Množstv|í", "Кількіст|ь", "кВт·г|од", and the
    operator's and the POD's labels printed over their values."""
    label, value, words = REVIEWED[brand.name]
    found: set[str] = set()
    for printed in brand.printed:
        runs = printed.runs
        label_run = next(run for run in runs if run.text == label)
        beside = [run for run in runs if run is not label_run and abs(run.baseline - label_run.baseline) < 1]
        assert beside, f"{label!r} has no value beside it"
        assert all(run.x >= label_run.right + 2 for run in beside if run.x > label_run.x)
        if value is not None:
            assert any(run.text == value for run in beside)
        found |= printed_words(runs)
    assert words <= found


def printed_rows(runs: list[TextRun]) -> list[list[str]]:
    """The texts of each printed line, left to right, top to bottom."""
    lines: list[list[TextRun]] = []
    for run in sorted(runs, key=lambda r: (r.page, r.baseline)):
        line = lines[-1] if lines else None
        if line and line[0].page == run.page and run.baseline - line[0].baseline < 0.8:  # a label and its value
            line.append(run)
        else:
            lines.append([run])
    return [[spaced(run.text) for run in sorted(line, key=lambda r: r.x)] for line in lines]


def spaced(text: str) -> str:
    """``text`` with its no-break spaces as plain ones (table cells print them so)."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def amounts(value: Decimal, locale: str) -> str:
    return spaced(format_decimal(value, format="#,##0.00", locale=locale))


VAT_SUMMARIES = {"italiangas_it": ("Aliquota IVA", True), "innogy_pl": ("Stawka VAT", True),
                 "cez_cz": ("Sazba DPH", True), "doe_ua": ("Ставка ПДВ", False)}
"""By plugin: the heading of the VAT summary's rates, and whether every invoice has one."""


def test_the_vat_summary_gives_net_vat_and_gross_per_rate(brand):
    """Poland (art. 106e), Italy (DPR 633/72 art. 21) and Czechia ask for the amounts per
    rate on every invoice; elsewhere they are printed where the lines mix rates."""
    rate_heading, always = VAT_SUMMARIES[brand.name]
    locale = brand.backend.profile.invoice_locale
    mixed = single = 0
    for printed in brand.printed:
        lines = printed.lines
        rows = printed_rows(printed.runs)
        rates = sorted({line.vat_rate for line in lines})
        if len(rates) == 1 and not always:
            assert [rate_heading] not in [row[:1] for row in rows]
            single += 1
            continue
        heading = next(position for position, row in enumerate(rows) if row[0] == rate_heading)
        for offset, rate in enumerate(rates, start=1):
            net = sum((line.net.amount for line in lines if line.vat_rate == rate), Decimal(0))
            vat = sum((line.vat.amount for line in lines if line.vat_rate == rate), Decimal(0))
            percent = format_decimal(rate * 100, locale=locale)
            assert rows[heading + offset] == [f"{percent}%", amounts(net, locale), amounts(vat, locale),
                                              amounts(net + vat, locale)]
        total = rows[heading + len(rates) + 1]
        assert total[-1] == amounts(printed.invoice.gross.amount, locale)
        mixed += len(rates) > 1
        single += len(rates) == 1
    assert single if brand.name != "italiangas_it" else mixed  # the Italian gas bills mix 10 % and 22 %


VALID_IDENTITIES = {
    "innogy_pl": {"vat_id": nip.is_valid},
    "cez_cz": {"vat_id": dic.is_valid, "company_id": lambda value: dic.is_valid(f"CZ{value}")},
    "doe_ua": {"company_id": edrpou.is_valid, "vat_id": lambda value: len(value) == 12 and value.isdigit()},
    "italiangas_it": {"vat_id": iva.is_valid},
}
"""By plugin: the seller's identities the demo gives, each with the check its number passes."""


def beside(rows: list[list[str]], label: str, value: str) -> bool:
    """Whether ``value`` is printed right after ``label`` on a line."""
    return any(row[i:i + 2] == [label, value] for row in rows for i in range(len(row) - 1))


def test_a_supply_point_s_contracted_power_is_printed_where_the_supplier_has_one(brand):
    labels = brand.backend.profile.invoice_labels
    checked = 0
    for printed in brand.printed:
        points = {p.identifier: p for p in brand.backend.supply_points(printed.number)}
        point = points.get(printed.invoice.supply_point or "")
        rows = printed_rows(printed.runs)
        if point is None or point.contracted_power_kw is None:
            assert not any(labels.contracted_power in row for row in rows)
            continue
        power = format_decimal(point.contracted_power_kw, "#,##0.###", locale=brand.backend.profile.invoice_locale)
        assert beside(rows, labels.contracted_power, f"{power} kW"), printed.invoice.number  # fpdf2 prints the no-break space as one
        checked += 1
    assert checked or brand.name != "italiangas_it"  # Italian electricity bills print the potenza impegnata


def valid_account(value: str) -> bool:
    return iban.is_valid(value) or bankaccount.is_valid(value)


def test_the_seller_its_tax_identities_and_how_to_pay_are_printed(brand):
    """What each market's invoice names: the seller's company, address, NIP / IČO and DIČ /
    partita IVA / код ЄДРПОУ and ІПН; the account to pay to and the payment reference."""
    seller = brand.backend.profile.seller
    labels = brand.backend.profile.invoice_labels
    assert seller is not None and seller.bank_account and valid_account(seller.bank_account)
    identities = VALID_IDENTITIES[brand.name]
    for field, valid in identities.items():
        assert valid(getattr(seller, field)), (field, getattr(seller, field))
    for printed in brand.printed:
        rows = printed_rows(printed.runs)
        texts = {run.text for run in printed.runs}
        assert seller.legal_name in texts and seller.address.one_line() in texts
        printed_identities = " · ".join(
            f"{getattr(labels, field)}: {getattr(seller, field)}"
            for field in ("company_id", "vat_id") if getattr(seller, field)
        )
        assert printed_identities in texts
        account = brand.backend.find_account(printed.number)
        pays_to = account.bank_account or seller.bank_account
        assert valid_account(pays_to)
        shown = iban.format(pays_to) if iban.is_valid(pays_to) else pays_to
        assert beside(rows, labels.bank_account, shown)
        reference = printed.invoice.payment_reference
        assert reference and beside(rows, labels.payment_reference, reference)


def test_each_market_s_own_fields(brand):
    """The Czech DUZP on a settlement (not on an advance, which is no tax document), the
    Italian holder's codice fiscale, the Polish customer's own account number."""
    backend = brand.backend
    labels = backend.profile.invoice_labels
    day = {"cez_cz": "d. M. yyyy"}.get(brand.name, "dd.MM.yyyy")
    for printed in brand.printed:
        invoice, rows = printed.invoice, printed_rows(printed.runs)
        texts = {run.text for run in printed.runs}
        account = backend.find_account(printed.number)
        if brand.name == "cez_cz":
            if invoice.kind == "settlement":
                assert invoice.taxable_supply_on == invoice.period_end
                supplied = format_date(invoice.period_end, format=day, locale="cs_CZ")
                # the long label wraps; the date follows its first line
                assert beside(rows, "Datum uskutečnění", supplied) and "zdanitelného plnění" in texts
                assert invoice.payment_reference == invoice.number  # the variabilní symbol
            else:
                assert invoice.taxable_supply_on is None
                assert not any("zdanitelného plnění" in text for text in texts)
        else:
            assert invoice.taxable_supply_on is None
        if invoice.gross.amount < 0:  # a settlement in the customer's favour: an overpayment, never "paid" minus
            assert labels.overpayment in texts and labels.paid not in texts
            assert f"{labels.total} ({labels.gross})" not in texts  # no negative total to puzzle over
        if brand.name == "italiangas_it":
            assert account.tax_id == backend.tax_code(printed.number)
            assert codicefiscale.is_valid(account.tax_id) or iva.is_valid(account.tax_id)
            assert beside(rows, labels.customer_tax_id, account.tax_id)
        else:
            assert account.tax_id is None
        if brand.name == "innogy_pl":
            assert iban.is_valid(account.bank_account) and printed.number in account.bank_account
        else:
            assert account.bank_account is None
    kinds = {printed.invoice.kind for printed in brand.printed}
    assert brand.name != "cez_cz" or any(printed.invoice.gross.amount < 0 for printed in brand.printed)
    assert brand.name != "cez_cz" or {"settlement", "advance"} <= kinds


def test_the_ukrainian_bill_shows_the_readings_and_prices_as_households_know_them(brand):
    """Previous and current readings and their difference per register, the price per
    kWh with VAT (4,32 грн/кВт·год) and amounts in грн, not ₴. Other markets print no readings."""
    labels = brand.backend.profile.invoice_labels
    if brand.name != "doe_ua":
        for printed in brand.printed:
            assert labels.previous_reading not in {run.text for run in printed.runs}
        return
    zones = 0
    for printed in brand.printed:
        invoice, rows = printed.invoice, printed_rows(printed.runs)
        texts = {run.text for run in printed.runs}
        assert not any("₴" in text for text in texts)
        assert spaced(format_decimal(invoice.gross.amount, format="#,##0.00", locale="uk_UA")) + " грн" in {
            spaced(text) for text in texts
        }
        point = next(p for p in brand.backend.supply_points(printed.number) if p.identifier == invoice.supply_point)
        history = brand.backend.readings(printed.number, point.identifier)
        start = dt.datetime.combine(invoice.period_start, dt.time(), tzinfo=brand.backend.tz)
        end = dt.datetime.combine(invoice.period_end + dt.timedelta(days=1), dt.time(), tzinfo=brand.backend.tz)
        assert [labels.register, labels.previous_reading, labels.current_reading, labels.consumption,
                labels.price_with_vat] in rows
        assert f"{labels.readings} – {labels.meter} {point.meters[0].serial_number}" in texts
        for register in point.meters[0].registers:
            previous = next(r.value for r in history if r.register == register and r.read_at == start)
            current = next(r.value for r in history if r.register == register and r.read_at == end)
            billed = [line for line in printed.lines if f"({register})" in line.description] or list(printed.lines)
            assert sum(line.quantity for line in billed) == current - previous
            gross_price = (billed[0].unit_price * Decimal("1.2")).normalize()
            row = next(row for row in rows if row[0].endswith(f"({register})"))
            consumption = spaced(format_decimal(current - previous, format="#,##0", locale="uk_UA"))
            assert row[1:] == [str(previous), str(current), f"{consumption} кВт·год",
                               f"{format_decimal(gross_price, format='0.00#', locale='uk_UA')} грн/кВт·год"]
            zones += register != "1.8.0"
        if point.tariff == "Однозонний":
            assert next(row for row in rows if row[0] == "Цілодобово (1.8.0)")[-1] == "4,32 грн/кВт·год"
    assert zones
