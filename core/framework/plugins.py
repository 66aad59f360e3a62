"""Finding and loading plugins: one pluggy manager per app, never at module level."""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import pkgutil
from collections.abc import Iterable
from pathlib import Path

import pluggy

from core import hookspecs
from core.framework.descriptions import SupplierInfo

ENTRY_POINT_GROUP = "utility_portal"
CORE_DIR = Path(__file__).resolve().parent.parent
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
    pm = pluggy.PluginManager("portal")
    pm.add_hookspecs(hookspecs)
    for name in core_hook_modules():  # first, so that plugins' implementations run before them
        pm.register(importlib.import_module(name), name=name.removesuffix(".hooks"))

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
        culprit = pm.get_name(exc.plugin) if exc.plugin is not None else "?"
        raise PluginError(f"plugin {culprit!r} does not honour the hook specs: {exc}") from exc
    return pm


def core_hook_modules() -> list[str]:
    """The core's own hook implementations: ``core/<feature>/hooks.py`` of every package that has one.

    Each feature registers its pages, navigation entry and outbox handler as a plugin would;
    a new feature package is found by its ``hooks`` module, with no list to keep.
    """
    return _core_modules("hooks")


def import_core_models() -> None:
    """Import ``core/<feature>/models.py`` of every feature that has tables, so that the
    metadata (Alembic, the mappers' relationships) knows every table."""
    for name in _core_modules("models"):
        importlib.import_module(name)


def _core_modules(leaf: str) -> list[str]:
    return sorted(
        f"core.{found.name}.{leaf}"
        for found in pkgutil.iter_modules([str(CORE_DIR)])
        if found.ispkg and (CORE_DIR / found.name / f"{leaf}.py").is_file()
    )


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
