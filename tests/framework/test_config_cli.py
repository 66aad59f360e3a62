"""The app factory's settings and the ``portal`` command line."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

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


# --- tenants a deployment adds, and a default tenant that is missing ---------------------------


def test_extra_tenants_add_to_the_bundled_ones(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PORTAL_SECRET_KEY", "tenants-test-key")
    monkeypatch.setenv("PORTAL_EXTRA_TENANTS", json.dumps({
        "acme": {"plugin": "cez_cz", "hosts": ["acme.test"], "theme": "plain"},
        "doe": {"plugin": "doe_ua", "hosts": ["doe.example"]},  # the bundled code: this entry wins
    }))
    app = create_app({"THEME_PATHS": [str(Path(__file__).parent / "support" / "themes")]})
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


# --- `portal i18n extract|update --domain`: one domain, never an installed copy -----------------


CATALOG_PLUGIN = "acme_catalog"
NEW_STRING = "A string added after the plugin was generated"


def _plugin_on_path(tmp_path, installed: str | None = None) -> tuple[dict[str, str], Path]:
    """A generated plugin importable with its entry point, and the environment that finds it.

    ``installed=None`` is a source tree, as ``pip install -e`` leaves it: the package in its
    project, the metadata elsewhere. ``"target"`` is what ``pip install --target`` writes
    (the files listed in the RECORD beside them), ``"site-packages"`` a virtual environment's.
    """
    from core.scaffold import PluginSpec, scaffold

    project = scaffold(PluginSpec(CATALOG_PLUGIN), tmp_path / "src")
    package = project / CATALOG_PLUGIN
    (package / "extra.py").write_text(f"from {CATALOG_PLUGIN}.i18n import _\n\nNOTE = _({NEW_STRING!r})\n")
    meta_root = tmp_path / "meta"
    if installed is not None:
        root = tmp_path / ("lib/site-packages" if installed == "site-packages" else "target")
        root.mkdir(parents=True)
        package = Path(shutil.move(package, root / CATALOG_PLUGIN))
        meta_root = root
    dist_info = meta_root / f"{CATALOG_PLUGIN}-0.1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {CATALOG_PLUGIN}\nVersion: 0.1.0\n")
    (dist_info / "entry_points.txt").write_text(f"[utility_portal]\n{CATALOG_PLUGIN} = {CATALOG_PLUGIN}.plugin\n")
    if installed == "target":
        files = sorted(p.relative_to(meta_root).as_posix() for p in package.rglob("*") if p.is_file())
        (dist_info / "RECORD").write_text("".join(f"{name},,\n" for name in files))
    env = _env(tmp_path, PYTHONPATH=os.pathsep.join([str(meta_root), str(package.parent)]),
               PORTAL_PLUGINS=json.dumps([CATALOG_PLUGIN]))
    return env, package


def _catalog_files() -> dict[Path, bytes]:
    """Every catalog of the portal's own tree, to prove a command left them alone."""
    root = Path(__file__).parents[1]
    paths = [*root.glob("translations/**/*.po*"), *root.glob("plugins/*/translations/**/*.po*")]
    return {path: path.read_bytes() for path in paths}


def test_i18n_extract_and_update_touch_only_the_domain_named(tmp_path):
    env, package = _plugin_on_path(tmp_path)
    before = _catalog_files()
    extract = subprocess.run([*PORTAL, "i18n", "extract", "--domain", CATALOG_PLUGIN], env=env,
                             capture_output=True, text=True)
    assert extract.returncode == 0, extract.stderr
    assert extract.stdout.splitlines() == [f"extracted {CATALOG_PLUGIN} -> {package / 'translations' / CATALOG_PLUGIN}.pot"]
    update = subprocess.run([*PORTAL, "i18n", "update", "--domain", CATALOG_PLUGIN], env=env,
                            capture_output=True, text=True)
    assert update.returncode == 0, update.stderr
    assert update.stdout.splitlines() == [f"updated {CATALOG_PLUGIN}"]
    assert NEW_STRING in (package / "translations" / f"{CATALOG_PLUGIN}.pot").read_text()
    for locale in ("pl", "cs", "uk", "it"):
        assert NEW_STRING in (package / "translations" / locale / "LC_MESSAGES" / f"{CATALOG_PLUGIN}.po").read_text()
    assert _catalog_files() == before  # the core's and the bundled plugins' catalogs untouched


@pytest.mark.parametrize("layout", ["target", "site-packages"])
def test_i18n_refuses_a_domain_installed_outside_a_source_tree(tmp_path, layout):
    env, package = _plugin_on_path(tmp_path, installed=layout)
    template = package / "translations" / f"{CATALOG_PLUGIN}.pot"
    before = {path: path.read_bytes() for path in package.rglob("*.po*")}
    for command in ("extract", "update"):
        result = subprocess.run([*PORTAL, "i18n", command, "--domain", CATALOG_PLUGIN], env=env,
                                capture_output=True, text=True)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        assert f"the {CATALOG_PLUGIN} domain is installed in {package.parent}" in " ".join(result.stderr.split())
        assert "pip install -e" in result.stderr
    assert {path: path.read_bytes() for path in package.rglob("*.po*")} == before
    assert NEW_STRING not in template.read_text()
    compiled = subprocess.run([*PORTAL, "i18n", "compile", "--domain", CATALOG_PLUGIN], env=env,
                              capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stderr  # a deployment compiles installed catalogs
    assert (package / "translations" / "cs" / "LC_MESSAGES" / f"{CATALOG_PLUGIN}.mo").is_file()


def test_i18n_names_the_domains_when_one_is_unknown(tmp_path):
    result = subprocess.run([*PORTAL, "i18n", "extract", "--domain", "nowhere"], env=_env(tmp_path),
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "no catalog domain nowhere: the domains are messages, cez_cz" in " ".join(result.stderr.split())


def test_i18n_without_a_domain_skips_the_installed_ones_with_a_note(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from core.cli import main
    from core.framework import catalogs

    source = catalogs.CatalogDomain("mine", tmp_path / "src" / "mine", tmp_path / "src" / "mine" / "translations")
    installed = catalogs.CatalogDomain("theirs", tmp_path / "site-packages" / "theirs",
                                       tmp_path / "site-packages" / "theirs" / "translations")
    for domain in (source, installed):
        domain.source_dir.mkdir(parents=True)
        (domain.source_dir / "strings.py").write_text(f"_ = str\nTEXT = _('A string of {domain.name}')\n")
    monkeypatch.setattr(catalogs, "all_domains", lambda: [source, installed])
    result = CliRunner().invoke(main, ["i18n", "extract"])
    assert result.exit_code == 0, result.output
    assert f"extracted mine -> {source.template}" in result.output
    assert f"skipped theirs: the theirs domain is installed in {tmp_path / 'site-packages'}" in result.output
    assert source.template.is_file() and not installed.translations_dir.exists()
