"""The security findings of the production review (ASVS 5.0 L2), each through HTTP, and through
real processes where the deployment decides: Redis shared by two servers, a body too large for
the server, the demo behind a TLS proxy."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from urllib.parse import quote, urlsplit

import httpx
import pytest
import time_machine
from sqlalchemy import select

from core.framework.extensions import db
from core.framework.tenancy import tenant_context
from core.models import SupplyPointSelection
from tests.conftest import PASSWORD, SUPPORT, TEST_TENANTS, client_for, register_and_activate, sign_in
from tests.support.accounts import point_record, store_and_link
from tests.support.api import Api, api_customer, api_error, make_token
from tests.support.broker import redis_running
from tests.support.smtp import free_port

OWNER = "owner@example.com"
PAUSED = "Too many unsuccessful sign-ins with this e-mail address"
INCORRECT = "Incorrect e-mail address or password."
TOO_EASY = "This password is too common or too easy to guess."
HOME, COTTAGE = "590243100000000011", "590243100000000028"


def _address(n: int) -> dict:
    """A request from another client address (a documentation range: no traffic goes anywhere)."""
    return {"environ_overrides": {"REMOTE_ADDR": f"203.0.113.{n}"}}


def _attempt(client, email: str, password: str, n: int):
    return client.submit("/login", {"email": email, "password": password}, **_address(n))


def _signed_in(client) -> bool:
    return client.get("/accounts/").status_code == 200


def _main(response) -> str:
    """The page's content without what differs per visitor (the form's token and e-mail)."""
    main = response.get_data(as_text=True).split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r'value="[^"]*"', 'value=""', main)


def _path(link: str) -> str:
    return urlsplit(link).path


# --- per-account sign-in throttle ---------------------------------------------------


def test_guesses_from_many_addresses_pause_the_account_even_for_the_right_password(app, client, smtp_server):
    register_and_activate(client, smtp_server, OWNER)
    attacker = client_for(app)
    answers = [_attempt(attacker, OWNER, f"guess number {n}", n) for n in range(25)]
    assert [a.status_code for a in answers[:5]] == [400] * 5
    assert all(INCORRECT in a.get_data(as_text=True) for a in answers[:5])
    assert {a.status_code for a in answers[5:]} == {429}

    right = _attempt(attacker, OWNER, PASSWORD, 99)
    assert right.status_code == 429 and PAUSED in right.get_data(as_text=True)
    assert not _signed_in(attacker)
    # the owner hears of it once, with a way back in
    assert len(smtp_server.wait_for(OWNER, 2)) == 2
    time.sleep(0.2)
    assert len(smtp_server.wait_for(OWNER)) == 2

    # an address without a login gets the very same answers, and no mail goes anywhere
    stranger = "nobody@example.com"
    others = [_attempt(attacker, stranger, f"guess number {n}", 100 + n) for n in range(25)]
    assert [a.status_code for a in others] == [a.status_code for a in answers]
    assert [_main(a) for a in others] == [_main(a) for a in answers]
    unknown = _attempt(attacker, stranger, PASSWORD, 199)
    assert (unknown.status_code, _main(unknown)) == (right.status_code, _main(right))
    assert not [m for m in smtp_server.messages if stranger in str(m["To"])]


def test_the_emailed_link_lets_the_owner_in_from_a_new_browser(app, client, smtp_server):
    register_and_activate(client, smtp_server, OWNER)
    attacker = client_for(app)
    for n in range(6):
        _attempt(attacker, OWNER, f"guess number {n}", n)
    link = smtp_server.last_link(OWNER, 2)
    assert "/login/unlock/" in link

    owner = client_for(app)
    assert _attempt(owner, OWNER, PASSWORD, 50).status_code == 429
    page = owner.get(_path(link))
    assert page.status_code == 200 and "Let this browser sign in" in page.get_data(as_text=True)
    assert _attempt(owner, OWNER, PASSWORD, 51).status_code == 429  # opening the link alone is not enough
    unlocked = owner.submit(_path(link))
    assert unlocked.status_code == 302 and unlocked.location.endswith("/login")
    assert owner.submit(_path(link)).status_code == 400  # once only
    assert _attempt(owner, OWNER, PASSWORD, 52).status_code == 302
    assert _signed_in(owner)
    # the guesser's browser is still paused
    assert _attempt(attacker, OWNER, PASSWORD, 53).status_code == 429
    assert not _signed_in(attacker)


def test_a_browser_that_signed_in_before_is_never_locked_out_by_guessing_elsewhere(app, client, smtp_server):
    register_and_activate(client, smtp_server, OWNER)
    assert sign_in(client, OWNER).status_code == 302
    client.get("/accounts/")
    client.post("/logout", data={"csrf_token": client.last_csrf})
    assert not _signed_in(client)

    attacker = client_for(app)
    for n in range(25):
        _attempt(attacker, OWNER, f"guess number {n}", n)
    assert _attempt(attacker, OWNER, PASSWORD, 30).status_code == 429
    assert _attempt(client, OWNER, PASSWORD, 31).status_code == 302
    assert _signed_in(client)


def test_the_pause_ends_by_itself(app, client, smtp_server):
    register_and_activate(client, smtp_server, OWNER)
    attacker = client_for(app)
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=True) as clock:
        for n in range(5):
            assert _attempt(attacker, OWNER, f"guess number {n}", n).status_code == 400
        assert _attempt(attacker, OWNER, PASSWORD, 10).status_code == 429
        clock.shift(dt.timedelta(minutes=16))
        assert _attempt(attacker, OWNER, PASSWORD, 11).status_code == 302


# --- real processes: the count is shared through Redis --------------------------------------


class PortalProcess:
    """The portal served by its own process (``portal run``, or ``portal demo``), configured
    through ``PORTAL_*`` variables as a deployment is."""

    def __init__(self, env: dict[str, str], command: tuple[str, ...] = ("run",), host: str = "innogy.test") -> None:
        self.port = free_port()
        self.host = host
        base = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "FLASK_"))}
        options = ("--port", str(self.port)) if command[0] == "demo" else ("--port", str(self.port), "--no-reload")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from core.cli import main; main()", *command, *options],
            env={**base, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", headers={"Host": host, "Accept-Language": "en"}, timeout=10)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if self.http.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the portal process did not start")

    def stop(self) -> None:
        self.http.close()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def _deployment_env(database_url: str, smtp_server, tmp_path, **settings) -> dict[str, str]:
    env = {
        "PORTAL_SECRET_KEY": "process-test-secret", "PORTAL_SQLALCHEMY_DATABASE_URI": database_url,
        "PORTAL_TENANTS": json.dumps(TEST_TENANTS), "PORTAL_DEFAULT_TENANT": "null",
        "PORTAL_THEME_PATHS": json.dumps([str(SUPPORT / "themes")]), "PORTAL_INSTANCE_PATH": str(tmp_path),
        "PORTAL_MAIL_SERVER": "127.0.0.1", "PORTAL_MAIL_PORT": str(smtp_server.port),
        "PORTAL_MAIL_DEFAULT_SENDER": "portal@innogy.test",
    }
    env.update({f"PORTAL_{name}": value if isinstance(value, str) else json.dumps(value)
                for name, value in settings.items()})
    return env


def _process_sign_in(http: httpx.Client, email: str, password: str) -> httpx.Response:
    page = http.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return http.post("/login", data={"csrf_token": token, "email": email, "password": password})


@pytest.mark.slow
@pytest.mark.skipif(not redis_running(), reason="no Redis on 127.0.0.1:6379")
def test_failures_add_up_across_server_processes_through_redis(make_app, migrated, smtp_server, tmp_path):
    import redis

    storage = "redis://127.0.0.1:6379/5"
    email = f"shared-{secrets.token_hex(4)}@example.com"
    app = make_app()
    register_and_activate(client_for(app), smtp_server, email)
    # plain HTTP on the loopback: cookies without Secure, so the test's client sends them back
    env = _deployment_env(migrated, smtp_server, tmp_path, RATELIMIT_STORAGE_URI=storage,
                          SESSION_COOKIE_SECURE=False)
    first = PortalProcess(env)
    try:
        second = PortalProcess(env)
        try:
            statuses = [_process_sign_in(server.http, email, "a wrong guess here").status_code
                        for server in (first, second, first, second, first)]
            assert statuses == [400] * 5
            right = _process_sign_in(second.http, email, PASSWORD)
            assert right.status_code == 429 and PAUSED in right.text
            assert "/login/unlock/" in smtp_server.last_link(email, 2)
        finally:
            second.stop()
    finally:
        first.stop()
        keys = redis.Redis.from_url(storage)
        for key in keys.scan_iter("LIMITS:LIMITER/login-failures/*"):
            keys.delete(key)


# --- common passwords -------------------------------------------------------------------

WEAK = ["1234567890", "qwertyuiop", "password123", "aaaaaaaaaaaa", "Password1234", "innogy innogy"]


@pytest.mark.parametrize("weak", WEAK)
def test_registration_refuses_a_common_password(app, client, smtp_server, weak):
    email = "weak@example.com"
    response = client.submit("/register", {"email": email, "password": weak, "password_confirm": weak,
                                           "accept_terms": "1"})
    assert response.status_code == 400 and TOO_EASY in response.get_data(as_text=True)
    time.sleep(0.1)
    assert not [m for m in smtp_server.messages if email in str(m["To"])]  # nothing registered


@pytest.mark.parametrize("weak", WEAK)
def test_reset_and_change_refuse_a_common_password(app, client, smtp_server, weak):
    register_and_activate(client, smtp_server, OWNER)
    client.submit("/password/forgot", {"email": OWNER})
    reset = _path(smtp_server.last_link(OWNER, 2))
    response = client.submit(reset, {"password": weak, "password_confirm": weak})
    assert response.status_code == 400 and TOO_EASY in response.get_data(as_text=True)

    assert sign_in(client, OWNER).status_code == 302
    response = client.submit("/password/change", {"current_password": PASSWORD, "password": weak,
                                                  "password_confirm": weak})
    assert response.status_code == 400 and TOO_EASY in response.get_data(as_text=True)
    # the password is still the one chosen at registration
    other = client_for(app)
    assert sign_in(other, OWNER).status_code == 302


def test_a_password_made_of_the_e_mail_address_is_refused(client):
    email = "katarzyna.wisniewska@example.com"
    weak = "katarzyna wisniewska"
    response = client.submit("/register", {"email": email, "password": weak, "password_confirm": weak,
                                           "accept_terms": "1"})
    assert response.status_code == 400 and TOO_EASY in response.get_data(as_text=True)


# --- open redirects -----------------------------------------------------------------------

ELSEWHERE = ["/\t/evil.example", "/\\evil.example", "//evil.example", "/\\/evil.example", "https://evil.example/",
             "javascript:alert(1)", "/\r\nSet-Cookie: taken=1", "\t//evil.example", "evil.example"]


def _language(client, raw_next: str):
    """The language switcher posted as a browser sends it (``next`` already URL-encoded)."""
    client.get("/login")
    body = f"csrf_token={quote(client.last_csrf)}&locale=en&next={raw_next}"
    return client.post("/language", data=body, content_type="application/x-www-form-urlencoded")


def test_the_language_switcher_redirects_only_within_the_site(client):
    response = _language(client, "/%09/evil.example")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    response = _language(client, "/%0d%0aSet-Cookie:%20taken=1")  # was a 500
    assert response.status_code == 302 and response.headers["Location"] == "/"
    for target in ELSEWHERE:
        response = _language(client, quote(target, safe=""))
        assert response.status_code == 302 and response.headers["Location"] == "/", target
    kept = _language(client, quote("/help/?q=ceny prądu", safe="/?="))
    assert kept.headers["Location"] == "/help/?q=ceny%20pr%C4%85du"


@pytest.mark.parametrize("target", ELSEWHERE)
def test_sign_in_and_the_supply_point_switch_never_lead_elsewhere(app, client, smtp_server, target):
    register_and_activate(client, smtp_server, OWNER)
    ids = store_and_link(app, "innogy", OWNER, "1000001", [point_record(HOME), point_record(COTTAGE)])
    response = client.submit(f"/login?next={quote(target, safe='')}", {"email": OWNER, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    client.get("/")
    response = client.post("/accounts/supply-point", data={"csrf_token": client.last_csrf, "point": ids[COTTAGE],
                                                           "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


# --- request size -------------------------------------------------------------------------


def test_a_form_above_the_limit_is_refused_with_a_page(client, app):
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    client.get("/login")
    large = client.post("/login", data={"csrf_token": client.last_csrf, "email": "a" * (2 * 1024 * 1024),
                                        "password": "x"})
    assert large.status_code == 413 and large.mimetype == "text/html"
    assert "The request is too large" in large.get_data(as_text=True)
    # a long answer under the limit is read, and refused for what it says
    small = client.post("/login", data={"csrf_token": client.last_csrf, "email": "a" * 300_000, "password": "x"})
    assert small.status_code == 400 and "Use at most 254 characters." in small.get_data(as_text=True)


def test_json_above_the_limit_is_refused_in_the_apis_error_format(app, smtp_server):
    client, _identity = api_customer(app, smtp_server, "api@example.com")
    api = Api(app, make_token(client))
    body = {"type": "contact_update", "data": {"note": "x" * (2 * 1024 * 1024)}}
    api_error(api.post("/requests", json=body), 413, "payload_too_large")
    anonymous = client_for(app)
    api_error(anonymous.post("/api/v1/requests", json=body), 413, "payload_too_large")


@pytest.mark.slow
def test_a_server_process_answers_413_without_reading_a_100_mb_body(make_app, migrated, smtp_server, tmp_path):
    make_app()  # the schema and an empty database for the process
    server = PortalProcess(_deployment_env(migrated, smtp_server, tmp_path))
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
            connection.sendall(
                b"POST /login HTTP/1.1\r\nHost: innogy.test\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 104857600\r\n\r\n" + b"email=" + b"a" * 65536)
            answer = connection.recv(4096)  # while 100 MB are still announced
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert server.http.get("/healthz").status_code == 200
    finally:
        server.stop()


# --- the API's limit per address ---------------------------------------------------------


def test_made_up_tokens_count_against_the_address(app, smtp_server):
    client, _identity = api_customer(app, smtp_server, "api@example.com")
    api = Api(app, make_token(client))
    anonymous = client_for(app)
    statuses = [
        anonymous.get("/api/v1/me", headers={"Authorization": f"Bearer up_{secrets.token_urlsafe(32)}"}).status_code
        for _ in range(150)
    ]
    assert statuses[:120] == [401] * 120 and set(statuses[120:]) == {429}
    refused = anonymous.get("/api/v1/me", headers={"Authorization": f"Bearer up_{secrets.token_urlsafe(32)}"})
    api_error(refused, 429, "rate_limited")
    assert int(refused.headers["Retry-After"]) > 0
    # a real token from the same address keeps its own budget
    assert api.get("/me").status_code == 200


def test_retry_after_is_only_sent_with_a_refusal(app, smtp_server):
    client, _identity = api_customer(app, smtp_server, "api@example.com")
    api = Api(app, make_token(client))
    answer = api.get("/me")
    assert answer.status_code == 200 and "X-RateLimit-Limit" in answer.headers
    assert "Retry-After" not in answer.headers
    assert "Retry-After" not in api.get("/supply-points").headers
    page = client.get("/login")
    assert "Retry-After" not in page.headers


# --- ids and pages out of range --------------------------------------------------------------

HUGE = [2**31, 2**63, 10**30]


def test_every_id_in_an_address_is_bounded_to_the_database(app, smtp_server):
    client, _identity = api_customer(app, smtp_server, "ids@example.com")
    api = Api(app, make_token(client))
    rules = [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert {"/invoices/<int:invoice_id>", "/requests/<int:request_id>", "/payments/pay/invoice/<int:invoice_id>",
            "/api/v1/requests/<int:request_id>"} <= {rule.rule for rule in rules}
    for rule in rules:
        for number in HUGE:
            path = re.sub(r"<int:\w+>", str(number), rule.rule)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if path.startswith("/api/"):
                    response = api.client.open(path, method=method, headers=api._headers(None), json={})
                    api_error(response, 404, "not_found")
                    continue
                data = {"csrf_token": client.last_csrf} if method == "POST" else None
                response = client.open(path, method=method, data=data)
                assert response.status_code == 404, (method, path, response.status_code)
                assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["/invoices/", "/requests/", "/payments/", "/readings/", "/profile/activity"])
def test_a_page_number_out_of_range_is_not_found(app, smtp_server, page):
    client, _identity = api_customer(app, smtp_server, "pages@example.com")
    for number in HUGE:
        assert client.get(f"{page}?page={number}").status_code == 404, (page, number)
    assert client.get(f"{page}?page=nonsense").status_code == 200
    assert client.get(f"{page}?page=-3").status_code == 200


# --- GET never changes anything ----------------------------------------------------------------


def _stored_choices(app) -> list[tuple[int, int]]:
    with app.app_context(), tenant_context("innogy"):
        rows = db.session.execute(select(SupplyPointSelection.user_id, SupplyPointSelection.supply_point_id)).all()
        return [tuple(row) for row in rows]


def test_showing_another_supply_point_remembers_nothing(app, client, smtp_server):
    register_and_activate(client, smtp_server, OWNER)
    sign_in(client, OWNER)
    ids = store_and_link(app, "innogy", OWNER, "1000001", [point_record(HOME), point_record(COTTAGE, street="Leśna 5")])
    for path in ("/readings/", "/", "/consumption/", "/invoices/", "/notifications/"):
        client.get(f"{path}?point={ids[COTTAGE]}")
    shown = client.get(f"/readings/?point={ids[COTTAGE]}")
    assert shown.status_code == 200 and f'<option value="{ids[COTTAGE]}" selected' in shown.get_data(as_text=True)
    assert _stored_choices(app) == []
    assert f'<option value="{ids[HOME]}" selected' in client.get("/readings/").get_data(as_text=True)

    # the header's switch is a form: without its token nothing is stored, with it the choice is kept
    refused = client.post("/accounts/supply-point", data={"point": ids[COTTAGE], "next": "/readings/"})
    assert refused.status_code == 400 and _stored_choices(app) == []
    client.get("/readings/")
    switched = client.post("/accounts/supply-point", data={"csrf_token": client.last_csrf, "point": ids[COTTAGE],
                                                           "next": f"/readings/?point={ids[HOME]}&page=1"})
    assert switched.headers["Location"] == "/readings/?page=1"  # the new choice, not the page's old one
    assert [point for _user, point in _stored_choices(app)] == [ids[COTTAGE]]
    assert f'<option value="{ids[COTTAGE]}" selected' in client.get("/consumption/").get_data(as_text=True)


# --- Secure cookies behind a TLS proxy ------------------------------------------------------------


def _cookies(response) -> dict[str, str]:
    """Each cookie set by the answer, with its attributes as sent."""
    headers = response.headers
    values = headers.get_list("Set-Cookie") if isinstance(response, httpx.Response) else headers.getlist("Set-Cookie")
    return {header.split("=", 1)[0]: header for header in values}


@pytest.mark.parametrize("demo", [True, False], ids=["demo", "production"])
def test_cookies_are_secure_behind_an_https_proxy(make_app, demo):
    settings = {"DEMO": True, "SESSION_COOKIE_SECURE": False} if demo else {}
    app = make_app(PROXY_FIX_HOPS=1, **settings)
    client = client_for(app)
    proxied = client.get("/login", base_url="http://innogy.test", headers={"X-Forwarded-Proto": "https"})
    cookie = _cookies(proxied)[app.config["SESSION_COOKIE_NAME"]]
    assert "; Secure" in cookie and "HttpOnly" in cookie
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = client_for(app).get("/login", base_url="http://innogy.test")
    assert ("; Secure" in _cookies(plain)[app.config["SESSION_COOKIE_NAME"]]) is not demo  # the demo on a laptop


@pytest.mark.slow
def test_portal_demo_behind_a_tls_proxy_sets_secure_cookies(tmp_path):
    demo = PortalProcess({"PORTAL_INSTANCE_PATH": str(tmp_path), "PORTAL_PROXY_FIX_HOPS": "1"},
                         command=("demo",), host="innogy.localhost")
    try:
        proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
        page = demo.http.get("/login", headers=proxy)
        cookies = _cookies(page)
        assert cookies and all("; Secure" in cookie for cookie in cookies.values())
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        jar = SimpleCookie()
        for cookie in cookies.values():
            jar.load(cookie)
        signed_in = demo.http.post(
            "/login", data={"csrf_token": token, "email": "demo@innogy.example", "password": "demo-portal-2026"},
            headers={**proxy, "Referer": "https://innogy.localhost/login",
                     "Cookie": "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())})
        assert signed_in.status_code == 302, signed_in.text[:500]
        cookies = _cookies(signed_in)
        assert {"portal_session", "portal_device"} <= set(cookies)
        assert all("; Secure" in cookie for cookie in cookies.values())
        # the demo on plain http://localhost still works as it did
        assert "; Secure" not in _cookies(demo.http.get("/login"))["portal_session"]
    finally:
        demo.stop()

