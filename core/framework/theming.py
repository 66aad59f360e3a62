"""Themes: a manifest, template overrides and static files per brand.

Template lookup for a tenant goes theme -> supplier plugin -> core. Any layer can extend
the one below by its prefix: ``{% extends "core:layout.html" %}`` or ``"plugin:..."``.
One Jinja environment (an overlay of the app's, so it shares globals, filters and
extensions but keeps its own template cache) is built per theme and plugin pair, once.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, g, has_app_context
from flask.templating import Environment
from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PrefixLoader

if TYPE_CHECKING:
    from core.framework.descriptions import SupplierInfo
    from core.framework.tenancy import Tenant

_CORE = Path(str(files("core")))
# The shared layout (core/templates) and each feature's own (core/<feature>/templates).
CORE_TEMPLATES = (str(_CORE / "templates"), *sorted(str(p) for p in _CORE.glob("*/templates") if p.is_dir()))
BUNDLED_THEMES = Path(str(files("themes")))
REQUIRED_COLOURS = ("primary", "on_primary", "accent", "background", "surface", "text", "muted")


class ThemeError(ValueError):
    pass


@dataclass(frozen=True)
class Theme:
    name: str
    path: Path
    label: str
    colours: dict[str, str]
    logo: str
    font_stack: str

    @property
    def templates_dir(self) -> Path:
        return self.path / "templates"

    @property
    def static_dir(self) -> Path:
        return self.path / "static"

    def override_names(self) -> list[str]:
        """Templates this theme overrides, relative to the template root."""
        if not self.templates_dir.is_dir():
            return []
        return sorted(
            p.relative_to(self.templates_dir).as_posix()
            for p in self.templates_dir.rglob("*.html")
        )

    def stylesheet(self) -> str:
        """CSS custom properties from the manifest (served as /theme.css)."""
        lines = [f"  --{name.replace('_', '-')}: {value};" for name, value in self.colours.items()]
        lines.append(f"  --font-stack: {self.font_stack};")
        return ":root {\n" + "\n".join(lines) + "\n}\n"

    @classmethod
    def load(cls, path: Path) -> Theme:
        manifest_path = path / "theme.json"
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ThemeError(f"theme at {path}: unreadable theme.json: {exc}") from exc
        colours = manifest.get("colours", {})
        missing = [c for c in REQUIRED_COLOURS if c not in colours]
        if missing:
            raise ThemeError(f"theme {path.name!r}: colours missing: {', '.join(missing)}")
        logo = manifest.get("logo", "logo.svg")
        if not (path / "static" / logo).is_file():
            raise ThemeError(f"theme {path.name!r}: logo static/{logo} not found")
        return cls(
            name=path.name,
            path=path,
            label=manifest.get("name", path.name),
            colours=dict(colours),
            logo=logo,
            font_stack=manifest.get("font_stack", "system-ui, sans-serif"),
        )


class ThemeLibrary:
    """Themes found in the directories plugins and configuration name.

    A theme is read when a tenant asks for it, so a broken theme nobody uses does not
    stop the portal; one that is used stops start-up with what is wrong.
    """

    def __init__(self, directories: list[Path]) -> None:
        self.directories = directories
        self._paths: dict[str, Path] = {}
        self._themes: dict[str, Theme] = {}
        for directory in directories:
            if not directory.is_dir():
                continue
            for child in sorted(directory.iterdir()):
                if (child / "theme.json").is_file():
                    self._paths.setdefault(child.name, child)

    def get(self, name: str, supplier: SupplierInfo | None = None) -> Theme:
        if name not in self._themes:
            if name not in self._paths:
                owner = f" (asked for by supplier {supplier.code!r})" if supplier else ""
                raise ThemeError(
                    f"theme {name!r} not found{owner}; looked in "
                    + ", ".join(str(d) for d in self.directories)
                )
            self._themes[name] = Theme.load(self._paths[name])
        return self._themes[name]

    def names(self) -> list[str]:
        return sorted(self._paths)


def core_template_names() -> set[str]:
    """The names of every template the core ships (what a theme or plugin may override)."""
    return {
        path.relative_to(folder).as_posix()
        for folder in map(Path, CORE_TEMPLATES)
        for path in folder.rglob("*")
        if path.is_file()
    }


def _loader_for(tenant: Tenant) -> BaseLoader:
    core = FileSystemLoader(CORE_TEMPLATES)
    layers: list[BaseLoader] = []
    prefixes: dict[str, BaseLoader] = {"core": core}
    if tenant.theme.templates_dir.is_dir():
        theme_loader = FileSystemLoader(str(tenant.theme.templates_dir))
        layers.append(theme_loader)
        prefixes["theme"] = theme_loader
    if tenant.supplier.templates_dir and Path(tenant.supplier.templates_dir).is_dir():
        plugin_loader = FileSystemLoader(tenant.supplier.templates_dir)
        layers.append(plugin_loader)
        prefixes["plugin"] = plugin_loader
    layers.append(core)
    return ChoiceLoader([PrefixLoader(prefixes, delimiter=":"), *layers])


class PortalFlask(Flask):
    """Flask whose ``jinja_env`` is the current tenant's environment."""

    jinja_options = {"trim_blocks": True, "lstrip_blocks": True, "extensions": ["jinja2.ext.do"]}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tenant_envs: dict[tuple[str, str], Environment] = {}
        self._tenant_envs_lock = threading.Lock()
        self._base_env: Environment | None = None

    def create_global_jinja_loader(self) -> ChoiceLoader:  # type: ignore[override]  # Flask names its own loader; any serves
        return ChoiceLoader(
            [PrefixLoader({"core": FileSystemLoader(CORE_TEMPLATES)}, delimiter=":"),
             FileSystemLoader(CORE_TEMPLATES)]
        )

    @property
    def base_jinja_env(self) -> Environment:
        if self._base_env is None:
            self._base_env = self.create_jinja_environment()
        return self._base_env

    @property
    def jinja_env(self) -> Environment:
        tenant = g.get("tenant") if has_app_context() else None
        if tenant is None:
            return self.base_jinja_env
        return self.tenant_jinja_env(tenant)

    def tenant_jinja_env(self, tenant: Tenant) -> Environment:
        key = (tenant.theme.name, tenant.supplier.code)
        env = self._tenant_envs.get(key)
        if env is None:
            with self._tenant_envs_lock:
                env = self._tenant_envs.get(key)
                if env is None:
                    env = self.base_jinja_env.overlay(loader=_loader_for(tenant))
                    self._tenant_envs[key] = env
        return env
