"""The whole stack as a utility runs it, in one test: gunicorn serving ``core:create_app()``,
``portal worker`` and ``portal beat`` on Redis, PostgreSQL, ``portal demo-backend`` over HTTP as
the tenant's billing system, and a real SMTP server, all started as docs/deploy.md says and set
by ``PORTAL_*`` variables.

A customer registers, activates, links an account, sends a reading and a request, switches
e-invoices on and pays an invoice, all through HTTP behind the guide's proxy; the back-end
applies each write once and the mails arrive. Then customers keep writing while the back-end,
the worker and beat are killed with -9 and started again: every accepted write reaches the
back-end exactly once, with its confirmation mail, and no answer is a 5xx.

Runs on the PostgreSQL server of ``PORTAL_TEST_DATABASE_URL`` (a database of its own) and on
Redis at 127.0.0.1:6379; skipped when either is missing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shlex
import subprocess
import threading
import time
import uuid
from collections import Counter
from decimal import Decimal
from urllib.parse import urlsplit

import httpx
import pytest
import redis
from sqlalchemy import create_engine, func, select

from core.billing.contract import PAYMENT_NOTIFICATION
from core.billing.http import HttpBillingAdapter
from core.consents.service import REQUEST_TYPE as E_INVOICE
from core.models import OPEN_INVOICE_STATUSES as OPEN
from core.models import MailMessage, MeterReading, OutboxMessage
from core.payments.models import PaymentIntent
from core.readings.service import field_name
from core.service_requests.models import ServiceRequest
from tests.conftest import PASSWORD
from tests.support.broker import forget_queue, redis_running
from tests.support.deploy_guide import GUIDE_ADDRESS, guide_commands
from tests.support.processes import BackendProcess, Service, installed, portal_env, wait_until
from tests.support.smtp import free_port

HOST = "moje.innogy.example"  # the tenant's host, as the guide configures it
BROKER, LIMITS = "redis://127.0.0.1:6379/10", "redis://127.0.0.1:6379/11"
CUSTOMERS, WRITES_EACH = 6, 24  # the customers writing while processes die, and their writes (half readings)
THINK_TIME = 1.0  # seconds between two writes of a customer: the faults fall among the writes
# when a process is killed and when it is started again, as a share of the writes accepted
FAULTS = [(0.15, "kill", "worker"), (0.30, "kill", "backend"), (0.40, "start", "worker"),
          (0.50, "kill", "beat"), (0.70, "start", "backend"), (0.85, "start", "beat")]
CONTACT = {"street": "ul. Marszałkowska 10/2", "postcode": "00950", "city": "Warszawa"}


def _postgres_missing() -> str | None:
    url = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return "the whole stack runs on PostgreSQL: set PORTAL_TEST_DATABASE_URL to a PostgreSQL database"
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any reason it cannot be reached
        return f"PostgreSQL of PORTAL_TEST_DATABASE_URL is not reachable: {exc.__class__.__name__}"
    return None


POSTGRES_MISSING = _postgres_missing()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not redis_running(), reason="no Redis on 127.0.0.1:6379 (broker and rate limits)"),
    pytest.mark.skipif(POSTGRES_MISSING is not None, reason=POSTGRES_MISSING or ""),
]


class Proxy(httpx.HTTPTransport):
    """The guide's TLS proxy in front of gunicorn: the browser speaks HTTPS to the tenant's
    host; the proxy forwards in plain HTTP with ``X-Forwarded-Proto`` and the client's address."""

    def __init__(self, port: int, client_address: str) -> None:
        super().__init__()
        self.port, self.client_address = port, client_address

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        forwarded = httpx.Request(
            request.method, request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port),
            headers={**request.headers, "X-Forwarded-Proto": request.url.scheme,
                     "X-Forwarded-For": self.client_address},
            stream=request.stream, extensions=request.extensions,
        )
        return super().handle_request(forwarded)


