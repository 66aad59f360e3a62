"""The conformance kit catches what matters: each check fails, with a message that says
what to change, on a plugin that has the defect, and passes the bundled plugins (their
test modules run the whole suite).

The whole suite runs once, in a child process, on ``tests/support/careless_energy`` (a
plugin with one defect per check, copied out of the repository so nothing is written into
it); the check functions of ``core.testing.checks`` are tested on their own below.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from marshmallow import Schema, fields, validate

from core.framework.catalogs import CATALOG_LOCALES, CatalogDomain, domains_of, extract, update
from core.framework.descriptions import RequestType, SupplierInfo
from core.framework.fields import SupplyPointOfAccount
from core.framework.theming import BUNDLED_THEMES, Theme
from core.testing import suite
from core.testing.checks import (
    NON_TEXT_PAIRS,
    TEXT_PAIRS,
    contrast_problems,
    contrast_ratio,
    example_problems,
    form_values,
    missing_messages,
    parse_colour,
    raw_values,
    shown_facts,
)

CARELESS = Path(__file__).parents[1] / "support" / "careless_energy"
SUITE_TESTS = sorted(name for name in vars(suite) if name.startswith("test_"))
CAUGHT = {
    "test_request_examples_pass_the_schema_and_the_checks",
    "test_request_examples_are_filed_through_the_form",
    "test_request_examples_are_filed_through_the_api",
    "test_filed_requests_read_as_words_in_every_locale",
    "test_catalogs_hold_every_string_of_the_plugin",
    "test_theme_colours_meet_wcag_aa",
}
"""The checks Careless Energy fails; it passes all the others."""


# --- the whole suite on a careless plugin -----------------------------------------------------


@pytest.fixture(scope="module")
def careless(tmp_path_factory) -> dict[str, str | None]:
    """Each suite test's failure message for Careless Energy (``None`` when it passed)."""
    root = tmp_path_factory.mktemp("careless")
    shutil.copytree(CARELESS, root / "careless_energy", ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    (root / "test_careless.py").write_text(
        'from core.plugin_api.testing import *  # noqa: F403\n\nPORTAL_PLUGIN = "careless_energy.plugin"\n',
        encoding="utf-8",
    )
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    environment["PYTHONPATH"] = str(root)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--rootdir", str(root),
         "--junitxml", str(root / "report.xml"), "test_careless.py"],
        cwd=root, env=environment, capture_output=True, text=True, timeout=600,
    )
    report = root / "report.xml"
    assert report.is_file(), result.stdout + result.stderr
    outcome: dict[str, str | None] = {}
    for case in ET.parse(report).iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        outcome[case.get("name")] = None if problem is None else f"{problem.get('message')}\n{problem.text}"
    return outcome


def test_careless_plugin_fails_exactly_the_checks_of_its_defects(careless):
    assert set(careless) == set(SUITE_TESTS)
    failed = {name for name, message in careless.items() if message is not None}
    assert failed == CAUGHT, {name: careless[name] for name in failed ^ CAUGHT}


def test_a_check_that_raises_is_caught_and_named(careless):
    message = careless["test_request_examples_pass_the_schema_and_the_checks"]
    assert "request type 'callback', example 1 {'phone': '601 234 567'}: check() raised RuntimeError: " \
           "the call centre's system is not configured" in message
    assert "the form failed: RuntimeError: the call centre's system is not configured" in \
           careless["test_request_examples_are_filed_through_the_form"]
    assert "the API failed: RuntimeError: the call centre's system is not configured" in \
           careless["test_request_examples_are_filed_through_the_api"]


def test_a_request_type_without_examples_is_named(careless):
    message = careless["test_request_examples_pass_the_schema_and_the_checks"]
    assert "request type 'meter_photo' has no examples for account" in message
    assert "set RequestType(examples=...)" in message


def test_a_string_missing_from_a_declared_catalog_is_named(careless):
    message = careless["test_catalogs_hold_every_string_of_the_plugin"]
    assert "careless_energy/translations/pl/LC_MESSAGES/careless_energy.po: 1 missing: 'Send a photo of the meter'" \
        in message
    assert "portal i18n extract" in message
    assert careless["test_catalogs_compile_complete_for_every_locale"] is None  # the catalog itself is sound


def test_raw_values_on_a_request_page_are_named(careless):
    message = careless["test_filed_requests_read_as_words_in_every_locale"]
    for locale, label in (("pl", "Data wizyty"), ("en", "Visit date")):
        for way in ("form", "api"):
            assert f"{locale}, request type 'visit' filed through the {way}: {label}: '2027-03-15'" in message
    assert "'2027-03-15': an ISO date: show it in the customer's format (a Date field)" in message
    assert "choice 'morning' of field 'time_of_day' is shown instead of its label 'In the morning'" in message
    assert "remarks: 'Ring twice': the field is shown by its name: give field 'remarks' a metadata label" in message


