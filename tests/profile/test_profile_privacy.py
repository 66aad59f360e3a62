"""Profile and privacy through HTTP: contact details, e-mail change, language, activity log,
download of one's data and deletion of the login."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from sqlalchemy import func, select

from core.billing.contract import BackendUnavailable
from core.framework import outbox
from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import AccountLink, BillingAccount, LoginSession, TermsAcceptance, User
from core.profile.models import ActivityEvent, ConsentEvent, ContactUpdate, CustomerProfile
from core.service_requests.models import ServiceRequest
from tests.conftest import PASSWORD, SECOND_HOST, client_for, linked_customer, register_and_activate, sign_in

LOCALES = ("en", "pl", "cs", "uk", "it")
ADDRESS = {"street": "ul. Marszałkowska 10/2", "postcode": "00-950", "city": "Warszawa", "country": "PL"}


def _adapter(app):
    return app.extensions["portal_tenants"]["innogy"].adapter


def _post(client, path, data, page="/profile/"):
    """Send a form of ``page`` (which gives the CSRF token)."""
    assert client.get(page).status_code == 200
    return client.post(path, data={"csrf_token": client.last_csrf, **data})


def _count(app, model, **where) -> int:
    with app.app_context(), tenant_context("innogy"):
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.execute(query).scalar_one()


def _user(app, email) -> User | None:
    with app.app_context(), tenant_context("innogy"):
        user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        db.session.expunge_all()
        return user


def _activity(app, email) -> list[str]:
    with app.app_context(), tenant_context("innogy"):
        return list(db.session.execute(
            select(ActivityEvent.kind).join(User, User.id == ActivityEvent.user_id)
            .where(User.email == email).order_by(ActivityEvent.id)
        ).scalars())


# --- contact details -----------------------------------------------------------------------

def test_contact_details_are_saved_normalized_and_sent_to_the_supplier(app, client, smtp_server, demo_identity):
    identity = demo_identity[0]
    linked_customer(client, smtp_server, identity, "kontakt@example.com")
    response = _post(client, "/profile/contact", {"phone": "0048 601-234-567", **ADDRESS})
    assert response.status_code == 302
    page = client.get("/profile/").get_data(as_text=True)
    assert 'value="601 234 567"' in page and "ul. Marszałkowska 10/2" in page  # as Poles write it
    assert "accepted by the supplier" in page
    with app.app_context(), tenant_context("innogy"):
        profile = db.session.execute(select(CustomerProfile)).scalar_one()
        assert (profile.phone, profile.postcode, profile.country) == ("+48601234567", "00-950", "PL")
    sent = [s for _, s in _adapter(app).submitted_requests(identity["account_number"]) if s.request_type == "contact_details"]
    assert sent[0].data == {"email": "kontakt@example.com", "phone": "+48601234567", **ADDRESS}
    assert _count(app, ContactUpdate, status="accepted") == 1
    # the same data again, typed the national way: nothing to tell the supplier
    _post(client, "/profile/contact", {"phone": "601 234 567", **ADDRESS})
    assert _count(app, ContactUpdate) == 1
    assert "profile_changed" in _activity(app, "kontakt@example.com")


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"phone": "601 234"}, "phone", "Enter a phone number, for example 512 345 678."),
    ({"phone": "+48 601 234 567 890 123 45"}, "phone", "Enter a phone number, for example 512 345 678."),
    ({"phone": "call me maybe"}, "phone", "Enter a phone number, for example 512 345 678."),
    ({**ADDRESS, "postcode": "00950"}, "postcode", "does not exist in the chosen country"),
    ({"street": "ul. Prosta 1", "country": "PL"}, "city", "whole address"),
    ({**ADDRESS, "country": ""}, "country", "whole address"),
    ({**ADDRESS, "country": "XX"}, "country", "Choose a country"),
])
def test_bad_contact_details_are_refused_clearly_and_change_nothing(app, signed_in, form, field, message):
    response = _post(signed_in, "/profile/contact", form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert _count(app, CustomerProfile) == 0 and _count(app, ContactUpdate) == 0


MARKETS = {  # tenant, host, language, a mobile number typed the national way, stored, shown back, the example
    "italiangas": ("italiangas_it", "italiangas.test", "it", "333 1234567", "+393331234567", "333 123 4567", "312 345 6789"),
    "cez": ("cez_cz", "cez.test", "cs", "603123456", "+420603123456", "603 123 456", "601 123 456"),
    "doe": ("doe_ua", "doe.test", "uk", "067 123 45 67", "+380671234567", "067 123 4567", "050 123 4567"),
}


@pytest.mark.parametrize("code", sorted(MARKETS))
def test_a_phone_number_is_typed_the_way_the_market_writes_it(make_app, smtp_server, code):
    plugin, host, language, typed, stored, shown, example = MARKETS[code]
    app = make_app(TENANTS={code: {"plugin": plugin, "hosts": [host]}}, DEFAULT_TENANT=code)
    client = client_for(app, host, language)
    register_and_activate(client, smtp_server, f"phone.{code}@example.com")
    assert sign_in(client, f"phone.{code}@example.com").status_code == 302
    page = client.get("/profile/").get_data(as_text=True)
    assert example in page and "+48" not in page  # a local example in the help text
    refused = _post(client, "/profile/contact", {"phone": "12 34"})
    assert refused.status_code == 400
    error = re.search(r'id="phone-error"[^>]*>(.*?)</', refused.get_data(as_text=True), re.S).group(1)
    assert example in error and "Enter a phone number" not in error  # one translated sentence
    assert not re.search(r"(\w ){6}", error)  # never printed letter by letter
    assert _post(client, "/profile/contact", {"phone": typed}).status_code == 302
    with app.app_context(), tenant_context(code):
        assert db.session.execute(select(CustomerProfile.phone)).scalar_one() == stored
    assert f'value="{shown}"' in client.get("/profile/").get_data(as_text=True)  # the national form


def test_contact_details_without_an_account_are_kept_by_the_portal(app, signed_in):
    # the browser sends the preselected country with an empty address
    assert _post(signed_in, "/profile/contact", {"phone": "+420 601 123 456", "country": "PL"}).status_code == 302
    assert _count(app, CustomerProfile) == 1 and _count(app, ContactUpdate) == 0
    with app.app_context(), tenant_context("innogy"):
        profile = db.session.execute(select(CustomerProfile)).scalar_one()
        assert (profile.phone, profile.street, profile.country) == ("+420601123456", None, None)


# --- e-mail address --------------------------------------------------------------------------

def _link_in(smtp_server, recipient, client, count=1) -> str:
    return smtp_server.last_link(recipient, count).split(client.host, 1)[1]


def test_email_change_is_confirmed_from_the_new_address(app, client, smtp_server, demo_identity):
    identity = demo_identity[0]
    linked_customer(client, smtp_server, identity, "stary@example.com")
    response = _post(client, "/profile/email", {"email": "Nowy@Example.com", "current_password": PASSWORD})
    assert response.status_code == 302
    assert "nowy@example.com" in client.get("/profile/").get_data(as_text=True)  # the notice
    assert _user(app, "stary@example.com") is not None  # nothing changes before the confirmation
    path = _link_in(smtp_server, "nowy@example.com", client)
    assert "Confirm your new e-mail address" in smtp_server.wait_for("nowy@example.com")[-1]["Subject"]

    other_browser = client_for(app)
    assert "nowy@example.com" in other_browser.get(path).get_data(as_text=True)
    assert other_browser.submit(path).status_code == 302
    assert _user(app, "stary@example.com") is None and _user(app, "nowy@example.com") is not None
    told = smtp_server.wait_for("stary@example.com", 2)[-1]  # after the activation mail
    assert "has been changed" in told["Subject"] and "nowy@example.com" in told.get_content()
    assert other_browser.submit(path).status_code == 400  # single use

    assert "nowy@example.com" in client.get("/profile/").get_data(as_text=True)
    assert sign_in(client_for(app), "stary@example.com").status_code == 400  # refused
    assert sign_in(client_for(app), "nowy@example.com").status_code == 302
    assert {"email_change_requested", "email_changed"} <= set(_activity(app, "nowy@example.com"))
    sent = [s for _, s in _adapter(app).submitted_requests(identity["account_number"]) if s.request_type == "contact_details"]
    assert sent[-1].data["email"] == "nowy@example.com"


def test_email_change_to_a_taken_address_gets_the_same_answer(app, client, smtp_server):
    register_and_activate(client_for(app), smtp_server, "zajety@example.com")
    register_and_activate(client, smtp_server, "ja@example.com")
    sign_in(client, "ja@example.com")
    taken = _post(client, "/profile/email", {"email": "zajety@example.com", "current_password": PASSWORD})
    free = _post(client, "/profile/email", {"email": "wolny@example.com", "current_password": PASSWORD})
    assert taken.status_code == free.status_code == 302
    mail = smtp_server.wait_for("zajety@example.com", 2)[-1]
    assert "already is a login with this address" in mail.get_content()
    assert "/profile/email/confirm/" not in mail.get_content()
    assert _user(app, "ja@example.com") is not None


def test_email_change_needs_the_password_and_a_new_address(app, signed_in, smtp_server):
    wrong = _post(signed_in, "/profile/email", {"email": "x@example.com", "current_password": "wrong password!"})
    assert wrong.status_code == 400 and "current password is not correct" in wrong.get_data(as_text=True)
    same = _post(signed_in, "/profile/email", {"email": "anna.nowak@example.com", "current_password": PASSWORD})
    assert same.status_code == 400 and "already your e-mail address" in same.get_data(as_text=True)
    bad = _post(signed_in, "/profile/email", {"email": "not-an-address", "current_password": PASSWORD})
    assert bad.status_code == 400 and "valid e-mail address" in bad.get_data(as_text=True)
    with pytest.raises(AssertionError):
        smtp_server.wait_for("x@example.com", timeout=0.3)


def test_forged_or_foreign_confirmation_links_are_refused(app, signed_in):
    assert signed_in.get("/profile/email/confirm/forged-token").status_code == 400


# --- language and password -------------------------------------------------------------------

def test_language_preference_is_saved_on_the_login(app, signed_in):
    assert _post(signed_in, "/profile/language", {"locale": "cs"}).status_code == 302
    assert _user(app, "anna.nowak@example.com").locale == "cs"
    fresh = client_for(app, language="en")
    sign_in(fresh, "anna.nowak@example.com")
    assert '<html lang="cs">' in fresh.get("/profile/").get_data(as_text=True)
    assert _post(signed_in, "/profile/language", {"locale": "xx"}).status_code == 400


def test_password_change_is_linked_from_the_profile_and_ends_other_sessions(app, client, smtp_server):
    register_and_activate(client, smtp_server, "haslo@example.com")
    sign_in(client, "haslo@example.com")
    other = client_for(app)
    sign_in(other, "haslo@example.com")
    assert 'href="/password/change"' in client.get("/profile/").get_data(as_text=True)
    new = "another long password"
    response = client.submit("/password/change", {"current_password": PASSWORD, "password": new, "password_confirm": new})
    assert response.status_code == 302
    assert other.get("/profile/").status_code == 302  # signed out
    assert client.get("/profile/").status_code == 200
    assert _count(app, LoginSession) == 1
    assert "Password changed" in client.get("/profile/activity").get_data(as_text=True)


# --- activity log -------------------------------------------------------------------------------

def test_activity_log_shows_sign_ins_and_failed_attempts_of_this_login_only(app, client, smtp_server):
    register_and_activate(client, smtp_server, "log@example.com")
    register_and_activate(client_for(app), smtp_server, "someone@example.com")
    assert sign_in(client_for(app), "log@example.com", "wrong password!").status_code == 400
    sign_in(client_for(app), "someone@example.com")
    sign_in(client, "log@example.com")
    page = client.get("/profile/activity").get_data(as_text=True)
    assert "Failed sign-in (wrong password)" in page and "Signed in" in page
    assert _activity(app, "log@example.com") == ["login_failed", "login"]
    assert _activity(app, "someone@example.com") == ["login"]
    assert page.count("<tr class=\"activity-") == 2


def test_activity_log_names_the_browser_and_system_in_the_customers_language(app, smtp_server):
    firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
    register_and_activate(client_for(app, language="pl"), smtp_server, "ua@example.com")
    for user_agent in (firefox, "no browser at all"):
        client = client_for(app, language="pl")
        client.environ_base["HTTP_USER_AGENT"] = user_agent
        sign_in(client, "ua@example.com")
    page = client.get("/profile/activity").get_data(as_text=True)
    assert "Firefox 128 w systemie Windows 10" in page and "Mozilla/5.0" not in page
    assert "no browser at all" not in page and "<td data-label=\"Przeglądarka\">—</td>" in page


def test_activity_log_is_paginated(app, signed_in):
    with app.app_context(), tenant_context("innogy"):
        user = db.session.execute(select(User)).scalar_one()
        db.session.add_all(ActivityEvent(user_id=user.id, kind="login") for _ in range(30))
        db.session.commit()
    first = signed_in.get("/profile/activity").get_data(as_text=True)
    assert first.count('<tr class="activity-') == 25 and "?page=2" in first
    second = signed_in.get("/profile/activity?page=2").get_data(as_text=True)
    assert second.count('<tr class="activity-') == 6 and 'href="/profile/activity">' in second  # 30 + the real sign-in


# --- export -----------------------------------------------------------------------------------

def _export(client):
    return _post(client, "/profile/privacy/export", {}, page="/profile/privacy")


def test_export_is_a_zip_of_json_with_this_customers_data_only(app, smtp_server, demo_identity):
    mine, theirs = demo_identity[0], demo_identity[1]
    client = linked_customer(client_for(app), smtp_server, mine, "eksport@example.com")
    linked_customer(client_for(app), smtp_server, theirs, "obcy@example.com")
    _post(client, "/profile/contact", {"phone": "+48 601 234 567", **ADDRESS})
    response = _export(client)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    archive = zipfile.ZipFile(io.BytesIO(body))
    files = {name: json.loads(archive.read(name)) for name in archive.namelist()}
    for name in ("user.json", "accounts.json", "supply_points.json", "invoices.json", "payments.json", "readings.json",
                 "requests.json", "consents.json", "activity.json", "sessions.json"):
        assert name in files, name
    assert files["user.json"]["email"] == "eksport@example.com"
    assert files["user.json"]["profile"]["phone"] == "+48601234567"
    assert [a["number"] for a in files["accounts.json"]] == [mine["account_number"]]
    assert files["invoices.json"] and files["supply_points.json"]
    assert files["consents.json"]["terms"][0]["version"] == "2026-01"
    assert {"login", "data_exported"} <= {a["kind"] for a in files["activity.json"]}
    assert files["sessions.json"] and "user_agent" in files["sessions.json"][0]
    text = body.decode("latin-1") + "".join(json.dumps(v) for v in files.values())
    assert "obcy@example.com" not in text and theirs["account_number"] not in text
    assert "password_hash" not in text and "token_hash" not in text and "$argon2" not in text


def test_export_is_rate_limited(app, signed_in):
    assert _export(signed_in).status_code == 200
    assert _export(signed_in).status_code == 200
    assert _export(signed_in).status_code == 429


# --- deletion -----------------------------------------------------------------------------------

def test_deletion_needs_the_password(app, signed_in):
    response = _post(signed_in, "/profile/privacy/delete", {"password": "wrong password!", "confirm": "1"},
                     page="/profile/privacy")
    assert response.status_code == 400 and "password is not correct" in response.get_data(as_text=True)
    unconfirmed = _post(signed_in, "/profile/privacy/delete", {"password": PASSWORD}, page="/profile/privacy")
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.get_data(as_text=True)
    assert _user(app, "anna.nowak@example.com") is not None


def test_deletion_erases_the_login_keeps_billing_data_and_allows_registering_again(app, client, smtp_server, demo_identity):
    identity = demo_identity[0]
    linked_customer(client, smtp_server, identity, "usun@example.com")
    _post(client, "/profile/contact", {"phone": "+48 601 234 567", **ADDRESS})
    _post(client, "/consents/marketing", {"choice": "on"}, page="/consents/")
    page = client.get("/requests/new/contact_update").get_data(as_text=True)
    account = re.search(r'name="account".*?<option value="(\d+)"', page, re.S).group(1)
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    client.submit("/requests/new/contact_update", {"account": account, "submission_key": key, "city": "Kraków",
                                                     "street": "ul. Długa 1", "postcode": "31147", "email": "a@example.com"})
    assert _count(app, ServiceRequest) == 1
    privacy = client.get("/profile/privacy").get_data(as_text=True)
    assert "keeps the billing records" in privacy

    response = _post(client, "/profile/privacy/delete", {"password": PASSWORD, "confirm": "1"}, page="/profile/privacy")
    assert response.status_code == 302 and response.location.endswith("/login")
    assert client.get("/profile/").status_code == 302  # signed out
    assert _user(app, "usun@example.com") is None
    for model in (AccountLink, LoginSession, TermsAcceptance, ConsentEvent, ContactUpdate, ActivityEvent, CustomerProfile):
        assert _count(app, model) == 0, model
    # what belongs to the billing account stays, without the login
    assert _count(app, BillingAccount) == 1 and _count(app, ServiceRequest, user_id=None) == 1

    linked_customer(client, smtp_server, identity, "usun@example.com")  # the address can start again
    assert identity["account_number"] in client.get("/accounts/").get_data(as_text=True)
    assert "Marszałkowska" not in client.get("/profile/").get_data(as_text=True)


def test_deletion_and_export_stay_within_the_brand(app, client, smtp_server):
    elsewhere = client_for(app, SECOND_HOST)
    register_and_activate(elsewhere, smtp_server, "dwie@example.com")
    sign_in(elsewhere, "dwie@example.com")
    register_and_activate(client, smtp_server, "dwie@example.com", password="another long password")
    sign_in(client, "dwie@example.com", "another long password")
    archive = zipfile.ZipFile(io.BytesIO(_export(client).get_data()))
    assert len(json.loads(archive.read("sessions.json"))) == 1
    assert [a["kind"] for a in json.loads(archive.read("activity.json"))] == ["login", "data_exported"]
    _post(client, "/profile/privacy/delete", {"password": "another long password", "confirm": "1"}, page="/profile/privacy")
    assert _user(app, "dwie@example.com") is None
    assert elsewhere.get("/profile/").status_code == 200  # the other brand's login is untouched
    with app.app_context(), tenant_context("second"):
        assert db.session.execute(select(func.count()).select_from(LoginSession)).scalar_one() == 1


def test_pending_changes_reach_the_supplier_after_deletion_then_go(app, client, smtp_server, demo_identity, monkeypatch):
    identity = demo_identity[0]
    linked_customer(client, smtp_server, identity, "pending@example.com")
    adapter = _adapter(app)

    def unavailable(request, key):
        raise BackendUnavailable("down")

    monkeypatch.setattr(adapter, "submit_request", unavailable)
    _post(client, "/profile/contact", {"phone": "+48 601 234 567"})
    _post(client, "/profile/privacy/delete", {"password": PASSWORD, "confirm": "1"}, page="/profile/privacy")
    assert _count(app, ContactUpdate, user_id=None) == 1
    monkeypatch.undo()
    with app.app_context(), tenant_context("innogy"):
        db.session.execute(db.update(outbox.OutboxMessage).values(next_attempt_at=db.func.now()))
        db.session.commit()
        assert outbox.relay(app.extensions["portal_tenants"]["innogy"]).delivered == 1
    assert _count(app, ContactUpdate) == 0
    sent = [s for _, s in adapter.submitted_requests(identity["account_number"]) if s.request_type == "contact_details"]
    assert sent[0].data["phone"] == "+48601234567"


# --- pages ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", LOCALES)
def test_profile_pages_in_every_language(app, smtp_server, locale):
    client = client_for(app, language=locale)
    register_and_activate(client, smtp_server, f"profil-{locale}@example.com")
    sign_in(client, f"profil-{locale}@example.com")
    for path in ("/profile/", "/profile/activity", "/profile/privacy"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'<html lang="{locale}">' in response.get_data(as_text=True)
    bad = _post(client, "/profile/contact", {"phone": "12"})
    assert bad.status_code == 400 and f'<html lang="{locale}">' in bad.get_data(as_text=True)


def test_profile_pages_need_a_login(app, client):
    for path in ("/profile/", "/profile/activity", "/profile/privacy", "/consents/"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize(("language", "before", "after"), [
    ("pl", "Bułgaria", "Burundi"), ("cs", "Česko", "Dánsko"), ("uk", "Австралія", "Італія"), ("it", "Austria", "Belgio"),
])
def test_the_country_list_holds_countries_in_the_languages_order(app, smtp_server, language, before, after):
    client = client_for(app, language=language)
    register_and_activate(client, smtp_server, f"countries.{language}@example.com")
    assert sign_in(client, f"countries.{language}@example.com").status_code == 302
    page = client.get("/profile/").get_data(as_text=True)
    select = page.split('id="country"', 1)[1].split("</select>", 1)[0]
    codes = re.findall(r'<option value="([A-Z]{2})"', select)
    assert {"XA", "XB", "ZZ", "EU", "EZ", "UN", "QO"}.isdisjoint(codes) and {"PL", "CZ", "UA", "IT"} <= set(codes)
    names = re.findall(r">([^<]+)</option>", select)
    assert names.index(before) < names.index(after)
