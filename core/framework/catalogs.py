"""Message catalogs: the core's ``messages`` domain and each supplier plugin's own.

``portal i18n extract|update|compile`` drive Babel over every domain the loaded
plugins declare (or the ones named with ``--domain``), so a plugin's strings never land
in the core's catalog. ``extract`` and ``update`` change a domain's sources, so they work
only on a source tree (a checkout, installed with ``pip install -e``): a domain whose
files an installer copied into site-packages is left alone, where the next install would
overwrite the change anyway. ``compile`` writes ``.mo`` files wherever the ``.po`` are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import CommandLineInterface, parse_keywords, parse_mapping_cfg

from core.framework.i18n import CORE_TRANSLATIONS, SOURCE_LOCALE

CATALOG_LOCALES = ("pl", "cs", "uk", "it")
KEYWORDS = ("_", "gettext", "ngettext:1,2", "lazy_gettext", "_l", "lazy_ngettext:1,2", "_s", "_p:1c,2", "lazy_pgettext:1c,2")
BABEL_CFG = str(files("core") / "babel.cfg")


@dataclass(frozen=True)
class CatalogDomain:
    """A gettext domain: where its strings are, where its catalogs go, and in which
    languages (the core's four; a plugin's supported locales, English being the source)."""

    name: str
    source_dir: Path
    translations_dir: Path
    locales: tuple[str, ...] = CATALOG_LOCALES

    @property
    def template(self) -> Path:
        return self.translations_dir / f"{self.name}.pot"

    def po_file(self, locale: str) -> Path:
        return self.translations_dir / locale / "LC_MESSAGES" / f"{self.name}.po"

    def mo_file(self, locale: str) -> Path:
        return self.po_file(locale).with_suffix(".mo")


class CatalogError(ValueError):
    """A catalog command cannot work on the domain asked for; the message says why."""


_INSTALL_FOLDERS = frozenset({"site-packages", "dist-packages"})


def installed_in(domain: CatalogDomain) -> Path | None:
    """The folder an installer copied the domain's files into, or ``None`` for a source tree.

    A domain is installed when its files lie in a ``site-packages`` (``dist-packages``)
    folder, or in a folder where an installed distribution's ``RECORD`` lists them (what
    ``pip install --target`` writes). An editable install leaves the files in the
    project, and its ``RECORD`` lists only the link to them.
    """
    for path in (domain.source_dir, domain.translations_dir):
        path = path.resolve()
        for folder in path.parents:
            if folder.name in _INSTALL_FOLDERS:
                return folder
            inside = path.relative_to(folder).as_posix() + "/"
            for record in folder.glob("*.dist-info/RECORD"):
                with open(record, encoding="utf-8", errors="replace") as lines:
                    if any(line.startswith(inside) for line in lines):
                        return folder
    return None


def editable(domain: CatalogDomain) -> CatalogDomain:
    """``domain`` when its sources may be changed; :class:`CatalogError` when it is installed."""
    folder = installed_in(domain)
    if folder is not None:
        raise CatalogError(
            f"the {domain.name} domain is installed in {folder}, not a project's source tree: "
            "its catalogs are not changed there (the next install would replace them). Run the "
            "command in the project the package is built from, installed with `pip install -e`"
        )
    return domain


def select_domains(domains: Iterable[CatalogDomain], names: Iterable[str]) -> list[CatalogDomain]:
    """The domains called ``names`` (all of them when none is named), in the order given."""
    by_name = {domain.name: domain for domain in domains}
    wanted = list(dict.fromkeys(names))
    unknown = [name for name in wanted if name not in by_name]
    if unknown:
        raise CatalogError(
            f"no catalog domain {', '.join(unknown)}: the domains are {', '.join(by_name)} "
            "(the core's messages and each loaded plugin's own)"
        )
    return [by_name[name] for name in wanted] if wanted else list(by_name.values())


def core_domain() -> CatalogDomain:
    return CatalogDomain("messages", Path(str(files("core"))), CORE_TRANSLATIONS)


def domains_of(suppliers) -> list[CatalogDomain]:
    """The core domain and one per supplier plugin that declares a gettext domain."""
    found = {"messages": core_domain()}
    for info in suppliers:
        if info.gettext_domain and info.translations_dir and info.gettext_domain not in found:
            translations = Path(info.translations_dir)
            locales = tuple(locale for locale in info.supported_locales if locale != SOURCE_LOCALE)
            found[info.gettext_domain] = CatalogDomain(info.gettext_domain, translations.parent, translations, locales)
    return list(found.values())


def all_domains() -> list[CatalogDomain]:
    """Domains of the core and of every installed plugin (``PORTAL_PLUGINS`` honoured)."""
    import os

    from core.framework.plugins import create_plugin_manager, supplier_plugins

    enabled = os.environ.get("PORTAL_PLUGINS")
    pm = create_plugin_manager(json_list(enabled) if enabled else None)
    return domains_of(info for _, info in supplier_plugins(pm))


def json_list(value: str) -> list[str]:
    import json

    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        parsed = [part.strip() for part in value.split(",") if part.strip()]
    return list(parsed)


def _babel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(domain: CatalogDomain) -> None:
    domain.translations_dir.mkdir(parents=True, exist_ok=True)
    keywords = [arg for kw in KEYWORDS for arg in ("-k", kw)]
    _babel(
        "extract", "-F", BABEL_CFG, *keywords, "--no-location", "--sort-output",
        "--project", "Utility Portal", "--copyright-holder", "Utility Portal contributors",
        "-o", str(domain.template), str(domain.source_dir),
    )


def extract_messages(domain: CatalogDomain) -> Catalog:
    """The domain's strings as ``extract`` finds them, in memory (nothing is written)."""
    with open(BABEL_CFG, encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, BABEL_CFG)
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(list(KEYWORDS))}
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        str(domain.source_dir), method_map, options_map, keywords=keywords
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def update(domain: CatalogDomain, locales: tuple[str, ...] | None = None) -> None:
    """Merge the template into the catalog of each of the domain's languages (or of
    ``locales``), creating the missing ones."""
    for locale in locales or domain.locales:
        if domain.po_file(locale).exists():
            _babel("update", "--no-fuzzy-matching", "--ignore-obsolete", "-i", str(domain.template),
                   "-d", str(domain.translations_dir), "-D", domain.name, "-l", locale)
        else:
            _babel("init", "-i", str(domain.template), "-d", str(domain.translations_dir),
                   "-D", domain.name, "-l", locale)


def compile_catalogs(domain: CatalogDomain, only_stale: bool = False) -> int:
    """Compile .po to .mo; with ``only_stale``, skip catalogs whose .mo is current."""
    compiled = 0
    for po in sorted(domain.translations_dir.glob(f"*/LC_MESSAGES/{domain.name}.po")):
        mo = po.with_suffix(".mo")
        if only_stale and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        locale = po.parent.parent.name
        _babel("compile", "-d", str(domain.translations_dir), "-D", domain.name, "-l", locale)
        compiled += 1
    return compiled