def test_weak_colour_contrast_is_named_with_the_pairs_checked(careless):
    message = careless["test_theme_colours_meet_wcag_aa"]
    assert "accent #3399cc on surface #ffffff (links on cards): contrast 3.20:1, WCAG AA asks at least 4.5:1 " \
           "for normal text" in message
    assert "accent #3399cc on background #ffffff (links)" in message
    assert "pairs checked: text/background, text/surface, muted/background" in message
    assert "careless/theme.json" in message


def test_market_languages_and_english_are_enough(careless):
    """Polish and English only: no catalog for cs, uk or it is asked for, every page renders."""
    for name in ("test_supplier_offers_english_and_languages_the_portal_speaks",
                 "test_catalogs_compile_complete_for_every_locale", "test_every_page_renders_in_every_locale"):
        assert careless[name] is None, careless[name]


# --- colours ---------------------------------------------------------------------------------


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#fff", "rgb(255, 255, 255)") == pytest.approx(1)
    assert round(contrast_ratio("#767676", "#ffffff"), 2) == 4.54  # the lightest grey that passes on white
    assert round(contrast_ratio("#ffffff", "#777777"), 2) == 4.48  # order does not matter
    with pytest.raises(ValueError, match="is not a colour"):
        parse_colour("teal")


def test_contrast_problems_compare_unrounded_and_skip_colours_not_set():
    colours = {"text": "#111111", "background": "#ffffff", "surface": "#ffffff", "muted": "#777777",
               "accent": "#0a6b4d", "on_primary": "#ffffff", "primary": "#0b3d63"}
    problems = contrast_problems(colours)
    assert problems == [
        "muted #777777 on background #ffffff (the footer and 'data as of'): contrast 4.48:1, "
        "WCAG AA asks at least 4.5:1 for normal text",
        "muted #777777 on surface #ffffff (field help, labels of details, table captions): contrast 4.48:1, "
        "WCAG AA asks at least 4.5:1 for normal text",
    ]  # danger and success are not set: not checked
    assert contrast_problems({**colours, "muted": "#767676"}) == []
    weak_primary = contrast_problems({**colours, "muted": "#555555", "primary": "#a0a0a0", "on_primary": "#000000"})
    assert weak_primary == ["primary #a0a0a0 on surface #ffffff (the current page's mark in the navigation, this "
                            "year's bars of the chart): contrast 2.61:1, WCAG AA asks at least 3:1 for marks that "
                            "are not text"]
    assert contrast_problems({**colours, "muted": "#555555", "text": "black"}) == [
        "text on background: 'black' is not a colour as #rrggbb, #rgb or rgb(r, g, b)",
        "text on surface: 'black' is not a colour as #rrggbb, #rgb or rgb(r, g, b)",
    ]


def test_the_pairs_checked_are_the_ones_the_stylesheet_uses():
    css = (Path(__file__).parents[2] / "core" / "static" / "portal.css").read_text(encoding="utf-8")
    for foreground, background, _where in (*TEXT_PAIRS, *NON_TEXT_PAIRS):
        for colour in (foreground, background):
            assert f"var(--{colour.replace('_', '-')})" in css, colour


@pytest.mark.parametrize("name", sorted(p.name for p in BUNDLED_THEMES.iterdir() if (p / "theme.json").is_file()))
def test_bundled_themes_meet_wcag_aa(name):
    assert contrast_problems(Theme.load(BUNDLED_THEMES / name).colours) == []


# --- catalogs --------------------------------------------------------------------------------


def _domain(tmp_path: Path, po_text: str | None, locale: str = "cs") -> CatalogDomain:
    source = tmp_path / "acme"
    (source / "translations" / locale / "LC_MESSAGES").mkdir(parents=True)
    (source / "requests.py").write_text(
        'from acme.i18n import _\n\nLABELS = (_("Call me back"), _("Send a photo of the meter"))\n'
        'COUNT = ngettext("%(num)d photo", "%(num)d photos", 2)\n', encoding="utf-8")
    (source / "templates").mkdir()
    (source / "templates" / "photo.html").write_text('<p>{{ _s("Your photo") }}</p>\n', encoding="utf-8")
    domain = CatalogDomain("acme", source, source / "translations")
    if po_text is not None:
        domain.po_file(locale).write_text(po_text, encoding="utf-8")
    return domain


PO_HEADER = 'msgid ""\nmsgstr ""\n"Language: cs\\n"\n"Plural-Forms: nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;\\n"\n\n'


