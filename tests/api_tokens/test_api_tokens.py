"""Personal access tokens of the JSON API: made, shown once, listed, revoked, capped."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from core.api_tokens.models import ApiToken
from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from tests.conftest import client_for, register_and_activate, sign_in
from tests.support.api import LOCALES, api_error, make_token


def test_token_is_shown_once_and_only_its_hash_is_kept(app, owner):
    client, _identity, api = owner
    index = client.get("/api-tokens/").get_data(as_text=True)
    assert api.token not in index
    assert "Home Assistant" in index and api.token[:7] in index and "Read and submit" in index
    with app.app_context(), tenant_context("innogy"):
        row = db.session.execute(select(ApiToken)).scalar_one()
        assert row.token_hash == hashlib.sha256(api.token.encode()).hexdigest()
        assert api.token not in (row.name, row.hint, row.token_hash)
    assert api.token.startswith("up_") and len(api.token) > 40
    assert 'href="/api-tokens/" aria-current="page"' in index  # the main navigation's entry


def test_token_form_is_validated(signed_in):
    response = signed_in.submit("/api-tokens/", {"name": "", "scope": "admin"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This field is required." in page and "Choose what the token may do." in page
    assert "up_" not in page


def test_tokens_page_renders_in_every_language(signed_in):
    for locale in LOCALES:
        signed_in.get("/api-tokens/")
        signed_in.post("/language", data={"csrf_token": signed_in.last_csrf, "locale": locale, "next": "/api-tokens/"})
        response = signed_in.get("/api-tokens/")
        assert response.status_code == 200
        assert f'<html lang="{locale}">' in response.get_data(as_text=True)


def test_tokens_page_needs_a_login(client):
    assert client.get("/api-tokens/").status_code == 302


def test_revoked_token_is_refused(app, owner):
    client, _identity, api = owner
    assert api.get("/me").status_code == 200
    with app.app_context(), tenant_context("innogy"):
        token_id = db.session.execute(select(ApiToken.id)).scalar_one()
    client.get("/api-tokens/")
    assert client.post(f"/api-tokens/{token_id}/revoke", data={"csrf_token": client.last_csrf}).status_code == 302
    api_error(api.get("/me"), 401, "unauthorized")
    assert "revoked on" in client.get("/api-tokens/").get_data(as_text=True)


def test_another_customers_token_cannot_be_revoked(app, smtp_server, owner):
    _client, _identity, api = owner
    with app.app_context(), tenant_context("innogy"):
        token_id = db.session.execute(select(ApiToken.id)).scalar_one()
    other = client_for(app)
    register_and_activate(other, smtp_server, "other@example.com")
    sign_in(other, "other@example.com")
    other.get("/api-tokens/")
    assert other.post(f"/api-tokens/{token_id}/revoke", data={"csrf_token": other.last_csrf}).status_code == 404
    assert api.get("/me").status_code == 200


def test_active_tokens_are_capped(signed_in, monkeypatch):
    import core.api_tokens.views

    monkeypatch.setattr(core.api_tokens.views, "MAX_ACTIVE", 2)
    made = [make_token(signed_in, name="one"), make_token(signed_in, name="two")]
    refused = signed_in.submit("/api-tokens/", {"name": "three", "scope": "read"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Revoke one you no longer use first." in page
    assert not any(token in page for token in made) and 'id="new-token-value"' not in page
