"""``portal new-plugin``: a supplier plugin package, outside this repository, ready to grow.

The generated package installs with pip, registers itself in the ``utility_portal``
entry-point group and passes the plugin conformance suite as generated, so a supplier's
developer starts from green tests and changes one thing at a time.

Templates live in ``core/scaffold_template/``. Every template file ends in ``.tmpl`` so
that neither ruff, pytest, Babel's extractor nor setuptools mistakes the templates for the
core's own code; a path segment ``__name__`` becomes the plugin's name and a leading
``dot-`` becomes ``.``. In the text, ``{{key}}`` is replaced by a value of
:func:`template_values`; an unknown key is an error, so a typo cannot ship.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import importlib.util
import keyword
import os
import re
import secrets
import shutil
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.numbers import is_currency

from core.framework.plugins import ENTRY_POINT_GROUP
from core.framework.theming import BUNDLED_THEMES

TEMPLATE_DIR = Path(str(files("core") / "scaffold_template"))
TEMPLATE_SUFFIX = ".tmpl"
NAME_SEGMENT = "__name__"
DOT_PREFIX = "dot-"
PORTAL_LOCALES = ("pl", "en", "cs", "uk", "it")
"""The portal's five languages; the conformance suite expects a supplier to offer all."""

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})
"""CLDR territory codes that name no country (unions, pseudo-regions, "unknown")."""
_RESERVED = frozenset({"core", "plugins", "themes", "translations", "tests", "test"})
"""Top-level names of the portal's own packages and of the generated test folder."""


class ScaffoldError(ValueError):
    """The plugin cannot be generated as asked; the message says what to change."""


@dataclass(frozen=True)
class PluginSpec:
    """What the generated plugin says about its supplier; validated on creation."""

    name: str
    country: str = "PL"
    currency: str = "PLN"
    timezone: str = "Europe/Warsaw"
    locale: str = "pl"

    def __post_init__(self) -> None:
        check_name(self.name)
        if (
            not re.fullmatch(r"[A-Z]{2}", self.country)
            or self.country not in Locale("en").territories
            or self.country in _NOT_COUNTRIES
        ):
            raise ScaffoldError(f"{self.country!r} is not an ISO 3166 country code such as PL or CZ")
        if not re.fullmatch(r"[A-Z]{3}", self.currency) or not is_currency(self.currency):
            raise ScaffoldError(f"{self.currency!r} is not an ISO 4217 currency code such as PLN or EUR")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ScaffoldError(f"{self.timezone!r} is not a time zone such as Europe/Warsaw") from None
        if self.locale not in PORTAL_LOCALES:
            raise ScaffoldError(f"the default locale must be one of {', '.join(PORTAL_LOCALES)}")

    @property
    def display_name(self) -> str:
        """``acme_energy`` -> ``Acme Energy``: a starting point for the brand's name."""
        return " ".join(part.capitalize() for part in self.name.split("_") if part)

    @property
    def supported_locales(self) -> tuple[str, ...]:
        """All five portal languages, the default first (the suite checks them all)."""
        return (self.locale, *(code for code in PORTAL_LOCALES if code != self.locale))


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


def template_values(spec: PluginSpec, now: dt.datetime | None = None) -> dict[str, str]:
    """The ``{{key}}`` values of the templates."""
    now = now or dt.datetime.now(dt.UTC)
    project = spec.name.replace("_", "-")
    return {
        "name": spec.name,
        "display_name": spec.display_name,
        "class_prefix": spec.display_name.replace(" ", ""),
        "project_name": project,
        "email_domain": f"{project}.example",
        "country": spec.country,
        "currency": spec.currency,
        "timezone": spec.timezone,
        "locale": spec.locale,
        "supported_locales": "(" + ", ".join(f'"{code}"' for code in spec.supported_locales) + ")",
        "seed": str(zlib.crc32(spec.name.encode())),
        "pot_date": now.strftime("%Y-%m-%d %H:%M+0000"),
        "year": str(now.year),
    }


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
