"""Demo mailbox, SMTP configuration from the environment, and rate limits on Redis."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import PASSWORD, client_for


def test_demo_mailbox_exists_only_in_demo_mode(make_app):
    assert client_for(make_app()).get("/demo/mailbox").status_code == 404
    demo = make_app(DEMO=True, MAIL_CAPTURE=True)
    client = client_for(demo)
    client.submit("/register", {"email": "demo-user@example.com", "password": PASSWORD,
                                "password_confirm": PASSWORD, "accept_terms": "1"})
    page = client.get("/demo/mailbox")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "demo-user@example.com" in html
    assert '<a href="https://innogy.test/activate/' in html


def test_mail_settings_come_from_the_environment(monkeypatch, migrated, smtp_server, tmp_path):
    from core import create_app
    from tests.conftest import PortalClient, _test_config

    config = _test_config(migrated, smtp_server, tmp_path)
    for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_DEFAULT_SENDER"):
        del config[key]
    monkeypatch.setenv("PORTAL_MAIL_SERVER", "127.0.0.1")
    monkeypatch.setenv("PORTAL_MAIL_PORT", str(smtp_server.port))
    monkeypatch.setenv("PORTAL_MAIL_DEFAULT_SENDER", "obsluga@innogy.test")
    app = create_app(config)
    app.test_client_class = PortalClient
    client = client_for(app)
    client.submit("/register", {"email": "env@example.com", "password": PASSWORD,
                                "password_confirm": PASSWORD, "accept_terms": "1"})
    assert smtp_server.wait_for("env@example.com")[0]["From"] == "obsluga@innogy.test"


def test_smtp_down_does_not_change_the_answer(make_app, smtp_server):
    from tests.support.smtp import free_port

    app = make_app(MAIL_PORT=free_port())  # nothing listens there
    client = client_for(app)
    response = client.submit("/register", {"email": "nomail@example.com", "password": PASSWORD,
                                           "password_confirm": PASSWORD, "accept_terms": "1"})
    assert response.status_code == 302 and response.location.endswith("/register/check-inbox")


def test_registration_and_reset_are_rate_limited(make_app):
    app = make_app(RATELIMIT_REGISTER="2 per minute", RATELIMIT_RESET="2 per minute")
    client = client_for(app)
    data = {"email": "x@example.com", "password": "short", "password_confirm": "short", "accept_terms": "1"}
    assert [client.submit("/register", data).status_code for _ in range(3)] == [400, 400, 429]
    assert [client.submit("/password/forgot", {"email": "a@example.com"}).status_code for _ in range(3)] == [200, 200, 429]


def test_identity_verification_is_rate_limited(make_app, smtp_server, demo_identity):
    from tests.conftest import register_and_activate, sign_in

    app = make_app(RATELIMIT_VERIFY="2 per minute", VERIFICATION_MAX_FAILURES=100)
    client = client_for(app)
    register_and_activate(client, smtp_server, "limit@example.com")
    sign_in(client, "limit@example.com")
    data = {"method": "invoice", "customer_number": "1234567890", "invoice_number": "X", "gross_amount": "1,00"}
    assert [client.submit("/accounts/link", data).status_code for _ in range(3)] == [400, 400, 429]


def _redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_running(), reason="no Redis on 127.0.0.1:6379")
def test_rate_limits_are_shared_through_redis(make_app):
    """Two app instances (two processes in production) count against one limit."""
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=15).flushdb()
    settings = dict(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15", RATELIMIT_LOGIN="3 per minute")
    first, second = client_for(make_app(**settings)), client_for(make_app(**settings))
    login = {"email": "x@example.com", "password": "wrong password!"}
    codes = [first.submit("/login", login).status_code, second.submit("/login", login).status_code,
             first.submit("/login", login).status_code, second.submit("/login", login).status_code]
    assert codes == [400, 400, 400, 429]
    store = redis.Redis(host="127.0.0.1", port=6379, db=15)
    assert any(b"login" in key for key in store.keys("*"))  # the counters live in Redis
    store.flushdb()


def test_demo_lists_brands_on_the_plain_host(make_app):
    app = make_app(DEMO=True, MAIL_CAPTURE=True)
    client = client_for(app, "localhost")
    assert client.get("/").location.endswith("/demo/brands")
    page = client.get("/demo/brands").get_data(as_text=True)
    assert 'href="https://innogy.test/"' in page and 'href="https://second.test/"' in page
    assert client.get("/demo/brands/innogy/logo").status_code == 200
    assert client.get("/login").status_code == 404  # no brand there
    assert client_for(app).get("/demo/brands").status_code == 404  # not on a brand's host
    assert client_for(make_app(), "localhost").get("/").status_code == 404  # not outside demo
