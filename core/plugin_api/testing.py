"""The plugin conformance suite: a plugin's test module imports all of it and names its plugin.

::

    from core.plugin_api.testing import *  # noqa: F403

    PORTAL_PLUGIN = "my_supplier.plugin"

The suite's checks are functions here too, for a plugin's own tests: ``contrast_problems``
(WCAG AA colour pairs), ``missing_messages`` (strings a catalog lacks), ``example_problems``
(request examples against the schema and ``check``), ``raw_values`` (a page's values as a
program would print them), and what they are built on.
"""

from core.testing.checks import *  # noqa: F403
from core.testing.suite import *  # noqa: F403
