"""Steps the browser tests share: a customer activated through HTTP, signed in and linked in the browser."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import MailMessage
from tests.conftest import PASSWORD, client_for


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
