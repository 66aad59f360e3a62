"""Test support for the portal and for plugin authors.

``core.testing.suite`` is the plugin conformance suite: a plugin's test module runs all
of it with one import (see docs/plugins.md)::

    from core.testing.suite import *  # noqa: F403

    PORTAL_PLUGIN = "my_supplier.plugin"
"""
