"""Finding and loading plugins: one pluggy manager per app, never at module level."""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Iterable

import pluggy

from core import hookspecs
from core.framework.descriptions import SupplierInfo

ENTRY_POINT_GROUP = "utility_portal"
log = logging.getLogger(__name__)


class PluginError(RuntimeError):
    """A plugin could not be loaded or does not honour the hook contract."""


def _entry_points() -> list[importlib.metadata.EntryPoint]:
    points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    # Deterministic order whatever the installer did: sorted by name.
    unique = {ep.name: ep for ep in points}
    return [unique[name] for name in sorted(unique)]


def create_plugin_manager(
    enabled: Iterable[str] | None = None, extra_plugins: Iterable[object] = ()
) -> pluggy.PluginManager:
    """Build a plugin manager with the core's defaults and the installed plugins.

    :param enabled: entry-point names to load (``PORTAL_PLUGINS``); ``None`` loads all.
    :param extra_plugins: plugin objects registered directly (tests, embedding apps).
    :raises PluginError: naming the plugin that failed to import, registered a hook
        the specs don't know, or was asked for but is not installed.
    """
    from core import default_hooks

    pm = pluggy.PluginManager("portal")
    pm.add_hookspecs(hookspecs)
    pm.register(default_hooks, name="core")

    wanted = None if enabled is None else list(dict.fromkeys(enabled))
    found = set()
    for ep in _entry_points():
        if wanted is not None and ep.name not in wanted:
            continue
        found.add(ep.name)
        try:
            plugin = ep.load()
        except Exception as exc:  # noqa: BLE001 - any import failure stops start-up
            raise PluginError(
                f"plugin {ep.name!r} ({ep.value}) failed to import: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        _register(pm, plugin, ep.name)

    if wanted is not None:
        missing = [name for name in wanted if name not in found]
        if missing:
            raise PluginError(
                "plugins requested in PORTAL_PLUGINS are not installed: "
                + ", ".join(missing)
            )

    for plugin in extra_plugins:
        if pm.is_registered(plugin):  # already loaded through its entry point
            continue
        _register(pm, plugin, getattr(plugin, "__name__", None) or repr(plugin))

    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) if exc.plugin is not None else "?"
        raise PluginError(f"plugin {name!r} does not honour the hook specs: {exc}") from exc
    return pm


def _register(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    try:
        pm.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise PluginError(f"plugin {name!r} could not be registered: {exc}") from exc
    log.info("loaded plugin %s", name)


def supplier_plugins(pm: pluggy.PluginManager) -> list[tuple[object, SupplierInfo]]:
    """Each plugin that describes a supplier, with its description, by plugin name."""
    found = []
    for _name, plugin in sorted(pm.list_name_plugin(), key=lambda item: item[0]):
        describe = getattr(plugin, "portal_supplier", None)
        if not callable(describe):
            continue
        info = describe()
        if info is not None:
            found.append((plugin, info))
    return found
