"""The dashboard in headless Chromium for each brand: on a phone the menu folds behind an
accessible button and the balance is above the fold; the Pay button leads through the demo
bank back to a dashboard that shows the payment on its way instead of a second invitation
to pay; on a wide screen the services fit one row and the settings sit in the account menu.

Same setup as ``tests/support/browser.py`` (Debian's chromium through Playwright).
"""

from __future__ import annotations

from tests.invoices.test_browser_invoices import _sign_up_and_link
from tests.support.browser import BROWSER, audit, brand, live_portal, page  # noqa: F401 - shared fixtures

pytestmark = BROWSER


def test_phone_menu_pay_path_and_wide_navigation(live_portal, page, brand):  # noqa: F811 - fixtures
    app, base = live_portal
    _sign_up_and_link(page, app, base, brand)
    page.goto(base + "/")

    # a phone: the menu is folded behind its button, the balance is on the first screen
    toggle = page.locator("button.menu-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#main-menu").is_visible()
    amount = page.locator(".balance-card .amount").first.bounding_box()
    assert amount["y"] + amount["height"] < 740
    audit(page)
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and page.locator("#main-menu").is_visible()
    assert page.locator("#main-menu a[href='/invoices/']").is_visible()
    audit(page)
    toggle.click()
    assert not page.locator("#main-menu").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # pay the debt from the dashboard
    page.locator(".balance-card a[href*='/payments/pay/account/']").first.click()
    page.wait_for_url("**/payments/pay/account/*")
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/payments/demo-bank/**")
    page.click("button[value=pay]")
    page.wait_for_url("**/payments/done/*")
    page.goto(base + "/")
    card = page.locator(".balance-card").first
    assert card.locator(".notice[role=status]").count() == 1  # on its way ...
    assert card.locator("a[href*='/payments/pay/account/']").count() == 0  # ... not to be paid again
    audit(page)

    # a wide screen: no menu button, the services in one row, the settings under the e-mail address
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not toggle.is_visible() and page.locator("#main-menu").is_visible()
    tops = page.locator(".nav-main > li").evaluate_all("items => items.map(item => item.offsetTop)")
    assert len(set(tops)) == 1, tops
    settings = page.locator(".account-menu a[href='/profile/']")
    assert not settings.is_visible()
    page.locator(".account-menu summary").click()
    assert settings.is_visible()
    audit(page)
    assert page.console_errors == []
