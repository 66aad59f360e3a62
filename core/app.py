"""The application factory."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, abort, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from core.config import DEFAULT_SECRET_KEY, ConfigurationError, DefaultConfig
from core.framework import i18n, jobs, security
from core.framework import web as common
from core.framework.descriptions import OutboxHandler
from core.framework.extensions import cache, csrf, db, limiter, login_manager, mail, migrate
from core.framework.plugins import PluginError, create_plugin_manager, import_core_models
from core.framework.tenancy import build_registry, install_tenant_scoping
from core.framework.theming import PortalFlask, ThemeLibrary
from core.maintenance import service as maintenance
from core.models.database import ping_connections_idle_for

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


def create_app(
    config: Mapping[str, Any] | None = None, plugins: Iterable[object] = ()
) -> Flask:
    """Create a portal application.

    Settings are layered: :class:`core.config.DefaultConfig`, then ``portal.cfg`` in the
    instance folder (or the file named by ``PORTAL_CONFIG``), then ``PORTAL_*``
    environment variables, then ``config`` (tests). ``plugins`` are registered on top
    of the installed ones (tests, embedding apps).
    """
    app = PortalFlask(
        "core", instance_path=os.environ.get("PORTAL_INSTANCE_PATH"), instance_relative_config=True
    )
    app.url_map.converters["int"] = common.DatabaseIdConverter  # before any route is added
    app.url_map.converters["anypath"] = common.AnyPathConverter
    app.config.from_object(DefaultConfig)
    named = os.environ.get("PORTAL_CONFIG")  # a file named on purpose must be there
    app.config.from_pyfile(named or "portal.cfg", silent=not named)
    app.config.from_prefixed_env("PORTAL")
    if config:
        app.config.update(config)
    _finish_config(app)

    import_core_models()
    pm = create_plugin_manager(app.config["PLUGINS"], plugins)
    app.extensions["portal_plugins"] = pm
    theme_dirs = [Path(p) for group in pm.hook.portal_themes() for p in group]
    theme_dirs += [Path(p) for p in app.config["THEME_PATHS"]]
    app.extensions["portal_themes"] = ThemeLibrary(theme_dirs)
    app.extensions["portal_tenants"] = build_registry(app, pm)

    _register_tenant_resolution(app)  # first, so every later hook knows the tenant
    db.init_app(app)
    _check_idle_connections(app)
    install_tenant_scoping()
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = str  # the lazy string, in the visitor's language
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    # registered before the limiter's own, so that it runs after it (Flask runs them last first)
    app.after_request(security.retry_after_only_when_refused)
    limiter.init_app(app)
    mail.init_app(app)
    cache.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    jobs.init_app(app)
    common.init_app(app)
    maintenance.init_app(app)

    if app.config["PROXY_FIX_HOPS"]:
        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]  # Flask's way to add middleware

    _register_blueprints(app, pm)
    _collect_outbox_handlers(app, pm)
    return app


def _finish_config(app: Flask) -> None:
    for name, default in vars(DefaultConfig).items():
        value = app.config.get(name)
        if isinstance(default, dt.timedelta) and isinstance(value, int | float) and not isinstance(value, bool):
            app.config[name] = dt.timedelta(seconds=value)  # PORTAL_RELAY_INTERVAL=5: seconds
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "portal.sqlite3"
        )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Several threads write in the embedded setup: wait for the lock instead of failing.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {"timeout": 30, **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if app.config["MAIL_CAPTURE"] is None:  # the demo keeps mail for its mailbox, unless told where to send it
        app.config["MAIL_CAPTURE"] = bool(app.config["DEMO"]) and not app.config["MAIL_SERVER"]
    app.config["MAIL_SERVER"] = app.config["MAIL_SERVER"] or "localhost"
    if not app.config["PREFERRED_URL_SCHEME"]:
        app.config["PREFERRED_URL_SCHEME"] = "http" if app.config["DEMO"] else "https"
    if app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY and not (
        app.config["DEMO"] or app.debug or app.testing
    ):
        raise ConfigurationError(
            "refusing to start with the default secret key: set PORTAL_SECRET_KEY "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    app.config["RATELIMIT_ENABLED"] = app.config.get("RATELIMIT_ENABLED", True)


def _check_idle_connections(app: Flask) -> None:
    idle = app.config["DATABASE_PING_AFTER_IDLE"]
    if idle is None or app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return  # SQLite is a file: nothing closes it behind the portal's back
    with app.app_context():
        ping_connections_idle_for(db.engine, idle.total_seconds())


def _register_tenant_resolution(app: Flask) -> None:
    tenants = app.extensions["portal_tenants"]

    @app.before_request
    def resolve_tenant():
        tenant = tenants.for_host(request.host)
        if tenant is None:
            if request.endpoint in ("demo.brands", "demo.brand_logo", "static"):
                return None  # the demo's list of brands belongs to none of them
            if app.config["DEMO"] and request.path == "/":
                return redirect(url_for("demo.brands"))
            abort(404)
        g.tenant = tenant
        owner = app.extensions["portal_blueprint_owners"].get(request.blueprint)
        if owner is not None and owner is not tenant.plugin:
            abort(404)

    @app.context_processor
    def tenant_context():
        tenant = g.get("tenant")
        return {"tenant": tenant, "theme": tenant.theme if tenant else None}


def _register_blueprints(app: Flask, pm) -> None:
    """Every blueprint from the hooks: the core's features and the plugins' pages alike."""
    owners: dict[str, object] = {}
    for impl in pm.hook.portal_blueprints.get_hookimpls():
        arguments = {"app": app} if "app" in impl.argnames else {}
        for blueprint in impl.function(**arguments) or []:
            app.register_blueprint(blueprint)
            if hasattr(impl.plugin, "portal_supplier"):
                owners[blueprint.name] = impl.plugin
    app.extensions["portal_blueprint_owners"] = owners


def _collect_outbox_handlers(app: Flask, pm) -> None:
    handlers: dict[str, OutboxHandler] = {}
    for group in pm.hook.portal_outbox_handlers():
        for handler in group:
            if handler.kind in handlers:
                raise PluginError(f"two outbox handlers for the message kind {handler.kind!r}")
            handlers[handler.kind] = handler
    app.extensions["portal_outbox_handlers"] = handlers
