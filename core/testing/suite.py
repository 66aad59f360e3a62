"""The plugin conformance suite, run by a plugin's own tests with one import.

In the manner of SQLAlchemy's dialect suite: a test module of the plugin imports
everything from here and names its plugin module in ``PORTAL_PLUGIN``::

    from core.testing.suite import *  # noqa: F403

    PORTAL_PLUGIN = "plugins.innogy_pl.plugin"

The suite then checks what every supplier plugin promises: its hooks load and pass
``check_pending()``; it offers English and languages the portal speaks; its billing
adapter honours the contract (Decimal amounts in the supplier's currency, aware datetimes,
an idempotency key applied once); each identity method accepts the demo back-end's data
and rejects altered data; its templates override only templates that exist; its catalogs
hold every string of its package and compile for every declared locale; its theme's
colours meet WCAG AA; every page renders in every locale; every request type has
examples that its schema and ``check`` accept, that are filed through the web form and
through the API, and whose pages read as words in every locale.

The checks themselves are functions of :mod:`core.testing.checks` (public in
:mod:`core.plugin_api.testing`), for a plugin's own tests as well.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib
import io
import re
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from core import create_app
from core.billing.contract import (
    BillingAdapter,
    Money,
    ReadingSubmission,
    RequestSubmission,
    SubmissionStatus,
)
from core.framework.catalogs import core_domain, domains_of
from core.framework.descriptions import RequestType, SupplierInfo
from core.framework.i18n import SOURCE_LOCALE
from core.framework.plugins import create_plugin_manager, supplier_plugins
from core.framework.theming import core_template_names
from core.testing.checks import (
    NON_TEXT_PAIRS,
    TEXT_PAIRS,
    contrast_problems,
    example_problems,
    form_values,
    missing_messages,
    raw_values,
    shown_facts,
)

CONFORMANCE_HOST = "conformance.test"
CONFORMANCE_PASSWORD = "conformance passphrase 1"
CONFORMANCE_EMAIL = "conformance@example.com"
MAX_DEMO_ACCOUNTS = 12
"""How many demo accounts the customer links, at most, to find one each request type is offered for."""
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')
_FIELD_ERROR = re.compile(r'<p class="field-error" id="([^"]+)-error">(.*?)</p>', re.S)
_ALERT = re.compile(r'<div class="notice notice-error" role="alert"[^>]*>(.*?)</div>', re.S)
_TAG = re.compile(r"<[^>]+>")
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


# --- fixtures -------------------------------------------------------------------


@pytest.fixture(scope="module")
def conformance_plugin(request) -> ModuleType:
    """The plugin under test, named by ``PORTAL_PLUGIN`` in the importing test module."""
    name = getattr(request.module, "PORTAL_PLUGIN", None)
    if not name:
        pytest.fail("set PORTAL_PLUGIN = '<module of your hook implementations>' in the test module")
    return importlib.import_module(name)


@pytest.fixture(scope="module")
def conformance_supplier(conformance_plugin) -> SupplierInfo:
    pm = create_plugin_manager([], [conformance_plugin])
    found = supplier_plugins(pm)
    assert found, "the plugin implements portal_supplier() but returned no SupplierInfo"
    return found[0][1]


@pytest.fixture(scope="module")
def conformance_app(conformance_plugin, conformance_supplier, tmp_path_factory) -> Flask:
    """An app serving only the plugin under test, on a freshly migrated SQLite database."""
    from flask_migrate import upgrade

    from core.framework.catalogs import compile_catalogs, core_domain, domains_of

    for domain in [core_domain(), *domains_of([conformance_supplier])]:
        compile_catalogs(domain, only_stale=True)
    folder = tmp_path_factory.mktemp("conformance")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "conformance-suite",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/portal.sqlite3",
            "PLUGINS": [],
            "TENANTS": {"conformance": {"plugin": conformance_supplier.code, "hosts": [CONFORMANCE_HOST]}},
            "DEFAULT_TENANT": None,
            "MAIL_CAPTURE": True,
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_PARAMETERS": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},  # cheap: a test
        },
        plugins=[conformance_plugin],
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    return app


@pytest.fixture(scope="module")
def conformance_tenant(conformance_app):
    return conformance_app.extensions["portal_tenants"]["conformance"]


@pytest.fixture(scope="module")
def conformance_adapter(conformance_tenant) -> BillingAdapter:
    return conformance_tenant.adapter


@pytest.fixture(scope="module")
def conformance_identities(conformance_adapter) -> list[dict[str, Any]]:
    identities = conformance_adapter.demo_identities()
    assert identities, "the demo back-end lists no demo_identities()"
    return identities


# --- the plugin loads -----------------------------------------------------------------


def test_hooks_load_and_pass_check_pending(conformance_plugin):
    pm = create_plugin_manager([], [conformance_plugin])  # raises PluginError on a bad hook
    assert pm.get_hookcallers(conformance_plugin), "the plugin implements no hook"


def test_supplier_description_is_complete(conformance_supplier):
    info = conformance_supplier
    assert re.fullmatch(r"[a-z][a-z0-9_]*", info.code)
    assert len(info.country) == 2 and info.country.isupper()
    Money(Decimal("0"), info.currency)  # a valid ISO 4217 code
    ZoneInfo(info.timezone)  # raises for an unknown zone
    assert info.default_locale in info.supported_locales


def test_supplier_offers_english_and_languages_the_portal_speaks(conformance_supplier):
    """The market's languages plus English (the source language, for visitors from abroad);
    each one a language the portal's own pages are translated into."""
    locales = conformance_supplier.supported_locales
    assert SOURCE_LOCALE in locales, f"add {SOURCE_LOCALE!r} to supported_locales {locales}: the portal's source language"
    core = core_domain()
    unknown = [loc for loc in locales if loc != SOURCE_LOCALE and not core.po_file(loc).is_file()]
    assert not unknown, (f"the portal's own pages have no catalog for {unknown} (looked for "
                         f"{', '.join(str(core.po_file(loc)) for loc in unknown)}): offer only languages the portal speaks")


