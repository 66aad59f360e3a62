"""Invoice documents as real PDFs.

Back-ends that cannot hand over their own invoice image (the demo back-end, simple
adapters) render one here. The text is set in the bundled DejaVu Sans so every letter of
Polish, Czech, Ukrainian and Italian prints; labels, number and date formats come from
the caller, so nothing here is tied to one language.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any, cast

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, get_currency_symbol
from fpdf import FPDF
from fpdf.fonts import FontFace
from stdnum import iban

from core.billing.contract import AccountRecord, Address, InvoiceRecord, Money, SupplyPointRecord

FONT_FAMILY = "DejaVuSans"
_MARGIN = 15
_TEXT = (33, 33, 33)
_MUTED = (96, 96, 96)
_RULE = (200, 200, 200)
_LOGO_SIZE = 14  # mm, the logo's height beside the supplier's name
# an SVG logo's <title> (its text alternative on the web) is not drawn; fpdf2 says so each time
logging.getLogger("fpdf.svg").setLevel(logging.ERROR)
INVOICE_WORDS = files("core") / "data" / "invoice_labels.toml"
"""The :class:`InvoiceLabels` of each of the portal's languages (:meth:`InvoiceLabels.in_language`)."""


@dataclass(frozen=True)
class InvoiceLine:
    """One priced item of an invoice; ``gross`` is ``net + vat``."""

    description: str
    """What is charged, in the invoice's language (``"Energy, day zone"``)."""
    quantity: Decimal
    """How much of it (kWh, months, ...)."""
    unit: str
    """The quantity's unit as printed (``"kWh"``, ``"month"``)."""
    unit_price: Decimal
    """Net price per unit, in the invoice's currency."""
    net: Money
    """Net amount of the line."""
    vat: Money
    """VAT on it."""
    gross: Money
    """``net + vat``."""
    vat_rate: Decimal
    """The VAT rate as a fraction (``Decimal("0.23")`` prints as 23%)."""


@dataclass(frozen=True)
class InvoiceReading:
    """One meter register's readings on an invoice: where the period billed starts and ends."""

    register: str
    """The register as printed: its name, its code or both (``"День (1.8.1)"``)."""
    previous: Decimal
    """The reading the period starts from, in ``unit``."""
    current: Decimal
    """The reading it ends with."""
    unit: str
    """The unit of the readings (``"кВт·год"``, ``"m³"``)."""
    meter_serial: str = ""
    """The meter's number, printed above its registers; empty for none."""
    price: Decimal | None = None
    """The price per ``unit`` with VAT that the consumption is billed at, as households know
    it (``Decimal("4.32")``); ``None``: not printed."""

    @property
    def consumption(self) -> Decimal:
        """``current - previous``."""
        return self.current - self.previous


@dataclass(frozen=True)
class SellerDetails:
    """The supplier as its invoices must name it: the company, its address, its tax
    identities and the account to pay to. Each is printed where it is given."""

    legal_name: str
    """The company's registered name (``"innogy Polska S.A."``)."""
    address: Address
    """Its registered address."""
    vat_id: str | None = None
    """Its VAT number: the Polish NIP, the Czech DIČ, the Italian partita IVA, the Ukrainian ІПН."""
    company_id: str | None = None
    """Its company registration number: the Czech IČO, the Ukrainian код ЄДРПОУ, the Polish REGON."""
    bank_account: str | None = None
    """The account customers pay to (an IBAN, printed in groups of four, or the country's own
    form as given: ``"2000145399/0800"``), unless the customer has their own
    (:attr:`AccountRecord.bank_account`)."""


