"""The plugin conformance suite, run by a plugin's own tests with one import.

In the manner of SQLAlchemy's dialect suite: a test module of the plugin imports
everything from here and names its plugin module in ``PORTAL_PLUGIN``::

    from core.testing.suite import *  # noqa: F403

    PORTAL_PLUGIN = "plugins.innogy_pl.plugin"

The suite then checks what every supplier plugin promises: its hooks load and pass
``check_pending()``; its billing adapter honours the contract (Decimal amounts in the
supplier's currency, aware datetimes, an idempotency key applied once); each identity
method accepts the demo back-end's data and rejects altered data; its templates override
only templates that exist; its catalogs are complete and compile for every declared
locale; and every page renders in every locale.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
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
from core.framework.descriptions import SupplierInfo
from core.framework.plugins import create_plugin_manager, supplier_plugins
from core.framework.theming import core_template_names

CONFORMANCE_HOST = "conformance.test"
CONFORMANCE_PASSWORD = "conformance passphrase 1"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
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
    assert {"en", "pl", "cs", "uk", "it"} <= set(info.supported_locales), "all five portal languages"


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


def test_adapter_reading_with_the_same_key_is_applied_once(conformance_adapter, conformance_identities):
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


def test_template_overrides_match_core_templates(conformance_tenant, conformance_supplier):
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
        if locale == "en":
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


# --- every page in every locale -------------------------------------------------------------


def _get(client: FlaskClient, path: str, locale: str):
    return client.get(path, base_url=f"https://{CONFORMANCE_HOST}", headers={"Accept-Language": locale})


def _post(client: FlaskClient, path: str, data: dict, page_html: str):
    token = _CSRF.search(page_html).group(1)
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
    email = "conformance@example.com"
    page = _get(client, "/register", "en").get_data(as_text=True)
    _post(client, "/register", {"email": email, "password": CONFORMANCE_PASSWORD,
                                "password_confirm": CONFORMANCE_PASSWORD, "accept_terms": "1"}, page)
    with conformance_app.app_context(), tenant_context("conformance"):
        body = db.session.execute(select(MailMessage.text_body)).scalars().first()
    path = re.search(r"https?://[^/\s]+(/activate/\S+)", body).group(1)
    _post(client, path, {}, _get(client, path, "en").get_data(as_text=True))
    page = _get(client, "/login", "en").get_data(as_text=True)
    assert _post(client, "/login", {"email": email, "password": CONFORMANCE_PASSWORD}, page).status_code == 302
    method = conformance_tenant.identity_methods()[0]
    identity = conformance_identities[0]
    page = _get(client, f"/accounts/link?method={method.code}", "en").get_data(as_text=True)
    linked = _post(client, "/accounts/link", {"method": method.code, **_form_fields(method, identity)}, page)
    assert linked.status_code == 302, linked.get_data(as_text=True)
    return client


def _static_get_pages(app: Flask) -> list[str]:
    pages = {"/", "/login", "/register", "/password/forgot", "/accounts/", "/accounts/link", "/password/change"}
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.endpoint.split(".")[0] not in (
            "static", "site", "demo", "auth", "accounts", "dashboard", "api"  # the API: JSON with a token
        ):
            pages.add(rule.rule)
    return sorted(pages | {"/api/v1/docs"})


def test_every_page_renders_in_every_locale(conformance_app, conformance_customer, conformance_supplier,
                                            conformance_tenant):
    anonymous = conformance_app.test_client()
    pages = _static_get_pages(conformance_app)
    offered = [f"/requests/new/{t.code}" for t in conformance_tenant.request_types()]
    pages += [path for path in offered if _get(conformance_customer, path, "en").status_code == 200]
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
    from core.models import ServiceRequest

    for request_type in conformance_tenant.request_types():
        path = f"/requests/new/{request_type.code}"
        page = _get(conformance_customer, path, "en")
        if page.status_code == 404:  # not offered for the demo customer's account
            continue
        response = _post(conformance_customer, path, {}, page.get_data(as_text=True))
        assert response.status_code == 400, (request_type.code, response.status_code)
    with conformance_app.app_context(), tenant_context("conformance"):
        assert db.session.execute(select(func.count()).select_from(ServiceRequest)).scalar_one() == 0
