"""``portal new-plugin``: the generated package installs with pip and passes the suite as is.

The slow tests install the generated package into a private ``--target`` folder (never
into the portal's own environment, where every other test would load it) and run its
tests in a subprocess rooted at the package, so the portal's ``tests/conftest.py`` plays
no part: what passes there passes for a plugin author outside this repository.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from gettext import c2py
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from click.testing import CliRunner

from core import scaffold_data
from core.cli import new_plugin
from core.framework.catalogs import CATALOG_LOCALES, CatalogDomain, extract
from core.framework.fields import Iban
from core.framework.identifiers import is_valid_gsrn18, is_valid_pdr, is_valid_pod
from core.framework.theming import Theme
from core.scaffold import PluginSpec, ScaffoldError, check_name, scaffold, template_files, template_values
from core.testing import suite

NAME = "acme_energy"
CONFORMANCE_TESTS = sorted(name for name in vars(suite) if name.startswith("test_"))


def _run(command: list[str], cwd: Path, timeout: int = 600, **env: str) -> subprocess.CompletedProcess[str]:
    """A child process with a clean environment: no PYTHONPATH but the one given."""
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    environment.update(env)
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout)


def _version(name: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in re.findall(r"\d+", importlib.metadata.version(name))[:2])
    except importlib.metadata.PackageNotFoundError:
        return ()


def _builds_without_isolation() -> bool:
    """setuptools builds wheels by itself from 70.1 on; from 64 with the ``wheel`` package.

    A fresh ``python3 -m venv`` of Python 3.11 has setuptools 65.5 and no ``wheel``; pip
    then has to build in an isolated environment (setuptools from the package index).
    """
    setuptools = _version("setuptools")
    return setuptools >= (70, 1) or (setuptools >= (64,) and importlib.util.find_spec("wheel") is not None)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """The generated package and the ``--target`` folder pip installed it into."""
    root = tmp_path_factory.mktemp("scaffold")
    package = scaffold(PluginSpec(NAME), root)
    site = root / "site"
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-input",
               "--disable-pip-version-check", "--target", str(site)]
    if _builds_without_isolation():
        command.append("--no-build-isolation")
    result = _run([*command, str(package)], cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    return package, site


def _invoke(*args: str):
    return CliRunner().invoke(new_plugin, list(args))


# --- the generated package, installed -----------------------------------------------------


@pytest.mark.slow
def test_generated_package_passes_the_conformance_suite(installed):
    package, site = installed
    result = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(package),
         str(package / "tests")],
        cwd=package / "tests",
        PYTHONPATH=str(site),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    summary = re.search(r"^=*\s*(\d+) passed\b(.*)$", result.stdout, re.MULTILINE)
    assert summary, output
    assert int(summary.group(1)) == len(CONFORMANCE_TESTS), output
    assert "failed" not in summary.group(2) and "error" not in summary.group(2), output
    # the catalogs were compiled next to the installed .po files, inside site-packages
    for locale in CATALOG_LOCALES:
        assert (site / NAME / "translations" / locale / "LC_MESSAGES" / f"{NAME}.mo").is_file()


@pytest.mark.slow
def test_installed_plugin_is_found_through_the_entry_point(installed):
    _package, site = installed
    probe = (
        "import importlib.metadata, json\n"
        "from core.framework.plugins import create_plugin_manager, supplier_plugins\n"
        f"import {NAME}\n"
        "points = {ep.name: ep.value for ep in importlib.metadata.entry_points(group='utility_portal')}\n"
        f"pm = create_plugin_manager([{NAME!r}])\n"
        "print(json.dumps({'file': " + NAME + ".__file__, 'points': points,\n"
        "                  'suppliers': [info.code for _, info in supplier_plugins(pm)]}))\n"
    )
    result = _run([sys.executable, "-c", probe], cwd=site.parent, PYTHONPATH=str(site))
    assert result.returncode == 0, result.stdout + result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(found["file"]).is_relative_to(site)
    assert found["points"][NAME] == f"{NAME}.plugin"
    assert found["suppliers"] == [NAME]


@pytest.mark.slow
def test_installed_package_carries_its_data(installed):
    _package, site = installed
    installed_package = site / NAME
    for locale in CATALOG_LOCALES:
        assert (installed_package / "translations" / locale / "LC_MESSAGES" / f"{NAME}.po").is_file()
    assert (installed_package / "translations" / f"{NAME}.pot").is_file()
    Theme.load(installed_package / "themes" / NAME)  # manifest and logo both shipped


# --- what gets generated --------------------------------------------------------------------


def test_command_writes_every_template_rendered(tmp_path):
    result = _invoke("acme_gaz", "--dest", str(tmp_path), "--country", "cz", "--currency", "CZK",
                     "--timezone", "Europe/Prague", "--locale", "cs")
    assert result.exit_code == 0, result.output
    package = tmp_path / "acme_gaz"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme_gaz"]  # no staging folder left
    written = sorted(p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file())
    assert len(written) == len(template_files())
    assert {"pyproject.toml", "README.md", ".gitignore", "tests/test_conformance.py", "acme_gaz/plugin.py",
            "acme_gaz/templates/.gitkeep", "acme_gaz/themes/acme_gaz/theme.json",
            "acme_gaz/translations/cs/LC_MESSAGES/acme_gaz.po"} <= set(written)
    for name in written:
        assert "__name__" not in name and not name.endswith(".tmpl")
        text = (package / name).read_text(encoding="utf-8")
        assert not re.search(r"\{\{\s*\w+\s*\}\}", text), name
        if name.endswith(".py"):
            compile(text, name, "exec")
    supplier = (package / "acme_gaz" / "supplier.py").read_text(encoding="utf-8")
    assert 'country="CZ"' in supplier and 'currency="CZK"' in supplier and 'timezone="Europe/Prague"' in supplier
    assert 'supported_locales=("cs", "pl", "en", "uk", "it")' in supplier
    pyproject = (package / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points.utility_portal]\nacme_gaz = "acme_gaz.plugin"' in pyproject
    assert (package / "tests" / "test_conformance.py").read_text(encoding="utf-8").endswith(
        'PORTAL_PLUGIN = "acme_gaz.plugin"\n'
    )


def test_catalogs_hold_every_string_of_the_code_translated(tmp_path):
    package = scaffold(PluginSpec(NAME), tmp_path)
    translations = package / NAME / "translations"
    fresh = CatalogDomain(NAME, package / NAME, tmp_path / "extracted")
    extract(fresh)  # what `portal i18n extract` would collect from the generated code
    with open(fresh.template, "rb") as fh:
        in_code = {m.id for m in read_po(fh) if m.id}
    with open(translations / f"{NAME}.pot", "rb") as fh:
        assert {m.id for m in read_po(fh) if m.id} == in_code
    for locale in CATALOG_LOCALES:
        with open(translations / locale / "LC_MESSAGES" / f"{NAME}.po", "rb") as fh:
            catalog = read_po(fh, locale=locale)
        assert {m.id for m in catalog if m.id} == in_code, locale
        assert all(m.string and not m.fuzzy for m in catalog if m.id), locale
        # the language's rule, however the installed Babel spells it (and whether its CLDR
        # counts a form that only millions take, as newer ones do for Italian): for n = 0..200
        # both rules put the same numbers together in one form
        assert _forms(c2py(catalog.plural_expr)) == _forms(c2py(get_plural(locale).plural_expr)), locale
        assert max(_forms(c2py(catalog.plural_expr))) < catalog.num_plurals, locale


def _forms(rule) -> list[int]:
    """Which numbers of 0..200 share a plural form, the forms numbered by first use."""
    first_use: dict[int, int] = {}
    return [first_use.setdefault(rule(n), len(first_use)) for n in range(201)]


def test_theme_colours_meet_wcag_aa(tmp_path):
    package = scaffold(PluginSpec(NAME), tmp_path)
    colours = Theme.load(package / NAME / "themes" / NAME).colours

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    def contrast(a: str, b: str) -> float:
        high, low = sorted((luminance(colours[a]), luminance(colours[b])), reverse=True)
        return (high + 0.05) / (low + 0.05)

    pairs = [("on_primary", "primary")] + [
        (fg, bg) for fg in ("text", "muted", "accent", "danger", "success") for bg in ("background", "surface")
    ]
    for fg, bg in pairs:
        assert contrast(fg, bg) >= 4.5, (fg, bg, round(contrast(fg, bg), 2))


def _ruff() -> str:
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None:
        pytest.skip("ruff is not installed")
    return ruff


@pytest.mark.parametrize(
    "options",
    [
        {},  # Poland, the default
        {"country": "CZ"},
        {"country": "UA"},
        {"country": "IT"},
        {"country": "CZ", "locale": "en"},
        {"country": "DE"},  # no demo data of its own: the generic ones
        {"country": "US", "timezone": "America/Chicago"},
    ],
    ids=lambda options: "-".join(options.values()) or "default",
)
def test_generated_code_is_ruff_format_and_ruff_check_clean(tmp_path, options):
    ruff = _ruff()
    package = scaffold(PluginSpec(NAME, **options), tmp_path)
    # the package's own ruff settings (pyproject.toml), with no cache left behind
    formatted = _run([ruff, "format", "--check", "--diff", "--no-cache", "."], cwd=package)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    checked = _run([ruff, "check", "--no-cache", "."], cwd=package)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_generated_code_imports_the_core_only_through_the_plugin_api(tmp_path):
    """The contract the bundled plugins keep (setup.cfg), checked on a generated plugin."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    if not lint_imports.exists():
        pytest.skip("import-linter is not installed")
    package = scaffold(PluginSpec(NAME, country="IT"), tmp_path)
    (tmp_path / "contracts.cfg").write_text(
        "[importlinter]\nroot_packages =\n    core\n    " + NAME + "\n\n"
        "[importlinter:contract:plugin-api]\nname = The plugin imports the core only through core.plugin_api\n"
        "type = forbidden\nsource_modules =\n    " + NAME + "\nforbidden_modules =\n    core.*\n"
        "ignore_imports =\n    " + NAME + ".** -> core.plugin_api\n    " + NAME + ".** -> core.plugin_api.*\n"
        "allow_indirect_imports = True\nunmatched_ignore_imports_alerting = none\n",
        encoding="utf-8",
    )
    root = Path(__file__).resolve().parents[2]
    result = _run([str(lint_imports), str(tmp_path / "contracts.cfg"), "--no-cache"], cwd=root,
                  PYTHONPATH=os.pathsep.join([str(package), str(root)]))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout, result.stdout


