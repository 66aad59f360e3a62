"""``portal new-plugin``: a supplier plugin package, outside this repository, ready to grow.

The generated package installs with pip, registers itself in the ``utility_portal``
entry-point group and passes the plugin conformance suite as generated, so a supplier's
developer starts from green tests and changes one thing at a time.

The demo data are those of the supplier's country (towns, postcodes, streets, names,
VAT rate, supply point codes, network operators: :data:`core.scaffold_data.COUNTRIES`, with
a generic fallback), and its invoices print in the plugin's default language
(:data:`core.scaffold_data.DOCUMENT_WORDS`). The generated code is ``ruff format`` and
``ruff check`` clean as generated.

Templates live in ``core/scaffold_template/``. Every template file ends in ``.tmpl`` so
that neither ruff, pytest, Babel's extractor nor setuptools mistakes the templates for the
core's own code; a path segment ``__name__`` becomes the plugin's name and a leading
``dot-`` becomes ``.``. In the text, ``{{key}}`` is replaced by a value of
:func:`template_values` (Python source where the template expects an expression); an
unknown key is an error, so a typo cannot ship.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import importlib.util
import itertools
import keyword
import os
import re
import secrets
import shutil
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import get_territory_currencies, is_currency
from stdnum import iban, numdb

from core import scaffold_data
from core.framework.plugins import ENTRY_POINT_GROUP
from core.framework.theming import BUNDLED_THEMES
from core.scaffold_data import DOCUMENT_WORDS, Country

TEMPLATE_DIR = Path(str(files("core") / "scaffold_template"))
TEMPLATE_SUFFIX = ".tmpl"
NAME_SEGMENT = "__name__"
DOT_PREFIX = "dot-"
PORTAL_LOCALES = ("pl", "en", "cs", "uk", "it")
"""The portal's five languages; the conformance suite expects a supplier to offer all."""

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z][a-z0-9_]*)\s*\}\}")
_NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})
"""CLDR territory codes that name no country (unions, pseudo-regions, "unknown")."""
_RESERVED = frozenset({"core", "plugins", "themes", "translations", "tests", "test"})
"""Top-level names of the portal's own packages and of the generated test folder."""


class ScaffoldError(ValueError):
    """The plugin cannot be generated as asked; the message says what to change."""


@dataclass(frozen=True)
class PluginSpec:
    """What the generated plugin says about its supplier; validated on creation.

    ``currency``, ``timezone`` and ``locale`` left out are the country's: from the data
    table, else its CLDR currency, its only time zone and its language when the portal
    speaks it (English otherwise).
    """

    name: str
    country: str = "PL"
    currency: str | None = None
    timezone: str | None = None
    locale: str | None = None

    def __post_init__(self) -> None:
        check_name(self.name)
        if (
            not re.fullmatch(r"[A-Z]{2}", self.country)
            or self.country not in Locale("en").territories
            or self.country in _NOT_COUNTRIES
        ):
            raise ScaffoldError(f"{self.country!r} is not an ISO 3166 country code such as PL or CZ")
        currency = self.currency or _currency_of(self.country)
        timezone = self.timezone or _timezone_of(self.country)
        locale = self.locale or _language_of(self.country)
        for name, value in (("currency", currency), ("timezone", timezone), ("locale", locale)):
            object.__setattr__(self, name, value)
        if not re.fullmatch(r"[A-Z]{3}", currency) or not is_currency(currency):
            raise ScaffoldError(f"{currency!r} is not an ISO 4217 currency code such as PLN or EUR")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ScaffoldError(f"{timezone!r} is not a time zone such as Europe/Warsaw") from None
        if locale not in PORTAL_LOCALES:
            raise ScaffoldError(f"the default locale must be one of {', '.join(PORTAL_LOCALES)}")

    @property
    def data(self) -> Country:
        """The demo data of the supplier's country (the generic ones for a country not listed)."""
        return scaffold_data.country(self.country)

    @property
    def invoice_locale(self) -> str:
        """The Babel locale invoices are formatted in: the language in the country (``cs_CZ``)."""
        try:
            return str(Locale.parse(f"{self.locale}_{self.country}"))
        except (UnknownLocaleError, ValueError):
            return str(self.locale)

    @property
    def display_name(self) -> str:
        """``acme_energy`` -> ``Acme Energy``: a starting point for the brand's name."""
        return " ".join(part.capitalize() for part in self.name.split("_") if part)

    @property
    def supported_locales(self) -> tuple[str, ...]:
        """All five portal languages, the default first (the suite checks them all)."""
        return (str(self.locale), *(code for code in PORTAL_LOCALES if code != self.locale))