@dataclass(frozen=True)
class InvoiceLabels:
    """The words printed on an invoice, in the language of the document.

    English by default (the source language); a supplier passes its own (plain strings:
    the PDF is in the invoice's language, not the reader's).
    """

    titles: Mapping[str, str] = field(
        default_factory=lambda: {"regular": "Invoice", "forecast": "Forecast invoice"}
    )
    """The document's title by :attr:`InvoiceRecord.kind`; ``"regular"``'s for a kind not listed."""
    number: str = "No."
    """Before the invoice number, under the title."""
    issued_on: str = "Issue date"
    """Label of the date of issue."""
    period: str = "Billing period"
    """Label of the period billed."""
    due_on: str = "Due date"
    """Label of the payment due date."""
    customer: str = "Customer"
    """Heading of the account holder's name and address."""
    account_number: str = "Customer number"
    """Label of the customer (account) number."""
    supply_point: str = "Supply point"
    """Label of the supply point's identifier and address."""
    supply_point_by_commodity: Mapping[str, str] = field(default_factory=dict)
    """The supply point's label by its :attr:`SupplyPointRecord.commodity`, where the market
    names the codes of each energy apart (Polish: "Punkt poboru energii (PPE)" for
    ``"electricity"``, "Punkt poboru gazu (PPG)" for ``"gas"``); ``supply_point`` for a
    commodity not listed."""
    tariff: str = "Tariff"
    """Label of the tariff."""
    distribution_operator: str = "Distribution operator"
    """Label of the network operator."""
    contracted_power: str = "Contracted power"
    """Label of the supply point's contracted power (:attr:`SupplyPointRecord.contracted_power_kw`),
    printed where the record has one."""
    description: str = "Item"
    """Column heading: what is charged."""
    quantity: str = "Quantity"
    """Column heading: the quantity."""
    unit: str = "Unit"
    """Column heading: its unit."""
    unit_price: str = "Unit price"
    """Column heading: net price per unit."""
    net: str = "Net"
    """Column heading and totals line: net amount."""
    vat: str = "VAT"
    """Column heading (the amount and its rate) and totals line: VAT."""
    gross: str = "Gross"
    """Column heading: gross amount; with ``total``, the gross total."""
    total: str = "Total"
    """The gross total's label, followed by ``gross`` in brackets."""
    paid: str = "Paid"
    """Label of what has been paid."""
    amount_due: str = "Amount due"
    """Label of what is left to pay."""
    overpayment: str = "Overpayment"
    """Label of what a settlement in the customer's favour owes them (instead of a negative
    total and "paid")."""
    duplicate: str = "Duplicate"
    """Added to the title of a duplicate copy ("Invoice – Duplicate")."""
    vat_summary: str = "VAT summary"
    """Heading of the net, VAT and gross amounts per VAT rate."""
    vat_rate: str = "VAT rate"
    """Column heading of the VAT summary: the rate."""
    vat_id: str = "VAT ID"
    """Label of the seller's VAT number (:attr:`SellerDetails.vat_id`: NIP, DIČ, partita IVA, ІПН)."""
    company_id: str = "Company ID"
    """Label of the seller's company number (:attr:`SellerDetails.company_id`: IČO, код ЄДРПОУ, REGON)."""
    customer_tax_id: str = "Tax ID"
    """Label of the customer's tax identifier (:attr:`AccountRecord.tax_id`: codice fiscale, NIP, DIČ)."""
    taxable_supply_on: str = "Date of supply"
    """Label of the date of the taxable supply (:attr:`InvoiceRecord.taxable_supply_on`, the Czech DUZP)."""
    payment: str = "Payment details"
    """Heading of how to pay: the bank account and the payment reference."""
    bank_account: str = "Bank account"
    """Label of the account to pay to (the customer's own, else the seller's)."""
    payment_reference: str = "Payment reference"
    """Label of what the customer quotes when paying (:attr:`InvoiceRecord.payment_reference`)."""
    readings: str = "Meter readings"
    """Heading of the readings the invoice is based on (:class:`InvoiceReading`)."""
    meter: str = "meter"
    """Before the meter's number, in the readings' heading ("Meter readings – meter 1234")."""
    register: str = "Register"
    """Column heading of the readings: the register (zone)."""
    previous_reading: str = "Previous reading"
    """Column heading of the readings: where the period starts."""
    current_reading: str = "Current reading"
    """Column heading of the readings: where it ends."""
    consumption: str = "Consumption"
    """Column heading of the readings: their difference."""
    price_with_vat: str = "Price incl. VAT"
    """Column heading of the readings: the price per unit with VAT (:attr:`InvoiceReading.price`)."""
    currency_sign: str = ""
    """Printed after amounts in place of the locale's currency sign, as customers write it
    (``"грн"`` for ``"₴"``); empty: the locale's."""

    def title(self, kind: str) -> str:
        """The title for an invoice of ``kind``."""
        return self.titles.get(kind) or self.titles.get("regular") or "Invoice"

    def supply_point_label(self, commodity: str | None) -> str:
        """The label of a supply point of ``commodity`` (``None``: not known)."""
        return self.supply_point_by_commodity.get(commodity or "", self.supply_point)

    @classmethod
    def in_language(cls, language: str, **changes: Any) -> InvoiceLabels:
        """The portal's words for an invoice in ``language`` (``"pl"``, ``"cs"``, ``"uk"``, ``"it"``,
        ``"en"``), with the supplier's own where it has them: ``InvoiceLabels.in_language("it",
        total="Totale bolletta")``; ``titles`` given replace the titles whole.

        Raises ``KeyError`` for a language the portal has no invoice words in.
        """
        words = _invoice_words()[language]
        return replace(cls(**{**words, "titles": dict(words["titles"])}), **changes)