# --- the demo data of the supplier's country ------------------------------------------------------

COUNTRY_PROBE = """
import json, re, sys
from core import create_app
name = sys.argv[1]


def pdf_info(document, key):  # a text entry of the PDF (/Title, /Lang), plain or UTF-16
    plain = re.search(rb"/" + key + rb" \\((.*?)\\)", document)
    if plain:
        return plain.group(1).decode("latin-1")
    return bytes.fromhex(re.search(rb"/" + key + rb" <feff([0-9a-fA-F]+)>", document).group(1).decode()).decode("utf-16-be")


plugin = __import__(f"{name}.plugin", fromlist=["plugin"])
app = create_app({"TESTING": True, "SECRET_KEY": "probe", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                  "PLUGINS": [], "DEFAULT_TENANT": None,
                  "TENANTS": {"probe": {"plugin": name, "hosts": ["probe.test"]}}}, plugins=[plugin])
tenant = app.extensions["portal_tenants"]["probe"]
adapter = tenant.adapter
accounts = []
for identity in adapter.demo_identities():
    number = identity["customer_number"]
    account = adapter.find_account(number)
    invoice = max(adapter.invoices(number), key=lambda invoice: invoice.issued_on)
    lines = adapter.invoice_lines(number, invoice.number)
    accounts.append({
        "holder": account.holder_name, "street": account.address.street, "postcode": account.address.postcode,
        "city": account.address.city, "country": account.address.country,
        "points": [[p.identifier, str(p.commodity), p.distribution_operator] for p in adapter.supply_points(number)],
        "invoice": invoice.number, "kind": invoice.kind, "currency": invoice.gross.currency,
        "vat_rates": sorted({str(line.vat_rate) for line in lines}),
        "lines": sorted({line.description for line in lines}), "units": sorted({line.unit for line in lines}),
    })
first = accounts[0]
document = adapter.invoice_pdf(adapter.demo_identities()[0]["customer_number"], first["invoice"])
pdf = {"title": pdf_info(document, b"Title"), "lang": pdf_info(document, b"Lang")}
print(json.dumps({"supplier": {"currency": tenant.currency, "timezone": tenant.timezone,
                               "locale": tenant.default_locale},
                  "accounts": accounts, "pdf": pdf, "labels": vars(adapter.profile.invoice_labels)},
                 ensure_ascii=False, default=str))
"""