# --- the billing adapter honours the contract ---------------------------------------


def _numbers(identities):
    return [i["account_number"] for i in identities[:5]]


def test_adapter_amounts_are_money_in_the_supplier_currency(conformance_adapter, conformance_identities, conformance_supplier):
    for number in _numbers(conformance_identities):
        account = conformance_adapter.find_account(number)
        assert account is not None and account.number == number
        amounts = [account.balance, conformance_adapter.balance(number)]
        invoices = conformance_adapter.invoices(number)
        assert invoices, f"account {number} has no invoices"
        assert [i.issued_on for i in invoices] == sorted((i.issued_on for i in invoices), reverse=True)
        amounts += [i.gross for i in invoices] + [i.paid for i in invoices]
        amounts += [p.amount for p in conformance_adapter.payments(number)]
        for money in amounts:
            assert isinstance(money, Money) and isinstance(money.amount, Decimal)
            assert money.currency == conformance_supplier.currency


def test_adapter_datetimes_are_aware(conformance_adapter, conformance_identities):
    for number in _numbers(conformance_identities):
        stamps = [conformance_adapter.find_account(number).updated_at]
        stamps += [p.booked_at for p in conformance_adapter.payments(number)]
        for point in conformance_adapter.supply_points(number):
            stamps += [r.read_at for r in conformance_adapter.readings(number, point.identifier)]
        assert stamps and all(s.tzinfo is not None and s.utcoffset() is not None for s in stamps)


def test_adapter_invoice_pdf_is_a_pdf(conformance_adapter, conformance_identities):
    number = conformance_identities[0]["account_number"]
    invoice = conformance_adapter.invoices(number)[0]
    pdf = conformance_adapter.invoice_pdf(number, invoice.number)
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:]


def test_adapter_request_with_the_same_key_is_applied_once(conformance_adapter, conformance_identities, conformance_tenant):
    number = conformance_identities[0]["account_number"]
    codes = [t.code for t in conformance_tenant.request_types()] or ["contact"]
    submission = RequestSubmission(account_number=number, request_type=codes[0], data={"note": "conformance"})
    first = conformance_adapter.submit_request(submission, "conformance-request-1")
    again = conformance_adapter.submit_request(submission, "conformance-request-1")
    assert first.status in (SubmissionStatus.ACCEPTED, SubmissionStatus.REJECTED)
    assert again.duplicate and again.status == first.status and again.reference == first.reference


