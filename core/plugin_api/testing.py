"""The plugin conformance suite: a plugin's test module imports all of it and names its plugin.

::

    from core.plugin_api.testing import *  # noqa: F403

    PORTAL_PLUGIN = "my_supplier.plugin"
"""

from core.testing.suite import *  # noqa: F403
