"""What ``portal new-plugin`` knows of a country and of a language, read from
``core/data/scaffold_data.toml`` into the classes below.

:data:`COUNTRIES` holds, per country, what its demo customers look like: towns with their
postcodes and streets, names, the VAT rate on energy, the code of its supply points (the
GS1 prefix of a GSRN, an EIC, an Italian POD/PDR), the network operators, the currency, the
time zone and the language. :data:`DOCUMENT_WORDS` holds, per portal language, the words an
invoice prints (its labels, the charges, the demo notice). A country that is not listed
gets :data:`GENERIC`: English names, GS1 prefix 200 (numbers for use within one company,
never a real supply point) and a VAT rate the generated code asks to check.

Everything here is invented for demo data: no town, street or person is meant to be real.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from importlib.resources import files
from typing import Any

from core.billing.pdf import InvoiceLabels

GSRN18, EIC, POD_PDR = "gsrn18", "eic", "pod_pdr"
"""How a country's supply points are numbered: an 18-digit GS1 GSRN (Polish PPE, Czech
EAN), a 16-character EIC (Ukrainian metering points), an Italian POD (electricity) or PDR (gas)."""


@dataclass(frozen=True)
class Town:
    """A town: its postcodes, its own streets (or the country's village streets), its network.

    ``grid`` is ``"city"`` (the operator that takes readings online) or ``"regional"``.
    """

    name: str
    postcodes: tuple[str, ...]
    grid: str = "city"
    gas: bool = True
    streets: tuple[str, ...] = ()
    weight: int = 1


@dataclass(frozen=True)
class Operators:
    """The names of the demo's three network operators and the start of their supply point codes.

    The prefixes are the country's part of the code (``590`` for Poland's GSRNs, ``62Z`` for
    Ukraine's EICs, ``IT`` for Italy's PODs) followed by the operator's own digits.
    """

    city_grid: str
    regional_grid: str
    gas_network: str
    city_prefix: str
    regional_prefix: str
    gas_prefix: str


@dataclass(frozen=True)
class Country:
    """One country's demo data; see the module's docstring."""

    code: str
    currency: str
    timezone: str
    language: str
    vat_rate: str
    supply_point_code: str
    gs1_prefix: str | None
    operators: Operators
    towns: tuple[Town, ...]
    village_streets: tuple[str, ...]
    female_names: tuple[str, ...]
    male_names: tuple[str, ...]
    surnames: tuple[tuple[str, str], ...]
    """(his, hers): the form of a surname for a man and for a woman (the same where it does not change)."""
    price_scale: str = "1"
    """Demo prices are a Polish supplier's in PLN times this, to look right in the currency."""
    iban: bool = True
    generic: bool = False

    def __post_init__(self) -> None:
        if self.supply_point_code == GSRN18 and not self.gs1_prefix:
            raise ValueError(f"{self.code}: a GSRN needs the country's GS1 prefix")


@dataclass(frozen=True)
class DocumentWords:
    """What an invoice prints, in one language: the labels and titles of
    ``core.billing.pdf.InvoiceLabels.in_language``, the charges, the unit of a month."""

    labels: dict[str, str]
    titles: dict[str, str]
    charges: dict[str, str]
    month: str
    demo_notice: str
    date_format: str


LABEL_FIELDS = tuple(found.name for found in fields(InvoiceLabels) if found.type in ("str", str))
"""The labels a :class:`DocumentWords` has, in the order of ``InvoiceLabels``'s fields (the
words, not the tables of titles and of supply point names per energy)."""
CHARGES = (
    "electricity",
    "electricity_day",
    "electricity_night",
    "network",
    "network_day",
    "network_night",
    "standing",
    "gas",
)
DATA_FILE = files("core") / "data" / "scaffold_data.toml"


def _in_order(table: dict[str, str], keys: tuple[str, ...], where: str) -> dict[str, str]:
    """``table`` with exactly ``keys``, in their order."""
    if set(table) != set(keys):
        raise ValueError(f"{where}: expected {', '.join(keys)}; got {', '.join(table)}")
    return {key: table[key] for key in keys}


def _his_and_hers(surname: str | list[str]) -> tuple[str, str]:
    """A surname's form for a man and for a woman: one string where they are the same."""
    if isinstance(surname, str):
        return surname, surname
    his, hers = surname
    return his, hers


def _tuples(table: dict[str, Any]) -> dict[str, Any]:
    """``table`` with its lists as tuples, as the frozen classes hold them."""
    return {key: tuple(value) if isinstance(value, list) else value for key, value in table.items()}


def _country(code: str, entry: dict[str, Any], **fixed: Any) -> Country:
    """A :class:`Country` from its table."""
    plain = {key: value for key, value in entry.items() if key not in ("operators", "towns", "surnames")}
    return Country(
        code=code,
        operators=Operators(**entry["operators"]),
        towns=tuple(Town(**_tuples(town)) for town in entry["towns"]),
        surnames=tuple(_his_and_hers(name) for name in entry["surnames"]),
        **_tuples(plain),
        **fixed,
    )


def _words(language: str, entry: dict[str, Any]) -> DocumentWords:
    """A :class:`DocumentWords` from its table and the portal's invoice labels in ``language``."""
    labels = InvoiceLabels.in_language(language)
    return DocumentWords(
        labels={name: getattr(labels, name) for name in LABEL_FIELDS},
        titles=dict(labels.titles),
        charges=_in_order(entry["charges"], CHARGES, f"document_words.{language}.charges"),
        month=entry["month"],
        demo_notice=entry["demo_notice"],
        date_format=entry["date_format"],
    )


_DATA = tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))
COUNTRIES: dict[str, Country] = {code: _country(code, entry) for code, entry in _DATA["countries"].items()}
GENERIC = _country("", _DATA["generic"], currency="", timezone="", generic=True)
DOCUMENT_WORDS: dict[str, DocumentWords] = {
    language: _words(language, entry) for language, entry in _DATA["document_words"].items()
}


def country(code: str) -> Country:
    """The country's demo data, or :data:`GENERIC` for one that is not listed."""
    return COUNTRIES.get(code, GENERIC)