class Browser:
    """A customer's browser: its own address, cookies, and the CSRF token and address of the
    last page, sent with the next form."""

    def __init__(self, port: int, address: str) -> None:
        self.http = httpx.Client(base_url=f"https://{HOST}", transport=Proxy(port, address), timeout=60,
                                 headers={"Accept-Language": "en"})
        self.csrf: str | None = None
        self.page: str | None = None
        self.server_errors: list[str] = []

    def _answer(self, method: str, path: str, response: httpx.Response) -> httpx.Response:
        if response.status_code >= 500:
            self.server_errors.append(f"{method} {path}: {response.status_code}")
        if "text/html" in response.headers.get("content-type", ""):
            match = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
            self.csrf = match.group(1) if match else self.csrf
        return response

    def get(self, path: str) -> httpx.Response:
        response = self._answer("GET", path, self.http.get(path))
        self.page = f"https://{HOST}{path}"
        return response

    def post(self, path: str, data: dict) -> httpx.Response:
        headers = {"Referer": self.page} if self.page else {}
        return self._answer("POST", path, self.http.post(path, data={"csrf_token": self.csrf, **data},
                                                         headers=headers))

    def submit(self, path: str, data: dict | None = None) -> httpx.Response:
        """GET the form's page, then POST it with the page's CSRF token, as a browser does."""
        page = self.get(path)
        assert page.status_code == 200, (path, page.status_code)
        return self.post(path, data or {})

    def text(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.text


def _path(link: str) -> str:
    """The path (and query) of a link to the tenant's host (in a mail, or a redirect)."""
    parts = urlsplit(link)
    if not parts.netloc:
        return link
    assert parts.hostname == HOST, link
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _location(response: httpx.Response) -> str:
    return _path(response.headers["location"])


def _sign_up(browser: Browser, smtp_server, email: str, identity: dict) -> None:
    """Register, activate from the mail, sign in and link the account of ``identity``."""
    registered = browser.submit("/register", {"email": email, "password": PASSWORD, "password_confirm": PASSWORD,
                                              "accept_terms": "1"})
    assert registered.status_code == 302, registered.text
    [mail] = smtp_server.wait_for(email, timeout=60)
    activation = re.search(r"https://\S+", mail.get_content()).group(0)
    assert browser.submit(_path(activation)).status_code == 302
    assert browser.submit("/login", {"email": email, "password": PASSWORD}).status_code == 302
    linked = browser.submit("/accounts/link", {"method": "invoice", **{
        k: identity[k] for k in ("customer_number", "invoice_number", "gross_amount")}})
    assert linked.status_code == 302, linked.text


def _point_id(browser: Browser, identifier: str) -> int:
    page = browser.text("/accounts/")
    return int(re.search(rf'href="/accounts/points/(\d+)">{re.escape(identifier)}<', page).group(1))


def _send_reading(browser: Browser, point_id: int, values: dict[str, Decimal], read_on: dt.date) -> httpx.Response:
    path = f"/readings/new/{point_id}"
    page = browser.text(path)
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    return browser.post(path, {"submission_key": key, "read_on": read_on.isoformat(),
                               **{field_name(register): str(value) for register, value in values.items()}})


def _send_request(browser: Browser, email: str) -> httpx.Response:
    path = "/requests/new/contact_update"
    page = browser.text(path)
    account = re.search(r'name="account"[^>]*>\s*<option value="(\d+)"', page).group(1)
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    return browser.post(path, {"account": account, "submission_key": key, "email": email, **CONTACT})


class Meter:
    """A demo customer's meter that takes readings: its newest values and their date."""

    def __init__(self, adapter: HttpBillingAdapter, identity: dict) -> None:
        number = identity["account_number"]
        self.identity = identity
        self.point = next(p for p in adapter.supply_points(number) if "meter_readings" in p.capabilities)
        history = adapter.readings(number, self.point.identifier)
        self.newest: dict[str, Decimal] = {}
        for reading in history:
            self.newest.setdefault(reading.register, reading.value)
        self.last = max(r.read_at for r in history).date()
        self.open_invoice = next((i.number for i in adapter.invoices(number)
                                  if i.status in OPEN and i.gross.amount > i.paid.amount), None)

    def reading(self, day: int) -> tuple[dict[str, Decimal], dt.date]:
        """The values ``day`` days after the newest reading (a plausible 3 units a day)."""
        return {register: value + 3 * day for register, value in self.newest.items()}, self.last + dt.timedelta(days=day)


def _meters(adapter: HttpBillingAdapter, count: int, owing: bool = False, skip: frozenset = frozenset()) -> list[Meter]:
    """``count`` demo customers (not those in ``skip``) with a meter that takes readings."""
    meters = []
    for identity in adapter.demo_identities(method="invoice"):
        number = identity["account_number"]
        if number in skip or not any("meter_readings" in p.capabilities for p in adapter.supply_points(number)):
            continue
        meter = Meter(adapter, identity)
        if owing and meter.open_invoice is None:
            continue
        meters.append(meter)
        if len(meters) == count:
            return meters
    raise AssertionError(f"fewer than {count} demo customers fit")


def _guide_command(starts: str, port: int) -> list[str]:
    """A command of docs/deploy.md, run from this environment (gunicorn on ``port``)."""
    commands = [words for title in ("App servers", "Workers and beat") for words in guide_commands(title)]
    words = next(w for w in commands if shlex.join(w).startswith(starts))
    return [installed(words[0]), *(w.replace(GUIDE_ADDRESS, f"127.0.0.1:{port}") for w in words[1:])]


class Stack:
    """The deployment's processes, on one set of ``PORTAL_*`` settings."""

    def __init__(self, tmp_path, database_url: str, smtp_port: int) -> None:
        self.backend = BackendProcess(tmp_path / "backend", as_of=(dt.date.today() - dt.timedelta(days=60)).isoformat())
        self.port, self.queue = free_port(), f"portal-stack-{uuid.uuid4().hex[:12]}"
        self.limits_prefix = f"portal-stack-{uuid.uuid4().hex[:12]}"
        self.env = portal_env(SECRET_KEY=uuid.uuid4().hex * 2,
            SQLALCHEMY_DATABASE_URI=database_url,
            RATELIMIT_STORAGE_URI=LIMITS, RATELIMIT_KEY_PREFIX=self.limits_prefix,
            CELERY_BROKER_URL=BROKER, CELERY_QUEUE=self.queue,
            CACHE_TYPE="RedisCache", CACHE_REDIS_URL=LIMITS, CACHE_KEY_PREFIX=f"{self.limits_prefix}:",
            MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port), MAIL_USE_TLS="false",
            TENANTS=json.dumps({"innogy": {"plugin": "innogy_pl", "hosts": [HOST], "settings": {
                "backend_url": self.backend.url, "backend_timeout": 2, "demo_bank": True}}}),
            DEFAULT_TENANT="null",
            PROXY_FIX_HOPS="1",
            INSTANCE_PATH=str(tmp_path / "instance"),
            # short intervals, durations in seconds; no write is ever parked in this test
            RELAY_INTERVAL="1", OUTBOX_BACKOFF_BASE="1", OUTBOX_BACKOFF_CAP="2",
            OUTBOX_LEASE="10", OUTBOX_MAX_ATTEMPTS="10000",
        )
        logs = tmp_path / "logs"
        logs.mkdir()
        self.migrate = _guide_command("portal db upgrade", self.port)
        self.web = Service("gunicorn", _guide_command("gunicorn", self.port), logs / "gunicorn.log", self.env)
        self.worker = Service("portal worker", _guide_command("portal worker", self.port), logs / "worker.log", self.env)
        self.beat = Service("portal beat", _guide_command("portal beat", self.port), logs / "beat.log", self.env)
        self.services = {"backend": self.backend, "web": self.web, "worker": self.worker, "beat": self.beat}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        done = subprocess.run(self.migrate, env=self.env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        self.backend.start()
        for service in (self.web, self.worker, self.beat):
            service.start()
        wait_until(self._serves, "answer of gunicorn", self.services.values(), timeout=60)

    def _serves(self) -> bool:
        try:
            return httpx.get(f"{self.base}/healthz", headers={"Host": HOST}, timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()
        forget_queue(BROKER, self.queue)
        limits = redis.Redis.from_url(LIMITS)
        stale = [*limits.scan_iter(f"*/{self.limits_prefix}/*"), *limits.scan_iter(f"{self.limits_prefix}:*")]
        if stale:
            limits.delete(*stale)
        limits.close()

    def report(self, engine) -> str:
        """What a failure needs: the outbox's unfinished messages and the tails of the logs."""
        table = OutboxMessage.__table__
        try:
            states = _outbox(engine)
            with engine.connect() as conn:
                unfinished = conn.execute(select(table.c.id, table.c.kind, table.c.status, table.c.attempts,
                                                 table.c.next_attempt_at, table.c.last_error)
                                          .where(table.c.status != "delivered").order_by(table.c.id)).all()
        except Exception as exc:  # noqa: BLE001 - the report must not hide the failure
            states, unfinished = {}, [f"cannot read the outbox: {exc}"]
        lines = [f"=== outbox at {time.strftime('%H:%M:%S')}: {states}, not delivered:",
                 *map(str, unfinished[:40])]
        return "\n".join([*lines, *(service.tail(60) for service in self.services.values())])


def _outbox(engine) -> dict[str, int]:
    """The outbox's messages by state."""
    with engine.connect() as conn:
        return dict(conn.execute(select(OutboxMessage.__table__.c.status, func.count())
                                 .group_by(OutboxMessage.__table__.c.status)).all())


def _statuses(engine, table, *where) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(table.c.status).where(*where)).scalars())


