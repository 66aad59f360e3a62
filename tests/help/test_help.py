"""Help pages: public, per brand, with the plugin's content, and audited in a browser with the
maintenance banner showing."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import client_for
from tests.support.browser import audit, live_portal, page  # noqa: F401 - the browser fixtures

LANGUAGES = ("en", "pl", "cs", "uk", "it")
BRANDS = {
    # tenant: (plugin, host)
    "innogy": ("innogy_pl", "innogy.test"),
    "cez": ("cez_cz", "cez.test"),
    "doe": ("doe_ua", "doe.test"),
    "italiangas": ("italiangas_it", "italiangas.test"),
}
HELP_PAGES = ("/help/", "/help/contact", "/help/accessibility")


@pytest.fixture
def brands_app(make_app):
    return make_app(TENANTS={code: {"plugin": plugin, "hosts": [host]} for code, (plugin, host) in BRANDS.items()})


def _supplier(app, code):
    return app.extensions["portal_tenants"][code].supplier


@pytest.mark.parametrize("brand", sorted(BRANDS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_help_pages_are_public_in_every_brand_and_language(brands_app, brand, language):
    client = client_for(brands_app, BRANDS[brand][1], language=language)
    supplier = _supplier(brands_app, brand)
    for path in HELP_PAGES:
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert f'<html lang="{language}">' in html
        assert supplier.support_phone in html and supplier.support_email in html
        for target in HELP_PAGES:  # the footer and the help navigation link all three
            assert f'href="{target}"' in html


def test_faq_is_core_content_and_the_plugin_adds_its_own(brands_app):
    cez = client_for(brands_app, "cez.test").get("/help/").get_data(as_text=True)
    innogy = client_for(brands_app, "innogy.test").get("/help/").get_data(as_text=True)
    doe = client_for(brands_app, "doe.test").get("/help/").get_data(as_text=True)
    for html in (cez, innogy, doe):
        assert "How do I create a login?" in html and "How do I submit a meter reading?" in html
    assert "Where do I find my EAN or EIC code?" in cez and "How do I learn about a planned power outage?" in cez
    assert "EAN" not in innogy and "Questions about innogy Polska" in innogy
    assert "Questions about" not in doe


def test_faq_speaks_the_readers_language(brands_app):
    html = client_for(brands_app, "cez.test", language="cs").get("/help/").get_data(as_text=True)
    assert '<html lang="cs">' in html
    assert "Zákaznická linka" in html and "Customer service:" not in html  # the footer, from the core catalog


def test_contact_page_has_the_suppliers_own_content(brands_app):
    cez = client_for(brands_app, "cez.test").get("/help/contact").get_data(as_text=True)
    assert "Customer service of ČEZ Prodej" in cez and 'href="tel:+420800000000"' in cez
    assert "Power failures and outages" in cez
    innogy = client_for(brands_app, "innogy.test").get("/help/contact").get_data(as_text=True)
    assert "except for breaks for data updates and planned maintenance" in innogy
    assert "Power failures" not in innogy


def test_accessibility_statement(brands_app):
    html = client_for(brands_app, "italiangas.test").get("/help/accessibility").get_data(as_text=True)
    assert "WCAG" in html and "2.1" in html and "level AA" in html
    assert "How we tested" in html and "axe-core" in html
    assert "Report a problem" in html
    supplier = _supplier(brands_app, "italiangas")
    assert f'href="mailto:{supplier.support_email}"' in html


def test_help_is_in_the_navigation_once_signed_in(signed_in):
    html = signed_in.get("/", follow_redirects=True).get_data(as_text=True)
    nav = html.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/help/"' in nav


# --- in a browser ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian chromium is not installed")
@pytest.mark.parametrize("brand", ["innogy", "cez"])
def test_help_pages_and_banner_pass_an_accessibility_audit(live_portal, page, brand):  # noqa: F811
    from core.demo.service import prepare_demo

    app, base = live_portal
    with app.app_context():
        prepare_demo(app)  # innogy's demo announces a maintenance window
    page.goto(base + "/login")
    banner = page.locator(".maintenance-banner[role=status]")
    assert banner.count() == (1 if brand == "innogy" else 0)
    audit(page)
    for path in HELP_PAGES:
        page.goto(base + path)
        audit(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.console_errors == []
