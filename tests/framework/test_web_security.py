"""Every form needs its CSRF token, and personal pages carry the security headers."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD


def test_forms_without_csrf_token_are_refused(client):
    response = client.post("/login", data={"email": "a@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)


def test_security_headers_on_personal_pages(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.get_data(as_text=True)
    assert not re.search(r"\sstyle=", response.get_data(as_text=True))
