"""Registration, activation, sign-in, password reset and change, through HTTP and SMTP, and
their rate limits."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from argon2 import PasswordHasher, extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy import select

from core.config import ConfigurationError
from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import LoginSession, TermsAcceptance, User
from tests.conftest import CHEAP_PASSWORD_HASHING, PASSWORD, client_for, register_and_activate, sign_in


def _user(app, email, tenant="innogy"):
    with app.app_context(), tenant_context(tenant):
        return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


def test_registration_stores_terms_and_sends_activation_over_smtp(app, client, smtp_server):
    response = client.submit(
        "/register",
        {"email": "Jan.Kowalski@Example.com", "password": PASSWORD, "password_confirm": PASSWORD, "accept_terms": "1"},
    )
    assert response.status_code == 302 and response.location.endswith("/register/check-inbox")
    message = smtp_server.wait_for("jan.kowalski@example.com")[0]
    assert message["From"] == "portal@innogy.test"
    assert "https://innogy.test/activate/" in message.get_content()
    user = _user(app, "jan.kowalski@example.com")
    assert user.activated_at is None
    assert user.terms_version == app.config["TERMS_VERSION"]
    assert user.terms_accepted_at.tzinfo is not None
    assert user.password_hash.startswith("$argon2id$")
    with app.app_context(), tenant_context("innogy"):
        history = db.session.execute(select(TermsAcceptance)).scalars().all()
    assert [(h.user_id, h.version) for h in history] == [(user.id, app.config["TERMS_VERSION"])]


def test_registration_rejects_bad_input_and_changes_nothing(app, client, smtp_server):
    cases = [
        ({"email": "not-an-email", "password": PASSWORD, "password_confirm": PASSWORD, "accept_terms": "1"}, "valid e-mail"),
        ({"email": "a@example.com", "password": "short", "password_confirm": "short", "accept_terms": "1"}, "at least 10"),
        ({"email": "a@example.com", "password": PASSWORD, "password_confirm": PASSWORD + "x", "accept_terms": "1"}, "do not match"),
        ({"email": "a@example.com", "password": PASSWORD, "password_confirm": PASSWORD}, "accept the terms"),
    ]
    for data, expected in cases:
        response = client.submit("/register", data)
        assert response.status_code == 400
        assert expected in response.get_data(as_text=True)
    everything_wrong = client.submit("/register", {"email": "not-an-email", "password": "short", "password_confirm": "x"})
    page = everything_wrong.get_data(as_text=True)  # every mistake at once, not one per try
    assert all(text in page for text in ("valid e-mail", "at least 10", "do not match", "accept the terms"))
    assert _user(app, "a@example.com") is None
    assert smtp_server.messages == []


def test_registration_answer_is_the_same_for_known_and_unknown_addresses(app, client, smtp_server):
    register_and_activate(client, smtp_server, "known@example.com")
    other = app.test_client()
    answers = []
    for email in ("known@example.com", "unknown@example.com"):
        response = other.submit(
            "/register", {"email": email, "password": PASSWORD, "password_confirm": PASSWORD, "accept_terms": "1"}
        )
        answers.append((response.status_code, response.location))
    assert answers[0] == answers[1]
    # the owner of the known address learns about the attempt; nobody else does
    assert "already exists" in smtp_server.wait_for("known@example.com", 2)[-1].get_content()


def test_activation_link_is_single_use_and_signed(app, client, smtp_server):
    client.submit("/register", {"email": "once@example.com", "password": PASSWORD, "password_confirm": PASSWORD, "accept_terms": "1"})
    path = smtp_server.last_link("once@example.com").split("innogy.test", 1)[1]
    assert client.get(path).status_code == 200  # GET only shows the button
    assert _user(app, "once@example.com").activated_at is None
    assert client.submit(path).status_code == 302
    assert _user(app, "once@example.com").activated_at is not None
    assert client.post(path, data={"csrf_token": client.last_csrf}).status_code == 400
    assert client.get(path[:-3] + "abc").status_code == 400


def test_activation_link_expires(make_app, smtp_server):
    app = make_app(ACTIVATION_MAX_AGE=dt.timedelta(seconds=-1))
    client = app.test_client()
    client.submit("/register", {"email": "late@example.com", "password": PASSWORD, "password_confirm": PASSWORD, "accept_terms": "1"})
    path = smtp_server.last_link("late@example.com").split("innogy.test", 1)[1]
    assert client.get(path).status_code == 400


def test_login_requires_activation_and_answers_alike_for_unknown_users(app, client, smtp_server):
    client.submit("/register", {"email": "new@example.com", "password": PASSWORD, "password_confirm": PASSWORD, "accept_terms": "1"})
    wrong = sign_in(client, "new@example.com", "wrong password!")
    unknown = sign_in(client, "nobody@example.com", "wrong password!")
    assert wrong.status_code == unknown.status_code == 400
    assert "Incorrect e-mail address or password." in wrong.get_data(as_text=True)
    def normalised(response, email):
        body = response.get_data(as_text=True).replace(email, "EMAIL")
        return re.sub(r'name="csrf_token" value="[^"]+"', "", body)

    assert normalised(wrong, "new@example.com") == normalised(unknown, "nobody@example.com")
    inactive = sign_in(client, "new@example.com")
    assert "not active yet" in inactive.get_data(as_text=True)


def test_login_logout_and_replayed_cookie(app, client, smtp_server):
    register_and_activate(client, smtp_server, "eva@example.com")
    response = sign_in(client, "eva@example.com")
    assert response.status_code == 302 and response.location.endswith("/accounts/link")
    cookie = client.get_cookie("portal_session", domain="innogy.test")
    assert cookie.secure and cookie.http_only and cookie.same_site == "Lax"
    assert client.get("/accounts/").status_code == 200
    client.post("/logout", data={"csrf_token": client.last_csrf})
    # a copy of the cookie taken before logout no longer opens the portal
    replay = app.test_client()
    replay.set_cookie("portal_session", cookie.value, domain="innogy.test")
    assert replay.get("/accounts/").status_code == 302


def test_rehash_on_login_when_parameters_change(app, client, smtp_server):
    register_and_activate(client, smtp_server, "old@example.com")
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with app.app_context(), tenant_context("innogy"):
        user = db.session.execute(select(User).where(User.email == "old@example.com")).scalar_one()
        user.password_hash = weak
        db.session.commit()
    assert sign_in(client, "old@example.com").status_code == 302
    assert _user(app, "old@example.com").password_hash != weak
    assert "$argon2id$" in _user(app, "old@example.com").password_hash
    rehashed = extract_parameters(_user(app, "old@example.com").password_hash)
    assert (rehashed.time_cost, rehashed.memory_cost, rehashed.parallelism) == (1, 8, 1)  # this suite's


def test_production_hashes_with_argon2_defaults_and_rehashes_cheaper_hashes(make_app, smtp_server):
    app = make_app(PASSWORD_HASH_PARAMETERS={})  # the default setting
    client = client_for(app)
    register_and_activate(client, smtp_server, "prod@example.com")
    registered = extract_parameters(_user(app, "prod@example.com").password_hash)
    assert registered == RFC_9106_LOW_MEMORY == extract_parameters(PasswordHasher().hash("x"))
    cheap = PasswordHasher(**CHEAP_PASSWORD_HASHING).hash(PASSWORD)  # as made in a cheaper setup
    with app.app_context(), tenant_context("innogy"):
        db.session.execute(select(User).where(User.email == "prod@example.com")).scalar_one().password_hash = cheap
        db.session.commit()
    assert sign_in(client_for(app), "prod@example.com", PASSWORD + "!").status_code == 400
    assert _user(app, "prod@example.com").password_hash == cheap  # a wrong password rehashes nothing
    assert sign_in(client, "prod@example.com").status_code == 302
    assert extract_parameters(_user(app, "prod@example.com").password_hash) == RFC_9106_LOW_MEMORY


def test_unknown_hash_parameters_are_refused_at_start(make_app):
    with pytest.raises(ConfigurationError, match="PASSWORD_HASH_PARAMETERS: unknown type"):
        make_app(PASSWORD_HASH_PARAMETERS={"type": "argon2i"})


def test_password_reset_flow_is_single_use_and_ends_sessions(app, client, smtp_server):
    register_and_activate(client, smtp_server, "reset@example.com")
    sign_in(client, "reset@example.com")
    other = app.test_client()
    assert other.submit("/password/forgot", {"email": "reset@example.com"}).status_code == 200
    unknown = other.submit("/password/forgot", {"email": "ghost@example.com"})
    assert unknown.status_code == 200
    link = smtp_server.last_link("reset@example.com", count=2)
    path = link.split("innogy.test", 1)[1]
    new_password = "a brand new passphrase"
    assert other.submit(path, {"password": new_password, "password_confirm": new_password}).status_code == 302
    assert other.post(path, data={"csrf_token": other.last_csrf, "password": new_password, "password_confirm": new_password}).status_code == 400
    # the browser signed in before the reset is signed out
    assert client.get("/accounts/").status_code == 302
    assert sign_in(other, "reset@example.com", PASSWORD).status_code == 400
    assert sign_in(other, "reset@example.com", new_password).status_code == 302
    assert not [m for m in smtp_server.messages if "ghost@example.com" in str(m["To"])]


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, smtp_server):
    register_and_activate(client, smtp_server, "change@example.com")
    sign_in(client, "change@example.com")
    laptop = app.test_client()
    sign_in(laptop, "change@example.com")
    new_password = "another long passphrase"
    wrong = client.submit("/password/change", {"current_password": "nope nope nope", "password": new_password, "password_confirm": new_password})
    assert wrong.status_code == 400
    done = client.submit("/password/change", {"current_password": PASSWORD, "password": new_password, "password_confirm": new_password})
    assert done.status_code == 302
    assert client.get("/accounts/").status_code == 200
    assert laptop.get("/accounts/").status_code == 302
    with app.app_context(), tenant_context("innogy"):
        assert db.session.execute(select(LoginSession)).scalars().all().__len__() == 1


def test_login_is_rate_limited(make_app):
    app = make_app(RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    codes = [sign_in(client, "x@example.com", "wrong password!").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]


def test_registration_and_reset_are_rate_limited(make_app):
    app = make_app(RATELIMIT_REGISTER="2 per minute", RATELIMIT_RESET="2 per minute")
    client = client_for(app)
    data = {"email": "x@example.com", "password": "short", "password_confirm": "short", "accept_terms": "1"}
    assert [client.submit("/register", data).status_code for _ in range(3)] == [400, 400, 429]
    assert [client.submit("/password/forgot", {"email": "a@example.com"}).status_code for _ in range(3)] == [200, 200, 429]
