"""The whole first visit in headless Chromium, with an axe-core audit of every page.

Uses Debian's chromium (``/usr/bin/chromium``) through Playwright's ``executable_path``;
Playwright's own browser download is never needed.
"""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD
from tests.support.smtp import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian chromium is not installed"),
]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


BRANDS = {
    # tenant: (plugin, home locale, currency sign on the dashboard)
    "innogy": ("innogy_pl", "pl", "zł"),
    "cez": ("cez_cz", "cs", "Kč"),
    "doe": ("doe_ua", "uk", "₴"),
    "italiangas": ("italiangas_it", "it", "€"),
}


@pytest.fixture(params=sorted(BRANDS))
def brand(request):
    return request.param


@pytest.fixture
def live_portal(make_app, brand):
    port = free_port()
    host = f"{brand}.localhost"
    app = make_app(
        DEMO=True, MAIL_CAPTURE=True, SESSION_COOKIE_SECURE=False,
        TENANTS={brand: {"plugin": BRANDS[brand][0], "hosts": [host]}},
    )
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://{host}:{port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def page(brand):
    from playwright.sync_api import sync_playwright

    locale = BRANDS[brand][1]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(
            locale=locale, viewport={"width": 360, "height": 740},
            extra_http_headers={"Accept-Language": f"{locale};q=0.9"},
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.console_errors = errors
        yield page
        context.close()
        browser.close()


def audit(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{page.url}:\n" + "\n".join(serious)


def test_register_activate_link_dashboard(live_portal, page, brand):
    app, base = live_portal
    _, locale, currency = BRANDS[brand]
    with app.app_context():
        identity = app.extensions["portal_tenants"][brand].adapter.demo_identities()[0]

    page.goto(base + "/register")
    assert page.locator("html").get_attribute("lang") == locale
    audit(page)
    page.fill("#email", f"maria@{brand}.example.com")
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.check("#accept_terms")
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/register/check-inbox")
    audit(page)

    page.goto(base + "/demo/mailbox")
    audit(page)
    page.locator("a[href*='/activate/']").first.click()
    audit(page)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/login")

    page.fill("#email", f"maria@{brand}.example.com")
    page.fill("#password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/accounts/link")
    audit(page)
    for name, value in identity.items():
        if page.locator(f"form.form #{name}").count():
            page.fill(f"#{name}", str(value))
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + "/")

    body = page.locator("main").inner_text()
    assert identity["account_number"] in body
    assert currency in body
    audit(page)
    # no horizontal scrolling on a 360 px phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # the language switcher (the select submits itself through portal.js)
    with page.expect_navigation():
        page.select_option("#locale-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Overview" in page.locator("h1").inner_text()
    assert page.console_errors == []
