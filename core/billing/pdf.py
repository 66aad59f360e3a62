"""Invoice documents as real PDFs.

Back-ends that cannot hand over their own invoice image (the demo back-end, simple
adapters) render one here. The text is set in the bundled DejaVu Sans so every letter of
Polish, Czech, Ukrainian and Italian prints; labels, number and date formats come from
the caller, so nothing here is tied to one language.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from importlib.resources import as_file, files
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from fpdf import FPDF
from fpdf.fonts import FontFace

from core.billing.contract import AccountRecord, InvoiceRecord, Money, SupplyPointRecord

FONT_FAMILY = "DejaVuSans"
_MARGIN = 15
_TEXT = (33, 33, 33)
_MUTED = (96, 96, 96)
_RULE = (200, 200, 200)
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
    tariff: str = "Tariff"
    """Label of the tariff."""
    distribution_operator: str = "Distribution operator"
    """Label of the network operator."""
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
    duplicate: str = "Duplicate"
    """Added to the title of a duplicate copy ("Invoice – Duplicate")."""

    def title(self, kind: str) -> str:
        """The title for an invoice of ``kind``."""
        return self.titles.get(kind) or self.titles.get("regular") or "Invoice"

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
) -> bytes:
    """The invoice as PDF bytes.

    ``locale`` (a Babel locale such as ``pl_PL``) formats amounts and dates;
    ``date_format`` is a Babel format name or pattern; ``supplier_details`` are extra
    lines under the supplier's name (address, tax number, hotline). A ``duplicate``
    copy says so in its title.
    """
    labels = labels or InvoiceLabels()
    currency = invoice.gross.currency

    def money(amount: Decimal) -> str:
        return format_currency(amount, currency, locale=locale)

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

    # Supplier, then the title and number on the right.
    pdf.set_text_color(*_TEXT)
    pdf.set_font(FONT_FAMILY, "B", 16)
    pdf.cell(width / 2, 8, supplier_name)
    pdf.set_font(FONT_FAMILY, "B", 13)
    pdf.cell(width / 2, 8, title, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 8)
    pdf.set_text_color(*_MUTED)
    details_top = pdf.get_y()
    for detail in supplier_details:
        pdf.cell(width / 2, 4, detail, new_x="LMARGIN", new_y="NEXT")
    details_bottom = pdf.get_y()
    pdf.set_xy(_MARGIN + width / 2, details_top)
    pdf.set_font(FONT_FAMILY, "", 10)
    pdf.set_text_color(*_TEXT)
    pdf.cell(width / 2, 5, f"{labels.number} {invoice.number}", align="R")
    pdf.set_xy(_MARGIN, max(details_bottom, details_top + 5) + 4)
    pdf.set_draw_color(*_RULE)
    pdf.line(_MARGIN, pdf.get_y(), _MARGIN + width, pdf.get_y())
    pdf.ln(4)

    # Customer on the left, dates on the right.
    top = pdf.get_y()
    left = [
        (labels.customer, account.holder_name),
        (labels.account_number, account.number),
        ("", account.address.street),
        ("", f"{account.address.postcode} {account.address.city}"),
    ]
    right = [
        (labels.issued_on, day(invoice.issued_on)),
        (labels.period, f"{day(invoice.period_start)} – {day(invoice.period_end)}"),
        (labels.due_on, day(invoice.due_on)),
    ]
    for column, rows in ((0, left), (1, right)):
        pdf.set_xy(_MARGIN + column * width / 2, top)
        for label, value in rows:
            pdf.set_x(_MARGIN + column * width / 2)
            pdf.set_font(FONT_FAMILY, "", 8)
            pdf.set_text_color(*_MUTED)
            pdf.cell(34, 5, label)
            pdf.set_font(FONT_FAMILY, "B" if label else "", 9)
            pdf.set_text_color(*_TEXT)
            pdf.cell(width / 2 - 34, 5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(top + 5 * max(len(left), len(right)) + 4)

    if supply_point is not None or invoice.supply_point:
        identifier = supply_point.identifier if supply_point else invoice.supply_point or ""
        facts = [(labels.supply_point, identifier)]
        if supply_point is not None:
            facts.append(("", supply_point.address.one_line()))
            facts.append((labels.tariff, supply_point.tariff))
            if supply_point.distribution_operator:
                facts.append((labels.distribution_operator, supply_point.distribution_operator))
        for label, value in facts:
            pdf.set_font(FONT_FAMILY, "", 8)
            pdf.set_text_color(*_MUTED)
            pdf.cell(34, 5, label)
            pdf.set_font(FONT_FAMILY, "B" if label == labels.supply_point else "", 9)
            pdf.set_text_color(*_TEXT)
            pdf.cell(width - 34, 5, value, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)

    # The priced lines.
    pdf.set_font(FONT_FAMILY, "", 8)
    heading = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    with pdf.table(
        col_widths=(66, 16, 11, 20, 20, 27, 20),
        text_align=("LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=heading,
        borders_layout="HORIZONTAL_LINES",
        line_height=5,
        width=width,
    ) as table:
        table.row(
            [
                labels.description,
                labels.quantity,
                labels.unit,
                labels.unit_price,
                labels.net,
                labels.vat,
                labels.gross,
            ]
        )
        for line in lines:
            table.row(
                [
                    line.description,
                    number(line.quantity),
                    line.unit,
                    price(line.unit_price),
                    amount(line.net.amount),
                    f"{amount(line.vat.amount)} ({number(line.vat_rate * 100)}%)",
                    amount(line.gross.amount),
                ]
            )

    # Totals.
    net = sum((line.net.amount for line in lines), Decimal(0))
    vat = sum((line.vat.amount for line in lines), Decimal(0))
    totals = [
        (labels.net, money(net), False),
        (labels.vat, money(vat), False),
        (f"{labels.total} ({labels.gross})", money(invoice.gross.amount), True),
        (labels.paid, money(invoice.paid.amount), False),
        (labels.amount_due, money(invoice.gross.amount - invoice.paid.amount), True),
    ]
    pdf.ln(4)
    for label, value, strong in totals:
        pdf.set_x(_MARGIN + width / 2)
        pdf.set_font(FONT_FAMILY, "B" if strong else "", 10 if strong else 9)
        pdf.cell(width / 4, 6, label)
        pdf.cell(width / 4, 6, value, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
