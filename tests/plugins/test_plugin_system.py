"""The plugin system: entry points, the hook contract, and what a broken plugin does."""

from __future__ import annotations

import importlib.metadata
import types
from pathlib import Path

import pytest
from flask import Blueprint, render_template_string

import core
from core import create_app
from core.framework.descriptions import NavigationItem
from core.framework.plugins import PluginError, create_plugin_manager
from core.hookspecs import hookimpl
from tests.conftest import INNOGY_HOST, SECOND_HOST, client_for


def test_bundled_plugin_is_declared_as_an_entry_point():
    names = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="utility_portal")}
    assert names["innogy_pl"] == "plugins.innogy_pl.plugin"


def test_each_app_has_its_own_plugin_manager(make_app):
    first, second = make_app(), make_app()
    assert first.extensions["portal_plugins"] is not second.extensions["portal_plugins"]
    assert "innogy_pl" in dict(first.extensions["portal_plugins"].list_name_plugin())


def test_misspelled_hook_stops_start_up_naming_the_plugin():
    broken = types.ModuleType("misspelled_plugin")

    @hookimpl
    def portal_supplyer():  # misspelled on purpose
        return None

    broken.portal_supplyer = portal_supplyer
    with pytest.raises(PluginError, match="misspelled_plugin"):
        create_plugin_manager([], [broken])


def test_plugin_that_fails_to_import_stops_start_up(monkeypatch):
    def broken_entry_points(group):
        return [importlib.metadata.EntryPoint("exploding", "tests.support.no_such_module:x", group)]

    monkeypatch.setattr(importlib.metadata, "entry_points", broken_entry_points)
    with pytest.raises(PluginError, match="'exploding'.*failed to import"):
        create_plugin_manager()


def _core_features() -> list[str]:
    """The core's own hook modules: every feature package with a ``hooks`` module registers itself."""
    found = sorted(path.parent.name for path in Path(core.__file__).parent.glob("*/hooks.py"))
    assert {"framework", "readings", "invoices", "api"} <= set(found)
    return [f"core.{name}" for name in found]


def test_portal_plugins_limits_which_plugins_load():
    pm = create_plugin_manager([])
    assert [name for name, _ in pm.list_name_plugin()] == _core_features()
    with pytest.raises(PluginError, match="not installed: nosuch"):
        create_plugin_manager(["nosuch"])


def test_portal_plugins_from_environment(monkeypatch, migrated, tmp_path):
    monkeypatch.setenv("PORTAL_PLUGINS", "[]")
    monkeypatch.setenv("PORTAL_TENANTS", "{}")
    monkeypatch.setenv("PORTAL_DEFAULT_TENANT", "null")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": migrated})
    assert [name for name, _ in app.extensions["portal_plugins"].list_name_plugin()] == _core_features()


def test_tenant_naming_a_missing_plugin_fails_clearly(migrated):
    with pytest.raises(ValueError, match="supplier plugin 'nope_xx'"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": migrated,
                    "TENANTS": {"x": {"plugin": "nope_xx", "hosts": ["x.test"]}}, "DEFAULT_TENANT": None})


def _feature_plugin():
    """A plugin without a supplier: adds a blueprint and a navigation entry everywhere."""
    plugin = types.ModuleType("feature_plugin")
    bp = Blueprint("feature", __name__)

    @bp.get("/feature")
    def feature():
        return "feature page"

    @hookimpl
    def portal_blueprints():
        return [bp]

    @hookimpl
    def portal_navigation(tenant, user):
        return [NavigationItem("feature.feature", "Feature", order=50)]

    plugin.portal_blueprints = portal_blueprints
    plugin.portal_navigation = portal_navigation
    return plugin


def test_feature_plugin_blueprint_and_navigation(make_app, smtp_server):
    from tests.conftest import register_and_activate, sign_in

    app = make_app(plugins=[_feature_plugin()])
    for host in (INNOGY_HOST, SECOND_HOST):
        client = client_for(app, host)
        assert client.get("/feature").get_data(as_text=True) == "feature page"
    client = client_for(app)
    register_and_activate(client, smtp_server, "nav@example.com")
    sign_in(client, "nav@example.com")
    page = client.get("/accounts/").get_data(as_text=True)
    assert 'href="/feature"' in page


OTHER_TENANTS = {
    "innogy": {"plugin": "innogy_pl", "hosts": [INNOGY_HOST]},
    "other": {"plugin": "other_xx", "hosts": ["other.test"]},
}


def _other_supplier() -> types.ModuleType:
    """A second supplier plugin (code ``other_xx``), served on other.test by OTHER_TENANTS."""
    from core.framework.descriptions import SupplierInfo

    other = types.ModuleType("other_supplier")

    @hookimpl
    def portal_supplier():
        return SupplierInfo(
            code="other_xx", name="Other", country="CZ", currency="CZK", timezone="Europe/Prague",
            default_locale="cs", supported_locales=("cs", "en"), theme="plain",
        )

    @hookimpl
    def portal_billing_adapter(tenant):
        return object()

    other.portal_supplier = portal_supplier
    other.portal_billing_adapter = portal_billing_adapter
    return other


def test_supplier_plugin_blueprint_answers_only_for_its_tenants(make_app):
    """A supplier's extra pages are not served on another supplier's host."""
    other = _other_supplier()
    bp = Blueprint("other_pages", __name__)

    @bp.get("/other-only")
    def page():
        return "other"

    @hookimpl
    def portal_blueprints():
        return [bp]

    other.portal_blueprints = portal_blueprints
    app = make_app(plugins=[other], TENANTS=OTHER_TENANTS)
    assert client_for(app, "other.test").get("/other-only").status_code == 200
    assert client_for(app, INNOGY_HOST).get("/other-only").status_code == 404
    # and each tenant's hook calls reach only its own supplier plugin
    registry = app.extensions["portal_tenants"]
    assert registry["other"].adapter is not registry["innogy"].adapter
    assert registry["other"].identity_methods() == []
    assert [m.code for m in registry["innogy"].identity_methods()] == ["invoice"]


def test_rejection_reasons_come_from_the_plugin_serving_the_tenant(make_app):
    """A plugin names its back-end's own reason codes and may reword the core's; customers of
    another supplier never read them, and a code nobody knows reads as the general sentence."""
    from core.framework.rejections import REASONS, UNSPECIFIED

    other = _other_supplier()

    @hookimpl
    def portal_rejection_reasons(tenant):
        return {"meter_sealed": "The meter is sealed: a technician will call you.",
                "invoice_unknown": "We cannot find this bill on your contract."}

    other.portal_rejection_reasons = portal_rejection_reasons
    app = make_app(plugins=[other], TENANTS=OTHER_TENANTS)

    def shown(host: str, code: str | None) -> str:
        with app.test_request_context("/", base_url=f"https://{host}", headers={"Accept-Language": "en"}):
            app.preprocess_request()
            return render_template_string("{{ code|rejection }}", code=code)

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        core = {code: str(sentence) for code, sentence in REASONS.items()}
    assert shown("other.test", "meter_sealed") == "The meter is sealed: a technician will call you."
    assert shown("other.test", "invoice_unknown") == "We cannot find this bill on your contract."
    assert shown("other.test", "meter_unknown") == core["meter_unknown"]  # the core's, left alone
    assert shown("other.test", "no_such_code") == core[UNSPECIFIED]
    assert shown("other.test", None) == ""
    assert shown(INNOGY_HOST, "meter_sealed") == core[UNSPECIFIED]  # another supplier's code
    assert shown(INNOGY_HOST, "invoice_unknown") == core["invoice_unknown"]