def _demo_data(tmp_path: Path, name: str, **options: str) -> dict:
    """The demo data of a generated plugin, loaded by a portal in a process of its own."""
    package = scaffold(PluginSpec(name, **options), tmp_path)
    result = _run([sys.executable, "-c", COUNTRY_PROBE, name], cwd=tmp_path, PYTHONPATH=str(package))
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_czech_plugin_has_czech_demo_data_and_czech_invoices(tmp_path):
    from core.scaffold_data import COUNTRIES

    czech = COUNTRIES["CZ"]
    found = _demo_data(tmp_path, "acme_praha", country="CZ")
    assert found["supplier"] == {"currency": "CZK", "timezone": "Europe/Prague", "locale": "cs"}
    towns = {town.name: town for town in czech.towns}
    for account in found["accounts"]:
        town = towns[account["city"]]
        assert account["postcode"] in town.postcodes and re.fullmatch(r"\d{3} \d{2}", account["postcode"])
        assert re.sub(r" \d+(/\d+)?$", "", account["street"]) in (town.streets or czech.village_streets)
        assert account["country"] == "CZ" and account["currency"] == "CZK"
        assert account["vat_rates"] == ["0.21"]
        first, surname = account["holder"].split(" ", 1)
        his_or_hers = dict(czech.surnames) | {hers: his for his, hers in czech.surnames}
        assert surname in his_or_hers
        assert (first in czech.female_names) == (surname not in dict(czech.surnames)), account["holder"]
        for identifier, _commodity, _operator in account["points"]:
            assert identifier.startswith("859") and is_valid_gsrn18(identifier), identifier
        assert set(account["lines"]) <= {"Elektřina", "Distribuce", "Stálá platba", "Zemní plyn",
                                         "Elektřina, vysoký tarif", "Elektřina, nízký tarif",
                                         "Distribuce, vysoký tarif", "Distribuce, nízký tarif"}
        assert set(account["units"]) <= {"kWh", "měs."}
    assert found["labels"]["issued_on"] == "Datum vystavení" and found["labels"]["vat"] == "DPH"
    assert found["pdf"]["lang"] == "cs-CZ"
    assert found["pdf"]["title"].startswith(("Faktura ", "Faktura – odhad spotřeby "))
    assert "Polska" not in json.dumps(found, ensure_ascii=False) and "ul. " not in json.dumps(found, ensure_ascii=False)


