"""The plugin's own gettext domain, so its strings never shadow the core's catalogs."""

from __future__ import annotations

from core.plugin_api import plugin_domain

domain = plugin_domain(__package__)
_ = domain.lazy_gettext
