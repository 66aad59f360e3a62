"""The JSON API for apps and home automation: ``/api/v1``, with personal access tokens.

Requests carry ``Authorization: Bearer up_…`` (never cookies, so no CSRF); the token
decides the customer, and the Host the brand as everywhere, so a token works only on its
own brand's host. Answers and errors are JSON; error messages are in the customer's
language. Each view is declared with :func:`operation`, which also feeds the OpenAPI
document (:mod:`core.api.spec`). This module is the machinery: the blueprint, errors,
authentication and :func:`operation`; the endpoints are in :mod:`core.api.views`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import marshmallow
from flask import Blueprint, g, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from core.api_tokens import service as tokens
from core.consents.service import terms_outdated
from core.framework.extensions import csrf, limiter
from core.framework.forms import null_characters, translate_errors
from core.framework.web import limit

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens only: a browser's cookie never authenticates here
PUBLIC = {"api.openapi", "api.docs"}
RULE_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")  # <converter:name>
DEFAULT_RATE_LIMIT = "120 per minute;3000 per hour"

_ERRORS: dict[int, tuple[str, Any]] = {
    400: ("bad_request", _l("The request is not valid: send a JSON object.")),
    401: ("unauthorized", _l("A valid access token is required.")),
    403: ("insufficient_scope", _l("This access token may only read.")),
    404: ("not_found", _l("Not found.")),
    405: ("method_not_allowed", _l("This method is not allowed here.")),
    413: ("payload_too_large", _l("The request is too large.")),
    422: ("validation_failed", _l("Some fields are not valid.")),
    429: ("rate_limited", _l("Too many requests. Wait a little and try again.")),
    500: ("server_error", _l("Something went wrong. Nothing has been changed.")),
    503: ("backend_unavailable", _l("The billing system is not responding. Try again in a few minutes.")),
}


class ApiError(Exception):
    """An error answer: HTTP status, a stable code, a translated message, field errors."""

    def __init__(self, status: int, message: Any = None, *, code: str | None = None,
                 field_errors: dict[str, list[str]] | None = None, headers: dict[str, str] | None = None):
        default_code, default_message = _ERRORS.get(status, ("error", _ERRORS[500][1]))
        self.status, self.code = status, code or default_code
        self.message = message if message is not None else default_message
        self.field_errors, self.headers = field_errors, headers or {}
        super().__init__(self.code)


def validation_failed(field_errors: dict[str, list[str]], message: Any = None, code: str | None = None) -> ApiError:
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


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return _error_response(error)


def _http_error(error: HTTPException):
    headers = {"Retry-After": error.response.headers["Retry-After"]} if (
        error.response is not None and "Retry-After" in error.response.headers) else None
    return _error_response(ApiError(error.code or 500, headers=headers))


# per status: the app's own (HTML) handlers for 404, 429 and 500 would otherwise win
for _status in _ERRORS:
    bp.register_error_handler(_status, _http_error)
bp.register_error_handler(HTTPException, _http_error)


def _bearer() -> str | None:
    auth = request.authorization
    return auth.token if auth is not None and auth.type == "bearer" and auth.token else None


def _request_token():
    """The request's valid token, or ``None``; looked up once per request."""
    if "api_token" not in g:
        given = _bearer()
        g.api_token = tokens.authenticate(given) if given else None
    return g.api_token


def _rate_limit_key() -> str:
    """Per valid token, so each app has its own budget; per address otherwise, so made-up
    tokens are counted with the address that sends them."""
    from core.framework.extensions import _client_key
    from core.framework.tenancy import current_tenant_code

    token = None if request.endpoint in PUBLIC else _request_token()
    if token is None:
        return _client_key()
    return f"{current_tenant_code(default='-')}:api:token:{token.id}"


limiter.limit(limit("API"), key_func=_rate_limit_key)(bp)


@bp.record_once
def _defaults(state) -> None:
    state.app.config.setdefault("RATELIMIT_API", DEFAULT_RATE_LIMIT)
    # an address that matches no route (an id out of range, say) still gets a JSON answer
    state.app.extensions.setdefault("portal_unmatched_path_errors", {})[bp.url_prefix] = _http_error


@bp.before_request
def _authenticate() -> None:
    if request.endpoint in PUBLIC:
        return
    token = _request_token()
    if token is None:
        raise ApiError(401)
    if terms_outdated(token.user):  # as on the web: nothing before the new terms are accepted
        raise ApiError(403, _l("The terms of service have changed: accept them in the portal first."),
                       code="terms_not_accepted")
    # The token's owner is Flask-Login's current user for this request only (no session):
    # the portal's locale choice and helpers see them as on the web.
    g._login_user = token.user


# --- operations ----------------------------------------------------------------


@dataclass
class Operation:
    """One endpoint as the OpenAPI document describes it."""

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


OPERATIONS: list[Operation] = []


def operation(rule: str, method: str = "GET", **details: Any) -> Callable:
    """Register a view under ``rule`` and describe it for the OpenAPI document.

    ``write=True`` refuses read-only tokens with 403.
    """

    def decorate(view: Callable) -> Callable:
        op = Operation(rule=rule, method=method, endpoint=f"{bp.name}.{view.__name__}", **details)
        OPERATIONS.append(op)

        @functools.wraps(view)
        def checked(**kwargs: Any):
            if op.write and not g.api_token.can_write:
                raise ApiError(403)
            return view(**kwargs)

        bp.add_url_rule(rule, view.__name__, checked, methods=[method])
        return checked

    return decorate


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
    return load(schema, request.args.to_dict())


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400)
    refused = null_characters(body)
    if refused:
        raise validation_failed(refused)
    return body


def paginated(statement, args: dict[str, Any], dump: Callable[..., dict]) -> dict[str, Any]:
    """One page of ``statement``'s rows, each dumped with ``dump(*row)``, and the links."""
    from core.framework.extensions import db

    page, per_page = args["page"], args["per_page"]
    rows = db.session.execute(statement.offset((page - 1) * per_page).limit(per_page + 1)).all()

    def link(number: int) -> str:
        params = {**request.args.to_dict(), "page": number, "per_page": per_page}
        return url_for(request.endpoint, **(request.view_args or {}), **params, _external=True)

    return {
        "items": [dump(*row) for row in rows[:per_page]],
        "page": page,
        "per_page": per_page,
        "links": {"self": link(page), "next": link(page + 1) if len(rows) > per_page else None},
    }

