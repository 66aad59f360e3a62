"""Preparing the demo: database schema, compiled catalogs, and a ready demo login per brand."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url

from core.framework.catalogs import all_domains, compile_catalogs
from core.framework.extensions import db
from core.framework.mail import demo_login
from core.framework.security import hash_password
from core.framework.sync import import_account
from core.framework.tenancy import tenant_context
from core.maintenance.service import ensure_demo_window
from core.models import AccountLink, BillingAccount, TermsAcceptance, User, utcnow

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - the published demo login


def prepare_demo(app: Flask, reset: bool = False) -> list[str]:
    """Make the demo ready to serve; returns lines to show the person who started it."""
    for domain in all_domains():
        compile_catalogs(domain, only_stale=True)
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if reset and url.get_backend_name() == "sqlite" and url.database and os.path.exists(url.database):
        db.engine.dispose()
        os.remove(url.database)
    upgrade(directory=app.extensions["migrate"].directory)

    lines = [f"Database: {url.render_as_string(hide_password=True)}"]
    for tenant in app.extensions["portal_tenants"]:
        with tenant_context(tenant.code):
            lines.append(_seed_demo_login(tenant))
            lines.extend(line for line in [ensure_demo_window(tenant)] if line)
    return lines


def _seed_demo_login(tenant) -> str:
    email = demo_login(tenant.code)
    if db.session.execute(select(User).where(User.email == email)).scalar_one_or_none() is None:
        identities = tenant.adapter.demo_identities()
        now = utcnow()
        version = current_app.config["TERMS_VERSION"]
        user = User(
            email=email, password_hash=hash_password(DEMO_PASSWORD), locale=None,
            terms_version=version, terms_accepted_at=now, activated_at=now,
        )
        db.session.add(user)
        db.session.flush()
        db.session.add(TermsAcceptance(user_id=user.id, version=version, accepted_at=now))
        if identities:
            account = import_account(tenant, identities[0]["account_number"])
            db.session.add(AccountLink(user_id=user.id, account_id=account.id, method="demo"))
        db.session.commit()
    hosts = ", ".join(tenant.hosts) or "(default host)"
    return f"{tenant.supplier.name} [{tenant.code}] on {hosts}: sign in as {email} / {DEMO_PASSWORD}"


def demo_accounts(tenant) -> list[dict[str, Any]]:
    """What ``portal demo-accounts`` lists for ``tenant``: per identity method, the demo
    customers and what each types to link (a condominium administrator's code too), each
    marked ``linked`` when the demo login already has its account."""
    linked = set(db.session.execute(
        select(BillingAccount.number).join(AccountLink, AccountLink.account_id == BillingAccount.id)
        .join(User, User.id == AccountLink.user_id).where(User.email == demo_login(tenant.code))
    ).scalars()) if inspect(db.engine).has_table(User.__tablename__) else set()
    found: list[dict[str, Any]] = []
    seen: set[tuple[Any, frozenset[str]]] = set()  # an account listed once per shape of identity
    for method in tenant.identity_methods():
        for identity in tenant.adapter.demo_identities(method.code):
            entry = {"method": method.code, **identity, "linked": identity["account_number"] in linked}
            shape = (entry["account_number"], frozenset(entry))
            if shape not in seen:
                seen.add(shape)
                found.append(entry)
    return found
