"""What the conformance suite checks, as functions a plugin's own tests can call too.

Each function returns the problems it finds as sentences (an empty list when there are
none), so a test can ``assert not problems, "\\n".join(problems)`` and the author reads
what to change:

- :func:`contrast_problems`: the theme's colour pairs against WCAG 2.2 AA (the pairs are
  :data:`TEXT_PAIRS` and :data:`NON_TEXT_PAIRS`, as the core's stylesheet uses them);
- :func:`missing_messages`: strings of the plugin that a declared locale's catalog lacks;
- :func:`example_problems`: request examples the schema or the type's ``check`` refuses,
  and checks that fail;
- :func:`raw_values`: Python reprs, codes, ISO dates and scientific notation shown to the
  customer on a request's page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from typing import Any

import marshmallow
from babel.messages.pofile import read_po
from marshmallow import fields as mfields
from marshmallow import validate

from core.framework.catalogs import CatalogDomain, extract_messages
from core.framework.descriptions import RequestType
from core.framework.fields import foreign_supply_points
from core.framework.forms import translate_errors
from core.framework.i18n import SOURCE_LOCALE

__all__ = [
    "TEXT_CONTRAST",
    "NON_TEXT_CONTRAST",
    "TEXT_PAIRS",
    "NON_TEXT_PAIRS",
    "parse_colour",
    "relative_luminance",
    "contrast_ratio",
    "contrast_problems",
    "missing_messages",
    "form_values",
    "example_problems",
    "check_problems",
    "shown_facts",
    "raw_values",
]

# --- colours ---------------------------------------------------------------------------

TEXT_CONTRAST = 4.5
"""WCAG 2.2 AA, success criterion 1.4.3: normal text against its background."""
NON_TEXT_CONTRAST = 3.0
"""WCAG 2.2 AA, success criterion 1.4.11: what shows state or data (not text)."""

TEXT_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("text", "background", "text of the page"),
    ("text", "surface", "text on cards, the navigation and secondary buttons"),
    ("muted", "background", "the footer and 'data as of'"),
    ("muted", "surface", "field help, labels of details, table captions"),
    ("accent", "background", "links"),
    ("accent", "surface", "links on cards"),
    ("on_primary", "primary", "the header and primary buttons"),
    ("danger", "background", "amounts due, errors"),
    ("danger", "surface", "amounts due and errors on cards"),
    ("success", "background", "credit, paid"),
    ("success", "surface", "credit and paid on cards"),
)
"""Foreground, background and where the core's stylesheet puts them; ``danger`` and
``success`` are checked when the theme sets them."""
NON_TEXT_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("primary", "surface", "the current page's mark in the navigation, this year's bars of the chart"),
)

_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_RGB = re.compile(r"rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)")


def parse_colour(value: str) -> tuple[int, int, int]:
    """``#rgb``, ``#rrggbb`` or ``rgb(r, g, b)`` as red, green and blue from 0 to 255."""
    text = value.strip()
    if match := _HEX.fullmatch(text):
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    if (match := _RGB.fullmatch(text)) and all(int(part) <= 255 for part in match.groups()):
        red, green, blue = (int(part) for part in match.groups())
        return red, green, blue
    raise ValueError(f"{value!r} is not a colour as #rrggbb, #rgb or rgb(r, g, b)")