def test_missing_messages_names_strings_the_catalog_lacks(tmp_path):
    po = PO_HEADER + (
        'msgid "Call me back"\nmsgstr "Zavolejte mi"\n\n'
        'msgid "%(num)d photo"\nmsgid_plural "%(num)d photos"\nmsgstr[0] "%(num)d fotka"\n'
        'msgstr[1] "%(num)d fotky"\nmsgstr[2] "%(num)d fotek"\n\n'
        '#, fuzzy\nmsgid "Your photo"\nmsgstr "Vaše fotka"\n'
    )
    domain = _domain(tmp_path, po)
    assert missing_messages(domain, ("cs", "en")) == {"cs": ["Send a photo of the meter", "Your photo"]}


def test_missing_messages_without_a_catalog_names_every_string(tmp_path):
    domain = _domain(tmp_path, None)
    assert missing_messages(domain, ("en", "cs")) == {
        "cs": ["%(num)d photo", "Call me back", "Send a photo of the meter", "Your photo"]}
    assert missing_messages(domain, ("en",)) == {}


def test_a_plugin_catalog_domain_is_in_the_plugins_languages_only(tmp_path):
    """``portal i18n update`` makes catalogs for a plugin's own languages; the core keeps its four."""
    domain = _domain(tmp_path, None)
    info = SupplierInfo(code="acme", name="Acme", country="CZ", currency="CZK", timezone="Europe/Prague",
                        default_locale="cs", supported_locales=("cs", "en"), theme="acme", gettext_domain="acme",
                        translations_dir=str(domain.translations_dir))
    core, plugin = domains_of([info])
    assert core.name == "messages" and core.locales == CATALOG_LOCALES == ("pl", "cs", "uk", "it")
    assert plugin.name == "acme" and plugin.locales == ("cs",)
    extract(plugin)
    update(plugin)
    made = sorted(p.relative_to(plugin.translations_dir).as_posix() for p in plugin.translations_dir.rglob("*.po"))
    assert made == ["cs/LC_MESSAGES/acme.po"]
    assert missing_messages(plugin, info.supported_locales)["cs"] == [
        "%(num)d photo", "Call me back", "Send a photo of the meter", "Your photo"]  # made, not yet translated


# --- request examples ------------------------------------------------------------------------


class CallbackSchema(Schema):
    phone = fields.String(required=True, validate=validate.Length(min=9), metadata={"label": "Phone"})
    day = fields.Date(load_default=None, metadata={"label": "Day"})
    urgent = fields.Boolean(load_default=False, metadata={"label": "Urgent"})


def _type(**options) -> RequestType:
    return RequestType(code="callback", label="Call me back", schema=CallbackSchema, **options)


class Account:
    number = "123"


def test_example_problems_name_what_is_wrong(app):
    def raises(adapter, account, data):
        raise RuntimeError("no CRM")

    with app.test_request_context("/"):
        assert example_problems(_type(examples=({"phone": "601234567"},)), None, Account()) == []
        assert example_problems(_type(), None, Account()) == [
            "request type 'callback' has no examples for account '123' (none given): set "
            "RequestType(examples=...) to valid data for its schema, as an API client sends it"]
        assert example_problems(_type(examples=lambda adapter, account: []), None, Account())[0].endswith(
            "(the examples function returned none): set RequestType(examples=...) to valid data for its schema, "
            "as an API client sends it")
        assert example_problems(_type(examples=({"phone": "12"},)), None, Account()) == [
            "request type 'callback', example 1 {'phone': '12'}: refused by the schema: "
            "{'phone': ['This value is not valid.']}"]
        assert example_problems(_type(examples=({"phone": "601234567"},), check=raises), None, Account()) == [
            "request type 'callback', example 1 {'phone': '601234567'}: check() raised RuntimeError: no CRM"]
        refuses = _type(examples=({"phone": "601234567"},), check=lambda a, acc, d: {"phone": ["Not yours."]})
        assert example_problems(refuses, None, Account()) == [
            "request type 'callback', example 1 {'phone': '601234567'}: check() refused it: {'phone': ['Not yours.']}"]
        shapeless = _type(examples=({"phone": "601234567"},), check=lambda a, acc, d: "phone is wrong")
        assert "check() must return None or a dict of field name to a list of messages, not 'phone is wrong'" in \
            example_problems(shapeless, None, Account())[0]
        assert example_problems(_type(examples=({"phone": "601234567"},), check=lambda a, acc, d: {}),
                                None, Account()) == []


class ReadingSchema(Schema):
    supply_point = SupplyPointOfAccount(required=True)