@functools.cache
def _invoice_words() -> dict[str, dict[str, Any]]:
    return tomllib.loads(INVOICE_WORDS.read_text(encoding="utf-8"))


class _InvoiceDocument(FPDF):
    """A4 page with the supplier name and page number in the footer."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT_FAMILY, size=7)
        self.set_text_color(*_MUTED)
        self.cell(0, 4, self.footer_text, align="L")
        self.set_x(_MARGIN)
        self.cell(0, 4, f"{self.page_no()}/{{nb}}", align="R")


def _load_fonts(pdf: FPDF) -> None:
    fonts = files("core") / "fonts"
    with as_file(fonts / "DejaVuSans.ttf") as regular, as_file(fonts / "DejaVuSans-Bold.ttf") as bold:
        pdf.add_font(FONT_FAMILY, "", regular)
        pdf.add_font(FONT_FAMILY, "B", bold)


def render_invoice_pdf(
    *,
    supplier_name: str,
    account: AccountRecord,
    invoice: InvoiceRecord,
    lines: Sequence[InvoiceLine],
    labels: InvoiceLabels | None = None,
    locale: str = "en",
    date_format: str = "medium",
    supply_point: SupplyPointRecord | None = None,
    supplier_details: Sequence[str] = (),
    duplicate: bool = False,
    vat_summary: bool | None = None,
    seller: SellerDetails | None = None,
    readings: Sequence[InvoiceReading] = (),
    logo: Path | None = None,
    colour: str | None = None,
) -> bytes:
    """The invoice as PDF bytes.

    ``locale`` (a Babel locale such as ``pl_PL``) formats amounts and dates;
    ``date_format`` is a Babel format name or pattern. Under the supplier's name come the
    ``seller``'s company name, address and tax identities, then ``supplier_details``, extra
    lines (a hotline, a notice); the account to pay to and the invoice's payment reference
    follow the totals. A ``duplicate`` copy says so in its title. The net, VAT and gross amounts per VAT rate are printed
    under the lines when ``vat_summary`` is true (where the law asks for them on every
    invoice: Poland, Czechia, Italy), never when it is false, and by default when the
    lines have more than one rate. The ``readings`` the invoice is based on, each
    register's at the start and the end of the period and their difference, come before
    the lines. The supplier's ``logo`` (an SVG or PNG file) stands before its name; its
    ``colour`` (``"#c53d00"``, dark enough for text on white) draws the title and the rules.
    """
    labels = labels or InvoiceLabels()
    currency = invoice.gross.currency

    def money(amount: Decimal) -> str:
        formatted = format_currency(amount, currency, locale=locale)
        if labels.currency_sign:
            formatted = formatted.replace(get_currency_symbol(currency, locale), labels.currency_sign)
        return formatted

    def number(value: Decimal, pattern: str = "#,##0.###") -> str:
        return format_decimal(value, format=pattern, locale=locale)

    def amount(value: Decimal) -> str:
        return number(value, "#,##0.00")

    def price(value: Decimal) -> str:
        """All the decimals a price list states, and at least two."""
        exponent = value.as_tuple().exponent
        places = max(2, -exponent if isinstance(exponent, int) else 2)
        return number(value, "#,##0." + "0" * places)

    def day(value: dt.date) -> str:
        return format_date(value, format=date_format, locale=locale)

    title = labels.title(invoice.kind)
    if duplicate:
        title = f"{title} – {labels.duplicate}"
    pdf = _InvoiceDocument(footer_text=f"{supplier_name} · {title} {invoice.number}")
    _load_fonts(pdf)
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title(f"{title} {invoice.number}")
    pdf.set_subject(invoice.number)
    pdf.set_author(supplier_name)
    pdf.set_creator(supplier_name)
    pdf.set_lang(locale.replace("_", "-"))
    pdf.set_creation_date(dt.datetime.combine(invoice.issued_on, dt.time(), tzinfo=dt.UTC))
    pdf.alias_nb_pages()
    pdf.add_page()
    width = pdf.epw

    # The logo, the supplier and its details on the left, the title and number on the right.
    top = pdf.get_y()
    beside_logo = 0.0
    if logo is not None:  # the name beside it, the details under both
        pdf.image(str(logo), x=_MARGIN, y=top, h=_LOGO_SIZE)
        beside_logo = _LOGO_SIZE + 3
        pdf.set_xy(_MARGIN + beside_logo, top + (_LOGO_SIZE - 8) / 2)
    name_width = _text_width(pdf, supplier_name, 16, bold=True) + 2 * pdf.c_margin
    pdf.set_text_color(*_TEXT)
    pdf.set_font(FONT_FAMILY, "B", 16)
    pdf.cell(name_width, 8, supplier_name, new_x="LMARGIN", new_y="NEXT")
    if logo is not None:
        pdf.set_y(max(pdf.get_y(), top + _LOGO_SIZE + 1))
    pdf.set_font(FONT_FAMILY, "", 8)
    pdf.set_text_color(*_MUTED)
    for detail in [*_seller_lines(seller, labels), *supplier_details]:
        pdf.multi_cell(width / 2, 4, detail, align="L", new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()
    title_width = max(width / 2, width - beside_logo - name_width - _COLUMN_GAP)
    pdf.set_xy(_MARGIN + width - title_width, top)
    pdf.set_text_color(colour or _TEXT)  # fpdf2 takes "#c53d00" as it is
    pdf.set_font(FONT_FAMILY, "B", 13)
    pdf.multi_cell(title_width, 8 if _fits(pdf, title, title_width) else 6, title, align="R",
                   new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(*_TEXT)
    pdf.set_x(_MARGIN + width / 2)
    pdf.set_font(FONT_FAMILY, "", 10)
    pdf.multi_cell(width / 2, 5, f"{labels.number} {invoice.number}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(_MARGIN, max(left_bottom, pdf.get_y()) + 4)
    pdf.set_draw_color(colour or _RULE)
    pdf.set_line_width(0.6 if colour else 0.2)
    pdf.line(_MARGIN, pdf.get_y(), _MARGIN + width, pdf.get_y())
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*_RULE)
    pdf.ln(4)

    # Customer on the left, dates on the right.
    top = pdf.get_y()
    left = [
        _Fact(labels.customer, account.holder_name, bold=True),
        _Fact(labels.account_number, account.number, bold=True),
        _Fact("", account.address.street),
        _Fact("", f"{account.address.postcode} {account.address.city}"),
    ]
    if account.tax_id:
        left.insert(2, _Fact(labels.customer_tax_id, account.tax_id))
    right = [
        _Fact(labels.issued_on, day(invoice.issued_on), bold=True),
        *([_Fact(labels.taxable_supply_on, day(invoice.taxable_supply_on), bold=True)]
          if invoice.taxable_supply_on else []),
        _Fact(labels.period, f"{day(invoice.period_start)} – {day(invoice.period_end)}", bold=True),
        _Fact(labels.due_on, day(invoice.due_on), bold=True),
    ]
    point: list[_Fact] = []
    if supply_point is not None or invoice.supply_point:
        identifier = supply_point.identifier if supply_point else invoice.supply_point or ""
        commodity = supply_point.commodity if supply_point else None
        point.append(_Fact(labels.supply_point_label(commodity), identifier, bold=True))
        if supply_point is not None:
            point.append(_Fact("", supply_point.address.one_line()))
            point.append(_Fact(labels.tariff, supply_point.tariff))
            if supply_point.distribution_operator:
                point.append(_Fact(labels.distribution_operator, supply_point.distribution_operator))
            if supply_point.contracted_power_kw is not None:
                point.append(_Fact(labels.contracted_power, f"{number(supply_point.contracted_power_kw)}\u00a0kW"))
    column = (width - _COLUMN_GAP) / 2
    # The customer's labels line up with the supply point's below them where there is room.
    left_labels = _label_width(pdf, left, column)
    point_labels = _label_width(pdf, point, width)
    if max(left_labels, point_labels) <= _label_limit(column):
        left_labels = point_labels = max(left_labels, point_labels)
    bottom = max(
        _facts(pdf, _MARGIN, top, column, left, left_labels),
        _facts(pdf, _MARGIN + column + _COLUMN_GAP, top, column, right),
    )
    pdf.set_xy(_MARGIN, bottom + 4)
    if point:
        pdf.set_xy(_MARGIN, _facts(pdf, _MARGIN, pdf.get_y(), width, point, point_labels) + 4)

    if readings:
        _readings(pdf, labels, readings, width, number, price, money_sign=labels.currency_sign
                  or get_currency_symbol(currency, locale))
        pdf.ln(4)

    # The priced lines.
    heading_texts = [
        labels.description,
        labels.quantity,
        labels.unit,
        labels.unit_price,
        labels.net,
        labels.vat,
        labels.gross,
    ]
    rows = [
        [
            line.description,
            number(line.quantity),
            line.unit,
            price(line.unit_price),
            amount(line.net.amount),
            f"{amount(line.vat.amount)} ({number(line.vat_rate * 100)}%)",
            amount(line.gross.amount),
        ]
        for line in lines
    ]
    _table(pdf, heading_texts, rows, width, ("LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"))

    rates = _amounts_per_rate(lines)
    if vat_summary or (vat_summary is None and len(rates) > 1):
        summary = [
            [f"{number(rate * 100)}%", amount(net), amount(vat), amount(net + vat)] for rate, (net, vat) in rates.items()
        ]
        all_net = sum((net for net, _vat in rates.values()), Decimal(0))
        all_vat = sum((vat for _net, vat in rates.values()), Decimal(0))
        summary.append([labels.total, amount(all_net), amount(all_vat), amount(all_net + all_vat)])
        pdf.ln(4)
        _vat_summary(pdf, labels, summary, width)

    # Totals.
    net = sum((line.net.amount for line in lines), Decimal(0))
    vat = sum((line.vat.amount for line in lines), Decimal(0))
    totals = [(labels.net, money(net), False), (labels.vat, money(vat), False)]
    if invoice.gross.amount < 0:  # a settlement in the customer's favour: what they get back
        totals.append((labels.overpayment, money(-invoice.gross.amount), True))
    else:
        totals += [
            (f"{labels.total} ({labels.gross})", money(invoice.gross.amount), True),
            (labels.paid, money(invoice.paid.amount), False),
            (labels.amount_due, money(invoice.gross.amount - invoice.paid.amount), True),
        ]
    pdf.ln(4)
    _totals(pdf, totals, width)

    # How to pay.
    payment: list[_Fact] = []
    bank_account = account.bank_account or (seller.bank_account if seller else None)
    if bank_account:
        payment.append(_Fact(labels.bank_account, _bank_account(bank_account), bold=True))
    if invoice.payment_reference:
        payment.append(_Fact(labels.payment_reference, invoice.payment_reference, bold=True))
    if payment:
        pdf.ln(4)
        if pdf.will_page_break(6 + 5 * len(payment)):  # the heading stays with its rows
            pdf.add_page()
        pdf.set_font(FONT_FAMILY, "B", 9)
        pdf.set_text_color(*_TEXT)
        pdf.cell(width, 6, labels.payment, new_x="LMARGIN", new_y="NEXT")
        _facts(pdf, _MARGIN, pdf.get_y(), width, payment)
    return bytes(pdf.output())


def _readings(
    pdf: FPDF,
    labels: InvoiceLabels,
    readings: Sequence[InvoiceReading],
    width: float,
    number: Callable[[Decimal, str], str],
    price: Callable[[Decimal], str],
    money_sign: str,
) -> None:
    """The readings, meter by meter: each register's previous and current reading, their
    difference and, where given, the price per unit with VAT."""
    priced = any(reading.price is not None for reading in readings)
    headings = [labels.register, labels.previous_reading, labels.current_reading, labels.consumption]
    if priced:
        headings.append(labels.price_with_vat)
    meters = list(dict.fromkeys(reading.meter_serial for reading in readings))
    for serial in meters:
        own = [reading for reading in readings if reading.meter_serial == serial]
        rows = []
        for reading in own:
            row = [
                reading.register,
                number(reading.previous, "0.###"),
                number(reading.current, "0.###"),
                f"{number(reading.consumption, '#,##0.###')} {reading.unit}",
            ]
            if priced:
                row.append(f"{price(reading.price)} {money_sign}/{reading.unit}" if reading.price is not None else "")
            rows.append(row)
        pdf.set_font(FONT_FAMILY, "B", 9)
        pdf.set_text_color(*_TEXT)
        title = f"{labels.readings} – {labels.meter} {serial}" if serial else labels.readings
        pdf.multi_cell(width, 6, title, align="L", new_x="LMARGIN", new_y="NEXT")
        _table(pdf, headings, rows, width, ("LEFT", *["RIGHT"] * (len(headings) - 1)))


def _seller_lines(seller: SellerDetails | None, labels: InvoiceLabels) -> list[str]:
    """The seller's company name, address and tax identities, as lines under the supplier's name."""
    if seller is None:
        return []
    identities = [
        f"{label}: {value}"
        for label, value in ((labels.company_id, seller.company_id), (labels.vat_id, seller.vat_id))
        if value
    ]
    lines = [seller.legal_name, seller.address.one_line()]
    if identities:
        lines.append(" · ".join(identities))
    return lines


def _bank_account(account: str) -> str:
    """An IBAN in groups of four; any other form as it is."""
    return iban.format(account) if iban.is_valid(account) else account


_COLUMN_GAP = 6
"""Millimetres between two columns of text (the facts, the supplier and the title)."""
_LABEL_GAP = 2
"""Millimetres added between a label and its value, over the cells' own margins."""
_AIR = 3
"""Millimetres added to a column of amounts where the page has room, so that they stand apart."""
_FIT = 0.2
"""Millimetres of slack so that a text measured to fit a cell is never wrapped by rounding."""


