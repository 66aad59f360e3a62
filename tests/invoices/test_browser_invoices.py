"""Invoices and payments in headless Chromium for each brand: the list and its filters, the
PDF download, "pay now" at the demo bank, and an axe-core audit of every page on the way.

Same setup as ``tests/support/browser.py`` (Debian's chromium through Playwright).
"""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.support.browser import BRANDS, BROWSER, audit, brand, live_portal, page, sign_in_and_link  # noqa: F401 - shared fixtures

pytestmark = BROWSER


def _sign_up_and_link(tab, app, base: str, code: str) -> dict:
    """Register, activate from the demo mailbox, sign in and link a customer who owes money."""
    with app.app_context():
        adapter = app.extensions["portal_tenants"][code].adapter
        identity = next(i for i in adapter.demo_identities() if adapter.balance(i["account_number"]).amount < 0)
    email = f"invoices@{code}.example.com"
    tab.goto(base + "/register")
    tab.fill("#email", email)
    tab.fill("#password", PASSWORD)
    tab.fill("#password_confirm", PASSWORD)
    tab.check("#accept_terms")
    tab.click("form.form button[type=submit]")
    tab.wait_for_url("**/register/check-inbox")
    tab.goto(base + "/demo/mailbox")
    tab.locator("a[href*='/activate/']").first.click()
    tab.click("form.form button[type=submit]")
    tab.wait_for_url("**/login")
    sign_in_and_link(tab, base, email, identity)
    return identity


def test_invoice_list_pdf_download_and_pay_now(live_portal, page, brand):  # noqa: F811 - fixtures
    app, base = live_portal
    identity = _sign_up_and_link(page, app, base, brand)
    invoices = app.extensions["portal_tenants"][brand].adapter.invoices(identity["account_number"])

    page.goto(base + "/invoices/")
    assert page.locator("html").get_attribute("lang") == BRANDS[brand][1]
    assert invoices[0].number in page.locator("main table").inner_text()
    audit(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # the filter form narrows the list
    page.select_option("#filter-status", "paid")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/invoices/?*status=paid*")
    shown = page.locator("main table").inner_text()
    assert all(i.number not in shown for i in invoices if i.status != "paid")

    # one invoice, and its PDF through the browser's download
    open_invoice = next(i for i in invoices if i.status != "paid")
    page.goto(base + "/invoices/")
    page.get_by_role("link", name=open_invoice.number, exact=True).click()
    page.wait_for_url("**/invoices/*")
    audit(page)
    with page.expect_download() as download_info:
        page.locator("a[href$='/pdf']").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as document:
        assert document.read(5) == b"%PDF-"

    # pay now: the amount, the demo bank, back to the portal
    page.locator("a[href*='/payments/pay/invoice/']").click()
    page.wait_for_url("**/payments/pay/invoice/*")
    audit(page)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/payments/demo-bank/**")
    audit(page)
    page.click("button[value=pay]")
    page.wait_for_url("**/payments/done/*")
    assert page.locator(".notice-success").count() == 1
    audit(page)
    page.goto(base + "/payments/")
    audit(page)
    assert page.console_errors == []