def test_an_italian_plugin_has_italian_demo_data_and_italian_invoices(tmp_path):
    from core.scaffold_data import COUNTRIES

    italian = COUNTRIES["IT"]
    found = _demo_data(tmp_path, "acme_roma", country="IT")
    assert found["supplier"] == {"currency": "EUR", "timezone": "Europe/Rome", "locale": "it"}
    postcodes = {code for town in italian.towns for code in town.postcodes}
    commodities, lines = set(), set()
    for account in found["accounts"]:
        assert account["postcode"] in postcodes and account["country"] == "IT"
        assert account["vat_rates"] == ["0.10"] and account["currency"] == "EUR"
        for identifier, commodity, _operator in account["points"]:
            commodities.add(commodity)
            if commodity == "electricity":
                assert is_valid_pod(identifier), identifier
            else:
                assert is_valid_pdr(identifier), identifier
        assert set(account["units"]) <= {"kWh", "mese"}
        lines.update(account["lines"])
    assert commodities == {"electricity", "gas"}
    # the newest invoice of an account may be its gas one: electricity shows among all of them
    assert {"Gas naturale", "Energia elettrica"} <= lines or {"Gas naturale", "Energia elettrica, fascia diurna"} <= lines
    assert found["labels"]["issued_on"] == "Data di emissione" and found["labels"]["vat"] == "IVA"
    assert found["pdf"]["lang"] == "it-IT" and found["pdf"]["title"].startswith("Bolletta")