def test_adapter_reading_with_the_same_key_is_applied_once(conformance_adapter, conformance_identities) -> None:
    for identity in conformance_identities:
        number = identity["account_number"]
        for point in conformance_adapter.supply_points(number):
            readings = conformance_adapter.readings(number, point.identifier)
            if not readings or not point.meters:
                continue
            meter = point.meters[0]
            latest: dict[str, Decimal] = {}
            for reading in readings:  # newest first
                if reading.meter_serial == meter.serial_number:
                    latest.setdefault(reading.register, reading.value)
            if set(latest) != set(meter.registers):
                continue
            submission = ReadingSubmission(
                account_number=number, supply_point=point.identifier, meter_serial=meter.serial_number,
                values={r: latest[r] + 5 for r in meter.registers},
                read_at=max(r.read_at for r in readings) + dt.timedelta(days=1),
            )
            first = conformance_adapter.submit_reading(submission, "conformance-reading-1")
            again = conformance_adapter.submit_reading(submission, "conformance-reading-1")
            assert again.duplicate and again.status == first.status and again.reference == first.reference
            return
    pytest.fail("no demo supply point with a meter and readings to submit to")


# --- identity methods -----------------------------------------------------------------


def _form_fields(method, identity):
    fields = {name: identity[name] for name in method.schema().fields if name in identity}
    assert fields, f"demo identities carry no field of method {method.code!r}"
    return fields


def _altered(value: str) -> str:
    """The same shape with the last character changed (digit stays digit)."""
    last = value[-1]
    replacement = str((int(last) + 1) % 10) if last.isdigit() else ("B" if last.upper() != "B" else "C")
    return value[:-1] + replacement


def test_each_identity_method_accepts_the_demo_data(conformance_tenant, conformance_adapter):
    methods = conformance_tenant.identity_methods()
    assert methods, "the plugin offers no identity method"
    for method in methods:
        identities = conformance_adapter.demo_identities(method.code)
        assert identities, f"the demo back-end has no demo identities for method {method.code!r}"
        for identity in identities[:3]:
            data = method.schema().load(_form_fields(method, identity))
            outcome = method.verify(conformance_adapter, data)
            assert outcome.matched, (method.code, identity)
            assert identity["account_number"] in outcome.account_numbers
            assert method.attempt_key(data)


def test_each_identity_method_rejects_altered_data(conformance_tenant, conformance_adapter):
    for method in conformance_tenant.identity_methods():
        identity = conformance_adapter.demo_identities(method.code)[0]
        fields = _form_fields(method, identity)
        for name, value in fields.items():
            wrong = {**fields, name: _altered(str(value))}
            try:
                data = method.schema().load(wrong)
            except marshmallow.ValidationError:
                continue  # refused by validation: fine
            assert not method.verify(conformance_adapter, data).matched, (method.code, name)


# --- templates and catalogs --------------------------------------------------------------


def test_template_overrides_match_core_templates(conformance_tenant, conformance_supplier) -> None:
    core = core_template_names()
    plugin_own: set[str] = set()
    if conformance_supplier.templates_dir and Path(conformance_supplier.templates_dir).is_dir():
        root = Path(conformance_supplier.templates_dir)
        for path in root.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                name = path.relative_to(root).as_posix()
                if not name.startswith(f"{conformance_supplier.code}/"):
                    assert name in core, f"plugin template {name} overrides no core template " \
                        f"(put the plugin's own templates under {conformance_supplier.code}/)"
                plugin_own.add(name)
    for name in conformance_tenant.theme.override_names():
        assert name in core or name in plugin_own, f"theme template {name} overrides nothing"


def test_catalogs_compile_complete_for_every_locale(conformance_supplier):
    info = conformance_supplier
    assert info.gettext_domain and info.translations_dir, "declare gettext_domain and translations_dir"
    for locale in info.supported_locales:
        if locale == SOURCE_LOCALE:
            continue
        po = Path(info.translations_dir) / locale / "LC_MESSAGES" / f"{info.gettext_domain}.po"
        assert po.is_file(), f"missing catalog {po}"
        with open(po, "rb") as fh:
            catalog = read_po(fh, locale=locale)
        problems = []
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            if message.fuzzy or not all(strings):
                problems.append(f"untranslated or fuzzy: {message.id!r}")
            elif any(set(_PLACEHOLDER.findall(s)) != set(_PLACEHOLDER.findall(ids[-1])) for s in strings):
                problems.append(f"placeholders differ: {message.id!r}")
        assert not problems, f"{po}:\n" + "\n".join(problems)
        write_mo(io.BytesIO(), catalog)


