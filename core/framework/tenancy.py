"""White-label tenancy: the Host header picks the tenant; queries are scoped to it.

A tenant is one brand served by one supplier plugin with a theme and a set of locales.
The scoping of queries lives with the data (:mod:`core.models.tenant_scope`); its names are
repeated here, where the rest of tenancy is.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy
from flask import Flask, current_app

from core.config import ConfigurationError
from core.models.tenant_scope import (  # noqa: F401 - the tenancy names, in one place for their users
    NoTenant,
    TenantMismatch,
    TenantScoped,
    current_tenant_code,
    install_tenant_scoping,
    tenant_context,
)

if TYPE_CHECKING:
    from core.billing.contract import BillingAdapter
    from core.framework.descriptions import (
        IdentityMethod,
        NotificationChannel,
        RequestType,
        ScheduledJob,
        SupplierInfo,
    )
    from core.framework.theming import Theme


class TenantConfigurationError(ConfigurationError, ValueError):
    """``TENANTS``, ``EXTRA_TENANTS`` or ``DEFAULT_TENANT`` cannot work; the message names the fix."""


@dataclass
class Tenant:
    """One brand: supplier plugin + theme + locales, answering on some hosts.

    Made by the core from ``PORTAL_TENANTS`` at start-up; a plugin receives it in every
    hook called "for a tenant" (and ``g.tenant`` in a request).
    """

    code: str
    """The tenant's key in ``PORTAL_TENANTS`` (``"innogy"``); stored on every row of its customers."""
    supplier: SupplierInfo
    """The description of the supplier the tenant's plugin serves."""
    theme: Theme
    """The theme the tenant wears (name, colours, logo, templates)."""
    hosts: tuple[str, ...]
    """Host names it answers on; the first one builds its links outside a request."""
    locales: tuple[str, ...]
    """The languages it offers."""
    default_locale: str
    """Its language when a visitor's browser asks for none of ``locales``."""
    settings: dict[str, Any]
    """The tenant's ``"settings"`` in ``PORTAL_TENANTS``: the core reads ``backend_url``,
    ``backend_timeout``, ``demo_as_of``, ``mail_sender``, ``reading_reminder_day`` and
    ``demo_bank``; a plugin reads its own (an SMS gateway's address, say)."""
    plugin: object = field(repr=False)
    """The supplier plugin (its module) serving the tenant."""
    hook: _TenantHooks = field(repr=False)
    """Hook callers that reach only the core and this tenant's plugin
    (``tenant.hook.portal_request_types(tenant=tenant)``)."""
    _adapter: BillingAdapter | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def currency(self) -> str:
        """The supplier's currency (ISO 4217)."""
        return self.supplier.currency

    @property
    def timezone(self) -> str:
        """The supplier's time zone (IANA)."""
        return self.supplier.timezone

    def has(self, capability: str) -> bool:
        """Whether the supplier has ``capability`` (:attr:`SupplierInfo.capabilities`)."""
        return capability in self.supplier.capabilities

    @property
    def adapter(self) -> BillingAdapter:
        """The supplier's billing adapter, created once per tenant: the reference billing
        API over HTTP when the settings name a ``backend_url``, else the plugin's
        production adapter, else its demo back-end."""
        if self._adapter is None:
            with self._lock:
                if self._adapter is None:
                    self._adapter = self._create_adapter()
        return self._adapter

    def _create_adapter(self) -> BillingAdapter:
        url = self.settings.get("backend_url")
        if url:
            from core.billing.http import HttpBillingAdapter

            return HttpBillingAdapter(url, self.currency, timeout=float(self.settings.get("backend_timeout", 5)))
        adapter = self.hook.portal_billing_adapter(tenant=self)
        if adapter is None:
            adapter = self.hook.portal_demo_backend()
            if adapter is not None and self.settings.get("demo_as_of"):
                adapter.set_anchor(dt.date.fromisoformat(str(self.settings["demo_as_of"])))
        if adapter is None:
            raise LookupError(f"no billing adapter for tenant {self.code!r}")
        return adapter

    def identity_methods(self) -> list[IdentityMethod]:
        """Every identity method offered (``portal_identity_methods``), the first first."""
        return [m for group in self.hook.portal_identity_methods(tenant=self) for m in group]

    def identity_method(self, code: str) -> IdentityMethod | None:
        """The identity method with this code, or ``None``."""
        return next((m for m in self.identity_methods() if m.code == code), None)

    def request_types(self) -> list[RequestType]:
        """Every request type offered (``portal_request_types``)."""
        return [t for group in self.hook.portal_request_types(tenant=self) for t in group]

    def scheduled_jobs(self) -> list[ScheduledJob]:
        """Every scheduled job of the tenant (``portal_scheduled_jobs``)."""
        return [j for group in self.hook.portal_scheduled_jobs(tenant=self) for j in group]

    def notification_channels(self) -> list[NotificationChannel]:
        """Every notification channel, the core's e-mail included (``portal_notification_channels``)."""
        return [c for group in self.hook.portal_notification_channels(tenant=self) for c in group]


class _TenantHooks:
    """Hook callers that reach only the core and this tenant's supplier plugin."""

    def __init__(self, pm: pluggy.PluginManager, supplier_plugin: object) -> None:
        others = [
            plugin
            for name, plugin in pm.list_name_plugin()
            if plugin is not supplier_plugin and _is_supplier_plugin(plugin)
        ]
        self._pm = pm
        self._excluded = others
        self._callers: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("portal_"):
            raise AttributeError(name)
        caller = self._callers.get(name)
        if caller is None:
            caller = self._pm.subset_hook_caller(name, remove_plugins=self._excluded)
            self._callers[name] = caller
        return caller


