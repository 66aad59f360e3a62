"""A tenant's absolute URLs, inside a request or outside one (jobs, mail, plugins).

Inside a request for the same tenant the link keeps the host the customer is on; outside
one (a Celery job, the CLI) it is built on the tenant's first host with the configured
scheme (``PREFERRED_URL_SCHEME``), so a mail sent by a job links to the brand's portal.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, has_request_context, url_for


def tenant_url(tenant: Any, endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint`` on ``tenant``'s portal.

    :raises werkzeug.routing.BuildError: when the endpoint does not exist or lacks values.
    """
    if has_request_context() and g.get("tenant") is tenant:
        return url_for(endpoint, _external=True, **values)
    host = tenant.hosts[0] if tenant.hosts else "localhost"
    adapter = current_app.url_map.bind(
        host,
        script_name=current_app.config["APPLICATION_ROOT"],
        url_scheme=current_app.config["PREFERRED_URL_SCHEME"],
    )
    return adapter.build(endpoint, values, force_external=True)