def test_a_country_without_demo_data_gets_generic_ones_and_says_so(tmp_path):
    package = scaffold(PluginSpec("acme_berlin", country="DE"), tmp_path)
    supplier = (package / "acme_berlin" / "supplier.py").read_text(encoding="utf-8")
    assert 'currency="EUR"' in supplier and 'timezone="Europe/Berlin"' in supplier
    adapter = (package / "acme_berlin" / "adapter.py").read_text(encoding="utf-8")
    assert 'DEFAULT_LOCALE = "en"' in adapter and 'INVOICE_LOCALE = "en_DE"' in adapter
    assert "The portal has no demo data of this country" in adapter
    assert '"2000101"' in adapter  # GS1 prefix 200: numbers for use within one company
    assert "countries=()" in (package / "acme_berlin" / "request_types.py").read_text(encoding="utf-8")


def test_a_country_of_several_clocks_needs_a_timezone(tmp_path):
    result = _invoke("acme_usa", "--dest", str(tmp_path), "--country", "US")
    assert result.exit_code == 2
    assert "US has several time zones" in result.output and "--timezone" in result.output
    assert list(tmp_path.iterdir()) == []


# --- what is refused --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Acme", "lowercase Python identifier"),
        ("acme-energy", "lowercase Python identifier"),
        ("1acme", "lowercase Python identifier"),
        ("_acme", "lowercase Python identifier"),
        ("acme energy", "lowercase Python identifier"),
        ("class", "lowercase Python identifier"),
        ("core", "the portal itself uses"),
        ("tests", "the portal itself uses"),
        ("json", "already installed"),
        ("innogy_pl", "plugin named"),
        ("innogy", "bundles a theme"),
    ],
)
def test_invalid_name_is_refused(tmp_path, name, reason):
    result = _invoke(name, "--dest", str(tmp_path))
    assert result.exit_code == 2
    assert reason in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("option", "value"),
    [("--country", "XX"), ("--country", "POL"), ("--country", "EU"), ("--currency", "ZZZ"),
     ("--currency", "PL"), ("--timezone", "Europe/Atlantis"), ("--locale", "de")],
)
def test_invalid_option_is_refused(tmp_path, option, value):
    result = _invoke(NAME, "--dest", str(tmp_path), option, value)
    assert result.exit_code == 2, result.output
    assert list(tmp_path.iterdir()) == []


def test_existing_directory_is_refused_and_left_alone(tmp_path):
    existing = tmp_path / NAME
    existing.mkdir()
    (existing / "mine.txt").write_text("keep me", encoding="utf-8")
    result = _invoke(NAME, "--dest", str(tmp_path))
    assert result.exit_code == 2
    assert "exists already" in result.output
    assert [p.name for p in existing.iterdir()] == ["mine.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [NAME]


def test_existing_file_of_that_name_is_refused(tmp_path):
    (tmp_path / NAME).write_text("", encoding="utf-8")
    with pytest.raises(ScaffoldError, match="exists already"):
        scaffold(PluginSpec(NAME), tmp_path)


def test_valid_name_passes_the_checks():
    check_name(NAME)  # raises for a refused name


def test_command_needs_no_app(tmp_path):
    """``portal new-plugin`` runs where no portal could start (no secret key, no tenant)."""
    result = _run(
        [sys.executable, "-c", "from core.cli import main; main()", "new-plugin", NAME, "--dest", str(tmp_path)],
        cwd=tmp_path,
        PORTAL_TENANTS="{}",
        PORTAL_DEFAULT_TENANT="nowhere",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / NAME / "pyproject.toml").is_file()


@pytest.mark.parametrize("country", [*sorted(scaffold_data.COUNTRIES), "DE", "CH"])
def test_the_refund_account_example_is_a_valid_iban_of_the_country(country):
    """The generated request type's example passes its own field, so the suite can file it."""
    data = scaffold_data.country(country)
    values = template_values(PluginSpec(NAME, country=country))
    field = Iban(countries=(country,) if data.iban else ())
    assert field.deserialize(values["sample_iban"]) == values["sample_iban"]
    assert values["sample_iban"].startswith(country if data.iban else "DE")
    assert values["sample_holder"].split()[0] in data.female_names