@dataclass(frozen=True)
class _Fact:
    """A label and its value in a block of facts (an empty label continues the row above)."""

    label: str
    value: str
    bold: bool = False


def _text_width(pdf: FPDF, text: str, size: float, bold: bool = False) -> float:
    """How wide ``text`` prints in the invoice's font at ``size`` points, in mm."""
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    return float(pdf.get_string_width(text))


def _fits(pdf: FPDF, text: str, width: float) -> bool:
    """Whether ``text`` fits on one line of a cell ``width`` wide, in the current font."""
    return float(pdf.get_string_width(text)) + 2 * pdf.c_margin <= width


def _label_width(pdf: FPDF, facts: Sequence[_Fact], width: float) -> float:
    """The width the labels of ``facts`` take in a column ``width`` wide, up to the value:
    the longest label's, but no more than 45 % of the column and 60 mm (a longer label wraps)."""
    longest = max((_text_width(pdf, fact.label, 8) for fact in facts if fact.label), default=0.0)
    return min(longest + 2 * pdf.c_margin + _FIT + _LABEL_GAP, _label_limit(width))


def _label_limit(width: float) -> float:
    """The most that labels take of a column ``width`` wide (see :func:`_label_width`)."""
    return min(width * 0.45, 60.0) + _LABEL_GAP