def test_catalogs_hold_every_string_of_the_plugin(conformance_supplier):
    """Babel extraction over the plugin's package (as ``portal i18n extract`` runs it) finds
    no string that a declared locale's catalog lacks: a new string shows in English otherwise."""
    domain = next(d for d in domains_of([conformance_supplier]) if d.name == conformance_supplier.gettext_domain)
    missing = missing_messages(domain, conformance_supplier.supported_locales)
    assert not missing, "strings of the plugin missing from its catalogs (run `portal i18n extract` and " \
        "`portal i18n update`, then translate):\n" + "\n".join(
            f"{domain.po_file(locale)}: {len(ids)} missing: " + "; ".join(repr(i) for i in ids[:20])
            for locale, ids in missing.items())


# --- the theme -------------------------------------------------------------------------------


def test_theme_colours_meet_wcag_aa(conformance_tenant):
    """Text pairs at 4.5:1 and the marks that are not text at 3:1 (the pairs of
    ``core.testing.checks.TEXT_PAIRS`` and ``NON_TEXT_PAIRS``)."""
    theme = conformance_tenant.theme
    problems = contrast_problems(theme.colours)
    checked = ", ".join(f"{fg}/{bg}" for fg, bg, _where in (*TEXT_PAIRS, *NON_TEXT_PAIRS))
    assert not problems, f"theme {theme.name!r} ({theme.path / 'theme.json'}), pairs checked: {checked}:\n" + \
        "\n".join(problems)


# --- every page in every locale -------------------------------------------------------------


def _get(client: FlaskClient, path: str, locale: str):
    return client.get(path, base_url=f"https://{CONFORMANCE_HOST}", headers={"Accept-Language": locale})


def _post(client: FlaskClient, path: str, data: dict, page_html: str):
    found = _CSRF.search(page_html)
    assert found, f"no CSRF token on the page posted to {path}"
    token = found.group(1)
    return client.post(path, data={"csrf_token": token, **data}, base_url=f"https://{CONFORMANCE_HOST}",
                       headers={"Referer": f"https://{CONFORMANCE_HOST}{path}", "Accept-Language": "en"})


@pytest.fixture(scope="module")
def conformance_customer(conformance_app, conformance_identities, conformance_tenant) -> FlaskClient:
    """A customer registered, activated, signed in and linked through the web pages."""
    from sqlalchemy import select

    from core.framework.extensions import db
    from core.framework.tenancy import tenant_context
    from core.models import MailMessage

    client = conformance_app.test_client()
    email = CONFORMANCE_EMAIL
    page = _get(client, "/register", "en").get_data(as_text=True)
    _post(client, "/register", {"email": email, "password": CONFORMANCE_PASSWORD,
                                "password_confirm": CONFORMANCE_PASSWORD, "accept_terms": "1"}, page)
    with conformance_app.app_context(), tenant_context("conformance"):
        body = db.session.execute(select(MailMessage.text_body)).scalars().first()
    link = re.search(r"https?://[^/\s]+(/activate/\S+)", body or "")
    assert link, f"no activation link in the registration mail: {body!r}"
    path = link.group(1)
    _post(client, path, {}, _get(client, path, "en").get_data(as_text=True))
    page = _get(client, "/login", "en").get_data(as_text=True)
    assert _post(client, "/login", {"email": email, "password": CONFORMANCE_PASSWORD}, page).status_code == 302
    _link(client, conformance_tenant.identity_methods()[0], conformance_identities[0])
    return client


def _link(client: FlaskClient, method, identity: dict[str, Any]) -> None:
    page = _get(client, f"/accounts/link?method={method.code}", "en").get_data(as_text=True)
    linked = _post(client, "/accounts/link", {"method": method.code, **_form_fields(method, identity)}, page)
    assert linked.status_code == 302, linked.get_data(as_text=True)