def test_the_whole_stack_loses_and_duplicates_nothing(tmp_path, scratch_database_url, smtp_server,
                                                      compiled_catalogs):
    stack = Stack(tmp_path, scratch_database_url, smtp_server.port)
    engine = create_engine(scratch_database_url)
    try:
        stack.start()
        adapter = HttpBillingAdapter(stack.backend.url, "PLN")
        taken = {_one_customer_does_everything(stack, engine, adapter, smtp_server)}
        taken.add(_an_app_does_the_same_through_the_api(stack, engine, adapter, smtp_server, taken))
        _writes_survive_killed_processes(stack, engine, adapter, smtp_server, taken)
        _an_operator_announces_maintenance_and_every_page_shows_it(stack)
    except BaseException:
        print(stack.report(engine))  # shown by pytest with the failure
        raise
    finally:
        stack.stop()
        engine.dispose()


def _one_customer_does_everything(stack: Stack, engine, adapter: HttpBillingAdapter, smtp_server) -> str:
    """Every kind of write by one customer, through the web pages; their account number."""
    [meter] = _meters(adapter, 1, owing=True)
    email = f"anna-{uuid.uuid4().hex[:8]}@example.com"
    browser = Browser(stack.port, "203.0.113.10")
    _sign_up(browser, smtp_server, email, meter.identity)

    values, read_on = meter.reading(1)
    assert _send_reading(browser, _point_id(browser, meter.point.identifier), values, read_on).status_code == 302
    filed = _send_request(browser, email)
    assert filed.status_code == 302, filed.text
    request_page = _location(filed)

    consents = browser.text("/consents/")
    account = re.search(r'name="choice" value="on">\s*<input type="hidden" name="account" value="(\d+)"',
                        consents).group(1)
    assert browser.post("/consents/e-invoice", {"choice": "on", "account": account}).status_code == 302

    invoice_id = re.search(rf'href="/invoices/(\d+)">{re.escape(meter.open_invoice)}<', browser.text("/invoices/")).group(1)
    pay = f"/payments/pay/invoice/{invoice_id}"
    assert pay in browser.text(f"/invoices/{invoice_id}")
    amount = re.search(r'name="amount"[^>]*value="([^"]+)"', browser.text(pay)).group(1)
    bank = browser.post(pay, {"amount": amount})
    assert bank.status_code == 302 and "/payments/demo-bank/" in bank.headers["location"], bank.text
    paid = browser.submit(_location(bank), {"decision": "pay"})
    assert paid.status_code == 302
    assert "has been received" in browser.text(_location(paid))

    # the supplier takes each write once; the customer's pages say so
    wait_until(lambda: "pending" not in _outbox(engine), "empty outbox", stack.services.values(), timeout=60)
    journal = stack.backend.journal()
    kinds = Counter(entry["kind"] if entry["kind"] == "reading" else entry["payload"]["request_type"]
                    for entry in journal)
    assert kinds == {"reading": 1, "contact_update": 1, E_INVOICE: 1, PAYMENT_NOTIFICATION: 1}, journal
    assert {entry["payload"]["account_number"] for entry in journal} == {meter.identity["account_number"]}
    assert _outbox(engine) == {"delivered": 4 + 3}  # and three mails
    assert "status-request-accepted" in browser.text(request_page)
    assert "status-reading-accepted" in browser.text("/readings/")
    assert "status-request-accepted" in browser.text("/consents/")
    assert "accepted by the supplier" in browser.text("/payments/")
    subjects = [m["Subject"] for m in smtp_server.wait_for(email, 3, timeout=30)]
    assert len(subjects) == 3, subjects
    assert any("meter reading" in s for s in subjects) and any("request" in s for s in subjects), subjects
    assert browser.server_errors == []
    return meter.identity["account_number"]