def _currency_of(country: str) -> str:
    data = scaffold_data.country(country)
    if data.currency:
        return data.currency
    currencies = get_territory_currencies(country)
    if not currencies:
        raise ScaffoldError(f"no currency is known for {country}: give one with --currency")
    return currencies[0]


def _timezone_of(country: str) -> str:
    """The country's clock: its only time zone, or the first of zones that all keep one time."""
    data = scaffold_data.country(country)
    if data.timezone:
        return data.timezone
    zones = get_global("territory_zones").get(country, [])
    year = dt.datetime.now(dt.UTC).year
    instants = [dt.datetime(year, month, 15, 12, tzinfo=dt.UTC) for month in (1, 7)]
    clocks = {tuple(instant.astimezone(ZoneInfo(zone)).utcoffset() for instant in instants) for zone in zones}
    if len(clocks) != 1:
        known = ", ".join(zones[:4]) + (", ..." if len(zones) > 4 else "")
        raise ScaffoldError(
            f"{country} has {'several time zones (' + known + ')' if zones else 'no known time zone'}: "
            "choose the customers' with --timezone"
        )
    return zones[0]


def _language_of(country: str) -> str:
    data = scaffold_data.country(country)
    if not data.generic:
        return data.language
    spoken = get_global("territory_languages").get(country, {})
    official = [code for code, info in spoken.items() if info.get("official_status") == "official"]
    return next((code for code in official if code in PORTAL_LOCALES), "en")


def check_name(name: str) -> None:
    """Refuse a name that is not a plain package name or would clash once installed.

    The name is at once the import package, the entry point, the supplier code, the
    gettext domain and the theme, so it must be free in each of those namespaces: an
    installed module of that name would be shadowed (or shadow it), a second entry point
    of that name would silently replace the first, and a bundled theme of that name would
    be hidden by the plugin's.
    """
    if not _NAME.fullmatch(name) or keyword.iskeyword(name):
        raise ScaffoldError(
            f"{name!r} is not a valid plugin name: use a lowercase Python identifier "
            "(letters, digits and underscores, starting with a letter), e.g. acme_energy"
        )
    if name in _RESERVED:
        raise ScaffoldError(f"{name!r} is a name the portal itself uses; choose another")
    if importlib.util.find_spec(name) is not None:
        raise ScaffoldError(f"a Python module named {name!r} is already installed; choose another name")
    if name in {ep.name for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}:
        raise ScaffoldError(f"a portal plugin named {name!r} is already installed; choose another name")
    if (BUNDLED_THEMES / name / "theme.json").is_file():
        raise ScaffoldError(f"the portal bundles a theme named {name!r}; choose another name")


BASE_PRICES = {
    "e1_energy": "0.5100", "e1_network": "0.2900", "e1_standing": "11.50",
    "e2_day": "0.5800", "e2_night": "0.3700", "e2_network_day": "0.3200", "e2_network_night": "0.0900",
    "e2_standing": "12.40",
    "g1_energy": "0.2100", "g1_network": "0.0900", "g1_standing": "14.80",
}
"""Net demo prices of a Polish supplier in PLN; other countries' are these times their ``price_scale``."""

SUPPLY_POINT_MAKERS = {
    scaffold_data.GSRN18: (
        "gsrn18_supply_point_id",
        "An 18-digit GSRN: the operator's prefix (GS1 country prefix {prefix}), a serial, the check digit.",
    ),
    scaffold_data.EIC: (
        "eic_supply_point_id",
        "A 16-character EIC: the operator's prefix, a serial and the check character.",
    ),
    scaffold_data.POD_PDR: (
        "pod_pdr_supply_point_id",
        "A POD (electricity: IT, the distributor's digits, E, a serial) or a 14-digit PDR (gas).",
    ),
}