def _facts(
    pdf: FPDF, x: float, top: float, width: float, facts: Sequence[_Fact], label_width: float | None = None
) -> float:
    """Print ``facts`` as rows of a label and its value in a column ``width`` wide at ``x``,
    from ``top``; the bottom of the last row.

    The values start after the labels (``label_width``, by default :func:`_label_width`),
    so a value is never printed over its label; a longer label wraps between words, and
    so does a value too long for the rest of the row.
    """
    if label_width is None:
        label_width = _label_width(pdf, facts, width)
    y = top
    for fact in facts:
        pdf.set_xy(x, y)
        pdf.set_font(FONT_FAMILY, "B" if fact.bold else "", 9)
        lines = _line_count(pdf, width - label_width, fact.value)
        pdf.set_font(FONT_FAMILY, "", 8)
        lines = max(lines, _line_count(pdf, label_width - _LABEL_GAP, fact.label))
        if pdf.will_page_break(5 * lines):  # a label and its value stay on one page
            pdf.add_page()
            y = pdf.get_y()
            pdf.set_xy(x, y)
        pdf.set_text_color(*_MUTED)
        pdf.multi_cell(label_width - _LABEL_GAP, 5, fact.label, align="L", new_x="LEFT", new_y="NEXT")
        label_bottom = pdf.get_y()
        pdf.set_xy(x + label_width, y)
        pdf.set_font(FONT_FAMILY, "B" if fact.bold else "", 9)
        pdf.set_text_color(*_TEXT)
        pdf.multi_cell(width - label_width, 5, fact.value, align="L", new_x="LEFT", new_y="NEXT")
        y = max(label_bottom, pdf.get_y())
    return y


