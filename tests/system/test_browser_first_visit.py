"""The whole first visit in headless Chromium, with an axe-core audit of every page.

Uses Debian's chromium (``/usr/bin/chromium``) through Playwright's ``executable_path``;
Playwright's own browser download is never needed.
"""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.support.browser import BRANDS, BROWSER, audit, brand, live_portal, page  # noqa: F401 - fixtures

pytestmark = BROWSER


def test_register_activate_link_dashboard(live_portal, page, brand):  # noqa: F811 - fixtures
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
