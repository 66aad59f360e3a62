"""Fixtures: a portal app per test on a migrated database, a real SMTP server, clients per host.

The suite runs on SQLite by default and on PostgreSQL when ``PORTAL_TEST_DATABASE_URL``
is set (for example ``postgresql+psycopg://postgres@127.0.0.1:5432/test``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from sqlalchemy import Engine, create_engine, make_url, text
from werkzeug.routing import Rule

from core import create_app
from core.framework.catalogs import all_domains, compile_catalogs
from core.framework.extensions import db, limiter
from tests.support.smtp import SMTPServer

pytest_plugins = [  # shared fixtures
    "tests.support.api",  # the API tests' customers: owner, neighbour
    "tests.support.browser",  # one Chromium per test process
]
SUPPORT = Path(__file__).parent / "support"
INNOGY_HOST = "innogy.test"
SECOND_HOST = "second.test"
PASSWORD = "correct horse battery"
# argon2id at its cheapest: hashing is most of a sign-in's time at production cost
# (the default parameters are tested in auth/test_auth.py)
CHEAP_PASSWORD_HASHING = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}

TEST_TENANTS = {
    "innogy": {"plugin": "innogy_pl", "hosts": [INNOGY_HOST]},
    "second": {"plugin": "innogy_pl", "hosts": [SECOND_HOST], "theme": "plain"},
}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The run's database, empty. Each pytest-xdist worker has its own: a SQLite file in its own
    temporary folder, or on PostgreSQL a database of its own beside the one named (``test_gw0``
    for ``test``), made afresh and dropped at the end."""
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not url:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "portal.sqlite3")
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        _empty_schema(url)
        yield url
        return
    with _postgresql_database(url, f"{make_url(url).database}_{worker}") as fresh:
        yield fresh


def _empty_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@contextlib.contextmanager
def _postgresql_database(url: str, name: str):
    """A new, empty PostgreSQL database ``name`` on the server of ``url``, dropped afterwards."""
    given = make_url(url)
    admin = create_engine(given, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield given.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def scratch_database_url(tmp_path):
    """An empty database of the kind the suite runs on (SQLite file or a new PostgreSQL database)."""
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path}/scratch.sqlite3"
        return
    with _postgresql_database(url, f"portal_cli_{os.getpid()}") as fresh:
        yield fresh