def _an_app_does_the_same_through_the_api(stack: Stack, engine, adapter: HttpBillingAdapter, smtp_server,
                                          taken: set[str]) -> str:
    """Another customer's app writes through the JSON API on gunicorn: a reading and a request
    (each sent twice with its Idempotency-Key), contact data, e-invoices and a payment, which
    the customer confirms at the bank; the supplier takes each once. Their account number."""
    [meter] = _meters(adapter, 1, owing=True, skip=frozenset(taken))
    number, email = meter.identity["account_number"], f"app-{uuid.uuid4().hex[:8]}@example.com"
    browser = Browser(stack.port, "203.0.113.11")
    _sign_up(browser, smtp_server, email, meter.identity)
    made = browser.submit("/api-tokens/", {"name": "Home Assistant", "scope": "read-write"})
    assert made.status_code == 201, made.text
    token = re.search(r'value="(up_[A-Za-z0-9_-]+)"', made.text).group(1)
    api = httpx.Client(base_url=f"https://{HOST}/api/v1", transport=Proxy(stack.port, "203.0.113.11"), timeout=60,
                       headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})
    assert api.get("/me").json()["accounts"] == [number]

    values, read_on = meter.reading(1)
    reading = {"read_on": read_on.isoformat(), "values": {register: str(v) for register, v in values.items()}}
    request = {"type": "contact_update", "account": number, "data": {"email": email, **CONTACT}}
    for path, body, key in ((f"/supply-points/{meter.point.identifier}/readings", reading, "reading-1"),
                            ("/requests", request, "request-1")):
        first, again = (api.post(path, json=body, headers={"Idempotency-Key": key}) for _ in range(2))
        assert first.status_code == again.status_code == 202, first.text
        assert again.headers["Idempotent-Replayed"] == "true"
    filed = first.json()["id"]
    assert api.put("/profile/contact", json={"phone": "+48 601 234 567"}).status_code == 200
    assert api.put("/consents/e-invoice", json={"enabled": True}).status_code == 200
    owed = api.get(f"/invoices/{meter.open_invoice}").json()["outstanding"]["amount"]
    started = api.post("/payments", json={"account": number, "invoice": meter.open_invoice, "amount": owed})
    assert started.status_code == 201, started.text
    attempt = started.json()
    assert browser.submit(_path(attempt["pay_at"]), {"decision": "pay"}).status_code == 302

    wait_until(lambda: "pending" not in _outbox(engine), "empty outbox", stack.services.values(), timeout=60)
    kinds = Counter(entry["kind"] if entry["kind"] == "reading" else entry["payload"]["request_type"]
                    for entry in stack.backend.journal() if entry["payload"]["account_number"] == number)
    assert kinds == {"reading": 1, "contact_update": 1, "contact_details": 1, E_INVOICE: 1,
                     PAYMENT_NOTIFICATION: 1}, kinds
    assert api.get(f"/requests/{filed}").json()["status"] == "accepted"
    assert api.get(f"/supply-points/{meter.point.identifier}/readings").json()["items"][0]["status"] == "accepted"
    assert api.get("/profile").json()["updates"][0]["status"] == "accepted"
    assert api.get("/consents").json()["e_invoice"][0]["latest"]["status"] == "accepted"
    assert api.get(f"/payments/attempts/{attempt['reference']}").json()["status"] == "accepted"
    assert browser.server_errors == []
    return number