def template_values(spec: PluginSpec, now: dt.datetime | None = None) -> dict[str, str]:
    """The ``{{key}}`` values of the templates."""
    now = now or dt.datetime.now(dt.UTC)
    project = spec.name.replace("_", "-")
    data = spec.data
    words = DOCUMENT_WORDS.get(str(spec.locale), DOCUMENT_WORDS["en"])
    english = Locale("en")
    maker, maker_doc = SUPPLY_POINT_MAKERS[data.supply_point_code]
    values = {
        "name": spec.name,
        "display_name": spec.display_name,
        "class_prefix": spec.display_name.replace(" ", ""),
        "project_name": project,
        "email_domain": f"{project}.example",
        "country": spec.country,
        "country_name": english.territories.get(spec.country, spec.country),
        "currency": str(spec.currency),
        "timezone": str(spec.timezone),
        "locale": str(spec.locale),
        "language_name": english.languages.get(str(spec.locale), str(spec.locale)),
        "invoice_locale": spec.invoice_locale,
        "supported_locales": "(" + ", ".join(f'"{code}"' for code in spec.supported_locales) + ")",
        "seed": str(zlib.crc32(spec.name.encode())),
        "pot_date": now.strftime("%Y-%m-%d %H:%M+0000"),
        "year": str(now.year),
        "vat_rate": data.vat_rate,
        "generic_note": (
            "\n\nThe portal has no demo data of this country: the names, towns, operators, VAT rate\n"
            "and prices are generic placeholders, to be set to the country's."
            if data.generic else ""
        ),
        "supply_point_maker": maker,
        "supply_point_doc": maker_doc.format(prefix=data.gs1_prefix),
        "city_grid": _py_str(data.operators.city_grid),
        "regional_grid": _py_str(data.operators.regional_grid),
        "gas_network": _py_str(data.operators.gas_network),
        "city_prefix": data.operators.city_prefix,
        "regional_prefix": data.operators.regional_prefix,
        "gas_prefix": data.operators.gas_prefix,
        "village_streets": _py_tuple([_py_str(street) for street in data.village_streets]),
        "localities": _py_tuple([_locality(town, 4) for town in data.towns]),
        "female_names": _py_tuple([_py_str(name) for name in data.female_names]),
        "male_names": _py_tuple([_py_str(name) for name in data.male_names]),
        "surnames": _py_tuple([f"({_py_str(his)}, {_py_str(hers)})" for his, hers in data.surnames]),
        "invoice_labels": _invoice_labels(words),
        "month_unit": _py_str(words.month),
        "date_format": _py_str(words.date_format),
        "demo_notice": _py_str(words.demo_notice),
        "iban_countries": f'("{spec.country}",)' if data.iban else "()",
        "sample_iban": (sample_iban(spec.country) if data.iban else None) or GENERIC_IBAN,
        "sample_holder": f"{data.female_names[0]} {data.surnames[0][1]}",
    }
    values.update({f"charge_{key}": _py_str(text) for key, text in words.charges.items()})
    scale = Decimal(data.price_scale)
    for key, base in BASE_PRICES.items():
        places = Decimal(base).as_tuple().exponent
        assert isinstance(places, int), "a base price is a finite number"
        values[f"price_{key}"] = str((Decimal(base) * scale).quantize(Decimal(1).scaleb(places), ROUND_HALF_UP))
    return values


GENERIC_IBAN = "DE89370400440532013000"
"""The IBAN of examples where the plugin takes any country's (a bank in Germany)."""


def sample_iban(country: str) -> str | None:
    """A valid IBAN of ``country`` for the request examples (its bank and account number
    made of the digits 1234567890 in turn, the last two chosen so that a national check
    holds), or ``None`` when the country has no IBAN or none such is valid."""
    found = numdb.get("iban").info(country)[0][1].get("bban")
    if not found:
        return None
    digits = itertools.cycle("1234567890")
    bban = "".join("X" if kind == "a" else next(digits)
                   for count, kind in re.findall(r"(\d+)!([nac])", found) for _ in range(int(count)))
    for tail in range(100):
        candidate = f"{bban[:-2]}{tail:02d}" if bban[-2:].isdigit() else bban
        code = country + iban.calc_check_digits(country + "00" + candidate) + candidate
        if iban.is_valid(code):
            return code
    return None


