"""Calling the JSON API as an app does: a token, no cookies, no CSRF token."""

from __future__ import annotations

import re

from tests.conftest import client_for


def make_token(client, scope="read-write", name="Home Assistant") -> str:
    """A token made on the portal's API access page by the signed-in ``client``."""
    response = client.submit("/api-tokens/", {"name": name, "scope": scope})
    assert response.status_code == 201, response.get_data(as_text=True)
    return re.search(r'value="(up_[A-Za-z0-9_-]+)"', response.get_data(as_text=True)).group(1)


class Api:
    """An app calling the API with a token."""

    def __init__(self, app, token, host=None, language="en"):
        self.client = client_for(app, host) if host else client_for(app, language=language)
        self.token = token

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, path, headers=None, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self._headers(headers), **kwargs)

    def post(self, path, json=None, headers=None, **kwargs):
        return self.client.post(f"/api/v1{path}", json=json, headers=self._headers(headers), **kwargs)

    def put(self, path, json=None, headers=None, **kwargs):
        return self.client.put(f"/api/v1{path}", json=json, headers=self._headers(headers), **kwargs)


def api_error(response, status, code):
    """The error body of a JSON error answer, after checking its status and code."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    body = response.get_json()["error"]
    assert body["code"] == code and body["message"]
    return body
