"""The consumption page in headless Chromium for each brand: the chart shows, axe-core finds nothing.

Same set-up as ``tests/support/browser.py`` (Debian chromium through Playwright's
``executable_path``); the customer registers through HTTP and links a demo account in the
browser, so the readings come from the demo back-end through the sync.
"""

from __future__ import annotations

from tests.support import browser
from tests.support.browser import BRANDS, activated, audit, sign_in_and_link

pytestmark = browser.BROWSER
# the same brands, live server and browser page as the walk-through
brand, live_portal, page = browser.brand, browser.live_portal, browser.page


def test_consumption_chart_is_visible_and_accessible(live_portal, page, brand):
    app, base = live_portal
    email = f"chart@{brand}.example.com"
    activated(app, brand, BRANDS[brand][1], email)
    with app.app_context():
        identity = app.extensions["portal_tenants"][brand].adapter.demo_identities()[0]
    sign_in_and_link(page, base, email, identity)

    page.goto(base + "/consumption/")
    assert page.locator("html").get_attribute("lang") == BRANDS[brand][1]
    chart = page.locator("figure.consumption-chart svg[role=img]").first
    assert chart.is_visible()
    assert chart.bounding_box()["width"] > 250  # drawn across the phone's width
    assert page.locator("figure.consumption-chart rect.chart-bar").count() > 0
    assert page.locator("table.consumption-table caption").first.is_visible()
    audit(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # the year chooser submits itself through portal.js
    previous = page.locator("#year-select option").nth(1).get_attribute("value")
    with page.expect_navigation():
        page.select_option("#year-select", previous)
    assert f"year={previous}" in page.url
    audit(page)
    assert page.console_errors == []
