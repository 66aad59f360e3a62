"""The app factory's settings and the ``portal`` command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from core import create_app
from core.app import ConfigurationError

PORTAL = [sys.executable, "-c", "from core.cli import main; main()"]


def test_default_secret_key_is_refused_outside_debug_and_demo(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigurationError, match="PORTAL_SECRET_KEY"):
        create_app()
    assert create_app({"DEMO": True}).config["MAIL_CAPTURE"] is True


def test_settings_layer_defaults_file_environment(monkeypatch, tmp_path):
    (tmp_path / "portal.cfg").write_text("MAIL_PORT = 2525\nMAIL_SERVER = 'from-file'\nSECRET_KEY = 'file-key'\n")
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PORTAL_MAIL_SERVER", "smtp.from-env.test")
    app = create_app()
    assert app.config["MAIL_PORT"] == 2525  # file over default
    assert app.config["MAIL_SERVER"] == "smtp.from-env.test"  # environment over file
    assert app.config["SECRET_KEY"] == "file-key"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/portal.sqlite3"
    monkeypatch.setenv("PORTAL_SECRET_KEY", "env-key")
    monkeypatch.setenv("PORTAL_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    app = create_app()
    assert app.config["SECRET_KEY"] == "env-key"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_a_config_file_named_by_portal_config_must_exist(monkeypatch, tmp_path):
    (tmp_path / "site.cfg").write_text("MAIL_PORT = 2600\nSECRET_KEY = 'file-key'\n")
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PORTAL_CONFIG", "site.cfg")  # relative to the instance folder
    assert create_app().config["MAIL_PORT"] == 2600
    monkeypatch.setenv("PORTAL_CONFIG", str(tmp_path / "missing.cfg"))
    with pytest.raises(FileNotFoundError, match="missing.cfg"):
        create_app()


def test_environment_sets_durations_in_seconds_and_job_schedules_as_json(monkeypatch, tmp_path):
    import datetime as dt

    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "env-key")
    monkeypatch.setenv("PORTAL_RELAY_INTERVAL", "5")
    monkeypatch.setenv("PORTAL_OUTBOX_BACKOFF_BASE", "0.5")
    monkeypatch.setenv("PORTAL_JOB_SCHEDULE", '{"reading-reminders": {"at_hour": 7}}')
    app = create_app()
    assert app.config["RELAY_INTERVAL"] == dt.timedelta(seconds=5)
    assert app.config["OUTBOX_BACKOFF_BASE"] == dt.timedelta(milliseconds=500)
    assert app.config["SYNC_INTERVAL"] == dt.timedelta(minutes=15)  # the default stays
    celery = app.extensions["celery"]
    assert celery.conf.beat_schedule["relay-outbox"]["schedule"] == dt.timedelta(seconds=5)
    assert celery.conf.beat_schedule["innogy:reading-reminders"]["schedule"].hour == {7}
    assert celery.conf.beat_schedule_filename == str(tmp_path / "celerybeat-schedule")
    monkeypatch.setenv("PORTAL_BEAT_SCHEDULE_FILE", str(tmp_path / "beat" / "schedule"))
    assert create_app().extensions["celery"].conf.beat_schedule_filename == str(tmp_path / "beat" / "schedule")


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "FLASK_"))}
    env.update({"PORTAL_INSTANCE_PATH": str(tmp_path), "PORTAL_SECRET_KEY": "cli-test-key"}, **extra)
    return env


@pytest.fixture
def scratch_database_url(tmp_path):
    """An empty database of the kind the suite runs on (SQLite file or a new PostgreSQL database)."""
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path}/scratch.sqlite3"
        return
    base = make_url(url)
    name = f"portal_cli_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_portal_db_upgrade_creates_the_schema(tmp_path, scratch_database_url):
    env = _env(tmp_path, PORTAL_SQLALCHEMY_DATABASE_URI=scratch_database_url)
    result = subprocess.run([*PORTAL, "db", "upgrade"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    engine = create_engine(scratch_database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"user_account", "billing_account", "invoice", "login_session", "alembic_version"} <= tables
    check = subprocess.run([*PORTAL, "db", "check"], env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    downgrade = subprocess.run([*PORTAL, "db", "downgrade", "base"], env=env, capture_output=True, text=True)
    assert downgrade.returncode == 0, downgrade.stderr


def test_demo_accounts_lists_identities_as_json(tmp_path):
    result = subprocess.run([*PORTAL, "demo-accounts", "--json"], env=_env(tmp_path), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["innogy"]) >= 50
    first = data["innogy"][0]
    assert {"customer_number", "invoice_number", "gross_amount"} <= set(first)


def test_demo_accounts_table(tmp_path):
    result = subprocess.run([*PORTAL, "demo-accounts"], env=_env(tmp_path), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "customer_number" in result.stdout and "innogy" in result.stdout


def test_demo_prepares_database_and_demo_login(tmp_path):
    result = subprocess.run(
        [*PORTAL, "demo", "--no-serve"], env=_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "demo@innogy.example" in result.stdout
    again = subprocess.run([*PORTAL, "demo", "--no-serve"], env=_env(tmp_path), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr


def test_i18n_compile_command(tmp_path):
    result = subprocess.run([*PORTAL, "i18n", "compile"], env=_env(tmp_path), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "compiled messages: 4 catalogs" in result.stdout
    assert "compiled innogy_pl: 4 catalogs" in result.stdout


def test_catalog_templates_are_current(tmp_path):
    """Every string in the code is in the committed templates: `portal i18n extract` was run."""
    from dataclasses import replace

    from babel.messages.pofile import read_po

    from core.framework.catalogs import all_domains, extract

    for domain in all_domains():
        fresh = replace(domain, translations_dir=tmp_path / domain.name)
        extract(fresh)
        with open(fresh.template, "rb") as new, open(domain.template, "rb") as committed:
            new_ids = {m.id for m in read_po(new) if m.id}
            old_ids = {m.id for m in read_po(committed) if m.id}
        assert new_ids == old_ids, f"{domain.name}: run `portal i18n extract` and `update`: {sorted(map(str, new_ids ^ old_ids))[:5]}"
