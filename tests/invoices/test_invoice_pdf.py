"""The invoice PDFs of every bundled supplier's demo, read back as printed.

Each document is read run by run (``tests.support.pdf_text``): nothing may be printed over
anything else (a label over its value), no word may be broken over two lines (a column
heading or a unit in too narrow a column), and everything stays inside the margins.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

import pytest

from core.billing.contract import InvoiceRecord
from core.demo.backend import DemoBackend
from plugins.cez_cz.adapter import CezDemoBackend
from plugins.doe_ua.adapter import DoeDemoBackend
from plugins.innogy_pl.adapter import InnogyDemoBackend
from plugins.italiangas_it.adapter import ItaliangasDemoBackend
from tests.support.pdf_text import TextRun, text_runs

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


@pytest.fixture(scope="module", params=sorted(BACKENDS))
def backend(request) -> DemoBackend:
    return BACKENDS[request.param](anchor=ANCHOR)


def samples(backend: DemoBackend, accounts: int = 25) -> Iterator[tuple[str, InvoiceRecord]]:
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


def test_nothing_is_printed_over_anything_else_and_no_word_is_broken(backend):
    labels = backend.profile.invoice_labels
    headings = [labels.description, labels.quantity, labels.unit, labels.unit_price, labels.net, labels.vat,
                labels.gross]
    checked = 0
    for number, invoice in samples(backend):
        runs = text_runs(backend.invoice_pdf(number, invoice.number))
        where = f"{type(backend).__name__} {invoice.number}"
        assert not overlapping(runs), where
        outside = [run for run in runs if run.x < MARGIN - TOLERANCE or run.right > PAGE_WIDTH - MARGIN + TOLERANCE]
        assert not outside, where
        words = printed_words(runs)
        lines = backend.invoice_lines(number, invoice.number)
        expected = {word for text in headings for word in text.split()}
        expected |= {word for line in lines for word in f"{line.description} {line.unit}".split()}
        assert expected <= words, f"{where}: broken {sorted(expected - words)}"
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize(
    ("name", "label", "value", "words"),
    [
        ("cez_cz", "Distributor", None, {"Množství", "kWh"}),
        ("doe_ua", "Оператор системи розподілу", "ПАТ «Дніпрообленерго»", {"Кількість", "кВт·год"}),
        ("italiangas_it", "Punto di fornitura (POD/PDR)", None, {"Quantità", "Smc", "kWh"}),
        ("innogy_pl", "Operator (OSD)", None, {"Ilość", "kWh"}),
    ],
)
def test_the_reviewed_labels_keep_clear_of_their_values(name, label, value, words):
    """The faults the language review found: "Množstv|í", "Кількіст|ь", "кВт·г|од", and the
    operator's and the POD's labels printed over their values."""
    backend = BACKENDS[name](anchor=ANCHOR)
    found: set[str] = set()
    for number, invoice in samples(backend, accounts=12):
        runs = text_runs(backend.invoice_pdf(number, invoice.number))
        label_run = next(run for run in runs if run.text == label)
        beside = [run for run in runs if run is not label_run and abs(run.baseline - label_run.baseline) < 1]
        assert beside, f"{label!r} has no value beside it"
        assert all(run.x >= label_run.right + 2 for run in beside if run.x > label_run.x)
        if value is not None:
            assert any(run.text == value for run in beside)
        found |= printed_words(runs)
    assert words <= found