def _is_supplier_plugin(plugin: object) -> bool:
    impl = getattr(plugin, "portal_supplier", None)
    return callable(impl)


def current_tenant(default: Any = NoTenant) -> Tenant:
    """The tenant being served: the request's, or the one :func:`tenant_context` names (CLI,
    jobs, tests); ``default`` (else :class:`NoTenant`) when there is none."""
    code = current_tenant_code(default=None)
    if code is None:
        if default is NoTenant:
            raise NoTenant("no tenant is active; use tenant_context() outside requests")
        return default
    return current_app.extensions["portal_tenants"].by_code[code]


class TenantRegistry:
    """All tenants of an app, indexed by code and by host. Built once at start-up."""

    def __init__(self, tenants: list[Tenant], default: str | None) -> None:
        self.by_code = {t.code: t for t in tenants}
        self.by_host: dict[str, Tenant] = {}
        for tenant in tenants:
            for host in tenant.hosts:
                host = host.lower()
                if host in self.by_host:
                    raise TenantConfigurationError(
                        f"host {host!r} is configured for two tenants, {self.by_host[host].code!r} and "
                        f"{tenant.code!r}: change the hosts of one of them in TENANTS or EXTRA_TENANTS"
                    )
                self.by_host[host] = tenant
        if default is not None and default not in self.by_code:
            raise TenantConfigurationError(
                f"DEFAULT_TENANT is {default!r}, which is not a configured tenant "
                f"(configured: {', '.join(self.by_code) or 'none'}): set PORTAL_DEFAULT_TENANT to one "
                "of them, or to null so that hosts of no tenant are answered with 404. To keep the "
                "bundled tenants and add your own, set EXTRA_TENANTS instead of TENANTS"
            )
        self.default = self.by_code.get(default) if default else None

    def __iter__(self) -> Iterator[Tenant]:
        return iter(self.by_code.values())

    def __getitem__(self, code: str) -> Tenant:
        return self.by_code[code]

    def for_host(self, host: str) -> Tenant | None:
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return self.by_host.get(name.lower().rstrip(".")) or self.default


def configured_tenants(config: Any) -> dict[str, dict[str, Any]]:
    """``TENANTS`` with ``EXTRA_TENANTS`` added: a code in both takes the extra entry.

    A deployment adds its brand with ``EXTRA_TENANTS`` and keeps the bundled ones without
    listing them again; ``TENANTS`` replaces the whole list.
    """
    merged: dict[str, dict[str, Any]] = {}
    for setting in ("TENANTS", "EXTRA_TENANTS"):
        value = config.get(setting) or {}
        if not isinstance(value, Mapping):
            raise TenantConfigurationError(f"{setting} maps tenant codes to their settings (JSON object), not {value!r}")
        for code, spec in value.items():
            if not isinstance(spec, Mapping) or "plugin" not in spec:
                raise TenantConfigurationError(
                    f"{setting}[{code!r}] needs at least the supplier plugin: "
                    '{"plugin": "<supplier code>", "hosts": ["<host name>"]}'
                )
            merged[str(code)] = dict(spec)
    return merged


def build_registry(app: Flask, pm: pluggy.PluginManager) -> TenantRegistry:
    """Create the tenants of ``TENANTS`` and ``EXTRA_TENANTS`` from the loaded supplier plugins."""
    from core.framework.plugins import supplier_plugins
    from core.framework.theming import ThemeLibrary

    suppliers: dict[str, tuple[object, SupplierInfo]] = {}
    for plugin, info in supplier_plugins(pm):
        if info.code in suppliers:
            raise ValueError(f"two plugins describe supplier {info.code!r}")
        suppliers[info.code] = (plugin, info)

    themes: ThemeLibrary = app.extensions["portal_themes"]
    languages = list(app.config["LANGUAGES"])
    tenants = []
    for code, spec in configured_tenants(app.config).items():
        supplier_code = spec["plugin"]
        if supplier_code not in suppliers:
            raise TenantConfigurationError(
                f"tenant {code!r} asks for supplier plugin {supplier_code!r}, "
                f"which is not loaded (loaded: {', '.join(sorted(suppliers)) or 'none'}): install it, "
                "list it in PLUGINS, or leave the tenant out of TENANTS and EXTRA_TENANTS"
            )
        plugin, info = suppliers[supplier_code]
        locales = tuple(
            loc
            for loc in spec.get("locales", info.supported_locales)
            if loc in languages or loc == info.default_locale
        )
        default_locale = spec.get("default_locale", info.default_locale)
        if default_locale not in locales:
            raise TenantConfigurationError(f"tenant {code!r}: default locale {default_locale!r} not offered")
        tenants.append(
            Tenant(
                code=code,
                supplier=info,
                theme=themes.get(spec.get("theme", info.theme), info),
                hosts=tuple(spec.get("hosts", ())),
                locales=locales,
                default_locale=default_locale,
                settings=dict(spec.get("settings", {})),
                plugin=plugin,
                hook=_TenantHooks(pm, plugin),
            )
        )
    return TenantRegistry(tenants, app.config.get("DEFAULT_TENANT"))
