"""Meter readings in headless Chromium, on a 360 px phone and on a desktop (innogy's Stoen points
take them), with an axe-core audit of the form, its error state and the page that follows.

Same set-up as ``tests/support/browser.py`` (Debian chromium through Playwright's ``executable_path``).
"""

from __future__ import annotations

import pytest

from core.readings.service import field_name
from tests.readings.test_readings import _identity_with, _point_id, _previous, _today
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
WIDTHS = [360, 1280]

# brand: (request type, field to get wrong, the mistake, the correction, other fields to fill)


def _wide(tab, width: int) -> None:
    tab.set_viewport_size({"width": width, "height": 800})


def _fits(tab, width: int) -> None:
    """No horizontal scrolling."""
    assert tab.evaluate("document.documentElement.scrollWidth") <= width


def _submit(tab, form: str = "main form.form") -> None:
    with tab.expect_navigation():
        tab.click(f"{form} button[type=submit]")


def _script_errors(tab) -> list[str]:
    """Console errors, less the browser's note on the form sent back with 400 on purpose."""
    return [e for e in tab.console_errors if "status of 400" not in e]


def _focused_is_invalid(tab) -> bool:
    return tab.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"


def _reading_form(app, base: str, tab, width: int, email: str):
    """A customer with a point that takes readings, on that point's form; its registers' previous values."""
    _wide(tab, width)
    with app.app_context():
        identities = app.extensions["portal_tenants"]["innogy"].adapter.demo_identities()
    identity, point = _identity_with(app, identities, capable=True)
    activated(app, "innogy", BRANDS["innogy"][1], email)
    sign_in_and_link(tab, base, email, identity)
    tab.goto(base + "/readings/")
    if point.identifier not in tab.locator("#current-point").inner_text():
        with tab.expect_navigation():  # the list of the customer's other points chooses one
            tab.locator("#other-points ~ .table-scroll a", has_text=point.identifier).click()
    assert point.identifier in tab.locator("#current-point").inner_text()
    _fits(tab, width)
    tab.click(f"main a[href$='/readings/new/{_point_id(app, point.identifier)}']")
    tab.wait_for_url("**/readings/new/*")
    audit(tab)
    _fits(tab, width)
    return point, _previous(app, identity, point)


def _fill_reading(tab, app, values) -> None:
    tab.fill("#read_on", _today(app).isoformat())
    for register, value in values.items():
        tab.fill(f"#{field_name(register)}", str(value))


@pytest.mark.parametrize("brand", ["innogy"])
@pytest.mark.parametrize("width", WIDTHS)
def test_meter_reading_is_submitted_and_shown_in_the_history(live_portal, page, brand, width):  # noqa: F811
    app, base = live_portal
    point, previous = _reading_form(app, base, page, width, f"reading{width}@innogy.example.com")

    _fill_reading(page, app, {r: v + 5 for r, v in previous.items()})
    _submit(page)
    assert page.url == base + "/readings/"
    assert page.locator(".notice-success").count() == 1
    assert point.identifier in page.locator("#current-point").inner_text()
    history = page.locator("#current-point ~ .table-scroll table")
    assert history.locator("caption").is_visible()
    first_rows = history.locator("tbody tr").filter(has=page.locator(".status-reading-accepted"))
    assert first_rows.count() >= len(previous)  # every register, accepted by the demo back-end
    audit(page)
    _fits(page, width)
    assert _script_errors(page) == []


@pytest.mark.parametrize("brand", ["innogy"])
@pytest.mark.parametrize("width", WIDTHS)
def test_implausible_reading_is_confirmed_with_a_reason_and_reviewed(live_portal, page, brand, width):  # noqa: F811
    app, base = live_portal
    point, previous = _reading_form(app, base, page, width, f"high{width}@innogy.example.com")

    _submit(page)  # nothing filled in
    assert page.locator("#read_on[aria-invalid=true]").count() == 1
    assert page.locator("#read_on-error").is_visible() and _focused_is_invalid(page)
    audit(page)
    _fits(page, width)

    _fill_reading(page, app, {r: v + 1_000_000 for r, v in previous.items()})
    _submit(page)
    warning = page.locator("#reading-warning")
    assert warning.is_visible() and warning.get_attribute("role") == "alert"
    assert page.locator("#confirm").is_visible() and page.locator("#reason").is_visible()
    audit(page)
    _fits(page, width)

    page.check("#confirm")
    page.fill("#reason", "Electric heating installed")
    _submit(page)
    assert page.url == base + "/readings/"
    reviewed = page.locator("#current-point ~ .table-scroll tbody .status-reading-review")
    assert reviewed.count() == len(previous) and reviewed.first.is_visible()
    audit(page)
    _fits(page, width)
    assert _script_errors(page) == []