@pytest.fixture(scope="session")
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def compiled_catalogs() -> None:
    """The .mo files of the source tree, compiled where stale, one pytest-xdist worker at a time
    (the others wait, then find them current)."""
    with open(Path(tempfile.gettempdir()) / "utility-portal-tests-catalogs.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for domain in all_domains():
            compile_catalogs(domain, only_stale=True)


@pytest.fixture(scope="session")
def migrated(database_url, compiled_catalogs, smtp_server, tmp_path_factory):
    """Create the schema once per run through the Alembic migrations."""
    from flask_migrate import upgrade

    app = create_app(_test_config(database_url, smtp_server, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()
    return database_url


@pytest.fixture(scope="session")
def test_engine(migrated):
    """One engine for every app of the run on the test database (each test makes its own
    app): SQLAlchemy keeps compiled statements per engine, and compiling them anew for each
    test took a tenth of its time. Apps on other databases get their own engines."""
    target = make_url(migrated).render_as_string(hide_password=False)
    shared: dict[str, Engine] = {}
    make_engine = db._make_engine

    def engine_for(bind_key, options, app):
        if make_url(options["url"]).render_as_string(hide_password=False) != target:
            return make_engine(bind_key, options, app)
        key = repr(sorted(options.items()))  # the same database with other options: another engine
        if key not in shared:
            shared[key] = make_engine(bind_key, options, app)
        return shared[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(db, "_make_engine", engine_for)
        engine = create_engine(migrated)
        yield engine
    for each in [engine, *shared.values()]:
        each.dispose()


def _test_config(database_url, smtp_server, instance, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "TENANTS": TEST_TENANTS,
        "DEFAULT_TENANT": None,
        "THEME_PATHS": [str(SUPPORT / "themes")],
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "MAIL_DEFAULT_SENDER": "portal@innogy.test",
        "MAIL_SUPPRESS_SEND": False,  # a real SMTP server listens
        "RATELIMIT_STORAGE_URI": "memory://",
        "PASSWORD_HASH_PARAMETERS": CHEAP_PASSWORD_HASHING,
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session", autouse=True)
def compiled_url_builders():
    """URL builders compiled once per run, not once per app: werkzeug compiles two Python
    functions for every URL rule of every app (two thirds of ``create_app``), and the suite
    makes an app per test. A builder depends only on the rule's parts, its defaults and
    whether it appends unknown arguments; a rule whose defaults fill one of its own
    variables is compiled as usual."""
    compile_builder = Rule._compile_builder
    compiled: dict[tuple, object] = {}

    def cached(rule, append_unknown=True):
        defaults = rule.defaults or {}
        if any(is_dynamic and part in defaults for is_dynamic, part in rule._trace):
            return compile_builder(rule, append_unknown)
        key = (tuple(rule._trace), tuple(sorted(defaults)), append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", cached)
        yield


class CompiledTemplates(BytecodeCache):
    """Templates compiled once per run, not once per app: every test makes its own app, and
    compiling the templates it renders took a sixth of its time. A template is compiled
    again when its source changes (Jinja checks each one's checksum)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


class PortalClient(FlaskClient):
    """A browser on one host: keeps cookies, fills in the CSRF token of the last page."""

    host = INNOGY_HOST
    last_csrf: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")  # assertions read English

    last_url: str | None = None

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", f"https://{self.host}")
        if kwargs.get("method") == "POST" and self.last_url:
            # browsers send the page's address with a same-origin form (CSRF SSL check)
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("Referer", self.last_url)
            kwargs["headers"] = headers
        response = super().open(*args, **kwargs)
        if kwargs.get("method", "GET") == "GET" and args and isinstance(args[0], str):
            self.last_url = f"https://{self.host}{args[0]}"
        if response.mimetype == "text/html":
            match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
            if match:
                self.last_csrf = match.group(1)
        return response

    def submit(self, path: str, data: dict | None = None, **kwargs):
        """GET the page, then POST the form with its CSRF token, as a browser would."""
        page = self.get(path, headers=kwargs.get("headers"))
        assert page.status_code in (200, 400), (path, page.status_code)
        return self.post(path, data={"csrf_token": self.last_csrf, **(data or {})}, **kwargs)


@pytest.fixture
def make_app(migrated, test_engine, smtp_server, tmp_path):
    apps = []

    def factory(plugins=(), **overrides):
        app = create_app(_test_config(migrated, smtp_server, tmp_path, **overrides), plugins=plugins)
        app.test_client_class = PortalClient
        app.base_jinja_env.bytecode_cache = COMPILED_TEMPLATES  # each tenant's environment shares it
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    _empty_tables(test_engine)
    limiter.reset()
    smtp_server.clear()


def _empty_tables(engine: Engine) -> None:
    """Every test starts from empty tables (the schema stays: migrated once per run)."""
    with engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


def client_for(app, host: str = INNOGY_HOST, language: str | None = "en") -> PortalClient:
    client = app.test_client()
    client.host = host
    if language:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    else:
        client.environ_base.pop("HTTP_ACCEPT_LANGUAGE", None)
    return client


@pytest.fixture
def client(app) -> PortalClient:
    return client_for(app)


def register_and_activate(client: PortalClient, smtp_server, email: str, password: str = PASSWORD) -> None:
    response = client.submit(
        "/register",
        {"email": email, "password": password, "password_confirm": password, "accept_terms": "1"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    link = smtp_server.last_link(email)
    path = link.split(client.host, 1)[1]
    assert client.submit(path).status_code == 302


def sign_in(client: PortalClient, email: str, password: str = PASSWORD):
    return client.submit("/login", {"email": email, "password": password})


def link_account(client: PortalClient, identity: dict, method: str | None = None):
    """Link ``identity``'s account (a demo identity, or an administrator's) on the link form of
    ``client``'s tenant, through ``method`` or the tenant's first identity method; the link must succeed."""
    app = client.application
    tenant = app.extensions["portal_tenants"].for_host(client.host)
    with app.test_request_context(base_url=f"https://{client.host}"):
        chosen = tenant.identity_method(method) if method else tenant.identity_methods()[0]
        fields = {name: identity[name] for name in chosen.schema().fields if name in identity}
    response = client.submit(f"/accounts/link?method={chosen.code}", {"method": chosen.code, **fields})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def linked_customer(client: PortalClient, smtp_server, identity: dict, email: str, *, method: str | None = None,
                    password: str = PASSWORD) -> PortalClient:
    """``client`` registered as ``email``, activated, signed in and with ``identity``'s account
    linked, all through the web pages (see :func:`link_account`)."""
    register_and_activate(client, smtp_server, email, password)
    assert sign_in(client, email, password).status_code == 302
    link_account(client, identity, method)
    return client


@pytest.fixture
def demo_identity(app):
    with app.app_context():
        return app.extensions["portal_tenants"]["innogy"].adapter.demo_identities()


@pytest.fixture
def signed_in(client, smtp_server):
    """A registered, activated and signed-in customer with no account linked yet."""
    email = "anna.nowak@example.com"
    register_and_activate(client, smtp_server, email)
    assert sign_in(client, email).status_code == 302
    return client


@pytest.fixture
def linked(client, smtp_server, demo_identity):
    """A signed-in customer of innogy with the first demo identity's account linked."""
    return linked_customer(client, smtp_server, demo_identity[0], "anna.nowak@example.com")
