"""A service request of each brand in headless Chromium, on a 360 px phone and on a desktop: a
mistake, then filed, with an axe-core audit of the form, its error state and the page that
follows. Same set-up as ``tests/readings/test_browser_readings.py``."""

from __future__ import annotations

import pytest

from tests.readings.test_browser_readings import WIDTHS, _fits, _script_errors, _submit, _wide
from tests.support.browser import (  # noqa: F401 - shared fixtures
    BRANDS,
    BROWSER,
    activated,
    audit,
    brand,
    live_portal,
    page,
    sign_in_and_link,
)

pytestmark = BROWSER



REQUESTS = {
    "innogy": ("contact_update", "email", "not-an-email", "nowy@innogy.example.com", {}),
    "cez": ("contact_details", "email", "not-an-email", "novy@cez.example.com", {}),
    "doe": ("contact_update", "email", "not-an-email", "novyi@doe.example.com", {}),
    "italiangas": ("information_complaint", "text", "Ciao", "Vorrei ricevere il listino prezzi.",
                   {"kind": "information"}),
}


@pytest.mark.parametrize("width", WIDTHS)
def test_service_request_with_a_mistake_then_filed(live_portal, page, brand, width):  # noqa: F811
    app, base = live_portal
    code, field, wrong, right, other = REQUESTS[brand]
    _wide(page, width)
    email = f"request{width}@{brand}.example.com"
    activated(app, brand, BRANDS[brand][1], email)
    with app.app_context():
        identity = app.extensions["portal_tenants"][brand].adapter.demo_identities()[0]
    sign_in_and_link(page, base, email, identity)

    page.goto(base + "/requests/")
    audit(page)
    page.click(f"main a[href$='/requests/new/{code}']")
    page.wait_for_url(f"**/requests/new/{code}")
    audit(page)
    _fits(page, width)

    for name, value in other.items():
        page.select_option(f"#{name}", value)
    page.fill(f"#{field}", wrong)
    _submit(page)
    assert page.locator(f"#{field}").get_attribute("aria-invalid") == "true"
    assert f"{field}-error" in page.locator(f"#{field}").get_attribute("aria-describedby")
    assert page.locator(f"#{field}-error").is_visible()
    assert page.evaluate("document.activeElement.id") == field
    assert page.input_value(f"#{field}") == wrong  # what was typed is kept to correct
    audit(page)
    _fits(page, width)

    page.fill(f"#{field}", right)
    _submit(page)
    assert page.url.rstrip("/").rsplit("/", 1)[1].isdigit()  # the request's own page
    assert page.locator(".notice-success").count() == 1
    assert right in page.locator("main").inner_text()
    assert page.locator("#request-history ~ ol.history li").count() >= 1
    audit(page)
    _fits(page, width)
    assert _script_errors(page) == []