class PointAccount:
    number = "123"
    supply_points = (type("Point", (), {"identifier": "590310600000000019", "commodity": "electricity"})(),)


def test_an_example_for_a_supply_point_of_another_account_is_a_problem(app):
    def reading(*examples) -> RequestType:
        return RequestType(code="reading", label="Reading", schema=ReadingSchema, examples=examples)

    with app.test_request_context("/"):
        assert example_problems(reading({"supply_point": "590310600000000019"}), None, PointAccount()) == []
        assert example_problems(reading({"supply_point": "590310600000000026"}), None, PointAccount()) == [
            "request type 'reading', example 1 {'supply_point': '590310600000000026'}: not a supply point of "
            "the account (take one of account.supply_points): ['supply_point']"]


def test_examples_for_an_account_and_fixed_ones():
    seen = []

    def per_account(adapter, account):
        seen.append((adapter, account.number))
        return [{"phone": f"60123{account.number}9"}]

    request_type = _type(examples=per_account)
    assert request_type.examples_for("adapter", Account()) == [{"phone": "601231239"}]
    assert seen == [("adapter", "123")]
    assert request_type.fixed_examples == []
    assert _type(examples=({"phone": "601234567"},)).fixed_examples == [{"phone": "601234567"}]


def test_form_values_are_typed_text():
    day = dt.date(2027, 3, 15)
    assert form_values({"phone": "601234567", "urgent": True, "late": False, "day": day, "count": 3, "none": None}) \
        == {"phone": "601234567", "urgent": "1", "day": "2027-03-15", "count": "3"}


# --- raw values ----------------------------------------------------------------------------------


class VisitSchema(Schema):
    slot = fields.String(metadata={"label": "Slot", "choices": (("am", "Morning"), ("08:00", "08:00"))})
    kind = fields.String(validate=validate.OneOf(["gas", "power"], labels=["Gas", "Electricity"]),
                         metadata={"label": "Kind"})
    power = fields.Decimal(metadata={"label": "Power", "choices": ((1.5, "1.5 kW"),)})
    remarks = fields.String()


def test_raw_values_finds_what_a_program_would_print():
    facts = [("Slot", "am"), ("Slot", "08:00"), ("Kind", "power"), ("Kind", "Electricity"), ("Power", "1.5"),
             ("Urgent", "True"), ("Note", "None"), ("Amount", "Decimal('12.50')"), ("Read on", "2026-12-02"),
             ("Read at", "2026-12-02T10:30:00"), ("Reading", "1.2345e+04"), ("remarks", "Ring twice"),
             ("Filed on", "12/2/26, 10:30 AM"), ("Point", "IT001E44695483"), ("Invoice", "F/2026/12/000230"),
             ("Phone", "+48601234567")]
    assert raw_values(facts, VisitSchema()) == [
        "Slot: 'am': choice 'am' of field 'slot' is shown instead of its label 'Morning'",
        "Kind: 'power': choice 'power' of field 'kind' is shown instead of its label 'Electricity'",
        "Power: '1.5': choice '1.5' of field 'power' is shown instead of its label '1.5 kW'",
        "Urgent: 'True': a program's value, not words (yes or no, or leave it out)",
        "Note: 'None': a program's value, not words (yes or no, or leave it out)",
        "Amount: \"Decimal('12.50')\": a program's value, not words (yes or no, or leave it out)",
        "Read on: '2026-12-02': an ISO date: show it in the customer's format (a Date field)",
        "Read at: '2026-12-02T10:30:00': an ISO date: show it in the customer's format (a Date field)",
        "Reading: '1.2345e+04': a number in scientific notation: show it in the customer's format",
        "remarks: 'Ring twice': the field is shown by its name: give field 'remarks' a metadata label",
    ]


def test_shown_facts_reads_the_pairs_of_a_page():
    page = ('<dl class="facts"><dt>Status</dt><dd><span class="status">Received</span></dd>'
            '<dt>Street</dt><dd>Via  Roma&nbsp;1 &amp; 2 &amp;lt;</dd></dl><dl><dt>Empty</dt><dd></dd></dl>')
    assert shown_facts(page) == [("Status", "Received"), ("Street", "Via Roma 1 & 2 &lt;"), ("Empty", "")]


def test_the_checks_are_part_of_the_plugin_api():
    import core.plugin_api.testing as public
    import core.testing.checks as checks

    assert set(checks.__all__) <= set(vars(public)), set(checks.__all__) - set(vars(public))
    assert all(getattr(public, name) is getattr(checks, name) for name in checks.__all__)
    assert {"contrast_problems", "missing_messages", "example_problems", "raw_values"} <= set(checks.__all__)
    json.dumps(TEXT_PAIRS)  # plain data, for docs
