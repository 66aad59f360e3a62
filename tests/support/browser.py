"""What the browser tests share: Debian's chromium through Playwright (``executable_path``; Playwright's
own browser download is never needed), a live portal per brand, the axe-core audit, and the steps of a
customer activated through HTTP, signed in and linked in the browser."""

from __future__ import annotations

import re
import shutil
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import MailMessage
from tests.conftest import PASSWORD, client_for

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER = [  # the marks of every browser test (a module's ``pytestmark``)
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
    "doe": ("doe_ua", "uk", "грн"),
    "italiangas": ("italiangas_it", "it", "€"),
}


@pytest.fixture(params=sorted(BRANDS))
def brand(request):
    return request.param


@pytest.fixture
def live_portal(make_app, brand):
    host = f"{brand}.localhost"
    app = make_app(
        DEMO=True, MAIL_CAPTURE=True, SESSION_COOKIE_SECURE=False,
        TENANTS={brand: {"plugin": BRANDS[brand][0], "hosts": [host]}},
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)  # a port of its own, free for sure
    port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://{host}:{port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium per test process, started by the first browser test; each test
    gets a fresh context of its own (no cookies, storage or cache carried over)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, brand):
    locale = BRANDS[brand][1]
    context = chromium.new_context(
        locale=locale, viewport={"width": 360, "height": 740},
        extra_http_headers={"Accept-Language": f"{locale};q=0.9"},
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


def audit(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{page.url}:\n" + "\n".join(serious)


def activated(app, brand: str, locale: str, email: str) -> None:
    """Register ``email`` and follow the activation link from the captured mail (through HTTP)."""
    client = client_for(app, f"{brand}.localhost", language=locale)
    response = client.submit("/register", {
        "email": email, "password": PASSWORD, "password_confirm": PASSWORD, "accept_terms": "1"})
    assert response.status_code == 302
    with app.app_context(), tenant_context(brand):
        body = db.session.execute(
            select(MailMessage.text_body).where(MailMessage.recipient == email).order_by(MailMessage.id.desc())
        ).scalars().first()
    assert client.submit(re.search(r"https?://[^/\s]+(/activate/\S+)", body).group(1)).status_code == 302


def sign_in_and_link(tab, base: str, email: str, identity: dict) -> None:
    """Sign in in the browser and link ``identity``'s customer account on the page the login leads to."""
    tab.goto(base + "/login")
    tab.fill("#email", email)
    tab.fill("#password", PASSWORD)
    tab.click("form.form button[type=submit]")
    tab.wait_for_url("**/accounts/link")
    for name, value in identity.items():
        if tab.locator(f"form.form #{name}").count():
            tab.fill(f"#{name}", str(value))
    tab.click("form.form button[type=submit]")
    tab.wait_for_url(base + "/")