def relative_luminance(colour: str) -> float:
    """WCAG's relative luminance of an sRGB colour, from 0 (black) to 1 (white)."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in parse_colour(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG's contrast ratio of two colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def contrast_problems(colours: Mapping[str, str]) -> list[str]:
    """The theme's colour pairs below WCAG AA: 4.5:1 for text, 3:1 for other marks.

    The ratio is compared unrounded (4.49:1 fails), and shown with two decimals.
    """
    problems = []
    for pairs, needed, kind in ((TEXT_PAIRS, TEXT_CONTRAST, "normal text"),
                                (NON_TEXT_PAIRS, NON_TEXT_CONTRAST, "marks that are not text")):
        for foreground, background, where in pairs:
            if foreground not in colours or background not in colours:
                continue
            try:
                ratio = contrast_ratio(colours[foreground], colours[background])
            except ValueError as exc:
                problems.append(f"{foreground} on {background}: {exc}")
                continue
            if ratio < needed:
                problems.append(
                    f"{foreground} {colours[foreground]} on {background} {colours[background]} ({where}): "
                    f"contrast {ratio:.2f}:1, WCAG AA asks at least {needed:g}:1 for {kind}"
                )
    return problems


# --- catalogs ----------------------------------------------------------------------------


def missing_messages(domain: CatalogDomain, locales: Iterable[str]) -> dict[str, list[str]]:
    """Per locale, the strings extracted from the domain's sources (as ``portal i18n
    extract`` finds them) that its catalog lacks, or holds untranslated or fuzzy.

    The source locale (English) needs no catalog; a locale without one lacks every string.
    """
    extracted = {_key(message): message for message in extract_messages(domain) if message.id}
    missing: dict[str, list[str]] = {}
    for locale in locales:
        if locale == SOURCE_LOCALE:
            continue
        translated: set[tuple[str, str | None]] = set()
        if domain.po_file(locale).is_file():
            with open(domain.po_file(locale), "rb") as fh:
                for message in read_po(fh, locale=locale):
                    strings = message.string if isinstance(message.string, tuple) else (message.string,)
                    if message.id and not message.fuzzy and all(strings):
                        translated.add(_key(message))
        gaps = sorted(key[0] for key in extracted if key not in translated)
        if gaps:
            missing[locale] = gaps
    return missing


def _key(message: Any) -> tuple[str, str | None]:
    """A message's singular id and its context."""
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return msgid, message.context


# --- request examples ---------------------------------------------------------------------


def form_values(example: Mapping[str, Any]) -> dict[str, str]:
    """An example as a customer types it into the web form: text, a ticked box for
    ``true``; ``false`` and ``None`` are left empty (an unticked box sends nothing)."""
    typed = {}
    for name, value in example.items():
        if value is None or value is False:
            continue
        typed[name] = "1" if value is True else str(value)
    return typed


def example_problems(request_type: RequestType, adapter: Any, account: Any) -> list[str]:
    """What is wrong with the type's examples for ``account``: none given, one the schema
    or the type's ``check`` refuses, a supply point that is not one of the account's, a
    ``check`` that raises or answers in another shape than errors by field. Run it in the
    tenant's app and request context."""
    code = request_type.code
    try:
        examples = request_type.examples_for(adapter, account)
    except Exception as exc:  # noqa: BLE001 - the plugin's function: report, do not crash the suite
        return [f"request type {code!r}: examples({getattr(account, 'number', account)!r}) raised {exc!r}"]
    if not examples:
        how = "the examples function returned none" if callable(request_type.examples) else "none given"
        return [f"request type {code!r} has no examples for account {getattr(account, 'number', account)!r} "
                f"({how}): set RequestType(examples=...) to valid data for its schema, as an API client sends it"]
    problems = []
    for number, example in enumerate(examples, 1):
        where = f"request type {code!r}, example {number} {example!r}"
        try:
            data = request_type.schema().load(example)
        except marshmallow.ValidationError as exc:
            problems.append(f"{where}: refused by the schema: {translate_errors(exc.messages)}")
            continue
        foreign = foreign_supply_points(request_type.schema(), account, data)
        if foreign:
            problems.append(f"{where}: not a supply point of the account (take one of account.supply_points): "
                            f"{sorted(foreign)}")
            continue
        problems += check_problems(request_type, adapter, account, data, where)
    return problems