def _line_count(pdf: FPDF, width: float, text: str) -> int:
    """How many lines ``text`` takes in a column ``width`` wide, in the current font."""
    return len(cast(list[str], pdf.multi_cell(width, 5, text, dry_run=True, output="LINES")))


def _table_layout(
    pdf: FPDF, headings: Sequence[str], rows: Sequence[Sequence[str]], width: float
) -> tuple[float, list[float]]:
    """The font size and the column widths (mm) of a table whose first column is text.

    Every other column is as wide as its widest value and its heading, or, where the
    headings do not all fit on one line, as its widest value and the heading's longest
    word (the heading wraps between words, never inside one). The first column takes the
    rest, at least its longest word. Where even that does not fit, the font gets smaller.
    """
    size = 8.0
    while True:
        widths = _column_widths(pdf, headings, rows, width, size)
        if widths is not None or size <= 5:
            pdf.set_font(FONT_FAMILY, "", size)
            return size, widths or [width / len(headings)] * len(headings)
        size -= 0.5


def _column_widths(
    pdf: FPDF, headings: Sequence[str], rows: Sequence[Sequence[str]], width: float, size: float
) -> list[float] | None:
    """The widths at ``size`` points (see :func:`_table_layout`), or ``None`` where the first
    column would get less than its longest word. Columns are given a little air between
    them where the page has room for it."""
    margins = 2 * pdf.c_margin + _FIT

    def widest(texts: Iterable[str], bold: bool = False) -> float:
        return max((_text_width(pdf, text, size, bold) for text in texts), default=0.0)

    columns = range(1, len(headings))
    values = [widest(row[i] for row in rows) for i in columns]
    whole = [max(value, widest([headings[i]], bold=True)) + margins for i, value in zip(columns, values, strict=True)]
    words = [
        max(value, widest(headings[i].split(), bold=True)) + margins for i, value in zip(columns, values, strict=True)
    ]
    first_least = max(widest(word for row in rows for word in row[0].split()), widest(headings[0].split(), True))
    first_least += margins
    first_whole = max(widest(row[0] for row in rows), widest([headings[0]], bold=True)) + margins
    first_wanted = max(first_least, min(first_whole, width * 0.4))
    for rest, air in ((whole, _AIR), (whole, 0.0), (words, _AIR), (words, 0.0)):
        aired = [column + air for column in rest]
        if width - sum(aired) >= first_wanted:
            return [width - sum(aired), *aired]
    first = width - sum(words)
    return [first, *words] if first >= first_least else None