def _py_str(text: str) -> str:
    """``text`` as a Python string literal in double quotes, as ``ruff format`` writes it."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _py_tuple(items: list[str], indent: int = 0) -> str:
    """A tuple of Python expressions, one per line with a trailing comma (``ruff format``'s shape)."""
    pad = " " * (indent + 4)
    return "(\n" + "".join(f"{pad}{item},\n" for item in items) + " " * indent + ")"


def _locality(town: scaffold_data.Town, indent: int) -> str:
    """A ``Locality(...)`` call for ``town``, one argument a line."""
    postcodes = "(" + ", ".join(_py_str(code) for code in town.postcodes) + ("," if len(town.postcodes) == 1 else "") + ")"
    arguments = [
        _py_str(town.name),
        postcodes,
        "CITY_GRID" if town.grid == "city" else "REGIONAL_GRID",
        "GAS_NETWORK" if town.gas else "None",
    ]
    if town.streets:
        arguments.append("streets=" + _py_tuple([_py_str(street) for street in town.streets], indent + 4))
    if town.weight != 1:
        arguments.append(f"weight={town.weight}")
    pad = " " * (indent + 4)
    return "Locality(\n" + "".join(f"{pad}{argument},\n" for argument in arguments) + " " * indent + ")"


def _invoice_labels(words: scaffold_data.DocumentWords) -> str:
    """The ``InvoiceLabels(...)`` of the plugin's language."""
    titles = _py_dict({"REGULAR": words.titles["regular"], "FORECAST": words.titles["forecast"]}, 4)
    lines = [f"    titles={titles},\n"] + [f"    {key}={_py_str(text)},\n" for key, text in words.labels.items()]
    return "InvoiceLabels(\n" + "".join(lines) + ")"


def _py_dict(entries: dict[str, str], indent: int) -> str:
    """A dict of names to string literals, one entry a line."""
    pad = " " * (indent + 4)
    return "{\n" + "".join(f"{pad}{key}: {_py_str(text)},\n" for key, text in entries.items()) + " " * indent + "}"


def render(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every ``{{key}}`` replaced; an unknown key raises ``KeyError``."""
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def target_path(relative: Path, name: str) -> Path:
    """Where a template file lands in the generated package."""
    parts = []
    for part in relative.parts:
        part = part.replace(NAME_SEGMENT, name)
        if part.startswith(DOT_PREFIX):
            part = "." + part[len(DOT_PREFIX):]
        parts.append(part)
    parts[-1] = parts[-1].removesuffix(TEMPLATE_SUFFIX)
    return Path(*parts)


def template_files(template_dir: Path = TEMPLATE_DIR) -> list[Path]:
    """The template files, relative to ``template_dir``, in a stable order."""
    return sorted(
        path.relative_to(template_dir)
        for path in template_dir.rglob(f"*{TEMPLATE_SUFFIX}")
        if path.is_file()
    )


def scaffold(spec: PluginSpec, dest: Path | str, template_dir: Path = TEMPLATE_DIR) -> Path:
    """Write the plugin package to ``dest/<name>`` and return that directory.

    The package is rendered in a hidden sibling folder and moved into place at the end,
    so a failure leaves no half-written package behind.

    :raises ScaffoldError: when ``dest/<name>`` exists already or ``dest`` is not a folder.
    """
    dest = Path(dest)
    target = dest / spec.name
    if target.exists() or target.is_symlink():
        raise ScaffoldError(f"{target} exists already; remove it or choose another --dest")
    if dest.exists() and not dest.is_dir():
        raise ScaffoldError(f"{dest} is not a directory")
    dest.mkdir(parents=True, exist_ok=True)
    values = template_values(spec)
    staging = dest / f".{spec.name}-{secrets.token_hex(4)}.partial"
    staging.mkdir()  # the umask's permissions, unlike tempfile.mkdtemp's 0700
    try:
        for relative in template_files(template_dir):
            text = (template_dir / relative).read_text(encoding="utf-8")
            out = staging / target_path(relative, spec.name)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(render(text, values), encoding="utf-8", newline="\n")
        if target.exists():
            raise ScaffoldError(f"{target} appeared while the plugin was being written")
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