def _writes_survive_killed_processes(stack: Stack, engine, adapter: HttpBillingAdapter, smtp_server,
                                     taken: set[str]) -> None:
    """Customers keep writing while the back-end, the worker and beat are killed and restarted."""
    before = len(stack.backend.journal())
    meters = _meters(adapter, CUSTOMERS, skip=frozenset(taken))
    emails = [f"c{n}-{uuid.uuid4().hex[:8]}@example.com" for n in range(CUSTOMERS)]
    browsers = [Browser(stack.port, f"198.51.100.{n + 20}") for n in range(CUSTOMERS)]
    for browser, email, meter in zip(browsers, emails, meters, strict=True):
        _sign_up(browser, smtp_server, email, meter.identity)  # before the faults: their activation mails come first

    total = CUSTOMERS * WRITES_EACH
    accepted: list[tuple[str, str]] = []  # (customer's e-mail, what identifies the write at the back-end)
    failures: list[str] = []
    finished = []
    progress = threading.Condition()

    def customer(n: int) -> None:
        browser, email, meter = browsers[n], emails[n], meters[n]
        try:
            point_id = _point_id(browser, meter.point.identifier)
            for i in range(WRITES_EACH):
                if i % 2:
                    values, read_on = meter.reading(i // 2 + 1)
                    response = _send_reading(browser, point_id, values, read_on)
                    marker = f"reading {meter.identity['account_number']} {read_on}"
                else:
                    marker = f"c{n}.r{i}@example.com"
                    response = _send_request(browser, marker)
                with progress:
                    if response.status_code == 302:
                        accepted.append((email, marker))
                    else:
                        failures.append(f"{email} {marker}: {response.status_code}")
                    progress.notify_all()
                time.sleep(THINK_TIME)
        except Exception as exc:  # noqa: BLE001 - a thread's failure must fail the test, not vanish
            failures.append(f"{email}: {exc!r}")
        finally:
            with progress:
                finished.append(n)
                progress.notify_all()

    def faults() -> None:
        try:
            for share, action, name in FAULTS:
                with progress:
                    progress.wait_for(lambda: len(accepted) + len(failures) >= share * total
                                      or len(finished) == CUSTOMERS)
                getattr(stack.services[name], action)()
        except Exception as exc:  # noqa: BLE001
            failures.append(f"faults: {exc!r}")

    threads = [threading.Thread(target=customer, args=(n,)) for n in range(CUSTOMERS)]
    threads.append(threading.Thread(target=faults))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and len(accepted) == total
    assert all(service.running for service in stack.services.values())

    wait_until(lambda: "pending" not in _outbox(engine), "empty outbox after the faults",
               stack.services.values(), timeout=120)
    journal = stack.backend.journal()
    applied = Counter(
        f"reading {entry['payload']['account_number']} {entry['payload']['read_at'][:10]}" if entry["kind"] == "reading"
        else entry["payload"]["data"].get("email") for entry in journal
    )
    wanted = Counter(marker for _, marker in accepted)
    assert {m: n for m, n in applied.items() if m in wanted} == wanted, "each accepted write applied exactly once"
    assert len(journal) == before + total and len({entry["key"] for entry in journal}) == len(journal)
    assert set(_outbox(engine)) == {"delivered"}, "nothing rejected or parked"
    readings = MeterReading.__table__
    assert _statuses(engine, readings, readings.c.submission_key.is_not(None)) == {"accepted"}
    assert _statuses(engine, ServiceRequest.__table__) == {"accepted"}
    assert _statuses(engine, PaymentIntent.__table__) == {"accepted"}
    for meter in meters:  # and each meter's readings reached the back-end in the order they were taken
        dates = [entry["payload"]["read_at"] for entry in journal if entry["kind"] == "reading"
                 and entry["payload"]["account_number"] == meter.identity["account_number"]]
        assert len(dates) == WRITES_EACH // 2 and dates == sorted(dates)

    for email in emails:  # the activation, then a confirmation per write
        expected = 1 + sum(1 for who, _ in accepted if who == email)
        smtp_server.wait_for(email, expected, timeout=60)
    received = Counter(str(m["To"]) for m in smtp_server.messages if str(m["To"]) in emails)
    surplus = sum(received[email] - 1 - sum(1 for who, _ in accepted if who == email) for email in emails)
    # SMTP knows no idempotency key: a worker killed between the server's "250" and recording it
    # sends that mail again (at most one per worker process)
    assert surplus <= 2, received
    assert [error for browser in browsers for error in browser.server_errors] == []
    with engine.connect() as conn:
        kept = conn.execute(select(func.count()).select_from(MailMessage.__table__)).scalar_one()
    assert kept == 0, "sent mail is not kept"


def _an_operator_announces_maintenance_and_every_page_shows_it(stack: Stack) -> None:
    """Pages cache the tenant's maintenance windows (in Redis here); a window an operator adds
    with the CLI, another process, shows on the next page of every server, not a minute later."""
    browser = Browser(stack.port, "203.0.113.12")
    assert "maintenance-banner" not in browser.text("/login")  # the empty list is cached now
    starts = dt.datetime.now() + dt.timedelta(days=1)
    added = subprocess.run(
        [installed("portal"), "maintenance", "add", "--tenant", "innogy",
         "--from", f"{starts:%Y-%m-%d %H:00}", "--to", f"{starts + dt.timedelta(hours=2):%Y-%m-%d %H:00}"],
        env=stack.env, capture_output=True, text=True, timeout=120)
    assert added.returncode == 0, added.stdout + added.stderr
    for _worker in range(4):  # gunicorn's workers each answer some of these
        assert "maintenance-banner" in browser.text("/login")
