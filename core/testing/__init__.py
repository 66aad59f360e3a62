"""Test support for the portal and for plugin authors.

``core.testing.suite`` is the plugin conformance suite: a plugin's test module runs all
of it with one import (see docs/plugins.md)::

    from core.testing.suite import *  # noqa: F403

    PORTAL_PLUGIN = "my_supplier.plugin"

``core.testing.checks`` holds the suite's checks as functions (colour contrast, strings
missing from catalogs, request examples, raw values on a page) for a plugin's own tests.
"""