def _static_get_pages(app: Flask) -> list[str]:
    pages = {"/", "/login", "/register", "/password/forgot", "/accounts/", "/accounts/link", "/password/change"}
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and not rule.arguments and rule.endpoint.split(".")[0] not in (
            "static", "site", "demo", "auth", "accounts", "dashboard", "api"  # the API: JSON with a token
        ):
            pages.add(rule.rule)
    return sorted(pages | {"/api/v1/docs"})


def test_every_page_renders_in_every_locale(conformance_app, conformance_customer, conformance_supplier,
                                            conformance_tenant):
    anonymous = conformance_app.test_client()
    pages = [*_static_get_pages(conformance_app), *(f"/requests/new/{t.code}" for t in conformance_tenant.request_types())]
    # a page of a feature the supplier does not offer (alerts, a request type) is not found
    pages = [path for path in pages if _get(conformance_customer, path, "en").status_code != 404]
    for locale in conformance_supplier.supported_locales:
        # the signed-in customer picks the language with the switcher; a visitor's browser asks
        page = _get(conformance_customer, "/accounts/", "en").get_data(as_text=True)
        _post(conformance_customer, "/language", {"locale": locale, "next": "/accounts/"}, page)
        for path in pages:
            for client in (conformance_customer, anonymous):
                response = _get(client, path, locale)
                assert response.status_code in (200, 302), (locale, path, response.status_code)
                if response.status_code == 200 and response.mimetype == "text/html":
                    assert f'<html lang="{locale}">' in response.get_data(as_text=True), (locale, path)


def test_every_request_form_refuses_empty_input_and_stores_nothing(conformance_app, conformance_customer,
                                                                  conformance_tenant):
    from sqlalchemy import func, select

    from core.framework.extensions import db
    from core.framework.tenancy import tenant_context
    from core.service_requests.models import ServiceRequest

    def stored() -> int:
        with conformance_app.app_context(), tenant_context("conformance"):
            return db.session.execute(select(func.count()).select_from(ServiceRequest)).scalar_one()

    before = stored()
    for request_type in conformance_tenant.request_types():
        path = f"/requests/new/{request_type.code}"
        page = _get(conformance_customer, path, "en")
        if page.status_code == 404:  # not offered for the demo customer's account
            continue
        response = _post(conformance_customer, path, {}, page.get_data(as_text=True))
        assert response.status_code == 400, (request_type.code, response.status_code)
    assert stored() == before


# --- request types: examples through the form and the API, pages in words -------------------


@contextmanager
def _as_customer(app: Flask, locale: str = "en"):
    """The conformance tenant, a request context and ``locale``: as a view sees them."""
    from flask_babel import force_locale

    from core.framework.tenancy import tenant_context

    with app.test_request_context("/", base_url=f"https://{CONFORMANCE_HOST}"), tenant_context("conformance"), \
            force_locale(locale):
        yield


def _customer_accounts(app: Flask) -> list[Any]:
    from sqlalchemy import select

    from core.framework.extensions import db
    from core.models import AccountLink, BillingAccount, User

    return list(db.session.execute(
        select(BillingAccount).join(AccountLink).join(User, User.id == AccountLink.user_id)
        .where(User.email == CONFORMANCE_EMAIL).order_by(AccountLink.id)
    ).scalars())


@pytest.fixture(scope="module")
def conformance_request_accounts(conformance_app, conformance_customer, conformance_tenant,
                                 conformance_adapter) -> dict[str, str | None]:
    """For each request type, the number of a linked account it is offered for: the
    customer links further demo accounts (up to ``MAX_DEMO_ACCOUNTS``) until each type
    has one, or the demo back-end has none to offer (``None``)."""
    method = conformance_tenant.identity_methods()[0]
    spare = iter(conformance_adapter.demo_identities(method.code))
    found: dict[str, str | None] = {}
    for request_type in conformance_tenant.request_types():
        while True:
            with _as_customer(conformance_app):
                accounts = _customer_accounts(conformance_app)
                eligible = next((a.number for a in accounts if request_type.offered_to(a)), None)
                linked = {a.number for a in accounts}
            if eligible or len(linked) >= MAX_DEMO_ACCOUNTS:
                break
            identity = next((i for i in spare if i["account_number"] not in linked), None)
            if identity is None:
                break
            _link(conformance_customer, method, identity)
        found[request_type.code] = eligible
    return found