def check_problems(request_type: RequestType, adapter: Any, account: Any, data: Mapping[str, Any],
                   where: str) -> list[str]:
    """Call the type's ``check`` with valid ``data``: it must not raise, must answer
    ``None`` or errors by field (lists of messages), and must accept the data."""
    if request_type.check is None:
        return []
    try:
        errors = request_type.check(adapter, account, dict(data))
    except Exception as exc:  # noqa: BLE001 - the plugin's check: report, do not crash the suite
        return [f"{where}: check() raised {type(exc).__name__}: {exc}"]
    if errors is None:
        return []
    if not isinstance(errors, Mapping) or not all(
        isinstance(name, str) and isinstance(messages, list | tuple) for name, messages in errors.items()
    ):
        return [f"{where}: check() must return None or a dict of field name to a list of messages, "
                f"not {errors!r}"]
    if any(errors.values()):
        return [f"{where}: check() refused it: {({k: [str(m) for m in v] for k, v in errors.items()})}"]
    return []


# --- raw values on a request's page ----------------------------------------------------------

RAW_WORDS = frozenset({"None", "True", "False", "null", "true", "false", "NaN", "nan", "[]", "{}", "()"})
_REPR = re.compile(r"Decimal\(|datetime\.|<[\w.]+ object at 0x|^\{'|^\['|^\('")
_ISO_DATE = re.compile(r"(?<![\d/-])\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?![\d-])")
_SCIENTIFIC = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?[eE][+-]?\d+(?!\w)")


class _Facts(HTMLParser):
    """The text of every ``<dt>`` and ``<dd>`` of a page, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[str, str]] = []
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("dt", "dd"):
            self._close()
            self._open, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open or tag == "dl":
            self._close()

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)

    def _close(self) -> None:
        if self._open:
            self.items.append((self._open, " ".join("".join(self._text).split())))
        self._open = None


def shown_facts(page: str) -> list[tuple[str, str]]:
    """The label and value pairs (``<dt>`` and ``<dd>``) a page shows, spaces collapsed."""
    parser = _Facts()
    parser.feed(page)
    parser.close()
    pairs, label = [], None
    for tag, text in parser.items:
        if tag == "dt":
            label = text
        elif label is not None:
            pairs.append((label, text))
    return pairs


def _choices(field: mfields.Field) -> dict[str, str | None]:
    """A field's choice codes and their labels (``None`` where the form has no label)."""
    found: dict[str, str | None] = {}
    for validator in getattr(field, "validators", ()):
        if isinstance(validator, validate.OneOf):
            labels = list(validator.labels) if validator.labels else []
            for index, choice in enumerate(validator.choices):
                found[str(choice)] = str(labels[index]) if index < len(labels) else None
    for code, label in field.metadata.get("choices") or ():
        found[str(code)] = str(label)
    return found


def raw_values(facts: Iterable[tuple[str, str]], schema: marshmallow.Schema) -> list[str]:
    """What a request's page shows as a program would, not as the customer reads it:
    ``None``/``True``/``False`` and other reprs, a choice's code instead of its label,
    a field's name instead of its label, an ISO date, a number in scientific notation."""
    names = {name for name, field in schema.fields.items() if not field.metadata.get("label")}
    codes = {code: f"choice {code!r} of field {name!r} is shown instead of its label {label!r}"
             for name, field in schema.fields.items() for code, label in _choices(field).items()
             if label is not None and label != code}
    problems = []
    for label, value in facts:
        where = f"{label}: {value!r}"
        if label in names:
            problems.append(f"{where}: the field is shown by its name: give field {label!r} a metadata label")
        if value in RAW_WORDS or _REPR.search(value):
            problems.append(f"{where}: a program's value, not words (yes or no, or leave it out)")
        elif value in codes:
            problems.append(f"{where}: {codes[value]}")
        if _ISO_DATE.search(value):
            problems.append(f"{where}: an ISO date: show it in the customer's format (a Date field)")
        if _SCIENTIFIC.search(value):
            problems.append(f"{where}: a number in scientific notation: show it in the customer's format")
    return problems
