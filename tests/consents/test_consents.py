"""Consents through HTTP: the terms gate, e-invoices per account and for all accounts, marketing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

import plugins.cez_cz.plugin
import plugins.doe_ua.plugin
import plugins.italiangas_it.plugin
from core.billing.contract import BackendUnavailable, SubmissionResult
from core.consents.service import NotYourAccount, set_e_invoice
from core.framework import outbox
from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import AccountLink, BillingAccount, OutboxMessage, TermsAcceptance, User, utcnow
from core.profile.models import ActivityEvent, ConsentEvent
from tests.conftest import client_for, linked_customer, register_and_activate, sign_in
from tests.support.outbox import TO_SUPPLIER, count_to_supplier

LOCALES = ("en", "pl", "cs", "uk", "it")


def _adapter(app, tenant="innogy"):
    return app.extensions["portal_tenants"][tenant].adapter


def _post(client, path, data):
    """Press a button of the consents page (the page gives the CSRF token)."""
    assert client.get("/consents/").status_code == 200
    return client.post(path, data={"csrf_token": client.last_csrf, **data})


def _account_id(app, number, tenant="innogy") -> int:
    with app.app_context(), tenant_context(tenant):
        return db.session.execute(select(BillingAccount.id).where(BillingAccount.number == number)).scalar_one()


def _events(app, tenant="innogy", **where) -> list[ConsentEvent]:
    with app.app_context(), tenant_context(tenant):
        query = select(ConsentEvent).order_by(ConsentEvent.id)
        for name, value in where.items():
            query = query.where(getattr(ConsentEvent, name) == value)
        rows = db.session.execute(query).scalars().all()
        db.session.expunge_all()
        return rows


def _consent_requests(app, number, tenant="innogy"):
    return [s for _, s in _adapter(app, tenant).submitted_requests(number) if s.request_type == "e_invoice_consent"]


def _count(app, model, tenant="innogy") -> int:
    with app.app_context(), tenant_context(tenant):
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


# --- terms of service ------------------------------------------------------------------

def test_new_terms_version_must_be_accepted_before_anything_else(app, signed_in):
    client = signed_in
    assert client.get("/accounts/").status_code == 200
    app.config["TERMS_VERSION"] = "2027-03"

    for path in ("/", "/accounts/", "/profile/", "/consents/", "/readings/"):
        response = client.get(path)
        assert response.status_code == 302 and "/consents/terms" in response.location, path
    # a form posted meanwhile is turned away too, and changes nothing
    page = client.get("/consents/terms").get_data(as_text=True)
    assert "2027-03" in page and "have changed" in page
    response = client.post("/consents/marketing", data={"csrf_token": client.last_csrf, "choice": "on"})
    assert response.status_code == 302 and "/consents/terms" in response.location
    assert _count(app, ConsentEvent) == 0
    # what stays reachable: styles, the language switch, the terms page, help, and the way
    # out for whoever does not accept: the data download and closing the login
    assert client.get("/static/portal.css").status_code == 200
    assert client.get("/help/").status_code == 200
    assert client.get("/profile/privacy").status_code == 200
    assert "/profile/privacy" in page
    assert client.get("/theme.css").status_code == 200
    switched = client.post("/language", data={"csrf_token": client.last_csrf, "locale": "pl", "next": "/consents/terms"})
    assert switched.status_code == 302 and switched.location.endswith("/consents/terms")
    assert 'lang="pl"' in client.get("/consents/terms").get_data(as_text=True)
    client.post("/language", data={"csrf_token": client.last_csrf, "locale": "en", "next": "/consents/terms"})

    refused = client.submit("/consents/terms?next=/accounts/", {})
    assert refused.status_code == 400 and "Tick the box" in refused.get_data(as_text=True)
    accepted = client.submit("/consents/terms?next=/accounts/", {"accept_terms": "1"})
    assert accepted.status_code == 302 and accepted.location.endswith("/accounts/")
    assert client.get("/accounts/").status_code == 200

    with app.app_context(), tenant_context("innogy"):
        user = db.session.execute(select(User)).scalar_one()
        assert user.terms_version == "2027-03"
        history = db.session.execute(select(TermsAcceptance).order_by(TermsAcceptance.id)).scalars().all()
        assert [h.version for h in history] == ["2026-01", "2027-03"]
        assert history[1].accepted_at >= history[0].accepted_at
    page = client.get("/consents/").get_data(as_text=True)
    assert "2026-01" in page and "2027-03" in page
    assert "Terms of service accepted" in client.get("/profile/activity").get_data(as_text=True)


def test_sign_out_stays_possible_without_accepting(app, signed_in):
    app.config["TERMS_VERSION"] = "2027-03"
    client = signed_in
    client.get("/consents/terms")
    response = client.post("/logout", data={"csrf_token": client.last_csrf})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert client.get("/").status_code == 302 and "/login" in client.get("/").location


def test_new_registrations_accept_the_current_version(app, client, smtp_server):
    app.config["TERMS_VERSION"] = "2027-03"
    register_and_activate(client, smtp_server, "fresh@example.com")
    sign_in(client, "fresh@example.com")
    assert client.get("/accounts/").status_code == 200


# --- e-invoice ---------------------------------------------------------------------------

def test_e_invoice_on_and_off_goes_to_the_supplier_with_history(app, client, smtp_server, demo_identity):
    identity = demo_identity[0]
    number = identity["account_number"]
    linked_customer(client, smtp_server, identity, "efaktura@example.com")
    account = _account_id(app, number)
    page = client.get("/consents/").get_data(as_text=True)
    assert "Electronic invoices: off" in page

    response = _post(client, "/consents/e-invoice", {"account": str(account), "choice": "on"})
    assert response.status_code == 302
    page = client.get("/consents/").get_data(as_text=True)
    assert "Electronic invoices: on" in page and "accepted by the supplier" in page
    sent = _consent_requests(app, number)
    assert len(sent) == 1 and sent[0].data == {"enabled": True, "email": "efaktura@example.com"}

    # the same choice again changes nothing and sends nothing
    _post(client, "/consents/e-invoice", {"account": str(account), "choice": "on"})
    assert len(_events(app)) == 1 and len(_consent_requests(app, number)) == 1

    _post(client, "/consents/e-invoice", {"account": str(account), "choice": "off"})
    events = _events(app)
    assert [(e.granted, e.status) for e in events] == [(True, "accepted"), (False, "accepted")]
    assert all(e.account_id == account and e.created_at is not None for e in events)
    assert [s.data["enabled"] for s in _consent_requests(app, number)] == [True, False]
    page = client.get("/consents/").get_data(as_text=True)
    assert "Electronic invoices: off" in page
    assert page.count("switched on") == 1 and page.count("switched off") == 1
    with app.app_context(), tenant_context("innogy"):
        assert {m.kind for m in db.session.execute(select(OutboxMessage).where(TO_SUPPLIER)).scalars()} == {"consent"}


def test_e_invoice_waits_in_the_outbox_while_the_back_end_is_down(app, client, smtp_server, demo_identity, monkeypatch):
    identity = demo_identity[0]
    linked_customer(client, smtp_server, identity, "down@example.com")
    adapter = _adapter(app)

    def unavailable(request, key):
        raise BackendUnavailable("maintenance")

    monkeypatch.setattr(adapter, "submit_request", unavailable)
    _post(client, "/consents/e-invoice", {"account": str(_account_id(app, identity["account_number"])), "choice": "on"})
    page = client.get("/consents/").get_data(as_text=True)
    assert "Electronic invoices: on" in page and "received" in page and "accepted by the supplier" not in page
    monkeypatch.undo()
    with app.app_context(), tenant_context("innogy"):
        db.session.execute(db.update(OutboxMessage).values(next_attempt_at=db.func.now()))
        db.session.commit()
        assert outbox.relay(app.extensions["portal_tenants"]["innogy"]).delivered == 1
    assert "accepted by the supplier" in client.get("/consents/").get_data(as_text=True)
    assert len(_consent_requests(app, identity["account_number"])) == 1


def test_e_invoice_switched_on_then_off_during_an_outage_reaches_the_supplier_in_that_order(
        app, client, smtp_server, demo_identity, monkeypatch):
    identity = demo_identity[0]
    linked_customer(client, smtp_server, identity, "twice@example.com")
    monkeypatch.setattr(_adapter(app), "submit_request", lambda request, key: (_ for _ in ()).throw(BackendUnavailable("down")))
    account = str(_account_id(app, identity["account_number"]))
    for choice in ("on", "off"):
        _post(client, "/consents/e-invoice", {"account": account, "choice": choice})
    monkeypatch.undo()
    with app.app_context(), tenant_context("innogy"):
        on, off = db.session.execute(db.select(OutboxMessage).where(TO_SUPPLIER).order_by(OutboxMessage.id)).scalars().all()
        on.next_attempt_at, off.next_attempt_at = utcnow(), utcnow() - dt.timedelta(minutes=5)
        db.session.commit()  # the retries' jitter put "off" first in line
        assert outbox.relay(app.extensions["portal_tenants"]["innogy"]).delivered == 2
    assert [r.data["enabled"] for r in _consent_requests(app, identity["account_number"])] == [True, False]


def test_a_change_the_supplier_rejects_is_shown_with_its_reason(app, client, smtp_server, demo_identity, monkeypatch):
    identity = demo_identity[0]
    linked_customer(client, smtp_server, identity, "rejected@example.com")
    monkeypatch.setattr(_adapter(app), "submit_request", lambda request, key: SubmissionResult.rejected(
        "account_closed", "Brak zgody na e-fakturę w umowie."))
    _post(client, "/consents/e-invoice", {"account": str(_account_id(app, identity["account_number"])), "choice": "on"})
    page = client.get("/consents/").get_data(as_text=True)
    assert "rejected" in page and "This customer account is closed." in page
    assert "Brak zgody" not in page  # the back-end's own words are for staff
    assert "Electronic invoices: off" in page  # what is in force did not change
    assert [e.status for e in _events(app)] == ["rejected"]


def test_another_customers_account_is_not_found(app, smtp_server, demo_identity):
    owner = linked_customer(client_for(app), smtp_server, demo_identity[0], "owner@example.com")
    other = linked_customer(client_for(app), smtp_server, demo_identity[1], "other@example.com")
    theirs = _account_id(app, demo_identity[0]["account_number"])
    response = _post(other, "/consents/e-invoice", {"account": str(theirs), "choice": "on"})
    assert response.status_code == 404
    assert _events(app) == []
    assert demo_identity[0]["account_number"] not in other.get("/consents/").get_data(as_text=True)
    assert demo_identity[1]["account_number"] not in owner.get("/consents/").get_data(as_text=True)


def test_e_invoice_is_switched_off_where_the_supplier_does_not_offer_it(make_app, smtp_server):
    app = make_app(plugins=[plugins.cez_cz.plugin], TENANTS={"cez": {"plugin": "cez_cz", "hosts": ["cez.test"]}})
    client = client_for(app, "cez.test")
    register_and_activate(client, smtp_server, "jana@example.cz")
    sign_in(client, "jana@example.cz")
    page = client.get("/consents/").get_data(as_text=True)
    assert "Electronic invoices" not in page and "Offers and news" in page
    assert _post(client, "/consents/e-invoice", {"account": "all", "choice": "on"}).status_code == 404


def test_condominium_administrator_switches_every_account_at_once(make_app, smtp_server):
    host = "italiangas.test"
    app = make_app(plugins=[plugins.italiangas_it.plugin], TENANTS={"italiangas": {"plugin": "italiangas_it", "hosts": [host]}})
    administrator = _adapter(app, "italiangas").admin_identities()[0]
    numbers = administrator["account_numbers"]
    assert len(numbers) > 1
    client = client_for(app, host)
    linked_customer(client, smtp_server, administrator, "studio.rossi@example.it", method="admin_code")
    page = client.get("/consents/").get_data(as_text=True)
    assert f"All my customer accounts ({len(numbers)})" in page

    response = _post(client, "/consents/e-invoice", {"account": "all", "choice": "on"})
    assert response.status_code == 302
    events = _events(app, "italiangas")
    assert len(events) == len(numbers) and all(e.granted and e.status == "accepted" for e in events)
    for number in numbers:
        assert [s.data["enabled"] for s in _consent_requests(app, number, "italiangas")] == [True]
    page = client.get("/consents/").get_data(as_text=True)
    assert page.count("Electronic invoices: on") == len(numbers)
    # all at once again: nothing left to change
    _post(client, "/consents/e-invoice", {"account": "all", "choice": "on"})
    assert len(_events(app, "italiangas")) == len(numbers)


def test_e_invoice_in_the_ukrainian_portal(make_app, smtp_server):
    host = "doe.test"
    app = make_app(plugins=[plugins.doe_ua.plugin], TENANTS={"doe": {"plugin": "doe_ua", "hosts": [host]}})
    identity = _adapter(app, "doe").demo_identities()[0]
    client = client_for(app, host, "uk")
    linked_customer(client, smtp_server, identity, "olena@example.com")
    assert '<html lang="uk">' in client.get("/consents/").get_data(as_text=True)
    account = _account_id(app, identity["account_number"], "doe")
    assert _post(client, "/consents/e-invoice", {"account": str(account), "choice": "on"}).status_code == 302
    assert [(e.granted, e.status) for e in _events(app, "doe")] == [(True, "accepted")]
    assert [s.data["enabled"] for s in _consent_requests(app, identity["account_number"], "doe")] == [True]


def test_set_e_invoice_is_one_transaction_for_many_accounts(app, smtp_server, demo_identity):
    linked_customer(client_for(app), smtp_server, demo_identity[0], "admin@example.com")
    linked_customer(client_for(app), smtp_server, demo_identity[1], "someone@example.com")
    with app.test_request_context(base_url="https://innogy.test"):
        with tenant_context("innogy"):
            user = db.session.execute(select(User).where(User.email == "admin@example.com")).scalar_one()
            mine = [link.account for link in user.links]
            theirs = db.session.execute(
                select(BillingAccount).join(AccountLink).where(AccountLink.user_id != user.id)
            ).scalars().all()
            with pytest.raises(NotYourAccount):
                set_e_invoice(user, mine + theirs, True)
            assert db.session.execute(select(func.count()).select_from(ConsentEvent)).scalar_one() == 0
            events = set_e_invoice(user, mine, True)
            assert [e.account_id for e in events] == [a.id for a in mine]
            assert db.session.execute(select(func.count()).select_from(OutboxMessage).where(TO_SUPPLIER)).scalar_one() == len(mine)


# --- marketing ---------------------------------------------------------------------------

def test_marketing_consent_given_and_withdrawn_with_history(app, signed_in):
    client = signed_in
    assert "Consent to offers and news: not given" in client.get("/consents/").get_data(as_text=True)
    _post(client, "/consents/marketing", {"choice": "on"})
    assert "Consent to offers and news: given" in client.get("/consents/").get_data(as_text=True)
    _post(client, "/consents/marketing", {"choice": "off"})
    page = client.get("/consents/").get_data(as_text=True)
    assert "Consent to offers and news: not given" in page
    assert [(e.kind, e.granted, e.status) for e in _events(app)] == [("marketing", True, "recorded"), ("marketing", False, "recorded")]
    assert count_to_supplier(app) == 0  # the portal's own consent
    with app.app_context(), tenant_context("innogy"):
        kinds = db.session.execute(select(ActivityEvent.kind)).scalars().all()
    assert kinds.count("consent_changed") == 2
    assert _post(client, "/consents/marketing", {"choice": "maybe"}).status_code == 400


# --- pages -------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", LOCALES)
def test_consent_pages_in_every_language(app, smtp_server, demo_identity, locale):
    client = linked_customer(client_for(app, language=locale), smtp_server, demo_identity[0], f"lang-{locale}@example.com")
    for path in ("/consents/", "/consents/terms"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'<html lang="{locale}">' in response.get_data(as_text=True)
    app.config["TERMS_VERSION"] = "2099-01"
    page = client.get("/consents/terms").get_data(as_text=True)
    assert re.search(r'name="accept_terms"', page) and "2099-01" in page


def test_the_terms_can_be_read_before_accepting_them(make_app):
    demo = make_app(DEMO=True)
    client = client_for(demo)
    register = client.get("/register").get_data(as_text=True)
    assert 'href="/consents/terms/text"' in register  # from the registration form, signed out
    text = client.get("/consents/terms/text")
    assert text.status_code == 200 and "invented" in text.get_data(as_text=True)
    published = make_app(TERMS_URL="https://supplier.example/terms.pdf")
    answer = client_for(published).get("/consents/terms/text")
    assert answer.status_code == 302 and answer.location == "https://supplier.example/terms.pdf"
