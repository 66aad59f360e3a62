"""Mail: SMTP settings from the environment, an SMTP server that is down, and mail that leaves
after commit, through the outbox."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import MailMessage
from tests.conftest import PASSWORD, client_for, register_and_activate, sign_in
from tests.framework.test_outbox_delivery import _make_due, _messages, _relay
from tests.support.smtp import SMTPServer, free_port


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


def test_an_smtp_outage_changes_nothing_the_customer_is_told_and_the_mail_arrives_later(make_app):
    port = free_port()  # nothing listens there yet
    app = make_app(MAIL_PORT=port)
    client = client_for(app)
    response = client.submit("/register", {"email": "later@example.com", "password": PASSWORD,
                                           "password_confirm": PASSWORD, "accept_terms": "1"})
    assert response.status_code == 302 and response.location.endswith("/register/check-inbox")
    [message] = _messages(app, kind="mail")
    assert message.status == "pending" and message.attempts == 1 and "SMTP" in message.last_error

    server = SMTPServer(port)
    server.start()
    try:
        _make_due(app)
        assert _relay(app).delivered == 1
        [mail] = server.wait_for("later@example.com")
        link = re.search(r"https://innogy\.test(/activate/\S+)", mail.get_content()).group(1)
    finally:
        server.stop()
    assert client.submit(link).status_code == 302
    assert sign_in(client, "later@example.com").status_code == 302
    with app.app_context(), tenant_context("innogy"):  # sent mail is not kept: its links are secrets
        assert db.session.execute(select(MailMessage)).first() is None


def test_nothing_is_mailed_when_the_write_is_rolled_back(app, client, smtp_server, demo_identity):
    register_and_activate(client, smtp_server, "rollback@example.com")
    sent = len(smtp_server.messages)
    with app.test_request_context(base_url="https://innogy.test"), tenant_context("innogy"):
        from core.framework.mail import send_mail

        send_mail("rollback@example.com", "reset_password", link="https://innogy.test/x")
        db.session.rollback()
    assert len(smtp_server.messages) == sent and not [m for m in _messages(app, kind="mail") if m.status == "pending"]
