"""The app factory's settings, tenants, and the ``portal`` command line before and after it is
configured."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

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


# --- tenants a deployment adds, and a default tenant that is missing ---------------------------


def test_extra_tenants_add_to_the_bundled_ones(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "tenants-test-key")
    monkeypatch.setenv("PORTAL_EXTRA_TENANTS", json.dumps({
        "acme": {"plugin": "cez_cz", "hosts": ["acme.test"], "theme": "plain"},
        "doe": {"plugin": "doe_ua", "hosts": ["doe.example"]},  # the bundled code: this entry wins
    }))
    app = create_app({"THEME_PATHS": [str(Path(__file__).parents[1] / "support" / "themes")]})
    tenants = app.extensions["portal_tenants"]
    assert sorted(t.code for t in tenants) == ["acme", "cez", "doe", "innogy", "italiangas"]
    assert tenants["doe"].hosts == ("doe.example",)
    client = app.test_client()
    assert client.get("/healthz", base_url="http://acme.test").json["tenant"] == "acme"
    assert client.get("/healthz", base_url="http://cez.localhost").json["tenant"] == "cez"
    assert client.get("/healthz", base_url="http://doe.localhost").json["tenant"] == "innogy"  # the default


def test_a_missing_default_tenant_names_the_settings_that_fix_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "tenants-test-key")
    monkeypatch.setenv("PORTAL_TENANTS", json.dumps({"acme": {"plugin": "cez_cz", "hosts": ["acme.test"]}}))
    with pytest.raises(ConfigurationError) as refused:
        create_app()
    message = str(refused.value)
    assert "DEFAULT_TENANT is 'innogy'" in message and "configured: acme" in message
    assert "PORTAL_DEFAULT_TENANT" in message and "EXTRA_TENANTS" in message
    monkeypatch.setenv("PORTAL_DEFAULT_TENANT", "acme")
    assert create_app().extensions["portal_tenants"].default.code == "acme"


def test_a_tenant_entry_without_a_plugin_is_refused_by_name(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "tenants-test-key")
    monkeypatch.setenv("PORTAL_EXTRA_TENANTS", json.dumps({"acme": {"hosts": ["acme.test"]}}))
    with pytest.raises(ConfigurationError, match=r"EXTRA_TENANTS\['acme'\] needs at least the supplier plugin"):
        create_app()


# --- `portal --help` before anything is configured --------------------------------------------


def _unconfigured(tmp_path) -> dict[str, str]:
    """No PORTAL_ or FLASK_ variable, no config file: an empty instance folder."""
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PORTAL_INSTANCE_PATH": str(instance)}


def test_help_works_with_nothing_configured(tmp_path):
    result = subprocess.run([*PORTAL, "--help"], env=_unconfigured(tmp_path), cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Traceback" not in result.stdout
    listed = set(re.findall(r"^  ([a-z][a-z0-9-]*)\s", result.stdout, re.MULTILINE))
    assert {"db", "demo", "demo-accounts", "i18n", "new-plugin", "sync", "worker", "maintenance"} <= listed
    assert "PORTAL_SECRET_KEY" in result.stdout  # why commands that need the portal would stop
    sub = subprocess.run([*PORTAL, "db", "--help"], env=_unconfigured(tmp_path), cwd=tmp_path,
                         capture_output=True, text=True)
    assert sub.returncode == 0 and "upgrade" in sub.stdout and sub.stderr == "", sub.stderr


def test_a_command_that_needs_the_portal_says_why_it_cannot_start(tmp_path):
    result = subprocess.run([*PORTAL, "sync"], env=_unconfigured(tmp_path), cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "the portal cannot start: refusing to start with the default secret key" in result.stderr
