"""Languages: choice order, locale formatting, and complete catalogs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core.framework.catalogs import all_domains
from tests.conftest import client_for, link_account, register_and_activate, sign_in

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


def _catalogs():
    for domain in all_domains():
        for locale in domain.locales:
            yield pytest.param(domain, locale, id=f"{domain.name}-{locale}")


@pytest.mark.parametrize(("domain", "locale"), list(_catalogs()))
def test_catalog_is_complete_and_placeholders_match(domain, locale):
    po = domain.po_file(locale)
    assert po.exists(), f"missing catalog {po}"
    with open(po, "rb") as fh:
        catalog = read_po(fh, locale=locale)
    template_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(open(domain.template, "rb")) if m.id}
    catalog_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert template_ids <= catalog_ids, f"{po}: not updated from the template: {sorted(template_ids - catalog_ids)[:5]}"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if any(not s for s in strings):
            problems.append(f"untranslated: {message.id!r}")
            continue
        if isinstance(message.id, tuple) and len(strings) != catalog.num_plurals:
            problems.append(f"plural forms: {message.id!r}")
        expected = {p for p in PLACEHOLDER.findall(ids[-1])}
        for s in strings:
            if {p for p in PLACEHOLDER.findall(s)} != expected:
                problems.append(f"placeholders differ: {message.id!r} -> {s!r}")
    assert not problems, "\n".join(problems)


def test_tenant_default_locale_is_polish(app):
    page = client_for(app, language=None).get("/login").get_data(as_text=True)
    assert '<html lang="pl">' in page
    assert "Zaloguj się" in page


def test_accept_language_then_switcher_then_saved_choice(app, smtp_server):
    client = client_for(app, language="cs-CZ,cs;q=0.9")
    assert '<html lang="cs">' in client.get("/login").get_data(as_text=True)
    client.get("/login")
    client.post("/language", data={"csrf_token": client.last_csrf, "locale": "uk", "next": "/login"})
    assert '<html lang="uk">' in client.get("/login").get_data(as_text=True)
    # the signed-in user's saved choice wins over the browser
    register_and_activate(client, smtp_server, "lang@example.com")
    sign_in(client, "lang@example.com")
    client.get("/accounts/")
    client.post("/language", data={"csrf_token": client.last_csrf, "locale": "it", "next": "/accounts/"})
    fresh = client_for(app, language="pl")
    sign_in(fresh, "lang@example.com")
    assert '<html lang="it">' in fresh.get("/accounts/").get_data(as_text=True)


def test_unknown_locale_is_refused(client):
    client.get("/login")
    assert client.post("/language", data={"csrf_token": client.last_csrf, "locale": "xx"}).status_code == 400


@pytest.mark.parametrize("locale", ["en", "pl", "cs", "uk", "it"])
def test_every_page_renders_in_every_language(app, locale):
    client = client_for(app, language=locale)
    for path in ("/login", "/register", "/password/forgot", "/register/check-inbox"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'<html lang="{locale}">' in response.get_data(as_text=True)


def test_money_and_dates_in_polish_format(app):
    from datetime import date
    from decimal import Decimal

    from flask import g
    from flask_babel import force_locale

    from core.framework.i18n import local_date, money

    with app.test_request_context("/", base_url="https://innogy.test"):
        g.tenant = app.extensions["portal_tenants"]["innogy"]
        with force_locale("pl"):
            assert money(Decimal("1234.5")) == "1\xa0234,50\xa0zł"
            assert local_date(date(2026, 3, 5), "long") == "5 marca 2026"
        with force_locale("en"):
            assert money(Decimal("1234.5")).replace("\xa0", "") == "PLN1,234.50"


def test_plugin_strings_use_their_own_domain():
    roots = {d.name: d.translations_dir for d in all_domains()}
    assert roots["innogy_pl"] != roots["messages"]
    assert Path(roots["innogy_pl"]).is_relative_to(Path(__file__).parents[2] / "plugins" / "innogy_pl")


@pytest.mark.parametrize(
    ("locale", "customer_number_label", "balance_label"),
    [
        ("pl", "Numer klienta", "Saldo"),
        ("cs", "Zákaznické číslo", None),
        ("uk", None, "Сальдо"),
        ("it", "Codice cliente", "Saldo"),
        ("en", "Customer number", "Balance"),
    ],
)
def test_signed_in_pages_in_every_language(app, smtp_server, demo_identity, locale, customer_number_label, balance_label):
    """The plugin's strings (its own domain) and the core's, on every page of a customer."""
    client = client_for(app, language=locale)
    email = f"{locale}@example.com"
    register_and_activate(client, smtp_server, email)
    sign_in(client, email)
    link_page = client.get("/accounts/link").get_data(as_text=True)
    if customer_number_label:
        assert customer_number_label in link_page
    identity = demo_identity[0]
    link_account(client, identity)
    for path in ("/", "/accounts/", "/accounts/link", "/password/change"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'<html lang="{locale}">' in response.get_data(as_text=True)
    dashboard = client.get("/").get_data(as_text=True)
    if balance_label:
        assert balance_label in dashboard
    if locale != "en":
        assert "Recent invoices" not in dashboard  # nothing left in English


def test_activation_mail_is_in_the_registrants_language(app, smtp_server):
    client = client_for(app, language="uk")
    client.submit("/register", {"email": "olena@example.com", "password": "correct horse battery",
                                "password_confirm": "correct horse battery", "accept_terms": "1"})
    message = smtp_server.wait_for("olena@example.com")[0]
    assert "Moje innogy" in message["Subject"]
    assert any("\u0400" <= ch <= "\u04ff" for ch in message["Subject"])  # Cyrillic