def _account(app: Flask, number: str) -> Any:
    return next(a for a in _customer_accounts(app) if a.number == number)


def _offered(request_type: RequestType, number: str | None) -> str:
    assert number, (f"request type {request_type.code!r}: none of the first {MAX_DEMO_ACCOUNTS} demo accounts "
                    "is eligible for it: make the demo back-end hold customers it is offered to")
    return number


def test_request_examples_pass_the_schema_and_the_checks(conformance_app, conformance_tenant, conformance_adapter,
                                                         conformance_request_accounts):
    """Every type has examples for an account it is offered for; its schema accepts them
    and its ``check`` answers without raising, with no errors."""
    problems = []
    for request_type in conformance_tenant.request_types():
        number = _offered(request_type, conformance_request_accounts[request_type.code])
        with _as_customer(conformance_app):
            problems += example_problems(request_type, conformance_adapter, _account(conformance_app, number))
    assert not problems, "\n".join(problems)


def _page_errors(page: str) -> dict[str, str]:
    """The messages a form page shows: by field, and the form's own under ``_schema``."""
    def words(fragment: str) -> str:
        return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())

    errors = {name: words(text) for name, text in _FIELD_ERROR.findall(page)}
    alerts = [words(text) for text in _ALERT.findall(page)]
    if alerts:
        errors["_schema"] = " ".join(alerts)
    return errors


def _file_through_the_form(client: FlaskClient, request_type: RequestType, account_id: int,
                           example: dict[str, Any]) -> tuple[int | None, str | None]:
    """Fill in the form page by page as a customer would: the filed request's id, or why not."""
    from core.service_requests.service import request_steps

    path = f"/requests/new/{request_type.code}"
    page = _get(client, path, "en")
    if page.status_code != 200:
        return None, f"GET {path} answered {page.status_code}"
    typed = form_values(example)
    for number, step in enumerate(request_steps(request_type), 1):
        html_text = page.get_data(as_text=True)
        hidden = {k: v for k, v in _HIDDEN.findall(html_text) if k in ("submission_key", "progress", "step")}
        fields = {k: v for k, v in typed.items() if k in step.fields}
        if number == 1:
            fields["account"] = str(account_id)
        page = _post(client, path, {**hidden, **fields}, html_text)
        if page.status_code == 302:
            found = re.search(r"/requests/(\d+)$", page.headers["Location"])
            return (int(found.group(1)), None) if found else (None, f"redirected to {page.headers['Location']}")
        if page.status_code != 200:
            return None, f"step {number}: answered {page.status_code} with {_page_errors(page.get_data(as_text=True))}"
    return None, "the last step did not file the request"


@pytest.fixture(scope="module")
def conformance_filed(conformance_app, conformance_customer, conformance_tenant, conformance_adapter,
                      conformance_request_accounts) -> dict[str, Any]:
    """Every example of every type, filed through the web form and through the API.

    ``filed`` lists ``(request type, request id, "form" or "api")``; ``form`` and ``api``
    hold what went wrong, by way.
    """
    outcome: dict[str, Any] = {"filed": [], "form": [], "api": []}
    page = _get(conformance_customer, "/requests/", "en").get_data(as_text=True)
    _post(conformance_customer, "/language", {"locale": "en", "next": "/requests/"}, page)  # messages in English
    token = _api_token(conformance_customer)
    for request_type in conformance_tenant.request_types():
        number = conformance_request_accounts[request_type.code]
        if number is None:
            continue
        with _as_customer(conformance_app):
            account = _account(conformance_app, number)
            account_id = account.id
            examples = request_type.examples_for(conformance_adapter, account)
        for index, example in enumerate(examples, 1):
            where = f"request type {request_type.code!r}, example {index} {example!r}"
            try:
                filed, problem = _file_through_the_form(conformance_customer, request_type, account_id, example)
            except Exception as exc:  # noqa: BLE001 - a plugin's code failed inside the view
                filed, problem = None, f"the form failed: {type(exc).__name__}: {exc}"
            if filed is None:
                outcome["form"].append(f"{where}: {problem}")
            else:
                outcome["filed"].append((request_type, filed, "form"))
            try:
                filed, problem = _file_through_the_api(conformance_app, token, request_type, number, example, index)
            except Exception as exc:  # noqa: BLE001 - a plugin's code failed inside the view
                filed, problem = None, f"the API failed: {type(exc).__name__}: {exc}"
            if filed is None:
                outcome["api"].append(f"{where}: {problem}")
            else:
                outcome["filed"].append((request_type, filed, "api"))
    return outcome