def _amounts_per_rate(lines: Sequence[InvoiceLine]) -> dict[Decimal, tuple[Decimal, Decimal]]:
    """The net and VAT amounts of ``lines`` by VAT rate, lowest rate first."""
    sums: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for line in lines:
        net, vat = sums.get(line.vat_rate, (Decimal(0), Decimal(0)))
        sums[line.vat_rate] = (net + line.net.amount, vat + line.vat.amount)
    return dict(sorted(sums.items()))


def _vat_summary(pdf: FPDF, labels: InvoiceLabels, rows: Sequence[Sequence[str]], width: float) -> None:
    """The summary per VAT rate (``rows`` of the rate, net, VAT and gross, the last the
    total), under its heading in the right half of the page."""
    half = width / 2
    pdf.set_x(_MARGIN + width - half)
    pdf.set_font(FONT_FAMILY, "B", 9)
    pdf.set_text_color(*_TEXT)
    pdf.cell(half, 6, labels.vat_summary, new_x="LMARGIN", new_y="NEXT")
    headings = [labels.vat_rate, labels.net, labels.vat, labels.gross]
    _table(pdf, headings, rows, half, ("LEFT", "RIGHT", "RIGHT", "RIGHT"), align="RIGHT", total_last=True)


def _table(
    pdf: FPDF, headings: Sequence[str], rows: Sequence[Sequence[str]], width: float, text_align: Sequence[str],
    *, align: str = "CENTER", total_last: bool = False,
) -> None:
    """``rows`` under ``headings`` in a table ``width`` wide, its columns measured from the
    text (:func:`_table_layout`); ``total_last`` sets the last row in bold."""
    size, widths = _table_layout(pdf, headings, rows, width)
    pdf.set_font(FONT_FAMILY, "", size)
    with pdf.table(
        col_widths=widths,
        text_align=tuple(text_align),
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        borders_layout="HORIZONTAL_LINES",
        line_height=5 * size / 8,
        width=width,
        align=align,
    ) as table:
        table.row(headings)
        for position, row in enumerate(rows):
            table.row(row, style=FontFace(emphasis="BOLD") if total_last and position == len(rows) - 1 else None)


def _totals(pdf: FPDF, totals: Sequence[tuple[str, str, bool]], width: float) -> None:
    """The totals as label and amount rows at the right; strong rows bold and larger."""

    def size(strong: bool) -> float:
        return 10 if strong else 9

    label_width = max(_text_width(pdf, label, size(strong), strong) for label, _value, strong in totals)
    value_width = max(_text_width(pdf, value, size(strong), strong) for _label, value, strong in totals)
    label_width += 2 * pdf.c_margin + _FIT
    value_width += 2 * pdf.c_margin + _FIT
    block = max(width / 2, label_width + _LABEL_GAP + value_width)
    x = _MARGIN + width - block
    for label, value, strong in totals:
        pdf.set_x(x)
        pdf.set_font(FONT_FAMILY, "B" if strong else "", size(strong))
        pdf.set_text_color(*_TEXT)
        pdf.cell(block - value_width, 6, label)
        pdf.cell(value_width, 6, value, align="R", new_x="LMARGIN", new_y="NEXT")
