"""The JSON API for apps and home automation: ``/api/v1``, with personal access tokens.

Requests carry ``Authorization: Bearer up_…`` (never cookies, so no CSRF); the token
decides the customer, and the Host the brand as everywhere, so a token works only on its
own brand's host. Answers and errors are JSON; error messages are in the customer's
language. Each view is declared with :func:`operation`, which also feeds the OpenAPI
document (:mod:`core.api.spec`). This module is the machinery: errors, authentication, the
:class:`ApiEndpoints` that each feature (and any plugin) declares its endpoints with, and
the blueprint built from them for each app; the endpoints live in their features'
``api.py`` modules, returned by the ``portal_api_endpoints`` hook.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import marshmallow
from flask import Blueprint, Flask, current_app, g, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from core.api_tokens import service as tokens
from core.framework.extensions import client_key, csrf, db, limiter
from core.framework.forms import null_characters, translate_errors
from core.framework.ownership import own_supply_points
from core.framework.tenancy import current_tenant_code
from core.framework.web import limit
from core.models import SupplyPoint

RULE_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")  # <converter:name>
DEFAULT_RATE_LIMIT = "120 per minute;3000 per hour"

_ERRORS: dict[int, tuple[str, Any]] = {
    400: ("bad_request", _l("The request is not valid: send a JSON object.")),
    401: ("unauthorized", _l("A valid access token is required.")),
    403: ("insufficient_scope", _l("This access token may only read.")),
    404: ("not_found", _l("Not found.")),
    405: ("method_not_allowed", _l("This method is not allowed here.")),
    409: ("conflict", _l("This cannot be done in the current state.")),
    413: ("payload_too_large", _l("The request is too large.")),
    422: ("validation_failed", _l("Some fields are not valid.")),
    429: ("rate_limited", _l("Too many requests. Wait a little and try again.")),
    500: ("server_error", _l("Something went wrong. Nothing has been changed.")),
    503: ("backend_unavailable", _l("The billing system is not responding. Try again in a few minutes.")),
}


class ApiError(Exception):
    """An error answer of the API: HTTP ``status``, a stable ``code`` for programs, a
    translated ``message`` for people (the status's default when not given), and
    ``field_errors`` (translated messages per field) for a 422."""

    def __init__(self, status: int, message: Any = None, *, code: str | None = None,
                 field_errors: dict[str, list[str]] | None = None, headers: dict[str, str] | None = None):
        default_code, default_message = _ERRORS.get(status, ("error", _ERRORS[500][1]))
        self.status = status
        """The HTTP status of the answer."""
        self.code = code or default_code
        """Stable, for programs (``"not_found"``, ``"validation_failed"``, ...)."""
        self.message = message if message is not None else default_message
        """For people, in the customer's language (a lazy string is fine)."""
        self.field_errors = field_errors
        """Translated messages per field, or ``None``."""
        self.headers = headers or {}
        """Headers to send with the answer (``Retry-After``)."""
        super().__init__(self.code)


def validation_failed(field_errors: dict[str, list[str]], message: Any = None, code: str | None = None) -> ApiError:
    """A 422 answer with translated messages per field (``{"account": ["Choose ..."]}``)."""
    return ApiError(422, message, code=code, field_errors=field_errors)


def _error_response(error: ApiError):
    body: dict[str, Any] = {"code": error.code, "message": str(error.message)}
    if error.field_errors:
        body["fields"] = error.field_errors
    response = jsonify(error=body)
    response.status_code = error.status
    if error.status == 401:
        realm = g.tenant.code if g.get("tenant") else "api"
        given = ', error="invalid_token"' if request.authorization else ""
        response.headers["WWW-Authenticate"] = f'Bearer realm="{realm}"{given}'
    response.headers.update(error.headers)
    return response


def _http_error(error: HTTPException):
    headers = {"Retry-After": error.response.headers["Retry-After"]} if (
        error.response is not None and "Retry-After" in error.response.headers) else None
    return _error_response(ApiError(error.code or 500, headers=headers))


def _bearer() -> str | None:
    auth = request.authorization
    return auth.token if auth is not None and auth.type == "bearer" and auth.token else None


def _request_token():
    """The request's valid token, or ``None``; looked up once per request."""
    if "api_token" not in g:
        given = _bearer()
        g.api_token = tokens.authenticate(given) if given else None
    return g.api_token


def _public() -> bool:
    """Whether the request is for a view that needs no token (the OpenAPI document)."""
    return request.endpoint in current_app.extensions["portal_api_public"]


def _rate_limit_key() -> str:
    """Per valid token, so each app has its own budget; per address otherwise, so made-up
    tokens are counted with the address that sends them."""
    token = None if _public() else _request_token()
    if token is None:
        return client_key()
    return f"{current_tenant_code(default='-')}:api:token:{token.id}"


# one decorator object for every app's blueprint: the limiter keeps one limit for "api"
_RATE_LIMIT = limiter.limit(limit("API"), key_func=_rate_limit_key)


def _authenticate() -> None:
    if _public():
        return
    token = _request_token()
    if token is None:
        raise ApiError(401)
    # The token's owner is Flask-Login's current user for this request only (no session):
    # the portal's locale choice and helpers see them as on the web.
    g._login_user = token.user


# --- operations ----------------------------------------------------------------


@dataclass
class Operation:
    """One endpoint of the API, as it is routed and as the OpenAPI document describes it.

    ``body_document`` and ``describe`` let a feature give, per brand, what cannot be a
    fixed schema (the request types' bodies): called with the document being built (an
    ``apispec.APISpec``), they return the body's schema and text to add to the description.
    """

    rule: str
    method: str
    endpoint: str
    summary: Any
    tag: Any
    response: type[marshmallow.Schema] | None = None
    status: int = 200
    query: type[marshmallow.Schema] | None = None
    body: type[marshmallow.Schema] | None = None
    write: bool = False
    media_type: str = "application/json"
    errors: tuple[int, ...] = ()
    description: Any = None
    headers: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    body_document: Callable[[Any], dict[str, Any] | None] | None = None
    describe: Callable[[], str] | None = None

    @property
    def path_params(self) -> list[tuple[str, str]]:
        """``(name, converter)`` of each ``<converter:name>`` in the rule."""
        return [(m.group(2), m.group(1) or "string") for m in RULE_PARAMETER.finditer(self.rule)]

    @property
    def statuses(self) -> list[int]:
        found = {self.status, 401, 403, 429, *self.errors}  # 403: new terms not yet accepted
        if self.path_params:
            found.add(404)
        if self.query or self.body:
            found.add(422)
        if self.body:
            found.add(400)
        return sorted(found)


class ApiEndpoints:
    """A feature's (or a plugin's) endpoints of the JSON API under ``/api/v1``.

    Declare each with :meth:`operation`, return the object from the ``portal_api_endpoints``
    hook, and the portal routes it behind token authentication, the API's rate limit and
    JSON errors, and describes it in the OpenAPI document. A supplier plugin's endpoints
    answer on its own brands only. View names are endpoint names (``api.<name>``): unique
    across the API.
    """

    def __init__(self) -> None:
        self.operations: list[tuple[Operation, Callable]] = []
        """Each declared :class:`Operation` with its view, in the order declared."""
        self.checks: list[Callable[[Any], None]] = []
        """The :meth:`token_check` functions."""

    def operation(self, rule: str, method: str = "GET", **details: Any) -> Callable:
        """Decorate a view: ``rule`` relative to ``/api/v1``, and the :class:`Operation`'s
        details (``summary``, ``tag``, ``response``, ``query``, ``body`` schemas, ...).

        ``write=True`` refuses read-only tokens with 403. The view returns a JSON-able
        body, or ``(body, status, headers)``, or a :class:`flask.Response`; it raises
        :class:`ApiError` for error answers.
        """

        def decorate(view: Callable) -> Callable:
            op = Operation(rule=rule, method=method, endpoint=f"api.{view.__name__}", **details)
            self.operations.append((op, view))
            return view

        return decorate

    def token_check(self, check: Callable[[Any], None]) -> Callable[[Any], None]:
        """Decorate ``check(user)``: called before every token request of the whole API,
        once the token is verified; it raises :class:`ApiError` to refuse (the consents
        feature refuses every request until new terms are accepted)."""
        self.checks.append(check)
        return check


def build_blueprint(app: Flask, groups: list[tuple[ApiEndpoints, object | None]],
                    public_views: dict[str, Callable]) -> Blueprint:
    """The ``api`` blueprint of one app, from each feature's and plugin's endpoints.

    ``groups`` pairs each :class:`ApiEndpoints` with the supplier plugin that owns it
    (``None`` for the core's and other plugins'); ``public_views`` are the views, by rule,
    that need no token (the OpenAPI document and its page). The operations are kept in ``app.extensions`` for it.
    """
    bp = Blueprint("api", __name__, url_prefix="/api/v1")
    csrf.exempt(bp)  # bearer tokens only: a browser's cookie never authenticates here
    bp.register_error_handler(ApiError, _error_response)
    for status in _ERRORS:  # per status: the app's own (HTML) handlers would otherwise win
        bp.register_error_handler(status, _http_error)
    bp.register_error_handler(HTTPException, _http_error)
    _RATE_LIMIT(bp)
    checks = [check for group, _owner in groups for check in group.checks]

    @bp.before_request
    def authenticate() -> None:
        _authenticate()
        if not _public():
            for check in checks:
                check(g.api_token.user)

    operations: list[Operation] = []
    for group, owner in groups:
        for op, view in group.operations:
            if any(known.endpoint == op.endpoint for known in operations):
                raise ValueError(f"two API endpoints named {op.endpoint!r}")
            operations.append(op)
            bp.add_url_rule(op.rule, op.endpoint.removeprefix("api."), _checked(op, view, owner), methods=[op.method])
    for rule, view in public_views.items():
        bp.add_url_rule(rule, view.__name__, view)
    bp.add_url_rule("/<anypath:rest>", "no_such_address", _no_such_address,
                    methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    app.config.setdefault("RATELIMIT_API", DEFAULT_RATE_LIMIT)
    # an address that matches no route (an id out of range, say) still gets a JSON answer
    app.extensions.setdefault("portal_unmatched_path_errors", {})[bp.url_prefix] = _http_error
    app.extensions["portal_api_operations"] = operations
    app.extensions["portal_api_public"] = {f"api.{view.__name__}" for view in public_views.values()}
    return bp


def _checked(op: Operation, view: Callable, owner: object | None) -> Callable:
    @functools.wraps(view)
    def checked(**kwargs: Any):
        if owner is not None and g.tenant.plugin is not owner:
            raise ApiError(404)
        if op.write and not g.api_token.can_write:
            raise ApiError(403)
        return view(**kwargs)

    return checked


def _no_such_address(rest: str):
    """Any other address under the API answers in JSON too."""
    raise ApiError(404)


def operations() -> list[Operation]:
    """The current app's API operations, in the order they are declared."""
    return current_app.extensions["portal_api_operations"]


# --- helpers for the views --------------------------------------------------------


def load(schema: marshmallow.Schema | type[marshmallow.Schema], data: Any,
         rename: Callable[[str], str] = str) -> dict[str, Any]:
    """Validate with a marshmallow schema; translated field errors, named by ``rename``, as a 422."""
    if isinstance(schema, type):
        schema = schema()
    try:
        return schema.load(data)
    except marshmallow.ValidationError as exc:
        errors = translate_errors(exc.messages)
        raise validation_failed({rename(name): texts for name, texts in errors.items()}) from None


def query_args(schema: type[marshmallow.Schema]) -> dict[str, Any]:
    """The query string, validated by ``schema`` (a 422 when it is not valid)."""
    return load(schema, request.args.to_dict())


def json_body() -> dict[str, Any]:
    """The request's JSON object (a 400 for anything else; a 422 for control characters)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400)
    refused = null_characters(body)
    if refused:
        raise validation_failed(refused)
    return body


def one(statement):
    """The one row ``statement`` finds (its only column, or the row), else a 404."""
    found = db.session.execute(statement).first()
    if found is None:
        raise ApiError(404)
    return found if len(found) > 1 else found[0]


def own_supply_point(identifier: str):
    """The token owner's supply point with this identifier, else a 404."""
    return one(own_supply_points(current_user).where(SupplyPoint.identifier == identifier))


def paginated(statement, args: dict[str, Any], dump: Callable[..., dict]) -> dict[str, Any]:
    """One page of ``statement``'s rows, each dumped with ``dump(*row)``, and the links."""
    page, per_page = args["page"], args["per_page"]
    rows = db.session.execute(statement.offset((page - 1) * per_page).limit(per_page + 1)).all()

    def link(number: int) -> str:
        params = {**request.args.to_dict(), "page": number, "per_page": per_page}
        assert request.endpoint is not None  # a matched route: this is its view
        return url_for(request.endpoint, **(request.view_args or {}), **params, _external=True)

    return {
        "items": [dump(*row) for row in rows[:per_page]],
        "page": page,
        "per_page": per_page,
        "links": {"self": link(page), "next": link(page + 1) if len(rows) > per_page else None},
    }


def replayed_headers(replayed: bool) -> dict[str, str]:
    """The answer's headers of an idempotent write: whether it repeats an earlier answer."""
    return {"Idempotent-Replayed": "true"} if replayed else {}
