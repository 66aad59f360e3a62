"""One process, several brands: host routing, data isolation, themes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.framework.extensions import db
from core.framework.tenancy import NoTenant, TenantMismatch, tenant_context
from core.models import User, utcnow
from tests.conftest import INNOGY_HOST, SECOND_HOST, client_for, register_and_activate, sign_in


def test_host_picks_the_tenant_and_unknown_hosts_get_404(app):
    assert client_for(app, INNOGY_HOST).get("/healthz").json["tenant"] == "innogy"
    assert client_for(app, SECOND_HOST).get("/healthz").json["tenant"] == "second"
    assert client_for(app, "elsewhere.test").get("/healthz").status_code == 404


def test_default_tenant_serves_unknown_hosts(make_app):
    app = make_app(DEFAULT_TENANT="innogy")
    assert client_for(app, "localhost").get("/healthz").json["tenant"] == "innogy"


def test_same_email_is_two_separate_users_in_two_tenants(app, smtp_server):
    first, second = client_for(app, INNOGY_HOST), client_for(app, SECOND_HOST)
    register_and_activate(first, smtp_server, "same@example.com")
    assert sign_in(second, "same@example.com").status_code == 400  # not registered there
    register_and_activate(second, smtp_server, "same@example.com", password="second brand passphrase")
    assert sign_in(second, "same@example.com", "second brand passphrase").status_code == 302
    with app.app_context():
        with tenant_context("innogy"):
            assert len(db.session.execute(select(User)).scalars().all()) == 1
        with tenant_context("second"):
            assert len(db.session.execute(select(User)).scalars().all()) == 1


def test_session_from_one_tenant_does_not_work_on_another_host(app, smtp_server):
    first = client_for(app, INNOGY_HOST)
    register_and_activate(first, smtp_server, "cross@example.com")
    sign_in(first, "cross@example.com")
    assert first.get("/accounts/").status_code == 200
    stolen = first.get_cookie("portal_session", domain="innogy.test").value
    other = client_for(app, SECOND_HOST)
    other.set_cookie("portal_session", stolen, domain=SECOND_HOST)
    response = other.get("/accounts/")
    assert response.status_code == 302 and "/login" in response.location


def test_queries_are_scoped_by_construction(app):
    with app.app_context():
        now = utcnow()
        with tenant_context("innogy"):
            db.session.add(User(email="a@x.test", password_hash="x", terms_version="1", terms_accepted_at=now))
            db.session.commit()
        with tenant_context("second"):
            assert db.session.execute(select(User)).scalars().all() == []
            row = db.session.execute(
                select(User).execution_options(all_tenants=True)
            ).scalar_one()
            assert row.tenant == "innogy"
            row.locale = "pl"
            with pytest.raises(TenantMismatch):
                db.session.flush()
            db.session.rollback()
        with pytest.raises(NoTenant):
            db.session.execute(select(User)).all()
        db.session.rollback()


def test_theme_and_plugin_templates_layer_over_core(app):
    innogy = client_for(app, INNOGY_HOST).get("/login").get_data(as_text=True)
    second = client_for(app, SECOND_HOST).get("/login").get_data(as_text=True)
    assert "Moje innogy" in innogy and "plain-override" not in innogy
    assert "plain-override" in second  # theme override extending "core:layout/base.html"
    assert "Sign in" in second  # the rest of the core page is still there
    css = client_for(app, SECOND_HOST).get("/theme.css").get_data(as_text=True)
    assert "--primary: #0b3d63" in css
    logo = client_for(app, INNOGY_HOST).get("/theme/logo.svg")
    assert logo.status_code == 200 and b"<svg" in logo.data


def test_template_environments_are_built_once_per_theme(app):
    for host in (INNOGY_HOST, SECOND_HOST, INNOGY_HOST, SECOND_HOST):
        client_for(app, host).get("/login")
    envs = app._tenant_envs
    assert len(envs) == 2
    innogy_env = envs[("innogy", "innogy_pl")]
    assert "auth/login.html" in {key[1] for key in innogy_env.cache.keys()}
    client_for(app, INNOGY_HOST).get("/login")
    assert app._tenant_envs[("innogy", "innogy_pl")] is innogy_env
