"""The bundled innogy_pl plugin passes the plugin conformance suite."""

from core.testing.suite import *  # noqa: F403

PORTAL_PLUGIN = "plugins.innogy_pl.plugin"