def _api_token(client: FlaskClient) -> str:
    page = _get(client, "/api-tokens/", "en").get_data(as_text=True)
    made = _post(client, "/api-tokens/", {"name": "Conformance suite", "scope": "read-write"}, page)
    assert made.status_code == 201, made.get_data(as_text=True)
    shown = re.search(r'value="(up_[A-Za-z0-9_-]+)"', made.get_data(as_text=True))
    assert shown, "the new API token is shown once"
    return shown.group(1)


def _file_through_the_api(app: Flask, token: str, request_type: RequestType, number: str,
                          example: dict[str, Any], index: int) -> tuple[int | None, str | None]:
    from core.service_requests.service import json_safe

    response = app.test_client().post(
        "/api/v1/requests", base_url=f"https://{CONFORMANCE_HOST}",
        json={"type": request_type.code, "account": number, "data": json_safe(example)},
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en",
                 "Idempotency-Key": f"conformance-{request_type.code}-{index}"},
    )
    if response.status_code != 202:
        return None, f"POST /api/v1/requests answered {response.status_code}: {response.get_data(as_text=True)}"
    return response.get_json()["id"], None


def test_openapi_document_shows_each_request_type(conformance_app, conformance_tenant):
    """``POST /requests`` is one body per request type (told apart by ``type``), whose
    ``data`` is a component with the type's fields."""
    spec = conformance_app.test_client().get("/api/v1/openapi.json", base_url=f"https://{CONFORMANCE_HOST}",
                                             headers={"Accept-Language": "en"}).get_json()
    body = spec["paths"]["/requests"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    schemas = spec["components"]["schemas"]
    mapping = body.get("discriminator", {}).get("mapping", {})
    problems = []
    for request_type in conformance_tenant.request_types():
        if request_type.code not in mapping:
            problems.append(f"request type {request_type.code!r}: no body in the OpenAPI document")
            continue
        variant = schemas[mapping[request_type.code].rsplit("/", 1)[-1]]
        data = schemas[variant["properties"]["data"]["$ref"].rsplit("/", 1)[-1]]
        fields = {f.data_key or name for name, f in request_type.schema().fields.items() if not f.dump_only}
        if set(data.get("properties", {})) != fields:
            problems.append(f"request type {request_type.code!r}: the document shows {sorted(data.get('properties', {}))}, "
                            f"the schema has {sorted(fields)}")
    assert not problems, "\n".join(problems)


def test_request_examples_are_filed_through_the_form(conformance_filed):
    """Each example, typed into the web form (step by step), files a request."""
    assert not conformance_filed["form"], "\n".join(conformance_filed["form"])


def test_request_examples_are_filed_through_the_api(conformance_filed):
    """Each example, sent to ``POST /api/v1/requests``, files a request."""
    assert not conformance_filed["api"], "\n".join(conformance_filed["api"])


def test_filed_requests_read_as_words_in_every_locale(conformance_app, conformance_customer, conformance_tenant,
                                                      conformance_filed):
    """A filed request's page shows no raw value (``None``, ``True``, a choice's code, an
    ISO date, scientific notation) in any of the tenant's languages."""
    assert conformance_filed["filed"], "no request was filed: see the tests that file the examples"
    problems = []
    for locale in conformance_tenant.locales:
        page = _get(conformance_customer, "/requests/", "en").get_data(as_text=True)
        _post(conformance_customer, "/language", {"locale": locale, "next": "/requests/"}, page)
        for request_type, request_id, way in conformance_filed["filed"]:
            response = _get(conformance_customer, f"/requests/{request_id}", locale)
            if response.status_code != 200:
                problems.append(f"{locale}, request {request_id}: answered {response.status_code}")
                continue
            with _as_customer(conformance_app, locale):
                found = raw_values(shown_facts(response.get_data(as_text=True)), request_type.schema())
            problems += [f"{locale}, request type {request_type.code!r} filed through the {way}: {p}" for p in found]
    assert not problems, "\n".join(problems)
